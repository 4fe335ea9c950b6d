package pipeline

import "testing"

func TestCheckDisk(t *testing.T) {
	if err := checkDisk(t.TempDir(), 1000, 1, 13); err != nil {
		t.Errorf("1,000 replications refused: %v", err)
	}
}

package pipeline

import "testing"

func TestCheckMemory(t *testing.T) {
	if err := checkMemory(1000, 1, 13); err != nil {
		t.Errorf("1,000 replications refused: %v", err)
	}
}

package pipeline

import (
	"strings"
	"testing"
)

func TestCheckDisk(t *testing.T) {
	dir := t.TempDir()
	if err := checkDisk(dir, 1000, 1, 13); err != nil {
		t.Errorf("1,000 replications refused: %v", err)
	}
	if _, ok := diskAvailable(dir); !ok {
		t.Skip("no free-space figure on this system")
	}
	err := checkDisk(dir, 1e12, 1, 13)
	if err == nil || !strings.Contains(err.Error(), "GB") || !strings.Contains(err.Error(), "--shard") {
		t.Errorf("10¹² replications: %v", err)
	}
}

package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dcsim/dcsim/model/pipeline"
)

// TestRunRefusesWhatCannotFit: a replication count whose results cannot fit
// on disk is refused at once with exit 2 and a way out, instead of running
// for hours and failing; memory is never the limit (results spill to disk).
func TestRunRefusesWhatCannotFit(t *testing.T) {
	if _, ok := pipeline.DiskAvailable(t.TempDir()); !ok {
		t.Skip("no free-space figure on this system")
	}
	out := filepath.Join(t.TempDir(), "huge")
	var stdout, stderr bytes.Buffer
	code := mainCode([]string{"dcsim", "run", "../../scenarios/example.toml", "-n", "2000000000", "--out", out, "-q"}, &stdout, &stderr)
	if code != 2 {
		t.Fatalf("exit %d, want 2; stderr:\n%s", code, stderr.String())
	}
	if msg := stderr.String(); !strings.Contains(msg, "GB of disk") || !strings.Contains(msg, "--shard") {
		t.Errorf("message does not say how much disk or how to shard:\n%s", msg)
	}
	for _, p := range []string{out, out + ".partial"} {
		if _, err := os.Stat(p); err == nil {
			t.Errorf("%s was left behind", p)
		}
	}
}

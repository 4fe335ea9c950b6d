package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRunRefusesWhatCannotFit: a replication count whose results cannot be
// stored (on disk: memory is bounded) is refused at once with exit 2 and a
// way out, instead of running for hours and failing.
func TestRunRefusesWhatCannotFit(t *testing.T) {
	out := filepath.Join(t.TempDir(), "huge")
	var stdout, stderr bytes.Buffer
	code := mainCode([]string{"dcsim", "run", "../../scenarios/example.toml", "-n", "1000000000", "--out", out, "-q"}, &stdout, &stderr)
	if code != 2 {
		t.Fatalf("exit %d, want 2; stderr:\n%s", code, stderr.String())
	}
	if msg := stderr.String(); !strings.Contains(msg, "GB") || !strings.Contains(msg, "--shard") {
		t.Errorf("message does not say how much space or how to shard:\n%s", msg)
	}
	for _, p := range []string{out, out + ".partial"} {
		if _, err := os.Stat(p); err == nil {
			t.Errorf("%s was left behind", p)
		}
	}
}

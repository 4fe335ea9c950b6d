package main

import (
	"bytes"
	"runtime/debug"
	"strings"
	"testing"
)

func TestVersionFrom(t *testing.T) {
	vcs := func(rev, modified string) []debug.BuildSetting {
		return []debug.BuildSetting{{Key: "vcs", Value: "git"}, {Key: "vcs.revision", Value: rev}, {Key: "vcs.modified", Value: modified}}
	}
	cases := []struct {
		name string
		bi   *debug.BuildInfo
		ok   bool
		want string
	}{
		{"no build info", nil, false, "devel"},
		{"go install @v0.3.1", &debug.BuildInfo{Main: debug.Module{Version: "v0.3.1"}}, true, "v0.3.1"},
		{"checkout, stamped pseudo-version", &debug.BuildInfo{Main: debug.Module{Version: "v0.0.0-20261201135800-6828d8f1a2b3+dirty"}, Settings: vcs("6828d8f1a2b3c4d5", "true")}, true, "v0.0.0-20261201135800-6828d8f1a2b3+dirty"},
		{"checkout, clean", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: vcs("6828d8f1a2b3c4d5e6f7", "false")}, true, "devel+6828d8f1a2b3"},
		{"checkout, dirty", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: vcs("6828d8f1a2b3c4d5e6f7", "true")}, true, "devel+6828d8f1a2b3-dirty"},
		{"-buildvcs=false", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}, true, "devel"},
	}
	for _, c := range cases {
		if got := versionFrom(c.bi, c.ok); got != c.want {
			t.Errorf("%s: versionFrom = %q, want %q", c.name, got, c.want)
		}
	}
}

// TestVersionFlag checks that dcsim --version prints what the build
// information says, so a user can tell which build produced a result.
func TestVersionFlag(t *testing.T) {
	var out, errb bytes.Buffer
	if code := mainCode([]string{"dcsim", "--version"}, &out, &errb); code != 0 {
		t.Fatalf("dcsim --version: exit %d, stderr %q", code, errb.String())
	}
	want := "dcsim version " + version()
	if got := strings.TrimSpace(out.String()); got != want {
		t.Errorf("dcsim --version printed %q, want %q", got, want)
	}
}

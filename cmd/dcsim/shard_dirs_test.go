package main

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestExpandShardDirs(t *testing.T) {
	tmp := t.TempDir()
	mk := func(rel string, manifest bool) string {
		p := filepath.Join(tmp, rel)
		if err := os.MkdirAll(p, 0o755); err != nil {
			t.Fatal(err)
		}
		if manifest {
			if err := os.WriteFile(filepath.Join(p, "manifest.json"), []byte("{}"), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		return p
	}
	a := mk("run/shards/10", true)
	b := mk("run/shards/2", true)
	mk("run/shards/notes", false) // not a shard: ignored
	single := mk("single", true)
	mk("partial/shards/0", true)
	mk("partial/shards/1.partial", true)
	mk("rerun/shards/0", true)
	mk("rerun/shards/0.partial", false) // a rerun of a finished shard in progress: the finished one counts
	empty := mk("empty", false)

	got, err := expandShardDirs([]string{filepath.Join(tmp, "run/shards"), single})
	if err != nil || strings.Join(got, " ") != strings.Join([]string{a, b, single}, " ") {
		t.Errorf("expandShardDirs = %v, %v; want [%s %s %s]", got, err, a, b, single)
	}
	if got, err := expandShardDirs([]string{filepath.Join(tmp, "rerun/shards")}); err != nil || len(got) != 1 {
		t.Errorf("rerun: expandShardDirs = %v, %v; want the finished shard", got, err)
	}
	for _, c := range []struct{ dir, want string }{
		{filepath.Join(tmp, "partial/shards"), "1.partial"},
		{empty, "neither a dcsim results directory nor a directory of them"},
		{filepath.Join(tmp, "nowhere"), "does not exist"},
	} {
		if _, err := expandShardDirs([]string{c.dir}); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("expandShardDirs(%s) = %v, want an error containing %q", c.dir, err, c.want)
		}
	}
}

// TestMergeDirOfShards merges shards the way the Kubernetes merge Job
// does — one directory argument holding every shard — into exactly the
// files of one unsharded run.
func TestMergeDirOfShards(t *testing.T) {
	tmp := t.TempDir()
	scenario := "../../scenarios/example.toml"
	run := func(args ...string) {
		t.Helper()
		var errb bytes.Buffer
		if code := mainCode(append([]string{"dcsim"}, args...), io.Discard, &errb); code != 0 {
			t.Fatalf("dcsim %v: exit %d: %s", args, code, errb.String())
		}
	}
	for i, sh := range []string{"0/3", "1/3", "2/3"} {
		run("run", scenario, "-n", "60", "--seed", "5", "--shard", sh, "--no-plots", "-q", "--workers", "1",
			"--out", filepath.Join(tmp, "shards", string(rune('0'+i))))
	}
	run("run", scenario, "-n", "60", "--seed", "5", "--no-plots", "-q", "--out", filepath.Join(tmp, "whole"))
	run("merge", filepath.Join(tmp, "shards"), "--out", filepath.Join(tmp, "merged"), "--no-plots", "-q")
	for _, f := range []string{"summary.json", "replications.csv"} {
		a, err1 := os.ReadFile(filepath.Join(tmp, "merged", f))
		b, err2 := os.ReadFile(filepath.Join(tmp, "whole", f))
		if err1 != nil || err2 != nil {
			t.Fatal(err1, err2)
		}
		if !bytes.Equal(a, b) {
			t.Errorf("%s merged from a directory of shards differs from the unsharded run", f)
		}
	}
	// One shard missing: the merge fails as bad input, naming the gap.
	if err := os.RemoveAll(filepath.Join(tmp, "shards", "1")); err != nil {
		t.Fatal(err)
	}
	var errb bytes.Buffer
	code := mainCode([]string{"dcsim", "merge", filepath.Join(tmp, "shards"), "--out", filepath.Join(tmp, "merged2"), "--no-plots", "-q"}, io.Discard, &errb)
	if code != 2 || !strings.Contains(errb.String(), "missing") {
		t.Errorf("merge with shard 1 missing: exit %d, %q; want exit 2 naming the missing replications", code, errb.String())
	}
}

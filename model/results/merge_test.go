package results

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// mergeFixture runs a 50-replication scenario whole and as shards 0/3,
// 1/3 and 2/3, into directories whole, s0, s1 and s2 of the directory it
// returns.
func mergeFixture(t *testing.T) string {
	t.Helper()
	parent := t.TempDir()
	for _, sh := range []struct{ name, shard string }{{"whole", "0/1"}, {"s0", "0/3"}, {"s1", "1/3"}, {"s2", "2/3"}} {
		runTo(t, filepath.Join(parent, sh.name), 50, sh.shard, true)
	}
	return parent
}

func TestMergeShardsByteIdentical(t *testing.T) {
	parent := mergeFixture(t)
	out := filepath.Join(t.TempDir(), "merged")
	s := func(n string) string { return filepath.Join(parent, n) }
	m, c, err := Merge([]string{s("s2"), s("s0"), s("s1")}, out, false) // any order
	if err != nil {
		t.Fatal(err)
	}
	checkSameResults(t, s("whole"), out, true)
	if c.Len() != 50 || c.First() != 0 {
		t.Errorf("merged collector holds [%d, %d)", c.First(), c.Next())
	}
	fm, err := ReadManifest(filepath.Join(out, ManifestFile))
	if err != nil {
		t.Fatal(err)
	}
	if fm.Shard != "0/1" || !fm.Complete || fm.FirstReplication != 0 || fm.EndReplication != 50 || fm.Replications != 50 ||
		len(fm.MergedFrom) != 3 || fm.MergedFrom[0].Shard != "0/3" || fm.MergedFrom[2].Dir != s("s2") || fm.Seed != 42 || m.Shard != "0/1" {
		t.Errorf("merged manifest %+v", fm)
	}
	// What the merge wrote, Load reads back.
	if _, lc, err := Load(out); err != nil || lc.Len() != 50 {
		t.Errorf("Load(merged) = %v, %v", lc, err)
	}
}

func TestMergeRejectsBadShardSets(t *testing.T) {
	parent := mergeFixture(t)
	s := func(n string) string { return filepath.Join(parent, n) }

	// A shard with another seed, and one interrupted.
	other := filepath.Join(t.TempDir(), "other")
	d, _ := Prepare(other, false)
	m := testManifest(50, "1/3")
	m.Seed = 7
	d.CopyInputs(&m, testScenario(t))
	c := newTestCollector(t, 16)
	fill(t, c, 16, 33)
	if err := d.Finish(&m, c, nil); err != nil {
		t.Fatal(err)
	}
	partial := filepath.Join(t.TempDir(), "partial")
	d, _ = Prepare(partial, false)
	m = testManifest(50, "1/3")
	d.CopyInputs(&m, testScenario(t))
	c = newTestCollector(t, 16)
	fill(t, c, 16, 20)
	d.Checkpoint(&m, c)

	for _, tc := range []struct {
		name string
		dirs []string
		want []string
	}{
		{"missing middle", []string{s("s0"), s("s2")}, []string{"replications [16, 33) are missing"}},
		{"missing end", []string{s("s0"), s("s1")}, []string{"replications [33, 50) are missing"}},
		{"overlap", []string{s("s0"), s("s1"), s("s1"), s("s2")}, []string{"s1 (shard 1/3, replications [16, 33)) overlaps", "s1 (shard 1/3"}},
		{"whole and shard", []string{s("whole"), s("s1")}, []string{"overlaps"}},
		{"other seed", []string{s("s0"), other, s("s2")}, []string{"seed: 42 in " + s("s0") + ", 7 in " + other}},
		{"incomplete", []string{s("s0"), partial + StagingSuffix, s("s2")}, []string{"shard 1/3 is incomplete (4 of 17 replications)"}},
		{"not a results dir", []string{s("s0"), t.TempDir()}, []string{"is not a dcsim results directory (no manifest.json)"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "merged")
			_, _, err := Merge(tc.dirs, out, false)
			for _, w := range tc.want {
				if err == nil || !strings.Contains(err.Error(), w) {
					t.Errorf("Merge error %v, want it to contain %q", err, w)
				}
			}
			checkNotExist(t, out)
			checkNotExist(t, out+StagingSuffix)
		})
	}
}

func TestMergeRejectsTamperedShard(t *testing.T) {
	parent := mergeFixture(t)
	// A copy of shard 1 whose CSV lost its last replication.
	bad := filepath.Join(t.TempDir(), "s1")
	os.Mkdir(bad, 0o755)
	for _, f := range []string{ManifestFile, SummaryFile, "test.toml", MarkerFile} {
		b, _ := os.ReadFile(filepath.Join(parent, "s1", f))
		os.WriteFile(filepath.Join(bad, f), b, 0o644)
	}
	short := newTestCollector(t, 16)
	fill(t, short, 16, 32)
	WriteTables(bad, short)
	out := filepath.Join(t.TempDir(), "merged")
	_, _, err := Merge([]string{filepath.Join(parent, "s0"), bad, filepath.Join(parent, "s2")}, out, false)
	if err == nil || !strings.Contains(err.Error(), "ends at replication 32 but its manifest says 33") {
		t.Errorf("Merge with a short CSV: %v", err)
	}
	checkNotExist(t, out+StagingSuffix)
}

func TestMergeWithHook(t *testing.T) {
	parent := mergeFixture(t)
	s := func(n string) string { return filepath.Join(parent, n) }
	out := filepath.Join(t.TempDir(), "merged")
	_, _, err := MergeWith(context.Background(), []string{s("s0"), s("s1"), s("s2")}, out, false, MergeHooks{BeforeCommit: func(dir string, c *Collector, _ *Summary) error {
		if dir != out+StagingSuffix || c.Len() != 50 {
			t.Errorf("hook called with %s and %d replications", dir, c.Len())
		}
		return os.WriteFile(filepath.Join(dir, "compare.json"), []byte("{}"), 0o644)
	}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(out, "compare.json")); err != nil {
		t.Errorf("the hook's file was not committed: %v", err)
	}
	// A failing hook abandons the merge.
	out2 := filepath.Join(t.TempDir(), "merged")
	_, _, err = MergeWith(context.Background(), []string{s("s0"), s("s1"), s("s2")}, out2, false, MergeHooks{BeforeCommit: func(string, *Collector, *Summary) error {
		return os.ErrInvalid
	}})
	if err == nil {
		t.Error("MergeWith succeeded though its hook failed")
	}
	checkNotExist(t, out2)
	checkNotExist(t, out2+StagingSuffix)
}

// TestMergeCancelled: a cancelled merge stops, leaves no staging directory
// and does not touch a previous result.
func TestMergeCancelled(t *testing.T) {
	parent := mergeFixture(t)
	s := func(n string) string { return filepath.Join(parent, n) }
	out := filepath.Join(t.TempDir(), "merged")
	if _, _, err := Merge([]string{s("s0"), s("s1"), s("s2")}, out, false); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(filepath.Join(out, ManifestFile))
	ctx, cancel := context.WithCancel(context.Background())
	calls := 0
	_, _, err := MergeWith(ctx, []string{s("s0"), s("s1"), s("s2")}, out, false, MergeHooks{Progress: func(int) {
		if calls++; calls == 2 {
			cancel()
		}
	}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled merge: %v, want context.Canceled", err)
	}
	checkNotExist(t, out+StagingSuffix)
	if after, _ := os.ReadFile(filepath.Join(out, ManifestFile)); string(after) != string(before) {
		t.Error("a cancelled merge changed the previous result")
	}
}

// TestMergeCancelledWhileWriting cancels a merge once every shard is read,
// as a signal during its writing phase does: it stops with ctx's error and
// leaves neither a staging directory nor a result; the summary and the
// rows stop between columns and blocks.
func TestMergeCancelledWhileWriting(t *testing.T) {
	parent := mergeFixture(t)
	s := func(n string) string { return filepath.Join(parent, n) }
	out := filepath.Join(t.TempDir(), "merged")
	ctx, cancel := context.WithCancel(context.Background())
	wrote := false
	_, _, err := MergeWith(ctx, []string{s("s0"), s("s1"), s("s2")}, out, false, MergeHooks{
		Writing:      cancel,
		BeforeCommit: func(string, *Collector, *Summary) error { wrote = true; return nil },
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("merge cancelled while writing: %v, want context.Canceled", err)
	}
	if wrote {
		t.Error("the hook after the tables ran in a cancelled merge")
	}
	checkNotExist(t, out)
	checkNotExist(t, out+StagingSuffix)

	c := newTestCollector(t, 0)
	fill(t, c, 0, 3*rowBlock)
	if _, err := c.summary(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("summary with a cancelled context: %v", err)
	}
	var buf bytes.Buffer
	if err := c.writeRows(ctx, &buf, serviceTable, 0, 3*rowBlock); !errors.Is(err, context.Canceled) || buf.Len() > 0 {
		t.Errorf("writeRows with a cancelled context: %v after %d bytes", err, buf.Len())
	}
}

package main

import (
	"bytes"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// resultFiles are the files of a results directory that must not depend on
// how the run was split up.
var resultFiles = []string{"summary.json", "replications.csv", "overall.csv", "example.toml"}

// TestCLIWorkersDeterminism: the worker count changes nothing in the
// results, byte for byte.
func TestCLIWorkersDeterminism(t *testing.T) {
	example := cliScenario(t, "example")
	tmp := t.TempDir()
	var dirs []string
	for _, w := range []string{"1", "2", "8"} {
		d := filepath.Join(tmp, "w"+w)
		cliMust(t, "run", example, "-n", "300", "--workers", w, "--no-plots", "-q", "--out", d)
		if m := cliManifest(t, d); strconv.FormatFloat(m["workers"].(float64), 'g', -1, 64) != w {
			t.Errorf("%s: manifest workers %v, want %s", d, m["workers"], w)
		}
		dirs = append(dirs, d)
	}
	for _, d := range dirs[1:] {
		cliSameFiles(t, dirs[0], d, resultFiles...)
	}
	rows := cliReadCSV(t, filepath.Join(dirs[0], "replications.csv"))
	if want := 1 + 300*5; len(rows) != want {
		t.Errorf("replications.csv has %d rows, want %d (header + 300 × 5 services)", len(rows), want)
	}
	if rows := cliReadCSV(t, filepath.Join(dirs[0], "overall.csv")); len(rows) != 1+300 {
		t.Errorf("overall.csv has %d rows, want %d (header + 300)", len(rows), 1+300)
	}
}

// TestCLIShardsMerge: three shards run separately and merged give exactly
// the files of the unsharded run, whatever order merge gets them in.
func TestCLIShardsMerge(t *testing.T) {
	example := cliScenario(t, "example")
	tmp := t.TempDir()
	whole := filepath.Join(tmp, "whole")
	cliMust(t, "run", example, "-n", "300", "--no-plots", "-q", "--out", whole)

	var shards []string
	for i, sh := range []string{"0/3", "1/3", "2/3"} {
		d := filepath.Join(tmp, "shard"+strconv.Itoa(i))
		cliMust(t, "run", example, "-n", "300", "--shard", sh, "--workers", strconv.Itoa(i+1), "-q", "--out", d)
		m := cliManifest(t, d)
		lo, hi := float64(100*i), float64(100*(i+1))
		if m["shard"] != sh || m["first_replication"] != lo || m["end_replication"] != hi || m["replications"] != float64(300) || m["complete"] != true {
			t.Errorf("shard %s manifest: shard %v range [%v, %v) replications %v complete %v; want [%v, %v) of 300",
				sh, m["shard"], m["first_replication"], m["end_replication"], m["replications"], m["complete"], lo, hi)
		}
		rows := cliReadCSV(t, filepath.Join(d, "replications.csv"))
		if len(rows) != 1+100*5 || rows[1][0] != strconv.Itoa(100*i) {
			t.Errorf("shard %s: %d rows, first replication %q; want %d rows from %d", sh, len(rows), rows[1][0], 1+100*5, 100*i)
		}
		shards = append(shards, d)
	}

	merged := filepath.Join(tmp, "merged")
	r := cliMust(t, "merge", shards[2], shards[0], shards[1], "--out", merged)
	if !strings.Contains(r.stdout, "merged 3 shards") {
		t.Errorf("merge output:\n%s", r)
	}
	cliSameFiles(t, whole, merged, resultFiles...)
	m := cliManifest(t, merged)
	if m["shard"] != "0/1" || m["complete"] != true || m["replications_done"] != float64(300) {
		t.Errorf("merged manifest: shard %v complete %v done %v", m["shard"], m["complete"], m["replications_done"])
	}
	if mf, _ := m["merged_from"].([]any); len(mf) != 3 {
		t.Errorf("merged_from lists %d shards, want 3", len(mf))
	}

	// A missing shard, or one twice, is refused and writes nothing.
	for _, args := range [][]string{
		{"merge", shards[0], shards[1], "--out", filepath.Join(tmp, "gap")},
		{"merge", shards[0], shards[1], shards[1], shards[2], "--out", filepath.Join(tmp, "overlap")},
		{"merge", shards[0], shards[1], whole, "--out", filepath.Join(tmp, "mixed")},
	} {
		r := cliRun(t, args...)
		if r.code != 2 {
			t.Errorf("want exit 2:\n%s", r)
		}
		if out := args[len(args)-1]; cliExists(out) || cliExists(out+".partial") {
			t.Errorf("a refused merge left %s", out)
		}
	}
	// Shards of another seed do not merge with these.
	other := filepath.Join(tmp, "other")
	cliMust(t, "run", example, "-n", "300", "--shard", "2/3", "--seed", "8", "-q", "--out", other)
	if r := cliRun(t, "merge", shards[0], shards[1], other, "--out", filepath.Join(tmp, "seeds")); r.code != 2 || !strings.Contains(r.stderr, "seed") {
		t.Errorf("want exit 2 naming the seed:\n%s", r)
	}
}

// TestCLISeed: the seed fixes the results, and another seed gives others.
func TestCLISeed(t *testing.T) {
	example := cliScenario(t, "example")
	tmp := t.TempDir()
	run := func(name string, args ...string) []byte {
		d := filepath.Join(tmp, name)
		cliMust(t, append([]string{"run", example, "-n", "100", "--no-plots", "-q", "--out", d}, args...)...)
		return cliReadFile(t, filepath.Join(d, "replications.csv"))
	}
	scenarioSeed := run("default")
	seed7 := run("seed7", "--seed", "7") // example.toml says seed = 7
	seed8 := run("seed8", "--seed", "8")
	again8 := run("again8", "--seed", "8", "--workers", "1")
	if !bytes.Equal(scenarioSeed, seed7) {
		t.Error("--seed 7 differs from the scenario's seed = 7")
	}
	if !bytes.Equal(seed8, again8) {
		t.Error("two runs with --seed 8 differ")
	}
	if bytes.Equal(seed7, seed8) {
		t.Fatal("--seed 8 gives the same replications.csv as seed 7")
	}
	// Not just one row: most replications must differ.
	a := cliReadCSV(t, filepath.Join(tmp, "seed7", "replications.csv"))
	b := cliReadCSV(t, filepath.Join(tmp, "seed8", "replications.csv"))
	same := 0
	for i := 1; i < len(a) && i < len(b); i++ {
		if a[i][2] == "chat" && strings.Join(a[i], ",") == strings.Join(b[i], ",") {
			same++
		}
	}
	if same > 10 {
		t.Errorf("%d of 100 chat rows are identical under seeds 7 and 8", same)
	}
	if m := cliManifest(t, filepath.Join(tmp, "seed8")); m["seed"] != float64(8) {
		t.Errorf("manifest seed %v, want 8", m["seed"])
	}
	// The largest seed is kept exactly (as an integer, not a double).
	run("max", "--seed", "18446744073709551615")
	if b := cliReadFile(t, filepath.Join(tmp, "max", "manifest.json")); !bytes.Contains(b, []byte(`"seed": 18446744073709551615,`)) {
		t.Errorf("manifest.json does not hold the seed 18446744073709551615 exactly:\n%s", b)
	}
}

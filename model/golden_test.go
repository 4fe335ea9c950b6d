package model

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/dcsim/dcsim/model/results"
	"github.com/dcsim/dcsim/sim"
)

// The golden summary pins what dcsim computes for scenarios/example.toml
// with a fixed seed, byte for byte, like the standard library's
// regress_test.go: any change to the model, the random streams or the
// summary format shows up here and must be accepted deliberately with
//
//	go test ./model -run TestGolden -update
var updateGolden = flag.Bool("update", false, "rewrite model/testdata/golden from the current code")

const (
	goldenSeed = 7 // example.toml's own seed
	goldenReps = 200
	goldenFile = "testdata/golden/example-summary.json"
)

// goldenSummary runs example.toml through Simulate and a Collector, as
// dcsim run does, and returns the bytes WriteSummary writes.
func goldenSummary(t *testing.T, workers int) []byte {
	t.Helper()
	sc, err := Load(filepath.Join("..", "scenarios", "example.toml"))
	if err != nil {
		t.Fatal(err)
	}
	names := make([]string, len(sc.Services))
	for i, s := range sc.Services {
		names[i] = s.Name
	}
	col, err := results.NewCollector(sc.Name, []string{"baseline"}, names, 0)
	if err != nil {
		t.Fatal(err)
	}
	col.SetIncident("incident") // example.toml's [incident] has no name
	res := Simulate(context.Background(), []*Model{Compile(sc)},
		sim.RunConfig{Seed: goldenSeed, From: 0, To: goldenReps, Workers: workers}, col.Add)
	if !res.Complete || col.Len() != goldenReps {
		t.Fatalf("workers=%d: ran %d of %d replications", workers, col.Len(), goldenReps)
	}
	path := filepath.Join(t.TempDir(), "summary.json")
	if err := results.WriteSummary(path, col.Summary()); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestGoldenExampleSummary(t *testing.T) {
	one := goldenSummary(t, 1)
	two := goldenSummary(t, 2)
	if !bytes.Equal(one, two) {
		t.Errorf("summary.json differs between workers=1 and workers=2: results must not depend on the worker count")
	}
	if *updateGolden {
		if err := os.MkdirAll(filepath.Dir(goldenFile), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(goldenFile, one, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s", goldenFile)
		return
	}
	want, err := os.ReadFile(goldenFile)
	if err != nil {
		t.Fatalf("%v\nCreate it deliberately with: go test ./model -run TestGolden -update", err)
	}
	if !bytes.Equal(one, want) {
		t.Errorf("summary.json of example.toml (seed %d, %d replications) differs from %s:\n%s\n"+
			"If the change is intended (a model, random-stream or format change), regenerate it with\n"+
			"\tgo test ./model -run TestGolden -update\n"+
			"and explain in the commit message why the numbers moved.",
			goldenSeed, goldenReps, goldenFile, firstDiff(want, one))
	}
}

// firstDiff describes the first line where got departs from want.
func firstDiff(want, got []byte) string {
	wl := bytes.Split(want, []byte("\n"))
	gl := bytes.Split(got, []byte("\n"))
	for i := 0; i < len(wl) || i < len(gl); i++ {
		var w, g []byte
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if !bytes.Equal(w, g) {
			return fmt.Sprintf("line %d:\n  want %s\n  got  %s", i+1, w, g)
		}
	}
	return "(lengths differ)"
}

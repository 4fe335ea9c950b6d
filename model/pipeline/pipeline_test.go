package pipeline

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dcsim/dcsim/model"
	"github.com/dcsim/dcsim/sim"
)

const examplePath = "../../scenarios/example.toml"

func exampleRun(t testing.TB) *Job {
	t.Helper()
	sc, err := model.Load(examplePath)
	if err != nil {
		t.Fatal(err)
	}
	j, err := NewRun(sc, examplePath, "")
	if err != nil {
		t.Fatal(err)
	}
	return j
}

func settings(out string, n int, plots bool) Settings {
	return Settings{Seed: 7, Replications: n, Workers: 2, Shard: sim.Shard{Count: 1}, Out: out, Plots: plots, Version: "test"}
}

// cancelAt is an Observer that cancels a context after reps replications
// or when phase starts.
type cancelAt struct {
	Quiet
	reps   int
	phase  string
	cancel context.CancelFunc
	done   int
}

func (c *cancelAt) Progress() {
	c.done++
	if c.reps > 0 && c.done == c.reps {
		c.cancel()
	}
}

func (c *cancelAt) Phase(name string) {
	if name == c.phase {
		c.cancel()
	}
}

func sameFiles(t *testing.T, a, b string, names ...string) {
	t.Helper()
	for _, f := range names {
		x, err1 := os.ReadFile(filepath.Join(a, f))
		y, err2 := os.ReadFile(filepath.Join(b, f))
		if err1 != nil || err2 != nil || !bytes.Equal(x, y) {
			t.Errorf("%s differs between %s and %s (%v, %v)", f, a, b, err1, err2)
		}
	}
}

// TestStartInterruptResume: a run cancelled mid-simulation returns
// *Interrupted after saving; Resume finishes it with the files of an
// uninterrupted run.
func TestStartInterruptResume(t *testing.T) {
	tmp := t.TempDir()
	ref, err := Start(context.Background(), exampleRun(t), settings(filepath.Join(tmp, "ref"), 3000, false), nil)
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(tmp, "out")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	_, err = Start(ctx, exampleRun(t), settings(out, 3000, false), &cancelAt{reps: 500, cancel: cancel})
	var in *Interrupted
	if !errors.As(err, &in) || !strings.Contains(in.Msg, "--resume") {
		t.Fatalf("cancelled run: %v, want *Interrupted saying how to resume", err)
	}
	res, err := Resume(context.Background(), out, ResumeSettings{Workers: 1, Version: "test"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Summary.Variants[0].Overall["loss"] != ref.Summary.Variants[0].Overall["loss"] {
		t.Errorf("resumed summary differs from the uninterrupted one")
	}
	sameFiles(t, filepath.Join(tmp, "ref"), out, "replications.csv", "overall.csv", "summary.json")
}

// TestInterruptWhileWriting: cancelled once the simulation is done, while
// the files are written and the plots drawn, a run keeps every
// replication, and Resume ends with the files of an uninterrupted run,
// plots and report included.
func TestInterruptWhileWriting(t *testing.T) {
	tmp := t.TempDir()
	if _, err := Start(context.Background(), exampleRun(t), settings(filepath.Join(tmp, "ref"), 2000, true), nil); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(tmp, "out")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	_, err := Start(ctx, exampleRun(t), settings(out, 2000, true), &cancelAt{phase: PhaseWrite, cancel: cancel})
	var in *Interrupted
	if !errors.As(err, &in) || !strings.Contains(in.Msg, "all 2000 replications were saved") {
		t.Fatalf("cancelled while writing: %v, want *Interrupted saying every replication is saved", err)
	}
	if _, err := os.Stat(out); err == nil {
		t.Errorf("%s was committed by an interrupted run", out)
	}
	// The abandoned drawing ends, then the lock is released.
	var res *Result
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(50 * time.Millisecond) {
		res, err = Resume(context.Background(), out, ResumeSettings{Workers: 2, Plots: true, Version: "test"}, nil)
		if err == nil || !strings.Contains(err.Error(), "still going") || time.Now().After(deadline) {
			break
		}
	}
	if err != nil {
		t.Fatal(err)
	}
	if !res.Manifest.Complete || res.Manifest.ReplicationsDone != 2000 {
		t.Errorf("resumed manifest: %d done, complete %v", res.Manifest.ReplicationsDone, res.Manifest.Complete)
	}
	sameFiles(t, filepath.Join(tmp, "ref"), out, "replications.csv", "summary.json", "recovery_cdf.svg", "timeline.svg", "timeline.txt")
	if _, err := os.Stat(filepath.Join(out, "report.html")); err != nil {
		t.Error(err)
	}
}

// TestReportFromMemory: the report a run writes from memory is the one
// WriteReport builds from the directory (bar the time it was written).
func TestReportFromMemory(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	if _, err := Start(context.Background(), exampleRun(t), settings(out, 500, true), nil); err != nil {
		t.Fatal(err)
	}
	first, err := os.ReadFile(filepath.Join(out, "report.html"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := WriteReport(out, nil); err != nil {
		t.Fatal(err)
	}
	again, err := os.ReadFile(filepath.Join(out, "report.html"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(first, again) {
		t.Errorf("report.html built from memory differs from the one built from the directory")
	}
}

// TestMergeShards: two shards merged are the unsharded run, report
// included, and the merge returns its summary.
func TestMergeShards(t *testing.T) {
	tmp := t.TempDir()
	const n = 600
	if _, err := Start(context.Background(), exampleRun(t), settings(filepath.Join(tmp, "whole"), n, true), nil); err != nil {
		t.Fatal(err)
	}
	var dirs []string
	for i := range 2 {
		s := settings(filepath.Join(tmp, "shard", string(rune('a'+i))), n, true)
		s.Shard = sim.Shard{Index: i, Count: 2}
		res, err := Start(context.Background(), exampleRun(t), s, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(filepath.Join(res.Dir, "report.html")); err == nil {
			t.Errorf("shard %d has a report of its part alone", i)
		}
		dirs = append(dirs, res.Dir)
	}
	res, err := Merge(context.Background(), dirs, MergeSettings{Out: filepath.Join(tmp, "merged"), Plots: true, Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Summary == nil || res.Summary.Variants[0].Overall["loss"].N != n {
		t.Errorf("merge returned no summary of %d replications", n)
	}
	sameFiles(t, filepath.Join(tmp, "whole"), res.Dir, "replications.csv", "overall.csv", "summary.json", "recovery_cdf.svg", "timeline.txt")
	if _, err := os.Stat(filepath.Join(res.Dir, "report.html")); err != nil {
		t.Error(err)
	}
}

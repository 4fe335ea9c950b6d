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

func exampleSpec(t *testing.T, out string, n int) Spec {
	t.Helper()
	sc, err := model.Load(examplePath)
	if err != nil {
		t.Fatal(err)
	}
	return Spec{ScenarioPath: examplePath, Scenario: sc, Seed: 7, Replications: n, Workers: 2,
		Shard: sim.Shard{Count: 1}, Out: out, Version: "test", Kind: KindRun}
}

// cancelAfter is an Observer that cancels a context once the phase has
// made progress reps times.
type cancelAfter struct {
	Quiet
	phase  string
	reps   int
	cancel context.CancelFunc
	cur    string
	saving int
}

func (c *cancelAfter) Phase(name string, _ int) { c.cur = name }
func (c *cancelAfter) Progress(done int) {
	if c.cur == c.phase && done >= c.reps {
		c.cancel()
	}
}
func (c *cancelAfter) Saving(reps int, _ time.Duration) { c.saving = reps }

// TestRunInterruptResume: a Run cancelled mid-simulation returns
// *Interrupted after saving; Resume finishes it with the files of an
// uninterrupted Run.
func TestRunInterruptResume(t *testing.T) {
	tmp := t.TempDir()
	ref, err := Run(context.Background(), exampleSpec(t, filepath.Join(tmp, "ref"), 3000), nil)
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(tmp, "out")
	ctx, cancel := context.WithCancel(context.Background())
	obs := &cancelAfter{phase: PhaseSimulate, reps: 500, cancel: cancel}
	_, err = Run(ctx, exampleSpec(t, out, 3000), obs)
	var in *Interrupted
	if !errors.As(err, &in) || in.Phase != PhaseSimulate {
		t.Fatalf("cancelled Run: %v, want *Interrupted in the simulation", err)
	}
	if obs.saving < 500 {
		t.Errorf("Saving said %d replications, want at least 500", obs.saving)
	}
	res, err := Resume(context.Background(), ResumeSpec{Out: out, Workers: 1, Version: "test"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Summary.Variants[0].Overall["loss"] != ref.Summary.Variants[0].Overall["loss"] {
		t.Errorf("resumed summary differs from the uninterrupted one")
	}
	for _, f := range []string{"replications.csv", "summary.json"} {
		a, _ := os.ReadFile(filepath.Join(tmp, "ref", f))
		b, _ := os.ReadFile(filepath.Join(out, f))
		if !bytes.Equal(a, b) {
			t.Errorf("%s differs after interrupt and resume", f)
		}
	}
}

// TestRunInterruptInPlots: cancelled while drawing, Run keeps every
// replication checkpointed and Resume only finishes the files.
func TestRunInterruptInPlots(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	spec := exampleSpec(t, out, 2000)
	spec.Plots = true
	ctx, cancel := context.WithCancel(context.Background())
	_, err := Run(ctx, spec, &cancelAfter{phase: PhasePlot, reps: 1, cancel: cancel})
	var in *Interrupted
	if !errors.As(err, &in) {
		t.Fatalf("Run cancelled in the plots: %v, want *Interrupted", err)
	}
	// Abandoned drawing ends, then the lock is released.
	var res *Result
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(50 * time.Millisecond) {
		res, err = Resume(context.Background(), ResumeSpec{Out: out, Workers: 2, Plots: true, Version: "test"}, nil)
		if err == nil || !strings.Contains(err.Error(), "still going") || time.Now().After(deadline) {
			break
		}
	}
	if err != nil {
		t.Fatal(err)
	}
	if res.Manifest.ReplicationsDone != 2000 || !res.Manifest.Complete {
		t.Errorf("resumed manifest: %d done, complete %v", res.Manifest.ReplicationsDone, res.Manifest.Complete)
	}
	for _, f := range []string{"report.html", "recovery_cdf.svg", "timeline.txt"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Errorf("after the resume: %v", err)
		}
	}
}

// Package pipeline runs dcsim's commands end to end as a library:
//
//	simulate → collect → checkpoint → summarise → write → draw → report → commit
//
// Run starts a run or a comparison, Resume continues an interrupted one,
// Merge combines shards, and Redraw rebuilds a directory's plots and
// report. Each is one call; the command line (cmd/dcsim) keeps flags,
// signals, exit codes and progress display, which it receives through an
// Observer.
//
// Every phase honours ctx: when it is cancelled the simulation stops
// within a second, the finished replications are saved (complete: false)
// and an *Interrupted error says how to resume. Before the phases that
// follow the simulation (the budget's extra simulation, writing, plots,
// report) every replication is checkpointed, so a signal there loses
// nothing and a resume only redoes that phase; work abandoned there goes
// on in the background until it ends (it writes only temporary files), and
// the output directory's lock is released after it. A previous complete
// result in the output directory is replaced only at the very end.
package pipeline

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"time"

	"github.com/dcsim/dcsim/model"
	"github.com/dcsim/dcsim/model/results"
	"github.com/dcsim/dcsim/sim"
)

// Phases, as passed to Observer.Phase.
const (
	PhaseSimulate = "simulating"
	PhaseBudget   = "simulating the budget's portfolio"
	PhaseWrite    = "writing results"
	PhasePlot     = "drawing plots"
	PhaseReport   = "writing the report"
	PhaseMerge    = "merging shards"
)

// Observer receives progress. Its methods are called from one goroutine at
// a time, and must return quickly.
type Observer interface {
	// Phase starts a phase of total units (replications, charts, …; 0 if
	// unknown).
	Phase(name string, total int)
	// Progress reports done units of the current phase.
	Progress(done int)
	// Saving says the run was interrupted and is saving reps
	// replications; the last checkpoint was made since ago.
	Saving(reps int, since time.Duration)
}

// Quiet is an Observer that shows nothing.
type Quiet struct{}

func (Quiet) Phase(string, int)         {}
func (Quiet) Progress(int)              {}
func (Quiet) Saving(int, time.Duration) {}

// InputError is bad input (a flag, the output directory, a scenario that
// does not fit the plan): the command line exits 2.
type InputError struct{ Err error }

func (e *InputError) Error() string { return e.Err.Error() }
func (e *InputError) Unwrap() error { return e.Err }

func inputErr(err error) error {
	if err == nil {
		return nil
	}
	return &InputError{Err: err}
}

func inputf(format string, args ...any) error { return &InputError{Err: fmt.Errorf(format, args...)} }

// Interrupted says ctx was cancelled: what was saved and how to go on.
type Interrupted struct {
	Phase string // the phase that was interrupted
	Msg   string
}

func (e *Interrupted) Error() string { return e.Msg }

// Kind is what a run computes.
type Kind string

const (
	KindRun     Kind = "run"
	KindCompare Kind = "compare"
)

// Spec is a run or comparison to start.
type Spec struct {
	ScenarioPath string
	Scenario     *model.Scenario
	Seed         uint64
	Replications int // of the whole run, all shards
	Workers      int
	Shard        sim.Shard
	Out          string
	Force        bool // discard an interrupted run in Out's staging directory
	Plots        bool // draw plots and report.html
	Parquet      bool // also write replications.parquet
	Version      string

	Kind     Kind
	Incident string          // KindRun: catalogue incident to run instead of [incident]
	Compare  *CompareOptions // KindCompare
}

// Result is a finished run's results, in memory.
type Result struct {
	Dir        string
	Manifest   *results.Manifest
	Summary    *results.Summary
	Collector  *results.Collector
	Comparison *model.Comparison // KindCompare only
}

// job is a Spec made ready: models, variants and the hooks of its kind.
type job struct {
	Spec
	sc       *model.Scenario // the scenario the run's variant simulates (incident applied)
	models   []*model.Model
	variants []string
	options  map[string]string
	plan     *model.Plan // KindCompare
	money    model.Money
	obs      Observer
}

func newJob(s Spec, obs Observer) (*job, error) {
	if obs == nil {
		obs = Quiet{}
	}
	j := &job{Spec: s, obs: obs, sc: s.Scenario}
	switch s.Kind {
	case KindRun:
		if err := j.setupRun(); err != nil {
			return nil, err
		}
	case KindCompare:
		if s.Compare == nil {
			return nil, errors.New("pipeline: a compare Spec needs Compare")
		}
		if err := j.setupCompare(*s.Compare); err != nil {
			return nil, err
		}
	default:
		return nil, inputf("cannot run a %q result", s.Kind)
	}
	if s.Parquet {
		if j.options == nil {
			j.options = map[string]string{}
		}
		j.options["parquet"] = "true"
	}
	return j, nil
}

func (j *job) setupRun() error {
	if j.Incident != "" {
		k := -1
		var names []string
		for i, in := range j.Scenario.Incidents {
			names = append(names, in.Name)
			if in.Name == j.Incident {
				k = i
			}
		}
		if k < 0 {
			return inputf("--incident %q: the scenario's catalogue has %s", j.Incident, joinOr(names, "no other incidents"))
		}
		j.sc = j.Scenario.WithIncident(k)
		j.options = map[string]string{"incident": j.Incident}
	}
	j.models = []*model.Model{model.Compile(j.sc)}
	j.variants = []string{"baseline"}
	return nil
}

// Run starts spec afresh: it claims the output directory, simulates every
// replication of the shard with checkpoints, and finishes.
func Run(ctx context.Context, spec Spec, obs Observer) (*Result, error) {
	j, err := newJob(spec, obs)
	if err != nil {
		return nil, err
	}
	if lo, hi := spec.Shard.Range(spec.Replications); lo == hi {
		return nil, inputf("--shard %s of %d replications holds no replication", spec.Shard, spec.Replications)
	}
	dir, err := results.Prepare(spec.Out, spec.Force, spec.ScenarioPath)
	if err != nil {
		return nil, inputErr(err)
	}
	man := &results.Manifest{
		Version: spec.Version, Command: string(spec.Kind), Seed: spec.Seed, Replications: spec.Replications,
		Shard: spec.Shard.String(), Workers: spec.Workers, Started: time.Now().UTC(), Options: j.options,
	}
	if _, err := dir.CopyInputs(man, spec.ScenarioPath); err != nil {
		dir.Discard()
		return nil, err
	}
	dir.Parquet = spec.Parquet
	lo, _ := spec.Shard.Range(spec.Replications)
	col, err := results.NewCollector(spec.Scenario.Name, j.variants, serviceNames(spec.Scenario), lo)
	if err != nil {
		dir.Discard()
		return nil, err
	}
	col.SpillTo(dir.Path())
	return j.execute(ctx, dir, man, col)
}

// ResumeSpec is an interrupted run to continue.
type ResumeSpec struct {
	Out          string
	ScenarioPath string // "" means the copy in the results directory
	Workers      int
	Plots        bool
	Parquet      bool // add replications.parquet (kept anyway if the run had it)
	Version      string
	// Load loads and validates a scenario (the command line's, which maps
	// its errors to exit codes); nil means model.Load.
	Load func(path string) (*model.Scenario, error)
}

// Resume continues the interrupted run whose output directory is rs.Out
// with its original settings, and finishes it: the result equals an
// uninterrupted run's, byte for byte (bar the manifest's times).
func Resume(ctx context.Context, rs ResumeSpec, obs Observer) (*Result, error) {
	res, err := results.OpenResume(rs.Out)
	if err != nil {
		return nil, inputErr(err)
	}
	ok := false
	defer func() {
		if !ok {
			res.Dir.Close()
		}
	}()
	old := res.Manifest
	path := rs.ScenarioPath
	if path == "" {
		path = filepath.Join(res.Dir.Path(), old.ScenarioFile)
	}
	load := rs.Load
	if load == nil {
		load = model.Load
	}
	sc, err := load(path)
	if err != nil {
		return nil, err
	}
	sh, err := sim.ParseShard(defaultShard(old.Shard))
	if err != nil {
		return nil, inputf("%s: manifest shard: %v", rs.Out, err)
	}
	spec := Spec{
		ScenarioPath: path, Scenario: sc, Seed: old.Seed, Replications: old.Replications, Workers: rs.Workers,
		Shard: sh, Out: rs.Out, Plots: rs.Plots, Parquet: old.Options["parquet"] == "true" || rs.Parquet,
		Version: rs.Version, Kind: Kind(old.Command), Incident: old.Options["incident"],
	}
	if spec.Kind == KindCompare {
		o := CompareOptionsFromManifest(old.Options)
		spec.Compare = &o
	}
	j, err := newJob(spec, obs)
	if err != nil {
		return nil, err
	}
	if old.Options["parquet"] == "true" {
		// Kept as the interrupted run recorded it, even if --parquet
		// was not given again.
		j.options["parquet"] = "true"
	} else if rs.Parquet {
		delete(j.options, "parquet")
	}
	sha, err := results.FileSHA256(path)
	if err != nil {
		return nil, err
	}
	man := &results.Manifest{
		Version: rs.Version, Command: old.Command, Seed: old.Seed, Replications: old.Replications,
		Shard: old.Shard, Workers: rs.Workers, ScenarioSHA256: sha, Options: j.options,
	}
	if err := res.Continue(man, spec.Parquet); err != nil {
		return nil, inputErr(err)
	}
	ok = true
	return j.execute(ctx, res.Dir, man, res.Collector)
}

func defaultShard(s string) string {
	if s == "" {
		return "0/1"
	}
	return s
}

// firstCheckpoint is when the first checkpoint is made, so that a kill -9
// early in a long run loses at most this much work; later ones follow
// every checkpointEvery, stretched so that checkpoints take at most a
// tenth of the time.
const (
	firstCheckpoint = time.Second
	checkpointEvery = 5 * time.Second
)

// execute runs the remaining replications of j into col, checkpointing,
// and finishes — or saves on interrupt.
func (j *job) execute(ctx context.Context, dir *results.Dir, man *results.Manifest, col *results.Collector) (*Result, error) {
	_, hi := j.Shard.Range(j.Replications)
	from := col.Next()
	if err := checkDisk(dir.Path(), hi-col.First(), len(j.variants), len(j.Scenario.Services)); err != nil {
		dir.Close()
		if col.Len() == 0 {
			dir.Discard()
		}
		return nil, err
	}
	col.Grow(hi - from)
	j.obs.Phase(PhaseSimulate, hi-from)
	var ckErr error
	every := firstCheckpoint
	done := 0
	cfg := sim.RunConfig{Seed: j.Seed, From: from, To: hi, Workers: j.Workers}
	res := model.Simulate(ctx, j.models, cfg, func(rep int, outs []results.Outcome) {
		col.Add(rep, outs)
		done++
		j.obs.Progress(done)
		if ckErr == nil && dir.SinceCheckpoint() >= every {
			t0 := time.Now()
			ckErr = dir.Checkpoint(man, col)
			every = max(checkpointEvery, 10*time.Since(t0))
		}
	})
	if ckErr != nil {
		dir.Close()
		return nil, fmt.Errorf("writing checkpoint: %w; %s", ckErr, lastCheckpoint(dir, j.Out))
	}
	if !res.Complete {
		j.obs.Saving(col.Len(), dir.SinceCheckpoint())
		defer dir.Close()
		if err := dir.Save(man, col, nil); err != nil {
			return nil, fmt.Errorf("saving partial results: %w; %s", err, lastCheckpoint(dir, j.Out))
		}
		return nil, &Interrupted{Phase: PhaseSimulate, Msg: fmt.Sprintf("interrupted after %d of %d replications; partial results (complete: false) in %s; continue with: dcsim %s --resume %s",
			col.Len(), hi-col.First(), dir.Path(), j.Kind, j.Out)}
	}
	// Every replication is in: make that durable before the phases that
	// follow, so a signal in them loses nothing.
	if dir.SinceCheckpoint() > 0 && from < hi {
		if err := dir.Checkpoint(man, col); err != nil {
			dir.Close()
			return nil, fmt.Errorf("writing checkpoint: %w; %s", err, lastCheckpoint(dir, j.Out))
		}
	}
	var bg sync.WaitGroup
	out, err := j.finish(ctx, dir, man, col, &bg)
	if err != nil {
		// Work abandoned on a signal may still be writing temporary
		// files into the staging directory: release its lock (for a
		// resume in this process) once that has stopped.
		go func() {
			bg.Wait()
			dir.Close()
		}()
	}
	return out, err
}

// interrupted is the error of a signal in a phase after the simulation:
// every replication is in the checkpoint.
func (j *job) interrupted(phase string, dir *results.Dir, reps int) error {
	return &Interrupted{Phase: phase, Msg: fmt.Sprintf("interrupted while %s; all %d replications are saved in %s (complete: false); finish with: dcsim %s --resume %s",
		phase, reps, dir.Path(), j.Kind, j.Out)}
}

// lastCheckpoint says what a failed write (a full disk, say) left behind:
// the last checkpoint, resumable once there is room, or nothing.
func lastCheckpoint(dir *results.Dir, out string) string {
	m, err := results.ReadManifest(filepath.Join(dir.Path(), results.ManifestFile))
	if err != nil {
		return "no checkpoint was written yet; nothing can be resumed"
	}
	return fmt.Sprintf("the last checkpoint (%d replications) in %s is intact: free some space and continue with: dcsim %s --resume %s",
		m.ReplicationsDone, dir.Path(), m.Command, out)
}

func serviceNames(sc *model.Scenario) []string {
	out := make([]string, len(sc.Services))
	for i, s := range sc.Services {
		out[i] = s.Name
	}
	return out
}

func joinOr(names []string, last string) string {
	s := ""
	for _, n := range append(names, last) {
		if s != "" {
			s += ", "
		}
		s += n
	}
	return s
}

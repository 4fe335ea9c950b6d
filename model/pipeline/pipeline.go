// Package pipeline runs dcsim's commands end to end as a library:
//
//	simulate → collect → checkpoint → summarise → write ∥ draw → report → commit
//
// Start runs a Job (a run, a comparison, or a command's own Job such as a
// sweep) afresh, Resume continues an interrupted one, Merge combines
// shards, and Redraw and WriteReport rebuild a directory's plots and
// report. Each is one call; the command line (cmd/dcsim) keeps flags,
// signals, exit codes and progress display, which it receives through an
// Observer.
//
// Every phase honours ctx: when it is cancelled the simulation stops
// within a second, the finished replications are saved (complete: false)
// and an *Interrupted error says how to resume. Before the phases that
// follow the simulation (a budget's extra simulation, writing, plots,
// report) every replication is checkpointed, so a signal there loses
// nothing and a resume only redoes that phase. A previous complete result
// in the output directory is replaced only at the very end, when the
// results, plots and report are all in place.
//
// The report is built from what the run holds in memory — its summary,
// the charts just drawn (their SVG is drawn once, for the file and the
// page), the trace of the typical replication — never by reading back
// what was just written.
package pipeline

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync/atomic"
	"time"

	"github.com/dcsim/dcsim/model"
	"github.com/dcsim/dcsim/model/results"
	"github.com/dcsim/dcsim/sim"
)

// Phases after the simulation, as passed to Observer.Phase: PhaseWrite
// (PhaseWriteData without plots, and for a shard), then PhaseReport when
// there are plots.
const (
	PhaseWrite     = "writing results and drawing plots"
	PhaseWriteData = "writing results"
	PhaseReport    = "writing the report"
)

// Observer receives progress. Progress is called from the goroutine that
// collects replications, the others from the caller's; all must return
// quickly.
type Observer interface {
	// Simulating starts the simulation of total replications. status
	// may be called from any goroutine: it returns the replications held
	// (including those of an interrupted run being resumed) and how long
	// ago the last checkpoint was made.
	Simulating(total int, status func() (held int, sinceCheckpoint time.Duration))
	// Progress reports one more replication simulated.
	Progress()
	// Phase says a phase after the simulation has started.
	Phase(name string)
}

// Quiet is an Observer that shows nothing.
type Quiet struct{}

func (Quiet) Simulating(int, func() (int, time.Duration)) {}
func (Quiet) Progress()                                   {}
func (Quiet) Phase(string)                                {}

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
type Interrupted struct{ Msg string }

func (e *Interrupted) Error() string { return e.Msg }

func interrupted(format string, args ...any) error {
	return &Interrupted{Msg: fmt.Sprintf(format, args...)}
}

// Job is what a command simulates and derives from the results. NewRun
// and NewCompare build dcsim's own; a command with its own kind (a sweep)
// fills Command, Options, Models, Variants and Derive itself.
type Job struct {
	Command      string          // "run", "compare", …: the manifest's command
	Scenario     *model.Scenario // as loaded from ScenarioPath
	ScenarioPath string
	Options      map[string]string // result-affecting options, kept in the manifest
	Models       []*model.Model    // one per Collector variant
	Variants     []string
	// Derive, if set, writes files derived from every replication into
	// the staging directory dir (a whole run only, not a shard) before
	// the report; plots says whether plots were asked for.
	Derive func(ctx context.Context, dir string, col *results.Collector, plots bool) error

	sc      *model.Scenario // the run's scenario, its incident applied
	compare *compareJob     // Command "compare"
}

// Settings are how a Job is run, from flags or from a resumed manifest.
type Settings struct {
	Seed         uint64
	Replications int // of the whole run, all shards
	Workers      int
	Shard        sim.Shard
	Out          string
	Force        bool // replace an earlier result that is not a dcsim one's
	Plots        bool // draw the plots (SVG) and report.html (a whole run only)
	PNG          bool // with Plots, also draw each plot as PNG
	Parquet      bool // also write replications.parquet
	Version      string
}

// Result is a finished run's results, in memory.
type Result struct {
	Dir        string // the committed results directory
	Manifest   *results.Manifest
	Summary    *results.Summary
	Collector  *results.Collector
	Comparison *model.Comparison // compare jobs only; without budget choice for a shard
}

// NewRun is a plain run of the scenario's incident, or of catalogue
// incident incident.
func NewRun(sc *model.Scenario, path, incident string) (*Job, error) {
	j := &Job{Command: "run", Scenario: sc, ScenarioPath: path, sc: sc}
	if incident != "" {
		k := -1
		var names []string
		for i, in := range sc.Incidents {
			names = append(names, in.Name)
			if in.Name == incident {
				k = i
			}
		}
		if k < 0 {
			return nil, inputf("--incident %q: the scenario's catalogue has %s", incident, joinOr(names, "no other incidents"))
		}
		j.sc = sc.WithIncident(k)
		j.Options = map[string]string{"incident": incident}
	}
	j.Models = []*model.Model{model.Compile(j.sc)}
	j.Variants = []string{"baseline"}
	return j, nil
}

// runScenario is the scenario whose course a run's report and timeline
// show.
func (j *Job) runScenario() *model.Scenario {
	if j.sc != nil {
		return j.sc
	}
	return scenarioFor(j.Scenario, j.Options["incident"])
}

// incidentColumn is the incident column of a plain run's rows: the
// catalogue incident chosen with --incident, else the name of the
// scenario's [incident], else "incident" (as the catalogue calls an
// unnamed [incident]). Compare's variants carry their incident in their
// names.
func (j *Job) incidentColumn() string {
	if j.Command != "run" && j.Command != "sweep" {
		return ""
	}
	if n := j.Options["incident"]; n != "" {
		return n
	}
	if n := j.Scenario.Incident.Name; n != "" {
		return n
	}
	return "incident"
}

func (j *Job) withParquet(on bool) {
	if !on {
		return
	}
	if j.Options == nil {
		j.Options = map[string]string{}
	}
	j.Options["parquet"] = "true"
}

// Start prepares the output directory and runs j from its first
// replication to the end.
func Start(ctx context.Context, j *Job, s Settings, obs Observer) (*Result, error) {
	if lo, hi := s.Shard.Range(s.Replications); lo == hi {
		return nil, inputf("--shard %s of %d replications holds none: use fewer shards than replications", s.Shard, s.Replications)
	}
	dir, err := results.Prepare(s.Out, s.Force, j.ScenarioPath)
	if err != nil {
		return nil, inputErr(err)
	}
	j.withParquet(s.Parquet)
	man := &results.Manifest{
		Version: s.Version, Command: j.Command, Seed: s.Seed, Replications: s.Replications,
		Shard: s.Shard.String(), Workers: s.Workers, Started: time.Now().UTC(), Options: j.Options,
		Currency: j.Scenario.Currency, Definitions: j.Scenario.Definitions(),
	}
	if _, err := dir.CopyInputs(man, j.ScenarioPath); err != nil {
		dir.Discard()
		return nil, err
	}
	dir.Parquet = s.Parquet
	lo, _ := s.Shard.Range(s.Replications)
	col, err := results.NewCollector(j.Scenario.Name, j.Variants, serviceNames(j.Scenario), lo)
	if err != nil {
		dir.Discard()
		return nil, err
	}
	col.SetIncident(j.incidentColumn())
	if err := col.SetGroups(j.Scenario.ResultGroups()); err != nil {
		dir.Discard()
		return nil, err
	}
	return execute(ctx, j, s, dir, man, col, obs)
}

// ResumeSettings are what a resume may change: the scenario file (the
// same content), the workers, plots, and adding Parquet.
type ResumeSettings struct {
	ScenarioPath string // "" means the copy in the results directory
	Workers      int
	Plots        bool
	PNG          bool // with Plots, also draw each plot as PNG
	Parquet      bool
	Version      string
	// Load loads and validates a scenario (the command line's, which maps
	// its errors to exit codes); nil means model.Load.
	Load func(path string) (*model.Scenario, error)
	// Job rebuilds the interrupted run's Job from its manifest; nil means
	// JobFromManifest, which knows run and compare.
	Job func(old *results.Manifest, sc *model.Scenario, path string) (*Job, error)
}

// JobFromManifest rebuilds a run's or a comparison's Job from the
// manifest of its results.
func JobFromManifest(old *results.Manifest, sc *model.Scenario, path string) (*Job, error) {
	switch old.Command {
	case "run":
		return NewRun(sc, path, old.Options["incident"])
	case "compare":
		return NewCompare(sc, path, CompareOptionsFromManifest(old.Options))
	}
	return nil, inputf("cannot resume a %q result", old.Command)
}

// Resume continues the interrupted run whose output directory is out with
// its original settings, and finishes it: the result equals an
// uninterrupted run's, byte for byte (bar the manifest's times).
func Resume(ctx context.Context, out string, rs ResumeSettings, obs Observer) (*Result, error) {
	res, err := results.OpenResume(out)
	if err != nil {
		return nil, inputErr(err)
	}
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
		return nil, inputf("%s: manifest shard: %v", out, err)
	}
	build := rs.Job
	if build == nil {
		build = JobFromManifest
	}
	j, err := build(old, sc, path)
	if err != nil {
		return nil, err
	}
	if old.Command == "sweep" {
		// Sweep's column is "incident" whatever its manifest says.
		j.Command = old.Command
	}
	// --parquet is kept from the interrupted run (or added now).
	parquet := old.Options["parquet"] == "true" || rs.Parquet
	j.withParquet(old.Options["parquet"] == "true")
	sha, err := results.FileSHA256(path)
	if err != nil {
		return nil, err
	}
	man := &results.Manifest{
		Version: rs.Version, Command: old.Command, Seed: old.Seed, Replications: old.Replications,
		Shard: old.Shard, Workers: rs.Workers, ScenarioSHA256: sha, Options: j.Options,
		Currency: sc.Currency, Definitions: sc.Definitions(),
	}
	if err := res.Continue(man, parquet); err != nil {
		return nil, inputErr(err)
	}
	s := Settings{Seed: old.Seed, Replications: old.Replications, Workers: rs.Workers, Shard: sh, Out: out,
		Plots: rs.Plots, PNG: rs.PNG, Parquet: parquet, Version: rs.Version}
	return execute(ctx, j, s, res.Dir, man, res.Collector, obs)
}

func defaultShard(s string) string {
	if s == "" {
		return "0/1"
	}
	return s
}

// execute runs the remaining replications of j into col, checkpointing,
// and finishes or saves partial results on interrupt.
func execute(ctx context.Context, j *Job, s Settings, dir *results.Dir, man *results.Manifest, col *results.Collector, obs Observer) (*Result, error) {
	if obs == nil {
		obs = Quiet{}
	}
	_, hi := s.Shard.Range(s.Replications)
	from := col.Next()
	col.SpillTo(dir.Path())
	if err := checkDisk(dir.Path(), hi-col.First(), len(j.Variants), len(j.Scenario.Services)); err != nil {
		dir.Discard()
		return nil, err
	}
	col.Grow(hi - from)
	var held, lastCkpt atomic.Int64
	held.Store(int64(col.Len()))
	lastCkpt.Store(time.Now().UnixNano())
	obs.Simulating(hi-from, func() (int, time.Duration) {
		return int(held.Load()), time.Since(time.Unix(0, lastCkpt.Load()))
	})
	var ckErr error
	// A checkpoint appends the rows since the last one, so checkpointing
	// often costs no more formatting in all, only fsyncs and a manifest
	// each time: every second, so that a kill -9 never loses more than
	// that and a signal's save has at most a second's rows to append, but
	// never spending more than a tenth of the time on fsyncs (a slow
	// disk). Spacing checkpoints by their whole cost instead let the
	// interval run away: more rows, a longer append, a longer interval.
	every := time.Second
	cfg := sim.RunConfig{Seed: s.Seed, From: from, To: hi, Workers: s.Workers}
	res := model.Simulate(ctx, j.Models, cfg, func(rep int, outs []results.Outcome) {
		col.Add(rep, outs)
		held.Store(int64(col.Len()))
		obs.Progress()
		if ckErr == nil && dir.SinceCheckpoint() >= every {
			ckErr = dir.Checkpoint(man, col)
			lastCkpt.Store(time.Now().UnixNano())
			every = max(time.Second, 10*dir.SyncCost())
		}
	})
	if ckErr != nil {
		dir.Close()
		return nil, fmt.Errorf("writing checkpoint: %w; the last checkpoint in %s is intact: make room and continue with: dcsim run --resume %s", ckErr, dir.Path(), s.Out)
	}
	if !res.Complete {
		// The lock is released once saved, for a resume in this process.
		defer dir.Close()
		// A signal is honoured within a second: the rows are always
		// saved, summary.json only if it is done by then.
		summarised, err := dir.SaveBy(man, col, time.Now().Add(saveBudget))
		if err != nil {
			return nil, fmt.Errorf("saving partial results: %w", err)
		}
		what := "partial results (complete: false)"
		if !summarised {
			what = "every finished replication (complete: false; no summary.json: sorting its columns would have outlasted the signal's second, and the resumed run writes it)"
		}
		return nil, interrupted("interrupted after %d of %d replications; %s in %s; continue with: dcsim run --resume %s",
			col.Len(), hi-col.First(), what, dir.Path(), s.Out)
	}
	return finish(ctx, j, s, dir, man, col, obs)
}

// saveBudget is how long saving partial results after a signal may take
// before it gives up on summary.json (the rows are saved regardless).
const saveBudget = 500 * time.Millisecond

// bytesPerNumber is what one kept number costs on disk: 8 bytes in the
// Collector's spill file and about 20 as text in the tables.
const bytesPerNumber = 28

// checkDisk refuses, before any work, a run whose results would not fit on
// the file system of dir. Memory needs no check: the Collector holds at
// most a chunk (results.SpillChunkBytes) of replications in memory and
// spills the rest next to the results.
func checkDisk(dir string, reps, variants, services int) error {
	need := bytesPerNumber * float64(reps) * float64(variants) * float64(services*len(results.ServiceMetrics)+len(results.OverallMetrics))
	avail, ok := DiskAvailable(dir)
	if !ok || need < 0.9*avail {
		return nil
	}
	return inputf("%d replications of %d variant(s) need about %.1f GB of disk for their results, more than the %.1f GB free under %s; run slices with --shard i/n on several machines and combine them with dcsim merge",
		reps, variants, need/1e9, avail/1e9, dir)
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

// IsInterrupted reports whether err is an *Interrupted.
func IsInterrupted(err error) bool {
	var ie *Interrupted
	return errors.As(err, &ie)
}

package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/urfave/cli/v2"

	"github.com/dcsim/dcsim/model"
	"github.com/dcsim/dcsim/model/pipeline"
	"github.com/dcsim/dcsim/model/results"
	"github.com/dcsim/dcsim/sim"
)

func runCommand() *cli.Command {
	return &cli.Command{
		Name:      "run",
		Usage:     "simulate a scenario's incident and summarise recovery per service",
		ArgsUsage: "SCENARIO.toml",
		Description: `Runs the scenario's replications and writes the results directory
(manifest.json, summary.json, the tables replications.csv and overall.csv,
the scenario copy, SVG plots — PNG copies too with --png — and report.html):
see results/README.md. Prints a table per service
on stdout, or with --json the manifest and summary as one JSON object.

While running, results go to OUT.partial; they replace OUT only when the run
finishes, so an earlier complete result is never lost. Ctrl-C stops within a
second, keeps the finished replications in OUT.partial (complete: false) and
exits 130; "dcsim run --resume OUT" continues and ends bit-identical to an
uninterrupted run.

Examples:
   dcsim run scenarios/kakao-2022.toml
   dcsim run scenarios/kakao-2022.toml -n 10000 --seed 42 --workers 2
   dcsim run scenarios/kakao-2022.toml --shard 0/4 --out results/k-0of4
   dcsim run --resume results/kakao-2022`,
		Flags: []cli.Flag{
			flagReplications(), flagSeed(), flagWorkers(), flagOut("results/<scenario name>, or results/<name>-shard-<i>-of-<n> with --shard"), flagForce(), flagQuiet(),
			flagJSON("the run's manifest and summary"),
			flagShard(),
			&cli.StringFlag{Name: "resume", Usage: "continue the interrupted run whose output directory is `DIR`"},
			flagParquet(),
			&cli.StringFlag{Name: "incident", Usage: "run catalogue incident `NAME` from [[incidents]]", DefaultText: "the scenario's [incident]"},
			flagNoPlots("plots or the report"), flagPNG(),
		},
		Action: runAction,
	}
}

// runSpec is what a run needs, from flags or from a resumed manifest.
type runSpec struct {
	scenarioPath string
	sc           *model.Scenario
	seed         uint64
	reps         int
	workers      int
	shard        sim.Shard
	out          string
	plots        bool // draw plots and the report (a whole run only)
	png          bool // with plots, also PNG copies
	parquet      bool // also write replications.parquet (kept across resumes)

	// job is a run's or a comparison's (pipeline.NewRun, NewCompare). A
	// command with its own kind (sweep) fills the fields below instead:
	// the manifest's command and options, one model per Collector
	// variant, and beforeFinish, which writes its files into the staging
	// directory once every replication is in.
	job          *pipeline.Job
	command      string
	options      map[string]string
	models       []*model.Model
	variants     []string
	beforeFinish func(dir string, col *results.Collector) error
	// show prints the stdout report; result is the finished run's.
	show   func(c *cli.Context, col *results.Collector) error
	result *pipeline.Result
}

// pipelineJob is spec's Job.
func (spec *runSpec) pipelineJob() *pipeline.Job {
	if spec.job != nil {
		return spec.job
	}
	j := &pipeline.Job{Command: spec.command, Scenario: spec.sc, ScenarioPath: spec.scenarioPath,
		Options: spec.options, Models: spec.models, Variants: spec.variants}
	if f := spec.beforeFinish; f != nil {
		j.Derive = func(_ context.Context, dir string, col *results.Collector, _ bool) error { return f(dir, col) }
	}
	spec.job = j
	return j
}

func (spec *runSpec) settings() pipeline.Settings {
	return pipeline.Settings{Seed: spec.seed, Replications: spec.reps, Workers: spec.workers, Shard: spec.shard,
		Out: spec.out, Plots: spec.plots, PNG: spec.png, Parquet: spec.parquet, Version: version()}
}

// setupRun makes spec a plain run of the scenario's incident, or of
// catalogue incident name.
func setupRun(spec *runSpec, incident string) error {
	j, err := pipeline.NewRun(spec.sc, spec.scenarioPath, incident)
	if err != nil {
		return exitOf(err)
	}
	spec.job, spec.command = j, j.Command
	spec.show = func(c *cli.Context, col *results.Collector) error {
		return results.WriteTable(c.App.Writer, spec.result.Summary, 0)
	}
	return nil
}

func runAction(c *cli.Context) error {
	if c.String("resume") != "" {
		return resumeAction(c)
	}
	if c.NArg() != 1 {
		return badInputf("run needs exactly one SCENARIO.toml argument (got %d); see dcsim run --help", c.NArg())
	}
	spec, err := specFromFlags(c, c.Args().First())
	if err != nil {
		return err
	}
	if err := setupRun(spec, c.String("incident")); err != nil {
		return err
	}
	return startFresh(c, spec)
}

// startFresh runs spec from its first replication into a fresh output
// directory.
func startFresh(c *cli.Context, spec *runSpec) error {
	j := spec.pipelineJob()
	s := spec.settings()
	s.Force = c.Bool("force")
	return runPipeline(c, spec, func(obs pipeline.Observer) (*pipeline.Result, error) {
		return pipeline.Start(c.Context, j, s, obs)
	})
}

func specFromFlags(c *cli.Context, path string) (*runSpec, error) {
	sc, err := loadScenario(path)
	if err != nil {
		return nil, err
	}
	s := &runSpec{scenarioPath: path, sc: sc, seed: sc.Seed, reps: sc.Replications, workers: runtime.GOMAXPROCS(0), plots: !c.Bool("no-plots"), png: c.Bool("png"), parquet: c.Bool("parquet")}
	if c.IsSet("seed") {
		s.seed = c.Uint64("seed")
	}
	if c.IsSet("replications") {
		s.reps = c.Int("replications")
		if s.reps < 1 {
			return nil, badInputf("--replications must be at least 1, got %d", s.reps)
		}
	}
	if c.IsSet("workers") {
		s.workers = c.Int("workers")
		if s.workers < 1 {
			return nil, badInputf("--workers must be at least 1, got %d", s.workers)
		}
	}
	s.shard = sim.Shard{Index: 0, Count: 1}
	if v := c.String("shard"); v != "" {
		if v == "auto" {
			var err error
			if v, err = shardFromEnv(os.Getenv); err != nil {
				return nil, badInputf("--shard auto: %v", err)
			}
		}
		sh, err := sim.ParseShard(v)
		if err != nil {
			return nil, badInputf("--shard: %v", err)
		}
		s.shard = sh
	}
	s.out = c.String("out")
	if c.IsSet("out") && strings.TrimSpace(s.out) == "" {
		return nil, badInputf("--out is empty: name the output directory, or leave --out out for the default")
	}
	if lo, hi := s.shard.Range(s.reps); lo == hi {
		return nil, badInputf("--shard %s of %d replications holds none: use fewer shards than replications", s.shard, s.reps)
	}
	if s.out == "" {
		s.out = filepath.Join("results", sc.Name)
		if s.shard.Count > 1 {
			s.out = filepath.Join("results", fmt.Sprintf("%s-shard-%d-of-%d", sc.Name, s.shard.Index, s.shard.Count))
		}
	}
	return s, nil
}

func resumeAction(c *cli.Context) error {
	out := c.String("resume")
	workers := runtime.GOMAXPROCS(0)
	if c.IsSet("workers") {
		workers = c.Int("workers")
		if workers < 1 {
			return badInputf("--workers must be at least 1, got %d", workers)
		}
	}
	spec := &runSpec{out: out, workers: workers, plots: !c.Bool("no-plots"), png: c.Bool("png")}
	rs := pipeline.ResumeSettings{
		ScenarioPath: c.Args().First(), Workers: workers, Plots: spec.plots, PNG: spec.png, Parquet: c.Bool("parquet"),
		Version: version(), Load: loadScenario,
		Job: func(old *results.Manifest, sc *model.Scenario, path string) (*pipeline.Job, error) {
			spec.sc, spec.scenarioPath, spec.seed, spec.reps = sc, path, old.Seed, old.Replications
			sh, err := sim.ParseShard(defaultShard(old.Shard))
			if err != nil {
				return nil, badInputf("%s: manifest shard: %v", out, err)
			}
			spec.shard = sh
			switch old.Command {
			case "run":
				err = setupRun(spec, old.Options["incident"])
			case "compare":
				err = setupCompare(spec, pipeline.CompareOptionsFromManifest(old.Options))
			case "sweep":
				err = setupSweep(spec, sweepOptionsFromManifest(old.Options))
			default:
				err = badInputf("%s: cannot resume a %q result", out, old.Command)
			}
			if err != nil {
				return nil, err
			}
			if err := resumeConflicts(c, old.Seed, old.Replications, defaultShard(old.Shard), out); err != nil {
				return nil, err
			}
			return spec.pipelineJob(), nil
		},
	}
	return runPipeline(c, spec, func(obs pipeline.Observer) (*pipeline.Result, error) {
		return pipeline.Resume(c.Context, out, rs, &resumeObserver{Observer: obs, c: c, spec: spec})
	})
}

// resumeObserver says where a resume starts.
type resumeObserver struct {
	pipeline.Observer
	c    *cli.Context
	spec *runSpec
}

func (o *resumeObserver) Simulating(total int, status func() (int, time.Duration)) {
	if !o.c.Bool("quiet") {
		held, _ := status()
		lo, _ := o.spec.shard.Range(o.spec.reps)
		fmt.Fprintf(o.c.App.ErrWriter, "dcsim: resuming %s at replication %d of %d\n", o.spec.out, lo+held, o.spec.reps)
	}
	o.Observer.Simulating(total, status)
}

func defaultShard(s string) string {
	if s == "" {
		return "0/1"
	}
	return s
}

func serviceNames(sc *model.Scenario) []string {
	out := make([]string, len(sc.Services))
	for i, s := range sc.Services {
		out[i] = s.Name
	}
	return out
}

// runPipeline runs start with a progress display and, once it is done,
// prints the results.
func runPipeline(c *cli.Context, spec *runSpec, start func(pipeline.Observer) (*pipeline.Result, error)) error {
	obs := &cliObserver{c: c, spec: spec, phases: newPhaseDisplay(c)}
	res, err := start(obs)
	obs.stop()
	if err != nil {
		return exitOf(err)
	}
	spec.result = res
	return printResults(c, spec, res.Collector, res.Dir)
}

// cliObserver shows the simulation's progress bar on a terminal, then
// the phases that follow it, and says, on the first Ctrl-C, what is being
// saved.
type cliObserver struct {
	c      *cli.Context
	spec   *runSpec
	bar    progress
	phases *phaseDisplay
}

func (o *cliObserver) Simulating(total int, status func() (int, time.Duration)) {
	o.bar = newProgress(o.c, total, o.spec.pipelineJob().Command+" "+o.spec.sc.Name)
	msg := func() string {
		held, since := status()
		return fmt.Sprintf("\nsaving %s replications… press Ctrl-C again to stop without saving the last %.0f s of work (the checkpoint before them is kept)",
			groupThousands(held), since.Seconds())
	}
	onFirstSignal.Store(&msg)
}

func (o *cliObserver) Progress() { o.bar.Add(1) }

func (o *cliObserver) Phase(name string) {
	if o.bar != nil {
		o.bar.Finish()
	}
	msg := func() string {
		return "\nstopping: every replication is saved (a resume redoes only what follows the simulation)… press Ctrl-C again to leave at once"
	}
	onFirstSignal.Store(&msg)
	o.phases.start(name)
	holdPhase(o.c.Context, name)
}

func (o *cliObserver) stop() {
	if o.bar != nil {
		o.bar.Finish()
	}
	o.phases.end()
	onFirstSignal.Store(nil)
}

// exitOf maps the pipeline's errors to exit codes: bad input exits 2, an
// interrupted run 130 or 143.
func exitOf(err error) error {
	var in *pipeline.Interrupted
	var ie *pipeline.InputError
	switch {
	case errors.As(err, &in):
		return interruptedError(in.Msg)
	case errors.As(err, &ie):
		return badInput(ie.Err)
	}
	return err
}

// progress is the subset of a progress bar execute uses.
type progress interface {
	Add(int) error
	Finish() error
}

type noProgress struct{}

func (noProgress) Add(int) error { return nil }
func (noProgress) Finish() error { return nil }

// newProgress returns a progress bar on stderr when it is a terminal and
// --quiet is not set, and a silent one otherwise.
func newProgress(c *cli.Context, total int, desc string) progress {
	if c.Bool("quiet") || !isTerminal(c.App.ErrWriter) || total <= 0 {
		return noProgress{}
	}
	return progressbar.NewOptions(total,
		progressbar.OptionSetWriter(c.App.ErrWriter),
		progressbar.OptionSetDescription(desc),
		progressbar.OptionShowCount(),
		progressbar.OptionShowIts(),
		progressbar.OptionSetItsString("rep"),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionClearOnFinish(),
		progressbar.OptionSetPredictTime(true),
	)
}

// shardFromEnv returns "i/n" from a batch scheduler's environment.
//
// Slurm job array: with DCSIM_SHARDS=n set (deploy/slurm/submit.sh sets it),
// the array task id is the shard index, 0 <= id < n, so any array — a
// range, a stepped range or a list such as --array=3,7 that reruns two
// failed shards — runs exactly the shards its ids name. Without
// DCSIM_SHARDS the task's position in the array is its index and the
// array's task count is n: for --array=1-16 or --array=0-30:2 (16 tasks)
// task 6 is shard 3/16. Slurm describes a list such as 1,5,9 only by its
// minimum, maximum and count (its step reads 1), so a position cannot be
// derived for it and the error says to set DCSIM_SHARDS.
//
// Kubernetes Indexed Job: JOB_COMPLETION_INDEX is the index, DCSIM_SHARDS
// the count (the Job's completions).
func shardFromEnv(getenv func(string) string) (string, error) {
	atoi := func(name string) (int, error) {
		v := getenv(name)
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil {
			return 0, fmt.Errorf("%s=%q is not a whole number", name, v)
		}
		return n, nil
	}
	shards := func(id int, idName string) (string, error) {
		n, err := atoi("DCSIM_SHARDS")
		if err != nil {
			return "", err
		}
		if n < 1 {
			return "", fmt.Errorf("DCSIM_SHARDS=%d: the shard count must be at least 1", n)
		}
		if id < 0 || id >= n {
			return "", fmt.Errorf("%s=%d is not a shard of DCSIM_SHARDS=%d: ids must lie in 0..%d", idName, id, n, n-1)
		}
		return fmt.Sprintf("%d/%d", id, n), nil
	}
	if getenv("SLURM_ARRAY_TASK_ID") != "" {
		id, err := atoi("SLURM_ARRAY_TASK_ID")
		if err != nil {
			return "", err
		}
		if getenv("DCSIM_SHARDS") != "" {
			return shards(id, "SLURM_ARRAY_TASK_ID")
		}
		return slurmArrayPosition(id, atoi, getenv)
	}
	if getenv("JOB_COMPLETION_INDEX") != "" {
		id, err := atoi("JOB_COMPLETION_INDEX")
		if err != nil {
			return "", err
		}
		if getenv("DCSIM_SHARDS") == "" {
			return "", fmt.Errorf("JOB_COMPLETION_INDEX is set; set DCSIM_SHARDS to the Job's completions")
		}
		return shards(id, "JOB_COMPLETION_INDEX")
	}
	return "", fmt.Errorf("no SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX in the environment")
}

// slurmArrayPosition maps array task id to "position/count" for a regular
// array min-max:step, from SLURM_ARRAY_TASK_MIN, _MAX, _STEP and _COUNT
// (step 1 and count (max-min)/step+1 when absent). It refuses an array
// whose count does not match its range and step: a list of ids.
func slurmArrayPosition(id int, atoi func(string) (int, error), getenv func(string) string) (string, error) {
	get := func(name string, def int) (int, bool, error) {
		if getenv(name) == "" {
			return def, false, nil
		}
		v, err := atoi(name)
		return v, true, err
	}
	lo, _, err := get("SLURM_ARRAY_TASK_MIN", 0)
	if err != nil {
		return "", err
	}
	hi, hasMax, err := get("SLURM_ARRAY_TASK_MAX", 0)
	if err != nil {
		return "", err
	}
	step, _, err := get("SLURM_ARRAY_TASK_STEP", 1)
	if err != nil {
		return "", err
	}
	n, hasCount, err := get("SLURM_ARRAY_TASK_COUNT", 0)
	if err != nil {
		return "", err
	}
	if step < 1 {
		return "", fmt.Errorf("SLURM_ARRAY_TASK_STEP=%d is not positive", step)
	}
	switch {
	case !hasCount && !hasMax:
		return "", fmt.Errorf("SLURM_ARRAY_TASK_ID is set but neither SLURM_ARRAY_TASK_COUNT nor SLURM_ARRAY_TASK_MAX; set DCSIM_SHARDS to the shard count and use ids 0..count-1")
	case !hasMax:
		hi = lo + (n-1)*step
	case !hasCount:
		n = (hi-lo)/step + 1
	}
	if hi < lo || (hi-lo)%step != 0 || (hi-lo)/step+1 != n || id < lo || id > hi || (id-lo)%step != 0 {
		return "", fmt.Errorf("the Slurm array (ids %d..%d, step %d, %d tasks) is a list, not a range: a task's shard cannot be told from its position; "+
			"set DCSIM_SHARDS to the shard count so that each task id is its shard index (deploy/slurm/submit.sh does)", lo, hi, step, n)
	}
	return fmt.Sprintf("%d/%d", (id-lo)/step, n), nil
}

// groupThousands writes n with thousands separators: 123,456.
func groupThousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

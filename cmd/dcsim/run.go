package main

import (
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/urfave/cli/v2"
	"golang.org/x/term"

	"github.com/dcsim/dcsim/model/pipeline"
	"github.com/dcsim/dcsim/model/results"
	"github.com/dcsim/dcsim/sim"
)

var (
	flagReplications = &cli.IntFlag{Name: "replications", Aliases: []string{"n"}, Usage: "Monte Carlo replications (default: the scenario's `replications`)"}
	flagSeed         = &cli.Uint64Flag{Name: "seed", Usage: "random seed; with the scenario it fixes every number (default: the scenario's `seed`)"}
	flagWorkers      = &cli.IntFlag{Name: "workers", Aliases: []string{"w"}, Usage: "worker goroutines; results are identical for any value (default: all cores)"}
	flagOut          = &cli.StringFlag{Name: "out", Aliases: []string{"o"}, Usage: "results directory (default: results/<scenario name>)"}
	flagForce        = &cli.BoolFlag{Name: "force", Usage: "discard an interrupted run in OUT.partial instead of refusing (never replaces a directory holding files dcsim did not write)"}
	flagQuiet        = &cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "no progress bar and no table"}
)

func runCommand() *cli.Command {
	return &cli.Command{
		Name:      "run",
		Usage:     "simulate a scenario's incident and summarise recovery per service",
		ArgsUsage: "SCENARIO.toml",
		Description: `Runs the scenario's replications and writes the results directory
(manifest.json, summary.json, replications.csv, the scenario copy, plots):
see results/README.md. Prints a table per service on stdout.

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
			flagReplications, flagSeed, flagWorkers, flagOut, flagForce, flagQuiet,
			&cli.StringFlag{Name: "shard", Usage: "run only slice `i/n` of the replications (combine with dcsim merge); \"auto\" reads a Slurm array or Kubernetes Indexed Job environment"},
			&cli.StringFlag{Name: "resume", Usage: "continue the interrupted run whose output directory is `DIR`"},
			&cli.BoolFlag{Name: "parquet", Usage: "also write replications.parquet"},
			&cli.StringFlag{Name: "incident", Usage: "run catalogue incident `NAME` from [[incidents]] instead of [incident]"},
			&cli.BoolFlag{Name: "no-plots", Usage: "do not draw plots"},
		},
		Action: runAction,
	}
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
	spec.Kind, spec.Incident = pipeline.KindRun, c.String("incident")
	return runPipeline(c, spec)
}

// runPipeline runs spec and prints its table.
func runPipeline(c *cli.Context, spec pipeline.Spec) error {
	obs := newObserver(c, string(spec.Kind)+" "+spec.Scenario.Name)
	res, err := pipeline.Run(c.Context, spec, obs)
	obs.done()
	if err != nil {
		return cliError(err)
	}
	return show(c, res)
}

// show prints a finished result's table on stdout.
func show(c *cli.Context, res *pipeline.Result) error {
	if c.Bool("quiet") {
		return nil
	}
	if res.Comparison != nil {
		if err := writeCompareTable(c.App.Writer, res.Comparison); err != nil {
			return err
		}
	} else if err := results.WriteTable(c.App.Writer, res.Summary, 0); err != nil {
		return err
	}
	fmt.Fprintf(c.App.Writer, "\nresults in %s\n", res.Dir)
	return nil
}

// cliError maps the pipeline's errors to exit codes.
func cliError(err error) error {
	var ie *pipeline.InputError
	var in *pipeline.Interrupted
	switch {
	case errors.As(err, &in):
		return interruptedError(in.Msg)
	case errors.As(err, &ie):
		return badInput(ie.Err)
	}
	return err
}

func specFromFlags(c *cli.Context, path string) (pipeline.Spec, error) {
	sc, err := loadScenario(path)
	if err != nil {
		return pipeline.Spec{}, err
	}
	s := pipeline.Spec{ScenarioPath: path, Scenario: sc, Seed: sc.Seed, Replications: sc.Replications, Workers: runtime.GOMAXPROCS(0),
		Plots: !c.Bool("no-plots"), Parquet: c.Bool("parquet"), Force: c.Bool("force"), Version: version()}
	if c.IsSet("seed") {
		s.Seed = c.Uint64("seed")
	}
	if c.IsSet("replications") {
		s.Replications = c.Int("replications")
		if s.Replications < 1 {
			return s, badInputf("--replications must be at least 1, got %d", s.Replications)
		}
	}
	if c.IsSet("workers") {
		s.Workers = c.Int("workers")
		if s.Workers < 1 {
			return s, badInputf("--workers must be at least 1, got %d", s.Workers)
		}
	}
	s.Shard = sim.Shard{Index: 0, Count: 1}
	if v := c.String("shard"); v != "" {
		if v == "auto" {
			var err error
			if v, err = shardFromEnv(os.Getenv); err != nil {
				return s, badInputf("--shard auto: %v", err)
			}
		}
		sh, err := sim.ParseShard(v)
		if err != nil {
			return s, badInputf("--shard: %v", err)
		}
		s.Shard = sh
	}
	s.Out = c.String("out")
	if c.IsSet("out") && strings.TrimSpace(s.Out) == "" {
		return s, badInputf("--out is empty: name a results directory (without --out, results go to results/<scenario name>)")
	}
	if lo, hi := s.Shard.Range(s.Replications); lo == hi {
		return s, badInputf("--shard %s of %d replications holds no replication: with %d replications use at most %d shards, or run more replications", s.Shard, s.Replications, s.Replications, s.Replications)
	}
	if s.Out == "" {
		s.Out = filepath.Join("results", sc.Name)
		if s.Shard.Count > 1 {
			s.Out = filepath.Join("results", fmt.Sprintf("%s-shard-%d-of-%d", sc.Name, s.Shard.Index, s.Shard.Count))
		}
	}
	return s, nil
}

func resumeAction(c *cli.Context) error {
	for _, f := range []string{"seed", "replications", "shard", "out"} {
		if c.IsSet(f) {
			return badInputf("--%s cannot be changed when resuming: the run keeps the settings it started with", f)
		}
	}
	rs := pipeline.ResumeSpec{Out: c.String("resume"), ScenarioPath: c.Args().First(), Workers: runtime.GOMAXPROCS(0),
		Plots: !c.Bool("no-plots"), Parquet: c.Bool("parquet"), Version: version(), Load: loadScenario}
	if c.IsSet("workers") {
		rs.Workers = c.Int("workers")
		if rs.Workers < 1 {
			return badInputf("--workers must be at least 1, got %d", rs.Workers)
		}
	}
	obs := newObserver(c, "resume "+rs.Out)
	obs.resuming = rs.Out
	res, err := pipeline.Resume(c.Context, rs, obs)
	obs.done()
	if err != nil {
		return cliError(err)
	}
	return show(c, res)
}

// observer shows the pipeline's progress on stderr: a progress bar per
// phase when stderr is a terminal and --quiet is not set, and always the
// answer to a first Ctrl-C.
type observer struct {
	w        io.Writer
	tty      bool
	desc     string
	resuming string // the directory being resumed, for the first message
	bar      *progressbar.ProgressBar
}

func newObserver(c *cli.Context, desc string) *observer {
	o := &observer{w: c.App.ErrWriter, desc: desc}
	if f, ok := c.App.ErrWriter.(*os.File); ok && !c.Bool("quiet") && term.IsTerminal(int(f.Fd())) {
		o.tty = true
	}
	if c.Bool("quiet") {
		o.w = io.Discard
	}
	return o
}

func (o *observer) Phase(name string, total int) {
	o.done()
	if o.resuming != "" && name == pipeline.PhaseSimulate {
		fmt.Fprintf(o.w, "dcsim: resuming %s: %d replications to go\n", o.resuming, total)
		o.resuming = ""
	}
	if !o.tty {
		return
	}
	desc := name
	if name == pipeline.PhaseSimulate {
		desc = o.desc
	}
	if total <= 0 {
		fmt.Fprintf(o.w, "dcsim: %s…\n", name)
		return
	}
	o.bar = progressbar.NewOptions(total,
		progressbar.OptionSetWriter(o.w),
		progressbar.OptionSetDescription(desc),
		progressbar.OptionShowCount(),
		progressbar.OptionShowIts(),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionClearOnFinish(),
		progressbar.OptionSetPredictTime(true),
	)
}

func (o *observer) Progress(done int) {
	if o.bar != nil {
		o.bar.Set(done)
	}
}

// Saving answers a first Ctrl-C: what is being saved, and what a second
// one costs.
func (o *observer) Saving(reps int, since time.Duration) {
	o.done()
	fmt.Fprintf(o.w, "dcsim: saving %s replications… press Ctrl-C again to stop without saving the last %.0f s of work (the last checkpoint is kept)\n",
		groupDigits(reps), math.Ceil(since.Seconds()))
}

func (o *observer) done() {
	if o.bar != nil {
		o.bar.Finish()
		o.bar = nil
	}
}

// groupDigits writes n with thousands separators: 123,456.
func groupDigits(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// shardFromEnv returns "i/n" from a batch scheduler's environment: a Slurm
// job array (SLURM_ARRAY_TASK_ID, and SLURM_ARRAY_TASK_COUNT or
// SLURM_ARRAY_TASK_MIN/MAX) or a Kubernetes Indexed Job
// (JOB_COMPLETION_INDEX, with the shard count in DCSIM_SHARDS).
func shardFromEnv(getenv func(string) string) (string, error) {
	atoi := func(name string) (int, error) {
		v := getenv(name)
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil {
			return 0, fmt.Errorf("%s=%q is not a whole number", name, v)
		}
		return n, nil
	}
	if getenv("SLURM_ARRAY_TASK_ID") != "" {
		id, err := atoi("SLURM_ARRAY_TASK_ID")
		if err != nil {
			return "", err
		}
		lo := 0
		if getenv("SLURM_ARRAY_TASK_MIN") != "" {
			if lo, err = atoi("SLURM_ARRAY_TASK_MIN"); err != nil {
				return "", err
			}
		}
		var n int
		switch {
		case getenv("SLURM_ARRAY_TASK_COUNT") != "":
			n, err = atoi("SLURM_ARRAY_TASK_COUNT")
		case getenv("SLURM_ARRAY_TASK_MAX") != "":
			var hi int
			hi, err = atoi("SLURM_ARRAY_TASK_MAX")
			n = hi - lo + 1
		default:
			err = fmt.Errorf("SLURM_ARRAY_TASK_ID is set but neither SLURM_ARRAY_TASK_COUNT nor SLURM_ARRAY_TASK_MAX")
		}
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("%d/%d", id-lo, n), nil
	}
	if getenv("JOB_COMPLETION_INDEX") != "" {
		id, err := atoi("JOB_COMPLETION_INDEX")
		if err != nil {
			return "", err
		}
		if getenv("DCSIM_SHARDS") == "" {
			return "", fmt.Errorf("JOB_COMPLETION_INDEX is set; set DCSIM_SHARDS to the Job's completions")
		}
		n, err := atoi("DCSIM_SHARDS")
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("%d/%d", id, n), nil
	}
	return "", fmt.Errorf("no SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX in the environment")
}

package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/urfave/cli/v2"
	"golang.org/x/term"

	"github.com/dcsim/dcsim/model"
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

// runSpec is what a run needs, from flags or from a resumed manifest.
type runSpec struct {
	scenarioPath string
	sc           *model.Scenario
	seed         uint64
	reps         int
	workers      int
	shard        sim.Shard
	out          string

	command  string            // "run" or "compare"
	options  map[string]string // result-affecting options, kept in the manifest
	models   []*model.Model    // one per Collector variant
	variants []string
	// beforeFinish writes extra files into the staging directory once
	// every replication is in; show prints the stdout report.
	beforeFinish func(dir string, col *results.Collector) error
	show         func(c *cli.Context, col *results.Collector) error
	plots        bool // draw plots in beforeFinish
	parquet      bool // also write replications.parquet (kept across resumes)
	ctx          context.Context
}

// setupRun fills spec's models for a plain run of the scenario's incident,
// or of catalogue incident name.
func setupRun(spec *runSpec, incident string) error {
	spec.command = "run"
	sc := spec.sc
	if incident != "" {
		k := -1
		for i, in := range sc.Incidents {
			if in.Name == incident {
				k = i
			}
		}
		if k < 0 {
			var names []string
			for _, in := range sc.Incidents {
				names = append(names, in.Name)
			}
			return badInputf("--incident %q: the scenario's catalogue has %s", incident, strings.Join(append(names, "no other incidents"), ", "))
		}
		sc = sc.WithIncident(k)
		spec.options = map[string]string{"incident": incident}
	}
	spec.models = []*model.Model{model.Compile(sc)}
	spec.variants = []string{"baseline"}
	spec.show = func(c *cli.Context, col *results.Collector) error {
		return results.WriteTable(c.App.Writer, col.Summary(), 0)
	}
	spec.beforeFinish = func(dir string, col *results.Collector) error {
		if !spec.plots {
			return nil
		}
		return drawRunPlots(dir, sc, spec.seed, col)
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

// startFresh prepares the output directory and runs spec from its first
// replication.
func startFresh(c *cli.Context, spec *runSpec) error {
	dir, err := results.Prepare(spec.out, c.Bool("force"), spec.scenarioPath)
	if err != nil {
		return badInput(err)
	}
	if spec.parquet {
		if spec.options == nil {
			spec.options = map[string]string{}
		}
		spec.options["parquet"] = "true"
	}
	man := &results.Manifest{
		Version: version(), Command: spec.command, Seed: spec.seed, Replications: spec.reps,
		Shard: spec.shard.String(), Workers: spec.workers, Started: time.Now().UTC(), Options: spec.options,
	}
	if _, err := dir.CopyInputs(man, spec.scenarioPath); err != nil {
		dir.Discard()
		return err
	}
	dir.Parquet = spec.parquet
	lo, _ := spec.shard.Range(spec.reps)
	col, err := results.NewCollector(spec.sc.Name, spec.variants, serviceNames(spec.sc), lo)
	if err != nil {
		dir.Discard()
		return err
	}
	return execute(c, spec, dir, man, col)
}

func specFromFlags(c *cli.Context, path string) (*runSpec, error) {
	sc, err := loadScenario(path)
	if err != nil {
		return nil, err
	}
	s := &runSpec{scenarioPath: path, sc: sc, seed: sc.Seed, reps: sc.Replications, workers: runtime.GOMAXPROCS(0), plots: !c.Bool("no-plots"), parquet: c.Bool("parquet")}
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
		return nil, badInputf("--out is empty: name a results directory (without --out, results go to results/<scenario name>)")
	}
	if lo, hi := s.shard.Range(s.reps); lo == hi {
		return nil, badInputf("--shard %s of %d replications holds no replication: with %d replications use at most %d shards, or run more replications", s.shard, s.reps, s.reps, s.reps)
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
	res, err := results.OpenResume(out)
	if err != nil {
		return badInput(err)
	}
	old := res.Manifest
	path := c.Args().First()
	if path == "" {
		path = filepath.Join(res.Dir.Path(), old.ScenarioFile)
	}
	sc, err := loadScenario(path)
	if err != nil {
		return err
	}
	sh, err := sim.ParseShard(defaultShard(old.Shard))
	if err != nil {
		return badInputf("%s: manifest shard: %v", out, err)
	}
	spec := &runSpec{scenarioPath: path, sc: sc, seed: old.Seed, reps: old.Replications, workers: runtime.GOMAXPROCS(0), shard: sh, out: out, plots: !c.Bool("no-plots")}
	if c.IsSet("workers") {
		spec.workers = c.Int("workers")
		if spec.workers < 1 {
			return badInputf("--workers must be at least 1, got %d", spec.workers)
		}
	}
	switch old.Command {
	case "run":
		err = setupRun(spec, old.Options["incident"])
	case "compare":
		err = setupCompare(spec, compareOptionsFromManifest(old.Options))
	default:
		err = badInputf("%s: cannot resume a %q result", out, old.Command)
	}
	if err != nil {
		return err
	}
	for _, f := range []string{"seed", "replications", "shard", "out"} {
		if c.IsSet(f) {
			return badInputf("--%s cannot be changed when resuming: the run keeps the settings it started with", f)
		}
	}
	// --parquet is kept from the interrupted run (or added now).
	spec.parquet = old.Options["parquet"] == "true" || c.Bool("parquet")
	if old.Options["parquet"] == "true" {
		if spec.options == nil {
			spec.options = map[string]string{}
		}
		spec.options["parquet"] = "true"
	}
	sha, err := results.FileSHA256(path)
	if err != nil {
		return err
	}
	man := &results.Manifest{
		Version: version(), Command: old.Command, Seed: old.Seed, Replications: old.Replications,
		Shard: old.Shard, Workers: spec.workers, ScenarioSHA256: sha, Options: spec.options,
	}
	if err := res.Continue(man, spec.parquet); err != nil {
		return badInput(err)
	}
	if !c.Bool("quiet") {
		fmt.Fprintf(c.App.ErrWriter, "dcsim: resuming %s at replication %d of %d\n", out, res.Collector.Next(), spec.reps)
	}
	return execute(c, spec, res.Dir, man, res.Collector)
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

// execute runs the remaining replications of spec into col, checkpointing,
// and finishes or saves partial results on interrupt.
func execute(c *cli.Context, spec *runSpec, dir *results.Dir, man *results.Manifest, col *results.Collector) error {
	ctx := c.Context
	spec.ctx = ctx
	_, hi := spec.shard.Range(spec.reps)
	from := col.Next()
	if err := checkMemory(hi-col.First(), len(spec.variants), len(spec.sc.Services)); err != nil {
		dir.Discard()
		return err
	}
	col.Grow(hi - from)
	bar := newProgress(c, hi-from, spec.command+" "+spec.sc.Name)
	var ckErr error
	// Checkpoint every 5 s, but never spend more than a tenth of the time
	// rewriting files that grow with the run.
	every := 5 * time.Second
	cfg := sim.RunConfig{Seed: spec.seed, From: from, To: hi, Workers: spec.workers}
	res := model.Simulate(ctx, spec.models, cfg, func(rep int, outs []results.Outcome) {
		col.Add(rep, outs)
		bar.Add(1)
		if ckErr == nil {
			t0 := time.Now()
			ckErr = dir.CheckpointIfDue(man, col, every)
			if d := time.Since(t0); d > every/10 {
				every = 10 * d
			}
		}
	})
	bar.Finish()
	if ckErr != nil {
		return fmt.Errorf("writing checkpoint: %w; %s", ckErr, lastCheckpoint(dir, spec.out))
	}
	if !res.Complete {
		if err := dir.Save(man, col, nil); err != nil {
			return fmt.Errorf("saving partial results: %w; %s", err, lastCheckpoint(dir, spec.out))
		}
		return interruptedError(fmt.Sprintf("interrupted after %d of %d replications; partial results (complete: false) in %s; continue with: dcsim run --resume %s",
			col.Len(), hi-col.First(), dir.Path(), spec.out))
	}
	whole := spec.shard.Count <= 1
	if whole && spec.beforeFinish != nil {
		if err := spec.beforeFinish(dir.Path(), col); err != nil {
			return err
		}
	}
	if err := dir.Finish(man, col, nil); err != nil {
		return fmt.Errorf("%w; %s", err, lastCheckpoint(dir, spec.out))
	}
	if whole && spec.plots {
		// The report reads the committed files, so it shows exactly what
		// the directory holds.
		if _, err := writeReport(dir.Final()); err != nil {
			return fmt.Errorf("results are complete in %s, but the report failed: %w", dir.Final(), err)
		}
	}
	if !c.Bool("quiet") {
		if err := spec.show(c, col); err != nil {
			return err
		}
		fmt.Fprintf(c.App.Writer, "\nresults in %s\n", dir.Final())
	}
	return nil
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
	f, ok := c.App.ErrWriter.(*os.File)
	if !ok || c.Bool("quiet") || !term.IsTerminal(int(f.Fd())) || total <= 0 {
		return noProgress{}
	}
	return progressbar.NewOptions(total,
		progressbar.OptionSetWriter(f),
		progressbar.OptionSetDescription(desc),
		progressbar.OptionShowCount(),
		progressbar.OptionShowIts(),
		progressbar.OptionSetItsString("rep"),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionClearOnFinish(),
		progressbar.OptionSetPredictTime(true),
	)
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

// checkMemory refuses, before any work, a run whose kept per-replication
// values would not fit in the memory available: 8 bytes per metric per
// service per variant per replication, twice that while slices grow.
func checkMemory(reps, variants, services int) error {
	need := 2 * 8 * float64(reps) * float64(variants) * float64(services*len(results.ServiceMetrics)+len(results.OverallMetrics))
	avail, ok := memAvailable()
	if !ok || need < 0.8*avail {
		return nil
	}
	return badInputf("%d replications of %d variant(s) need about %.1f GB to keep their results, more than the %.1f GB available; run slices with --shard i/n and combine them with dcsim merge",
		reps, variants, need/1e9, avail/1e9)
}

// memAvailable reads MemAvailable from /proc/meminfo, in bytes.
func memAvailable() (float64, bool) {
	b, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return 0, false
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "MemAvailable:"); ok {
			f := strings.Fields(rest)
			if len(f) >= 1 {
				kb, err := strconv.ParseFloat(f[0], 64)
				if err == nil {
					return kb * 1024, true
				}
			}
		}
	}
	return 0, false
}

// lastCheckpoint says what a failed write (a full disk, say) left behind:
// the last checkpoint, resumable once there is room, or nothing.
func lastCheckpoint(dir *results.Dir, out string) string {
	m, err := results.ReadManifest(filepath.Join(dir.Path(), results.ManifestFile))
	if err != nil {
		return "no checkpoint was written yet; nothing can be resumed"
	}
	return fmt.Sprintf("the last checkpoint (%d replications) in %s is intact: free some space and continue with: dcsim run --resume %s",
		m.ReplicationsDone, dir.Path(), out)
}

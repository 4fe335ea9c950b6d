package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/urfave/cli/v2"
	"golang.org/x/term"

	"github.com/dcsim/dcsim/model"
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
the scenario copy, plots): see results/README.md. Prints a table per service
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
			flagNoPlots("plots or the report"),
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
		return drawRunPlots(spec.ctx, dir, sc, spec.seed, col)
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
		Currency: spec.sc.Currency, Definitions: spec.sc.Definitions(),
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
	col.SetIncident(incidentColumn(spec))
	if err := col.SetGroups(spec.sc.ResultGroups()); err != nil {
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
	case "sweep":
		err = setupSweep(spec, sweepOptionsFromManifest(old.Options))
	default:
		err = badInputf("%s: cannot resume a %q result", out, old.Command)
	}
	if err != nil {
		return err
	}
	if err := resumeConflicts(c, old.Seed, old.Replications, defaultShard(old.Shard), out); err != nil {
		return err
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
		Currency: sc.Currency,
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
	col.SpillTo(dir.Path())
	if err := checkDisk(dir.Path(), hi-col.First(), len(spec.variants), len(spec.sc.Services)); err != nil {
		dir.Discard()
		return err
	}
	col.Grow(hi - from)
	bar := newProgress(c, hi-from, spec.command+" "+spec.sc.Name)
	var ckErr error
	// The first checkpoint comes after about a second, so that a kill -9
	// never loses more than that; then every 5 s, but never spending more
	// than a tenth of the time appending rows.
	every := time.Second
	var done atomic.Int64
	msg := func() string {
		return fmt.Sprintf("\nsaving %s replications… press Ctrl-C again to stop without saving the last %.0f s of work (the checkpoint before them is kept)",
			groupThousands(int(done.Load())), dir.SinceCheckpoint().Seconds())
	}
	onFirstSignal.Store(&msg)
	defer onFirstSignal.Store(nil)
	cfg := sim.RunConfig{Seed: spec.seed, From: from, To: hi, Workers: spec.workers}
	res := model.Simulate(ctx, spec.models, cfg, func(rep int, outs []results.Outcome) {
		col.Add(rep, outs)
		done.Store(int64(col.Len()))
		bar.Add(1)
		if ckErr == nil {
			t0 := time.Now()
			due := dir.SinceCheckpoint() >= every
			ckErr = dir.CheckpointIfDue(man, col, every)
			if due {
				every = max(5*time.Second, 10*time.Since(t0))
			}
		}
	})
	bar.Finish()
	if ckErr != nil {
		return fmt.Errorf("writing checkpoint: %w; the last checkpoint in %s is intact: make room and continue with: dcsim run --resume %s", ckErr, dir.Path(), spec.out)
	}
	if !res.Complete {
		if err := dir.Save(man, col, nil); err != nil {
			return fmt.Errorf("saving partial results: %w", err)
		}
		return interruptedError(fmt.Sprintf("interrupted after %d of %d replications; partial results (complete: false) in %s; continue with: dcsim run --resume %s",
			col.Len(), hi-col.First(), dir.Path(), spec.out))
	}
	whole := spec.shard.Count <= 1
	if whole && spec.beforeFinish != nil {
		// What follows the simulation (a budget's extra simulation, the
		// comparison's files, plots) can take a while: checkpoint every
		// replication first, so a signal there loses none of them.
		if err := dir.Checkpoint(man, col); err != nil {
			return fmt.Errorf("writing checkpoint: %w; the last checkpoint in %s is intact: make room and continue with: dcsim run --resume %s", err, dir.Path(), spec.out)
		}
		if err := spec.beforeFinish(dir.Path(), col); err != nil {
			if ctx.Err() != nil {
				return interruptedError(fmt.Sprintf("interrupted after all %d replications were saved in %s (complete: false); continue with: dcsim run --resume %s (it redoes only what follows the simulation)",
					col.Len(), dir.Path(), spec.out))
			}
			return err
		}
	}
	if err := dir.Finish(man, col, nil); err != nil {
		return err
	}
	if ctx.Err() != nil && whole && spec.plots {
		return interruptedError(fmt.Sprintf("results are complete in %s; interrupted before report.html: write it with dcsim report %s", dir.Final(), dir.Final()))
	}
	if whole && spec.plots {
		// The report reads the committed files, so it shows exactly what
		// the directory holds.
		if _, err := writeReport(dir.Final()); err != nil {
			return fmt.Errorf("results are complete in %s, but the report failed: %w", dir.Final(), err)
		}
	}
	return printResults(c, spec, col, dir.Final())
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

// bytesPerNumber is what one kept number costs on disk: 8 bytes in the
// Collector's spill file and about 20 as text in the tables.
const bytesPerNumber = 28

// checkDisk refuses, before any work, a run whose results would not fit on
// the file system of dir. Memory needs no check: the Collector holds at
// most a chunk (results.SpillChunkBytes) of replications in memory and
// spills the rest next to the results.
func checkDisk(dir string, reps, variants, services int) error {
	need := bytesPerNumber * float64(reps) * float64(variants) * float64(services*len(results.ServiceMetrics)+len(results.OverallMetrics))
	avail, ok := diskAvailable(dir)
	if !ok || need < 0.9*avail {
		return nil
	}
	return badInputf("%d replications of %d variant(s) need about %.1f GB of disk for their results, more than the %.1f GB free under %s; run slices with --shard i/n on several machines and combine them with dcsim merge",
		reps, variants, need/1e9, avail/1e9, dir)
}

// groupThousands writes n with thousands separators: 123,456.
func groupThousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

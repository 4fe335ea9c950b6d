package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/urfave/cli/v2"

	"github.com/dcsim/dcsim/model"
	"github.com/dcsim/dcsim/model/results"
	"github.com/dcsim/dcsim/model/risk"
)

func riskCommand() *cli.Command {
	return &cli.Command{
		Name:      "risk",
		Usage:     "annual risk: year-loss table, exceedance curves and tail of the baseline and each investment",
		ArgsUsage: "SCENARIO.toml",
		Description: `Simulates years. In each year every incident of the catalogue ([[incidents]],
or [incident] with a frequency) arrives as a Poisson process at its frequency;
incidents that start within the scenario's horizon of each other run in one
replication and interact. The baseline and each option ([[investments]])
simulate the same sampled years with the same random numbers.

Rare incidents are sampled efficiently: conditional Monte Carlo (stratified
on the number of rare incidents) or importance sampling (inflated
frequencies with likelihood-ratio weights), chosen automatically (--method).
Years double from --years until every variant's AAL and --return-period-year
aggregate loss have a 95% CI half width within --precision of the estimate,
or --max-years is reached (then the output says which estimate fell short).

Writes risk.json (per variant: AAL, AEP and OEP at 2–1000-year return
periods, TVaR 99% and 99.6%, availability and downtime per service, each
incident's share of the AAL, all with 95% CIs), ylt.csv (the year-loss
table), the exceedance charts aep and oep and report.html. Ctrl-C keeps
every finished year (and every finished evaluation of the uncertainty
analysis), marked incomplete; --resume DIR continues.

Frequencies, costs and distribution parameters written as distributions
are uncertain inputs:
--tornado, --uncertainty N and --sobol N show what they do to the AAL,
the 100-year loss and each option's NPV, and how often each option is best.

Examples:
   dcsim risk scenarios/kakao-2022.toml
   dcsim risk scenarios/kakao-2022.toml --all --precision 0.1
   dcsim risk scenarios/kakao-2022.toml --options site-drills --years 20000 --method importance
   dcsim risk scenarios/kakao-2022.toml --all --tornado --uncertainty 32
   dcsim risk --resume results/kakao-2022-risk`,
		Flags: []cli.Flag{
			flagSeed(), flagWorkers(), flagForce(), flagQuiet(),
			flagOut("results/<scenario name>-risk"),
			&cli.StringFlag{Name: "options", Usage: "comma-separated investment `NAMES` to evaluate beside the baseline"},
			&cli.BoolFlag{Name: "all", Usage: "evaluate every investment in the scenario"},
			&cli.IntFlag{Name: "years", Usage: "simulated `YEARS` to start from", Value: 2000},
			&cli.IntFlag{Name: "max-years", Usage: "stop at `YEARS` even if the precision is not reached", Value: 1_000_000},
			&cli.Float64Flag{Name: "precision", Usage: "target 95% CI half width as a `FRACTION` of the AAL and of the return-period loss", Value: 0.1},
			&cli.Float64Flag{Name: "return-period", Usage: "return period in `YEARS` whose aggregate loss must reach --precision (0: AAL only)", Value: 100},
			&cli.StringFlag{Name: "method", Usage: "sampling `METHOD`: auto, naive, conditional or importance", Value: "auto"},
			&cli.BoolFlag{Name: "no-plots", Usage: "do not draw the exceedance, tornado and Sobol charts"},
			&cli.BoolFlag{Name: "tornado", Usage: "tornado of the baseline AAL and 100-year loss over the scenario's uncertain inputs (each at its P10 and P90)"},
			&cli.IntFlag{Name: "uncertainty", Usage: "two-level Monte Carlo over the scenario's uncertain inputs: `POINTS` of a Latin hypercube (0: off)"},
			&cli.IntFlag{Name: "inner-years", Usage: "simulated `YEARS` at each point of --uncertainty, the tornado and --sobol", Value: 2000},
			&cli.IntFlag{Name: "sobol", Usage: "Sobol indices of the baseline AAL, its 100-year loss and the lead option's NPV from a base sample of `N` points (N·(d+2) annual runs; 0: off)"},
			&cli.Float64Flag{Name: "npv-years", Usage: "horizon of the options' NPV in `YEARS` (--uncertainty, --tornado, --sobol)", Value: 10},
			&cli.Float64Flag{Name: "discount-rate", Usage: "yearly discount `RATE` of the options' NPV", Value: 0.05},
			&cli.StringFlag{Name: "resume", Usage: "continue the interrupted risk run whose output directory is `DIR` (its options and scenario copy are recorded there)"},
		},
		Action: riskAction,
	}
}

// riskResultOptions are the flags that fix a risk result; risk.json
// records them (run.options) and --resume takes them from there.
var riskResultOptions = []string{"options", "all", "seed", "years", "max-years", "precision", "return-period", "method",
	"tornado", "uncertainty", "inner-years", "sobol", "npv-years", "discount-rate", "no-plots"}

func riskAction(c *cli.Context) error {
	opts := map[string]string{}
	for _, name := range riskResultOptions {
		opts[name] = fmt.Sprint(c.Value(name))
	}
	if !c.IsSet("seed") {
		opts["seed"] = "" // the scenario's, set below
	}
	var (
		path, out string
		prior     []*risk.YLT
	)
	if dir := c.String("resume"); dir != "" {
		if c.NArg() != 0 {
			return badInputf("--resume %s continues the run recorded there; give no SCENARIO argument", dir)
		}
		f, tabs, err := readRiskResume(dir, c, opts)
		if err != nil {
			return err
		}
		path, out, prior, opts = filepath.Join(dir, f.Run.ScenarioFile), dir, tabs, f.Run.Options
	} else {
		if c.NArg() != 1 {
			return badInputf("risk needs exactly one SCENARIO.toml argument (got %d); see dcsim risk --help", c.NArg())
		}
		path = c.Args().First()
		out = c.String("out")
	}
	sc, err := loadScenario(path)
	if err != nil {
		return err
	}
	o, err := parseRiskOptions(opts)
	if err != nil {
		return err
	}
	var names []string
	switch {
	case o.all:
		names = investmentNames(sc)
	case o.options != "":
		for _, n := range strings.Split(o.options, ",") {
			if n = strings.TrimSpace(n); n != "" {
				names = append(names, n)
			}
		}
	}
	var portfolios [][]string
	for _, n := range names {
		if sc.InvestmentIndex(n) < 0 {
			return badInputf("no investment named %q in %s (it has: %s)", n, path, strings.Join(investmentNames(sc), ", "))
		}
		portfolios = append(portfolios, []string{n})
	}
	plan, err := model.NewPlan(sc, portfolios)
	if err != nil {
		return badInput(err)
	}
	seed := sc.Seed
	if o.seedSet {
		seed = o.seed
	}
	opts["seed"] = strconv.FormatUint(seed, 10)
	workers := c.Int("workers")
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	if prior == nil {
		if !c.IsSet("out") {
			out = filepath.Join("results", sc.Name+"-risk")
		}
		if out == "" {
			return badInputf("--out must name a directory")
		}
		if err := claimRiskDir(out, c.Bool("force"), path); err != nil {
			return err
		}
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	lock, err := results.LockDir(out)
	if err != nil {
		return badInputf("--out %v", err)
	}
	defer lock.Close()
	copyName := filepath.Base(path)
	if !strings.HasSuffix(copyName, ".toml") || slices.Contains([]string{"risk.json", "ylt.csv", "uncertainty.json", "report.html"}, copyName) {
		copyName = "scenario.toml" // never over a file the result holds
	}
	head := risk.File{Tool: "dcsim " + version(), Scenario: sc.Name, Seed: seed,
		Run: &risk.RunInfo{ScenarioFile: copyName, ScenarioSHA256: sha256Hex(sc.Source), Options: opts}}
	if prior == nil {
		if err := results.WriteFileAtomic(filepath.Join(out, copyName), sc.Source); err != nil {
			return err
		}
	}

	ann := model.NewAnnual(plan, workers)
	cfg := ann.Config(o.years, seed, o.method, workers)
	cfg.Prior = prior
	ctx := c.Context
	quiet := c.Bool("quiet")
	if !quiet {
		verb := "simulating"
		if prior != nil {
			verb = fmt.Sprintf("continuing from %d years: simulating", prior[0].Len())
		}
		fmt.Fprintf(c.App.ErrWriter, "%s years of %d incident types for %d variants until the AAL and %g-year loss are within ±%g%%…\n",
			verb, len(cfg.Incidents), len(cfg.Variants), o.period, 100*o.prec)
	}
	plots := !o.noPlots
	// save writes risk.json and ylt.csv; the final save also draws the
	// charts and report.html (a checkpoint leaves them out: it is for a
	// resume, not for reading).
	save := func(tabs []*risk.YLT, d *risk.Design, complete, final bool) error {
		h := head
		h.Complete = complete
		if err := risk.WriteFilesOf(out, h, d, cfg.Incidents, tabs, plots && final); err != nil {
			return err
		}
		if !plots || !final {
			return nil
		}
		return writeRiskReportFrom(out, tabs, nil, sc.Currency, head.Run.ScenarioSHA256)
	}
	checkpoint := func(tabs []*risk.YLT, d *risk.Design) error { return save(tabs, d, false, false) }
	tabs, d, runErr := risk.RunToPrecision(ctx, cfg, ann.Simulate, risk.Precision{RelHalfWidth: o.prec, ReturnPeriod: o.period, MaxYears: o.maxYears, Checkpoint: checkpoint})
	interrupted := runErr != nil && ctx.Err() != nil
	if runErr != nil && !interrupted && !errors.Is(runErr, risk.ErrImprecise) {
		return runErr
	}
	if len(tabs) == 0 || tabs[0].Len() < 2 {
		if interrupted {
			return interruptedError("interrupted before two years were simulated; nothing written")
		}
		return runErr
	}
	if err := save(tabs, d, !interrupted, true); err != nil {
		return err
	}
	if err := writeRiskTable(c.App.Writer, sc, d, tabs); err != nil {
		return err
	}
	fmt.Fprintln(c.App.Writer, "results in", out)
	switch {
	case interrupted:
		return interruptedError(fmt.Sprintf("interrupted: %d years saved in %s, marked incomplete; continue with dcsim risk --resume %s", tabs[0].Len(), out, out))
	case runErr != nil:
		fmt.Fprintln(c.App.ErrWriter, "warning:", runErr)
	}
	return riskUncertainty(c, o, ann, plan, seed, workers, out, tabs, prior != nil)
}

// riskOptions are the result-affecting options, parsed and checked.
type riskOptions struct {
	options               string
	all, tornado, noPlots bool
	seed                  uint64
	seedSet               bool
	years, maxYears       int
	prec, period          float64
	method                risk.Method
	outer, inner, sobol   int
	npvYears, discount    float64
}

// parseRiskOptions reads the options from their string form (the flags'
// values, or run.options of a resumed risk.json) and checks them.
func parseRiskOptions(m map[string]string) (riskOptions, error) {
	var o riskOptions
	var errs []string
	b := func(k string) bool { return m[k] == "true" }
	i := func(k string) int {
		x, err := strconv.Atoi(m[k])
		if err != nil {
			errs = append(errs, fmt.Sprintf("--%s: %q is not a whole number", k, m[k]))
		}
		return x
	}
	f := func(k string) float64 {
		x, err := strconv.ParseFloat(m[k], 64)
		if err != nil {
			errs = append(errs, fmt.Sprintf("--%s: %q is not a number", k, m[k]))
		}
		return x
	}
	o.options, o.all, o.tornado, o.noPlots = m["options"], b("all"), b("tornado"), b("no-plots")
	if s := m["seed"]; s != "" {
		x, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			errs = append(errs, fmt.Sprintf("--seed: %q is not a seed", s))
		}
		o.seed, o.seedSet = x, true
	}
	o.years, o.maxYears, o.prec, o.period = i("years"), i("max-years"), f("precision"), f("return-period")
	o.outer, o.inner, o.sobol, o.npvYears, o.discount = i("uncertainty"), i("inner-years"), i("sobol"), f("npv-years"), f("discount-rate")
	if len(errs) > 0 {
		return o, badInputf("%s", strings.Join(errs, "; "))
	}
	var err error
	if o.method, err = risk.ParseMethod(m["method"]); err != nil {
		return o, badInput(err)
	}
	switch {
	case o.years < 2:
		return o, badInputf("--years must be at least 2, got %d", o.years)
	case o.maxYears < o.years:
		return o, badInputf("--max-years (%d) must be at least --years (%d)", o.maxYears, o.years)
	case !(o.prec > 0) || o.prec >= 1:
		return o, badInputf("--precision must be a fraction in (0, 1), got %g", o.prec)
	case !(o.period >= 0) || o.period > 10000 || math.IsInf(o.period, 0):
		return o, badInputf("--return-period must be in [0, 10000] years, got %g", o.period)
	case o.inner < 2:
		return o, badInputf("--inner-years must be at least 2, got %d", o.inner)
	case o.outer == 1 || o.sobol == 1 || o.outer < 0 || o.sobol < 0:
		return o, badInputf("--uncertainty and --sobol need at least 2 points (or 0: off)")
	case !(o.npvYears > 0) || o.npvYears > 200:
		return o, badInputf("--npv-years must be in (0, 200], got %g", o.npvYears)
	case !(o.discount >= 0) || o.discount > 1:
		return o, badInputf("--discount-rate must be in [0, 1], got %g", o.discount)
	}
	return o, nil
}

// readRiskResume reads an interrupted risk result in dir for --resume:
// its risk.json (incomplete, with run.options), its scenario copy (the
// SHA-256 must match) and ylt.csv, the years to continue from. Options
// given with --resume must match the recorded ones.
func readRiskResume(dir string, c *cli.Context, given map[string]string) (*risk.File, []*risk.YLT, error) {
	fp, err := os.Open(filepath.Join(dir, "risk.json"))
	if err != nil {
		return nil, nil, badInputf("--resume %s: no risk result there (%v)", dir, err)
	}
	f, err := risk.ReadFile(fp)
	fp.Close()
	if err != nil {
		return nil, nil, badInputf("--resume %s: %v", dir, err)
	}
	if f.Run == nil || f.Run.ScenarioFile == "" || f.Run.Options == nil {
		return nil, nil, badInputf("--resume %s: risk.json does not record its run (written by an older dcsim); run it again", dir)
	}
	if f.Complete && !uncertaintyIncomplete(dir) {
		return nil, nil, badInputf("--resume %s: the run is complete; nothing to continue", dir)
	}
	if f.Tool != "dcsim "+version() {
		return nil, nil, badInputf("--resume %s: written by %s, this is dcsim %s; a resume must use the same version", dir, f.Tool, version())
	}
	var diffs []string
	for _, name := range riskResultOptions {
		if c.IsSet(name) && given[name] != f.Run.Options[name] {
			diffs = append(diffs, fmt.Sprintf("--%s %s (the run has %s)", name, given[name], f.Run.Options[name]))
		}
	}
	if len(diffs) > 0 {
		return nil, nil, badInputf("--resume %s: options differ from the interrupted run: %s", dir, strings.Join(diffs, ", "))
	}
	src, err := os.ReadFile(filepath.Join(dir, f.Run.ScenarioFile))
	if err != nil {
		return nil, nil, badInputf("--resume %s: scenario copy: %v", dir, err)
	}
	if h := sha256Hex(src); h != f.Run.ScenarioSHA256 {
		return nil, nil, badInputf("--resume %s: %s has SHA-256 %s, the run recorded %s", dir, f.Run.ScenarioFile, h, f.Run.ScenarioSHA256)
	}
	method, err := risk.ParseMethod(f.Method)
	if err != nil {
		return nil, nil, badInputf("--resume %s: %v", dir, err)
	}
	yf, err := os.Open(filepath.Join(dir, "ylt.csv"))
	if err != nil {
		return nil, nil, badInputf("--resume %s: %v", dir, err)
	}
	defer yf.Close()
	tabs, err := risk.ReadCSV(yf, filepath.Join(dir, "ylt.csv"), method)
	if err != nil {
		return nil, nil, badInputf("--resume %s: %v", dir, err)
	}
	// ylt.csv is written before risk.json, so it may hold more finished
	// years (a crash between the two), never fewer.
	if len(tabs) == 0 || tabs[0].Len() < f.Years {
		return nil, nil, badInputf("--resume %s: ylt.csv holds fewer than the %d years risk.json records", dir, f.Years)
	}
	return f, tabs, nil
}

// uncertaintyIncomplete reports whether dir holds an uncertainty analysis
// that started and did not finish (uncertainty.json with complete false).
func uncertaintyIncomplete(dir string) bool {
	b, err := os.ReadFile(filepath.Join(dir, "uncertainty.json"))
	if err != nil {
		return false
	}
	var u struct {
		Complete *bool `json:"complete"`
	}
	return json.Unmarshal(b, &u) == nil && u.Complete != nil && !*u.Complete
}

func sha256Hex(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// claimRiskDir refuses to write into an existing directory unless --force
// is given and the directory holds an earlier dcsim risk result (its
// risk.json), which is then replaced file by file; the optional files an
// earlier result may hold (uncertainty.json and its journal, the tornado, Sobol and NPV
// charts, report.html, its scenario copy) are removed first so none of
// them outlives it. dcsim never deletes what it did not write. An
// interrupted result is refused without --force: --resume continues it.
func claimRiskDir(dir string, force bool, scenario string) error {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return badInputf("--out %s: %v", dir, err)
	}
	if len(entries) == 0 {
		return nil
	}
	b, err := os.ReadFile(filepath.Join(dir, "risk.json"))
	if err != nil {
		if !force {
			return badInputf("%s already exists; use --force to replace an earlier dcsim risk result, or --out elsewhere", dir)
		}
		return badInputf("%s is not a dcsim risk result (no risk.json); --force replaces only those", dir)
	}
	old, err := risk.ReadFile(bytes.NewReader(b))
	if err != nil {
		return badInputf("%s: %v; --force replaces only dcsim risk results", dir, err)
	}
	if !force {
		if !old.Complete && old.Run != nil {
			return badInputf("%s holds an interrupted risk run (%d years): continue it with dcsim risk --resume %s, or replace it with --force", dir, old.Years, dir)
		}
		if old.Run != nil && uncertaintyIncomplete(dir) {
			return badInputf("%s holds an interrupted uncertainty analysis: continue it with dcsim risk --resume %s, or replace it with --force", dir, dir)
		}
		return badInputf("%s already exists; use --force to replace an earlier dcsim risk result, or --out elsewhere", dir)
	}
	if abs, err := filepath.Abs(scenario); err == nil {
		if d, err := filepath.Abs(dir); err == nil && filepath.Dir(abs) == d {
			return badInputf("%s holds the scenario file %s; --out elsewhere", dir, scenario)
		}
	}
	var stale []string
	for _, e := range entries {
		n := e.Name()
		ext := filepath.Ext(n)
		base := strings.TrimSuffix(n, ext)
		chart := (ext == ".png" || ext == ".svg") && (base == "npv_uncertainty" || base == "tornado" || strings.HasPrefix(base, "tornado-") || strings.HasPrefix(base, "sobol-"))
		if n == "uncertainty.json" || n == journalName || n == "report.html" || chart || (old.Run != nil && n == old.Run.ScenarioFile) {
			stale = append(stale, filepath.Join(dir, n))
		}
	}
	for _, p := range stale {
		if err := os.Remove(p); err != nil {
			return err
		}
	}
	return nil
}

// writeRiskReportFrom writes report.html from the committed risk.json of
// dir, the tables (for the curves) and uncertainty.json's content.
func writeRiskReportFrom(dir string, tabs []*risk.YLT, unc *uncertaintyFile, currency, sha string) error {
	fp, err := os.Open(filepath.Join(dir, "risk.json"))
	if err != nil {
		return err
	}
	defer fp.Close()
	f, err := risk.ReadFile(fp)
	if err != nil {
		return err
	}
	return writeRiskReport(riskReportInput{dir: dir, file: f, tabs: tabs, unc: unc, currency: currency, scenarioSHA: sha})
}

// writeRiskTable prints the headline numbers of each variant.
func writeRiskTable(w io.Writer, sc *model.Scenario, d *risk.Design, tabs []*risk.YLT) error {
	cur := sc.Currency
	fmt.Fprintf(w, "%s · %d years · sampling: %s · %s per year · 95%% CIs\n", sc.Name, tabs[0].Len(), d.Method, cur)
	tw := tabwriter.NewWriter(w, 2, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "variant\tAAL [95% CI]\t100-year loss [95% CI]\t250-year loss\tTVaR 99%\tlargest share of AAL")
	for _, t := range tabs {
		s := t.Summarize(0)
		aal := t.AAL()
		e100 := t.AEP([]float64{100, 250})
		tv := "n/a"
		for _, x := range s.TVaR {
			if x.Level == 0.99 {
				tv = num(x.Loss)
			}
		}
		top := ""
		if len(s.Incidents) > 0 {
			inc := append([]risk.IncidentShare(nil), s.Incidents...)
			sort.SliceStable(inc, func(i, j int) bool { return inc[i].Share > inc[j].Share })
			top = fmt.Sprintf("%s %.0f%%", inc[0].Name, 100*inc[0].Share)
		}
		fmt.Fprintf(tw, "%s\t%s [%s, %s]\t%s [%s, %s]\t%s\t%s\t%s\n", t.Variant,
			num(aal.Mean), num(aal.CI95[0]), num(aal.CI95[1]),
			num(e100[0].Loss), num(e100[0].CI95[0]), num(e100[0].CI95[1]), num(e100[1].Loss), tv, top)
	}
	return tw.Flush()
}

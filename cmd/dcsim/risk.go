package main

import (
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/urfave/cli/v2"

	"github.com/dcsim/dcsim/model"
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
table) and the exceedance charts aep and oep.

Examples:
   dcsim risk scenarios/kakao-2022.toml
   dcsim risk scenarios/kakao-2022.toml --all --precision 0.1
   dcsim risk scenarios/kakao-2022.toml --options site-drills --years 20000 --method importance`,
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
		},
		Action: riskAction,
	}
}

func riskAction(c *cli.Context) error {
	if c.NArg() != 1 {
		return badInputf("risk needs exactly one SCENARIO.toml argument (got %d); see dcsim risk --help", c.NArg())
	}
	path := c.Args().First()
	sc, err := loadScenario(path)
	if err != nil {
		return err
	}
	var names []string
	switch {
	case c.Bool("all"):
		names = investmentNames(sc)
	case c.String("options") != "":
		for _, n := range strings.Split(c.String("options"), ",") {
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
	method, err := risk.ParseMethod(c.String("method"))
	if err != nil {
		return badInput(err)
	}
	years, maxYears := c.Int("years"), c.Int("max-years")
	prec, period := c.Float64("precision"), c.Float64("return-period")
	switch {
	case years < 2:
		return badInputf("--years must be at least 2, got %d", years)
	case maxYears < years:
		return badInputf("--max-years (%d) must be at least --years (%d)", maxYears, years)
	case !(prec > 0) || prec >= 1:
		return badInputf("--precision must be a fraction in (0, 1), got %g", prec)
	case !(period >= 0) || period > 10000 || math.IsInf(period, 0):
		return badInputf("--return-period must be in [0, 10000] years, got %g", period)
	}
	plan, err := model.NewPlan(sc, portfolios)
	if err != nil {
		return badInput(err)
	}
	seed := sc.Seed
	if c.IsSet("seed") {
		seed = c.Uint64("seed")
	}
	workers := c.Int("workers")
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	out := c.String("out")
	if !c.IsSet("out") {
		out = filepath.Join("results", sc.Name+"-risk")
	}
	if out == "" {
		return badInputf("--out must name a directory")
	}
	if err := claimRiskDir(out, c.Bool("force")); err != nil {
		return err
	}

	ann := model.NewAnnual(plan, workers)
	cfg := ann.Config(years, seed, method, workers)
	ctx := c.Context
	if !c.Bool("quiet") {
		fmt.Fprintf(c.App.ErrWriter, "simulating years of %d incident types for %d variants until the AAL and %g-year loss are within ±%g%%…\n",
			len(cfg.Incidents), len(cfg.Variants), period, 100*prec)
	}
	tabs, d, runErr := risk.RunToPrecision(ctx, cfg, ann.Simulate, risk.Precision{RelHalfWidth: prec, ReturnPeriod: period, MaxYears: maxYears})
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
	complete := !interrupted
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	if err := risk.WriteFiles(out, "dcsim "+version(), sc.Name, seed, d, cfg.Incidents, tabs, complete, !c.Bool("no-plots")); err != nil {
		return err
	}
	if err := writeRiskTable(c.App.Writer, sc, d, tabs); err != nil {
		return err
	}
	fmt.Fprintln(c.App.Writer, "results in", out)
	switch {
	case interrupted:
		return interruptedError(fmt.Sprintf("interrupted: %d years saved in %s, marked incomplete", tabs[0].Len(), out))
	case runErr != nil:
		fmt.Fprintln(c.App.ErrWriter, "warning:", runErr)
	}
	return riskUncertainty(c, ann, plan, seed, method, workers, out)
}

// claimRiskDir refuses to write into an existing directory unless --force
// is given and the directory holds an earlier dcsim risk result (its
// risk.json), which is then replaced file by file; dcsim never deletes
// what it did not write.
func claimRiskDir(dir string, force bool) error {
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
	if !force {
		return badInputf("%s already exists; use --force to replace an earlier dcsim risk result, or --out elsewhere", dir)
	}
	if _, err := os.Stat(filepath.Join(dir, "risk.json")); err != nil {
		return badInputf("%s is not a dcsim risk result (no risk.json); --force replaces only those", dir)
	}
	return nil
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

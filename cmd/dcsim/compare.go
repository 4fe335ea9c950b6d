package main

import (
	"fmt"
	"io"
	"math"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/urfave/cli/v2"

	"github.com/dcsim/dcsim/model"
	"github.com/dcsim/dcsim/model/pipeline"
	"github.com/dcsim/dcsim/model/results"
)

func compareCommand() *cli.Command {
	return &cli.Command{
		Name:      "compare",
		Usage:     "compare investment options by cost against risk (annualised loss expectancy)",
		ArgsUsage: "SCENARIO.toml",
		Description: `Simulates the baseline and each investment option ([[investments]] in the
scenario) under every incident of the catalogue ([[incidents]], or [incident]
with a frequency), with common random numbers: replication k of every option
draws the same random numbers, so differences are measured with narrow
confidence intervals.

For each option: capex, opex/yr, annualised cost, ALE = Σ frequency × E[loss]
with its 95% CI, the ALE reduction against the baseline (paired, 95% CI), NPV
over --years at --discount-rate, payback years, risk reduction per unit of
annualised cost, P50/P90 recovery per service in the scenario's [incident],
and whether it lies on the cost–ALE Pareto frontier.

--budget X picks the portfolio with the lowest ALE + annualised cost whose
capex fits X: exact search up to 20 options, greedy+swap beyond; portfolios
not simulated (without --combinations) are estimated assuming options act
independently, and the chosen one is then simulated.

Writes compare.json, compare.csv, summary.json, the tables (replications.csv, overall.csv) and plots.

Examples:
   dcsim compare scenarios/kakao-2022.toml --all
   dcsim compare scenarios/kakao-2022.toml --options control-plane-2nd-site,site-drills --combinations
   dcsim compare scenarios/kakao-2022.toml --all --budget 50e9 --years 10 --discount-rate 0.07`,
		Flags: []cli.Flag{
			flagReplications(), flagSeed(), flagWorkers(), flagOut("results/<scenario name>-compare, or …-compare-shard-<i>-of-<n> with --shard"), flagForce(), flagQuiet(),
			flagJSON("the manifest, summary and compare.json"),
			&cli.StringFlag{Name: "options", Usage: "comma-separated investment `NAMES` to compare, each on its own"},
			&cli.BoolFlag{Name: "all", Usage: "compare every investment in the scenario"},
			&cli.BoolFlag{Name: "combinations", Usage: fmt.Sprintf("also simulate every portfolio (combination) of the options (at most %d)", pipeline.MaxPortfolios)},
			&cli.Float64Flag{Name: "budget", Usage: "choose the best portfolio whose capex fits `X` (scenario currency)", Value: -1, DefaultText: "no budget choice"},
			&cli.Float64Flag{Name: "years", Usage: "horizon of NPV in `YEARS`", Value: 10},
			&cli.Float64Flag{Name: "discount-rate", Usage: "yearly discount `RATE` for NPV and annualised capex", Value: 0.05},
			flagParquet(),
			flagNoPlots("plots or the report"), flagPNG(),
			flagShard(),
			&cli.StringFlag{Name: "resume", Usage: "continue the interrupted comparison whose output directory is `DIR`"},
		},
		Action: compareAction,
	}
}

func compareAction(c *cli.Context) error {
	if c.String("resume") != "" {
		return resumeAction(c)
	}
	if c.NArg() != 1 {
		return badInputf("compare needs exactly one SCENARIO.toml argument (got %d); see dcsim compare --help", c.NArg())
	}
	spec, err := specFromFlags(c, c.Args().First())
	if err != nil {
		return err
	}
	if !c.IsSet("out") {
		spec.out = filepath.Join("results", spec.sc.Name+"-compare")
		if spec.shard.Count > 1 {
			spec.out = filepath.Join("results", fmt.Sprintf("%s-compare-shard-%d-of-%d", spec.sc.Name, spec.shard.Index, spec.shard.Count))
		}
	}
	o := pipeline.CompareOptions{Combinations: c.Bool("combinations"), Budget: c.Float64("budget"), Years: c.Float64("years"), Discount: c.Float64("discount-rate")}
	if c.IsSet("budget") && !(o.Budget >= 0 && o.Budget <= math.MaxFloat64) {
		return badInputf("--budget must be a capex of 0 or more in the scenario currency, got %g", o.Budget)
	}
	switch {
	case c.Bool("all"):
		for _, iv := range spec.sc.Investments {
			o.Names = append(o.Names, iv.Name)
		}
	case c.String("options") != "":
		for _, n := range strings.Split(c.String("options"), ",") {
			if n = strings.TrimSpace(n); n != "" {
				o.Names = append(o.Names, n)
			}
		}
	}
	if len(o.Names) == 0 && len(spec.sc.Investments) == 0 {
		return badInputf("%s has no [[investments]] to compare", spec.scenarioPath)
	}
	if len(o.Names) == 0 {
		return badInputf("name the options to compare with --options a,b or use --all (the scenario has: %s)", strings.Join(pipeline.InvestmentNames(spec.sc), ", "))
	}
	if !(o.Years > 0) || o.Years > 100 {
		return badInputf("--years must be in (0, 100], got %g", o.Years)
	}
	if !(o.Discount >= 0) || o.Discount > 1 {
		return badInputf("--discount-rate must be in [0, 1], got %g", o.Discount)
	}
	if err := setupCompare(spec, o); err != nil {
		return err
	}
	return startFresh(c, spec)
}

// setupCompare makes spec a comparison of o's options.
func setupCompare(spec *runSpec, o pipeline.CompareOptions) error {
	j, err := pipeline.NewCompare(spec.sc, spec.scenarioPath, o)
	if err != nil {
		return exitOf(err)
	}
	spec.job, spec.command = j, j.Command
	spec.show = func(c *cli.Context, _ *results.Collector) error {
		return writeCompareTable(c.App.Writer, spec.result.Comparison)
	}
	return nil
}

// writeCompareTable prints the options ranked by ALE + annualised cost.
func writeCompareTable(w io.Writer, cmp *model.Comparison) error {
	key := pipeline.KeyService(cmp)
	fmt.Fprintf(w, "%s · %d options · %d replications each · %s · NPV over %g years at %g%%\n",
		cmp.Scenario, len(cmp.Options)-1, cmp.Replications, cmp.Currency, cmp.Years, 100*cmp.DiscountRate)
	tw := tabwriter.NewWriter(w, 2, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "rank\toption\tcapex\topex/yr\tALE/yr [95%% CI]\tALE cut/yr [95%% CI]\tNPV\tpayback y\tcut per cost\t%s P50 h\tPareto\n", key)
	for i, r := range cmp.Ranked() {
		pb, rc := "—", "—"
		if r.PaybackYears != nil {
			pb = num(*r.PaybackYears)
		}
		if r.ReductionPerCost != nil {
			rc = num(*r.ReductionPerCost)
		}
		par := ""
		if r.OnParetoFrontier {
			par = "*"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s [%s, %s]\t%s [%s, %s]\t%s\t%s\t%s\t%s\t%s\n", i+1, r.Name, num(r.Capex), num(r.OpexPerYear),
			num(r.ALE.Mean), num(r.ALE.CI95[0]), num(r.ALE.CI95[1]),
			num(r.ALEReduction.Mean), num(r.ALEReduction.CI95[0]), num(r.ALEReduction.CI95[1]),
			num(r.NPV), pb, rc, num(r.TimeToRecoverH[key].P50), par)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w, "ranked by ALE + annualised cost; * = on the cost–ALE Pareto frontier; key incident for recovery times:", cmp.KeyIncident)
	if bc := cmp.BudgetChoice; bc != nil {
		ale := "not simulated"
		if bc.ALE != nil {
			ale = fmt.Sprintf("%s [%s, %s]", num(bc.ALE.Mean), num(bc.ALE.CI95[0]), num(bc.ALE.CI95[1]))
		}
		inv := strings.Join(bc.Investments, " + ")
		if inv == "" {
			inv = "nothing"
		}
		fmt.Fprintf(w, "budget %s (%s search): buy %s — capex %s, ALE %s/yr (predicted %s)\n", num(bc.Budget), bc.Method, inv, num(bc.Capex), ale, num(bc.PredictedALE))
	}
	return nil
}

// num formats x with 3 significant digits and a k/M/bn suffix.
func num(x float64) string {
	ax := math.Abs(x)
	switch {
	case math.IsNaN(x):
		return "n/a"
	case ax >= 1e12:
		return strconv.FormatFloat(x/1e12, 'g', 3, 64) + "T"
	case ax >= 1e9:
		return strconv.FormatFloat(x/1e9, 'g', 3, 64) + "bn"
	case ax >= 1e6:
		return strconv.FormatFloat(x/1e6, 'g', 3, 64) + "M"
	case ax >= 1e4:
		return strconv.FormatFloat(x/1e3, 'g', 3, 64) + "k"
	}
	return strconv.FormatFloat(x, 'g', 3, 64)
}

func investmentNames(sc *model.Scenario) []string { return pipeline.InvestmentNames(sc) }

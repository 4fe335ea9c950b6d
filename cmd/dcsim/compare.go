package main

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/urfave/cli/v2"

	"github.com/dcsim/dcsim/model"
	"github.com/dcsim/dcsim/model/results"
	"github.com/dcsim/dcsim/sim"
)

// maxPortfolios bounds --combinations: each portfolio is simulated under
// every incident in every replication.
const maxPortfolios = 256

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
			&cli.BoolFlag{Name: "combinations", Usage: fmt.Sprintf("also simulate every portfolio (combination) of the options (at most %d)", maxPortfolios)},
			&cli.Float64Flag{Name: "budget", Usage: "choose the best portfolio whose capex fits `X` (scenario currency)", Value: -1, DefaultText: "no budget choice"},
			&cli.Float64Flag{Name: "years", Usage: "horizon of NPV in `YEARS`", Value: 10},
			&cli.Float64Flag{Name: "discount-rate", Usage: "yearly discount `RATE` for NPV and annualised capex", Value: 0.05},
			flagParquet(),
			flagNoPlots("plots or the report"),
			flagShard(),
			&cli.StringFlag{Name: "resume", Usage: "continue the interrupted comparison whose output directory is `DIR`"},
		},
		Action: compareAction,
	}
}

// compareOptions are compare's result-affecting settings, stored in the
// manifest so a resume rebuilds the same plan.
type compareOptions struct {
	names        []string
	combinations bool
	budget       float64 // < 0: none
	years        float64
	discount     float64
}

func (o compareOptions) manifest() map[string]string {
	return map[string]string{
		"options":       strings.Join(o.names, ","),
		"combinations":  strconv.FormatBool(o.combinations),
		"budget":        strconv.FormatFloat(o.budget, 'g', -1, 64),
		"years":         strconv.FormatFloat(o.years, 'g', -1, 64),
		"discount_rate": strconv.FormatFloat(o.discount, 'g', -1, 64),
	}
}

func compareOptionsFromManifest(m map[string]string) compareOptions {
	o := compareOptions{budget: -1, years: 10, discount: 0.05}
	if v := m["options"]; v != "" {
		o.names = strings.Split(v, ",")
	}
	o.combinations = m["combinations"] == "true"
	if x, err := strconv.ParseFloat(m["budget"], 64); err == nil {
		o.budget = x
	}
	if x, err := strconv.ParseFloat(m["years"], 64); err == nil {
		o.years = x
	}
	if x, err := strconv.ParseFloat(m["discount_rate"], 64); err == nil {
		o.discount = x
	}
	return o
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
	o := compareOptions{combinations: c.Bool("combinations"), budget: c.Float64("budget"), years: c.Float64("years"), discount: c.Float64("discount-rate")}
	if c.IsSet("budget") && !(o.budget >= 0 && o.budget <= math.MaxFloat64) {
		return badInputf("--budget must be a capex of 0 or more in the scenario currency, got %g", o.budget)
	}
	switch {
	case c.Bool("all"):
		for _, iv := range spec.sc.Investments {
			o.names = append(o.names, iv.Name)
		}
	case c.String("options") != "":
		for _, n := range strings.Split(c.String("options"), ",") {
			if n = strings.TrimSpace(n); n != "" {
				o.names = append(o.names, n)
			}
		}
	}
	if len(o.names) == 0 && len(spec.sc.Investments) == 0 {
		return badInputf("%s has no [[investments]] to compare", spec.scenarioPath)
	}
	if len(o.names) == 0 {
		return badInputf("name the options to compare with --options a,b or use --all (the scenario has: %s)", strings.Join(investmentNames(spec.sc), ", "))
	}
	if !(o.years > 0) || o.years > 100 {
		return badInputf("--years must be in (0, 100], got %g", o.years)
	}
	if !(o.discount >= 0) || o.discount > 1 {
		return badInputf("--discount-rate must be in [0, 1], got %g", o.discount)
	}
	if err := setupCompare(spec, o); err != nil {
		return err
	}
	return startFresh(c, spec)
}

func investmentNames(sc *model.Scenario) []string {
	var out []string
	for _, iv := range sc.Investments {
		out = append(out, iv.Name)
	}
	return out
}

// setupCompare builds the plan (baseline, each option, and with
// --combinations every portfolio) and the hooks that write compare.json.
func setupCompare(spec *runSpec, o compareOptions) error {
	sc := spec.sc
	seen := map[string]bool{}
	for _, n := range o.names {
		if sc.InvestmentIndex(n) < 0 {
			return badInputf("no investment named %q in %s (it has: %s)", n, spec.scenarioPath, strings.Join(investmentNames(sc), ", "))
		}
		if seen[n] {
			return badInputf("option %q named twice", n)
		}
		seen[n] = true
	}
	var portfolios [][]string
	if o.combinations {
		n := len(o.names)
		if n > 16 || (1<<n)-1 > maxPortfolios {
			return badInputf("--combinations of %d options is %d portfolios; at most %d are simulated (drop --combinations: --budget then estimates portfolios from single options)", n, (1<<n)-1, maxPortfolios)
		}
		for mask := 1; mask < 1<<n; mask++ {
			var p []string
			for k := 0; k < n; k++ {
				if mask&(1<<k) != 0 {
					p = append(p, o.names[k])
				}
			}
			portfolios = append(portfolios, p)
		}
		sort.SliceStable(portfolios, func(i, j int) bool { return len(portfolios[i]) < len(portfolios[j]) })
	} else {
		for _, n := range o.names {
			portfolios = append(portfolios, []string{n})
		}
	}
	plan, err := model.NewPlan(sc, portfolios)
	if err != nil {
		return badInput(err)
	}
	spec.command = "compare"
	spec.options = o.manifest()
	spec.models = plan.Models
	spec.variants = plan.CollectorVariants()
	money := model.Money{Years: o.years, DiscountRate: o.discount}
	var cmp *model.Comparison
	spec.beforeFinish = func(dir string, col *results.Collector) error {
		cmp = plan.Evaluate(col, money)
		if o.budget >= 0 {
			bc, err := chooseBudget(plan, cmp, o, spec)
			if err != nil {
				return err
			}
			cmp.BudgetChoice = bc
		}
		cmp.Seed = spec.seed
		if err := writeCompare(dir, cmp); err != nil {
			return err
		}
		if spec.plots {
			return drawComparePlots(spec.ctx, dir, sc, plan, col, cmp)
		}
		return nil
	}
	spec.show = func(c *cli.Context, col *results.Collector) error {
		if cmp == nil {
			cmp = plan.Evaluate(col, money)
		}
		return writeCompareTable(c.App.Writer, cmp)
	}
	return nil
}

// chooseBudget runs the budget search over the single options and, when
// the chosen portfolio was not simulated, simulates it with the same seed
// and replications so its ALE is measured, not only predicted.
func chooseBudget(plan *model.Plan, cmp *model.Comparison, o compareOptions, spec *runSpec) (*model.BudgetChoice, error) {
	base := cmp.Options[0].ALE.Mean
	known := map[string]float64{}
	var items []model.BudgetItem
	for _, row := range cmp.Options[1:] {
		names := append([]string(nil), row.Investments...)
		sort.Strings(names)
		known[strings.Join(names, "+")] = row.ALE.Mean
		if len(row.Investments) == 1 {
			items = append(items, model.BudgetItem{Name: row.Name, Capex: row.Capex, AnnualisedCost: row.AnnualisedCost, ALE: row.ALE.Mean})
		}
	}
	known[""] = base
	bc := model.ChooseBudget(base, items, known, o.budget)
	for _, row := range cmp.Options {
		names := append([]string(nil), row.Investments...)
		sort.Strings(names)
		if strings.Join(names, "+") == strings.Join(bc.Investments, "+") {
			st := row.ALE
			bc.ALE = &st
			return &bc, nil
		}
	}
	// Simulate the chosen portfolio against the baseline.
	p2, err := model.NewPlan(plan.Base, [][]string{bc.Investments})
	if err != nil {
		return nil, err
	}
	st, err := simulatePortfolioALE(p2, spec, cmp)
	if err != nil {
		return nil, err
	}
	bc.ALE = st
	return &bc, nil
}

type compareJSON struct {
	*model.Comparison
	Tool string `json:"tool"`
}

func writeCompare(dir string, cmp *model.Comparison) error {
	b, err := json.MarshalIndent(jsonSafe(cmp), "", "  ")
	if err != nil {
		return err
	}
	if err := results.WriteFileAtomic(filepath.Join(dir, "compare.json"), append(b, '\n')); err != nil {
		return err
	}
	return results.WriteAtomic(filepath.Join(dir, "compare.csv"), func(w io.Writer) error {
		cw := csv.NewWriter(w)
		svcs := sortedKeys(cmp.Options[0].TimeToRecoverH)
		head := []string{"name", "investments", "currency", "capex", "opex_per_year", "annualised_cost", "ale_mean", "ale_ci95_lo", "ale_ci95_hi",
			"ale_reduction_mean", "ale_reduction_ci95_lo", "ale_reduction_ci95_hi", "npv", "payback_years", "risk_reduction_per_cost", "on_pareto_frontier"}
		for _, s := range svcs {
			head = append(head, s+"_ttr_p50_h", s+"_ttr_p90_h")
		}
		cw.Write(head)
		f := func(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }
		fp := func(x *float64) string {
			if x == nil {
				return ""
			}
			return f(*x)
		}
		for _, r := range cmp.Options {
			row := []string{r.Name, strings.Join(r.Investments, "+"), cmp.Currency, f(r.Capex), f(r.OpexPerYear), f(r.AnnualisedCost),
				f(r.ALE.Mean), f(r.ALE.CI95[0]), f(r.ALE.CI95[1]), f(r.ALEReduction.Mean), f(r.ALEReduction.CI95[0]), f(r.ALEReduction.CI95[1]),
				f(r.NPV), fp(r.PaybackYears), fp(r.ReductionPerCost), strconv.FormatBool(r.OnParetoFrontier)}
			for _, s := range svcs {
				q := r.TimeToRecoverH[s]
				row = append(row, f(q.P50), f(q.P90))
			}
			cw.Write(row)
		}
		cw.Flush()
		return cw.Error()
	})
}

// jsonSafe round-trips v through a generic form, replacing NaN and ±Inf
// (which JSON cannot hold) with null.
func jsonSafe(v *model.Comparison) any {
	c := *v
	fix := func(x *float64) {
		if math.IsNaN(*x) || math.IsInf(*x, 0) {
			*x = 0
		}
	}
	for i := range c.Options {
		r := &c.Options[i]
		fix(&r.ALEReduction.CI95[0])
		fix(&r.ALEReduction.CI95[1])
		fix(&r.ALE.CI95[0])
		fix(&r.ALE.CI95[1])
		fix(&r.NPV)
	}
	return compareJSON{Comparison: &c, Tool: "dcsim " + version()}
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// writeCompareTable prints the options ranked by ALE + annualised cost.
func writeCompareTable(w io.Writer, cmp *model.Comparison) error {
	key := keyService(cmp)
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

func firstUserService(cmp *model.Comparison) string {
	keys := sortedKeys(cmp.Options[0].TimeToRecoverH)
	if len(keys) == 0 {
		return ""
	}
	return keys[0]
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

// simulatePortfolioALE simulates plan (baseline and one portfolio) with the
// comparison's seed and replication count and returns the portfolio's ALE.
func simulatePortfolioALE(plan *model.Plan, spec *runSpec, cmp *model.Comparison) (*sim.Stat, error) {
	col, err := results.NewCollector(plan.Base.Name, plan.CollectorVariants(), serviceNames(plan.Base), 0)
	if err != nil {
		return nil, err
	}
	cfg := sim.RunConfig{Seed: spec.seed, From: 0, To: cmp.Replications, Workers: spec.workers}
	res := plan.Run(spec.ctx, cfg, func(rep int, outs []results.Outcome) { col.Add(rep, outs) })
	if !res.Complete {
		return nil, spec.ctx.Err()
	}
	c2 := plan.Evaluate(col, model.Money{Years: cmp.Years, DiscountRate: cmp.DiscountRate})
	st := c2.Options[1].ALE
	return &st, nil
}

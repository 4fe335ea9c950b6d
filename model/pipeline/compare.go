package pipeline

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"math"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/dcsim/dcsim/model"
	"github.com/dcsim/dcsim/model/results"
	"github.com/dcsim/dcsim/sim"
)

// MaxPortfolios bounds --combinations: each portfolio is simulated under
// every incident in every replication.
const MaxPortfolios = 256

// CompareOptions are compare's result-affecting settings, stored in the
// manifest so a resume rebuilds the same plan.
type CompareOptions struct {
	Names        []string // the investments compared
	Combinations bool     // also every portfolio of them
	Budget       float64  // < 0: none
	Years        float64  // horizon of NPV
	Discount     float64  // yearly discount rate
}

func (o CompareOptions) manifest() map[string]string {
	return map[string]string{
		"options":       strings.Join(o.Names, ","),
		"combinations":  strconv.FormatBool(o.Combinations),
		"budget":        strconv.FormatFloat(o.Budget, 'g', -1, 64),
		"years":         strconv.FormatFloat(o.Years, 'g', -1, 64),
		"discount_rate": strconv.FormatFloat(o.Discount, 'g', -1, 64),
	}
}

// CompareOptionsFromManifest reads the options a comparison's manifest
// records.
func CompareOptionsFromManifest(m map[string]string) CompareOptions {
	o := CompareOptions{Budget: -1, Years: 10, Discount: 0.05}
	if v := m["options"]; v != "" {
		o.Names = strings.Split(v, ",")
	}
	o.Combinations = m["combinations"] == "true"
	if x, err := strconv.ParseFloat(m["budget"], 64); err == nil {
		o.Budget = x
	}
	if x, err := strconv.ParseFloat(m["years"], 64); err == nil {
		o.Years = x
	}
	if x, err := strconv.ParseFloat(m["discount_rate"], 64); err == nil {
		o.Discount = x
	}
	return o
}

// compareJob is a comparison's plan and how it is valued.
type compareJob struct {
	opts  CompareOptions
	plan  *model.Plan
	money model.Money
}

// NewCompare is a comparison of the options o names: the baseline, each
// option, and with o.Combinations every portfolio of them, under every
// incident of the scenario's catalogue.
func NewCompare(sc *model.Scenario, path string, o CompareOptions) (*Job, error) {
	seen := map[string]bool{}
	for _, n := range o.Names {
		if sc.InvestmentIndex(n) < 0 {
			return nil, inputf("no investment named %q in %s (it has: %s)", n, path, strings.Join(InvestmentNames(sc), ", "))
		}
		if seen[n] {
			return nil, inputf("option %q named twice", n)
		}
		seen[n] = true
	}
	var portfolios [][]string
	if o.Combinations {
		n := len(o.Names)
		if n > 16 || (1<<n)-1 > MaxPortfolios {
			return nil, inputf("--combinations of %d options is %d portfolios; at most %d are simulated (drop --combinations: --budget then estimates portfolios from single options)", n, (1<<n)-1, MaxPortfolios)
		}
		for mask := 1; mask < 1<<n; mask++ {
			var p []string
			for k := 0; k < n; k++ {
				if mask&(1<<k) != 0 {
					p = append(p, o.Names[k])
				}
			}
			portfolios = append(portfolios, p)
		}
		sort.SliceStable(portfolios, func(i, j int) bool { return len(portfolios[i]) < len(portfolios[j]) })
	} else {
		for _, n := range o.Names {
			portfolios = append(portfolios, []string{n})
		}
	}
	plan, err := model.NewPlan(sc, portfolios)
	if err != nil {
		return nil, inputErr(err)
	}
	return &Job{
		Command: "compare", Scenario: sc, ScenarioPath: path, Options: o.manifest(),
		Models: plan.Models, Variants: plan.CollectorVariants(),
		compare: &compareJob{opts: o, plan: plan, money: model.Money{Years: o.Years, DiscountRate: o.Discount}},
	}, nil
}

// evaluate computes the comparison and, with a budget, chooses (and if
// needed simulates) the budget's portfolio.
func (cj *compareJob) evaluate(ctx context.Context, col *results.Collector, s Settings) (*model.Comparison, error) {
	cmp := cj.plan.Evaluate(col, cj.money)
	if cj.opts.Budget >= 0 {
		bc, err := chooseBudget(ctx, cj.plan, cmp, cj.opts, s)
		if err != nil {
			return nil, err
		}
		cmp.BudgetChoice = bc
	}
	cmp.Seed = s.Seed
	return cmp, nil
}

// chooseBudget runs the budget search over the single options and, when
// the chosen portfolio was not simulated, simulates it with the same seed
// and replications so its ALE is measured, not only predicted.
func chooseBudget(ctx context.Context, plan *model.Plan, cmp *model.Comparison, o CompareOptions, s Settings) (*model.BudgetChoice, error) {
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
	bc := model.ChooseBudget(base, items, known, o.Budget)
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
	st, err := simulatePortfolioALE(ctx, p2, s, cmp)
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

// WriteCompare writes compare.json and compare.csv into dir, atomically;
// version is dcsim's.
func WriteCompare(dir string, cmp *model.Comparison, version string) error {
	b, err := json.MarshalIndent(jsonSafe(cmp, version), "", "  ")
	if err != nil {
		return err
	}
	if err := results.WriteFileAtomic(filepath.Join(dir, "compare.json"), append(b, '\n')); err != nil {
		return err
	}
	return results.WriteAtomic(filepath.Join(dir, "compare.csv"), func(w io.Writer) error {
		cw := csv.NewWriter(w)
		svcs := SortedKeys(cmp.Options[0].TimeToRecoverH)
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
func jsonSafe(v *model.Comparison, version string) any {
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
	return compareJSON{Comparison: &c, Tool: "dcsim " + version}
}

// SortedKeys returns m's keys in order.
func SortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func firstUserService(cmp *model.Comparison) string {
	keys := SortedKeys(cmp.Options[0].TimeToRecoverH)
	if len(keys) == 0 {
		return ""
	}
	return keys[0]
}

// simulatePortfolioALE simulates plan (baseline and one portfolio) with the
// comparison's seed and replication count and returns the portfolio's ALE.
func simulatePortfolioALE(ctx context.Context, plan *model.Plan, s Settings, cmp *model.Comparison) (*sim.Stat, error) {
	col, err := results.NewCollector(plan.Base.Name, plan.CollectorVariants(), serviceNames(plan.Base), 0)
	if err != nil {
		return nil, err
	}
	cfg := sim.RunConfig{Seed: s.Seed, From: 0, To: cmp.Replications, Workers: s.Workers}
	res := plan.Run(ctx, cfg, func(rep int, outs []results.Outcome) { col.Add(rep, outs) })
	if !res.Complete {
		return nil, ctx.Err()
	}
	c2 := plan.Evaluate(col, model.Money{Years: cmp.Years, DiscountRate: cmp.DiscountRate})
	st := c2.Options[1].ALE
	return &st, nil
}

// InvestmentNames lists the scenario's investments in order.
func InvestmentNames(sc *model.Scenario) []string {
	var out []string
	for _, iv := range sc.Investments {
		out = append(out, iv.Name)
	}
	return out
}

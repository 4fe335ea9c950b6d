package pipeline

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"io"
	"math"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/dcsim/dcsim/model"
	"github.com/dcsim/dcsim/model/results"
	"github.com/dcsim/dcsim/sim"
)

// MaxPortfolios bounds CompareOptions.Combinations: each portfolio is
// simulated under every incident in every replication.
const MaxPortfolios = 256

// CompareOptions are a comparison's result-affecting settings, stored in
// the manifest so a resume rebuilds the same plan.
type CompareOptions struct {
	Names        []string // investments to compare
	Combinations bool     // also simulate every portfolio of them
	Budget       float64  // < 0: none
	Years        float64
	DiscountRate float64
}

// Manifest returns o as manifest options.
func (o CompareOptions) Manifest() map[string]string {
	return map[string]string{
		"options":       strings.Join(o.Names, ","),
		"combinations":  strconv.FormatBool(o.Combinations),
		"budget":        strconv.FormatFloat(o.Budget, 'g', -1, 64),
		"years":         strconv.FormatFloat(o.Years, 'g', -1, 64),
		"discount_rate": strconv.FormatFloat(o.DiscountRate, 'g', -1, 64),
	}
}

// CompareOptionsFromManifest is the inverse of Manifest.
func CompareOptionsFromManifest(m map[string]string) CompareOptions {
	o := CompareOptions{Budget: -1, Years: 10, DiscountRate: 0.05}
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
		o.DiscountRate = x
	}
	return o
}

// InvestmentNames lists sc's investments.
func InvestmentNames(sc *model.Scenario) []string {
	var out []string
	for _, iv := range sc.Investments {
		out = append(out, iv.Name)
	}
	return out
}

// setupCompare builds the plan: baseline, each option, and with
// Combinations every portfolio.
func (j *job) setupCompare(o CompareOptions) error {
	sc := j.Scenario
	seen := map[string]bool{}
	for _, n := range o.Names {
		if sc.InvestmentIndex(n) < 0 {
			return inputf("no investment named %q in %s (it has: %s)", n, j.ScenarioPath, strings.Join(InvestmentNames(sc), ", "))
		}
		if seen[n] {
			return inputf("option %q named twice", n)
		}
		seen[n] = true
	}
	if !(o.Budget >= 0 || o.Budget == -1) || math.IsInf(o.Budget, 0) {
		return inputf("--budget must be a capex amount ≥ 0 in %s, got %g", sc.Currency, o.Budget)
	}
	var portfolios [][]string
	if o.Combinations {
		n := len(o.Names)
		if n > 16 || (1<<n)-1 > MaxPortfolios {
			return inputf("--combinations of %d options is %d portfolios; at most %d are simulated (drop --combinations: --budget then estimates portfolios from single options)", n, (1<<n)-1, MaxPortfolios)
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
		return inputErr(err)
	}
	j.plan = plan
	j.options = o.Manifest()
	j.models = plan.Models
	j.variants = plan.CollectorVariants()
	j.money = model.Money{Years: o.Years, DiscountRate: o.DiscountRate}
	return nil
}

// chooseBudget runs the budget search over the single options and, when
// the chosen portfolio was not simulated, simulates it with the same seed
// and replications so its ALE is measured, not only predicted.
func (j *job) chooseBudget(ctx context.Context, cmp *model.Comparison) (*model.BudgetChoice, error) {
	base := cmp.Options[0].ALE.Mean
	known := map[string]float64{}
	var items []model.BudgetItem
	for _, row := range cmp.Options[1:] {
		names := slices.Sorted(slices.Values(row.Investments))
		known[strings.Join(names, "+")] = row.ALE.Mean
		if len(row.Investments) == 1 {
			items = append(items, model.BudgetItem{Name: row.Name, Capex: row.Capex, AnnualisedCost: row.AnnualisedCost, ALE: row.ALE.Mean})
		}
	}
	known[""] = base
	bc := model.ChooseBudget(base, items, known, j.Compare.Budget)
	for _, row := range cmp.Options {
		names := slices.Sorted(slices.Values(row.Investments))
		if strings.Join(names, "+") == strings.Join(bc.Investments, "+") {
			st := row.ALE
			bc.ALE = &st
			return &bc, nil
		}
	}
	// Simulate the chosen portfolio against the baseline.
	p2, err := model.NewPlan(j.plan.Base, [][]string{bc.Investments})
	if err != nil {
		return nil, err
	}
	col, err := results.NewCollector(p2.Base.Name, p2.CollectorVariants(), serviceNames(p2.Base), 0)
	if err != nil {
		return nil, err
	}
	j.obs.Phase(PhaseBudget, cmp.Replications)
	done := 0
	cfg := sim.RunConfig{Seed: j.Seed, From: 0, To: cmp.Replications, Workers: j.Workers}
	res := p2.Run(ctx, cfg, func(rep int, outs []results.Outcome) {
		col.Add(rep, outs)
		done++
		j.obs.Progress(done)
	})
	if !res.Complete {
		return nil, ctx.Err()
	}
	c2 := p2.Evaluate(col, model.Money{Years: cmp.Years, DiscountRate: cmp.DiscountRate})
	st := c2.Options[1].ALE
	bc.ALE = &st
	return &bc, nil
}

type compareJSON struct {
	*model.Comparison
	Tool string `json:"tool"`
}

// WriteCompare writes compare.json and compare.csv into dir.
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
		svcs := sortedKeys(cmp.Options[0].TimeToRecoverH)
		head := []string{"name", "investments", "capex", "opex_per_year", "annualised_cost", "ale_mean", "ale_ci95_lo", "ale_ci95_hi",
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
			row := []string{r.Name, strings.Join(r.Investments, "+"), f(r.Capex), f(r.OpexPerYear), f(r.AnnualisedCost),
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

// jsonSafe replaces NaN and ±Inf (which JSON cannot hold) in v's
// intervals and NPV with 0 and adds the tool's name.
func jsonSafe(v *model.Comparison, version string) any {
	c := *v
	c.Options = slices.Clone(c.Options)
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

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// errNoCompare is returned by Redraw for a comparison directory without
// compare.json (a shard).
var errNoCompare = errors.New("no compare.json (a shard of a comparison has none: merge the shards first)")

package model

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/dcsim/dcsim/model/results"
	"github.com/dcsim/dcsim/sim"
)

// Plan is a comparison to run: the baseline and the portfolios (each a
// list of investment names) over the scenario's incident catalogue.
type Plan struct {
	Base       *Scenario
	Portfolios [][]string // Portfolios[0] is the baseline, nil
	Names      []string   // a display name per portfolio ("baseline", "a", "a+b")
	Variants   []*Scenario
	// Models[v*len(Incidents)+i] simulates portfolio v under incident i.
	Models []*Model
}

// NewPlan builds the variant scenarios and their models. The baseline is
// always first.
func NewPlan(base *Scenario, portfolios [][]string) (*Plan, error) {
	if len(base.Incidents) == 0 {
		return nil, fmt.Errorf("scenario %q has no incident catalogue: give [incident] a frequency (e.g. frequency = \"0.01/yr\") or list [[incidents]] with frequencies", base.Name)
	}
	p := &Plan{Base: base}
	all := append([][]string{nil}, portfolios...)
	for _, names := range all {
		v, err := base.Variant(names)
		if err != nil {
			return nil, err
		}
		if err := sameServices(base, v); err != nil {
			return nil, fmt.Errorf("portfolio %s: %w", PortfolioName(names), err)
		}
		p.Portfolios = append(p.Portfolios, names)
		p.Names = append(p.Names, PortfolioName(names))
		p.Variants = append(p.Variants, v)
		for i := range v.Incidents {
			p.Models = append(p.Models, Compile(v.WithIncident(i)))
		}
	}
	return p, nil
}

// PortfolioName is "baseline" for no investments, else the names joined
// by "+".
func PortfolioName(names []string) string {
	if len(names) == 0 {
		return "baseline"
	}
	return strings.Join(names, "+")
}

// CollectorVariants names the Collector's variants: portfolio@incident.
func (p *Plan) CollectorVariants() []string {
	var out []string
	for v, name := range p.Names {
		for _, in := range p.Variants[v].Incidents {
			out = append(out, name+"@"+in.Name)
		}
	}
	return out
}

// Run simulates the plan with common random numbers: replication k of
// every portfolio and incident draws from the same streams.
func (p *Plan) Run(ctx context.Context, cfg sim.RunConfig, reduce func(rep int, out []results.Outcome)) sim.RunResult {
	return Simulate(ctx, p.Models, cfg, reduce)
}

// Money sets how costs are spread over time.
type Money struct {
	Years        float64 // horizon for NPV
	DiscountRate float64 // per year
}

// OptionResult is one row of compare.json.
type OptionResult struct {
	Name             string              `json:"name"`
	Investments      []string            `json:"investments"`
	Capex            float64             `json:"capex"`
	OpexPerYear      float64             `json:"opex_per_year"`
	AnnualisedCost   float64             `json:"annualised_cost"`
	ALE              sim.Stat            `json:"ale"`
	ALEReduction     sim.Diff            `json:"ale_reduction"`
	NPV              float64             `json:"npv"`
	PaybackYears     *float64            `json:"payback_years"`
	ReductionPerCost *float64            `json:"risk_reduction_per_cost"`
	OnParetoFrontier bool                `json:"on_pareto_frontier"`
	Incidents        []IncidentResult    `json:"incidents"`
	TimeToRecoverH   map[string]Quantile `json:"time_to_recover_h"`
	Sources          []string            `json:"sources,omitempty"`
}

// IncidentResult is one incident's contribution to an option's ALE.
type IncidentResult struct {
	Name    string   `json:"name"`
	PerYear float64  `json:"per_year"`
	Loss    sim.Stat `json:"loss"` // money per occurrence
	ALE     float64  `json:"ale"`  // per_year × mean loss
}

// Quantile holds the recovery-time quantiles reported per service.
type Quantile struct {
	P50 float64 `json:"p50"`
	P90 float64 `json:"p90"`
}

// Comparison is compare.json.
type Comparison struct {
	Scenario     string         `json:"scenario"`
	Currency     string         `json:"currency"`
	Replications int            `json:"replications"`
	Seed         uint64         `json:"seed"`
	Years        float64        `json:"years"`
	DiscountRate float64        `json:"discount_rate"`
	KeyIncident  string         `json:"key_incident"` // the one whose recovery times are shown
	KeyService   string         `json:"key_service"`  // the service tables and charts headline
	Options      []OptionResult `json:"options"`      // baseline first
	BudgetChoice *BudgetChoice  `json:"budget_choice,omitempty"`
}

// Evaluate turns the collected outcomes into the comparison.
//
// For portfolio v and replication k the annual loss draw is
//
//	A_vk = Σ_i f_i(v) · L_vik
//
// where f_i(v) is incident i's frequency under v and L_vik its loss in
// replication k; the ALE is mean_k A_vk with a Student-t interval, and the
// reduction of v against the baseline is the paired mean of A_0k - A_vk
// (common random numbers make this interval narrow). For a single
// incident, ALE = f · mean(L) exactly.
func (p *Plan) Evaluate(col *results.Collector, money Money) *Comparison {
	nI := len(p.Base.Incidents)
	key := 0
	for i, in := range p.Base.Incidents {
		if in.Name == p.Base.Incident.Name {
			key = i
		}
	}
	cmp := &Comparison{
		Scenario: p.Base.Name, Currency: p.Base.Currency, Replications: col.Len(),
		Years: money.Years, DiscountRate: money.DiscountRate, KeyIncident: p.Base.Incidents[key].Name,
		KeyService: p.Base.KeyService(),
	}
	annual := make([][]float64, len(p.Variants))
	for v, vs := range p.Variants {
		a := make([]float64, col.Len())
		var incs []IncidentResult
		for i := 0; i < nI; i++ {
			f := vs.Incidents[i].PerYear
			loss := col.OverallValues(v*nI+i, "loss")
			st := sim.Summarize(loss)
			incs = append(incs, IncidentResult{Name: vs.Incidents[i].Name, PerYear: f, Loss: st, ALE: f * st.Mean})
			for k, x := range loss {
				a[k] += f * x
			}
		}
		annual[v] = a
		row := OptionResult{Name: p.Names[v], Investments: p.Portfolios[v], ALE: sim.Summarize(a), Incidents: incs}
		// The mean is the defining sum Σ f_i · mean(L_i), so a single
		// incident's ALE is exactly f · mean(L); the interval and quantiles
		// come from the per-replication draws A_k, whose mean differs from
		// it only by rounding.
		row.ALE.Mean = 0
		for _, in := range incs {
			row.ALE.Mean += in.ALE
		}
		if row.Investments == nil {
			row.Investments = []string{}
		}
		for _, n := range p.Portfolios[v] {
			iv := p.Base.Investments[p.Base.InvestmentIndex(n)]
			row.Capex += iv.Capex
			row.OpexPerYear += iv.OpexPerYear
			row.AnnualisedCost += iv.AnnualisedCost(money.DiscountRate)
			if iv.Source != "" {
				row.Sources = append(row.Sources, iv.Name+": "+iv.Source)
			}
		}
		row.TimeToRecoverH = map[string]Quantile{}
		for s, svc := range vs.Services {
			st := sim.Summarize(col.Values(v*nI+key, s, "time_to_recover_h"))
			row.TimeToRecoverH[svc.Name] = Quantile{P50: st.P50, P90: st.P90}
		}
		cmp.Options = append(cmp.Options, row)
	}
	for v := range cmp.Options {
		row := &cmp.Options[v]
		row.ALEReduction = sim.PairedDiff(annual[0], annual[v])
		red := row.ALEReduction.Mean
		row.NPV = npv(p.Portfolios[v], p.Base, red, money)
		if net := red - row.OpexPerYear; v > 0 && net > 0 {
			pb := row.Capex / net
			row.PaybackYears = &pb
		}
		if row.AnnualisedCost > 0 {
			x := red / row.AnnualisedCost
			row.ReductionPerCost = &x
		}
	}
	markPareto(cmp.Options)
	return cmp
}

// npv is the discounted value over money.Years of the yearly ALE reduction
// less opex, minus capex paid now and again at each end of life:
//
//	NPV = Σ_{t=1..Y} (ΔALE - opex)/(1+r)^t - Σ_{j: jL < Y} capex/(1+r)^{jL}
func npv(names []string, base *Scenario, reduction float64, m Money) float64 {
	total := 0.0
	disc := func(t float64) float64 { return math.Pow(1+m.DiscountRate, -t) }
	years := int(math.Ceil(m.Years))
	opex := 0.0
	for _, n := range names {
		opex += base.Investments[base.InvestmentIndex(n)].OpexPerYear
	}
	for t := 1; t <= years; t++ {
		frac := math.Min(1, m.Years-float64(t-1))
		total += frac * (reduction - opex) * disc(float64(t))
	}
	for _, n := range names {
		iv := base.Investments[base.InvestmentIndex(n)]
		for t := 0.0; t < m.Years || t == 0; t += iv.LifetimeYears {
			total -= iv.Capex * disc(t)
			if iv.LifetimeYears <= 0 {
				break
			}
		}
	}
	return total
}

// markPareto marks the rows not dominated in (annualised cost, mean ALE):
// no other row is at most as costly and as risky and strictly better in
// one.
func markPareto(rows []OptionResult) {
	for i := range rows {
		dominated := false
		for j := range rows {
			if i == j {
				continue
			}
			a, b := rows[j], rows[i]
			if a.AnnualisedCost <= b.AnnualisedCost && a.ALE.Mean <= b.ALE.Mean &&
				(a.AnnualisedCost < b.AnnualisedCost || a.ALE.Mean < b.ALE.Mean) {
				dominated = true
				break
			}
		}
		rows[i].OnParetoFrontier = !dominated
	}
}

// Ranked returns the option rows (not the baseline) ordered by mean ALE
// plus annualised cost, lowest first: the total yearly cost of risk.
func (c *Comparison) Ranked() []OptionResult {
	rows := append([]OptionResult(nil), c.Options...)
	sort.SliceStable(rows, func(i, j int) bool {
		return rows[i].ALE.Mean+rows[i].AnnualisedCost < rows[j].ALE.Mean+rows[j].AnnualisedCost
	})
	return rows
}

// NPV values portfolio v of the plan at a yearly ALE reduction red: the
// discounted reduction over money.Years less its costs (capex and opex).
func (p *Plan) NPV(v int, red float64, money Money) float64 {
	return npv(p.Portfolios[v], p.Base, red, money)
}

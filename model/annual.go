package model

import (
	"fmt"

	"github.com/dcsim/dcsim/model/results"
	"github.com/dcsim/dcsim/model/risk"
)

// Annual simulates years of a comparison plan for the annual-risk driver
// (model/risk): in each sampled year the catalogue incidents arrive as
// Poisson processes, and every variant (the baseline and each portfolio)
// simulates the same arrivals with the same random numbers.
//
// Incidents that start within the scenario's horizon of the previous one
// in the year overlap: they run in one replication (RunOccurrences), so
// they interact — a utility loss during a fire's recovery. The loss of such
// a group is shared equally by its incidents (for the per-incident shares
// of the AAL and the occurrence exceedance). Independent failures are
// simulated around incidents, not through the quiet rest of the year.
type Annual struct {
	plan  *Plan
	names []string // service names
	reps  [][]*Replication
	outs  [][]results.Outcome
	occ   [][]Occurrence
}

// NewAnnual prepares the plan's variants for workers concurrent workers.
func NewAnnual(plan *Plan, workers int) *Annual {
	a := &Annual{plan: plan}
	for _, s := range plan.Base.Services {
		a.names = append(a.names, s.Name)
	}
	models := make([]*Model, len(plan.Variants))
	for v, sc := range plan.Variants {
		models[v] = Compile(sc)
	}
	for range max(1, workers) {
		var rs []*Replication
		for _, m := range models {
			rs = append(rs, NewReplication(m))
		}
		a.reps = append(a.reps, rs)
		a.outs = append(a.outs, make([]results.Outcome, 1))
		a.occ = append(a.occ, nil)
	}
	return a
}

// Config returns the driver's configuration: the baseline catalogue and
// each variant's frequencies (investments may change them).
func (a *Annual) Config(years int, seed uint64, method risk.Method, workers int) *risk.Config {
	p := a.plan
	cfg := &risk.Config{Services: a.names, Years: years, Seed: seed, Method: method, Workers: max(1, workers)}
	for _, in := range p.Base.Incidents {
		cfg.Incidents = append(cfg.Incidents, risk.Incident{Name: in.Name, PerYear: in.PerYear})
	}
	for v, sc := range p.Variants {
		va := risk.Variant{Name: p.Names[v]}
		for _, in := range sc.Incidents {
			va.PerYear = append(va.PerYear, in.PerYear)
		}
		cfg.Variants = append(cfg.Variants, va)
	}
	return cfg
}

// maxGroups bounds the overlapping groups of incidents in one year: group
// g of year y is replication y·maxGroups + g.
const maxGroups = 1 << 12

// Simulate simulates variant v of one sampled year (risk.Simulate).
func (a *Annual) Simulate(worker, v int, in *risk.YearInput, out *risk.YearOutcome) error {
	r := a.reps[worker][v]
	horizon := r.m.Sc.Horizon
	o := &a.outs[worker][0]
	group := 0
	for j := 0; j < len(in.Arrivals); {
		if group >= maxGroups {
			return fmt.Errorf("year %d has more than %d separate groups of incidents", in.Rep, maxGroups)
		}
		t0 := in.Arrivals[j].At
		occ := a.occ[worker][:0]
		k := j
		for ; k < len(in.Arrivals); k++ {
			at := in.Arrivals[k].At
			if k > j && at-in.Arrivals[k-1].At >= horizon {
				break
			}
			occ = append(occ, Occurrence{Incident: in.Arrivals[k].Incident, At: at - t0})
		}
		a.occ[worker] = occ
		r.RunOccurrences(in.Seed, int(in.Rep)*maxGroups+group, occ, o)
		share := o.Loss / float64(k-j)
		for x := j; x < k; x++ {
			out.EventLoss[x] = share
		}
		for s := range o.Services {
			out.Downtime[s] += o.Services[s].OutageH
		}
		j = k
		group++
	}
	return nil
}

// UncertainInputs lists the scenario's uncertain inputs for a two-level
// Monte Carlo or a sensitivity analysis: first the catalogue incidents
// whose frequency is uncertain (per year; incident gives each one's
// index), then the scalar keys written as distributions
// (Scenario.Uncertain: costs, in the currency).
func (a *Annual) UncertainInputs() (inputs []risk.Input, incident []int) {
	for i, in := range a.plan.Base.Incidents {
		if in.Uncertain() {
			inputs = append(inputs, risk.Input{Name: "incidents[" + in.Name + "].frequency", Dist: in.Frequency.Scale(8760)})
			incident = append(incident, i)
		}
	}
	for _, u := range a.plan.Base.Uncertain {
		inputs = append(inputs, risk.Input{Name: u.Key, Dist: u.Dist})
	}
	return inputs, incident
}

// InputKinds says what each input of UncertainInputs is, in the same
// order: "frequency" (unit "/yr"), "value" (a cost in the currency or a
// probability; unit "") or "parameter" (of a distribution, unit "h",
// "/yr", "fraction" or "").
func (a *Annual) InputKinds() (kinds, units []string) {
	for _, in := range a.plan.Base.Incidents {
		if in.Uncertain() {
			kinds, units = append(kinds, "frequency"), append(units, "/yr")
		}
	}
	for _, u := range a.plan.Base.Uncertain {
		if u.Param {
			kinds, units = append(kinds, "parameter"), append(units, u.Unit)
		} else {
			kinds, units = append(kinds, "value"), append(units, "")
		}
	}
	return kinds, units
}

// ConfigAt is Config with the uncertain frequencies set to x (per year,
// in the order of UncertainInputs); each variant keeps its own multiple of
// the baseline frequency (an investment's frequency_multiplier).
func (a *Annual) ConfigAt(x []float64, years int, seed uint64, method risk.Method, workers int) *risk.Config {
	cfg := a.Config(years, seed, method, workers)
	_, idx := a.UncertainInputs()
	for k, i := range idx {
		base := cfg.Incidents[i].PerYear
		cfg.Incidents[i].PerYear = x[k]
		for v := range cfg.Variants {
			if base > 0 {
				cfg.Variants[v].PerYear[i] *= x[k] / base
			} else {
				cfg.Variants[v].PerYear[i] = x[k]
			}
		}
	}
	return cfg
}

// At returns the annual model and configuration at point x of every
// uncertain input (UncertainInputs' order): frequencies as in ConfigAt,
// and the uncertain scalar keys and distribution parameters set in each
// variant's scenario (Scenario.At), compiled afresh. Without either it
// returns a itself. The Annual returned serves one evaluation at a time.
func (a *Annual) At(x []float64, years int, seed uint64, method risk.Method, workers int) (*risk.Config, *Annual, error) {
	cfg := a.ConfigAt(x, years, seed, method, workers)
	keys, vals := a.scalarInputs(x)
	if len(keys) == 0 {
		return cfg, a, nil
	}
	p := *a.plan
	base, err := p.Base.At(keys, vals)
	if err != nil {
		return nil, nil, err
	}
	p.Base = base
	p.Variants = make([]*Scenario, len(a.plan.Variants))
	for v, sc := range a.plan.Variants {
		if sc == a.plan.Base {
			p.Variants[v] = base
			continue
		}
		if p.Variants[v], err = sc.At(keys, vals); err != nil {
			return nil, nil, fmt.Errorf("option %s: %w", a.plan.Names[v], err)
		}
	}
	p.Models = nil // NewAnnual compiles its own
	return cfg, NewAnnual(&p, len(a.reps)), nil
}

// scalarInputs returns the keys and values of x's uncertain scalar keys.
func (a *Annual) scalarInputs(x []float64) ([]string, []float64) {
	_, idx := a.UncertainInputs()
	var keys []string
	for _, u := range a.plan.Base.Uncertain {
		keys = append(keys, u.Key)
	}
	return keys, x[len(idx):]
}

// NPV values option o (a portfolio of the plan) at point x of the inputs
// given its AAL reduction red per year: Plan.NPV with the investments'
// uncertain capex and opex at x.
func (a *Annual) NPV(o int, x []float64, red float64, money Money) float64 {
	keys, vals := a.scalarInputs(x)
	if len(keys) == 0 {
		return a.plan.NPV(o, red, money)
	}
	return npv(a.plan.Portfolios[o], a.plan.Base.WithValues(keys, vals), red, money)
}

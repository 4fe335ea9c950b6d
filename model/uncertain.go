package model

import (
	"fmt"
	"slices"
	"strings"
)

// At returns sc with each uncertain input named in keys set to the value
// at the same index of x (keys sc does not hold are ignored): the scalar
// keys as WithValues sets them and, when uncertain distribution
// parameters are among them, the scenario read again from its TOML with
// those parameters set (values per year for rates, hours for durations).
// The rebuilt scenario keeps sc's investments and annual frequencies (an
// option's frequency multipliers). A point that makes the scenario
// invalid is an error naming the point.
func (sc *Scenario) At(keys []string, x []float64) (*Scenario, error) {
	var vals map[string]float64
	var set []string
	for _, u := range sc.Uncertain {
		if k := slices.Index(keys, u.Key); u.Param && k >= 0 {
			if vals == nil {
				vals = map[string]float64{}
			}
			vals[u.Key] = x[k]
			set = append(set, fmt.Sprintf("%s = %g%s", u.Key, x[k], u.Unit))
		}
	}
	if vals == nil || sc.raw == nil {
		return sc.WithValues(keys, x), nil
	}
	raw := make(map[string]any, len(sc.raw))
	for k, v := range sc.raw {
		if k != "investments" {
			raw[k] = v // the reader does not modify what it reads
		}
	}
	v, err := buildAt(sc.File, sc.Source, raw, sc.lines, vals)
	if err != nil {
		return nil, fmt.Errorf("with %s: %w", strings.Join(set, ", "), err)
	}
	if len(v.Incidents) != len(sc.Incidents) {
		return nil, fmt.Errorf("with %s: the catalogue changed", strings.Join(set, ", "))
	}
	v.raw = sc.raw
	v.Investments = sc.Investments
	v.Uncertain = sc.Uncertain
	for i := range v.Incidents {
		v.Incidents[i].PerYear = sc.Incidents[i].PerYear
	}
	return v.WithValues(keys, x), nil
}

// WithValues returns a copy of sc with each uncertain scalar key named in
// keys (Scenario.Uncertain) set to the value at the same index of x; keys
// the scenario does not hold as uncertain are ignored, so one point of
// inputs applies to every variant of a plan. sc is not modified: the
// copy's sites and investments are its own.
func (sc *Scenario) WithValues(keys []string, x []float64) *Scenario {
	cp := *sc
	cp.Sites = slices.Clone(sc.Sites)
	cp.Investments = slices.Clone(sc.Investments)
	for _, u := range sc.Uncertain {
		if k := slices.Index(keys, u.Key); k >= 0 && u.set != nil {
			u.set(&cp, x[k])
		}
	}
	return &cp
}

func (sc *Scenario) setSite(name string, f func(*Site)) {
	for i := range sc.Sites {
		if sc.Sites[i].Name == name {
			f(&sc.Sites[i])
		}
	}
}

func (sc *Scenario) setInvestment(name string, f func(*Investment)) {
	for i := range sc.Investments {
		if sc.Investments[i].Name == name {
			f(&sc.Investments[i])
		}
	}
}

package model

import "slices"

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
		if k := slices.Index(keys, u.Key); k >= 0 {
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

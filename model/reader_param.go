package model

import (
	"fmt"
	"math"

	"github.com/dcsim/dcsim/sim"
)

// param reads parameter k of the distribution table dt, in unit: a plain
// value, or a distribution table, which makes the parameter uncertain
// (uncertainParam). It returns the value (NaN when it is missing or
// reported) and what is known of it: a constant for a plain value.
func (dt *table) param(k string, unit distUnit) (float64, sim.Dist) {
	if v, ok := dt.m[k]; ok {
		if _, isMap := v.(map[string]any); isMap {
			return dt.uncertainParam(k, unit)
		}
	}
	var x float64
	switch unit {
	case unitDuration:
		x = dt.duration(k, math.NaN())
	case unitRate:
		x = dt.rate(k, math.NaN())
	default:
		x = dt.number(k, math.NaN())
	}
	return x, sim.Fixed(x)
}

// paramTail is how far into its tails an uncertain parameter is taken: a
// point of the inputs beyond its 1e-9 or 1 − 1e-9 quantile is taken there,
// so that no sampled parameter is 0 or infinite.
const paramTail = 1e-9

// uncertainParam reads parameter k of dt written as a distribution,
//
//	duration = {dist = "lognormal", median = {dist = "lognormal", median = "8h", p95 = "20h"}, p95 = "40h"}
//
// and records it as an uncertain input named by its key path
// (incidents[fire].duration.median). Its value is the distribution's mean,
// or the value the reader is given for it (reader.values, a scenario
// rebuilt at a point of the inputs). A distribution of an uncertain value
// must have plain parameters.
func (dt *table) uncertainParam(k string, unit distUnit) (float64, sim.Dist) {
	r := dt.r
	bad := sim.Dist{A: math.NaN()}
	if r.inUncertain > 0 {
		dt.used[k] = true
		r.errf(dt.sub(k), "this distribution says what is known of an uncertain value, so its parameters must be plain values, not distributions (uncertainty about uncertainty is not modelled)")
		return math.NaN(), bad
	}
	r.inUncertain++
	pd := dt.dist(k, bad, unit)
	r.inUncertain--
	if math.IsNaN(pd.A) {
		return math.NaN(), bad // reported
	}
	if pd.Kind == sim.Const {
		return pd.A, pd // {dist = "const", value = …}: not uncertain
	}
	x := pd.Mean()
	if math.IsNaN(x) || math.IsInf(x, 0) {
		r.errf(dt.sub(k), "distribution has no finite mean")
		return math.NaN(), bad
	}
	name := joinKey(dt.named, k)
	scale, unitName := unitScale(unit)
	if v, ok := r.values[name]; ok {
		lo, hi := pd.Quantile(paramTail), pd.Quantile(1-paramTail)
		x = min(max(v/scale, lo), hi)
	}
	for _, u := range r.uncertain {
		if u.Key == name {
			return x, pd // read twice (a default taken from it)
		}
	}
	r.uncertain = append(r.uncertain, UncertainValue{Key: name, Dist: pd.Scale(scale), Param: true, Unit: unitName})
	return x, pd
}

// order checks that parameter lo of dt can stay at most parameter hi when
// either is uncertain — the P95 of what is known of lo (dlo) must not
// exceed the P5 of hi's (dhi), else the scenario is refused — and returns
// hi raised to lo when a point in their tails crosses them (xlo > xhi):
// the later key gives way. bad reports a refusal. With both plain it
// returns xhi as it is, for the caller's own check.
func (dt *table) order(lo, hi string, unit distUnit, dlo, dhi sim.Dist, xlo, xhi float64) (float64, bool) {
	if dlo.Kind == sim.Const && dhi.Kind == sim.Const {
		return xhi, false
	}
	if a, b := dlo.Quantile(0.95), dhi.Quantile(0.05); a > b {
		dt.r.errf(dt.sub(hi), "the uncertain %s and %s overlap too much: the P95 of %s (%s) exceeds the P5 of %s (%s); narrow them so that %s stays below %s", lo, hi, lo, showUnit(a, unit), hi, showUnit(b, unit), lo, hi)
		return xhi, true
	}
	return max(xhi, xlo), false
}

// uncertainDist reads a distribution that is itself what is known of an
// uncertain value (a frequency, a cost): its parameters must be plain.
func (t *table) uncertainDist(key string, def sim.Dist, unit distUnit) sim.Dist {
	t.r.inUncertain++
	defer func() { t.r.inUncertain-- }()
	return t.dist(key, def, unit)
}

// unitScale says how a value in unit is written for users: rates per
// year, durations in hours.
func unitScale(unit distUnit) (scale float64, name string) {
	switch unit {
	case unitRate:
		return 8760, "/yr"
	case unitDuration:
		return 1, "h"
	case unitFraction:
		return 1, "fraction"
	}
	return 1, ""
}

// showUnit writes x, a value in unit, as users write it ("8.7h", "2/yr").
func showUnit(x float64, unit distUnit) string {
	scale, name := unitScale(unit)
	if name == "fraction" {
		name = ""
	}
	return fmt.Sprintf("%.3g%s", x*scale, name)
}

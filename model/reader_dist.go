package model

import (
	"math"

	"github.com/dcsim/dcsim/sim"
)

// distUnit says how the values of a distribution are written.
type distUnit int

const (
	unitDuration distUnit = iota // "8h" → hours
	unitFraction                 // plain numbers in [0, 1]
	unitRate                     // "0.5/yr" → per hour
	unitNumber                   // plain numbers ≥ 0: money, a demand multiplier
)

// dist reads a distribution: a table such as
// {dist = "lognormal", median = "8h", p95 = "20h"}, or a plain duration
// ("3h") meaning a constant.
func (t *table) dist(key string, def sim.Dist, unit distUnit) sim.Dist {
	v, ok := t.get(key)
	if !ok {
		return def
	}
	path := t.sub(key)
	if unit == unitRate {
		if _, isMap := v.(map[string]any); !isMap {
			return sim.Fixed(t.rate(key, def.A))
		}
	} else if unit == unitDuration {
		switch x := v.(type) {
		case string:
			h, err := ParseDuration(x)
			if err != nil {
				t.r.errf(path, "%v", err)
				return def
			}
			return sim.Fixed(h)
		case int64, float64:
			t.duration(key, 0) // reports the missing unit
			return def
		}
	} else if unit == unitNumber {
		switch v.(type) {
		case float64, int64:
			n := t.number(key, math.NaN())
			if n < 0 {
				t.r.errf(path, "must not be negative")
				return def
			}
			if math.IsNaN(n) {
				return def
			}
			return sim.Fixed(n)
		case string:
			t.r.errf(path, "want a number or a distribution table, got a string")
			return def
		}
	} else if unit == unitFraction {
		switch n := v.(type) {
		case float64:
			if math.IsNaN(n) {
				t.r.errf(path, "want a fraction between 0 and 1, got %v", n)
				return def
			}
			return t.r.checkFraction(path, sim.Fixed(n), def)
		case int64:
			return t.r.checkFraction(path, sim.Fixed(float64(n)), def)
		case string:
			p, err := parsePercent(n)
			if err != nil {
				t.r.errf(path, "%v", err)
				return def
			}
			return t.r.checkFraction(path, sim.Fixed(p), def)
		}
	}
	dt := t.r.table(path, v)
	dt.named = joinKey(t.named, key)
	if _, isMap := v.(map[string]any); !isMap {
		return def
	}
	// pd holds what is known of each parameter read (a constant unless it
	// is uncertain), for the order checks.
	var pd [3]sim.Dist
	val := func(slot int, k string) float64 {
		x, d := dt.param(k, unit)
		pd[slot] = d
		return x
	}
	need := func(keys ...string) bool {
		okAll := true
		for _, k := range keys {
			if !dt.has(k) {
				t.r.errf(dt.sub(k), "missing %q for a %s distribution", k, dt.m["dist"])
				okAll = false
			}
		}
		return okAll
	}
	kind := dt.enum("dist", "", "const", "exponential", "lognormal", "weibull", "uniform", "triangular")
	if !dt.has("dist") {
		t.r.errf(dt.sub("dist"), "missing \"dist\" (one of const, exponential, lognormal, weibull, uniform, triangular)")
	}
	// Values that failed to parse are NaN and already reported; the checks
	// below skip them so each problem is reported once.
	nan := math.IsNaN
	d := sim.Dist{A: math.NaN()} // stays invalid unless every key is there
	bad := false
	switch kind {
	case "const":
		dt.expect("value")
		if need("value") {
			d = sim.Fixed(val(0, "value"))
		}
	case "exponential":
		dt.expect("mean")
		if need("mean") {
			m := val(0, "mean")
			if !(m > 0) && !math.IsNaN(m) {
				t.r.errf(dt.sub("mean"), "mean must be positive")
				bad = true
			}
			d = sim.Exp(m)
		}
	case "lognormal":
		dt.expect("median", "p95")
		if need("median", "p95") {
			med, p95 := val(0, "median"), val(1, "p95")
			if !math.IsNaN(med) && !math.IsNaN(p95) {
				p95, bad = dt.order("median", "p95", unit, pd[0], pd[1], med, p95)
				if !bad && (!(med > 0) || p95 < med) {
					t.r.errf(dt.sub("p95"), "lognormal needs 0 < median ≤ p95 (median %g, p95 %g)", med, p95)
					bad = true
				}
			}
			d = sim.LognormalMedianP95(med, p95)
		}
	case "weibull":
		dt.expect("shape", "scale")
		if need("shape", "scale") {
			k, _ := dt.param("shape", unitNumber)
			sc := val(1, "scale")
			if !nan(k) && !(k > 0) {
				t.r.errf(dt.sub("shape"), "weibull needs shape > 0, got %g", k)
				bad = true
			}
			if !nan(sc) && !(sc > 0) {
				t.r.errf(dt.sub("scale"), "weibull needs scale > 0")
				bad = true
			}
			d = sim.Dist{Kind: sim.Weibull, A: k, B: sc}
		}
	case "uniform":
		dt.expect("min", "max")
		if need("min", "max") {
			lo, hi := val(0, "min"), val(1, "max")
			if !nan(lo) && !nan(hi) {
				hi, bad = dt.order("min", "max", unit, pd[0], pd[1], lo, hi)
			}
			if !bad && hi < lo {
				t.r.errf(dt.sub("max"), "max (%g) is below min (%g)", hi, lo)
				bad = true
			}
			d = sim.Dist{Kind: sim.Uniform, A: lo, B: hi}
		}
	case "triangular":
		dt.expect("min", "mode", "max")
		if need("min", "mode", "max") {
			lo, mo, hi := val(0, "min"), val(1, "mode"), val(2, "max")
			if !nan(lo) && !nan(mo) && !nan(hi) {
				var bad1, bad2 bool
				mo, bad1 = dt.order("min", "mode", unit, pd[0], pd[1], lo, mo)
				hi, bad2 = dt.order("mode", "max", unit, pd[1], pd[2], mo, hi)
				bad = bad1 || bad2
				if !bad && !(lo <= mo && mo <= hi) {
					t.r.errf(dt.sub("mode"), "triangular needs min ≤ mode ≤ max (got %g, %g, %g)", lo, mo, hi)
					bad = true
				}
			}
			d = sim.Dist{Kind: sim.Triangular, A: lo, B: mo, C: hi}
		}
	default:
		dt.expect("value", "mean", "median", "p95", "shape", "scale", "min", "max", "mode")
		dt.done()
		return def
	}
	dt.done()
	if bad || math.IsNaN(d.A) || math.IsNaN(d.B) || math.IsNaN(d.C) {
		return def
	}
	if lo, _ := support(d); lo < 0 {
		t.r.errf(path, "distribution allows negative values")
		return def
	}
	if unit == unitFraction {
		return t.r.checkFraction(path, d, def)
	}
	return d
}

// support returns the least and greatest values d can take.
func support(d sim.Dist) (lo, hi float64) {
	if d.Kind == sim.Lognormal && d.B == 0 {
		// A point mass: the quantile formula gives 0·∞ = NaN at 0 and 1.
		x := math.Exp(d.A)
		return x, x
	}
	return d.Quantile(0), d.Quantile(1)
}

func (r *reader) checkFraction(path string, d, def sim.Dist) sim.Dist {
	if lo, hi := support(d); !(lo >= 0 && hi <= 1) {
		r.errf(path, "fractions must lie between 0 and 1")
		return def
	}
	return d
}

// UncertainValue is an uncertain input of dcsim risk's two-level Monte
// Carlo, tornado and Sobol indices: a scalar scenario key written as a
// distribution — what is known of a cost, say — rather than a number, or
// a parameter of a distribution written so (Param). Elsewhere a scalar key
// takes its distribution's mean (a loss and an NPV are linear in every
// cost), and so does a parameter.
type UncertainValue struct {
	Key  string   // the input's name: "economics.value_per_user_hour", "investments[NAME].capex", "incidents[NAME].duration.median"
	Dist sim.Dist // in the key's unit (the scenario currency for costs, hours, per year)
	// Param marks a distribution's parameter: set by reading the scenario
	// again (Scenario.At) rather than by set.
	Param bool
	// Unit is a parameter's unit: "h", "/yr", "fraction" or "" (a plain
	// number); a scalar key's is the currency or a probability.
	Unit string
	set  func(sc *Scenario, x float64)
}

// uncertainNonNeg reads a non-negative number that may be written as a
// distribution, {dist = "lognormal", median = 8000, p95 = 20000} (any dist
// of dist, with plain numbers). It returns the number, or the
// distribution's mean, and records an uncertain one under name with set,
// which puts a value into a copy of the scenario (Scenario.WithValues).
func (t *table) uncertainNonNeg(key, name string, def float64, set func(sc *Scenario, x float64)) float64 {
	return t.uncertain(key, name, def, unitNumber, t.nonNeg, set)
}

// uncertainProb is uncertainNonNeg for a probability: a plain one as prob
// reads it, or a distribution within [0, 1] (uniform, triangular; the
// expected loss is linear in a probability of one event, so its mean
// stands for it elsewhere).
func (t *table) uncertainProb(key, name string, def float64, set func(sc *Scenario, x float64)) float64 {
	return t.uncertain(key, name, def, unitFraction, t.prob, set)
}

func (t *table) uncertain(key, name string, def float64, unit distUnit, plain func(string, float64) float64, set func(sc *Scenario, x float64)) float64 {
	v, ok := t.get(key)
	if !ok {
		return plain(key, def)
	}
	if _, isMap := v.(map[string]any); !isMap {
		return plain(key, def)
	}
	bad := sim.Dist{A: math.NaN()}
	d := t.uncertainDist(key, bad, unit)
	if math.IsNaN(d.A) {
		return def // reported
	}
	if d.Kind != sim.Const {
		t.r.uncertain = append(t.r.uncertain, UncertainValue{Key: name, Dist: d, set: set})
	}
	m := d.Mean()
	if math.IsNaN(m) || math.IsInf(m, 0) {
		t.r.errf(t.sub(key), "distribution has no finite mean")
		return def
	}
	return m
}

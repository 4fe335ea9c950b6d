package risk

import (
	"context"
	"errors"
	"fmt"
	"math"
)

// Precision is a target for RunToPrecision: every variant's AAL and its
// ReturnPeriod-year aggregate loss with a 95% CI half width at most
// RelHalfWidth of the estimate.
type Precision struct {
	RelHalfWidth float64 // e.g. 0.10
	ReturnPeriod float64 // years, e.g. 100; 0 checks the AAL only
	MaxYears     int     // stop here even if the target is not met
	// Checkpoint, when set, is called with the tables after every round
	// that simulated years and missed the target, before the next round
	// (a command saves them, so that a killed run loses at most the
	// round in progress). An error stops the run.
	Checkpoint func(tabs []*YLT, d *Design) error
}

// ErrImprecise is wrapped by RunToPrecision's error when MaxYears did not
// reach the target.
var ErrImprecise = errors.New("precision target not met")

// RunToPrecision runs cfg.Years years, then doubles the years (continuing
// from those already simulated, see Config.Prior) until the target is met
// or MaxYears is reached. Because year i's random numbers depend only on
// (Seed, i), and a conditional design assigns years to strata one at a time
// (every prefix balanced), the result equals a single Run with the final
// number of years — as long as a conditional design's pilot is complete
// after the first round (cfg.Years ≥ 4·50 years per stratum), which
// RunToPrecision ensures by starting there.
//
// cfg.Prior, when set, holds the tables an interrupted RunToPrecision of
// the same configuration and target returned: rounds the prior covers are
// read from it (their first years) without simulating, and the first round
// beyond it continues from it, so the result is identical to an
// uninterrupted run's.
//
// When MaxYears is reached first it returns the tables with an error
// wrapping ErrImprecise that says which estimate fell short.
func RunToPrecision(ctx context.Context, cfg *Config, simulate Simulate, p Precision) ([]*YLT, *Design, error) {
	if !(p.RelHalfWidth > 0) || p.MaxYears < 2 || p.ReturnPeriod < 0 {
		return nil, nil, fmt.Errorf("precision target: want a positive relative half width, MaxYears ≥ 2 and a return period ≥ 0 (got %+v)", p)
	}
	c := *cfg
	have := cfg.Prior // the longest tables known so far
	c.Prior = nil
	if d, err := Plan(&c); err == nil && d.Method == Conditional {
		c.Years = max(c.Years, 4*maxPilot*len(d.Strata))
	}
	c.Years = min(c.Years, p.MaxYears)
	for {
		had := 0
		c.Prior = nil
		if have != nil {
			had = have[0].Len()
			c.Prior = have
			if had > c.Years {
				c.Prior = prefix(have, c.Years)
			}
		}
		tabs, d, err := Run(ctx, &c, simulate)
		if err != nil {
			return tabs, d, err
		}
		if tabs[0].Len() >= had {
			have = tabs
		}
		short := shortfall(tabs, p)
		if short == "" {
			return tabs, d, nil
		}
		if c.Years >= p.MaxYears {
			return tabs, d, fmt.Errorf("%w after %d years: %s", ErrImprecise, c.Years, short)
		}
		if p.Checkpoint != nil && tabs[0].Len() > had {
			if err := p.Checkpoint(tabs, d); err != nil {
				return tabs, d, err
			}
		}
		c.Years = min(2*c.Years, p.MaxYears)
	}
}

// prefix returns the first n years of tabs (sharing their storage).
func prefix(tabs []*YLT, n int) []*YLT {
	out := make([]*YLT, len(tabs))
	for v, t := range tabs {
		c := *t
		c.truncate(n)
		out[v] = &c
	}
	return out
}

// shortfall describes the first estimate that misses the target, or "".
func shortfall(tabs []*YLT, p Precision) string {
	for _, t := range tabs {
		a := t.AAL()
		if h := (a.CI95[1] - a.CI95[0]) / 2; !(h <= p.RelHalfWidth*math.Abs(a.Mean)) {
			return fmt.Sprintf("%s: AAL %.4g ± %.4g", t.Variant, a.Mean, h)
		}
		if p.ReturnPeriod == 0 {
			continue
		}
		e := t.AEP([]float64{p.ReturnPeriod})[0]
		if h := (e.CI95[1] - e.CI95[0]) / 2; !(h <= p.RelHalfWidth*math.Abs(e.Loss)) {
			return fmt.Sprintf("%s: %g-year loss %.4g, 95%% CI [%.4g, %.4g]", t.Variant, p.ReturnPeriod, e.Loss, e.CI95[0], e.CI95[1])
		}
	}
	return ""
}

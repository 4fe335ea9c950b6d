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
// When MaxYears is reached first it returns the tables with an error
// wrapping ErrImprecise that says which estimate fell short.
func RunToPrecision(ctx context.Context, cfg *Config, simulate Simulate, p Precision) ([]*YLT, *Design, error) {
	if !(p.RelHalfWidth > 0) || p.MaxYears < 2 || p.ReturnPeriod < 0 {
		return nil, nil, fmt.Errorf("precision target: want a positive relative half width, MaxYears ≥ 2 and a return period ≥ 0 (got %+v)", p)
	}
	c := *cfg
	c.Prior = nil
	if d, err := Plan(&c); err == nil && d.Method == Conditional {
		c.Years = max(c.Years, 4*maxPilot*len(d.Strata))
	}
	c.Years = min(c.Years, p.MaxYears)
	for {
		tabs, d, err := Run(ctx, &c, simulate)
		if err != nil {
			return tabs, d, err
		}
		short := shortfall(tabs, p)
		if short == "" {
			return tabs, d, nil
		}
		if c.Years >= p.MaxYears {
			return tabs, d, fmt.Errorf("%w after %d years: %s", ErrImprecise, c.Years, short)
		}
		c.Prior = tabs
		c.Years = min(2*c.Years, p.MaxYears)
	}
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

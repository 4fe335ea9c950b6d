package risk

import (
	"context"
	"fmt"
)

// Build turns a point x of the uncertain inputs into an annual run: the
// configuration (frequencies, variants, years, seed) and the year
// simulator at that point. Keeping the seed the same at every point gives
// common random numbers across points, so that tornado swings and Sobol
// indices reflect the inputs rather than simulation noise.
type Build func(x []float64) (*Config, Simulate, error)

// Output is a number read from an annual run's tables (one per variant).
type Output struct {
	Name string
	Of   func(tabs []*YLT) float64
	// At, when set, is used instead of Of: an output that also depends on
	// the point x itself (an option's NPV, whose costs may be inputs).
	At func(x []float64, tabs []*YLT) float64
}

// NPVOf is option v's NPV at point x given its AAL reduction against
// variant 0 (the baseline).
func NPVOf(v int, name string, npv NPVFunc) Output {
	return Output{Name: name, At: func(x []float64, tabs []*YLT) float64 {
		return npv(v, x, tabs[0].AAL().Mean-tabs[v].AAL().Mean)
	}}
}

// AALOf is variant v's AAL.
func AALOf(v int, name string) Output {
	return Output{Name: name, Of: func(tabs []*YLT) float64 { return tabs[v].AAL().Mean }}
}

// AEPOf is variant v's T-year aggregate loss.
func AEPOf(v int, T float64, name string) Output {
	return Output{Name: name, Of: func(tabs []*YLT) float64 { return tabs[v].AEP([]float64{T})[0].Loss }}
}

// ReductionOf is the AAL of variant 0 (the baseline) less that of variant
// v: what option v saves a year.
func ReductionOf(v int, name string) Output {
	return Output{Name: name, Of: func(tabs []*YLT) float64 { return tabs[0].AAL().Mean - tabs[v].AAL().Mean }}
}

// Names returns the outputs' names, for Tornadoes and Sobol.
func Names(outs []Output) []string {
	n := make([]string, len(outs))
	for i, o := range outs {
		n[i] = o.Name
	}
	return n
}

// AnnualModel is the Model that runs the annual simulation built at x and
// reads the outputs from its tables: what Tornadoes and Sobol evaluate.
func AnnualModel(ctx context.Context, build Build, outs []Output) Model {
	return func(x []float64) ([]float64, error) {
		tabs, err := runAt(ctx, build, x)
		if err != nil {
			return nil, err
		}
		y := make([]float64, len(outs))
		for i, o := range outs {
			if o.At != nil {
				y[i] = o.At(x, tabs)
			} else {
				y[i] = o.Of(tabs)
			}
		}
		return y, nil
	}
}

// AnnualInner is the Inner of a two-level run that simulates the years
// built at each outer point and returns every variant's AAL, variant 0
// being the baseline.
func AnnualInner(ctx context.Context, build Build) Inner {
	return func(_ int, x []float64) ([]Estimate, error) {
		tabs, err := runAt(ctx, build, x)
		if err != nil {
			return nil, err
		}
		est := make([]Estimate, len(tabs))
		for v, t := range tabs {
			est[v] = t.AAL()
		}
		return est, nil
	}
}

func runAt(ctx context.Context, build Build, x []float64) ([]*YLT, error) {
	cfg, sim, err := build(x)
	if err != nil {
		return nil, fmt.Errorf("inputs %v: %w", x, err)
	}
	tabs, _, err := Run(ctx, cfg, sim)
	return tabs, err
}

package risk

import (
	"bytes"
	"context"
	"errors"
	"testing"
)

// TestRunToPrecision checks that the target is met, that the result equals
// one Run with the final number of years (for every method), and that an
// unreachable target reports ErrImprecise with the tables.
func TestRunToPrecision(t *testing.T) {
	for _, m := range []Method{Naive, Conditional, Importance} {
		t.Run(m.String(), func(t *testing.T) {
			cfg := twoVariants(m, 500, 4, 1.5, 0.006)
			p := Precision{RelHalfWidth: 0.1, ReturnPeriod: 100, MaxYears: 1 << 20}
			tabs, _, err := RunToPrecision(context.Background(), cfg, twoTypesSim, p)
			if err != nil {
				t.Fatal(err)
			}
			if s := shortfall(tabs, p); s != "" {
				t.Fatalf("target not met: %s", s)
			}
			n := tabs[0].Len()
			t.Logf("%v: %d years", m, n)
			one := *cfg
			one.Years = n
			direct, _, err := Run(context.Background(), &one, twoTypesSim)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(csvBytes(t, tabs), csvBytes(t, direct)) {
				t.Errorf("doubling to %d years differs from one run of %d years", n, n)
			}
		})
	}
	cfg := &Config{Incidents: twoTypes.inc, Years: 100, Seed: 4, Method: Naive}
	tabs, _, err := RunToPrecision(context.Background(), cfg, twoTypesSim, Precision{RelHalfWidth: 0.001, ReturnPeriod: 100, MaxYears: 800})
	if !errors.Is(err, ErrImprecise) || len(tabs) != 1 || tabs[0].Len() != 800 {
		t.Errorf("unreachable target: error %v, %d tables", err, len(tabs))
	}
}

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

// TestRunToPrecisionResume interrupts RunToPrecision in several rounds
// (inside the first, inside a later one) and resumes from the tables it
// returned, directly and through ylt.csv: the result is byte-identical to
// an uninterrupted run, for every method. Checkpoints come after each
// round that missed the target, with the years simulated so far.
func TestRunToPrecisionResume(t *testing.T) {
	for _, m := range []Method{Naive, Conditional, Importance} {
		t.Run(m.String(), func(t *testing.T) {
			cfg := func() *Config { return twoVariants(m, 500, 4, 1.5, 0.006) }
			var points []int
			p := Precision{RelHalfWidth: 0.1, ReturnPeriod: 100, MaxYears: 1 << 20,
				Checkpoint: func(tabs []*YLT, _ *Design) error { points = append(points, tabs[0].Len()); return nil }}
			full, _, err := RunToPrecision(context.Background(), cfg(), twoTypesSim, p)
			if err != nil {
				t.Fatal(err)
			}
			n := full[0].Len()
			if len(points) == 0 || points[len(points)-1] >= n {
				t.Fatalf("checkpoints at %v for a run of %d years", points, n)
			}
			want := csvBytes(t, full)
			p.Checkpoint = nil
			for _, stopAt := range []uint64{7, uint64(n) * 3 / 4} {
				ctx, cancel := context.WithCancel(context.Background())
				stopping := func(w, v int, in *YearInput, out *YearOutcome) error {
					if in.Rep >= stopAt { // not ==: on a loaded machine another worker may finish every later year first
						cancel()
					}
					return twoTypesSim(w, v, in, out)
				}
				part, _, err := RunToPrecision(ctx, cfg(), stopping, p)
				cancel()
				if !errors.Is(err, context.Canceled) {
					t.Fatalf("stop at %d: error %v", stopAt, err)
				}
				back, err := ReadCSV(bytes.NewReader(csvBytes(t, part)), "ylt.csv", m)
				if err != nil {
					t.Fatal(err)
				}
				c := cfg()
				c.Prior = back
				got, _, err := RunToPrecision(context.Background(), c, twoTypesSim, p)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(csvBytes(t, got), want) {
					t.Errorf("stop at year %d (%d kept): resumed result differs from an uninterrupted run", stopAt, part[0].Len())
				}
			}
		})
	}
}

package risk

import (
	"bytes"
	"context"
	"errors"
	"testing"
)

// TestInterruptResume interrupts a run part-way, checks the returned tables
// hold a finished prefix of years, resumes from them (directly and through
// ylt.csv) and checks the result is byte-identical to an uninterrupted run,
// for every method.
func TestInterruptResume(t *testing.T) {
	for _, m := range []Method{Naive, Conditional, Importance} {
		t.Run(m.String(), func(t *testing.T) {
			cfg := func() *Config { return twoVariants(m, 3000, 21, 1.0, 0.005) }
			full, _, err := Run(context.Background(), cfg(), twoTypesSim)
			if err != nil {
				t.Fatal(err)
			}
			want := csvBytes(t, full)

			for _, stopAt := range []uint64{5, 1700} { // inside the pilot and after it
				ctx, cancel := context.WithCancel(context.Background())
				stopping := func(w, v int, in *YearInput, out *YearOutcome) error {
					if in.Rep >= stopAt { // not ==: on a loaded machine another worker may finish every later year first
						cancel()
					}
					return twoTypesSim(w, v, in, out)
				}
				part, _, err := Run(ctx, cfg(), stopping)
				cancel()
				if !errors.Is(err, context.Canceled) {
					t.Fatalf("stop at %d: error %v, want one wrapping context.Canceled", stopAt, err)
				}
				n := part[0].Len()
				if n == 0 || n >= 3000 {
					t.Fatalf("stop at %d: %d years kept", stopAt, n)
				}
				c := cfg()
				c.Prior = part
				got, _, err := Run(context.Background(), c, twoTypesSim)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(csvBytes(t, got), want) {
					t.Errorf("stop at %d (%d years kept): resumed tables differ from an uninterrupted run", stopAt, n)
				}
				if stopAt < 100 {
					continue
				}
				// Through ylt.csv, as a resumed command would read it.
				back, err := ReadCSV(bytes.NewReader(csvBytes(t, part)), "ylt.csv", m)
				if err != nil {
					t.Fatal(err)
				}
				c = cfg()
				c.Prior = back
				got, _, err = Run(context.Background(), c, twoTypesSim)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(csvBytes(t, got), want) {
					t.Errorf("stop at %d: resumed through ylt.csv, tables differ from an uninterrupted run", stopAt)
				}
			}
		})
	}
}

func TestPriorMismatch(t *testing.T) {
	base := &Config{Incidents: twoTypes.inc, Years: 100, Seed: 1, Method: Naive}
	prior, _, err := Run(context.Background(), base, twoTypesSim)
	if err != nil {
		t.Fatal(err)
	}
	c := *base
	c.Years = 50
	c.Prior = prior
	if _, _, err := Run(context.Background(), &c, twoTypesSim); err == nil {
		t.Error("a prior of 100 years accepted for a 50-year run")
	}
	c = *base
	c.Variants = []Variant{{Name: "other", PerYear: []float64{1, 1}}}
	c.Prior = prior
	if _, _, err := Run(context.Background(), &c, twoTypesSim); err == nil {
		t.Error("a prior of another variant accepted")
	}
}

func csvBytes(t *testing.T, tabs []*YLT) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := WriteCSV(&b, tabs); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

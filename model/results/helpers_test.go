package results

import (
	"bytes"
	"math"
	"math/rand/v2"
	"os"
	"testing"
	"time"
)

// awkward are floats whose decimal text is easy to get wrong: inexact
// binary fractions, subnormals, extremes, negative zero.
var awkward = []float64{
	0.1, 0.2, 0.30000000000000004, 1.0 / 3, 2.0 / 3, 1e-300, 5e-324, 2.2250738585072014e-308,
	math.MaxFloat64, 1e21, 1e-7, 123456789.123456789, math.Copysign(0, -1), 0, math.Pi * 1e15,
	float64(1<<53 + 1), 7,
}

// outcomesFor returns a deterministic Outcome per variant for replication
// rep, the way the simulator's are: a function of the replication index
// only, so a shard computes the same numbers as a whole run. Every tenth
// value is an awkward float.
func outcomesFor(rep, variants, services int) []Outcome {
	r := rand.New(rand.NewPCG(uint64(rep), 0xdc51))
	x := func() float64 {
		if r.IntN(10) == 0 {
			return awkward[r.IntN(len(awkward))]
		}
		return r.ExpFloat64() * math.Pow(10, float64(r.IntN(7)))
	}
	outs := make([]Outcome, variants)
	for v := range outs {
		o := &outs[v]
		o.Services = make([]ServiceOutcome, services)
		for s := range o.Services {
			o.Services[s] = ServiceOutcome{x(), x(), x(), x(), x(), x(), x(), x(), x(), x()}
		}
		o.AllServicesRecoveredH, o.UserHoursLost, o.RequestsLost = x(), x(), x()
		o.RevenueLost, o.DataLostS, o.HardwareCost, o.Loss = x(), x(), x(), x()
		o.DataRestoredTB, o.DataLostTB = x(), x()
	}
	return outs
}

var (
	testVariants = []string{"baseline", "second-site, \"hot\""}
	testServices = []string{"auth", "kakaotalk", "pay"}
)

// fill adds replications [from, to) of outcomesFor to c.
func fill(t testing.TB, c *Collector, from, to int) {
	t.Helper()
	for rep := from; rep < to; rep++ {
		c.Add(rep, outcomesFor(rep, len(c.Variants()), len(c.Services())))
	}
}

func newTestCollector(t testing.TB, first int) *Collector {
	t.Helper()
	c, err := NewCollector("test-scenario", testVariants, testServices, first)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// testManifest returns the manifest a caller would build for a run.
func testManifest(reps int, shard string) Manifest {
	return Manifest{
		Command: "run", Version: "v0.0.0-test", Seed: 42, Replications: reps, Shard: shard, Workers: 2,
		Started: time.Date(2022, 10, 15, 6, 19, 0, 0, time.UTC), Options: map[string]string{"horizon": "14d"},
	}
}

// checkSameFile fails unless the files have identical bytes.
func checkSameFile(t *testing.T, a, b string) {
	t.Helper()
	x, err := os.ReadFile(a)
	if err != nil {
		t.Fatal(err)
	}
	y, err := os.ReadFile(b)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(x, y) {
		t.Errorf("%s (%d bytes) and %s (%d bytes) differ", a, len(x), b, len(y))
	}
}

// sameBits reports whether the slices hold bit-identical float64s.
func sameBits(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Float64bits(a[i]) != math.Float64bits(b[i]) {
			return false
		}
	}
	return true
}

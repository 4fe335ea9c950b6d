package risk

import (
	"context"
	"math"
	"testing"

	"github.com/dcsim/dcsim/sim"
)

// constantBuild is a catalogue of one incident type costing c, with an
// option that halves its frequency; the inputs are the frequency and c.
// AAL = λc exactly, and the option saves λc/2.
func constantBuild(x []float64) (*Config, Simulate, error) {
	lam, c := x[0], x[1]
	cfg := &Config{
		Incidents: []Incident{{"fire", lam}},
		Variants:  []Variant{{Name: "baseline", PerYear: []float64{lam}}, {Name: "halve", PerYear: []float64{lam / 2}}},
		Years:     4000, Seed: 9, Method: Naive, Workers: 1,
	}
	return cfg, constantSim(c), nil
}

// TestAnnualSensitivity runs a tornado and a two-level Monte Carlo through
// the annual driver on a model whose answers are known: AAL = λc, so in
// the tornado the swing of λ is c_med·(λ90 − λ10) up to simulation noise,
// and in the two-level run the option always saves money (NPV = saving
// minus a cost far below it) and is best at every point.
func TestAnnualSensitivity(t *testing.T) {
	inputs := []Input{
		{"fire.frequency", sim.LognormalMedianP95(0.5, 2)},
		{"fire.cost", sim.Dist{Kind: sim.Uniform, A: 1e6, B: 3e6}},
	}
	outs := []Output{AALOf(0, "aal"), ReductionOf(1, "saving"), AEPOf(0, 10, "aep10")}
	tor, err := Tornadoes(inputs, Names(outs), AnnualModel(context.Background(), constantBuild, outs))
	if err != nil {
		t.Fatal(err)
	}
	med := Medians(inputs)
	for _, b := range tor[0].Bars {
		var want float64
		if b.Input == "fire.frequency" {
			want = med[1] * (b.X90 - b.X10)
		} else {
			want = med[0] * (b.X90 - b.X10)
		}
		if math.Abs(b.Swing-want) > 0.15*want {
			t.Errorf("AAL swing of %s = %.4g, want ≈ %.4g", b.Input, b.Swing, want)
		}
	}
	tl := &TwoLevel{
		Inputs: inputs, Options: []string{"baseline", "halve"}, Outer: 20, Seed: 1,
		Inner: AnnualInner(context.Background(), constantBuild),
		NPV:   func(_ int, _ []float64, red float64) float64 { return red - 1e4 },
	}
	u, err := tl.Run()
	if err != nil {
		t.Fatal(err)
	}
	if o := u.Options[1]; o.PBest.P != 1 || o.PBeatsNothing.P != 1 {
		t.Errorf("halving the fire frequency: P(best) %v, P(beats nothing) %v; want 1 and 1", o.PBest, o.PBeatsNothing)
	}
	if o := u.Options[0]; !(o.InnerNoise > 0 && o.InnerNoise < 0.2) {
		t.Errorf("inner noise share %v: the inner loop should be small against the input spread", o.InnerNoise)
	}
}

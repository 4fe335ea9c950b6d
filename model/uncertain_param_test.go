package model

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dcsim/dcsim/model/risk"
	"github.com/dcsim/dcsim/sim"
)

// uncertainFire is example.toml with a catalogue of its battery fire,
// whose time to extinguish has median written as median (a duration or a
// distribution of one).
func uncertainFire(t *testing.T, median string) *Scenario {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "scenarios", "example.toml"))
	if err != nil {
		t.Fatal(err)
	}
	const line = `extinguish = { dist = "lognormal", median = "6h", p95 = "12h" }`
	if !strings.Contains(string(b), line) {
		t.Fatal("example.toml's fire has changed; update this test")
	}
	src := strings.Replace(string(b), line, `extinguish = { dist = "lognormal", median = `+median+`, p95 = "40h" }`, 1) + `
[[incidents]]
name = "fire"
hazard = "battery_fire"
site = "alpha"
domain = "a1"
start = "random"
frequency = "0.5/yr"
`
	sc, err := Parse("fire.toml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

// TestUncertainParamTornado is the hand check: the only uncertain input is
// the median time to extinguish a fire. Its key names it; dcsim run uses its
// mean; the tornado's AAL at the median's P10 and P90 rises with the
// median and equals, bit for bit, a run of the same seed with the median
// written as that number (common random numbers).
func TestUncertainParamTornado(t *testing.T) {
	sc := uncertainFire(t, `{ dist = "lognormal", median = "6h", p95 = "15h" }`)
	if len(sc.Uncertain) != 1 {
		t.Fatalf("uncertain inputs %+v", sc.Uncertain)
	}
	u := sc.Uncertain[0]
	if u.Key != "sites[alpha].fire.extinguish.median" || !u.Param || u.Unit != "h" {
		t.Fatalf("uncertain input %+v", u)
	}
	if want := sim.LognormalMedianP95(sim.LognormalMedianP95(6, 15).Mean(), 40); sc.Sites[0].Fire.Extinguish != want {
		t.Errorf("central time to extinguish %v, want %v (the median's mean)", sc.Sites[0].Fire.Extinguish, want)
	}
	plan, err := NewPlan(sc, nil)
	if err != nil {
		t.Fatal(err)
	}
	const years, seed = 3000, 7
	ann := NewAnnual(plan, 2)
	inputs, _ := ann.UncertainInputs()
	if kinds, units := ann.InputKinds(); len(inputs) != 1 || inputs[0].Name != u.Key || kinds[0] != "parameter" || units[0] != "h" {
		t.Fatalf("inputs %+v, kinds %v %v", inputs, kinds, units)
	}
	build := func(x []float64) (*risk.Config, risk.Simulate, error) {
		cfg, at, err := ann.At(x, years, seed, risk.Naive, 2)
		if err != nil {
			return nil, nil, err
		}
		return cfg, at.Simulate, nil
	}
	tor, err := risk.Tornadoes(inputs, []string{"AAL"}, risk.AnnualModel(context.Background(), build, []risk.Output{risk.AALOf(0, "AAL")}))
	if err != nil {
		t.Fatal(err)
	}
	bar := tor[0].Bars[0]
	if !(bar.Low < tor[0].Base && tor[0].Base < bar.High) {
		t.Errorf("AAL at the median's P10 %.4g, at its median %.4g, at its P90 %.4g: want it rising with the fire's duration", bar.Low, tor[0].Base, bar.High)
	}
	direct := func(x float64) float64 {
		fixed := uncertainFire(t, fmt.Sprintf(`"%sh"`, fmtG(x)))
		if len(fixed.Uncertain) != 0 {
			t.Fatal("a plain median is not uncertain")
		}
		p, err := NewPlan(fixed, nil)
		if err != nil {
			t.Fatal(err)
		}
		a := NewAnnual(p, 1)
		tabs, _, err := risk.Run(context.Background(), a.Config(years, seed, risk.Naive, 1), a.Simulate)
		if err != nil {
			t.Fatal(err)
		}
		return tabs[0].AAL().Mean
	}
	if lo, hi := direct(bar.X10), direct(bar.X90); lo != bar.Low || hi != bar.High {
		t.Errorf("direct runs with the median at %gh and %gh: AAL %v and %v; the tornado has %v and %v", bar.X10, bar.X90, lo, hi, bar.Low, bar.High)
	}
	t.Logf("AAL %.4g at median %.3gh, %.4g at %.3gh, %.4g at %.3gh", bar.Low, bar.X10, tor[0].Base, inputs[0].At(0.5), bar.High, bar.X90)
}

func fmtG(x float64) string { return strings.TrimSuffix(fmt.Sprintf("%.17g", x), ".") }

// TestUncertainParamKinds reads uncertain parameters of fraction, number
// and duration distributions, checks that Scenario.At sets each (and
// only in the copy), and that a point whose tails cross gives way by the
// documented rule: the later key (p95, max) is raised to the earlier.
func TestUncertainParamKinds(t *testing.T) {
	src := strings.Replace(validBase, `suppression = "sprinkler"`, `suppression = "sprinkler"
destroyed_fraction = { dist = "uniform", min = 0.01, max = { dist = "triangular", min = 0.1, mode = 0.2, max = 0.3 } }
inspection = { dist = "weibull", shape = { dist = "uniform", min = 1, max = 3 }, scale = "6h" }
extinguish = { dist = "lognormal", median = { dist = "uniform", min = "4h", max = "8h" }, p95 = "8h" }`, 1) + `
[[incidents]]
name = "surge"
hazard = "traffic_surge"
services = ["chat"]
frequency = "1/yr"
start = "random"
multiplier = { dist = "triangular", min = 1, mode = { dist = "uniform", min = 2, max = 4 }, max = 6 }
duration = "2h"
`
	sc, err := Parse("p.toml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, u := range sc.Uncertain {
		keys = append(keys, u.Key+" "+u.Unit)
	}
	want := []string{"sites[alpha].fire.extinguish.median h", "sites[alpha].fire.inspection.shape ",
		"sites[alpha].fire.destroyed_fraction.max fraction", "incidents[surge].multiplier.mode "}
	if strings.Join(keys, "|") != strings.Join(want, "|") {
		t.Fatalf("uncertain parameters\n%q\nwant\n%q", keys, want)
	}
	f := sc.Sites[0].Fire
	if f.DestroyedFraction != (sim.Dist{Kind: sim.Uniform, A: 0.01, B: (sim.Dist{Kind: sim.Triangular, A: 0.1, B: 0.2, C: 0.3}).Mean()}) || f.Inspection != (sim.Dist{Kind: sim.Weibull, A: 2, B: 6}) ||
		f.Extinguish != sim.LognormalMedianP95(6, 8) || sc.Incidents[0].Multiplier != (sim.Dist{Kind: sim.Triangular, A: 1, B: 3, C: 6}) {
		t.Errorf("central values: %v %v %v %v", f.DestroyedFraction, f.Inspection, f.Extinguish, sc.Incidents[0].Multiplier)
	}
	cp, err := sc.At([]string{"sites[alpha].fire.destroyed_fraction.max", "sites[alpha].fire.inspection.shape", "sites[alpha].fire.extinguish.median", "incidents[surge].multiplier.mode"},
		[]float64{0.25, 1.5, 7.9999, 3.5})
	if err != nil {
		t.Fatal(err)
	}
	g := cp.Sites[0].Fire
	if g.DestroyedFraction.B != 0.25 || g.Inspection.A != 1.5 || g.Extinguish != sim.LognormalMedianP95(7.9999, 8) || cp.Incidents[0].Multiplier.B != 3.5 {
		t.Errorf("At: %v %v %v %v", g.DestroyedFraction, g.Inspection, g.Extinguish, cp.Incidents[0].Multiplier)
	}
	if sc.Sites[0].Fire != f {
		t.Error("At changed the original scenario")
	}
	// A median above the p95 in a tail: p95 rises to it (a point mass).
	cross := strings.Replace(src, `median = { dist = "uniform", min = "4h", max = "8h" }, p95 = "8h"`, `median = { dist = "lognormal", median = "5h", p95 = "7h" }, p95 = "8h"`, 1)
	sc, err = Parse("p.toml", []byte(cross))
	if err != nil {
		t.Fatal(err)
	}
	cp, err = sc.At([]string{"sites[alpha].fire.extinguish.median"}, []float64{9.5})
	if err != nil {
		t.Fatal(err)
	}
	if e := cp.Sites[0].Fire.Extinguish; e != sim.LognormalMedianP95(9.5, 9.5) {
		t.Errorf("median 9.5h beyond p95 8h: %v, want a point mass at 9.5h", e)
	}
}

// TestUncertainParamErrors: each bad uncertain parameter is refused with
// its key path and line.
func TestUncertainParamErrors(t *testing.T) {
	for _, c := range []struct{ name, extra, want string }{
		{"uncertain inside uncertain",
			`extinguish = { dist = "lognormal", median = { dist = "lognormal", median = { dist = "uniform", min = "1h", max = "2h" }, p95 = "9h" }, p95 = "20h" }`,
			"sites[0].fire.extinguish.median.median: this distribution says what is known of an uncertain value"},
		{"missing dist",
			`extinguish = { dist = "lognormal", median = { median = "6h", p95 = "9h" }, p95 = "20h" }`,
			`sites[0].fire.extinguish.median.dist: missing "dist"`},
		{"ranges that cross",
			`extinguish = { dist = "lognormal", median = { dist = "uniform", min = "4h", max = "30h" }, p95 = "20h" }`,
			"sites[0].fire.extinguish.p95: the uncertain median and p95 overlap too much"},
		{"uncertain cost's parameter",
			`damage_cost = { dist = "uniform", min = 0, max = { dist = "uniform", min = 1, max = 2 } }`,
			"sites[0].fire.damage_cost.max: this distribution says what is known of an uncertain value"},
		{"uncertain fraction beyond 1",
			`destroyed_fraction = { dist = "uniform", min = 0, max = { dist = "uniform", min = 0.5, max = 1.5 } }`,
			"sites[0].fire.destroyed_fraction.max: fractions must lie between 0 and 1"},
		{"negative uncertain parameter",
			`inspection = { dist = "uniform", min = { dist = "uniform", min = "-1h", max = "1h" }, max = "6h" }`,
			"sites[0].fire.inspection.min"},
	} {
		src := strings.Replace(validBase, `suppression = "sprinkler"`, `suppression = "sprinkler"
`+c.extra, 1)
		_, err := Parse("bad.toml", []byte(src))
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "bad.toml:16:") {
			t.Errorf("%s: error %v\nwant one at bad.toml:16 containing %q", c.name, err, c.want)
		}
	}
	// A frequency is itself uncertain: its parameters are plain.
	src := validBase + `
[[incidents]]
name = "f"
hazard = "battery_fire"
site = "alpha"
domain = "a1"
frequency = { dist = "lognormal", median = { dist = "uniform", min = "0.1/yr", max = "1/yr" }, p95 = "2/yr" }
`
	if _, err := Parse("bad.toml", []byte(src)); err == nil || !strings.Contains(err.Error(), "incidents[0].frequency.median: this distribution says what is known of an uncertain value") {
		t.Errorf("a frequency with an uncertain parameter: %v", err)
	}
}

package model

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/dcsim/dcsim/model/results"
	"github.com/dcsim/dcsim/sim"
)

// cmpExampleTOML is scenarios/example.toml with a frequency on [incident]
// (so the catalogue is that one incident) and three investments:
//
//   - "nothing": costs money, changes nothing (no patch, no multiplier);
//   - "same-values": a patch that writes values the scenario already has;
//   - "drills": whole-site drills, a real but moderate effect.
const cmpExampleTOML = `name = "cmp-example"
currency = "USD"
seed = 7
horizon = "7d"

[incident]
name = "alpha-fire"
hazard = "battery_fire"
site = "alpha"
domain = "a1"
start = 2024-03-09T15:00:00+09:00
frequency = "0.01/yr"

[operations]
drilled = false
ops_tools = ["ops-tools"]
ops_slowdown = 2
restore_crews = 2

[economics]
value_per_user_hour = 0.5

[[sites]]
name = "alpha"
zone_cutoffs = false
boot_rate = "200/h"
crews = 2
repower = { dist = "lognormal", median = "2h", p95 = "6h" }
server_cost = 8000

[sites.fire]
suppression = "sprinkler"
extinguish = { dist = "lognormal", median = "6h", p95 = "12h" }
power_cut_delay = { dist = "lognormal", median = "90m", p95 = "3h" }
spread_probability = 0.5
inspection = { dist = "lognormal", median = "4h", p95 = "10h" }
replacement_lead_time = { dist = "lognormal", median = "36h", p95 = "96h" }

[[sites.domains]]
name = "a1"
servers = 1000
neighbours = ["a2"]
ups = { chemistry = "li-ion", ride_through = "10m" }

[[sites.domains]]
name = "a2"
servers = 1000
neighbours = ["a1"]

[[sites]]
name = "beta"
boot_rate = "200/h"

[[sites.domains]]
name = "b1"
servers = 2000

[[services]]
name = "failover-ctl"
kind = "control"
priority = 1
servers = 20
placement = [{ site = "alpha", share = 1.0 }]

[[services]]
name = "ops-tools"
kind = "control"
priority = 2
servers = 50
placement = [{ site = "alpha", share = 1.0 }]

[[services]]
name = "chat"
priority = 10
mode = "active-standby"
standby = "warm"
servers = 1200
placement = [{ site = "alpha", share = 0.6 }, { site = "beta", share = 0.4 }]
failover_requires = ["failover-ctl", "ops-tools"]
failover = { auto = "10m", manual = { dist = "lognormal", median = "4h", p95 = "10h" } }
replication = "async"
peak_users = 200000
requests_per_user_hour = 60
revenue_per_hour = 2000

[[services]]
name = "web"
priority = 20
mode = "active-active"
servers = 800
utilisation = 0.5
placement = [{ site = "alpha", share = 0.5 }, { site = "beta", share = 0.5 }]
peak_users = 100000
requests_per_user_hour = 30

[[services]]
name = "reports"
priority = 50
mode = "single-site"
servers = 200
placement = [{ site = "alpha", share = 1.0 }]
profile = "business"
peak_users = 5000

[[investments]]
name = "nothing"
capex = 1000

[[investments]]
name = "same-values"
capex = 1000
opex_per_year = 10
[[investments.patch.services]]
name = "chat"
priority = 10
servers = 1200
placement = [{ site = "alpha", share = 0.6 }, { site = "beta", share = 0.4 }]
[[investments.patch.sites]]
name = "alpha"
zone_cutoffs = false
[investments.patch.operations]
restore_crews = 2

[[investments]]
name = "drills"
opex_per_year = 100
[investments.patch.operations]
drilled = true
`

// cmpParse parses a test scenario and fails the test on any problem.
func cmpParse(t *testing.T, src string) *Scenario {
	t.Helper()
	sc, err := Parse("test.toml", []byte(src))
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	return sc
}

// cmpRun simulates replications 0..n-1 of every model of plan with seed,
// as dcsim compare does, and returns the collected outcomes.
func cmpRun(t *testing.T, plan *Plan, seed uint64, n int) *results.Collector {
	t.Helper()
	var svcs []string
	for _, s := range plan.Base.Services {
		svcs = append(svcs, s.Name)
	}
	col, err := results.NewCollector(plan.Base.Name, plan.CollectorVariants(), svcs, 0)
	if err != nil {
		t.Fatal(err)
	}
	res := plan.Run(context.Background(), sim.RunConfig{Seed: seed, To: n, Workers: 2},
		func(rep int, out []results.Outcome) { col.Add(rep, out) })
	if !res.Complete {
		t.Fatalf("run incomplete: %+v", res)
	}
	return col
}

// cmpServiceIndex returns the index of the named service; it fails the test
// if there is none.
func cmpServiceIndex(t *testing.T, sc *Scenario, name string) int {
	t.Helper()
	for i, s := range sc.Services {
		if s.Name == name {
			return i
		}
	}
	t.Fatalf("no service %q", name)
	return -1
}

// cmpOption returns the comparison row of the named portfolio.
func cmpOption(t *testing.T, c *Comparison, name string) OptionResult {
	t.Helper()
	for _, o := range c.Options {
		if o.Name == name {
			return o
		}
	}
	t.Fatalf("no option %q in the comparison", name)
	return OptionResult{}
}

// An investment that changes nothing must show no effect at all: with
// common random numbers every replication of it is the baseline's, so the
// paired ALE difference is exactly 0 with the interval [0, 0]. Anything
// else means the variant does not share the baseline's random numbers or
// the overlay changed the scenario.
func TestCompareNoOpInvestmentHasExactlyZeroEffect(t *testing.T) {
	sc := cmpParse(t, cmpExampleTOML)
	noops := [][]string{{"nothing"}, {"same-values"}, {"nothing", "same-values"}}
	plan, err := NewPlan(sc, append(noops, []string{"drills"}))
	if err != nil {
		t.Fatal(err)
	}
	for v := 1; v <= len(noops); v++ {
		vs := plan.Variants[v]
		if !reflect.DeepEqual(vs.Sites, sc.Sites) || !reflect.DeepEqual(vs.Services, sc.Services) ||
			!reflect.DeepEqual(vs.Ops, sc.Ops) || !reflect.DeepEqual(vs.Incidents, sc.Incidents) ||
			!reflect.DeepEqual(vs.Economics, sc.Economics) {
			t.Errorf("%s: variant scenario differs from the baseline", plan.Names[v])
		}
	}
	const n = 300
	col := cmpRun(t, plan, 7, n)
	cmp := plan.Evaluate(col, Money{Years: 10, DiscountRate: 0.05})

	base := cmp.Options[0]
	if !(base.ALE.Mean > 0) {
		t.Fatalf("baseline ALE %v: the scenario should lose money", base.ALE.Mean)
	}
	for v := 1; v <= len(noops); v++ {
		o := cmp.Options[v]
		want := sim.Diff{Mean: 0, CI95: [2]float64{0, 0}, N: n}
		if o.ALEReduction != want {
			t.Errorf("%s: ALE reduction %+v, want exactly %+v", o.Name, o.ALEReduction, want)
		}
		if o.ALE != base.ALE {
			t.Errorf("%s: ALE %+v, want the baseline's %+v", o.Name, o.ALE, base.ALE)
		}
		if !reflect.DeepEqual(o.TimeToRecoverH, base.TimeToRecoverH) {
			t.Errorf("%s: recovery quantiles %v, want the baseline's %v", o.Name, o.TimeToRecoverH, base.TimeToRecoverH)
		}
		// Per replication, every metric of every service and of the fleet.
		for k := 0; k < n; k++ {
			if got, want := col.Outcome(v, k), col.Outcome(0, k); !reflect.DeepEqual(got, want) {
				t.Fatalf("%s: replication %d outcome\n%+v\nwant the baseline's\n%+v", o.Name, k, got, want)
			}
		}
	}
	// The same run does see a real option's effect, so the zeros above are
	// not an artefact of, say, every loss being zero.
	if d := cmpOption(t, cmp, "drills").ALEReduction; !(d.CI95[0] > 0) {
		t.Errorf("drills: ALE reduction %+v, want an interval above 0", d)
	}
}

// Common random numbers: replication k of the baseline and of an option
// draw the same random numbers, so their losses move together and the
// paired differences vary far less than differences between independent
// runs. Measured on this seed with 300 replications of "drills": var_CRN /
// var_indep = 0.082 (CI half-width ratio ≈ 0.29); the bound 0.25 leaves a
// 3x margin.
func TestCompareCommonRandomNumbersNarrowTheInterval(t *testing.T) {
	sc := cmpParse(t, cmpExampleTOML)
	plan, err := NewPlan(sc, [][]string{{"drills"}})
	if err != nil {
		t.Fatal(err)
	}
	const n, seed = 300, 7
	same := cmpRun(t, plan, seed, n)
	other := cmpRun(t, plan, seed+1000, n)
	base := same.OverallValues(0, "loss")
	crn := same.OverallValues(1, "loss")
	ind := other.OverallValues(1, "loss")
	var mc, mi sim.Moments
	for k := range base {
		mc.Add(base[k] - crn[k])
		mi.Add(base[k] - ind[k])
	}
	ratio := mc.Var() / mi.Var()
	t.Logf("drills: paired loss difference mean %.4g var %.4g (CRN), mean %.4g var %.4g (independent): ratio %.3f",
		mc.Mean, mc.Var(), mi.Mean, mi.Var(), ratio)
	if !(mi.Var() > 0) || !(mc.Mean > 0) {
		t.Fatalf("degenerate: CRN mean %v, independent variance %v", mc.Mean, mi.Var())
	}
	if !(ratio < 0.25) {
		t.Errorf("var_CRN / var_indep = %.3f, want < 0.25", ratio)
	}

	// Evaluate's interval is the paired one: f·(L_0k - L_1k) summarised.
	cmp := plan.Evaluate(same, Money{Years: 10, DiscountRate: 0.05})
	f := plan.Variants[1].Incidents[0].PerYear
	a0, a1 := make([]float64, n), make([]float64, n)
	for k := range base {
		a0[k], a1[k] = f*base[k], f*crn[k]
	}
	if got, want := cmp.Options[1].ALEReduction, sim.PairedDiff(a0, a1); got != want {
		t.Errorf("ALE reduction %+v, want the paired difference %+v", got, want)
	}
	if lo := cmp.Options[1].ALEReduction.CI95[0]; !(lo > 0) {
		t.Errorf("drills: ALE reduction CI %v should exclude 0", cmp.Options[1].ALEReduction.CI95)
	}
}

// The lesson of the Pangyo fire: with the failover controller and ops
// tooling also in Gasan, KakaoTalk fails over automatically instead of
// waiting for a manual failover without tools. Measured with the scenario
// seed and 300 replications: KakaoTalk P50 time to recover in the key
// incident 11.41 h → 1.91 h (factor 5.97); paired difference 10.16 h,
// 95% CI [9.55, 10.76].
func TestCompareKakaoControlPlaneSecondSite(t *testing.T) {
	sc, err := Load("../scenarios/kakao-2022.toml")
	if err != nil {
		t.Fatal(err)
	}
	const opt = "control-plane-2nd-site"
	plan, err := NewPlan(sc, [][]string{{opt}})
	if err != nil {
		t.Fatal(err)
	}
	const n = 300
	col := cmpRun(t, plan, sc.Seed, n)
	cmp := plan.Evaluate(col, Money{Years: 10, DiscountRate: 0.05})
	if cmp.KeyIncident != "pangyo-battery-fire" {
		t.Fatalf("key incident %q, want pangyo-battery-fire", cmp.KeyIncident)
	}
	p0 := cmp.Options[0].TimeToRecoverH["kakaotalk"].P50
	p1 := cmpOption(t, cmp, opt).TimeToRecoverH["kakaotalk"].P50

	nI := len(sc.Incidents)
	key := -1
	for i, in := range sc.Incidents {
		if in.Name == cmp.KeyIncident {
			key = i
		}
	}
	s := cmpServiceIndex(t, sc, "kakaotalk")
	d := sim.PairedDiff(col.Values(0*nI+key, s, "time_to_recover_h"), col.Values(1*nI+key, s, "time_to_recover_h"))
	t.Logf("kakaotalk P50 %.3g h → %.3g h (factor %.3g); paired difference %.4g h, CI [%.4g, %.4g]",
		p0, p1, p0/p1, d.Mean, d.CI95[0], d.CI95[1])
	if !(p1 > 0) || !(p0/p1 >= 3) {
		t.Errorf("kakaotalk P50 baseline %.3g h / with %s %.3g h = %.3g, want ≥ 3", p0, opt, p1, p0/p1)
	}
	if !(d.CI95[0] > 0) {
		t.Errorf("kakaotalk time to recover, baseline − %s: %+v, want a 95%% CI above 0", opt, d)
	}
	if red := cmpOption(t, cmp, opt).ALEReduction; !(red.CI95[0] > 0) {
		t.Errorf("%s: ALE reduction %+v, want a 95%% CI above 0", opt, red)
	}
}

// With a catalogue of one incident, A_k = 0 + f·L_k exactly, so
// compare.json's ALE mean is the Welford mean of the values f·L_k — that
// computation (sim.Summarize of f·L_k in replication order) is the one that
// reproduces it bit for bit. Evaluate's doc says more: "For a single
// incident, ALE = f · mean(L) exactly", and the per-incident row reports
// f · mean(L). Scaling by f commutes with every rounding in Welford's
// update only when f is a power of two; for other frequencies the two
// differ in the last bits.
func TestCompareSingleIncidentALEIsFrequencyTimesMeanLoss(t *testing.T) {
	for _, tc := range []struct {
		freq string
	}{
		{freq: "0.5/yr"},
		{freq: "0.01/yr"}, // not a power of two: f·mean(L) and mean(f·L) differ in the last bit
	} {
		t.Run(tc.freq, func(t *testing.T) {
			src := strings.Replace(cmpExampleTOML, `frequency = "0.01/yr"`, `frequency = "`+tc.freq+`"`, 1)
			sc := cmpParse(t, src)
			plan, err := NewPlan(sc, [][]string{{"drills"}})
			if err != nil {
				t.Fatal(err)
			}
			const n = 200
			col := cmpRun(t, plan, 11, n)
			cmp := plan.Evaluate(col, Money{Years: 10, DiscountRate: 0.05})
			for v, o := range cmp.Options {
				if len(o.Incidents) != 1 {
					t.Fatalf("%s: %d incidents, want 1", o.Name, len(o.Incidents))
				}
				f := plan.Variants[v].Incidents[0].PerYear
				loss := col.OverallValues(v, "loss")
				scaled := make([]float64, len(loss))
				for k, x := range loss {
					scaled[k] = f * x
				}
				// The interval and quantiles come from the draws f·L_k; the
				// mean is the defining f·mean(L), checked below.
				got, want := o.ALE, sim.Summarize(scaled)
				got.Mean, want.Mean = 0, 0
				if got != want {
					t.Errorf("%s: ALE %+v, want Summarize(f·L) %+v apart from the mean", o.Name, got, want)
				}
				wantMean := f * sim.Summarize(loss).Mean
				if o.ALE.Mean != wantMean || o.Incidents[0].ALE != wantMean {
					t.Errorf("%s: ALE mean %v, incident ALE %v, want f·mean(L) = %v exactly (difference %g)",
						o.Name, o.ALE.Mean, o.Incidents[0].ALE, wantMean, o.ALE.Mean-wantMean)
				}
				if o.Incidents[0].PerYear != f || o.Incidents[0].Loss != sim.Summarize(loss) {
					t.Errorf("%s: incident row %+v does not match f = %v and the loss summary", o.Name, o.Incidents[0], f)
				}
			}
		})
	}
}

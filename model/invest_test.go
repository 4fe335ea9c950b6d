package model

import (
	"errors"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/dcsim/dcsim/model/results"
	"github.com/dcsim/dcsim/sim"
)

// invExtraTOML adds investments to cmpExampleTOML for the overlay and
// money tests.
const invExtraTOML = `
[[investments]]
name = "x"
capex = 1000
opex_per_year = 10
lifetime_years = 4
source = "hand-made"

[[investments]]
name = "dear"
capex = 100
opex_per_year = 600

[[investments]]
name = "fire-tweak"
[[investments.patch.sites]]
name = "alpha"
[investments.patch.sites.fire]
spread_probability = 0.1
[investments.patch.operations]
drilled = true

[[investments]]
name = "by-name"
[[investments.patch.services]]
name = "web"
utilisation = 0.4
[[investments.patch.services]]
name = "failover-ctl"
mode = "active-active"
placement = [{ site = "alpha", share = 0.5 }, { site = "beta", share = 0.5 }]
[[investments.patch.services]]
name = "chat"
priority = 5
[[investments.patch.sites]]
name = "alpha"
[[investments.patch.sites.domains]]
name = "a2"
servers = 500

[[investments]]
name = "gamma"
[[investments.patch.sites]]
name = "gamma"
new = true
boot_rate = "100/h"
domains = [{ name = "g1", servers = 300 }]
[[investments.patch.services]]
name = "batch"
new = true
priority = 60
mode = "single-site"
servers = 100
placement = [{ site = "gamma", share = 1.0 }]

[[investments]]
name = "crews-3"
frequency_multiplier = { "alpha-fire" = 0.5 }
[investments.patch.operations]
restore_crews = 3

[[investments]]
name = "crews-5"
frequency_multiplier = { "*" = 0.3 }
[investments.patch.operations]
restore_crews = 5
`

func invScenario(t *testing.T) *Scenario {
	t.Helper()
	return cmpParse(t, cmpExampleTOML+invExtraTOML)
}

func invVariant(t *testing.T, sc *Scenario, names ...string) *Scenario {
	t.Helper()
	v, err := sc.Variant(names)
	if err != nil {
		t.Fatalf("Variant(%v): %v", names, err)
	}
	return v
}

// invIssues parses src, which must be invalid, and returns its issues.
func invIssues(t *testing.T, src string) []Issue {
	t.Helper()
	_, err := Parse("test.toml", []byte(src))
	var ve *ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("want a *ValidationError, got %v", err)
	}
	return ve.Issues
}

// invCheckIssue fails unless some issue has exactly path and a message
// containing every one of parts.
func invCheckIssue(t *testing.T, issues []Issue, path string, parts ...string) {
	t.Helper()
	for _, is := range issues {
		if is.Path != path {
			continue
		}
		ok := true
		for _, p := range parts {
			ok = ok && strings.Contains(is.Msg, p)
		}
		if ok {
			if is.Line == 0 {
				t.Errorf("issue at %s has no line", path)
			}
			return
		}
	}
	t.Errorf("no issue at %s mentioning %q; got:\n%v", path, parts, issues)
}

func invService(t *testing.T, sc *Scenario, name string) Service {
	t.Helper()
	return sc.Services[cmpServiceIndex(t, sc, name)]
}

func invSiteIndex(sc *Scenario, name string) int {
	for i, s := range sc.Sites {
		if s.Name == name {
			return i
		}
	}
	return -1
}

// A patched table keeps every key the patch does not name.
func TestPatchMergesTables(t *testing.T) {
	sc := invScenario(t)
	v := invVariant(t, sc, "fire-tweak")

	wantSites := slices.Clone(sc.Sites)
	wantSites[0].Fire.SpreadProbability = 0.1
	// Hall-to-hall spread defaults to the domain-to-domain figure.
	wantSites[0].Fire.HallSpreadProbability = 0.1
	if !reflect.DeepEqual(v.Sites, wantSites) {
		t.Errorf("sites after patching alpha's fire.spread_probability:\n%+v\nwant\n%+v", v.Sites, wantSites)
	}
	if sc.Sites[0].Fire.SpreadProbability != 0.5 {
		t.Errorf("the base scenario changed: spread probability %v", sc.Sites[0].Fire.SpreadProbability)
	}
	wantOps := sc.Ops
	wantOps.Drilled = true
	if !reflect.DeepEqual(v.Ops, wantOps) {
		t.Errorf("operations %+v, want %+v", v.Ops, wantOps)
	}
	if !reflect.DeepEqual(v.Services, sc.Services) || !reflect.DeepEqual(v.Incidents, sc.Incidents) {
		t.Errorf("fire-tweak changed services or incidents")
	}
}

// Arrays of named tables merge element by element, matched by name, in
// any order and at any depth; arrays without names (placement) replace.
func TestPatchMergesNamedArraysByName(t *testing.T) {
	sc := invScenario(t)
	v := invVariant(t, sc, "by-name")

	var names, baseNames []string
	for i := range v.Services {
		names = append(names, v.Services[i].Name)
		baseNames = append(baseNames, sc.Services[i].Name)
	}
	if !slices.Equal(names, baseNames) {
		t.Fatalf("services %v, want the base order %v", names, baseNames)
	}
	for i := range sc.Services {
		want := sc.Services[i]
		got := v.Services[i]
		switch want.Name {
		case "web":
			want.Utilisation = 0.4
		case "chat":
			want.Priority = 5
		case "failover-ctl":
			if got.Mode != ActiveActive || len(got.Placement) != 2 || got.Placement[0].Site != invSiteIndex(sc, "alpha") ||
				got.Placement[0].Share != 0.5 || got.Placement[1].Share != 0.5 ||
				got.Placement[1].Site != invSiteIndex(sc, "beta") {
				t.Errorf("failover-ctl: mode %q placement %+v, want active-active alpha 0.5, beta 0.5", got.Mode, got.Placement)
			}
			continue
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("service %s:\n%+v\nwant\n%+v", want.Name, got, want)
		}
	}
	a := v.Sites[0]
	if len(a.Domains) != 2 || a.Domains[0].Name != "a1" || a.Domains[1].Name != "a2" ||
		a.Domains[0].Servers != 1000 || a.Domains[1].Servers != 500 {
		t.Errorf("alpha's domains %+v, want a1 1000 servers, a2 500", a.Domains)
	}
	wantA := sc.Sites[0]
	wantA.Domains = a.Domains
	if !reflect.DeepEqual(a, wantA) || !reflect.DeepEqual(v.Sites[1], sc.Sites[1]) {
		t.Errorf("patching a domain changed other site fields")
	}
}

// new = true adds a site or service after the existing ones.
func TestPatchNewAddsElements(t *testing.T) {
	sc := invScenario(t)
	v := invVariant(t, sc, "gamma")
	if len(v.Sites) != len(sc.Sites)+1 || v.Sites[len(sc.Sites)].Name != "gamma" {
		t.Fatalf("sites %d (last %q), want %d with gamma last", len(v.Sites), v.Sites[len(v.Sites)-1].Name, len(sc.Sites)+1)
	}
	g := v.Sites[len(sc.Sites)]
	if len(g.Domains) != 1 || g.Domains[0].Name != "g1" || g.Domains[0].Servers != 300 || g.BootRate != 100 {
		t.Errorf("gamma %+v, want one domain g1 of 300 servers booted at 100/h", g)
	}
	if !reflect.DeepEqual(v.Sites[:len(sc.Sites)], sc.Sites) {
		t.Errorf("adding gamma changed the existing sites")
	}
	b := invService(t, v, "batch")
	if b.Mode != SingleSite || len(b.Placement) != 1 || b.Placement[0].Site != len(sc.Sites) || b.Servers != 100 {
		t.Errorf("batch %+v, want single-site, 100 servers in gamma", b)
	}
	if v.Services[len(v.Services)-1].Name != "batch" || len(v.Services) != len(sc.Services)+1 {
		t.Errorf("batch is not the one service added at the end")
	}
	if invSiteIndex(sc, "gamma") >= 0 {
		t.Errorf("the base scenario gained gamma")
	}
	// Variant works on a copy: doing it again does not find gamma present.
	if _, err := sc.Variant([]string{"gamma"}); err != nil {
		t.Errorf("second Variant(gamma): %v", err)
	}
}

func TestPatchErrors(t *testing.T) {
	base := cmpExampleTOML
	k := len(cmpParse(t, base).Investments) // index of the investment each case adds
	idx := fmt.Sprintf("investments[%d]", k)
	cases := []struct {
		name  string
		extra string
		path  string
		parts []string
	}{
		{"unknown service name", `
[[investments]]
name = "typo"
[[investments.patch.services]]
name = "chat"
priority = 3
[[investments.patch.services]]
name = "wbe"
priority = 3
`, idx + ".patch.services[1].name", []string{`no service named "wbe"`, `did you mean "web"?`, "new = true"}},
		{"unknown site name", `
[[investments]]
name = "typo"
[[investments.patch.sites]]
name = "alpah"
zone_cutoffs = true
`, idx + ".patch.sites[0].name", []string{`no site named "alpah"`, `did you mean "alpha"?`}},
		{"unknown domain name", `
[[investments]]
name = "typo"
[[investments.patch.sites]]
name = "alpha"
[[investments.patch.sites.domains]]
name = "a3"
servers = 10
`, idx + ".patch.sites[0].domains[0].name", []string{`no domain named "a3"`, `did you mean`}},
		{"new on an existing name", `
[[investments]]
name = "dup"
[[investments.patch.sites]]
name = "beta"
new = true
`, idx + ".patch.sites[0].new", []string{`"beta" already exists`}},
		{"patch makes shares not add up", `
[[investments]]
name = "bad-shares"
[[investments.patch.services]]
name = "chat"
placement = [{ site = "alpha", share = 0.6 }, { site = "beta", share = 0.6 }]
`, idx + ".patch.services[0].placement", []string{`investment "bad-shares" makes the scenario invalid`, `shares of service "chat" add up to 1.2`}},
		{"patch with an unknown key", `
[[investments]]
name = "bad-key"
[investments.patch.operations]
restore_crew = 3
`, idx + ".patch.operations.restore_crew", []string{"makes the scenario invalid", `unknown key "restore_crew"`, `did you mean "restore_crews"?`}},
		{"table onto a value", `
[[investments]]
name = "wrong-type"
[investments.patch.operations]
drilled = { x = 1 }
`, idx + ".patch.operations.drilled", []string{"cannot patch a table onto a boolean value"}},
		{"frequency multiplier of an unknown incident", `
[[investments]]
name = "fm"
frequency_multiplier = { "alpha-fir" = 0.5 }
`, idx + ".frequency_multiplier.alpha-fir", []string{`no incident named "alpha-fir"`, `did you mean "alpha-fire"?`}},
		{"negative frequency multiplier", `
[[investments]]
name = "fm"
frequency_multiplier = { "alpha-fire" = -1 }
`, idx + ".frequency_multiplier.alpha-fire", nil},
		{"baseline is reserved", `
[[investments]]
name = "baseline"
`, idx + ".name", []string{`"baseline"`}},
		{"duplicate investment", `
[[investments]]
name = "drills"
`, idx + ".name", []string{`duplicate investment name "drills"`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			invCheckIssue(t, invIssues(t, base+tc.extra), tc.path, tc.parts...)
		})
	}
}

// Writing new = false on an element that exists should mean "patch it",
// as leaving new out does.
func TestPatchExplicitNewFalse(t *testing.T) {
	sc := cmpParse(t, cmpExampleTOML+`
[[investments]]
name = "explicit"
[[investments.patch.services]]
name = "chat"
new = false
priority = 3
`)
	if p := invService(t, invVariant(t, sc, "explicit"), "chat").Priority; p != 3 {
		t.Errorf("chat priority %d, want 3", p)
	}
}

// Variant applies investments in the order given: later patches win, and
// frequency multipliers compose.
func TestVariantAppliesInvestmentsInOrder(t *testing.T) {
	sc := invScenario(t)
	f := sc.Incidents[0].PerYear
	for _, tc := range []struct {
		names []string
		crews int
		freq  float64
	}{
		{[]string{"crews-3"}, 3, f * 0.5},
		{[]string{"crews-5"}, 5, f * 0.3},
		{[]string{"crews-3", "crews-5"}, 5, f * 0.5 * 0.3},
		{[]string{"crews-5", "crews-3"}, 3, f * 0.3 * 0.5},
		{[]string{"crews-3", "fire-tweak", "gamma"}, 3, f * 0.5},
	} {
		v := invVariant(t, sc, tc.names...)
		if v.Ops.RestoreCrews != tc.crews || v.Incidents[0].PerYear != tc.freq {
			t.Errorf("%v: restore crews %d, frequency %v; want %d, %v", tc.names, v.Ops.RestoreCrews, v.Incidents[0].PerYear, tc.crews, tc.freq)
		}
		if sc.Ops.RestoreCrews != 2 || sc.Incidents[0].PerYear != f {
			t.Fatalf("Variant(%v) changed the base scenario", tc.names)
		}
	}
	v := invVariant(t, sc, "crews-3", "fire-tweak", "gamma")
	if !v.Ops.Drilled || v.Sites[0].Fire.SpreadProbability != 0.1 || invSiteIndex(v, "gamma") < 0 {
		t.Errorf("not every investment of crews-3+fire-tweak+gamma was applied")
	}
	if v, err := sc.Variant(nil); err != nil || v != sc {
		t.Errorf("Variant(nil) = %p, %v; want the scenario itself", v, err)
	}
	if _, err := sc.Variant([]string{"crews-4"}); err == nil || !strings.Contains(err.Error(), `no investment named "crews-4"`) ||
		!strings.Contains(err.Error(), "did you mean") {
		t.Errorf("Variant(crews-4): %v, want an unknown-investment error with a suggestion", err)
	}
}

// Two investments that are valid alone can be invalid together; Variant
// reports it rather than building a broken scenario.
func TestVariantReportsInvalidPortfolio(t *testing.T) {
	sc := cmpParse(t, cmpExampleTOML+`
[[investments]]
name = "add-delta"
[[investments.patch.sites]]
name = "delta"
new = true
domains = [{ name = "d1", servers = 10 }]
[[investments]]
name = "add-delta-too"
[[investments.patch.sites]]
name = "delta"
new = true
domains = [{ name = "d1", servers = 10 }]
`)
	_, err := sc.Variant([]string{"add-delta", "add-delta-too"})
	if err == nil || !strings.Contains(err.Error(), `"delta" already exists`) || !strings.Contains(err.Error(), "add-delta-too") {
		t.Errorf("Variant(add-delta, add-delta-too): %v, want delta already exists", err)
	}
}

func TestKakaoInvestments(t *testing.T) {
	sc, err := Load("../scenarios/kakao-2022.toml")
	if err != nil {
		t.Fatal(err)
	}
	if invSiteIndex(sc, "ansan") >= 0 {
		t.Fatalf("the base scenario already has ansan")
	}
	for _, iv := range sc.Investments {
		if _, err := sc.Variant([]string{iv.Name}); err != nil {
			t.Errorf("%s: %v", iv.Name, err)
		}
	}
	v := invVariant(t, sc, "own-datacenter")
	a := invSiteIndex(v, "ansan")
	if a < 0 || len(v.Sites) != len(sc.Sites)+1 {
		t.Fatalf("own-datacenter: sites %d, ansan at %d; want ansan added", len(v.Sites), a)
	}
	if d := v.Sites[a].Domains; len(d) != 2 || d[0].Servers != 20000 || d[1].Servers != 20000 {
		t.Errorf("ansan's domains %+v, want n1 and n2 with 20000 servers each", d)
	}
	placedIn := func(s Service, site int) bool {
		for _, p := range s.Placement {
			if p.Site == site {
				return true
			}
		}
		return false
	}
	gasan := invSiteIndex(sc, "gasan")
	for _, name := range []string{"failover-ctl", "ops-tools", "auth", "object-meta"} {
		if s := invService(t, v, name); s.Mode != ActiveActive || !placedIn(s, a) {
			t.Errorf("own-datacenter: %s mode %q placement %+v, want active-active with ansan", name, s.Mode, s.Placement)
		}
	}
	// Later investments win where both patch the same service.
	ctl := func(names ...string) Service { return invService(t, invVariant(t, sc, names...), "failover-ctl") }
	if s := ctl("control-plane-2nd-site", "own-datacenter"); !placedIn(s, a) || placedIn(s, gasan) {
		t.Errorf("control-plane-2nd-site then own-datacenter: failover-ctl placement %+v, want pangyo and ansan", s.Placement)
	}
	if s := ctl("own-datacenter", "control-plane-2nd-site"); placedIn(s, a) || !placedIn(s, gasan) {
		t.Errorf("own-datacenter then control-plane-2nd-site: failover-ctl placement %+v, want pangyo and gasan", s.Placement)
	}
	// battery-isolation multiplies only the fire's frequency.
	b := invVariant(t, sc, "battery-isolation")
	for i, in := range b.Incidents {
		want := sc.Incidents[i].PerYear
		if in.Name == "pangyo-battery-fire" {
			want *= 0.3
		}
		if in.PerYear != want {
			t.Errorf("battery-isolation: %s frequency %v, want %v", in.Name, in.PerYear, want)
		}
	}
	// Capex 20e9 over 5 years at 5%: 20e9·0.05/(1 - 1.05^-5) + 4e9.
	iv := sc.Investments[sc.InvestmentIndex("control-plane-2nd-site")]
	if got := iv.AnnualisedCost(0.05); !budCloseRel(got, 8619495962.565363, 1e-12) {
		t.Errorf("control-plane-2nd-site annualised cost %v, want 8619495962.565363", got)
	}
}

// Hand-computed (bc -l): capex 1000, opex 10/yr, lifetime 4 years.
func TestAnnualisedCost(t *testing.T) {
	iv := Investment{Capex: 1000, OpexPerYear: 10, LifetimeYears: 4}
	for _, tc := range []struct{ r, want float64 }{
		{0, 260},                  // 1000/4 + 10
		{0.05, 292.0118326034628}, // 1000·0.05/(1 - 1.05^-4) + 10
		{1, 1000*1/(1-math.Pow(2, -4)) + 10},
	} {
		if got := iv.AnnualisedCost(tc.r); !budCloseRel(got, tc.want, 1e-12) {
			t.Errorf("r = %v: %v, want %v", tc.r, got, tc.want)
		}
	}
	opexOnly := Investment{OpexPerYear: 7, LifetimeYears: 1}
	if got := opexOnly.AnnualisedCost(0.05); got != 7 {
		t.Errorf("opex only: %v, want 7", got)
	}
	sc := invScenario(t)
	if iv := sc.Investments[sc.InvestmentIndex("dear")]; iv.LifetimeYears != 10 {
		t.Errorf("default lifetime %v, want 10 years", iv.LifetimeYears)
	}
}

// invFakeRun is a Collector filled by hand: the baseline loses L_k in
// replication k and each option loses L_k - cut, so with f = 0.5/yr every
// paired ALE difference is exactly f·cut.
func invFakeRun(t *testing.T, plan *Plan, cuts []float64) *results.Collector {
	t.Helper()
	var svcs []string
	for _, s := range plan.Base.Services {
		svcs = append(svcs, s.Name)
	}
	col, err := results.NewCollector(plan.Base.Name, plan.CollectorVariants(), svcs, 0)
	if err != nil {
		t.Fatal(err)
	}
	for k, L := range []float64{1000, 3000, 2000, 2000} {
		out := make([]results.Outcome, len(plan.Variants))
		for v := range out {
			out[v] = results.Outcome{Services: make([]results.ServiceOutcome, len(svcs)), Loss: L - cuts[v]}
		}
		col.Add(k, out)
	}
	return col
}

// NPV, payback and risk reduction per cost from a Collector whose ALE
// reductions are known exactly, against values worked with bc -l:
//
//	x:     capex 1000, opex 10, life 4;  ΔALE 500
//	dear:  capex 100, opex 600, life 10; ΔALE 500 (less than its opex)
//	x+dear:                              ΔALE 750
//	nothing: capex 1000, no effect
func TestEvaluateMoney(t *testing.T) {
	src := strings.Replace(cmpExampleTOML, `frequency = "0.01/yr"`, `frequency = "0.5/yr"`, 1) + invExtraTOML
	sc := cmpParse(t, src)
	if f := sc.Incidents[0].PerYear; f != 0.5 {
		t.Fatalf("frequency %v, want 0.5", f)
	}
	plan, err := NewPlan(sc, [][]string{{"x"}, {"dear"}, {"x", "dear"}, {"nothing"}})
	if err != nil {
		t.Fatal(err)
	}
	col := invFakeRun(t, plan, []float64{0, 1000, 1000, 1500, 0})
	ptr := func(x float64) *float64 { return &x }
	type row struct {
		npv, annual  float64
		payback, rpc *float64
		capex, opex  float64
		reduction    float64
		onFrontier   bool
		sources      []string
		investments  []string
	}
	for _, tc := range []struct {
		money Money
		rows  []row // baseline, x, dear, x+dear, nothing
	}{
		{Money{Years: 10, DiscountRate: 0.05}, []row{
			{0, 0, nil, nil, 0, 0, 0, true, nil, []string{}},
			// 490·Σ_{t=1..10} 1.05^-t - 1000·(1 + 1.05^-4 + 1.05^-8)
			{1284.1082784799889, 292.0118326034628, ptr(1000.0 / 490), ptr(1.712259381896262), 1000, 10, 500, true, []string{"x: hand-made"}, []string{"x"}},
			// -100·Σ 1.05^-t - 100; capex once (its life is the horizon)
			{-872.1734929184813, 612.9504574965457, nil, ptr(0.8157266119714378), 100, 600, 500, false, nil, []string{"dear"}},
			// 140·Σ 1.05^-t - 1000·(1 + 1.05^-4 + 1.05^-8) - 100
			{-1518.4989467346954, 292.0118326034628 + 612.9504574965457, ptr(1100.0 / 140), ptr(0.8287638150282667), 1100, 610, 750, true, []string{"x: hand-made"}, []string{"x", "dear"}},
			{-1000, 1000 * 0.05 / (1 - math.Pow(1.05, -10)), nil, ptr(0), 1000, 0, 0, false, nil, []string{"nothing"}},
		}},
		// r = 0: x pays 490/yr for 10 years and buys 3 sets of capex; over
		// 2.5 years it gets 2.5 years of savings and buys once.
		{Money{Years: 10, DiscountRate: 0}, []row{
			{0, 0, nil, nil, 0, 0, 0, true, nil, []string{}},
			{10*490 - 3000, 260, ptr(1000.0 / 490), ptr(500.0 / 260), 1000, 10, 500, true, []string{"x: hand-made"}, []string{"x"}},
			{-1000 - 100, 610, nil, ptr(500.0 / 610), 100, 600, 500, false, nil, []string{"dear"}},
			{10*140 - 3000 - 100, 870, ptr(1100.0 / 140), ptr(750.0 / 870), 1100, 610, 750, true, []string{"x: hand-made"}, []string{"x", "dear"}},
			{-1000, 100, nil, ptr(0), 1000, 0, 0, false, nil, []string{"nothing"}},
		}},
		{Money{Years: 2.5, DiscountRate: 0}, []row{
			{0, 0, nil, nil, 0, 0, 0, true, nil, []string{}},
			{2.5*490 - 1000, 260, ptr(1000.0 / 490), ptr(500.0 / 260), 1000, 10, 500, true, []string{"x: hand-made"}, []string{"x"}},
			{2.5*-100 - 100, 610, nil, ptr(500.0 / 610), 100, 600, 500, false, nil, []string{"dear"}},
			{2.5*140 - 1100, 870, ptr(1100.0 / 140), ptr(750.0 / 870), 1100, 610, 750, true, []string{"x: hand-made"}, []string{"x", "dear"}},
			{-1000, 100, nil, ptr(0), 1000, 0, 0, false, nil, []string{"nothing"}},
		}},
	} {
		cmp := plan.Evaluate(col, tc.money)
		if cmp.Years != tc.money.Years || cmp.DiscountRate != tc.money.DiscountRate || cmp.Replications != 4 ||
			cmp.KeyIncident != "alpha-fire" || cmp.Currency != "USD" || cmp.Scenario != "cmp-example" {
			t.Errorf("%+v: header %+v", tc.money, cmp)
		}
		for v, want := range tc.rows {
			got := cmp.Options[v]
			what := func(field string) string { return got.Name + " " + field }
			eqPtr := func(field string, g, w *float64) {
				switch {
				case (g == nil) != (w == nil):
					t.Errorf("%+v: %s = %v, want %v", tc.money, what(field), g, w)
				case g != nil && !budCloseRel(*g, *w, 1e-12):
					t.Errorf("%+v: %s = %v, want %v", tc.money, what(field), *g, *w)
				}
			}
			if !budCloseRel(got.NPV, want.npv, 1e-12) {
				t.Errorf("%+v: %s = %v, want %v", tc.money, what("NPV"), got.NPV, want.npv)
			}
			if !budCloseRel(got.AnnualisedCost, want.annual, 1e-12) {
				t.Errorf("%+v: %s = %v, want %v", tc.money, what("annualised cost"), got.AnnualisedCost, want.annual)
			}
			eqPtr("payback years", got.PaybackYears, want.payback)
			eqPtr("risk reduction per cost", got.ReductionPerCost, want.rpc)
			d := got.ALEReduction
			if d.Mean != want.reduction || d.CI95 != [2]float64{want.reduction, want.reduction} || d.N != 4 {
				t.Errorf("%s = %+v, want exactly %v", what("ALE reduction"), d, want.reduction)
			}
			if got.Capex != want.capex || got.OpexPerYear != want.opex || got.OnParetoFrontier != want.onFrontier ||
				!slices.Equal(got.Sources, want.sources) || !slices.Equal(got.Investments, want.investments) || got.Investments == nil {
				t.Errorf("%+v: %s: capex %v opex %v pareto %v sources %q investments %q; want %v %v %v %q %q", tc.money, got.Name,
					got.Capex, got.OpexPerYear, got.OnParetoFrontier, got.Sources, got.Investments,
					want.capex, want.opex, want.onFrontier, want.sources, want.investments)
			}
		}
	}
}

// markPareto on a hand-made set of (annualised cost, mean ALE) rows.
func TestMarkPareto(t *testing.T) {
	rows := []struct {
		name       string
		cost, ale  float64
		onFrontier bool
	}{
		{"baseline", 0, 100, true},
		{"A", 10, 50, true},
		{"B", 10, 60, false},  // A: same cost, less risk
		{"C", 20, 50, false},  // A: same risk, cheaper
		{"D", 30, 10, true},   // cheapest at this risk
		{"E", 30, 10, true},   // D's twin: neither is strictly better
		{"F", 5, 100, false},  // baseline: cheaper, same risk
		{"G", 40, 10, false},  // D
		{"H", 50, 5, true},    // least risk
		{"I", 60, 5, false},   // H
		{"J", 45, 9.99, true}, // between D and H
	}
	opts := make([]OptionResult, len(rows))
	for i, r := range rows {
		opts[i] = OptionResult{Name: r.name, AnnualisedCost: r.cost, ALE: sim.Stat{Mean: r.ale}, OnParetoFrontier: !r.onFrontier}
	}
	markPareto(opts)
	for i, r := range rows {
		if opts[i].OnParetoFrontier != r.onFrontier {
			t.Errorf("%s (cost %v, ALE %v): on frontier %v, want %v", r.name, r.cost, r.ale, opts[i].OnParetoFrontier, r.onFrontier)
		}
	}
	one := []OptionResult{{Name: "baseline", ALE: sim.Stat{Mean: 1}}}
	if markPareto(one); !one[0].OnParetoFrontier {
		t.Errorf("a single row is on its own frontier")
	}
}

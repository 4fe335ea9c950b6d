package main

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRiskCommand runs dcsim risk on kakao-2022 with two options and checks
// the results contract: risk.json with every variant's AAL, AEP/OEP at the
// nine return periods, TVaR, services and incident shares; ylt.csv; the
// charts; the same numbers again from the same seed; and bad input.
func TestRiskCommand(t *testing.T) {
	sc := cliScenario(t, "kakao-2022")
	dir := t.TempDir()
	out := filepath.Join(dir, "risk")
	args := []string{"risk", sc, "--options", "site-drills,control-plane-2nd-site", "--years", "400", "--max-years", "400",
		"--out", out, "--workers", "2", "--quiet"}
	r := cliRun(t, args...)
	if r.code != 0 || !strings.Contains(r.stdout, "baseline") || !strings.Contains(r.stdout, "site-drills") {
		t.Fatalf("want exit 0 and a table:\n%s", r)
	}
	var f struct {
		Complete bool `json:"complete"`
		Years    int  `json:"years"`
		Variants []struct {
			Variant string `json:"variant"`
			AAL     struct {
				Mean float64    `json:"mean"`
				CI95 [2]float64 `json:"ci95"`
			} `json:"aal"`
			AEP []struct {
				T    float64 `json:"return_period_years"`
				Loss float64 `json:"loss"`
			} `json:"aep"`
			OEP       []json.RawMessage `json:"oep"`
			TVaR      []json.RawMessage `json:"tvar"`
			Services  []json.RawMessage `json:"services"`
			Incidents []struct {
				Name  string  `json:"name"`
				Share float64 `json:"share"`
			} `json:"incidents"`
		} `json:"variants"`
	}
	b := cliReadFile(t, filepath.Join(out, "risk.json"))
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	if !f.Complete || f.Years != 400 || len(f.Variants) != 3 {
		t.Fatalf("risk.json: complete %v, %d years, %d variants; want true, 400, 3", f.Complete, f.Years, len(f.Variants))
	}
	for _, v := range f.Variants {
		if !(v.AAL.Mean > 0) || !(v.AAL.CI95[0] <= v.AAL.Mean && v.AAL.Mean <= v.AAL.CI95[1]) {
			t.Errorf("%s: AAL %v outside its CI %v", v.Variant, v.AAL.Mean, v.AAL.CI95)
		}
		if len(v.AEP) != 9 || len(v.OEP) != 9 || len(v.TVaR) != 2 || len(v.Services) != 13 {
			t.Errorf("%s: %d AEP, %d OEP, %d TVaR, %d services; want 9, 9, 2, 13", v.Variant, len(v.AEP), len(v.OEP), len(v.TVaR), len(v.Services))
		}
		for k := 1; k < len(v.AEP); k++ {
			if v.AEP[k].Loss < v.AEP[k-1].Loss {
				t.Errorf("%s: AEP falls from %v at %gy to %v at %gy", v.Variant, v.AEP[k-1].Loss, v.AEP[k-1].T, v.AEP[k].Loss, v.AEP[k].T)
			}
		}
		sum := 0.0
		for _, in := range v.Incidents {
			sum += in.Share
		}
		if len(v.Incidents) != 5 || sum < 0.999 || sum > 1.001 {
			t.Errorf("%s: %d incident shares summing to %v; want 4 incidents and background summing to 1", v.Variant, len(v.Incidents), sum)
		}
	}
	if f.Variants[0].Variant != "baseline" || !(f.Variants[2].AAL.Mean < f.Variants[0].AAL.Mean) {
		t.Errorf("a second-site control plane should cut the AAL: %+v", f.Variants)
	}
	for _, name := range []string{"ylt.csv", "aep.png", "aep.svg", "oep.png", "oep.svg"} {
		if !cliExists(filepath.Join(out, name)) {
			t.Errorf("no %s", name)
		}
	}
	// The same seed gives the same file; an existing result needs --force.
	if r := cliRun(t, args...); r.code != 2 || !strings.Contains(r.stderr, "--force") {
		t.Errorf("rerun without --force: want exit 2 naming --force:\n%s", r)
	}
	again := cliRun(t, append(args, "--force")...)
	if again.code != 0 {
		t.Fatalf("rerun with --force:\n%s", again)
	}
	if b2 := cliReadFile(t, filepath.Join(out, "risk.json")); string(b2) != string(b) {
		t.Error("risk.json differs between two runs with the same seed")
	}
	// --force never replaces a directory dcsim did not write.
	foreign := filepath.Join(dir, "notes")
	if err := os.MkdirAll(foreign, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(foreign, "mine.txt"), []byte("keep"), 0o644); err != nil {
		t.Fatal(err)
	}
	if r := cliRun(t, "risk", sc, "--years", "10", "--max-years", "10", "--out", foreign, "--force", "--quiet"); r.code != 2 {
		t.Errorf("--force over a foreign directory: want exit 2:\n%s", r)
	}
	if !cliExists(filepath.Join(foreign, "mine.txt")) {
		t.Error("--force touched a file dcsim did not write")
	}
	for _, bad := range [][]string{
		{"risk", sc, "--options", "no-such-option"},
		{"risk", sc, "--years", "1"},
		{"risk", sc, "--precision", "0"},
		{"risk", sc, "--method", "magic"},
		{"risk", sc, "--years", "100", "--max-years", "10"},
	} {
		if r := cliRun(t, append(bad, "--out", filepath.Join(dir, "bad"))...); r.code != 2 {
			t.Errorf("want exit 2:\n%s", r)
		}
	}
}

// TestRiskUncertainty runs the tornado and a two-level Monte Carlo over
// kakao-2022's uncertain inputs (four catalogue frequencies, the value of a
// user-hour, two investments' capex and the partition's median duration)
// and checks uncertainty.json: a capex moves its option's NPV by at least
// its own swing and no AAL; the value of a user-hour and a longer
// partition move the baseline AAL up.
func TestRiskUncertainty(t *testing.T) {
	sc := cliScenario(t, "kakao-2022")
	out := filepath.Join(t.TempDir(), "risk")
	r := cliRun(t, "risk", sc, "--options", "control-plane-2nd-site", "--years", "200", "--max-years", "200",
		"--tornado", "--uncertainty", "4", "--sobol", "8", "--inner-years", "200", "--out", out, "--quiet", "--no-plots")
	if r.code != 0 || !strings.Contains(r.stdout, "tornado of the baseline AAL") || !strings.Contains(r.stdout, "P(best)") {
		t.Fatalf("want exit 0, a tornado and the two-level table:\n%s", r)
	}
	var f struct {
		Inputs []struct {
			Name          string
			Kind, Unit    string
			P10, P50, P90 float64
		} `json:"inputs"`
		Tornado []struct {
			Output string `json:"output"`
			Bars   []struct {
				Input string  `json:"input"`
				X10   float64 `json:"x_p10"`
				X90   float64 `json:"x_p90"`
				Low   float64 `json:"output_at_p10"`
				High  float64 `json:"output_at_p90"`
				Swing float64 `json:"swing"`
			} `json:"bars"`
		} `json:"tornado"`
		TwoLevel struct {
			Outer   int `json:"outer"`
			Options []struct {
				Name  string `json:"name"`
				PBest struct {
					P float64 `json:"p"`
				} `json:"p_best"`
				NPV struct {
					P05, P95 float64
				} `json:"npv"`
			} `json:"options"`
			EVPI struct {
				Mean float64 `json:"mean"`
			} `json:"evpi"`
		} `json:"two_level"`
		Lead  string `json:"lead_option"`
		Sobol []struct {
			Output  string `json:"output"`
			Indices []struct {
				Input string  `json:"input"`
				Total float64 `json:"total_order"`
			} `json:"indices"`
		} `json:"sobol"`
	}
	if err := json.Unmarshal(cliReadFile(t, filepath.Join(out, "uncertainty.json")), &f); err != nil {
		t.Fatal(err)
	}
	if len(f.Inputs) != 8 || len(f.Tornado) != 3 || len(f.Tornado[0].Bars) != 8 || f.TwoLevel.Outer != 4 || len(f.TwoLevel.Options) != 2 {
		t.Fatalf("uncertainty.json: %d inputs, %d tornadoes, two-level %d points %d options; want 8, 3, 4, 2", len(f.Inputs), len(f.Tornado), f.TwoLevel.Outer, len(f.TwoLevel.Options))
	}
	if f.Lead != "control-plane-2nd-site" || f.Tornado[2].Output != "NPV of control-plane-2nd-site" {
		t.Errorf("lead option %q, third tornado %q; want the only option's NPV", f.Lead, f.Tornado[2].Output)
	}
	bar := func(k int, input string) (x10, x90, lo, hi float64) {
		for _, b := range f.Tornado[k].Bars {
			if b.Input == input {
				return b.X10, b.X90, b.Low, b.High
			}
		}
		t.Fatalf("tornado %d has no bar for %s", k, input)
		return
	}
	capex := "investments[control-plane-2nd-site].capex"
	if _, _, lo, hi := bar(0, capex); lo != hi {
		t.Errorf("a capex moved the baseline AAL: %v to %v", lo, hi)
	}
	if x10, x90, lo, hi := bar(2, capex); !(lo-hi >= x90-x10) {
		t.Errorf("capex %v → %v moved the NPV by %v → %v; want at least the capex swing", x10, x90, lo, hi)
	}
	if _, _, lo, hi := bar(0, "economics.value_per_user_hour"); !(hi > lo) {
		t.Errorf("a dearer user-hour lowered the baseline AAL: %v → %v", lo, hi)
	}
	part := "incidents[pangyo-partition].duration.median"
	if x10, x90, lo, hi := bar(0, part); !(hi > lo) || math.Abs(x10-0.6) > 1e-12 || math.Abs(x90-1.4) > 1e-12 {
		t.Errorf("partition median %vh → %vh moved the baseline AAL %v → %v; want P10 0.6h, P90 1.4h and a rise", x10, x90, lo, hi)
	}
	for _, in := range f.Inputs {
		if in.Name == part && (in.Kind != "parameter" || in.Unit != "h") {
			t.Errorf("%s: kind %q, unit %q; want parameter, h", part, in.Kind, in.Unit)
		}
	}
	// Sobol indices cover the costs too: a capex explains none of the
	// baseline AAL's variance (exactly: the runs are the same) and some of
	// its option's NPV.
	if len(f.Sobol) != 3 || len(f.Sobol[0].Indices) != 8 {
		t.Fatalf("sobol: %d outputs; want 3 with 8 inputs each", len(f.Sobol))
	}
	for k, want := range []bool{false, false, true} {
		for _, x := range f.Sobol[k].Indices {
			if x.Input == capex && (x.Total > 0) != want {
				t.Errorf("Sobol total index of %s for the %s: %v", capex, f.Sobol[k].Output, x.Total)
			}
		}
	}
	if o := f.TwoLevel.Options[1]; !(o.NPV.P05 < o.NPV.P95) || f.TwoLevel.EVPI.Mean < 0 {
		t.Errorf("NPV P5 %v, P95 %v, EVPI %v", o.NPV.P05, o.NPV.P95, f.TwoLevel.EVPI.Mean)
	}
	for _, in := range f.Inputs {
		if !(in.P10 < in.P50 && in.P50 < in.P90) {
			t.Errorf("%s: P10 %v, P50 %v, P90 %v not increasing", in.Name, in.P10, in.P50, in.P90)
		}
	}
	for k := 1; k < len(f.Tornado[0].Bars); k++ {
		if f.Tornado[0].Bars[k].Swing > f.Tornado[0].Bars[k-1].Swing {
			t.Errorf("tornado bars not sorted by swing: %+v", f.Tornado[0].Bars)
		}
	}
	if p := f.TwoLevel.Options[0].PBest.P + f.TwoLevel.Options[1].PBest.P; p < 0.999 || p > 1.001 {
		t.Errorf("P(best) over the options sums to %v, want 1", p)
	}
}

package report

import (
	"math"
	"math/rand/v2"
	"os"
	"testing"
)

// Sample inputs shaped like the kakao-2022 incident: recovery times from
// minutes to days, a timeline of one replication, a handful of investment
// options. Seeded, so every run draws the same charts.

func sampleCDF() []CDFSeries {
	r := rand.New(rand.NewPCG(1, 2))
	lognormal := func(n int, median, sigma, pZero float64) []float64 {
		vs := make([]float64, n)
		for i := range vs {
			if r.Float64() < pZero {
				continue // recovered instantly (no outage)
			}
			vs[i] = median * math.Exp(sigma*r.NormFloat64())
		}
		return vs
	}
	return []CDFSeries{
		{Label: "kakaotalk (baseline)", Values: lognormal(2000, 10.4, 0.35, 0), Group: "kakaotalk"},
		{Label: "kakaotalk (second site)", Values: lognormal(2000, 0.6, 0.6, 0.05), Group: "kakaotalk"},
		{Label: "kakaopay (baseline)", Values: lognormal(2000, 22, 0.4, 0), Group: "kakaopay"},
		{Label: "kakaopay (second site)", Values: lognormal(2000, 1.5, 0.5, 0.02), Group: "kakaopay"},
		{Label: "daum mail (baseline)", Values: lognormal(2000, 90, 0.45, 0), Group: "daum mail"},
		{Label: "daum mail (second site)", Values: append(lognormal(1990, 30, 0.5, 0), math.Inf(1), math.Inf(1), math.NaN()), Group: "daum mail"},
	}
}

func sampleTimeline() ([]StepSeries, []Marker, float64) {
	series := []StepSeries{
		{Label: "kakaotalk", T: []float64{-2, 0.1, 0.55, 3.5, 10.4, 20.3}, F: []float64{1, 0.8, 0, 0.3, 0.9, 1}},
		{Label: "kakaopay", T: []float64{-2, 0.55, 12, 22}, F: []float64{1, 0, 0.5, 1}},
		{Label: "kakao t", T: []float64{-2, 0.55, 30, 40}, F: []float64{1, 0, 0.6, 1}},
		{Label: "login", T: []float64{-2, 0.55, 2.1, 8}, F: []float64{1, 0, 0.7, 1}},
		{Label: "daum mail", T: []float64{-2, 0.55, 60, 127.5}, F: []float64{1, 0, 0.4, 1}},
		{Label: "naver search", T: []float64{-2, 0.55, 1.2}, F: []float64{1, 0.6, 1}},
	}
	markers := []Marker{
		{T: 0, Label: "ignition"},
		{T: 0.05, Label: "smoke detected"},
		{T: 0.55, Label: "power cut"},
		{T: 2.1, Label: "login failover"},
		{T: 3.5, Label: "kakaotalk failover (manual)"},
		{T: 7.5, Label: "fire extinguished"},
		{T: 9.8, Label: "re-power starts"},
		{T: 127.5, Label: "all services recovered"},
	}
	return series, markers, 135
}

func sampleOptions() []OptionPoint {
	pts := []OptionPoint{
		{Name: "baseline", AnnualCost: 0, ALE: 8.4e9, ALELo: 7.1e9, ALEHi: 9.9e9},
		{Name: "second site", AnnualCost: 6.5e9, ALE: 0.9e9, ALELo: 0.6e9, ALEHi: 1.3e9},
		{Name: "ops tooling off-site", AnnualCost: 0.8e9, ALE: 4.2e9, ALELo: 3.5e9, ALEHi: 5.0e9},
		{Name: "LFP batteries", AnnualCost: 1.6e9, ALE: 5.9e9, ALELo: 4.9e9, ALEHi: 7.0e9},
		{Name: "zone power cut-offs", AnnualCost: 0.3e9, ALE: 6.6e9, ALELo: 5.4e9, ALEHi: 7.9e9},
		{Name: "failover drills", AnnualCost: 0.15e9, ALE: 7.9e9},
		{Name: "active-active", AnnualCost: 12e9, ALE: 0.4e9, ALELo: 0.2e9, ALEHi: 0.7e9},
	}
	MarkPareto(pts)
	return pts
}

func sampleRanked() []Ranked {
	return []Ranked{
		{Label: "ops tooling off-site", Value: 5.25, Lo: 4.1, Hi: 6.4},
		{Label: "second site", Value: 1.15, Lo: 0.95, Hi: 1.3},
		{Label: "zone power cut-offs", Value: 6.0, Lo: 3.2, Hi: 8.9},
		{Label: "LFP batteries", Value: 1.56, Lo: 0.9, Hi: 2.2},
		{Label: "failover drills", Value: 3.3},
		{Label: "active-active", Value: 0.67, Lo: 0.6, Hi: 0.74},
		{Label: "bigger diesel tanks", Value: -0.2, Lo: -0.5, Hi: 0.1},
	}
}

func sampleHistogram() []float64 {
	r := rand.New(rand.NewPCG(3, 4))
	vs := make([]float64, 5000)
	for i := range vs {
		vs[i] = 4.2e7 * math.Exp(0.5*r.NormFloat64())
	}
	return vs
}

// outDir returns DCSIM_REPORT_OUT if set (to keep the files for a look),
// else a temporary directory.
func outDir(t *testing.T) string {
	if d := os.Getenv("DCSIM_REPORT_OUT"); d != "" {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		return d
	}
	return t.TempDir()
}

package risk

import (
	"math"
	"os"
	"path/filepath"
	"testing"

	"gonum.org/v1/plot/vg"

	"github.com/dcsim/dcsim/sim"
)

// TestChartsSizeIndependentOfYears draws every chart from small and large
// runs and checks the files exist and do not grow with simulated years.
func TestChartsSizeIndependentOfYears(t *testing.T) {
	dir := t.TempDir()
	size := func(years int) int64 {
		tab := runTwoTypes(t, Importance, years, 3)
		cut := &YLT{}
		*cut = *tab
		cut.Variant = "option"
		series := []Series{
			{Name: "baseline", Points: tab.NewCurve(tab.Loss).points(CurvePeriods)},
			{Name: "option (same years, half the loss)", Points: halve(tab.NewCurve(tab.Loss).points(CurvePeriods))},
		}
		p, err := ExceedanceChart("Aggregate exceedance", "annual loss", series)
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, "aep.svg")
		if err := Save(p, path, 6*vg.Inch, 4*vg.Inch); err != nil {
			t.Fatal(err)
		}
		if err := Save(p, filepath.Join(dir, "aep.png"), 6*vg.Inch, 4*vg.Inch); err != nil {
			t.Fatal(err)
		}
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		return fi.Size()
	}
	small, large := size(2000), size(40000)
	if small == 0 || float64(large) > 1.2*float64(small) {
		t.Errorf("exceedance chart is %d bytes from 2,000 years and %d from 40,000", small, large)
	}

	u := sim.Dist{Kind: sim.Uniform, A: -math.Pi, B: math.Pi}
	in := []Input{{"x1", u}, {"x2", u}, {"x3", u}}
	tor, err := Tornadoes(in, []string{"f"}, ishigami(7, 0.1))
	if err != nil {
		t.Fatal(err)
	}
	p, err := TornadoChart("Tornado", "f", tor[0])
	if err != nil {
		t.Fatal(err)
	}
	if err := Save(p, filepath.Join(dir, "tornado.png"), 6*vg.Inch, 3*vg.Inch); err != nil {
		t.Fatal(err)
	}
	res, err := (&Sobol{Inputs: in, Outputs: []string{"f"}, N: 512, Seed: 1, Boot: 100}).Run(ishigami(7, 0.1))
	if err != nil {
		t.Fatal(err)
	}
	p, err = SobolChart("Sobol indices", res[0])
	if err != nil {
		t.Fatal(err)
	}
	if err := Save(p, filepath.Join(dir, "sobol.png"), 6*vg.Inch, 3*vg.Inch); err != nil {
		t.Fatal(err)
	}
	if err := Save(p, filepath.Join(dir, "sobol.pdf"), 6*vg.Inch, 3*vg.Inch); err == nil {
		t.Error("Save wrote a .pdf; want an error naming the formats")
	}
	if d := os.Getenv("RISK_PLOT_DIR"); d != "" {
		for _, f := range []string{"aep.png", "tornado.png", "sobol.png"} {
			b, _ := os.ReadFile(filepath.Join(dir, f))
			os.WriteFile(filepath.Join(d, f), b, 0o644)
		}
	}
}

func halve(pts []EPPoint) []EPPoint {
	out := make([]EPPoint, len(pts))
	for i, p := range pts {
		out[i] = EPPoint{ReturnPeriodYears: p.ReturnPeriodYears, Loss: p.Loss / 2, CI95: Interval{p.CI95[0] / 2, p.CI95[1] / 2}}
	}
	return out
}

package report

import (
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"testing"

	"gonum.org/v1/plot/vg"
)

// crowdedOptions are five options at almost the same cost and ALE, as in
// a compare where several cheap options barely move the risk, plus the
// baseline and one expensive option.
func crowdedOptions() []OptionPoint {
	pts := []OptionPoint{
		{Name: "baseline", AnnualCost: 0, ALE: 8.4e9},
		{Name: "failover-drills", AnnualCost: 0.15e9, ALE: 8.1e9},
		{Name: "ops-tools-offsite", AnnualCost: 0.16e9, ALE: 8.0e9},
		{Name: "zone-cutoffs", AnnualCost: 0.17e9, ALE: 8.05e9},
		{Name: "lfp-batteries", AnnualCost: 0.18e9, ALE: 8.2e9},
		{Name: "control-plane-dr", AnnualCost: 0.2e9, ALE: 7.9e9},
		{Name: "second-site", AnnualCost: 6.5e9, ALE: 0.9e9},
	}
	MarkPareto(pts)
	return pts
}

// TestPointLabelsNeverOverlap lays out labels for random point clouds,
// dense and sparse, and checks that no two placed labels overlap, none
// covers a point, and all stay inside the area.
func TestPointLabelsNeverOverlap(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 1))
	area := vg.Rectangle{Max: vg.Point{X: 420, Y: 280}}
	for trial := range 200 {
		n := 2 + r.IntN(30)
		l := &pointLabels{sty: textStyle(noteSize + 0.5), glyph: 6}
		ps := make([]vg.Point, n)
		spread := vg.Length(20 + r.Float64()*400)
		for i := range ps {
			ps[i] = vg.Point{X: 10 + vg.Length(r.Float64())*min(spread, 400), Y: 10 + vg.Length(r.Float64())*min(spread, 260)}
			l.names = append(l.names, fmt.Sprintf("option-%d%s", i, []string{"", "+drills", "+second-site"}[r.IntN(3)]))
		}
		placed, _, dropped := l.layout(ps, area)
		if len(placed)+len(dropped) != n {
			t.Fatalf("trial %d: %d placed + %d dropped of %d", trial, len(placed), len(dropped), n)
		}
		for a, pa := range placed {
			if !inside(pa.box, area) {
				t.Errorf("trial %d: label %q outside the area", trial, l.names[pa.i])
			}
			for _, pb := range placed[a+1:] {
				if overlaps(pa.box, pb.box) {
					t.Errorf("trial %d: labels %q and %q overlap", trial, l.names[pa.i], l.names[pb.i])
				}
			}
			for j, p := range ps {
				g := l.glyph
				if overlaps(pa.box, vg.Rectangle{Min: vg.Point{X: p.X - g, Y: p.Y - g}, Max: vg.Point{X: p.X + g, Y: p.Y + g}}) {
					t.Errorf("trial %d: label %q covers point %d", trial, l.names[pa.i], j)
				}
			}
		}
	}
	// The crowded case of the issue: every label placed.
	l := &pointLabels{sty: textStyle(noteSize + 0.5), glyph: 6}
	var ps []vg.Point
	for i, o := range crowdedOptions() {
		l.names = append(l.names, o.Name)
		ps = append(ps, vg.Point{X: 20 + vg.Length(o.AnnualCost/6.5e9)*380, Y: 20 + vg.Length(o.ALE/8.4e9)*240})
		_ = i
	}
	if _, keyed, dropped := l.layout(ps, area); len(dropped) > 0 || len(keyed) > 2 {
		t.Errorf("crowded options: %d labels numbered, %d left out", len(keyed), len(dropped))
	}
}

func TestInvestmentChartCrowded(t *testing.T) {
	dir := outDir(t)
	if err := InvestmentChart(filepath.Join(dir, "investment-crowded.png"), "Cost against risk", "KRW", crowdedOptions()); err != nil {
		t.Fatal(err)
	}
}

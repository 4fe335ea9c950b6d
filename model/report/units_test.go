package report

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/plot/vg"
)

func TestFormatNumber(t *testing.T) {
	cases := []struct {
		in   float64
		want string
	}{
		{0, "0"},
		{math.Copysign(0, -1), "0"},
		{10.4, "10.4"},
		{10.43, "10.4"},
		{16.02, "16"},
		{127.5, "128"},
		{0.1234, "0.123"},
		{0.5, "0.5"},
		{0.001, "0.001"},
		{0.000123, "1.23e-4"},
		{999.6, "1,000"},
		{1234, "1,230"},
		{12345, "12,300"},
		{999999, "1 M"},
		{4.567e6, "4.57 M"},
		{2.5e9, "2.5 bn"},
		{-6.4e10, "-64 bn"},
		{1.2e12, "1.2 tn"},
		{3e15, "3e15"},
		{-0.2, "-0.2"},
		{-1234.5, "-1,230"},
		{math.NaN(), "—"},
		{math.Inf(1), "∞"},
		{math.Inf(-1), "-∞"},
	}
	for _, c := range cases {
		if got := FormatNumber(c.in); got != c.want {
			t.Errorf("FormatNumber(%v) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestMarkPareto(t *testing.T) {
	pts := []OptionPoint{
		{Name: "baseline", AnnualCost: 0, ALE: 10},
		{Name: "cheap good", AnnualCost: 1, ALE: 4},
		{Name: "dominated", AnnualCost: 2, ALE: 5},
		{Name: "dear best", AnnualCost: 9, ALE: 1},
		{Name: "tie a", AnnualCost: 3, ALE: 3},
		{Name: "tie b", AnnualCost: 3, ALE: 3},
		{Name: "same cost worse", AnnualCost: 9, ALE: 2},
	}
	MarkPareto(pts)
	want := map[string]bool{"baseline": true, "cheap good": true, "dominated": false, "dear best": true,
		"tie a": true, "tie b": true, "same cost worse": false}
	for _, p := range pts {
		if p.Pareto != want[p.Name] {
			t.Errorf("%s: Pareto = %v, want %v", p.Name, p.Pareto, want[p.Name])
		}
	}
}

func TestAssignStyles(t *testing.T) {
	// Ungrouped: the first len(palette) series all differ in colour.
	st := assignStyles(make([]string, len(palette)+2))
	seen := map[string]bool{}
	for i, s := range st {
		key := fmt.Sprint(s.color, s.dashes)
		if seen[key] {
			t.Errorf("series %d repeats a style %s", i, key)
		}
		seen[key] = true
	}
	// Grouped: one hue per group, a different dash within it.
	st = assignStyles([]string{"talk", "talk", "pay", "pay", "talk"})
	if st[0].color != st[1].color || st[0].color != st[4].color || st[2].color != st[3].color {
		t.Error("series of one group differ in colour")
	}
	if st[0].color == st[2].color {
		t.Error("two groups share a colour")
	}
	if fmt.Sprint(st[0].dashes) == fmt.Sprint(st[1].dashes) || fmt.Sprint(st[1].dashes) == fmt.Sprint(st[4].dashes) {
		t.Error("series within a group share a dash pattern")
	}
}

func TestECDF(t *testing.T) {
	// 0 at the floor, a tie at 2, one never recovered, NaN ignored.
	pts := ecdf([]float64{2, 0, math.NaN(), 2, 5, math.Inf(1)}, 0.1, 10)
	want := [][2]float64{{0.1, 0}, {0.1, 0.2}, {2, 0.6}, {5, 0.8}, {10, 0.8}}
	if len(pts) != len(want) {
		t.Fatalf("ecdf = %v, want %v (x as log10)", pts, want)
	}
	for i, w := range want {
		if math.Abs(pts[i].X-math.Log10(w[0])) > 1e-12 || math.Abs(pts[i].Y-w[1]) > 1e-12 {
			t.Errorf("point %d = (10^%v, %v), want (%v, %v)", i, pts[i].X, pts[i].Y, w[0], w[1])
		}
	}
}

func TestLog10Ticks(t *testing.T) {
	var labels []string
	for _, tk := range (log10Ticks{}).Ticks(-1, 3) {
		if tk.Label != "" {
			labels = append(labels, tk.Label)
		}
	}
	if got := fmt.Sprint(labels); got != "[0.1 1 10 100 1,000]" {
		t.Errorf("labels over 0.1–1000 h: %s", got)
	}
	labels = nil
	for _, tk := range (log10Ticks{}).Ticks(0, 2) {
		if tk.Label != "" {
			labels = append(labels, tk.Label)
		}
	}
	if got := fmt.Sprint(labels); got != "[1 2 5 10 20 50 100]" {
		t.Errorf("labels over 1–100 h: %s", got)
	}
}

// TestMarkerLayout checks on random timelines that no two marker labels
// in a row overlap, that no leader line crosses a label, and that labels
// stay inside the plot, whenever the layout fits in the rows it has.
func TestMarkerLayout(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	words := []string{"ignition", "power cut", "failover", "re-power", "kakaotalk recovered", "extinguished", "x"}
	checked := 0
	for trial := range 300 {
		n := 1 + r.IntN(9)
		ml := &markerLayer{style: textStyle(noteSize)}
		xs := make([]vg.Length, n)
		width := vg.Length(300 + r.IntN(300))
		for i := range n {
			// Clustered near the start, as incidents are.
			xs[i] = width * vg.Length(math.Pow(r.Float64(), 3))
			ml.markers = append(ml.markers, Marker{T: float64(i), Label: words[r.IntN(len(words))]})
		}
		// layout wants markers in time order, i.e. non-decreasing x.
		for i := 1; i < n; i++ {
			xs[i] = max(xs[i], xs[i-1])
		}
		ps, rows := ml.layout(xs, width)
		if rows > maxMarkerRows {
			t.Fatalf("trial %d: %d rows", trial, rows)
		}
		hidden := 0
		for _, p := range ps {
			if p.row < 0 {
				hidden++
			}
		}
		if hidden == 0 {
			checked++
		}
		text := func(i int) (lo, hi vg.Length) {
			return ps[i].start + 1.5, ps[i].start + 1.5 + ml.style.Width(ml.text(i))
		}
		for i := range n {
			if ps[i].row < 0 {
				continue // hidden: not drawn
			}
			lo, hi := text(i)
			if lo < 0 || hi > width+markerGap+1.5 {
				t.Errorf("trial %d: label %d [%v, %v] outside [0, %v]", trial, i, lo, hi, width)
			}
			if x := xs[i]; !(ps[i].start == x || ps[i].start+3+ml.style.Width(ml.text(i)) == x) {
				t.Errorf("trial %d: label %d is not attached to its marker", trial, i)
			}
			for j := range n {
				if i == j || ps[j].row < 0 {
					continue
				}
				lo2, hi2 := text(j)
				if ps[i].row == ps[j].row && lo < hi2 && lo2 < hi {
					t.Errorf("trial %d: labels %d and %d overlap in row %d", trial, i, j, ps[i].row)
				}
				// j's leader runs through rows below j's row.
				if ps[i].row < ps[j].row && xs[j] > lo-1 && xs[j] < hi+1 {
					t.Errorf("trial %d: leader of %d crosses label %d", trial, j, i)
				}
			}
		}
	}
	if checked < 250 {
		t.Errorf("only %d of 300 layouts fitted without hiding a label", checked)
	}
}

package report

import (
	"fmt"
	"image/color"
	"math"
	"slices"

	"github.com/dcsim/dcsim/sim"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Histogram draws the distribution of values across replications to path
// (.png or .svg). See NewHistogram.
func Histogram(path, title, xlabel string, values []float64) error {
	return NewHistogram(title, xlabel, values).Save(path)
}

// NewHistogram returns NewHistogramOf(title, xlabel, HistOf(values)):
// a histogram of values, one per replication (e.g. user-hours lost), with
// bins by the Freedman–Diaconis rule, width 2·IQR/n^(1/3), between 5 and
// 60 of them. NaN and infinite values are left out and counted in the
// legend.
func NewHistogram(title, xlabel string, values []float64) Chart {
	return NewHistogramOf(title, xlabel, HistOf(values))
}

// NewHistogramOf returns a chart of h, with xlabel naming the quantity and
// its unit, e.g. "User-hours lost (user·h)". The y axis counts
// replications. The mean, P50 and P90 are drawn as vertical lines and
// given in the legend.
func NewHistogramOf(title, xlabel string, h Hist) Chart {
	h.Counts = slices.Clone(h.Counts)
	return newChart(title, func(w, _ vg.Length) (*figure, error) {
		return buildHistogram(title, xlabel, h, w)
	})
}

func buildHistogram(title, xlabel string, hs Hist, w vg.Length) (*figure, error) {
	if err := hs.check(); err != nil {
		return nil, err
	}
	bins := make([]plotter.HistogramBin, len(hs.Counts))
	for i, c := range hs.Counts {
		bins[i] = plotter.HistogramBin{Min: hs.Min + float64(i)*hs.Width, Max: hs.Min + float64(i+1)*hs.Width, Weight: c}
	}

	p := newPlot(title, xlabel, "Replications", w)
	p.Add(grid(false))
	h := &plotter.Histogram{
		Bins:      bins,
		Width:     hs.Width,
		FillColor: palette[0],
		LineStyle: draw.LineStyle{Color: color.White, Width: 0.5},
	}
	p.Add(h)
	f := &figure{p: p}
	f.addLegend(fmt.Sprintf("%s replications", formatNumber(float64(hs.N))), h)
	if hs.Dropped > 0 {
		f.addLegend(fmt.Sprintf("(%d not finite, left out)", hs.Dropped))
	}

	var top float64
	for _, b := range bins {
		top = max(top, b.Weight)
	}
	stats := []struct {
		name  string
		v     float64
		style draw.LineStyle
	}{
		{"mean", hs.Mean, draw.LineStyle{Color: palette[1], Width: 2}},
		{"P50", hs.P50, draw.LineStyle{Color: color.Black, Width: 2, Dashes: dashes[1]}},
		{"P90", hs.P90, draw.LineStyle{Color: color.Black, Width: 2, Dashes: dashes[2]}},
	}
	for _, s := range stats {
		l, err := plotter.NewLine(plotter.XYs{{X: s.v, Y: 0}, {X: s.v, Y: top * 1.08}})
		if err != nil {
			return nil, err
		}
		l.LineStyle = s.style
		p.Add(l)
		f.addLegend(fmt.Sprintf("%s %s", s.name, formatNumber(s.v)), l)
	}
	p.Y.Min, p.Y.Max = 0, top*1.08
	return f, nil
}

// histBins bins sorted xs by the Freedman–Diaconis rule.
func histBins(xs []float64) ([]plotter.HistogramBin, float64) {
	lo, hi := xs[0], xs[len(xs)-1]
	if hi == lo {
		half := math.Max(math.Abs(lo)*0.05, 0.5)
		return []plotter.HistogramBin{{Min: lo - half, Max: lo + half, Weight: float64(len(xs))}}, 2 * half
	}
	n := float64(len(xs))
	iqr := sim.Quantile(xs, 0.75) - sim.Quantile(xs, 0.25)
	k := math.Ceil(math.Sqrt(n))
	if iqr > 0 {
		k = math.Ceil((hi - lo) / (2 * iqr / math.Cbrt(n)))
	}
	k = min(max(k, 5), 60)
	width := (hi - lo) / k
	bins := make([]plotter.HistogramBin, int(k))
	for i := range bins {
		bins[i].Min = lo + float64(i)*width
		bins[i].Max = lo + float64(i+1)*width
	}
	for _, x := range xs {
		i := min(int((x-lo)/width), len(bins)-1)
		bins[i].Weight++
	}
	return bins, width
}

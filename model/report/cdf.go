package report

import (
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

// CDFSeries is one curve of a recovery CDF: the time to recover of one
// service in one variant, one value per replication.
type CDFSeries struct {
	// Label names the curve in the legend, e.g. "kakaotalk (baseline)".
	Label string
	// Values are times to recover in hours, ≥ 0. +Inf means "not recovered
	// within the horizon": it counts in the denominator, so the curve ends
	// below 1. NaN values are ignored.
	Values []float64
	// Group, when set, gives every series of the group the same colour and
	// a different dash pattern: set it to the service name to overlay a
	// service's baseline and option curves in one hue.
	Group string
}

// RecoveryCDF draws the empirical CDF of time to recover, one step curve
// per series, to path (.png or .svg). See NewRecoveryCDF.
func RecoveryCDF(path, title string, series []CDFSeries) error {
	return NewRecoveryCDF(title, series).Save(path)
}

// NewRecoveryCDF returns a chart of the empirical cumulative distribution
// of time to recover: for each series, the fraction of replications
// recovered by t hours,
//
//	F(t) = #{i : v_i ≤ t} / n,
//
// as a step curve. The hours axis is logarithmic, spanning whole decades
// from the smallest positive value (at most 0.1 h) to the largest, because
// times span 0.1 h to hundreds of hours; zeros are drawn at the axis's
// left edge and the axis label says so.
func NewRecoveryCDF(title string, series []CDFSeries) Chart {
	series = slices.Clone(series)
	return Chart{title: title, build: func(w, h vg.Length) (*figure, error) {
		return buildCDF(title, series, w)
	}}
}

func buildCDF(title string, series []CDFSeries, w vg.Length) (*figure, error) {
	if len(series) == 0 {
		return nil, fmt.Errorf("no series")
	}
	// Axis range: whole decades around the finite positive values.
	minPos, maxVal, zeros := math.Inf(1), 0.0, false
	for _, s := range series {
		n := 0
		for i, v := range s.Values {
			switch {
			case math.IsNaN(v):
				continue
			case v < 0:
				return nil, fmt.Errorf("series %q value %d is %v h, want ≥ 0", s.Label, i, v)
			case v == 0:
				zeros = true
			case !math.IsInf(v, 1):
				minPos = min(minPos, v)
				maxVal = max(maxVal, v)
			}
			n++
		}
		if n == 0 {
			return nil, fmt.Errorf("series %q has no values", s.Label)
		}
	}
	lo := 0.1
	if !math.IsInf(minPos, 1) {
		lo = min(lo, math.Pow(10, math.Floor(math.Log10(minPos))))
	}
	hi := math.Pow(10, math.Ceil(math.Log10(max(maxVal, lo)*1.0001)))
	xlabel := "Time to recover (hours, log scale)"
	if zeros {
		xlabel = fmt.Sprintf("Time to recover (hours, log scale; 0 h drawn at %s h)", formatNumber(lo))
	}

	p := newPlot(title, xlabel, "Fraction of replications recovered", w)
	p.X.Tick.Marker = log10Ticks{} // x data are log10(hours)
	p.Y.Tick.Marker = fractionTicks
	p.Add(grid(true))

	f := &figure{p: p}
	groups := make([]string, len(series))
	for i, s := range series {
		groups[i] = s.Group
	}
	styles := assignStyles(groups)
	for i, s := range series {
		line, err := plotter.NewLine(ecdf(s.Values, lo, hi))
		if err != nil {
			return nil, fmt.Errorf("series %q: %w", s.Label, err)
		}
		line.StepStyle = plotter.PostStep
		line.Color = styles[i].color
		line.Dashes = styles[i].dashes
		line.Width = 2
		p.Add(line)
		f.addLegend(s.Label, line)
	}
	p.X.Min, p.X.Max = math.Log10(lo), math.Log10(hi)
	p.Y.Min, p.Y.Max = 0, 1
	return f, nil
}

// ecdf returns the step points of the empirical CDF of vs (NaN dropped,
// +Inf counted as never recovered) from x = lo to x = hi, zeros at lo,
// with x as log10(x).
func ecdf(vs []float64, lo, hi float64) plotter.XYs {
	xs := make([]float64, 0, len(vs))
	for _, v := range vs {
		if !math.IsNaN(v) {
			xs = append(xs, v)
		}
	}
	slices.Sort(xs)
	n := float64(len(xs))
	pts := plotter.XYs{{X: math.Log10(lo), Y: 0}}
	for i := 0; i < len(xs); {
		v := xs[i]
		if math.IsInf(v, 1) {
			break
		}
		j := i
		for j < len(xs) && xs[j] == v {
			j++
		}
		pts = append(pts, plotter.XY{X: math.Log10(max(v, lo)), Y: float64(j) / n})
		i = j
	}
	pts = append(pts, plotter.XY{X: math.Log10(hi), Y: pts[len(pts)-1].Y})
	return pts
}

// fractionTicks label 0, 0.2, …, 1 and also 0.5 and 0.9, with minor ticks
// at the other tenths; grid lines follow the labelled ticks, so the P50
// and P90 of each curve are easy to read off.
var fractionTicks = plot.ConstantTicks{
	{Value: 0, Label: "0"}, {Value: 0.1}, {Value: 0.2, Label: "0.2"}, {Value: 0.3},
	{Value: 0.4, Label: "0.4"}, {Value: 0.5, Label: "0.5"}, {Value: 0.6, Label: "0.6"},
	{Value: 0.7}, {Value: 0.8, Label: "0.8"}, {Value: 0.9, Label: "0.9"}, {Value: 1, Label: "1"},
}

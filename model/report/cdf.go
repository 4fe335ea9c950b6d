package report

import (
	"fmt"
	"image/color"
	"math"
	"slices"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
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

// CDFCurve is one curve of a recovery CDF drawn from its summary.
type CDFCurve struct {
	// Label and Group as in CDFSeries.
	Label, Group string
	// ECDF summarises the times to recover, hours (see ECDFOf).
	ECDF ECDF
	// History are observed times to recover of the same service, hours:
	// each is drawn on the curve as a black-edged diamond, so the reader
	// sees which simulated percentile history fell at.
	History []float64
}

// RecoveryCDF draws the empirical CDF of time to recover, one step curve
// per series, to path (.png or .svg). See NewRecoveryCDF.
func RecoveryCDF(path, title string, series []CDFSeries) error {
	return NewRecoveryCDF(title, series).Save(path)
}

// NewRecoveryCDF returns NewRecoveryCDFOf of each series' ECDF (ECDFOf):
// the chart holds the summaries, not the values.
func NewRecoveryCDF(title string, series []CDFSeries) Chart {
	curves := make([]CDFCurve, len(series))
	for i, s := range series {
		e, err := ECDFOf(s.Values)
		if err != nil {
			return errChart(title, fmt.Errorf("series %q %w", s.Label, err))
		}
		if e.N == 0 {
			return errChart(title, fmt.Errorf("series %q has no values", s.Label))
		}
		curves[i] = CDFCurve{Label: s.Label, Group: s.Group, ECDF: e}
	}
	return NewRecoveryCDFOf(title, curves)
}

// NewRecoveryCDFOf returns a chart of the empirical cumulative
// distribution of time to recover: for each curve, the fraction of
// replications recovered by t hours,
//
//	F(t) = #{i : v_i ≤ t} / n,
//
// as a step curve through its quantile grid (within 1/ECDFPoints of F).
// The hours axis is logarithmic, spanning whole decades from the smallest
// positive value (at most 0.1 h) to the largest, because times span 0.1 h
// to hundreds of hours; zeros are drawn at the axis's left edge and the
// axis label says so.
func NewRecoveryCDFOf(title string, curves []CDFCurve) Chart {
	curves = slices.Clone(curves)
	return newChart(title, func(w, h vg.Length) (*figure, error) {
		return buildCDF(title, curves, w)
	})
}

func buildCDF(title string, curves []CDFCurve, w vg.Length) (*figure, error) {
	if len(curves) == 0 {
		return nil, fmt.Errorf("no series")
	}
	// Axis range: whole decades around the finite positive values.
	minPos, maxVal, zeros := math.Inf(1), 0.0, false
	for _, c := range curves {
		if err := c.ECDF.check(); err != nil {
			return nil, fmt.Errorf("series %q: %w", c.Label, err)
		}
		for _, v := range c.ECDF.Q {
			switch {
			case v == 0:
				zeros = true
			case !math.IsInf(v, 1):
				minPos = min(minPos, v)
				maxVal = max(maxVal, v)
			}
		}
		for _, hv := range c.History {
			if !(hv > 0) || math.IsInf(hv, 0) {
				return nil, fmt.Errorf("series %q: observed time %v h, want > 0", c.Label, hv)
			}
			minPos, maxVal = min(minPos, hv), max(maxVal, hv)
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
	groups := make([]string, len(curves))
	for i, c := range curves {
		groups[i] = c.Group
	}
	styles := assignStyles(groups)
	var hist plotter.XYs
	var histColors []color.Color
	lines := make([]extremeLine, len(curves))
	for i, c := range curves {
		// A curve identical to an earlier one would hide it: say so in
		// the legend instead of drawing it again.
		same := slices.IndexFunc(curves[:i], func(o CDFCurve) bool {
			return o.ECDF.N == c.ECDF.N && o.ECDF.Inf == c.ECDF.Inf && slices.Equal(o.ECDF.Q, c.ECDF.Q)
		})
		if same >= 0 {
			lines[i] = lines[same]
			f.addLegend(c.Label+" (same as "+curves[same].Label+")", lines[same])
			for _, hv := range c.History {
				hist = append(hist, plotter.XY{X: math.Log10(hv), Y: c.ECDF.At(hv)})
				histColors = append(histColors, styles[same].color)
			}
			continue
		}
		line, err := plotter.NewLine(ecdfPoints(c.ECDF, lo, hi))
		if err != nil {
			return nil, fmt.Errorf("series %q: %w", c.Label, err)
		}
		line.StepStyle = plotter.PostStep
		line.Color = styles[i].color
		line.Dashes = styles[i].dashes
		line.Width = 2
		lines[i] = extremeLine{line}
		f.addLegend(c.Label, line)
		for _, hv := range c.History {
			hist = append(hist, plotter.XY{X: math.Log10(hv), Y: c.ECDF.At(hv)})
			histColors = append(histColors, styles[i].color)
		}
	}
	// Last curve first, so the first (e.g. the baseline) is drawn on top
	// of curves that nearly coincide with it.
	for i := len(lines) - 1; i >= 0; i-- {
		if i == slices.Index(lines, lines[i]) {
			p.Add(lines[i])
		}
	}
	if len(hist) > 0 {
		s, err := plotter.NewScatter(hist)
		if err != nil {
			return nil, err
		}
		s.GlyphStyleFunc = func(i int) draw.GlyphStyle {
			return draw.GlyphStyle{Color: histColors[i], Radius: 5.5, Shape: outlinedDiamond{}}
		}
		p.Add(s)
		f.addLegend("history (observed), on its curve", historyThumb{})
	}
	p.X.Min, p.X.Max = math.Log10(lo), math.Log10(hi)
	p.Y.Min, p.Y.Max = 0, 1
	return f, nil
}

// extremeLine is a line whose glyph boxes, which gonum/plot uses only to
// pad the data area so that the extreme points are not cut, are those of
// its extreme points alone: the same padding as a box per point, without
// building thousands of boxes per curve for every drawing.
type extremeLine struct{ *plotter.Line }

func (l extremeLine) GlyphBoxes(plt *plot.Plot) []plot.GlyphBox {
	r := 0.5 * l.LineStyle.Width
	rect := vg.Rectangle{Min: vg.Point{X: -r, Y: -r}, Max: vg.Point{X: r, Y: r}}
	var ext [4]plot.GlyphBox // leftmost, rightmost, lowest, highest
	n := 0
	for i := range l.XYs.Len() {
		x, y := l.XY(i)
		b := plot.GlyphBox{X: plt.X.Norm(x), Y: plt.Y.Norm(y), Rectangle: rect}
		// Plot.GlyphBoxes drops these boxes: so must the extremes.
		if rect.Size().X > 0 && (b.X < 0 || b.X > 1) || rect.Size().Y > 0 && (b.Y < 0 || b.Y > 1) {
			continue
		}
		if n == 0 {
			ext, n = [4]plot.GlyphBox{b, b, b, b}, 1
			continue
		}
		if b.X < ext[0].X {
			ext[0] = b
		}
		if b.X > ext[1].X {
			ext[1] = b
		}
		if b.Y < ext[2].Y {
			ext[2] = b
		}
		if b.Y > ext[3].Y {
			ext[3] = b
		}
	}
	if n == 0 {
		return nil
	}
	return ext[:]
}

// ecdfPoints returns the step points of e from x = lo to x = hi, zeros
// at lo, with x as log10(x); the curve stops at the last finite quantile
// (the rest never recovered).
func ecdfPoints(e ECDF, lo, hi float64) plotter.XYs {
	k := float64(len(e.Q) - 1)
	pts := plotter.XYs{{X: math.Log10(lo), Y: 0}}
	for i := 1; i < len(e.Q); i++ {
		v := e.Q[i]
		if math.IsInf(v, 1) {
			break
		}
		x := math.Log10(max(v, lo))
		if last := &pts[len(pts)-1]; len(pts) > 1 && last.X == x {
			last.Y = float64(i) / k // a tie: keep the highest step
			continue
		}
		pts = append(pts, plotter.XY{X: x, Y: float64(i) / k})
	}
	pts = append(pts, plotter.XY{X: math.Log10(hi), Y: pts[len(pts)-1].Y})
	return pts
}

// ecdf returns the step points of the empirical CDF of vs (NaN dropped,
// +Inf counted as never recovered) from x = lo to x = hi, zeros at lo,
// with x as log10(x).
func ecdf(vs []float64, lo, hi float64) plotter.XYs {
	e, _ := ECDFOf(vs)
	return ecdfPoints(e, lo, hi)
}

// outlinedDiamond is a diamond filled with the glyph colour and edged in
// black, the mark of observed history.
type outlinedDiamond struct{}

func (outlinedDiamond) DrawGlyph(c *draw.Canvas, sty draw.GlyphStyle, pt vg.Point) {
	path := diamondPath(pt, sty.Radius)
	c.SetColor(sty.Color)
	c.Fill(path)
	c.SetLineStyle(draw.LineStyle{Color: color.Black, Width: 1.2})
	c.Stroke(path)
}

// historyThumb is the legend mark of observed history.
type historyThumb struct{}

func (historyThumb) Thumbnail(c *draw.Canvas) {
	outlinedDiamond{}.DrawGlyph(c, draw.GlyphStyle{Color: color.White, Radius: 5}, c.Center())
}

// fractionTicks label 0, 0.2, …, 1 and also 0.5 and 0.9, with minor ticks
// at the other tenths; grid lines follow the labelled ticks, so the P50
// and P90 of each curve are easy to read off.
var fractionTicks = plot.ConstantTicks{
	{Value: 0, Label: "0"}, {Value: 0.1}, {Value: 0.2, Label: "0.2"}, {Value: 0.3},
	{Value: 0.4, Label: "0.4"}, {Value: 0.5, Label: "0.5"}, {Value: 0.6, Label: "0.6"},
	{Value: 0.7}, {Value: 0.8, Label: "0.8"}, {Value: 0.9, Label: "0.9"}, {Value: 1, Label: "1"},
}

package risk

import (
	"fmt"
	"image/color"
	"io"
	"math"
	"path/filepath"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/dcsim/dcsim/model/results"
)

// Every chart here is drawn from summaries (points of a curve, bars,
// indices), never from the year-loss table itself, so its size does not
// grow with the number of simulated years.

// CurvePeriods are the return periods at which exceedance charts are drawn:
// 40 points spaced evenly in log T from 1.25 to 1,000 years.
var CurvePeriods = func() []float64 {
	const n = 40
	lo, hi := math.Log(1.25), math.Log(1000)
	out := make([]float64, n)
	for i := range out {
		out[i] = math.Exp(lo + (hi-lo)*float64(i)/(n-1))
	}
	return out
}()

// legendPadding separates legend entries, so that their text boxes do not
// touch whatever font a browser draws the SVG with.
const legendPadding = vg.Length(3)

// Series is one line of an exceedance chart: a variant's points.
type Series struct {
	Name   string
	Points []EPPoint
}

// ExceedanceChart draws loss against return period (log scale), one line
// per series with its 95% band shaded. Upper ends the simulation could not
// bound (infinite) are drawn at the top of the chart.
func ExceedanceChart(title, lossLabel string, series []Series) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = "return period (years)"
	p.Y.Label.Text = lossLabel
	p.X.Scale = plot.LogScale{}
	p.X.Tick.Marker = plot.LogTicks{Prec: -1}
	p.Y.Tick.Marker = readableTicks{}
	// Top left: losses rise with the return period, so that corner is
	// empty.
	p.Legend.Top = true
	p.Legend.Left = true
	p.Legend.Padding = legendPadding
	p.Add(plotter.NewGrid())
	top := 0.0
	for _, s := range series {
		for _, pt := range s.Points {
			for _, v := range []float64{pt.Loss, pt.CI95[0], pt.CI95[1]} {
				if !math.IsInf(v, 0) && !math.IsNaN(v) {
					top = max(top, v)
				}
			}
		}
	}
	for k, s := range series {
		if len(s.Points) == 0 {
			continue
		}
		c := plotutil.Color(k)
		line := make(plotter.XYs, 0, len(s.Points))
		band := make(plotter.XYs, 0, 2*len(s.Points))
		for _, pt := range s.Points {
			if pt.ReturnPeriodYears <= 0 || math.IsNaN(pt.Loss) {
				return nil, fmt.Errorf("%s: return period %v loss %v cannot be drawn", s.Name, pt.ReturnPeriodYears, pt.Loss)
			}
			line = append(line, plotter.XY{X: pt.ReturnPeriodYears, Y: pt.Loss})
			band = append(band, plotter.XY{X: pt.ReturnPeriodYears, Y: clip(pt.CI95[0], top)})
		}
		for i := len(s.Points) - 1; i >= 0; i-- {
			pt := s.Points[i]
			band = append(band, plotter.XY{X: pt.ReturnPeriodYears, Y: clip(pt.CI95[1], top)})
		}
		poly, err := plotter.NewPolygon(band)
		if err != nil {
			return nil, err
		}
		poly.Color = fade(c, 0x40)
		poly.LineStyle.Width = 0
		l, err := plotter.NewLine(line)
		if err != nil {
			return nil, err
		}
		l.Color = c
		l.Width = vg.Points(1.5)
		l.Dashes = plotutil.Dashes(k)
		p.Add(poly, l)
		p.Legend.Add(s.Name, l)
	}
	return p, nil
}

func clip(v, top float64) float64 {
	if math.IsInf(v, 1) || math.IsNaN(v) {
		return top
	}
	if math.IsInf(v, -1) {
		return 0
	}
	return v
}

func fade(c color.Color, alpha uint8) color.Color {
	r, g, b, _ := c.RGBA()
	return color.NRGBA{R: uint8(r >> 8), G: uint8(g >> 8), B: uint8(b >> 8), A: alpha}
}

// TornadoChart draws one tornado: a horizontal bar per input from the
// output at the input's P10 to the output at its P90 (others at medians),
// largest swing on top, with a vertical line at the output at all medians.
func TornadoChart(title, outputLabel string, t Tornado) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = outputLabel
	p.X.Tick.Marker = readableTicks{}
	n := len(t.Bars)
	var ticks []plot.Tick
	lo, hi := t.Base, t.Base
	cLow, cHigh := plotutil.Color(0), plotutil.Color(1)
	for k, b := range t.Bars {
		y := float64(n - 1 - k)
		ticks = append(ticks, plot.Tick{Value: y, Label: b.Input})
		for _, seg := range []struct {
			v float64
			c color.Color
		}{{b.Low, cLow}, {b.High, cHigh}} {
			poly, err := plotter.NewPolygon(plotter.XYs{
				{X: t.Base, Y: y - 0.35}, {X: seg.v, Y: y - 0.35}, {X: seg.v, Y: y + 0.35}, {X: t.Base, Y: y + 0.35},
			})
			if err != nil {
				return nil, err
			}
			poly.Color = seg.c
			poly.LineStyle.Width = 0
			p.Add(poly)
			lo, hi = min(lo, seg.v), max(hi, seg.v)
		}
	}
	base, err := plotter.NewLine(plotter.XYs{{X: t.Base, Y: -0.6}, {X: t.Base, Y: float64(n) - 0.4}})
	if err != nil {
		return nil, err
	}
	base.Width = vg.Points(1)
	p.Add(base)
	p.Y.Tick.Marker = plot.ConstantTicks(ticks)
	p.Y.Min, p.Y.Max = -0.6, float64(n)+0.6 // a free row on top for the legend
	pad := (hi - lo) * 0.05
	if pad == 0 {
		pad = math.Max(math.Abs(t.Base)*0.05, 1)
	}
	p.X.Min, p.X.Max = lo-pad, hi+pad
	p.Legend.Add("input at P10", swatch{cLow})
	p.Legend.Add("input at P90", swatch{cHigh})
	p.Legend.Top = true
	p.Legend.Padding = legendPadding
	return p, nil
}

// swatch is a legend thumbnail: a filled box.
type swatch struct{ c color.Color }

func (s swatch) Thumbnail(c *draw.Canvas) {
	c.FillPolygon(s.c, []vg.Point{
		{X: c.Min.X, Y: c.Min.Y}, {X: c.Max.X, Y: c.Min.Y}, {X: c.Max.X, Y: c.Max.Y}, {X: c.Min.X, Y: c.Max.Y},
	})
}

// SobolChart draws first- and total-order indices as paired bars per input
// with their 95% intervals as whiskers.
func SobolChart(title string, r SobolResult) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = title
	p.Y.Label.Text = "share of output variance"
	p.Add(plotter.NewGrid())
	var ticks []plot.Tick
	top := 1.0
	cols := []color.Color{plotutil.Color(0), plotutil.Color(2)}
	for i, ix := range r.Indices {
		x := float64(i)
		ticks = append(ticks, plot.Tick{Value: x, Label: ix.Input})
		for k, v := range []struct {
			est float64
			ci  Interval
		}{{ix.First, ix.FirstC}, {ix.Total, ix.TotalC}} {
			x0 := x - 0.38 + 0.38*float64(k)
			poly, err := plotter.NewPolygon(plotter.XYs{{X: x0, Y: 0}, {X: x0 + 0.36, Y: 0}, {X: x0 + 0.36, Y: v.est}, {X: x0, Y: v.est}})
			if err != nil {
				return nil, err
			}
			poly.Color = cols[k]
			poly.LineStyle.Width = 0
			wh, err := plotter.NewLine(plotter.XYs{{X: x0 + 0.18, Y: v.ci[0]}, {X: x0 + 0.18, Y: v.ci[1]}})
			if err != nil {
				return nil, err
			}
			wh.Width = vg.Points(1.2)
			p.Add(poly, wh)
			top = max(top, v.ci[1])
		}
	}
	p.X.Tick.Marker = plot.ConstantTicks(ticks)
	p.X.Min, p.X.Max = -0.6, float64(len(r.Indices))-0.4
	p.Y.Min, p.Y.Max = math.Min(0, minLower(r)), top*1.05
	p.Legend.Add("first order", swatch{cols[0]})
	p.Legend.Add("total order", swatch{cols[1]})
	p.Legend.Top = true
	p.Legend.Padding = legendPadding
	return p, nil
}

func minLower(r SobolResult) float64 {
	m := 0.0
	for _, ix := range r.Indices {
		m = min(m, ix.FirstC[0], ix.TotalC[0])
	}
	return m
}

// SweepSeries is one line of a sweep chart: a metric's estimates at each
// swept value, for one combination of the other swept keys.
type SweepSeries struct {
	Name string // "" when only one key is swept
	Y    []Estimate
}

// SweepChart draws a metric against a swept key, one line per series with
// 95% whiskers. x holds the swept values; when they are not numbers, pass
// their positions 0..k-1 and their names in xLabels.
func SweepChart(title, xLabel, yLabel string, x []float64, xLabels []string, series []SweepSeries) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = xLabel
	p.Y.Label.Text = yLabel
	p.Y.Tick.Marker = readableTicks{}
	p.Add(plotter.NewGrid())
	if xLabels != nil {
		ticks := make([]plot.Tick, len(xLabels))
		for i, l := range xLabels {
			ticks[i] = plot.Tick{Value: x[i], Label: l}
		}
		p.X.Tick.Marker = plot.ConstantTicks(ticks)
	}
	for k, s := range series {
		if len(s.Y) != len(x) {
			return nil, fmt.Errorf("series %q has %d values for %d swept values", s.Name, len(s.Y), len(x))
		}
		c := plotutil.Color(k)
		line := make(plotter.XYs, len(x))
		for i := range x {
			line[i] = plotter.XY{X: x[i], Y: s.Y[i].Mean}
			lo, hi := s.Y[i].CI95[0], s.Y[i].CI95[1]
			if math.IsNaN(lo) || math.IsNaN(hi) || math.IsInf(lo, 0) || math.IsInf(hi, 0) {
				continue
			}
			wh, err := plotter.NewLine(plotter.XYs{{X: x[i], Y: lo}, {X: x[i], Y: hi}})
			if err != nil {
				return nil, err
			}
			wh.Color = c
			wh.Width = vg.Points(1.2)
			p.Add(wh)
		}
		l, pts, err := plotter.NewLinePoints(line)
		if err != nil {
			return nil, err
		}
		l.Color, pts.Color = c, c
		l.Dashes = plotutil.Dashes(k)
		p.Add(l, pts)
		if s.Name != "" {
			p.Legend.Add(s.Name, l)
		}
	}
	p.Legend.Top = true
	return p, nil
}

// readableTicks are gonum's default tick positions labelled with up to
// three significant digits, so that 4.5e11 and 5.5e11 do not both print as
// the same rounded label.
type readableTicks struct{}

func (readableTicks) Ticks(lo, hi float64) []plot.Tick {
	ts := plot.DefaultTicks{}.Ticks(lo, hi)
	for i := range ts {
		if ts[i].Label != "" {
			ts[i].Label = formatTick(ts[i].Value)
		}
	}
	return ts
}

func formatTick(v float64) string {
	a := math.Abs(v)
	if a != 0 && (a >= 1e6 || a < 1e-3) {
		return strconv.FormatFloat(v, 'g', 3, 64)
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// Save writes p to path, PNG or SVG by the extension, at w×h, atomically
// (a temporary name, then a rename).
func Save(p *plot.Plot, path string, w, h vg.Length) error {
	format := strings.TrimPrefix(strings.ToLower(filepath.Ext(path)), ".")
	if format != "png" && format != "svg" {
		return fmt.Errorf("%s: charts are written as .png or .svg", path)
	}
	wt, err := p.WriterTo(w, h, format)
	if err != nil {
		return err
	}
	return results.WriteAtomic(path, func(out io.Writer) error {
		_, err := wt.WriteTo(out)
		return err
	})
}

// SpreadChart draws each option's NPV over input uncertainty: a bar from
// its P5 to its P95, a tick at the median and a dot at the mean, one row
// per option in the order given, with a vertical line at 0 (doing
// nothing).
func SpreadChart(title, label string, opts []OptionUncertainty) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = label
	p.X.Tick.Marker = readableTicks{}
	n := len(opts)
	var ticks []plot.Tick
	lo, hi := 0.0, 0.0
	c := plotutil.Color(0)
	var means plotter.XYs
	for k, o := range opts {
		y := float64(n - 1 - k)
		ticks = append(ticks, plot.Tick{Value: y, Label: o.Name})
		s := o.NPV
		poly, err := plotter.NewPolygon(plotter.XYs{{X: s.P05, Y: y - 0.3}, {X: s.P95, Y: y - 0.3}, {X: s.P95, Y: y + 0.3}, {X: s.P05, Y: y + 0.3}})
		if err != nil {
			return nil, err
		}
		poly.Color = fade(c, 110)
		poly.LineStyle.Width = 0
		p.Add(poly)
		med, err := plotter.NewLine(plotter.XYs{{X: s.P50, Y: y - 0.3}, {X: s.P50, Y: y + 0.3}})
		if err != nil {
			return nil, err
		}
		med.Width = vg.Points(1.5)
		p.Add(med)
		means = append(means, plotter.XY{X: s.Mean, Y: y})
		lo, hi = min(lo, s.P05, s.Mean), max(hi, s.P95, s.Mean)
	}
	sc, err := plotter.NewScatter(means)
	if err != nil {
		return nil, err
	}
	sc.GlyphStyle.Shape = draw.CircleGlyph{}
	sc.GlyphStyle.Radius = vg.Points(3)
	p.Add(sc)
	zero, err := plotter.NewLine(plotter.XYs{{X: 0, Y: -0.6}, {X: 0, Y: float64(n) - 0.4}})
	if err != nil {
		return nil, err
	}
	zero.Dashes = []vg.Length{vg.Points(3), vg.Points(3)}
	p.Add(zero)
	p.Y.Tick.Marker = plot.ConstantTicks(ticks)
	p.Y.Min, p.Y.Max = -0.6, float64(n)+0.6 // a free row on top for the legend
	pad := (hi - lo) * 0.05
	if pad == 0 {
		pad = 1
	}
	p.X.Min, p.X.Max = lo-pad, hi+pad
	p.Legend.Add("P5–P95", swatch{fade(c, 110)})
	p.Legend.Add("mean", sc)
	p.Legend.Top = true
	p.Legend.Padding = legendPadding
	return p, nil
}

package report

import (
	"cmp"
	"fmt"
	"image/color"
	"math"
	"slices"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// OptionPoint is one investment option (or the baseline) on the
// cost-against-risk chart. Money is in the chart's currency per year.
type OptionPoint struct {
	// Name labels the point, e.g. "baseline" or "second site".
	Name string
	// AnnualCost is capex spread over the option's lifetime plus opex, per
	// year (0 for the baseline).
	AnnualCost float64
	// ALE is the annualised loss expectancy: expected loss per year, the
	// incident rate times the mean loss per incident.
	ALE float64
	// ALELo and ALEHi bound the 95% confidence interval of ALE. When
	// ALELo < ALEHi the interval is drawn as an error bar; otherwise
	// (e.g. both zero) no bar is drawn.
	ALELo, ALEHi float64
	// Pareto marks options on the efficient frontier: no other option is
	// both cheaper and less risky. MarkPareto computes it.
	Pareto bool
}

// MarkPareto sets Pareto on each point that no other point dominates,
// where a dominates b if a.AnnualCost ≤ b.AnnualCost and a.ALE ≤ b.ALE with
// at least one strict. Points with equal cost and ALE are all on the
// frontier.
func MarkPareto(points []OptionPoint) {
	for i := range points {
		points[i].Pareto = true
		for j := range points {
			a, b := points[j], points[i]
			if a.AnnualCost <= b.AnnualCost && a.ALE <= b.ALE && (a.AnnualCost < b.AnnualCost || a.ALE < b.ALE) {
				points[i].Pareto = false
				break
			}
		}
	}
}

// InvestmentChart draws annualised cost against ALE, one labelled point
// per option, to path (.png or .svg). See NewInvestmentChart.
func InvestmentChart(path, title, currency string, points []OptionPoint) error {
	return NewInvestmentChart(title, currency, points).Save(path)
}

// NewInvestmentChart returns a chart of annualised cost (x) against
// annualised loss expectancy (y), both in currency per year (currency is
// a code or symbol such as "KRW"), with one labelled point per option,
// vertical error bars for the 95% CI of its ALE, and the options marked
// Pareto drawn as diamonds joined, in order of cost, by the frontier line.
// Good options sit low and to the left. Both axes start at zero when the
// data are non-negative.
func NewInvestmentChart(title, currency string, points []OptionPoint) Chart {
	points = slices.Clone(points)
	return newChart(title, func(w, h vg.Length) (*figure, error) {
		return buildInvestment(title, currency, points, w)
	})
}

func buildInvestment(title, currency string, points []OptionPoint, w vg.Length) (*figure, error) {
	if len(points) == 0 {
		return nil, fmt.Errorf("no options")
	}
	for _, o := range points {
		if err := checkFinite(fmt.Sprintf("option %q annual cost", o.Name), o.AnnualCost); err != nil {
			return nil, err
		}
		if err := checkFinite(fmt.Sprintf("option %q ALE", o.Name), o.ALE); err != nil {
			return nil, err
		}
		if hasCI(o.ALELo, o.ALEHi) && !(o.ALELo <= o.ALE && o.ALE <= o.ALEHi) {
			return nil, fmt.Errorf("option %q ALE %v outside its interval [%v, %v]", o.Name, o.ALE, o.ALELo, o.ALEHi)
		}
	}
	per := currency + "/yr"
	p := newPlot(title, "Annualised cost ("+per+")", "Annual loss expectancy, ALE ("+per+")", w)
	p.Add(grid(true))
	f := &figure{p: p}

	var bars plotter.XYs
	var errs plotter.YErrors
	for _, o := range points {
		if hasCI(o.ALELo, o.ALEHi) {
			bars = append(bars, plotter.XY{X: o.AnnualCost, Y: o.ALE})
			errs = append(errs, struct{ Low, High float64 }{o.ALE - o.ALELo, o.ALEHi - o.ALE})
		}
	}
	ink := color.Gray{Y: 70}
	var eb *plotter.YErrorBars
	if len(bars) > 0 {
		var err error
		eb, err = plotter.NewYErrorBars(struct {
			plotter.XYs
			plotter.YErrors
		}{bars, errs})
		if err != nil {
			return nil, err
		}
		eb.LineStyle = draw.LineStyle{Color: ink, Width: 1.2}
		eb.CapWidth = 8
		p.Add(eb)
	}

	var front, others plotter.XYs
	for _, o := range points {
		xy := plotter.XY{X: o.AnnualCost, Y: o.ALE}
		if o.Pareto {
			front = append(front, xy)
		} else {
			others = append(others, xy)
		}
	}
	slices.SortFunc(front, func(a, b plotter.XY) int { return cmp.Or(cmp.Compare(a.X, b.X), cmp.Compare(b.Y, a.Y)) })

	if len(others) > 0 {
		s, err := plotter.NewScatter(others)
		if err != nil {
			return nil, err
		}
		s.GlyphStyle = draw.GlyphStyle{Color: palette[0], Radius: 4.5, Shape: draw.CircleGlyph{}}
		p.Add(s)
		if eb != nil {
			f.addLegend("option (ALE with 95% CI)", errBarThumb{eb.LineStyle}, s)
		} else {
			f.addLegend("option", s)
		}
	}
	if len(front) > 0 {
		l, s, err := plotter.NewLinePoints(front)
		if err != nil {
			return nil, err
		}
		l.LineStyle = draw.LineStyle{Color: palette[1], Width: 2}
		s.GlyphStyle = draw.GlyphStyle{Color: palette[1], Radius: 6, Shape: diamondGlyph{}}
		if len(front) > 1 {
			p.Add(l)
			f.addLegend("Pareto frontier", l, s)
		} else {
			f.addLegend("Pareto frontier", s)
		}
		p.Add(s)
	}

	// Labels: the baseline and the frontier first, cheapest first, then
	// the rest, so that if some cannot be placed it is the dominated ones.
	order := make([]int, len(points))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		pa, pb := points[a], points[b]
		return cmp.Or(cmp.Compare(b2i(!pa.Pareto), b2i(!pb.Pareto)), cmp.Compare(pa.AnnualCost, pb.AnnualCost))
	})
	pl := &pointLabels{sty: textStyle(noteSize + 0.5), glyph: 6}
	for _, i := range order {
		pl.pts = append(pl.pts, plotter.XY{X: points[i].AnnualCost, Y: points[i].ALE})
		pl.names = append(pl.names, points[i].Name)
	}
	for i := 1; i < len(front); i++ {
		pl.avoid = append(pl.avoid, [2]plotter.XY{front[i-1], front[i]})
	}
	p.Add(pl)

	if p.X.Min >= 0 {
		p.X.Min = 0
	}
	if p.Y.Min >= 0 {
		p.Y.Min = 0
	}
	// Room above the highest options for their labels.
	p.Y.Max *= 1.15
	return f, nil
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func hasCI(lo, hi float64) bool {
	return lo < hi && !math.IsInf(lo, 0) && !math.IsInf(hi, 0)
}

// diamondGlyph is a filled diamond, the frontier's marker.
type diamondGlyph struct{}

func (diamondGlyph) DrawGlyph(c *draw.Canvas, sty draw.GlyphStyle, pt vg.Point) {
	c.SetColor(sty.Color)
	c.Fill(diamondPath(pt, sty.Radius))
}

// diamondPath is a diamond of half-diagonal r centred on pt.
func diamondPath(pt vg.Point, r vg.Length) vg.Path {
	var path vg.Path
	path.Move(vg.Point{X: pt.X, Y: pt.Y + r})
	path.Line(vg.Point{X: pt.X + r, Y: pt.Y})
	path.Line(vg.Point{X: pt.X, Y: pt.Y - r})
	path.Line(vg.Point{X: pt.X - r, Y: pt.Y})
	path.Close()
	return path
}

// errBarThumb draws a capped vertical bar as a legend thumbnail.
type errBarThumb struct{ draw.LineStyle }

func (t errBarThumb) Thumbnail(c *draw.Canvas) {
	x := c.Center().X
	y0, y1 := c.Min.Y, c.Max.Y
	c.StrokeLine2(t.LineStyle, x, y0, x, y1)
	c.StrokeLine2(t.LineStyle, x-3, y0, x+3, y0)
	c.StrokeLine2(t.LineStyle, x-3, y1, x+3, y1)
}

var _ plot.Thumbnailer = errBarThumb{}

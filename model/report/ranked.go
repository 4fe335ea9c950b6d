package report

import (
	"cmp"
	"fmt"
	"image/color"
	"slices"

	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Ranked is one bar of a ranked bar chart.
type Ranked struct {
	// Label names the bar, e.g. an investment option.
	Label string
	// Value is the bar's length in the chart's unit.
	Value float64
	// Lo and Hi bound its 95% confidence interval, drawn as a whisker when
	// Lo < Hi; leave both zero for no whisker.
	Lo, Hi float64
}

// RankedBars draws horizontal bars sorted from the largest value at the
// top to the smallest, to path (.png or .svg). See NewRankedBars.
func RankedBars(path, title, unit string, rows []Ranked) error {
	return NewRankedBars(title, unit, rows).Save(path)
}

// NewRankedBars returns a chart of one horizontal bar per row, largest
// value at the top, each with its value written beside it and a whisker
// for its 95% CI where given; unit labels the value axis, e.g. "ALE
// avoided per KRW of annual cost (KRW/KRW)". Negative values extend left
// of zero in a second colour. The default height grows with the number of
// rows (0.4 in each, at least 5 in).
func NewRankedBars(title, unit string, rows []Ranked) Chart {
	rows = slices.Clone(rows)
	return Chart{
		title:  title,
		svg:    &svgMemo{},
		height: func() float64 { return max(DefaultHeightIn, 1.6+0.4*float64(len(rows))) },
		build: func(w, h vg.Length) (*figure, error) {
			return buildRanked(title, unit, rows, w, h)
		},
	}
}

func buildRanked(title, unit string, rows []Ranked, w, h vg.Length) (*figure, error) {
	if len(rows) == 0 {
		return nil, fmt.Errorf("no rows")
	}
	for _, r := range rows {
		if err := checkFinite(fmt.Sprintf("row %q value", r.Label), r.Value); err != nil {
			return nil, err
		}
		if hasCI(r.Lo, r.Hi) && !(r.Lo <= r.Value && r.Value <= r.Hi) {
			return nil, fmt.Errorf("row %q value %v outside its interval [%v, %v]", r.Label, r.Value, r.Lo, r.Hi)
		}
	}
	// Ascending, so that index 0 is the bottom bar and the largest is on top.
	slices.SortStableFunc(rows, func(a, b Ranked) int { return cmp.Compare(a.Value, b.Value) })

	p := newPlot(title, unit, "", w)
	p.Add(grid(true))
	p.Y.Tick.Label.Font.Size = labelSize - 1

	names := make([]string, len(rows))
	var pos, neg plotter.Values
	for i, r := range rows {
		names[i] = r.Label
		if r.Value >= 0 {
			pos, neg = append(pos, r.Value), append(neg, 0)
		} else {
			pos, neg = append(pos, 0), append(neg, r.Value)
		}
	}
	// The data area is about the height less title and axis; bars take
	// 60 % of each row.
	barW := (h - 1.1*vg.Inch) / vg.Length(len(rows)) * 0.6
	barW = min(barW, 36)
	for i, vs := range []plotter.Values{pos, neg} {
		b, err := plotter.NewBarChart(vs, barW)
		if err != nil {
			return nil, err
		}
		b.Horizontal = true
		b.Color = palette[i]
		b.LineStyle.Width = 0
		p.Add(b)
	}

	var whiskers plotter.XYs
	var errs plotter.XErrors
	ends := make(plotter.XYs, len(rows))
	texts := make([]string, len(rows))
	for i, r := range rows {
		end := r.Value
		if hasCI(r.Lo, r.Hi) {
			whiskers = append(whiskers, plotter.XY{X: r.Value, Y: float64(i)})
			errs = append(errs, struct{ Low, High float64 }{r.Value - r.Lo, r.Hi - r.Value})
			end = r.Hi
			if r.Value < 0 {
				end = r.Lo
			}
		}
		ends[i] = plotter.XY{X: end, Y: float64(i)}
		texts[i] = formatNumber(r.Value)
	}
	if len(whiskers) > 0 {
		eb, err := plotter.NewXErrorBars(struct {
			plotter.XYs
			plotter.XErrors
		}{whiskers, errs})
		if err != nil {
			return nil, err
		}
		eb.LineStyle = draw.LineStyle{Color: color.Gray{Y: 40}, Width: 1.2}
		eb.CapWidth = min(barW*0.6, 10)
		p.Add(eb)
	}
	// Each value is written 5 pt beyond the end of its bar or whisker, on
	// the side away from zero.
	for _, side := range []struct {
		neg    bool
		offset vg.Length
		align  text.XAlignment
	}{{false, 5, draw.XLeft}, {true, -5, draw.XRight}} {
		var xys plotter.XYs
		var ts []string
		for i, r := range rows {
			if (r.Value < 0) == side.neg {
				xys, ts = append(xys, ends[i]), append(ts, texts[i])
			}
		}
		if len(xys) == 0 {
			continue
		}
		labels, err := plotter.NewLabels(plotter.XYLabels{XYs: xys, Labels: ts})
		if err != nil {
			return nil, err
		}
		for i := range labels.TextStyle {
			labels.TextStyle[i] = textStyle(noteSize + 0.5)
			labels.TextStyle[i].XAlign = side.align
			labels.TextStyle[i].YAlign = draw.YCenter
		}
		labels.Offset = vg.Point{X: side.offset}
		p.Add(labels)
	}
	p.NominalY(names...)
	if p.X.Min > 0 {
		p.X.Min = 0
	}
	if p.X.Max < 0 {
		p.X.Max = 0
	}
	p.Y.Min, p.Y.Max = -0.6, float64(len(rows))-0.4
	return &figure{p: p}, nil
}

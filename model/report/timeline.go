package report

import (
	"fmt"
	"image/color"
	"math"
	"slices"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// StepSeries is the serving fraction of one service over time in one
// replication, a step function: F[i] holds from T[i] until T[i+1] (the
// last value until the horizon).
type StepSeries struct {
	// Label names the service in the legend.
	Label string
	// T are times in hours since the incident, non-decreasing (times
	// before the incident are negative).
	T []float64
	// F are serving fractions in [0, 1] (1 = serving all demand), drawn as
	// 0–100 %. len(F) must equal len(T).
	F []float64
	// Group, as in CDFSeries, makes series of one group share a colour.
	Group string
}

// Marker is an event drawn as a labelled vertical line on a timeline.
type Marker struct {
	// T is the time in hours since the incident.
	T float64
	// Label says what happened, e.g. "power cut" or "kakaotalk failover".
	Label string
	// Observed marks an event of the real incident's history rather than
	// of the simulation: drawn solid in wine red, its label prefixed
	// "history:".
	Observed bool
}

// Timeline draws serving fraction against time with event markers to
// path (.png or .svg). See NewTimeline.
func Timeline(path, title string, series []StepSeries, markers []Marker, horizonH float64) error {
	return NewTimeline(title, series, markers, horizonH).Save(path)
}

// NewTimeline returns a chart of each service's serving fraction (0–100 %)
// over hours since the incident, as step functions, from min(0, first
// time) to horizonH hours (horizonH ≤ 0: the last time or marker, plus
// 5 %). Markers are dashed vertical lines whose labels ("power cut
// (0.3 h)") sit in rows above the plot, each joined to its line, so labels
// of events minutes apart do not overprint. Markers outside the time axis
// are not drawn. Lines are drawn widest first, so a service hidden under
// another at 100 % still shows as a coloured edge.
func NewTimeline(title string, series []StepSeries, markers []Marker, horizonH float64) Chart {
	series = slices.Clone(series)
	markers = slices.Clone(markers)
	return newChart(title, func(w, h vg.Length) (*figure, error) {
		return buildTimeline(title, series, markers, horizonH, w)
	})
}

func buildTimeline(title string, series []StepSeries, markers []Marker, horizonH float64, w vg.Length) (*figure, error) {
	tmin, tmax, err := checkSteps(series)
	if err != nil {
		return nil, err
	}
	horizonH, err = timeAxis(markers, tmin, tmax, horizonH)
	if err != nil {
		return nil, err
	}

	p := newPlot(title, "Time since incident (hours)", "Serving (% of demand)", w)
	p.Y.Tick.Marker = plot.ConstantTicks{
		{Value: 0, Label: "0"}, {Value: 25, Label: "25"}, {Value: 50, Label: "50"},
		{Value: 75, Label: "75"}, {Value: 100, Label: "100"},
	}
	p.Add(grid(true))
	f := &figure{p: p}

	groups := make([]string, len(series))
	for i, s := range series {
		groups[i] = s.Group
	}
	styles := assignStyles(groups)
	for i, s := range series {
		pts := make(plotter.XYs, 0, len(s.T)+1)
		for j := range s.T {
			if s.T[j] > horizonH {
				break
			}
			pts = append(pts, plotter.XY{X: s.T[j], Y: 100 * s.F[j]})
		}
		if len(pts) == 0 {
			continue // starts after the horizon
		}
		pts = append(pts, plotter.XY{X: horizonH, Y: pts[len(pts)-1].Y})
		line, err := plotter.NewLine(pts)
		if err != nil {
			return nil, fmt.Errorf("series %q: %w", s.Label, err)
		}
		line.StepStyle = plotter.PostStep
		line.Color = styles[i].color
		line.Dashes = styles[i].dashes
		line.Width = lineWidth(i, len(series))
		p.Add(line)
		f.addLegend(s.Label, line)
	}

	addMarkers(p, f, markers, tmin, horizonH)
	if slices.ContainsFunc(markers, func(m Marker) bool { return m.Observed }) {
		f.addLegend("event in history", observedMarkerThumb{})
	}

	p.X.Min, p.X.Max = tmin, horizonH
	p.Y.Min, p.Y.Max = 0, 100
	return f, nil
}

// lineWidth is 4.5 pt for the first of n lines down to 1.5 pt for the
// last: drawn in order, each narrower line sits on the wider ones.
// checkSteps checks step series and returns their time range (from at
// most 0).
func checkSteps(series []StepSeries) (tmin, tmax float64, err error) {
	if len(series) == 0 {
		return 0, 0, fmt.Errorf("no series")
	}
	for _, s := range series {
		if len(s.T) != len(s.F) {
			return 0, 0, fmt.Errorf("series %q has %d times and %d fractions", s.Label, len(s.T), len(s.F))
		}
		if len(s.T) == 0 {
			return 0, 0, fmt.Errorf("series %q has no points", s.Label)
		}
		for i := range s.T {
			if err := checkFinite(fmt.Sprintf("series %q time %d", s.Label, i), s.T[i]); err != nil {
				return 0, 0, err
			}
			if i > 0 && s.T[i] < s.T[i-1] {
				return 0, 0, fmt.Errorf("series %q times decrease at %d (%v < %v)", s.Label, i, s.T[i], s.T[i-1])
			}
			if f := s.F[i]; !(f >= 0 && f <= 1) {
				return 0, 0, fmt.Errorf("series %q fraction %d is %v, want 0–1", s.Label, i, f)
			}
		}
		tmin, tmax = min(tmin, s.T[0]), max(tmax, s.T[len(s.T)-1])
	}
	return tmin, tmax, nil
}

// timeAxis checks the markers and returns the end of the time axis:
// horizonH, or when that is ≤ 0 the last time or marker plus 5 %.
func timeAxis(markers []Marker, tmin, tmax, horizonH float64) (float64, error) {
	for _, m := range markers {
		if err := checkFinite(fmt.Sprintf("marker %q time", m.Label), m.T); err != nil {
			return 0, err
		}
		if horizonH <= 0 {
			tmax = max(tmax, m.T)
		}
	}
	if math.IsNaN(horizonH) || math.IsInf(horizonH, 0) {
		return 0, fmt.Errorf("horizon is %v h", horizonH)
	}
	if horizonH <= 0 {
		horizonH = tmax * 1.05
	}
	if horizonH <= tmin {
		horizonH = tmin + 1
	}
	return horizonH, nil
}

// addMarkers adds the markers within [tmin, horizonH] to the plot.
func addMarkers(p *plot.Plot, f *figure, markers []Marker, tmin, horizonH float64) {
	ml := &markerLayer{
		style: textStyle(noteSize),
		line:  draw.LineStyle{Color: color.Gray{Y: 90}, Width: 1, Dashes: []vg.Length{4, 3}},
	}
	for _, m := range markers {
		if m.T >= tmin && m.T <= horizonH {
			ml.markers = append(ml.markers, m)
		}
	}
	slices.SortStableFunc(ml.markers, func(a, b Marker) int { return cmpFloat(a.T, b.T) })
	p.Add(ml)
	f.prepare = func(data draw.Canvas) { ml.width = data.Size().X }
}

// observedLine is the style of a marker of observed history: solid and
// dark, where simulated events are dashed grey.
var observedLine = draw.LineStyle{Color: rgb(0x882255), Width: 1.2}

// observedMarkerThumb is the legend mark of an observed event.
type observedMarkerThumb struct{}

func (observedMarkerThumb) Thumbnail(c *draw.Canvas) {
	x := c.Center().X
	c.StrokeLine2(observedLine, x, c.Min.Y, x, c.Max.Y)
}

func lineWidth(i, n int) vg.Length {
	if n <= 1 {
		return 2.5
	}
	return vg.Length(4.5 - 3*float64(i)/float64(n-1))
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// markerLayer draws the event markers of a timeline: a dashed line through
// the data area and a label in a band of rows above it.
type markerLayer struct {
	markers []Marker // sorted by T
	style   text.Style
	line    draw.LineStyle
	width   vg.Length // data-area width, set before drawing
}

// Label placement.
const (
	maxMarkerRows           = 8
	markerGap     vg.Length = 6 // between labels in a row
	markerPad     vg.Length = 4 // between the plot top and the first row
)

func (m *markerLayer) text(i int) string {
	mk := m.markers[i]
	if mk.Observed {
		return fmt.Sprintf("history: %s (%s h)", mk.Label, formatNumber(mk.T))
	}
	return fmt.Sprintf("%s (%s h)", mk.Label, formatNumber(mk.T))
}

func (m *markerLayer) rowHeight() vg.Length {
	return m.style.Height("Ag") + 2
}

// placement is where one label goes: its row (0 = nearest the plot) and
// the left edge of its text, both relative to the data area.
type placement struct {
	row   int
	start vg.Length
}

// layout places the labels of markers at data-area x positions xs in a
// band of at most maxMarkerRows rows. Working from the latest marker to
// the earliest, each label takes the lowest row where it overlaps no
// other label and no other marker's leader line (which runs from the plot
// top up to that marker's row), preferring to start at its marker and
// otherwise ending there. A label that fits nowhere is hidden (row -1):
// its marker line is drawn without it, never over another label.
func (m *markerLayer) layout(xs []vg.Length, width vg.Length) (ps []placement, rows int) {
	ps = make([]placement, len(xs))
	placed := make([]bool, len(xs))
	for i := len(xs) - 1; i >= 0; i-- {
		tw := m.style.Width(m.text(i))
		x := xs[i]
		// Text starts 1.5 pt right of its leader, or ends 1.5 pt left of it.
		starts := []vg.Length{x, x - tw - 3}
		if x+tw > width {
			starts = []vg.Length{x - tw - 3, x}
		}
		ok := func(r int, s vg.Length) bool {
			if s < 0 || s+tw > width+markerGap {
				return false // would stick out of the plot
			}
			for j := range xs {
				if !placed[j] {
					continue
				}
				q := ps[j]
				qw := m.style.Width(m.text(j))
				if q.row == r && s < q.start+qw+markerGap && q.start < s+tw+markerGap {
					return false // overlaps a label in this row
				}
				// Text runs from start+1.5 to start+1.5+width; a leader
				// within 1 pt of it would touch it.
				if q.row > r && xs[j] > s+0.5 && xs[j] < s+tw+2.5 {
					return false // covers the leader of a label above
				}
				if q.row < r && x > q.start+0.5 && x < q.start+qw+2.5 {
					return false // our leader would cross a label below
				}
			}
			return true
		}
		ps[i] = placement{row: -1}
	search:
		for r := 0; r < maxMarkerRows; r++ {
			for _, s := range starts {
				if ok(r, s) {
					ps[i] = placement{row: r, start: s}
					break search
				}
			}
		}
		placed[i] = ps[i].row >= 0
		rows = max(rows, ps[i].row+1)
	}
	return ps, rows
}

// positions returns the markers' x positions in the data area of width w.
func (m *markerLayer) positions(plt *plot.Plot, w vg.Length) []vg.Length {
	xs := make([]vg.Length, len(m.markers))
	for i, mk := range m.markers {
		xs[i] = vg.Length(plt.X.Norm(mk.T)) * w
	}
	return xs
}

// GlyphBoxes reserves the band of label rows above the data area.
func (m *markerLayer) GlyphBoxes(plt *plot.Plot) []plot.GlyphBox {
	if len(m.markers) == 0 || m.width <= 0 {
		return nil
	}
	_, rows := m.layout(m.positions(plt, m.width), m.width)
	return []plot.GlyphBox{{X: 0, Y: 1, Rectangle: vg.Rectangle{
		Max: vg.Point{Y: markerPad + vg.Length(rows)*m.rowHeight()},
	}}}
}

// Plot draws the markers.
func (m *markerLayer) Plot(c draw.Canvas, plt *plot.Plot) {
	xs := m.positions(plt, c.Size().X)
	ps, _ := m.layout(xs, c.Size().X)
	leader := draw.LineStyle{Color: m.line.Color, Width: 0.6}
	sty := m.style
	sty.XAlign, sty.YAlign = draw.XLeft, draw.YBottom
	sty.Color = color.Gray{Y: 40}
	rh := m.rowHeight()
	for i := range m.markers {
		x := c.Min.X + xs[i]
		line, lead, ts := m.line, leader, sty
		if m.markers[i].Observed {
			line, lead = observedLine, observedLine
			lead.Width = 0.6
			ts.Color = observedLine.Color
		}
		c.StrokeLine2(line, x, c.Min.Y, x, c.Max.Y)
		if ps[i].row < 0 {
			continue // no room for its label
		}
		base := c.Max.Y + markerPad + vg.Length(ps[i].row)*rh
		c.StrokeLine2(lead, x, c.Max.Y, x, base+rh*0.8)
		c.FillText(ts, vg.Point{X: c.Min.X + ps[i].start + 1.5, Y: base}, m.text(i))
	}
}

package report

import (
	"fmt"
	"image/color"
	"math"
	"slices"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Lane is one service's course in one replication, for a swimlane
// timeline: its serving fraction as a step function, as in StepSeries.
type Lane struct {
	// Label names the service.
	Label string
	// Group names the row the lane is folded into when there are more
	// lanes than MaxLanes (e.g. the service's kind or team); lanes with no
	// group are folded in order.
	Group string
	// T are times in hours since the incident, non-decreasing; F the
	// serving fraction from each time on, 0–1.
	T, F []float64
	// History are observed recoveries of this service: each is drawn as a
	// black-edged diamond on the lane (a bar for a window).
	History []Window
}

// Window is a time, or a window of time when To > From, in hours since
// the incident.
type Window struct {
	From, To float64
}

// MaxLanes is the most rows a swimlane chart draws: past it, lanes are
// folded into rows (see NewSwimlanes).
const MaxLanes = 30

// Lane states. A lane is down while it serves less than DownBelow of its
// demand, up from the recovered threshold on, degraded in between.
const DownBelow = 0.05

var (
	downColor     = rgb(0xD55E00) // vermillion
	degradedColor = rgb(0xE69F00) // orange
	upColor       = rgb(0xA8DCC8) // pale bluish green: the normal state recedes
)

// NewSwimlanes returns a timeline with one row per service: a bar coloured
// down (serving < 5 % of demand), degraded, or up (serving at least upAt,
// the recovered threshold, e.g. 0.99) from min(0, first time) to
// horizonH hours (≤ 0: the last change plus 5 %). Markers label events
// above the lanes as on NewTimeline.
//
// With more than MaxLanes lanes, lanes are folded into at most MaxLanes
// rows: by Group when the lanes have at most MaxLanes groups, else into
// runs of consecutive lanes. A folded row is labelled with its size and
// drawn as stacked bands giving, at each time, the share of its services
// down, degraded and up, so 1,000 services stay as readable as 15.
func NewSwimlanes(title string, lanes []Lane, markers []Marker, upAt, horizonH float64) Chart {
	lanes = slices.Clone(lanes)
	markers = slices.Clone(markers)
	rows := len(foldLanes(lanes))
	perRow := 0.27 // inches
	if rows < len(lanes) {
		perRow = 0.45 // folded rows carry bands: give them room
	}
	return Chart{
		title:  title,
		svg:    &svgMemo{},
		height: func() float64 { return max(3.5, 2.4+perRow*float64(rows)) },
		build: func(w, h vg.Length) (*figure, error) {
			return buildSwimlanes(title, lanes, markers, upAt, horizonH, w)
		},
	}
}

// laneRow is one drawn row: one lane or a fold of several.
type laneRow struct {
	label   string
	members []int
}

func foldLanes(lanes []Lane) []laneRow {
	if len(lanes) <= MaxLanes {
		rows := make([]laneRow, len(lanes))
		for i, l := range lanes {
			rows[i] = laneRow{label: l.Label, members: []int{i}}
		}
		return rows
	}
	var rows []laneRow
	idx := map[string]int{}
	grouped := true
	for i, l := range lanes {
		if l.Group == "" {
			grouped = false
			break
		}
		j, ok := idx[l.Group]
		if !ok {
			j = len(rows)
			idx[l.Group] = j
			rows = append(rows, laneRow{label: l.Group})
		}
		rows[j].members = append(rows[j].members, i)
	}
	if grouped && len(rows) <= MaxLanes {
		for i := range rows {
			rows[i].label = fmt.Sprintf("%s (%d)", rows[i].label, len(rows[i].members))
		}
		return rows
	}
	// Runs of consecutive lanes, as even as possible.
	rows = rows[:0]
	n := len(lanes)
	for r := range MaxLanes {
		a, b := r*n/MaxLanes, (r+1)*n/MaxLanes
		row := laneRow{label: fmt.Sprintf("%s … %s (%d)", lanes[a].Label, lanes[b-1].Label, b-a)}
		for i := a; i < b; i++ {
			row.members = append(row.members, i)
		}
		rows = append(rows, row)
	}
	return rows
}

func buildSwimlanes(title string, lanes []Lane, markers []Marker, upAt, horizonH float64, w vg.Length) (*figure, error) {
	if len(lanes) == 0 {
		return nil, fmt.Errorf("no lanes")
	}
	if !(upAt > DownBelow && upAt <= 1) {
		return nil, fmt.Errorf("recovered threshold %v, want above %v and at most 1", upAt, DownBelow)
	}
	series := make([]StepSeries, len(lanes))
	for i, l := range lanes {
		series[i] = StepSeries{Label: l.Label, T: l.T, F: l.F}
	}
	tmin, tmax, err := checkSteps(series)
	if err != nil {
		return nil, err
	}
	for _, l := range lanes {
		for _, h := range l.History {
			if err := checkFinite(fmt.Sprintf("lane %q history time", l.Label), h.From); err != nil {
				return nil, err
			}
			tmax = max(tmax, h.From, h.To)
		}
	}
	horizonH, err = timeAxis(markers, tmin, tmax, horizonH)
	if err != nil {
		return nil, err
	}

	rows := foldLanes(lanes)
	p := newPlot(title, "Time since incident (hours)", "", w)
	p.Add(grid(true))
	p.Y.Tick.Label.Font.Size = tickSize - 1
	ll := &laneLayer{lanes: lanes, rows: rows, upAt: upAt, end: horizonH}
	p.Add(ll)
	names := make([]string, len(rows))
	tsty := p.Y.Tick.Label
	for i, r := range rows {
		// Row 0 at the top.
		names[len(rows)-1-i] = truncateToWidth(tsty, r.label, 1.6*vg.Inch)
	}
	p.NominalY(names...)
	p.Y.Tick.Label.Font.Size = tickSize - 1
	p.Y.Padding = 0

	f := &figure{p: p}
	f.addLegend("down (serving < 5%)", swatch{downColor})
	f.addLegend("degraded", swatch{degradedColor})
	f.addLegend(fmt.Sprintf("up (≥ %s%%)", formatNumber(100*upAt)), swatch{upColor})
	folded := len(rows) < len(lanes)
	if folded {
		f.addLegend(fmt.Sprintf("%d services in %d rows:", len(lanes), len(rows)))
		f.addLegend("band heights = share of")
		f.addLegend("the row's services")
	}
	hasHistory := false
	for _, l := range lanes {
		hasHistory = hasHistory || len(l.History) > 0
	}
	if hasHistory {
		f.addLegend("history (observed)", historyThumb{})
	}
	addMarkers(p, f, markers, tmin, horizonH)
	if slices.ContainsFunc(markers, func(m Marker) bool { return m.Observed }) {
		f.addLegend("event in history", observedMarkerThumb{})
	}
	p.X.Min, p.X.Max = tmin, horizonH
	p.Y.Min, p.Y.Max = -0.6, float64(len(rows))-0.4
	return f, nil
}

// laneLayer draws the lanes.
type laneLayer struct {
	lanes []Lane
	rows  []laneRow
	upAt  float64
	end   float64
}

// state of a serving fraction: 0 down, 1 degraded, 2 up.
func (l *laneLayer) state(f float64) int {
	switch {
	case f < DownBelow:
		return 0
	case f >= l.upAt:
		return 2
	}
	return 1
}

var stateColors = [3]color.Color{downColor, degradedColor, upColor}

// Plot draws each row as rectangles between the times its state changes.
func (l *laneLayer) Plot(c draw.Canvas, plt *plot.Plot) {
	trX, trY := plt.Transforms(&c)
	n := len(l.rows)
	const half = 0.36 // half the bar height, in row units
	rect := func(t0, t1, y0, y1 float64, col color.Color) {
		c.SetColor(col)
		c.Fill(vg.Rectangle{Min: vg.Point{X: trX(t0), Y: trY(y0)}, Max: vg.Point{X: trX(t1), Y: trY(y1)}}.Path())
	}
	for ri, row := range l.rows {
		yc := float64(n - 1 - ri)
		// The sweep: each member's state over time, counted per state.
		type change struct {
			t     float64
			lane  int
			state int
		}
		var changes []change
		cur := make([]int, len(row.members))
		var counts [3]int
		for k, m := range row.members {
			ln := l.lanes[m]
			cur[k] = l.state(ln.F[0])
			counts[cur[k]]++
			for j := 1; j < len(ln.T); j++ {
				changes = append(changes, change{ln.T[j], k, l.state(ln.F[j])})
			}
		}
		slices.SortStableFunc(changes, func(a, b change) int { return cmpFloat(a.t, b.t) })
		// Intervals of constant counts, then three areas drawn as one path
		// each (no seams between intervals): the row in "up", the share
		// not up in "degraded" over it, the share down in "down" on top.
		type span struct {
			t0, t1      float64
			down, notUp float64
		}
		total := float64(len(row.members))
		t0 := math.Max(plt.X.Min, l.lanes[row.members[0]].T[0])
		var spans []span
		add := func(t1 float64) {
			t1 = min(t1, l.end)
			if t1 > t0 {
				spans = append(spans, span{t0, t1, float64(counts[0]) / total, float64(counts[0]+counts[1]) / total})
				t0 = t1
			}
		}
		for i := 0; i < len(changes); {
			t := changes[i].t
			add(t)
			for ; i < len(changes) && changes[i].t == t; i++ {
				ch := changes[i]
				counts[cur[ch.lane]]--
				cur[ch.lane] = ch.state
				counts[ch.state]++
			}
		}
		add(l.end)
		if len(spans) == 0 {
			continue
		}
		base := yc - half
		rect(spans[0].t0, spans[len(spans)-1].t1, base, yc+half, upColor)
		for k, col := range []color.Color{degradedColor, downColor} {
			var path vg.Path
			path.Move(vg.Point{X: trX(spans[0].t0), Y: trY(base)})
			some := false
			for _, sp := range spans {
				share := sp.notUp
				if k == 1 {
					share = sp.down
				}
				some = some || share > 0
				y := trY(base + 2*half*share)
				path.Line(vg.Point{X: trX(sp.t0), Y: y})
				path.Line(vg.Point{X: trX(sp.t1), Y: y})
			}
			path.Line(vg.Point{X: trX(spans[len(spans)-1].t1), Y: trY(base)})
			path.Close()
			if some {
				c.SetColor(col)
				c.Fill(path)
			}
		}
		// History on top.
		for _, m := range row.members {
			for _, h := range l.lanes[m].History {
				y := trY(yc)
				if h.To > h.From {
					c.StrokeLine2(draw.LineStyle{Color: color.Black, Width: 2}, trX(h.From), y, trX(h.To), y)
				}
				mid := trX((h.From + max(h.To, h.From)) / 2)
				outlinedDiamond{}.DrawGlyph(&c, draw.GlyphStyle{Color: color.White, Radius: 5}, vg.Point{X: mid, Y: y})
			}
		}
	}
}

// DataRange covers the time axis; rows are set by the chart.
func (l *laneLayer) DataRange() (xmin, xmax, ymin, ymax float64) {
	return 0, l.end, -0.6, float64(len(l.rows)) - 0.4
}

// swatch is a filled square legend thumbnail.
type swatch struct{ color.Color }

func (s swatch) Thumbnail(c *draw.Canvas) {
	c.SetColor(s.Color)
	r := c.Rectangle
	pad := (r.Size().X - r.Size().Y) / 2
	if pad > 0 {
		r.Min.X += pad
		r.Max.X -= pad
	}
	c.Fill(r.Path())
}

package report

import (
	"fmt"
	"image/color"
	"math"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// pointLabels names the points of a scatter so that no two labels, and no
// label and point, overlap, and every label stays inside the data area.
// Labels are placed greedily in the order given (put the important points
// first): each takes the first free spot on rings of growing radius around
// its point, right and left before above and below, joined to its point by
// a thin leader when it sits away from it. A label with no free spot
// within the largest ring is left out; the layer then says how many in a
// note in a free corner.
type pointLabels struct {
	pts   plotter.XYs
	names []string
	sty   text.Style
	// glyph is the radius kept clear around every point.
	glyph vg.Length
	// avoid are line segments (data coordinates) labels must not cross,
	// such as the Pareto frontier.
	avoid [][2]plotter.XY
}

// labelBox is a placed label: its text box and, for a leader, the point.
type labelBox struct {
	i      int
	box    vg.Rectangle
	leader bool
	key    string // the number shown instead of the name, if any
}

// Ring radii (pt) and directions (degrees), in order of preference.
var (
	labelRadii  = []vg.Length{8, 14, 24, 36, 52, 72, 96, 130, 170, 220}
	labelAngles = []float64{0, 180, 25, -25, 155, -155, 55, -55, 125, -125, 90, -90,
		10, -10, 170, -170, 40, -40, 140, -140, 70, -70, 110, -110}
)

func overlaps(a, b vg.Rectangle) bool {
	return a.Min.X < b.Max.X && b.Min.X < a.Max.X && a.Min.Y < b.Max.Y && b.Min.Y < a.Max.Y
}

func inside(a, area vg.Rectangle) bool {
	return a.Min.X >= area.Min.X && a.Max.X <= area.Max.X && a.Min.Y >= area.Min.Y && a.Max.Y <= area.Max.Y
}

// boxAt returns the text box of size (w, h) whose nearest side lies r
// from p in direction deg.
func boxAt(p vg.Point, w, h, r vg.Length, deg float64) vg.Rectangle {
	cos, sin := math.Cos(deg*math.Pi/180), math.Sin(deg*math.Pi/180)
	a := vg.Point{X: p.X + r*vg.Length(cos), Y: p.Y + r*vg.Length(sin)}
	x0, y0 := alignAt(a.X, w, cos), alignAt(a.Y, h, sin)
	return vg.Rectangle{Min: vg.Point{X: x0, Y: y0}, Max: vg.Point{X: x0 + w, Y: y0 + h}}
}

// labelState is what a layout has taken so far: the points' glyphs, the
// placed labels (with a small gap) and their leaders.
type labelState struct {
	points, labels []vg.Rectangle
	leaders        [][2]vg.Point
}

func (st *labelState) free(b vg.Rectangle, seg [2]vg.Point, leader bool) bool {
	for _, t := range st.points {
		if overlaps(b, t) {
			return false
		}
	}
	for _, t := range st.labels {
		if overlaps(b, t) || leader && crosses(seg, t) {
			return false
		}
	}
	for _, ld := range st.leaders {
		if crosses(ld, b) {
			return false
		}
	}
	return true
}

// place finds a spot for text at p, or reports false.
func (l *pointLabels) place(st *labelState, p vg.Point, txt string, area vg.Rectangle) (vg.Rectangle, bool, bool) {
	w, h := l.sty.Width(txt), l.sty.Height("Ag")
	for ri, r := range labelRadii {
		for _, deg := range labelAngles {
			b := boxAt(p, w, h, r+l.glyph, deg)
			if !inside(b, area) {
				continue
			}
			leader := ri > 1
			seg := [2]vg.Point{p, leaderEnd(p, b)}
			if st.free(b, seg, leader) {
				if leader {
					st.leaders = append(st.leaders, seg)
				}
				st.labels = append(st.labels, vg.Rectangle{Min: vg.Point{X: b.Min.X - 2, Y: b.Min.Y - 1}, Max: vg.Point{X: b.Max.X + 2, Y: b.Max.Y + 1}})
				return b, leader, true
			}
		}
	}
	return vg.Rectangle{}, false, false
}

// alignAt returns where a box of the given size starts along one axis so
// that it lies beyond a in direction dir (a cosine or sine): after a,
// before it, or centred on it.
func alignAt(a, size vg.Length, dir float64) vg.Length {
	switch {
	case dir > 0.3:
		return a
	case dir < -0.3:
		return a - size
	}
	return a - size/2
}

// layout places the labels of points ps (canvas coordinates) in area.
// Names that find no spot are replaced by numbers ("1", "2", …: keyed
// in a note) placed the same way; those that still find none are
// dropped.
func (l *pointLabels) layout(ps []vg.Point, area vg.Rectangle, avoid ...[2]vg.Point) (placed []labelBox, keyed, dropped []int) {
	st := &labelState{leaders: avoid}
	for _, p := range ps {
		g := l.glyph + 1
		st.points = append(st.points, vg.Rectangle{Min: vg.Point{X: p.X - g, Y: p.Y - g}, Max: vg.Point{X: p.X + g, Y: p.Y + g}})
	}
	var failed []int
	for i, p := range ps {
		if b, leader, ok := l.place(st, p, l.names[i], area); ok {
			placed = append(placed, labelBox{i: i, box: b, leader: leader})
		} else {
			failed = append(failed, i)
		}
	}
	for _, i := range failed {
		num := strconv.Itoa(len(keyed) + 1)
		if b, leader, ok := l.place(st, ps[i], num, area); ok {
			placed = append(placed, labelBox{i: i, box: b, leader: leader, key: num})
			keyed = append(keyed, i)
		} else {
			dropped = append(dropped, i)
		}
	}
	return placed, keyed, dropped
}

// leaderEnd is the point of box b nearest p, where p's leader ends.
func leaderEnd(p vg.Point, b vg.Rectangle) vg.Point {
	return vg.Point{X: min(max(p.X, b.Min.X), b.Max.X), Y: min(max(p.Y, b.Min.Y), b.Max.Y)}
}

// crosses reports whether segment s passes through the inside of r
// (sampled every 2 pt, ends excluded).
func crosses(s [2]vg.Point, r vg.Rectangle) bool {
	d := math.Hypot(float64(s[1].X-s[0].X), float64(s[1].Y-s[0].Y))
	n := max(2, int(d/2))
	for k := 1; k < n; k++ {
		f := vg.Length(k) / vg.Length(n)
		x, y := s[0].X+f*(s[1].X-s[0].X), s[0].Y+f*(s[1].Y-s[0].Y)
		if x > r.Min.X && x < r.Max.X && y > r.Min.Y && y < r.Max.Y {
			return true
		}
	}
	return false
}

// Plot places and draws the labels.
func (l *pointLabels) Plot(c draw.Canvas, plt *plot.Plot) {
	trX, trY := plt.Transforms(&c)
	ps := make([]vg.Point, len(l.pts))
	for i, p := range l.pts {
		ps[i] = vg.Point{X: trX(p.X), Y: trY(p.Y)}
	}
	var avoid [][2]vg.Point
	for _, sg := range l.avoid {
		avoid = append(avoid, [2]vg.Point{{X: trX(sg[0].X), Y: trY(sg[0].Y)}, {X: trX(sg[1].X), Y: trY(sg[1].Y)}})
	}
	placed, keyed, dropped := l.layout(ps, c.Rectangle, avoid...)
	sty := l.sty
	sty.XAlign, sty.YAlign = draw.XLeft, draw.YBottom
	lead := draw.LineStyle{Color: color.Gray{Y: 120}, Width: 0.6}
	descent := l.sty.Height("Ag") - l.sty.Height("A")
	for _, pb := range placed {
		if pb.leader {
			p := ps[pb.i]
			q := leaderEnd(p, pb.box)
			c.StrokeLine2(lead, p.X, p.Y, q.X, q.Y)
		}
		txt := l.names[pb.i]
		if pb.key != "" {
			txt = pb.key
		}
		c.FillText(sty, vg.Point{X: pb.box.Min.X, Y: pb.box.Min.Y + descent*0.2}, txt)
	}
	// The key to numbered labels, and a count of unlabelled points, in a
	// corner free of labels and points.
	var lines []string
	for k, i := range keyed {
		lines = append(lines, fmt.Sprintf("%d: %s", k+1, l.names[i]))
	}
	switch len(dropped) {
	case 0:
	case 1:
		lines = append(lines, "1 more point without a label (see the table)")
	default:
		lines = append(lines, fmt.Sprintf("%d more points without a label (see the table)", len(dropped)))
	}
	if len(lines) == 0 {
		return
	}
	h := l.sty.Height("Ag")
	var w vg.Length
	for _, ln := range lines {
		w = max(w, sty.Width(ln))
	}
	bh := h * vg.Length(len(lines))
	const pad = 4
	corners := []vg.Point{
		{X: c.Min.X + pad, Y: c.Min.Y + pad},          // bottom left: cheap and safe, rarely taken
		{X: c.Max.X - w - pad, Y: c.Max.Y - bh - pad}, // top right: costly and risky
		{X: c.Max.X - w - pad, Y: c.Min.Y + pad},
		{X: c.Min.X + pad, Y: c.Max.Y - bh - pad},
	}
	st := &labelState{}
	for _, pb := range placed {
		st.labels = append(st.labels, pb.box)
	}
	for _, p := range ps {
		g := l.glyph
		st.points = append(st.points, vg.Rectangle{Min: vg.Point{X: p.X - g, Y: p.Y - g}, Max: vg.Point{X: p.X + g, Y: p.Y + g}})
	}
	at := corners[0]
	for _, cn := range corners {
		b := vg.Rectangle{Min: cn, Max: vg.Point{X: cn.X + w, Y: cn.Y + bh}}
		if st.free(b, [2]vg.Point{}, false) {
			at = cn
			break
		}
	}
	c.SetColor(color.NRGBA{R: 255, G: 255, B: 255, A: 230})
	c.Fill(vg.Rectangle{Min: vg.Point{X: at.X - 2, Y: at.Y - 2}, Max: vg.Point{X: at.X + w + 2, Y: at.Y + bh + 2}}.Path())
	for k, ln := range lines {
		c.FillText(sty, vg.Point{X: at.X, Y: at.Y + bh - h*vg.Length(k+1) + descent*0.2}, ln)
	}
}

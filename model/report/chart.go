package report

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

// Default chart size and PNG resolution. 8 × 5 in at 150 dots per inch is
// a 1200 × 750 pixel PNG; the SVG is 576 × 360 pt and scales freely.
const (
	DefaultWidthIn  = 8.0
	DefaultHeightIn = 5.0
	PNGDPI          = 150
)

// Chart is one figure, built by NewRecoveryCDF, NewTimeline, NewHistogram,
// NewInvestmentChart or NewRankedBars and drawn by Save (to a .png or .svg
// file), Render (to a writer) or WriteHTML (inline SVG). Building a Chart
// only records its data; the data are checked when it is drawn, so every
// drawing method can return the data error. The zero Chart draws nothing
// and reports an error.
type Chart struct {
	// Caption is shown under the chart in the HTML report; optional.
	Caption string
	// WidthIn and HeightIn are the drawing size in inches; zero means the
	// chart's default (8 × 5 in, taller for long ranked lists).
	WidthIn, HeightIn float64

	title  string
	height func() float64 // default height in inches, when it depends on the data
	build  func(w, h vg.Length) (*figure, error)
	// svg keeps the SVG once drawn, shared by copies of the Chart, so the
	// .svg file and the report's inline chart are drawn once.
	svg *svgMemo
}

// svgMemo is a drawn SVG and the size it was drawn at.
type svgMemo struct {
	mu   sync.Mutex
	w, h vg.Length
	data []byte
	err  error
	done bool
}

// newChart returns a chart of the given title drawn by build.
func newChart(title string, build func(w, h vg.Length) (*figure, error)) Chart {
	return Chart{title: title, build: build, svg: &svgMemo{}}
}

// errChart is a chart that reports err when drawn: constructors check
// what they can at once but return errors, like every other data error,
// from the drawing methods.
func errChart(title string, err error) Chart {
	return newChart(title, func(vg.Length, vg.Length) (*figure, error) { return nil, err })
}

// Title returns the chart's title.
func (c Chart) Title() string { return c.title }

// figure is a built plot plus the legend drawn beside it. Keeping the
// legend out of the data area means it never hides a curve.
type figure struct {
	p      *plot.Plot
	legend []legendEntry
	// prepare, if set, is told the data area before the plot is drawn
	// (layouts that depend on its width in points use it).
	prepare func(data draw.Canvas)
}

type legendEntry struct {
	text   string
	thumbs []plot.Thumbnailer
}

func (f *figure) addLegend(text string, thumbs ...plot.Thumbnailer) {
	f.legend = append(f.legend, legendEntry{text: text, thumbs: thumbs})
}

// size returns the drawing size.
func (c Chart) size() (w, h vg.Length) {
	wi, hi := c.WidthIn, c.HeightIn
	if wi <= 0 {
		wi = DefaultWidthIn
	}
	if hi <= 0 {
		hi = DefaultHeightIn
		if c.height != nil {
			hi = c.height()
		}
	}
	return vg.Length(wi) * vg.Inch, vg.Length(hi) * vg.Inch
}

// Save draws the chart to path as PNG or SVG, chosen by the extension
// (.png or .svg, any case). It writes a temporary file in the same
// directory and renames it, so a reader never sees half a file.
func (c Chart) Save(path string) error {
	format, err := formatOf(path)
	if err != nil {
		return err
	}
	if format == "svg" {
		b, err := c.SVG()
		if err != nil {
			return err
		}
		return writeFileAtomic(path, b)
	}
	var buf bytes.Buffer
	if err := c.Render(&buf, format); err != nil {
		return err
	}
	return writeFileAtomic(path, buf.Bytes())
}

// formatOf returns "png" or "svg" for path's extension.
func formatOf(path string) (string, error) {
	switch ext := strings.ToLower(filepath.Ext(path)); ext {
	case ".png", ".svg":
		return ext[1:], nil
	default:
		return "", fmt.Errorf("report: %s: unsupported chart format %q (want .png or .svg)", path, ext)
	}
}

// Render draws the chart to w in format "png" or "svg". The SVG is a
// standalone document whose text is real <text> elements (fonts are not
// embedded; the font-family falls back to Arial/Helvetica/sans-serif).
func (c Chart) Render(w io.Writer, format string) (err error) {
	if c.build == nil {
		return fmt.Errorf("report: empty Chart (build one with NewRecoveryCDF, NewTimeline, …)")
	}
	width, height := c.size()
	var canvas vg.CanvasWriterTo
	switch format {
	case "png":
		canvas = fastPNG{vgimg.NewWith(vgimg.UseWH(width, height), vgimg.UseDPI(PNGDPI))}
	case "svg":
		canvas = vgsvg.New(width, height)
	default:
		return fmt.Errorf("report: unsupported chart format %q (want png or svg)", format)
	}
	// The inputs are validated before drawing; this only turns a panic
	// inside gonum/plot on data we failed to anticipate into an error
	// naming the chart, rather than crashing a long run at report time.
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("report: drawing %q: %v", c.title, r)
		}
	}()
	fig, err := c.build(width, height)
	if err != nil {
		return fmt.Errorf("report: %q: %w", c.title, err)
	}
	fig.draw(draw.New(canvas), format == "png")
	if format == "svg" {
		var buf bytes.Buffer
		if _, err := canvas.WriteTo(&buf); err != nil {
			return err
		}
		_, err = w.Write(fixSVGFonts(buf.Bytes()))
		return err
	}
	_, err = canvas.WriteTo(w)
	return err
}

// fastPNG encodes a canvas with writePNG.
type fastPNG struct{ *vgimg.Canvas }

func (c fastPNG) WriteTo(w io.Writer) (int64, error) {
	img, ok := c.Image().(*image.RGBA)
	if !ok {
		return vgimg.PngCanvas{Canvas: c.Canvas}.WriteTo(w)
	}
	cw := &countingWriter{w: w}
	err := writePNG(cw, img)
	return cw.n, err
}

type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// SVG returns the chart as an SVG document. It is drawn once per size:
// later calls, also on copies of c, return the same bytes (do not modify
// them).
func (c Chart) SVG() ([]byte, error) {
	render := func() ([]byte, error) {
		var buf bytes.Buffer
		if err := c.Render(&buf, "svg"); err != nil {
			return nil, err
		}
		return buf.Bytes(), nil
	}
	if c.svg == nil {
		return render()
	}
	w, h := c.size()
	m := c.svg
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.done || m.w != w || m.h != h {
		m.data, m.err = render()
		m.w, m.h, m.done = w, h, true
	}
	return m.data, m.err
}

// fixSVGFonts adds generic fallbacks to the font families gonum/plot
// writes, so a viewer without the Liberation fonts still draws sans-serif
// text of about the same width.
func fixSVGFonts(svg []byte) []byte {
	return bytes.ReplaceAll(svg, []byte("font-family:Liberation Sans;"),
		[]byte("font-family:'Liberation Sans',Arial,Helvetica,sans-serif;"))
}

// margin is the blank border around every chart.
const margin vg.Length = 6

// draw lays out the plot and, when there is one, the legend in a column
// to the right of the data area, top-aligned with it. A raster canvas
// starts white (vgimg fills it when it is made), so filling it white
// again — twice, the figure and the plot — only costs time: a third of
// drawing a PNG, for the same pixels.
func (f *figure) draw(dc draw.Canvas, white bool) {
	if white {
		f.p.BackgroundColor = nil
	} else {
		dc.SetColor(color.White)
		dc.Fill(dc.Rectangle.Path())
	}
	area := draw.Crop(dc, margin, -margin, margin, -margin)
	if len(f.legend) == 0 {
		if f.prepare != nil {
			f.prepare(f.p.DataCanvas(area))
		}
		f.p.Draw(area)
		return
	}
	leg := plot.NewLegend()
	leg.TextStyle = textStyle(legendSize)
	leg.ThumbnailWidth = 30
	leg.Padding = 4
	leg.Top, leg.Left = true, true
	em := leg.TextStyle.Rectangle(" ").Max.X
	maxText := area.Size().X*0.4 - leg.ThumbnailWidth - 2*em
	var textW vg.Length
	for _, e := range f.legend {
		t := truncateToWidth(leg.TextStyle, e.text, maxText)
		leg.Add(t, e.thumbs...)
		textW = max(textW, leg.TextStyle.Width(t))
	}
	legW := leg.ThumbnailWidth + em + textW + 2*em
	plotArea := draw.Crop(area, 0, -legW, 0, 0)
	// The title is centred over the plot, beside the legend: shrink it to
	// that width, then shorten it.
	ts := &f.p.Title.TextStyle
	for ts.Width(f.p.Title.Text) > plotArea.Size().X && ts.Font.Size > 10 {
		ts.Font.Size -= 0.5
	}
	f.p.Title.Text = truncateToWidth(*ts, f.p.Title.Text, plotArea.Size().X)
	if f.prepare != nil {
		f.prepare(f.p.DataCanvas(plotArea))
	}
	data := f.p.DataCanvas(plotArea)
	f.p.Draw(plotArea)
	leg.Draw(draw.Canvas{Canvas: dc.Canvas, Rectangle: vg.Rectangle{
		Min: vg.Point{X: plotArea.Max.X + em, Y: data.Min.Y},
		Max: vg.Point{X: area.Max.X, Y: data.Max.Y},
	}})
}

// truncateToWidth shortens s with an ellipsis until it fits in w.
func truncateToWidth(sty text.Style, s string, w vg.Length) string {
	if sty.Width(s) <= w {
		return s
	}
	r := []rune(s)
	for len(r) > 1 && sty.Width(string(r)+"…") > w {
		r = r[:len(r)-1]
	}
	return string(r) + "…"
}

// Font sizes in points.
const (
	titleSize  = 14
	labelSize  = 12
	tickSize   = 10.5
	legendSize = 10.5
	noteSize   = 9.5
)

// sans is the typeface of every chart: Liberation Sans ships with
// gonum/plot, so the PNG looks the same on every machine.
var sans = font.Font{Typeface: "Liberation", Variant: "Sans"}

func textStyle(size vg.Length) text.Style {
	return text.Style{
		Color:   color.Black,
		Font:    font.From(sans, size),
		Handler: plot.DefaultTextHandler,
	}
}

// newPlot returns a plot in the house style: sans-serif text, a title
// shrunk to fit the width if it is long, labelled axes.
func newPlot(title, xlabel, ylabel string, width vg.Length) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.Title.TextStyle.Font = font.From(sans, titleSize)
	for p.Title.TextStyle.Width(title) > width-2*margin && p.Title.TextStyle.Font.Size > 9 {
		p.Title.TextStyle.Font.Size -= 0.5
	}
	p.Title.Padding = 8
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle.Font = font.From(sans, labelSize)
		a.Tick.Label.Font = font.From(sans, tickSize)
		a.Label.Padding = 4
	}
	p.X.Label.Text = xlabel
	p.Y.Label.Text = ylabel
	p.X.Tick.Marker = numberTicks{}
	p.Y.Tick.Marker = numberTicks{}
	return p
}

// grid returns light grid lines at the major ticks of both axes.
func grid(vertical bool) *plotter.Grid {
	g := plotter.NewGrid()
	g.Horizontal = draw.LineStyle{Color: color.Gray{Y: 225}, Width: 0.6}
	g.Vertical = draw.LineStyle{Color: color.Gray{Y: 225}, Width: 0.6}
	if !vertical {
		g.Vertical.Color = nil
	}
	return g
}

// Series styles: the Okabe–Ito colour-blind-safe palette (yellow replaced,
// it vanishes on white) plus three darker hues, and dash patterns that stay
// distinguishable in grey-scale print.
var palette = []color.Color{
	rgb(0x0072B2), // blue
	rgb(0xD55E00), // vermillion
	rgb(0x009E73), // bluish green
	rgb(0xCC79A7), // reddish purple
	rgb(0xE69F00), // orange
	rgb(0x56B4E9), // sky blue
	rgb(0x000000), // black
	rgb(0x882255), // wine
	rgb(0x999933), // olive
	rgb(0x332288), // indigo
}

var dashes = [][]vg.Length{
	nil,                    // solid
	{7, 3},                 // dashed
	{1.5, 2.5},             // dotted
	{8, 3, 1.5, 3},         // dash-dot
	{14, 4},                // long dash
	{8, 3, 1.5, 3, 1.5, 3}, // dash-dot-dot
}

func rgb(x uint32) color.RGBA {
	return color.RGBA{R: uint8(x >> 16), G: uint8(x >> 8), B: uint8(x), A: 0xff}
}

// seriesStyle is the colour and dash of one series.
type seriesStyle struct {
	color  color.Color
	dashes []vg.Length
}

// assignStyles gives each series a style. Without groups, series take the
// palette colours in turn (solid first, then dashed once the colours run
// out). Series sharing a non-empty group share a colour and differ by dash
// pattern, so e.g. a service's baseline and option curves are one hue.
func assignStyles(groups []string) []seriesStyle {
	out := make([]seriesStyle, len(groups))
	colorOf := map[string]int{}
	used := map[string]int{} // series drawn so far per group
	next := 0
	for i, g := range groups {
		if g == "" {
			g = fmt.Sprintf("\x00series %d", i) // a group of its own
		}
		ci, ok := colorOf[g]
		if !ok {
			ci = next
			colorOf[g] = ci
			next++
		}
		k := used[g]
		used[g]++
		out[i] = seriesStyle{
			color:  palette[ci%len(palette)],
			dashes: dashes[(k+ci/len(palette))%len(dashes)],
		}
	}
	return out
}

// numberTicks is plot.DefaultTicks with labels written by formatNumber
// ("1,500", "2 M") instead of strconv's "1500", "2e+06".
type numberTicks struct{}

func (numberTicks) Ticks(lo, hi float64) []plot.Tick {
	ts := plot.DefaultTicks{}.Ticks(lo, hi)
	for i := range ts {
		if ts[i].Label != "" {
			ts[i].Label = formatNumber(ts[i].Value)
		}
	}
	return ts
}

// log10Ticks is the ticker of an axis whose data are log10 of the
// quantity shown: it marks every decade, with minor ticks at 2–9 and
// labels also at 2 and 5 when the axis spans at most two decades, each
// labelled with the quantity itself ("0.1", "1", "10").
//
// Charts plot log10(x) on a linear axis rather than use plot.LogScale,
// because gonum/plot reserves room for a log axis's label as if it were
// centred at the arithmetic mean of the range, which squeezes the data
// area.
type log10Ticks struct{}

func (log10Ticks) Ticks(lo, hi float64) []plot.Tick {
	if !(hi > lo) {
		return nil
	}
	first, last := math.Floor(lo), math.Ceil(hi)
	few := last-first <= 2
	var ts []plot.Tick
	for e := first; e <= last; e++ {
		for m := 1.0; m <= 9; m++ {
			v := m * math.Pow(10, e)
			pos := math.Log10(v)
			if pos < lo-1e-9 || pos > hi+1e-9 {
				continue
			}
			t := plot.Tick{Value: pos}
			if m == 1 || (few && (m == 2 || m == 5)) {
				t.Label = formatNumber(v)
			}
			ts = append(ts, t)
		}
	}
	return ts
}

// checkFinite returns an error naming what if x is NaN or infinite.
func checkFinite(what string, x float64) error {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return fmt.Errorf("%s is %v, want a finite number", what, x)
	}
	return nil
}

// writeFileAtomic writes data to a temporary file beside path and renames
// it over path.
func writeFileAtomic(path string, data []byte) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	// ".NAME.tmp-*", the pattern of model/results' atomic writes, so that
	// the stale-temp cleanup of a results directory removes a leftover.
	f, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if _, err = f.Write(data); err != nil {
		return err
	}
	if err = f.Chmod(0o644); err != nil {
		return err
	}
	if err = f.Sync(); err != nil { // on disk before it replaces the old file
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}

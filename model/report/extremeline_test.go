package report

import (
	"bytes"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgsvg"
)

// TestExtremeLinePadding: a plot of extremeLines draws exactly as one of
// the plain lines — the same padding of the data area — also when the
// axes cut some points off.
func TestExtremeLinePadding(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for trial := range 20 {
		var lines []*plotter.Line
		for range 1 + r.IntN(4) {
			pts := make(plotter.XYs, 2+r.IntN(200))
			for i := range pts {
				pts[i] = plotter.XY{X: r.NormFloat64(), Y: r.Float64()}
			}
			l, err := plotter.NewLine(pts)
			if err != nil {
				t.Fatal(err)
			}
			l.Width = vg.Length(1 + r.IntN(4))
			lines = append(lines, l)
		}
		draw := func(wrap bool) []byte {
			p := plot.New()
			for _, l := range lines {
				if wrap {
					p.Add(extremeLine{l})
				} else {
					p.Add(l)
				}
			}
			if trial%2 == 1 { // axes narrower than the data
				p.X.Min, p.X.Max = -1, 1
				p.Y.Min, p.Y.Max = 0.1, 0.9
			}
			c := vgsvg.New(4*vg.Inch, 3*vg.Inch)
			p.Draw(draw.New(c))
			var buf bytes.Buffer
			if _, err := c.WriteTo(&buf); err != nil {
				t.Fatal(err)
			}
			return buf.Bytes()
		}
		if !bytes.Equal(draw(false), draw(true)) {
			t.Fatalf("trial %d: the plot with extremeLine differs from the plot with plain lines", trial)
		}
	}
}

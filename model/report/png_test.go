package report

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"testing"

	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// TestWritePNG: what writePNG writes for a drawn chart (opaque) decodes,
// with image/png, to the same pixels; an image with transparent pixels is
// written as image/png writes it.
func TestWritePNG(t *testing.T) {
	h := NewHistogramOf("t", "x", HistOf([]float64{1, 2, 2, 3, 3, 3, 10}))
	w, ht := h.size()
	c := vgimg.NewWith(vgimg.UseWH(w, ht), vgimg.UseDPI(PNGDPI))
	fig, err := h.build(w, ht)
	if err != nil {
		t.Fatal(err)
	}
	fig.draw(draw.New(c), true)
	chart := c.Image().(*image.RGBA)
	// Leaving out the white fills on a canvas that starts white changes
	// no pixel.
	filled := vgimg.NewWith(vgimg.UseWH(w, ht), vgimg.UseDPI(PNGDPI))
	fig, err = h.build(w, ht)
	if err != nil {
		t.Fatal(err)
	}
	fig.draw(draw.New(filled), false)
	if !bytes.Equal(filled.Image().(*image.RGBA).Pix, chart.Pix) {
		t.Errorf("the chart drawn without its white fills differs from the one drawn with them")
	}
	var buf bytes.Buffer
	if err := writePNG(&buf, chart); err != nil {
		t.Fatal(err)
	}
	dec, err := png.Decode(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if dec.Bounds() != chart.Bounds() {
		t.Fatalf("bounds %v, want %v", dec.Bounds(), chart.Bounds())
	}
	for y := 0; y < chart.Bounds().Dy(); y++ {
		for x := 0; x < chart.Bounds().Dx(); x++ {
			r1, g1, b1, a1 := chart.At(x, y).RGBA()
			r2, g2, b2, a2 := dec.At(x, y).RGBA()
			if r1 != r2 || g1 != g2 || b1 != b2 || a1 != a2 {
				t.Fatalf("pixel (%d, %d) differs after a round trip", x, y)
			}
		}
	}

	clear := image.NewRGBA(image.Rect(0, 0, 70, 40))
	clear.Set(3, 4, color.NRGBA{200, 100, 50, 128})
	var ours, std bytes.Buffer
	if err := writePNG(&ours, clear); err != nil {
		t.Fatal(err)
	}
	if err := png.Encode(&std, clear); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(ours.Bytes(), std.Bytes()) {
		t.Errorf("an image with transparent pixels is not written as image/png writes it")
	}
}

// TestSubBytes checks the eight-bytes-at-a-time difference against the
// byte loop on every pair of byte values, and a tail.
func TestSubBytes(t *testing.T) {
	var a, b []byte
	for x := range 256 {
		for y := range 256 {
			a, b = append(a, byte(x)), append(b, byte(y))
		}
	}
	a, b = append(a, 7, 0, 255), append(b, 9, 255, 0)
	d := make([]byte, len(a))
	subBytes(d, a, b)
	for i := range d {
		if d[i] != a[i]-b[i] {
			t.Fatalf("%d - %d: got %d, want %d", a[i], b[i], d[i], a[i]-b[i])
		}
	}
	row := []byte{1, 2, 3, 255, 4, 5, 6, 255, 7, 8, 9, 255}
	if !opaqueRow(row) {
		t.Errorf("opaque row reported transparent")
	}
	for _, i := range []int{3, 7, 11} {
		r := bytes.Clone(row)
		r[i] = 254
		if opaqueRow(r) {
			t.Errorf("alpha %d at byte %d not seen", r[i], i)
		}
	}
}

package report

import (
	"bytes"
	"encoding/xml"
	"image"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// chartCase is a chart written through its package-level function, and
// the texts its SVG must contain.
type chartCase struct {
	name  string
	write func(path string) error
	texts []string // each must appear as (part of) a <text> element
	w, h  int      // PNG size in pixels
}

func chartCases() []chartCase {
	cdf := sampleCDF()
	series, markers, horizon := sampleTimeline()
	opts := sampleOptions()
	ranked := sampleRanked()
	hist := sampleHistogram()

	const (
		cdfTitle  = "Time to recover after a battery fire at pangyo"
		tlTitle   = "Serving capacity after the fire (replication 0)"
		histTitle = "User-hours lost per incident"
		invTitle  = "Cost against risk of each option"
		rankTitle = "Risk reduction per unit cost"
	)
	c := []chartCase{
		{name: "cdf", write: func(p string) error { return RecoveryCDF(p, cdfTitle, cdf) },
			texts: []string{cdfTitle, "Time to recover (hours, log scale", "Fraction of replications recovered"}, w: 1200, h: 750},
		{name: "timeline", write: func(p string) error { return Timeline(p, tlTitle, series, markers, horizon) },
			texts: []string{tlTitle, "Time since incident (hours)", "Serving (% of demand)"}, w: 1200, h: 750},
		{name: "histogram", write: func(p string) error { return Histogram(p, histTitle, "User-hours lost (user·h)", hist) },
			texts: []string{histTitle, "User-hours lost (user·h)", "Replications", "5,000 replications", "mean ", "P50 ", "P90 "}, w: 1200, h: 750},
		{name: "investment", write: func(p string) error { return InvestmentChart(p, invTitle, "KRW", opts) },
			texts: []string{invTitle, "Annualised cost (KRW/yr)", "Annual loss expectancy, ALE (KRW/yr)", "Pareto frontier", "option (ALE with 95% CI)"}, w: 1200, h: 750},
		{name: "ranked", write: func(p string) error {
			return RankedBars(p, rankTitle, "ALE avoided per KRW of annual cost (KRW/KRW)", ranked)
		}, texts: []string{rankTitle, "ALE avoided per KRW of annual cost (KRW/KRW)", "5.25", "-0.2"}, w: 1200, h: 750},
	}
	for _, s := range cdf {
		c[0].texts = append(c[0].texts, s.Label)
	}
	for _, s := range series {
		c[1].texts = append(c[1].texts, s.Label)
	}
	for _, m := range markers {
		c[1].texts = append(c[1].texts, m.Label+" (")
	}
	for _, o := range opts {
		c[3].texts = append(c[3].texts, o.Name)
	}
	for _, r := range ranked {
		c[4].texts = append(c[4].texts, r.Label)
	}
	return c
}

func TestChartsPNG(t *testing.T) {
	dir := outDir(t)
	for _, c := range chartCases() {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(dir, c.name+".png")
			if err := c.write(path); err != nil {
				t.Fatal(err)
			}
			f, err := os.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			img, err := png.Decode(f)
			if err != nil {
				t.Fatalf("not a PNG: %v", err)
			}
			if b := img.Bounds(); b.Dx() != c.w || b.Dy() != c.h {
				t.Errorf("size %dx%d, want %dx%d", b.Dx(), b.Dy(), c.w, c.h)
			}
			checkNotBlank(t, img, 0.02, 6)
		})
	}
}

// checkNotBlank fails unless at least minInk of the pixels are not white
// and there are at least minColors distinct strong colours (pixels whose
// channels differ by more than 60, so anti-aliased grey does not count).
func checkNotBlank(t *testing.T, img image.Image, minInk float64, minColors int) {
	t.Helper()
	b := img.Bounds()
	ink := 0
	colors := map[[3]uint8]int{}
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			r8, g8, b8 := uint8(r>>8), uint8(g>>8), uint8(bl>>8)
			if r8 < 245 || g8 < 245 || b8 < 245 {
				ink++
			}
			if max(r8, g8, b8)-min(r8, g8, b8) > 60 {
				// Quantise so anti-aliasing does not inflate the count.
				colors[[3]uint8{r8 >> 5, g8 >> 5, b8 >> 5}]++
			}
		}
	}
	strong := 0
	for _, n := range colors {
		if n >= 50 {
			strong++
		}
	}
	if frac := float64(ink) / float64(b.Dx()*b.Dy()); frac < minInk {
		t.Errorf("only %.2f%% of pixels are not white, want ≥ %.0f%%", 100*frac, 100*minInk)
	}
	if strong < minColors {
		t.Errorf("%d distinct colours (with ≥ 50 pixels), want ≥ %d", strong, minColors)
	}
}

func TestChartsSVG(t *testing.T) {
	dir := outDir(t)
	for _, c := range chartCases() {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(dir, c.name+".svg")
			if err := c.write(path); err != nil {
				t.Fatal(err)
			}
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			texts := svgTexts(t, data)
			for _, want := range c.texts {
				found := false
				for _, got := range texts {
					if strings.Contains(got, want) {
						found = true
						break
					}
				}
				if !found {
					t.Errorf("no <text> contains %q; texts: %q", want, texts)
				}
			}
		})
	}
}

// svgTexts parses an SVG document strictly and returns the content of its
// <text> elements.
func svgTexts(t *testing.T, data []byte) []string {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(data))
	var texts []string
	var root string
	depth, inText := 0, false
	var cur strings.Builder
	for {
		tok, err := d.Token()
		if err != nil {
			if err.Error() == "EOF" {
				break
			}
			t.Fatalf("SVG does not parse: %v", err)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			if depth == 0 {
				root = tok.Name.Local
				if tok.Name.Space != "http://www.w3.org/2000/svg" {
					t.Errorf("root namespace %q", tok.Name.Space)
				}
			}
			depth++
			if tok.Name.Local == "text" {
				inText = true
				cur.Reset()
			}
		case xml.EndElement:
			depth--
			if tok.Name.Local == "text" {
				inText = false
				texts = append(texts, cur.String())
			}
		case xml.CharData:
			if inText {
				cur.Write(tok)
			}
		}
	}
	if root != "svg" {
		t.Fatalf("root element %q, want svg", root)
	}
	return texts
}

func TestSaveErrors(t *testing.T) {
	dir := t.TempDir()
	good := NewHistogram("h", "x", []float64{1, 2, 3})
	cases := []struct {
		name  string
		chart Chart
		file  string
		want  string
	}{
		{"extension", good, "chart.pdf", "unsupported chart format"},
		{"zero chart", Chart{}, "z.png", "empty Chart"},
		{"no values", NewHistogram("h", "x", []float64{math.NaN()}), "h.png", "no finite values"},
		{"negative time", NewRecoveryCDF("c", []CDFSeries{{Label: "s", Values: []float64{1, -1}}}), "c.png", "want ≥ 0"},
		{"empty series", NewRecoveryCDF("c", []CDFSeries{{Label: "s"}}), "c.svg", "no values"},
		{"length mismatch", NewTimeline("t", []StepSeries{{Label: "s", T: []float64{0, 1}, F: []float64{1}}}, nil, 10), "t.png", "2 times and 1 fractions"},
		{"fraction NaN", NewTimeline("t", []StepSeries{{Label: "s", T: []float64{0}, F: []float64{math.NaN()}}}, nil, 10), "t.png", "want 0–1"},
		{"time decreases", NewTimeline("t", []StepSeries{{Label: "s", T: []float64{1, 0}, F: []float64{1, 1}}}, nil, 10), "t.png", "decrease"},
		{"ALE outside CI", NewInvestmentChart("i", "KRW", []OptionPoint{{Name: "o", ALE: 5, ALELo: 1, ALEHi: 2}}), "i.png", "outside its interval"},
		{"Inf cost", NewInvestmentChart("i", "KRW", []OptionPoint{{Name: "o", AnnualCost: math.Inf(1)}}), "i.png", "finite"},
		{"NaN bar", NewRankedBars("r", "u", []Ranked{{Label: "a", Value: math.NaN()}}), "r.png", "finite"},
		{"no bars", NewRankedBars("r", "u", nil), "r.png", "no rows"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.chart.Save(filepath.Join(dir, c.file))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("Save: %v, want an error containing %q", err, c.want)
			}
		})
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Errorf("failed saves left files behind: %v", ents)
	}
}

func TestSaveReplacesAtomically(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "h.PNG") // the extension is case-insensitive
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := NewHistogram("h", "x", []float64{1, 2, 2, 3}).Save(path); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(path)
	if _, err := png.Decode(bytes.NewReader(data)); err != nil {
		t.Errorf("replaced file is not a PNG: %v", err)
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 1 {
		t.Errorf("directory holds %d entries, want only the chart (no temporary file)", len(ents))
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o644 {
		t.Errorf("mode %v, want 0644", fi.Mode().Perm())
	}
}

func TestChartSize(t *testing.T) {
	c := NewRankedBars("r", "u", append(sampleRanked(), make([]Ranked, 13)...))
	var buf bytes.Buffer
	if err := c.Render(&buf, "png"); err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(&buf)
	if err != nil {
		t.Fatal(err)
	}
	// 20 rows: 1.6 + 0.4·20 = 9.6 in at 150 dpi.
	if got := img.Bounds().Dy(); got != 1440 {
		t.Errorf("20-row chart is %d px tall, want 1440", got)
	}
	c.WidthIn, c.HeightIn = 4, 3
	buf.Reset()
	if err := c.Render(&buf, "png"); err != nil {
		t.Fatal(err)
	}
	img, _ = png.Decode(&buf)
	if b := img.Bounds(); b.Dx() != 600 || b.Dy() != 450 {
		t.Errorf("4×3 in chart is %dx%d px, want 600x450", b.Dx(), b.Dy())
	}
}

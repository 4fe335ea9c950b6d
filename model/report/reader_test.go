//go:build linux

package report

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/dcsim/dcsim/model/report/browser"
	"github.com/dcsim/dcsim/sim"
)

// The reader's tests open the reports in headless Chromium, as a reader
// would, and check what the browser lays out: no two text boxes of a
// chart overlap, and a report of 200,000 replications is small and
// renders.

// chartsPage is a page of every kind of chart, crowded as real ones get.
func chartsPage() Page {
	p := samplePage()
	lanes, markers := sampleSwimlanes()
	p.Charts = append(p.Charts,
		NewSwimlanes("Who was down when", lanes, markers, 0.99, 0),
		NewSwimlanes("1,000 services", sampleLanes(1000), markers, 0.99, 0),
		NewInvestmentChart("Crowded options", "KRW", crowdedOptions()),
	)
	return p
}

// TestChartTextNeverOverlapsInChromium checks every chart of a report as
// Chromium lays it out: no two text boxes overlap. A control page with
// two labels drawn on top of each other must be caught.
func TestChartTextNeverOverlapsInChromium(t *testing.T) {
	bin := browser.Path(t)
	doc, err := RenderHTML(chartsPage())
	if err != nil {
		t.Fatal(err)
	}
	r := browser.TextOverlaps(t, bin, doc)
	t.Logf("%d charts, %d text boxes measured", r.SVGs, r.Texts)
	if r.SVGs != len(chartsPage().Charts) || r.Texts < 100 {
		t.Errorf("measured %d charts and %d texts: the check saw too little", r.SVGs, r.Texts)
	}
	for _, o := range r.Overlaps {
		t.Errorf("%s: %q overlaps %q", o.Chart, o.A, o.B)
	}

	t.Run("control: overlapping labels are caught", func(t *testing.T) {
		ctl := []byte(`<!DOCTYPE html><html><body><svg width="200" height="100"><text x="10" y="50" font-size="14">second site</text><text x="14" y="52" font-size="14">site drills</text><text x="10" y="90">apart</text></svg></body></html>`)
		r := browser.TextOverlaps(t, bin, ctl)
		if len(r.Overlaps) != 1 {
			t.Errorf("control: %d overlaps found, want 1: %+v", len(r.Overlaps), r.Overlaps)
		}
	})
}

// bigPage is a run report of n replications of 13 services, built the
// way dcsim builds one: charts from summaries.
func bigPage(n int) Page {
	r := rand.New(rand.NewPCG(15, 7))
	p := samplePage()
	var curves []CDFCurve
	var uh []float64
	for s := range 13 {
		vs := make([]float64, n)
		for i := range vs {
			vs[i] = float64(s+1) * 4 * math.Exp(0.4*r.NormFloat64())
		}
		e, _ := ECDFOf(vs)
		curves = append(curves, CDFCurve{Label: fmt.Sprintf("service-%d", s), ECDF: e})
		if s == 0 {
			uh = vs
		}
	}
	lanes, markers := sampleSwimlanes()
	p.Charts = []Chart{
		NewSwimlanes("Who was down when", lanes, markers, 0.99, 0),
		NewRecoveryCDFOf(fmt.Sprintf("Time to recover (%d replications)", n), curves),
		NewHistogramOf("User-hours lost", "user·h", HistOf(uh)),
	}
	p.Run.Replications, p.Run.Done = n, n
	p.Services[0].TimeToRecoverH = sim.Summarize(uh)
	return p
}

// maxReportBytes bounds report.html at any replication count.
const maxReportBytes = 3 << 20

// TestReportAt200kInChromium writes the report of 200,000 replications,
// checks it stays under 3 MB (as at 2,000), and has Chromium render it to
// a screenshot with ink. How long the rendering takes is measured by
// BenchmarkReportInChromium, not asserted here.
func TestReportAt200kInChromium(t *testing.T) {
	bin := browser.Path(t)
	small, err := RenderHTML(bigPage(2000))
	if err != nil {
		t.Fatal(err)
	}
	doc, err := RenderHTML(bigPage(200_000))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("report.html: %d bytes at 2,000 replications, %d at 200,000", len(small), len(doc))
	if len(doc) > maxReportBytes || len(doc) > 2*len(small) {
		t.Errorf("report.html is %d bytes at 200,000 replications (%d at 2,000); want < %d and not growing with n", len(doc), len(small), maxReportBytes)
	}
	dir := outDir(t)
	path := filepath.Join(dir, "report-200k.html")
	if err := os.WriteFile(path, doc, 0o644); err != nil {
		t.Fatal(err)
	}
	shot := filepath.Join(dir, "report-200k.png")
	os.Remove(shot)
	browser.Run(t, bin, path, "--window-size=1280,3000", "--screenshot="+shot)
	checkNotBlank(t, readScreenshot(t, shot), 0.05, 8)
}

// BenchmarkReportInChromium measures the wall time of headless Chromium
// loading, laying out and screenshotting the report of 200,000
// replications (s/render), Chromium's start-up included, and of the same
// for a blank page (s/blank); take medians over -count runs.
func BenchmarkReportInChromium(b *testing.B) {
	bin := browser.Path(b)
	doc, err := RenderHTML(bigPage(200_000))
	if err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	path := filepath.Join(dir, "report.html")
	if err := os.WriteFile(path, doc, 0o644); err != nil {
		b.Fatal(err)
	}
	blank := filepath.Join(dir, "blank.html")
	if err := os.WriteFile(blank, []byte("<!DOCTYPE html><p>blank"), 0o644); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(len(doc))/(1<<20), "MB")
	b.ResetTimer()
	var page, empty time.Duration
	for i := range b.N {
		shot := fmt.Sprintf("--screenshot=%s", filepath.Join(dir, fmt.Sprintf("s%d.png", i)))
		start := time.Now()
		browser.Run(b, bin, path, "--window-size=1280,3000", shot)
		page += time.Since(start)
		start = time.Now()
		browser.Run(b, bin, blank, "--window-size=1280,3000", shot)
		empty += time.Since(start)
	}
	b.ReportMetric(page.Seconds()/float64(b.N), "s/render")
	// The same for a blank page: Chromium's start-up, which the report
	// does not cost.
	b.ReportMetric(empty.Seconds()/float64(b.N), "s/blank")
}

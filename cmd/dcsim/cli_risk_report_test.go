package main

import (
	"bytes"
	"encoding/json"
	"html"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/dcsim/dcsim/model/report/browser"
)

var riskMetricSpan = regexp.MustCompile(`<span class="num" data-metric="([^"]*)" data-value="([^"]*)">`)

// riskMetrics returns the data-metric → data-value pairs of a report.
func riskMetrics(t *testing.T, page []byte) map[string]float64 {
	t.Helper()
	m := map[string]float64{}
	for _, s := range riskMetricSpan.FindAllSubmatch(page, -1) {
		v, err := strconv.ParseFloat(html.UnescapeString(string(s[2])), 64)
		if err != nil {
			t.Fatalf("data-metric %s: data-value %q", s[1], s[2])
		}
		m[html.UnescapeString(string(s[1]))] = v
	}
	return m
}

// TestRiskReport runs dcsim risk on kakao-2022 with two options, the
// tornado and a two-level Monte Carlo, and checks report.html against the
// committed files: every variant's AAL, paired cut and 100-year loss,
// each option's NPV over the inputs, the headline naming the incident with
// the largest share of the AAL, one chart per exceedance curve, tornado
// and the NPV spread; and that the page's size does not grow with the
// years simulated.
func TestRiskReport(t *testing.T) {
	sc := cliScenario(t, "kakao-2022")
	tmp := t.TempDir()
	out := filepath.Join(tmp, "risk")
	cliMust(t, "risk", sc, "--options", "site-drills,control-plane-2nd-site", "--years", "400", "--max-years", "400",
		"--tornado", "--uncertainty", "4", "--inner-years", "200", "--out", out, "-q")
	page := cliReadFile(t, filepath.Join(out, "report.html"))
	got := riskMetrics(t, page)
	var f struct {
		Variants []struct {
			Variant string
			AAL     struct{ Mean float64 } `json:"aal"`
			Red     *struct {
				Mean float64
				CI95 [2]float64
			} `json:"aal_reduction"`
			AEP []struct {
				T    float64 `json:"return_period_years"`
				Loss float64 `json:"loss"`
			} `json:"aep"`
			Incidents []struct {
				Name  string
				Share float64
			} `json:"incidents"`
		} `json:"variants"`
	}
	if err := json.Unmarshal(cliReadFile(t, filepath.Join(out, "risk.json")), &f); err != nil {
		t.Fatal(err)
	}
	check := func(key string, want float64) {
		t.Helper()
		if v, ok := got[key]; !ok || v != want {
			t.Errorf("report.html %s = %v (present %v), risk files say %v", key, v, ok, want)
		}
	}
	for k, v := range f.Variants {
		check("variant."+v.Variant+".aal.mean", v.AAL.Mean)
		check("variant."+v.Variant+".aep.100.mean", v.AEP[5].Loss)
		if k == 0 {
			if v.Red != nil {
				t.Error("the baseline has an AAL cut")
			}
			continue
		}
		if v.Red == nil || !(v.Red.CI95[0] <= v.Red.Mean && v.Red.Mean <= v.Red.CI95[1]) {
			t.Fatalf("%s: aal_reduction %+v", v.Variant, v.Red)
		}
		check("variant."+v.Variant+".aal_reduction.mean", v.Red.Mean)
		if d := f.Variants[0].AAL.Mean - v.AAL.Mean; (v.Red.Mean-d)/d > 1e-9 || (d-v.Red.Mean)/d > 1e-9 {
			t.Errorf("%s: paired cut %v, difference of AALs %v", v.Variant, v.Red.Mean, d)
		}
	}
	base := f.Variants[0]
	check("variant.baseline.aep.100.loss", base.AEP[5].Loss)
	top := base.Incidents[0]
	for _, in := range base.Incidents {
		if in.Share > top.Share {
			top = in
		}
	}
	if !bytes.Contains(page, []byte("What drives the risk: "+top.Name+" carries")) {
		t.Errorf("the headline does not name %s, the largest share of the AAL", top.Name)
	}
	var u struct {
		TwoLevel struct {
			Options []struct {
				Name string
				NPV  struct{ Mean float64 } `json:"npv"`
			} `json:"options"`
		} `json:"two_level"`
		Tornado []json.RawMessage `json:"tornado"`
	}
	if err := json.Unmarshal(cliReadFile(t, filepath.Join(out, "uncertainty.json")), &u); err != nil {
		t.Fatal(err)
	}
	for _, o := range u.TwoLevel.Options {
		check("uncertainty."+o.Name+".npv.mean", o.NPV.Mean)
	}
	if n, want := bytes.Count(page, []byte("<svg")), 2+len(u.Tornado)+1; n != want {
		t.Errorf("report.html has %d charts, want %d (AEP, OEP, %d tornadoes, NPV spread)", n, want, len(u.Tornado))
	}

	// The page's size does not depend on the years simulated.
	sizes := map[int]int{}
	for _, years := range []int{400, 6400} {
		o := filepath.Join(tmp, "size-"+strconv.Itoa(years))
		cliMust(t, "risk", sc, "--options", "site-drills", "--years", strconv.Itoa(years), "--max-years", strconv.Itoa(years), "--out", o, "-q")
		sizes[years] = len(cliReadFile(t, filepath.Join(o, "report.html")))
	}
	if r := float64(sizes[6400]) / float64(sizes[400]); r > 1.1 || r < 0.9 {
		t.Errorf("report.html is %d bytes at 400 years and %d at 6,400: it grows with the years", sizes[400], sizes[6400])
	}

	// In headless Chromium: no chart's text boxes overlap, and the page
	// renders.
	bin := browser.Path(t)
	r := browser.TextOverlaps(t, bin, page)
	t.Logf("%d charts, %d text boxes", r.SVGs, r.Texts)
	if r.SVGs < 6 || r.Texts < 60 {
		t.Errorf("measured %d charts and %d text boxes: too few", r.SVGs, r.Texts)
	}
	for _, o := range r.Overlaps {
		t.Errorf("%s: %q overlaps %q", o.Chart, o.A, o.B)
	}
	shot := filepath.Join(t.TempDir(), "risk-report.png")
	if keep := os.Getenv("DCSIM_REPORT_OUT"); keep != "" {
		os.MkdirAll(keep, 0o755)
		shot = filepath.Join(keep, "report-risk.png")
	}
	browser.Run(t, bin, filepath.Join(out, "report.html"), "--window-size=1280,6000", "--screenshot="+shot)
	if fi, err := os.Stat(shot); err != nil || fi.Size() < 50_000 {
		t.Errorf("screenshot %s: %v, %v bytes: a blank page?", shot, err, fi)
	}
	if strings.Contains(string(page), "data-incomplete") {
		t.Error("a complete run shows the incomplete warning")
	}
}

package main

import (
	"html"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

var (
	reDataMetric = regexp.MustCompile(`data-metric="([^"]*)"\s+data-value="([^"]*)"`)
	reHeadline   = regexp.MustCompile(`(?s)<p class="headline">(.*?)</p>`)
	// A reference to another host: in src/href attributes (quoted or not),
	// CSS url() or @import.
	reExternal = regexp.MustCompile(`(?i)((src|href)\s*=\s*["']?\s*(https?:)?//)|(url\(\s*["']?\s*(https?:)?//)|@import`)
)

// reportMetrics returns the data-metric/data-value pairs of report.html,
// and those in its headline.
func reportMetrics(t *testing.T, page string) (all, headline map[string]float64) {
	t.Helper()
	parse := func(s string) map[string]float64 {
		m := map[string]float64{}
		for _, g := range reDataMetric.FindAllStringSubmatch(s, -1) {
			v := html.UnescapeString(g[2])
			x, err := strconv.ParseFloat(v, 64)
			if err != nil {
				t.Errorf("data-metric %s: data-value %q: %v", g[1], v, err)
				continue
			}
			if old, dup := m[g[1]]; dup && old != x && !(math.IsNaN(old) && math.IsNaN(x)) {
				t.Errorf("data-metric %s has two values, %v and %v", g[1], old, x)
			}
			m[g[1]] = x
		}
		return m
	}
	all = parse(page)
	h := reHeadline.FindStringSubmatch(page)
	if h == nil {
		t.Fatal("report.html has no <p class=\"headline\">")
	}
	return all, parse(h[1])
}

// statField picks a statistic's field by the name the report uses.
func statField(s cmpStat, name string) (float64, bool) {
	switch name {
	case "mean":
		return s.Mean, true
	case "ci95_lo":
		return s.CI95[0], true
	case "ci95_hi":
		return s.CI95[1], true
	case "p10":
		return s.P10, true
	case "p50":
		return s.P50, true
	case "p90":
		return s.P90, true
	case "p99":
		return s.P99, true
	}
	return 0, false
}

// pageOnlyMetric reports keys that are not summary.json paths: option
// figures (compare.json), investments (the scenario), the budget choice,
// observed history (the scenario) and causes (the typical replication,
// timeline.txt). checkCauses and the compare test check them there.
func pageOnlyMetric(key string) bool {
	for _, p := range []string{"option.", "investment.", "budget.", "observed.", "cause."} {
		if strings.HasPrefix(key, p) {
			return true
		}
	}
	return false
}

// checkCauses: every cause.N.back_h of the page is a time at which
// timeline.txt (the typical replication) has a service recover, or +Inf.
// It returns how many it checked.
func checkCauses(t *testing.T, metrics map[string]float64, dir string) int {
	t.Helper()
	var recovered []float64
	for _, line := range strings.Split(string(cliReadFile(t, filepath.Join(dir, "timeline.txt"))), "\n") {
		f := strings.Fields(line)
		if len(f) >= 3 && f[1] == "recovered" {
			if x, err := strconv.ParseFloat(strings.TrimSuffix(f[0], "h"), 64); err == nil {
				recovered = append(recovered, x)
			}
		}
	}
	n := 0
	for key, got := range metrics {
		if !strings.HasPrefix(key, "cause.") {
			continue
		}
		n++
		if math.IsInf(got, 1) {
			continue
		}
		found := false
		for _, x := range recovered {
			found = found || math.Abs(x-got) <= 0.005
		}
		if !found {
			t.Errorf("data-metric %q = %v: no service recovers then in timeline.txt", key, got)
		}
	}
	return n
}

// checkSummaryMetrics: every "SERVICE.METRIC.STAT" and
// "overall.METRIC.STAT" number of the page equals summary.json's variant v
// exactly. It returns how many it checked.
func checkSummaryMetrics(t *testing.T, metrics map[string]float64, sum summaryFile, v int) int {
	t.Helper()
	n := 0
	vs := sum.Variants[v]
	for key, got := range metrics {
		if pageOnlyMetric(key) {
			continue
		}
		parts := strings.Split(key, ".")
		if len(parts) != 3 {
			t.Errorf("data-metric %q: want SERVICE.METRIC.STAT", key)
			continue
		}
		var st cmpStat
		var ok bool
		if parts[0] == "overall" {
			st, ok = vs.Overall[parts[1]]
		} else {
			st, ok = vs.Services[parts[0]][parts[1]]
		}
		want, okField := statField(st, parts[2])
		if !ok || !okField {
			t.Errorf("data-metric %q is not in summary.json", key)
			continue
		}
		if got != want {
			t.Errorf("data-metric %q = %v, summary.json (variant %s) says %v", key, got, vs.Name, want)
		}
		n++
	}
	return n
}

func checkNoExternal(t *testing.T, page string) {
	t.Helper()
	for _, m := range reExternal.FindAllString(page, -1) {
		t.Errorf("report.html refers to another host: %q", m)
	}
	if strings.Contains(page, "<script") {
		t.Error("report.html has a script")
	}
}

var runPlots = []string{"recovery_cdf", "user_hours_hist", "timeline"}

// plotFiles lists dir's PNG and SVG files.
func plotFiles(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	for _, pat := range []string{"*.png", "*.svg"} {
		m, _ := filepath.Glob(filepath.Join(dir, pat))
		out = append(out, m...)
	}
	return out
}

// TestCLIRunReport: run writes plots and a self-contained report.html
// whose numbers are summary.json's; plot and report rebuild them from the
// directory alone, identical.
func TestCLIRunReport(t *testing.T) {
	example := cliScenario(t, "example")
	tmp := t.TempDir()
	out := filepath.Join(tmp, "run")
	cliMust(t, "run", example, "-n", "100", "-q", "--out", out)
	for _, p := range runPlots {
		checkSVG(t, filepath.Join(out, p+".svg"))
		if cliExists(filepath.Join(out, p+".png")) {
			t.Errorf("run without --png wrote %s.png", p)
		}
	}
	page := string(cliReadFile(t, filepath.Join(out, "report.html")))
	checkNoExternal(t, page)
	all, head := reportMetrics(t, page)
	sum := readSummary(t, out)
	if len(head) < 4 {
		t.Errorf("the headline has %d numbers with data-metric, want at least 4: %v", len(head), head)
	}
	for _, k := range []string{"chat.time_to_recover_h.p50", "overall.all_services_recovered_h.p50", "overall.user_hours_lost.mean"} {
		if _, ok := head[k]; !ok {
			t.Errorf("the headline has no %s", k)
		}
	}
	checkSummaryMetrics(t, head, sum, 0)
	if n := checkSummaryMetrics(t, all, sum, 0); n < 20 {
		t.Errorf("only %d numbers of report.html could be checked against summary.json", n)
	}
	if !strings.Contains(page, "100 replications") {
		t.Error("report.html does not say how many replications")
	}
	if n := checkCauses(t, all, out); n == 0 {
		t.Error("report.html lists no causes of slow recovery")
	}

	// plot: delete the plots, redraw them from the directory.
	saved := cliDirState(t, out)
	for _, f := range append(plotFiles(t, out), filepath.Join(out, "report.html"), filepath.Join(out, "timeline.txt")) {
		os.Remove(f)
	}
	r := cliMust(t, "plot", out)
	if !strings.Contains(r.stdout, out) {
		t.Errorf("plot output:\n%s", r)
	}
	for _, p := range runPlots {
		checkSVG(t, filepath.Join(out, p+".svg"))
	}
	cliSameState(t, "files redrawn by dcsim plot", saved, cliDirState(t, out))
	// plot --png adds the PNG copies; run --png writes them from the start,
	// the same.
	cliMust(t, "plot", "--png", out)
	withPNG := filepath.Join(tmp, "png")
	cliMust(t, "run", example, "-n", "100", "-q", "--png", "--out", withPNG)
	for _, p := range runPlots {
		checkPNG(t, filepath.Join(out, p+".png"))
		checkPNG(t, filepath.Join(withPNG, p+".png"))
		cliSameFiles(t, out, withPNG, p+".png", p+".svg")
	}
	saved = cliDirState(t, out)

	// report: rebuild report.html alone.
	os.Remove(filepath.Join(out, "report.html"))
	if r := cliMust(t, "report", out); !strings.Contains(r.stdout, "report.html") {
		t.Errorf("report output:\n%s", r)
	}
	cliSameState(t, "report.html rebuilt by dcsim report", saved, cliDirState(t, out))

	// --no-plots writes neither plots nor report.
	np := filepath.Join(tmp, "noplots")
	cliMust(t, "run", example, "-n", "20", "-q", "--no-plots", "--out", np)
	if f := plotFiles(t, np); len(f) > 0 || cliExists(filepath.Join(np, "report.html")) {
		t.Errorf("--no-plots wrote %v", f)
	}
	// A report can be made for it later.
	cliMust(t, "report", np)
	checkNoExternal(t, string(cliReadFile(t, filepath.Join(np, "report.html"))))
}

// TestCLIRunPlotsUseTheRunsSeed: the timeline that run draws replays the
// typical replication with the run's --seed, as dcsim plot and the report
// do.
func TestCLIRunPlotsUseTheRunsSeed(t *testing.T) {
	out := filepath.Join(t.TempDir(), "run")
	cliMust(t, "run", cliScenario(t, "example"), "-n", "60", "--seed", "3", "-q", "--out", out)
	drawn := string(cliReadFile(t, filepath.Join(out, "timeline.txt")))
	if first, _, _ := strings.Cut(drawn, "\n"); !strings.Contains(first, "seed 3 ") {
		t.Errorf("run --seed 3 drew timeline.txt with another seed: %q", first)
	}
	cliMust(t, "plot", out)
	if again := string(cliReadFile(t, filepath.Join(out, "timeline.txt"))); again != drawn {
		t.Errorf("dcsim plot redraws a different timeline.txt than run drew%s", cliFirstDiff([]byte(drawn), []byte(again)))
	}
}

// TestCLIRunPlotsUseTheRunsIncident: run --incident draws the timeline of
// that incident, not of the scenario's [incident].
func TestCLIRunPlotsUseTheRunsIncident(t *testing.T) {
	out := filepath.Join(t.TempDir(), "run")
	cliMust(t, "run", cliScenario(t, "kakao-2022"), "--incident", "pangyo-cooling-loss", "-n", "20", "-q", "--out", out)
	drawn := string(cliReadFile(t, filepath.Join(out, "timeline.txt")))
	if strings.Contains(drawn, "battery fire") {
		t.Errorf("run --incident pangyo-cooling-loss drew the timeline of the scenario's battery fire:\n%s", cliClip(drawn))
	}
	cliMust(t, "plot", out)
	if again := string(cliReadFile(t, filepath.Join(out, "timeline.txt"))); again != drawn {
		t.Errorf("dcsim plot redraws a different timeline.txt than run drew%s", cliFirstDiff([]byte(drawn), []byte(again)))
	}
}

// TestCLIRunNothingImpaired: an incident that impairs no service is a
// valid result, not a failure of the plots.
func TestCLIRunNothingImpaired(t *testing.T) {
	out := filepath.Join(t.TempDir(), "run")
	r := cliRun(t, "run", cliScenario(t, "kakao-2022"), "--incident", "pangyo-utility-loss", "-n", "20", "-q", "--out", out)
	if r.code != 0 {
		t.Fatalf("bug: a run in which no service is impaired fails after simulating everything and keeps no results (model/pipeline runArtifacts: NewRecoveryCDF with no series cannot be saved):\n%s", r)
	}
	if m := cliManifest(t, out); m["complete"] != true {
		t.Errorf("manifest: %v", m)
	}
}

// TestCLICompareReport: compare's report.html headline and tables carry
// compare.json's and summary.json's numbers; plot redraws the charts.
func TestCLICompareReport(t *testing.T) {
	invest := cliScenario(t, "invest")
	out := filepath.Join(t.TempDir(), "cmp")
	cliMust(t, "compare", invest, "--all", "-n", "100", "-q", "--out", out)
	page := string(cliReadFile(t, filepath.Join(out, "report.html")))
	checkNoExternal(t, page)
	all, head := reportMetrics(t, page)
	c, _ := readCompare(t, out)
	sum := readSummary(t, out)
	if _, ok := head["option.baseline.ale"]; !ok {
		t.Errorf("the headline does not give the baseline ALE: %v", head)
	}
	// The services' numbers are those of the baseline under the key incident.
	v := -1
	for i, vs := range sum.Variants {
		if vs.Name == "baseline@"+c.KeyIncident {
			v = i
		}
	}
	if v < 0 {
		t.Fatalf("summary.json has no baseline@%s", c.KeyIncident)
	}
	services := map[string]float64{}
	for k, x := range all {
		if !strings.HasPrefix(k, "option.") {
			services[k] = x
		}
	}
	if n := checkSummaryMetrics(t, services, sum, v); n < 20 {
		t.Errorf("only %d service numbers checked", n)
	}
	key := ""
	for k := range head {
		if s, ok := strings.CutSuffix(k, ".time_to_recover_h.p50"); ok && !strings.HasPrefix(k, "overall.") {
			key = s
		}
	}
	checked := 0
	for k, got := range all {
		if inv, ok := strings.CutPrefix(k, "investment."); ok {
			checkInvestmentMetric(t, k, inv, got, c)
			continue
		}
		rest, ok := strings.CutPrefix(k, "option.")
		if !ok {
			continue
		}
		var o *cmpRow
		for i := range c.Options {
			if name := c.Options[i].Name; strings.HasPrefix(rest, name+".") && (o == nil || len(name) > len(o.Name)) {
				o = &c.Options[i]
			}
		}
		if o == nil {
			t.Errorf("data-metric %q names no option of compare.json", k)
			continue
		}
		field := strings.TrimPrefix(rest, o.Name+".")
		var want float64
		if inc, ok := strings.CutPrefix(field, "incidents."); ok {
			want, ok = incidentField(o, inc)
			if !ok {
				t.Errorf("data-metric %q: unknown incident field %q", k, inc)
				continue
			}
			if math.Abs(got-want) > 1e-9*math.Abs(want) {
				t.Errorf("data-metric %q = %v, compare.json says %v", k, got, want)
			}
			checked++
			continue
		}
		switch field {
		case "ale", "ale.mean":
			want = o.ALE.Mean
		case "ale.ci95_lo":
			want = o.ALE.CI95[0]
		case "ale.ci95_hi":
			want = o.ALE.CI95[1]
		case "ale_reduction", "ale_reduction.mean":
			want = o.ALEReduction.Mean
		case "ale_reduction.ci95_lo":
			want = o.ALEReduction.CI95[0]
		case "ale_reduction.ci95_hi":
			want = o.ALEReduction.CI95[1]
		case "capex":
			want = *o.Capex
		case "opex_per_yr":
			want = *o.OpexPerYear
		case "npv":
			want = *o.NPV
		case "payback_yr":
			want = math.Inf(1) // never
			switch {
			case o.PaybackYears != nil:
				want = *o.PaybackYears
			case len(o.Investments) == 0:
				want = math.NaN() // the baseline: no payback to speak of
			}
		case "key_p50_h", key + ".p50":
			want = *o.TimeToRecoverH[key].P50
		default:
			t.Errorf("data-metric %q: unknown field %q", k, field)
			continue
		}
		if got != want && !(math.IsNaN(got) && math.IsNaN(want)) {
			t.Errorf("data-metric %q = %v, compare.json says %v", k, got, want)
		}
		checked++
	}
	if checked < 3*8 {
		t.Errorf("only %d option numbers checked", checked)
	}

	saved := cliDirState(t, out)
	files := plotFiles(t, out)
	if len(files) < 4 {
		t.Errorf("compare drew %d plot files: %v", len(files), files)
	}
	for _, f := range files {
		os.Remove(f)
	}
	cliMust(t, "plot", out)
	for _, f := range files {
		if strings.HasSuffix(f, ".png") {
			checkPNG(t, f)
		} else {
			checkSVG(t, f)
		}
	}
	cliSameState(t, "compare plots redrawn by dcsim plot", saved, cliDirState(t, out))
}

// incidentField returns the value of "NAME.FIELD" of option o's incidents
// in compare.json; share_pct is its ALE as a percentage of the option's
// summed incident ALEs.
func incidentField(o *cmpRow, f string) (float64, bool) {
	var total float64
	for _, in := range o.Incidents {
		total += in.ALE
	}
	for _, in := range o.Incidents {
		rest, ok := strings.CutPrefix(f, in.Name+".")
		if !ok {
			continue
		}
		switch rest {
		case "per_year":
			return in.PerYear, true
		case "ale":
			return in.ALE, true
		case "share_pct":
			return 100 * in.ALE / total, true
		case "loss.mean":
			return in.Loss.Mean, true
		case "loss.ci95_lo":
			return in.Loss.CI95[0], true
		case "loss.ci95_hi":
			return in.Loss.CI95[1], true
		}
	}
	return 0, false
}

// checkInvestmentMetric checks "investment.NAME.FIELD" against the
// compare.json row that holds that investment alone.
func checkInvestmentMetric(t *testing.T, key, rest string, got float64, c cmpFile) {
	t.Helper()
	for _, o := range c.Options {
		if len(o.Investments) != 1 || !strings.HasPrefix(rest, o.Investments[0]+".") {
			continue
		}
		switch strings.TrimPrefix(rest, o.Investments[0]+".") {
		case "capex":
			if got != *o.Capex {
				t.Errorf("data-metric %q = %v, compare.json says %v", key, got, *o.Capex)
			}
		case "opex_per_yr":
			if got != *o.OpexPerYear {
				t.Errorf("data-metric %q = %v, compare.json says %v", key, got, *o.OpexPerYear)
			}
		case "lifetime_yr":
			if !(got > 0) {
				t.Errorf("data-metric %q = %v, want a positive lifetime", key, got)
			}
		default:
			t.Errorf("data-metric %q: unknown field", key)
		}
		return
	}
	t.Errorf("data-metric %q names no investment simulated alone", key)
}

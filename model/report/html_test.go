package report

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dcsim/dcsim/model/report/browser"
	"github.com/dcsim/dcsim/sim"
)

// samplePage is a full report: headline, services, options, every kind of
// chart, assumptions, and a complete run.
func samplePage() Page {
	cdf := sampleCDF()
	stat := func(vs []float64) sim.Stat {
		var fin []float64
		for _, v := range vs {
			if !math.IsNaN(v) && !math.IsInf(v, 0) {
				fin = append(fin, v)
			}
		}
		return sim.Summarize(fin)
	}
	scale := func(s sim.Stat, k float64) sim.Stat {
		return sim.Stat{Mean: s.Mean * k, CI95: [2]float64{s.CI95[0] * k, s.CI95[1] * k},
			P10: s.P10 * k, P50: s.P50 * k, P90: s.P90 * k, P99: s.P99 * k, N: s.N}
	}
	var services []ServiceRow
	for _, i := range []int{0, 2, 4} { // baselines
		ttr := stat(cdf[i].Values)
		services = append(services, ServiceRow{
			Service:        cdf[i].Group,
			TimeToRecoverH: ttr,
			OutageH:        scale(ttr, 0.93),
			UserHoursLost:  scale(ttr, 4.1e6),
		})
	}
	kt := services[0].TimeToRecoverH
	opts := sampleOptions()
	var rows []OptionRow
	for i, o := range opts[1:] {
		rows = append(rows, OptionRow{
			Name:         o.Name,
			Capex:        o.AnnualCost * 4.5,
			OpexPerYear:  o.AnnualCost * 0.1,
			ALE:          Estimate{o.ALE, o.ALELo, o.ALEHi},
			ALEReduction: Estimate{opts[0].ALE - o.ALE, opts[0].ALE - o.ALE - 0.4e9, opts[0].ALE - o.ALE + 0.4e9},
			NPV:          (opts[0].ALE-o.ALE)*7 - o.AnnualCost*10,
			PaybackYears: o.AnnualCost * 4.5 / (opts[0].ALE - o.ALE),
			Pareto:       o.Pareto,
			KeyP50H:      kt.P50 / float64(i+2),
		})
	}
	rows[len(rows)-2].PaybackYears = math.Inf(1)
	series, markers, horizon := sampleTimeline()
	tl := NewTimeline("Serving capacity after the fire (replication 0)", series, markers, horizon)
	tl.Caption = "One replication: each line is a service's share of demand served."
	return Page{
		Title: "Battery fire at pangyo (kakao-2022)",
		Headline: []Part{
			Text("A battery fire at pangyo takes kakaotalk down for "),
			Num("kakaotalk.time_to_recover_h.p50", kt.P50, "h"),
			Text(" at the median (P90 "),
			Num("kakaotalk.time_to_recover_h.p90", kt.P90, "h"),
			Text("); all services recover in "),
			Num("overall.all_services_recovered_h.p50", 127.5, "h"),
			Text("; the best option, ops tooling off-site, cuts expected annual loss by "),
			Num("option.ops tooling off-site.ale_reduction.mean", opts[0].ALE-opts[2].ALE, "KRW"),
			Text("."),
		},
		Services:   services,
		Options:    rows,
		KeyService: "kakaotalk",
		Currency:   "KRW",
		Charts: []Chart{
			NewRecoveryCDF("Time to recover after a battery fire at pangyo", cdf),
			tl,
			NewHistogram("User-hours lost per incident", "User-hours lost (user·h)", sampleHistogram()),
			NewInvestmentChart("Cost against risk of each option", "KRW", opts),
			NewRankedBars("Risk reduction per unit cost", "ALE avoided per KRW of annual cost (KRW/KRW)", sampleRanked()),
		},
		Assumptions: []Assumption{
			{"UPS battery fire rate", "0.002/yr per site", "reference/incidents.md (NFPA 855 survey)"},
			{"Firefighters' power cut", "whole site, 0.5 h after ignition", "2022 Pangyo timeline, https://example.org/pangyo-report (text only)"},
			{"Re-power rate", "4 domains/h", "scenario default"},
		},
		Money: []MoneyRow{
			{Label: "Total loss", Metric: "overall.loss", Stat: scale(kt, 6e10), Note: "revenue + value of user-hours + hardware"},
			{Label: "Revenue lost", Metric: "overall.revenue_lost", Stat: scale(kt, 4e8)},
			{Label: "Hardware replaced", Metric: "overall.hardware_cost", Stat: scale(kt, 3.6e9)},
		},
		Observed: []ObservedRow{
			{Label: "KakaoTalk messaging back", FromH: 10.2, ToH: 10.2, Value: math.NaN(), Band: kt, BandMetric: "kakaotalk.time_to_recover_h", Typical: 11.3, Source: "[MBC]"},
			{Label: "Kakao Pay back", FromH: 22, ToH: 26, Value: math.NaN(), Band: services[1].TimeToRecoverH, BandMetric: "kakaopay.time_to_recover_h", Typical: 20.5, Source: "[YH]"},
			{Label: "servers down", FromH: 0.7, ToH: 0.7, Value: 16000, Unit: "servers", Typical: math.NaN(), Source: "[DJ]"},
		},
		Causes: []Cause{
			{Subject: "kakaotalk", BackH: 10.4, Why: "manual failover to gasan (failover controller down), 6.6 h"},
			{Subject: "daum mail", BackH: 127.5, Why: "restored at pangyo after its servers were replaced"},
			{Subject: "object-meta", BackH: math.Inf(1), Why: "not back within the horizon"},
		},
		CausesIntro: "In replication 125, the typical one.",
		Sources:     []SourceTag{{Tag: "[MBC]", Reference: "imnews.imbc.com 6420718 — KakaoTalk messaging back 16 Oct 01:31"}},
		Incidents: []IncidentRow{
			{Name: "pangyo-battery-fire", PerYear: 0.005, Loss: scale(kt, 6e10), ALE: 0.005 * kt.Mean * 6e10},
			{Name: "gasan-utility-loss", PerYear: 0.2, Loss: scale(kt, 1e9), ALE: 0.2 * kt.Mean * 1e9},
		},
		Investments: []InvestmentRow{
			{Name: "second site", Description: "a hot standby for every user service", Capex: 29e9, OpexPerYear: 0.65e9, LifetimeYears: 10, Source: "assumption [PM]"},
			{Name: "failover drills", Description: "whole-site drills twice a year", OpexPerYear: 0.15e9, LifetimeYears: 1},
		},
		OptionsNote: "Ranked by NPV.",
		Budget: &BudgetRow{Budget: 10e9, Investments: []string{"ops tooling off-site", "zone power cut-offs"}, Capex: 4.95e9,
			AnnualisedCost: 1.1e9, PredictedALE: 3.3e9, ALE: Estimate{Mean: math.NaN()}, Method: "exact", Note: "Predicted from each investment alone."},
		Run: Run{
			Tool: "dcsim", Version: "v0.3.0", Scenario: "kakao-2022",
			ScenarioSHA256: "9f2c1e0b7a6d5c4b3a29180716f5e4d3c2b1a0998877665544332211000fedcb",
			Seed:           20221015, Replications: 10000, Done: 10000, Shard: "0/1", Complete: true,
			Started:  time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC),
			Finished: time.Date(2025, 3, 1, 9, 0, 12, 0, time.UTC),
		},
	}
}

// wantMetrics lists every number the page must mark: data-metric key →
// value, following the documented key scheme.
func wantMetrics(p Page) map[string]float64 {
	m := map[string]float64{}
	for _, h := range p.Headline {
		if h.Metric != "" {
			m[h.Metric] = h.Value
		}
	}
	ci := func(key string, mean, lo, hi float64) {
		m[key+".mean"] = mean
		if lo <= mean && mean <= hi { // the sample has no NaN or Inf
			m[key+".ci95_lo"], m[key+".ci95_hi"] = lo, hi
		}
	}
	stat := func(key string, s sim.Stat) { ci(key, s.Mean, s.CI95[0], s.CI95[1]) }
	for _, s := range p.Services {
		k := s.Service + "."
		m[k+"time_to_recover_h.p50"] = s.TimeToRecoverH.P50
		m[k+"time_to_recover_h.p90"] = s.TimeToRecoverH.P90
		stat(k+"time_to_recover_h", s.TimeToRecoverH)
		stat(k+"outage_h", s.OutageH)
		stat(k+"user_hours_lost", s.UserHoursLost)
	}
	for _, o := range p.Options {
		k := "option." + o.Name + "."
		m[k+"capex"], m[k+"opex_per_yr"], m[k+"npv"] = o.Capex, o.OpexPerYear, o.NPV
		m[k+"payback_yr"], m[k+"key_p50_h"] = o.PaybackYears, o.KeyP50H
		ci(k+"ale", o.ALE.Mean, o.ALE.Lo, o.ALE.Hi)
		ci(k+"ale_reduction", o.ALEReduction.Mean, o.ALEReduction.Lo, o.ALEReduction.Hi)
	}
	for _, r := range p.Money {
		stat(r.Metric, r.Stat)
		m[r.Metric+".p50"], m[r.Metric+".p90"] = r.Stat.P50, r.Stat.P90
	}
	for i, o := range p.Observed {
		k := fmt.Sprintf("observed.%d.", i)
		m[k+"time_h"] = o.FromH
		if o.ToH > o.FromH {
			m[k+"until_h"] = o.ToH
		}
		if !math.IsNaN(o.Value) {
			m[k+"value"] = o.Value
		}
		if !math.IsNaN(o.Typical) {
			m[k+"typical_h"] = o.Typical
		}
		if o.Band.N > 0 {
			m[o.BandMetric+".p10"], m[o.BandMetric+".p50"], m[o.BandMetric+".p90"] = o.Band.P10, o.Band.P50, o.Band.P90
		}
	}
	causes := slices.Clone(p.Causes)
	slices.SortStableFunc(causes, func(a, b Cause) int { return cmpFloat(b.BackH, a.BackH) })
	for i, c := range causes {
		m[fmt.Sprintf("cause.%d.back_h", i)] = c.BackH
	}
	var total float64
	for _, in := range p.Incidents {
		total += in.ALE
	}
	for _, in := range p.Incidents {
		k := "option.baseline.incidents." + in.Name + "."
		m[k+"per_year"], m[k+"ale"], m[k+"share_pct"] = in.PerYear, in.ALE, 100*in.ALE/total
		stat(k+"loss", in.Loss)
	}
	for _, iv := range p.Investments {
		k := "investment." + iv.Name + "."
		m[k+"capex"], m[k+"opex_per_yr"], m[k+"lifetime_yr"] = iv.Capex, iv.OpexPerYear, iv.LifetimeYears
	}
	if b := p.Budget; b != nil {
		m["budget.budget"], m["budget.capex"], m["budget.annualised_cost"], m["budget.predicted_ale"] = b.Budget, b.Capex, b.AnnualisedCost, b.PredictedALE
		if !math.IsNaN(b.ALE.Mean) {
			ci("budget.ale", b.ALE.Mean, b.ALE.Lo, b.ALE.Hi)
		}
	}
	return m
}

// metricSpan matches a marked number as html/template writes it and as
// Chromium serialises it (same attribute order, no nested markup).
var metricSpan = regexp.MustCompile(`<span class="num" data-metric="([^"]*)" data-value="([^"]*)">([^<]*)</span>`)

// checkMetrics checks that doc marks exactly the numbers of want, each
// once per occurrence, with the exact value in data-value and its
// FormatNumber text as content. Keys are compared after unescaping.
func checkMetrics(t *testing.T, doc []byte, want map[string]float64) {
	t.Helper()
	seen := map[string]bool{}
	for _, m := range metricSpan.FindAllSubmatch(doc, -1) {
		key := xmlUnescape(string(m[1]))
		raw, text := xmlUnescape(string(m[2])), xmlUnescape(string(m[3]))
		w, ok := want[key]
		if !ok {
			t.Errorf("unexpected data-metric %q", key)
			continue
		}
		seen[key] = true
		got, err := strconv.ParseFloat(raw, 64)
		if err != nil || !(got == w || math.IsNaN(got) && math.IsNaN(w)) {
			t.Errorf("%s: data-value %q, want %v", key, raw, w)
		}
		wantText := FormatNumber(w)
		switch {
		case strings.HasSuffix(key, ".payback_yr"):
			wantText = FormatYears(w)
		case math.IsInf(w, 1) && strings.HasPrefix(key, "cause."):
			wantText = "never"
		}
		if text != wantText {
			t.Errorf("%s: shows %q, want %q", key, text, wantText)
		}
	}
	for k := range want {
		if !seen[k] {
			t.Errorf("data-metric %q missing", k)
		}
	}
}

func xmlUnescape(s string) string { return browser.Unescape(s) }

func TestHTMLMetricsMatchInput(t *testing.T) {
	p := samplePage()
	doc, err := RenderHTML(p)
	if err != nil {
		t.Fatal(err)
	}
	want := wantMetrics(p)
	if len(want) < 40 {
		t.Fatalf("sample marks only %d numbers", len(want))
	}
	checkMetrics(t, doc, want)
}

// TestHTMLMetricKeysAreJSONPaths checks that each service metric key
// names the value at that path of a summary.json-shaped document, so a
// test or reader can look every number up.
func TestHTMLMetricKeysAreJSONPaths(t *testing.T) {
	p := samplePage()
	summary := map[string]map[string]sim.Stat{}
	for _, s := range p.Services {
		summary[s.Service] = map[string]sim.Stat{
			"time_to_recover_h": s.TimeToRecoverH, "outage_h": s.OutageH, "user_hours_lost": s.UserHoursLost,
		}
	}
	js, err := json.Marshal(map[string]any{"services": summary})
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Services map[string]map[string]map[string]json.RawMessage
	}
	if err := json.Unmarshal(js, &doc); err != nil {
		t.Fatal(err)
	}
	html, err := RenderHTML(p)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, m := range metricSpan.FindAllSubmatch(html, -1) {
		parts := strings.Split(string(m[1]), ".")
		svc, ok := doc.Services[parts[0]]
		if !ok || len(parts) != 3 {
			continue // overall / option keys
		}
		field, idx := parts[2], -1
		switch field {
		case "ci95_lo":
			field, idx = "ci95", 0
		case "ci95_hi":
			field, idx = "ci95", 1
		}
		raw, ok := svc[parts[1]][field]
		if !ok {
			t.Errorf("%s: no %s.%s in summary JSON", m[1], parts[1], field)
			continue
		}
		var v float64
		if idx >= 0 {
			var pair [2]float64
			err = json.Unmarshal(raw, &pair)
			v = pair[idx]
		} else {
			err = json.Unmarshal(raw, &v)
		}
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := strconv.ParseFloat(xmlUnescape(string(m[2])), 64); got != v {
			t.Errorf("%s: page %v, JSON %v", m[1], got, v)
		}
		n++
	}
	// 11 numbers per service row, and the headline repeats kakaotalk's P50
	// and P90.
	// Observed rows with a band show its P10, P50 and P90.
	want := 11*len(p.Services) + 2
	for _, o := range p.Observed {
		if o.Band.N > 0 {
			want += 3
		}
	}
	if n != want {
		t.Errorf("checked %d service numbers, want %d", n, want)
	}
}

// htmlRefs parses an HTML document (as HTML, not strict XML) and returns
// its element names, every attribute value that can make a browser fetch
// something, and the text of <style> elements and style attributes.
func htmlRefs(t *testing.T, doc []byte) (elems map[string]int, refs []string, styles []string) {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(doc))
	d.Strict = false
	d.AutoClose = xml.HTMLAutoClose
	d.Entity = xml.HTMLEntity
	elems = map[string]int{}
	inStyle := false
	fetching := map[string]bool{"src": true, "href": true, "srcset": true, "action": true, "formaction": true,
		"poster": true, "data": true, "background": true, "ping": true, "manifest": true, "codebase": true}
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("HTML does not parse: %v", err)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			name := strings.ToLower(tok.Name.Local)
			elems[name]++
			inStyle = name == "style"
			for _, a := range tok.Attr {
				an := strings.ToLower(a.Name.Local)
				if fetching[an] {
					refs = append(refs, an+"="+a.Value)
				}
				if an == "style" {
					styles = append(styles, a.Value)
				}
			}
		case xml.EndElement:
			inStyle = false
		case xml.CharData:
			if inStyle {
				styles = append(styles, string(tok))
			}
		}
	}
	return elems, refs, styles
}

func TestHTMLSelfContained(t *testing.T) {
	doc, err := RenderHTML(samplePage())
	if err != nil {
		t.Fatal(err)
	}
	elems, refs, styles := htmlRefs(t, doc)
	for _, e := range []string{"script", "link", "img", "iframe", "object", "embed", "image", "use", "base", "video", "audio", "source"} {
		if elems[e] > 0 {
			t.Errorf("report has %d <%s> elements", elems[e], e)
		}
	}
	if elems["svg"] != 5 {
		t.Errorf("report has %d inline <svg>, want 5 (one per chart)", elems["svg"])
	}
	if elems["style"] != 1 || len(styles) == 0 {
		t.Errorf("want one inline <style>, have %d", elems["style"])
	}
	if len(refs) > 0 {
		t.Errorf("report references resources: %q", refs)
	}
	for _, s := range styles {
		if strings.Contains(strings.ToLower(s), "url(") || strings.Contains(s, "@import") {
			t.Errorf("CSS fetches something: %q", s)
		}
	}
	if !bytes.Contains(doc, []byte(`http-equiv="Content-Security-Policy" content="default-src 'none';`)) {
		t.Error("no Content-Security-Policy forbidding fetches")
	}
	// The assumption's URL is shown as text, not as a link.
	if !bytes.Contains(doc, []byte("https://example.org/pangyo-report (text only)")) {
		t.Error("plain-text URL in an assumption's source is missing")
	}
}

func TestHTMLIncompleteBanner(t *testing.T) {
	p := samplePage()
	doc, err := RenderHTML(p)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(doc, []byte("data-incomplete")) {
		t.Error("complete run shows the incomplete warning")
	}
	p.Run.Complete = false
	p.Run.Done = 3400
	doc, err = RenderHTML(p)
	if err != nil {
		t.Fatal(err)
	}
	want := `<div class="warning" role="alert" data-incomplete="true">Incomplete results: the run was interrupted after 3,400 of 10,000 replications`
	if !bytes.Contains(doc, []byte(want)) {
		t.Errorf("incomplete run: no warning %q", want)
	}
	// The warning comes before the title, where it cannot be missed.
	if bytes.Index(doc, []byte("data-incomplete")) > bytes.Index(doc, []byte("<h1>")) {
		t.Error("warning is below the title")
	}
	if !bytes.Contains(doc, []byte(`<dd data-run="complete">false</dd>`)) {
		t.Error("footer does not say complete = false")
	}
}

func TestHTMLOptionalSections(t *testing.T) {
	p := samplePage()
	p.Options, p.Assumptions, p.Charts = nil, nil, nil
	doc, err := RenderHTML(p)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"Investment options", `class="options"`, "Assumptions", "<svg"} {
		if bytes.Contains(doc, []byte(s)) {
			t.Errorf("plain run shows %q", s)
		}
	}
	checkMetrics(t, doc, wantMetrics(p))
}

func TestHTMLEscapes(t *testing.T) {
	p := samplePage()
	evil := `<script>alert("x")</script>`
	p.Title = evil
	p.Services[0].Service = evil
	p.Assumptions[0].Source = `<img src="http://evil.example/x.png">`
	p.Headline = append(p.Headline, Text(evil))
	doc, err := RenderHTML(p)
	if err != nil {
		t.Fatal(err)
	}
	elems, refs, _ := htmlRefs(t, doc)
	if elems["script"] > 0 || elems["img"] > 0 || len(refs) > 0 {
		t.Errorf("unescaped markup: %d <script>, %d <img>, refs %q", elems["script"], elems["img"], refs)
	}
	if !bytes.Contains(doc, []byte("&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;")) {
		t.Error("escaped title text missing")
	}
}

// TestHTMLUnits checks that a currency goes before its number and other
// units after, outside the marked element.
func TestHTMLUnits(t *testing.T) {
	p := Page{Title: "u", Headline: []Part{
		Num("a", 4.2e9, "KRW"), Text(", "), Num("b", 10.43, "h"), Text(", "), Num("c", 3, "$"), Text(", "), Num("d", 7, ""),
	}, Run: Run{Complete: true}}
	doc, err := RenderHTML(p)
	if err != nil {
		t.Fatal(err)
	}
	want := `<p class="headline">KRW&nbsp;<span class="num" data-metric="a" data-value="4.2e&#43;09">4.2 bn</span>, ` +
		`<span class="num" data-metric="b" data-value="10.43">10.4</span>&nbsp;h, ` +
		`$&nbsp;<span class="num" data-metric="c" data-value="3">3</span>, ` +
		`<span class="num" data-metric="d" data-value="7">7</span></p>`
	if !bytes.Contains(doc, []byte(want)) {
		i := bytes.Index(doc, []byte(`<p class="headline">`))
		t.Errorf("headline\n got %.400s\nwant %s", doc[max(i, 0):], want)
	}
}

func TestHTMLChartError(t *testing.T) {
	p := samplePage()
	p.Charts = append(p.Charts, NewHistogram("bad", "x", nil))
	if _, err := RenderHTML(p); err == nil || !strings.Contains(err.Error(), "chart 5") {
		t.Errorf("RenderHTML with a bad chart: %v, want an error naming chart 5", err)
	}
	dir := t.TempDir()
	if err := WriteHTML(filepath.Join(dir, "report.html"), p); err == nil {
		t.Error("WriteHTML succeeded with a bad chart")
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Errorf("failed WriteHTML left %d files", len(ents))
	}
}

func TestHTMLDeterministic(t *testing.T) {
	a, err := RenderHTML(samplePage())
	if err != nil {
		t.Fatal(err)
	}
	b, _ := RenderHTML(samplePage())
	if !bytes.Equal(a, b) {
		t.Error("two renderings of one page differ")
	}
}

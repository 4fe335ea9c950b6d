package main

import (
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"gonum.org/v1/plot"

	"github.com/dcsim/dcsim/model/report"
	"github.com/dcsim/dcsim/model/risk"
)

// riskReportInput is what report.html of dcsim risk is built from: the
// committed risk.json, the year-loss tables (for the curves, read at fixed
// return periods) and uncertainty.json when it was computed.
type riskReportInput struct {
	dir         string
	file        *risk.File
	tabs        []*risk.YLT
	unc         *uncertaintyFile
	currency    string
	scenarioSHA string
}

// writeRiskReport writes report.html into in.dir: the headline (the AAL,
// the 100-year year, what carries the AAL, the option that cuts it most
// and, with a tornado, the input that moves it most), the AAL of every
// variant with the paired cut and the tail, the incidents' shares, the
// baseline's exceedance table and availability, the decision under
// uncertainty, and the charts. Every chart is drawn from fixed-size
// summaries, so the page's size does not grow with the years simulated.
func writeRiskReport(in riskReportInput) error {
	f := in.file
	cur := in.currency
	p := report.Page{
		Title:    fmt.Sprintf("Annual risk of %s", f.Scenario),
		Currency: cur,
		Run: report.Run{Tool: "dcsim", Version: strings.TrimPrefix(f.Tool, "dcsim "), Scenario: f.Scenario, ScenarioSHA256: in.scenarioSHA,
			Seed: f.Seed, Replications: f.Years, Complete: f.Complete},
	}
	// Replications are the simulated years. An interrupted run does not
	// know how many years its precision target would have taken, so Done
	// stays 0 and the banner says only that the years are those finished.
	if len(f.Variants) == 0 {
		return fmt.Errorf("risk.json holds no variants")
	}
	base := f.Variants[0]
	key := func(v, rest string) string { return "variant." + v + "." + rest }
	aep := func(s risk.Summary, T float64) risk.EPPoint {
		for _, e := range s.AEP {
			if e.ReturnPeriodYears == T {
				return e
			}
		}
		return risk.EPPoint{ReturnPeriodYears: T, Loss: nan(), CI95: risk.Interval{nan(), nan()}}
	}
	tvar := func(s risk.Summary, level float64) float64 {
		for _, x := range s.TVaR {
			if x.Level == level {
				return x.Loss
			}
		}
		return nan()
	}
	byShare := func(s risk.Summary) []risk.IncidentShare {
		inc := slices.Clone(s.Incidents)
		slices.SortStableFunc(inc, func(a, b risk.IncidentShare) int {
			switch {
			case a.Share > b.Share:
				return -1
			case a.Share < b.Share:
				return 1
			}
			return 0
		})
		return inc
	}

	// Headline.
	e100 := aep(base, 100)
	top := byShare(base)
	h := []report.Part{
		report.Text("Without investment, " + f.Scenario + " loses "),
		report.Num(key("baseline", "aal.mean"), base.AAL.Mean, cur),
		report.Text(" a year on average; one year in 100 costs "),
		report.Num(key("baseline", "aep.100.loss"), e100.Loss, cur),
		report.Text(" or more. "),
	}
	if len(top) > 0 {
		h = append(h, report.Text(fmt.Sprintf("What drives the risk: %s carries ", top[0].Name)),
			report.Num(key("baseline", "incidents."+top[0].Name+".share_pct"), 100*top[0].Share, "%"))
		if len(top) > 1 && top[1].Share > 0 {
			h = append(h, report.Text(fmt.Sprintf(" of the loss and %s ", top[1].Name)),
				report.Num(key("baseline", "incidents."+top[1].Name+".share_pct"), 100*top[1].Share, "%"))
		} else {
			h = append(h, report.Text(" of the loss"))
		}
		h = append(h, report.Text(". "))
	}
	if len(f.Variants) > 1 {
		best := 1
		for v := 2; v < len(f.Variants); v++ {
			if f.Variants[v].AAL.Mean < f.Variants[best].AAL.Mean {
				best = v
			}
		}
		b := f.Variants[best]
		h = append(h, report.Text(b.Variant+" cuts the AAL most, to "), report.Num(key(b.Variant, "aal.mean"), b.AAL.Mean, cur), report.Text(". "))
	}
	if u := in.unc; u != nil && u.TwoLevel != nil && len(u.TwoLevel.Options) > 1 {
		tl := u.TwoLevel
		for _, o := range tl.Options {
			if o.Name == tl.BestByMeanNPV && o.Name != "baseline" {
				h = append(h, report.Text(fmt.Sprintf("Over what is not known of the inputs, %s is the best value (mean NPV ", o.Name)),
					report.Num("uncertainty."+o.Name+".npv.mean", o.NPV.Mean, cur), report.Text(", best at "),
					report.Num("uncertainty."+o.Name+".p_best_pct", 100*o.PBest.P, "%"), report.Text(" of the input points). "))
			}
		}
	}
	if u := in.unc; u != nil && len(u.Tornado) > 0 && len(u.Tornado[0].Bars) > 0 {
		bar := u.Tornado[0].Bars[0]
		h = append(h, report.Text(fmt.Sprintf("Of the uncertain inputs, %s moves the baseline AAL most: from ", bar.Input)),
			report.Num("tornado.0."+bar.Input+".output_at_p10", bar.Low, cur), report.Text(" at its P10 to "),
			report.Num("tornado.0."+bar.Input+".output_at_p90", bar.High, cur), report.Text(" at its P90."))
	}
	p.Headline = h

	// The AAL of every variant.
	aal := report.Table{Heading: "Annual loss of each option (" + cur + " per year)", Class: "aal",
		Columns: []report.Column{{Label: "Option"}, {Label: "AAL [95% CI]", Numeric: true}, {Label: "AAL cut [95% CI]", Numeric: true},
			{Label: "100-year loss [95% CI]", Numeric: true}, {Label: "250-year loss", Numeric: true}, {Label: "TVaR 99%", Numeric: true}, {Label: "Largest share of AAL"}},
		Note: fmt.Sprintf("%d simulated years, sampled by %s (see docs/risk-methods.md); the intervals cover simulation noise of those years. The cut is paired — every option lives the same sampled years as the baseline — so its interval is of the cut itself. The N-year loss is the annual loss exceeded with probability 1/N; TVaR 99%% is the mean loss of the worst 1%% of years.", f.Years, f.Method)}
	for _, s := range f.Variants {
		e, e250 := aep(s, 100), aep(s, 250)
		cut := report.TextCell("—")
		if s.AALReduction != nil {
			r := s.AALReduction
			cut = report.CICell(key(s.Variant, "aal_reduction"), r.Mean, r.CI95[0], r.CI95[1])
		}
		topS := "—"
		if t := byShare(s); len(t) > 0 {
			topS = fmt.Sprintf("%s %.0f%%", t[0].Name, 100*t[0].Share)
		}
		aal.Rows = append(aal.Rows, report.Row{Key: s.Variant, Cells: []report.Cell{
			report.TextCell(s.Variant),
			report.CICell(key(s.Variant, "aal"), s.AAL.Mean, s.AAL.CI95[0], s.AAL.CI95[1]),
			cut,
			report.CICell(key(s.Variant, "aep.100"), e.Loss, e.CI95[0], e.CI95[1]),
			report.NumCell(key(s.Variant, "aep.250.loss"), e250.Loss),
			report.NumCell(key(s.Variant, "tvar.0.99.loss"), tvar(s, 0.99)),
			report.TextCell(topS),
		}})
	}
	p.Tables = append(p.Tables, aal)

	// What carries the baseline's AAL.
	rates := map[string]float64{}
	for _, r := range f.Incidents {
		rates[r.Name] = r.PerYear
	}
	inc := report.Table{Heading: "Which incidents carry the annual loss (baseline)", Class: "incidents",
		Columns: []report.Column{{Label: "Incident"}, {Label: "Frequency (/yr)", Numeric: true}, {Label: "AAL (" + cur + "/yr) [95% CI]", Numeric: true}, {Label: "Share of AAL (%)", Numeric: true}},
		Note:    "Overlapping incidents are simulated together and share their loss equally; background is loss no catalogue incident carries (independent failures). Uncertain frequencies, costs and parameters are at their mean."}
	for _, x := range top {
		if x.Name == "background" && !(abs(x.Share) > 1e-9) {
			continue // rounding: no loss outside the catalogue
		}
		freq := report.TextCell("—")
		if r, ok := rates[x.Name]; ok {
			freq = report.NumCell(key("baseline", "incidents."+x.Name+".per_year"), r)
		}
		inc.Rows = append(inc.Rows, report.Row{Key: x.Name, Cells: []report.Cell{
			report.TextCell(x.Name), freq,
			report.CICell(key("baseline", "incidents."+x.Name+".aal"), x.AAL.Mean, x.AAL.CI95[0], x.AAL.CI95[1]),
			report.NumCell(key("baseline", "incidents."+x.Name+".share_pct"), 100*x.Share),
		}})
	}
	p.Tables = append(p.Tables, inc)

	// The baseline's exceedance table.
	ep := report.Table{Heading: "How bad a bad year is (baseline, " + cur + ")", Class: "exceedance",
		Columns: []report.Column{{Label: "Return period (years)", Numeric: true}, {Label: "Annual loss (AEP) [95% CI]", Numeric: true}, {Label: "Largest incident (OEP) [95% CI]", Numeric: true}},
		Note:    "AEP: the year's total loss exceeded once in so many years; OEP: the loss of the year's largest incident. An end the simulated years cannot bound is left out."}
	for k, a := range base.AEP {
		o := base.OEP[k]
		T := strconv.FormatFloat(a.ReturnPeriodYears, 'g', -1, 64)
		ep.Rows = append(ep.Rows, report.Row{Key: T, Cells: []report.Cell{
			report.NumCell("return_period."+T, a.ReturnPeriodYears),
			report.CICell(key("baseline", "aep."+T), a.Loss, a.CI95[0], a.CI95[1]),
			report.CICell(key("baseline", "oep."+T), o.Loss, o.CI95[0], o.CI95[1]),
		}})
	}
	p.Tables = append(p.Tables, ep)

	if u := in.unc; u != nil && u.TwoLevel != nil {
		tl := u.TwoLevel
		dec := report.Table{Heading: fmt.Sprintf("Decisions under uncertainty (%d points of the inputs)", tl.Outer), Class: "decisions",
			Columns: []report.Column{{Label: "Option"}, {Label: "AAL mean [95% CI]", Numeric: true}, {Label: "AAL P5", Numeric: true}, {Label: "AAL P95", Numeric: true},
				{Label: fmt.Sprintf("NPV over %g y [95%% CI]", u.NPVYears), Numeric: true}, {Label: "NPV P5", Numeric: true}, {Label: "NPV P95", Numeric: true},
				{Label: "P(best) [95% CI]", Numeric: true}, {Label: "P(beats doing nothing) [95% CI]", Numeric: true}},
			Note: fmt.Sprintf("Each point of a Latin hypercube over the %d uncertain inputs is simulated for %d years with every option on the same years. NPV against doing nothing at a discount rate of %g. Best by mean NPV: %s; the expected value of perfect information — what knowing the inputs before choosing would be worth — is %s %s.",
				len(u.Inputs), u.InnerYears, u.DiscountRate, tl.BestByMeanNPV, cur, report.FormatNumber(tl.EVPI.Mean))}
		for _, o := range tl.Options {
			k := "uncertainty." + o.Name + "."
			dec.Rows = append(dec.Rows, report.Row{Key: o.Name, Cells: []report.Cell{
				report.TextCell(o.Name),
				report.CICell(k+"aal", o.AAL.Mean, o.AAL.CI95[0], o.AAL.CI95[1]),
				report.NumCell(k+"aal.p05", o.AAL.P05), report.NumCell(k+"aal.p95", o.AAL.P95),
				report.CICell(k+"npv", o.NPV.Mean, o.NPV.CI95[0], o.NPV.CI95[1]),
				report.NumCell(k+"npv.p05", o.NPV.P05), report.NumCell(k+"npv.p95", o.NPV.P95),
				report.CICell(k+"p_best", o.PBest.P, o.PBest.CI95[0], o.PBest.CI95[1]),
				report.CICell(k+"p_beats_nothing", o.PBeatsNothing.P, o.PBeatsNothing.CI95[0], o.PBeatsNothing.CI95[1]),
			}})
		}
		p.Tables = append(p.Tables, dec)
	}

	svc := report.Table{Heading: "Availability of each service (baseline)", Class: "availability",
		Columns: []report.Column{{Label: "Service"}, {Label: "Downtime (h/yr) [95% CI]", Numeric: true}, {Label: "Availability", Numeric: true}, {Label: "Nines", Numeric: true}},
		Note:    "Downtime is full-outage-equivalent hours per year, from the catalogue's incidents and the failures simulated around them."}
	for _, s := range base.Service {
		d := s.DowntimeHPerYear
		svc.Rows = append(svc.Rows, report.Row{Key: s.Name, Cells: []report.Cell{
			report.TextCell(s.Name),
			report.CICell(key("baseline", "services."+s.Name+".downtime_h_per_year"), d.Mean, d.CI95[0], d.CI95[1]),
			report.NumCell(key("baseline", "services."+s.Name+".availability.mean"), s.Availability.Mean),
			report.NumCell(key("baseline", "services."+s.Name+".nines"), float64(s.Nines)),
		}})
	}
	p.Tables = append(p.Tables, svc)

	// Charts, from fixed-size summaries: 40 return periods per variant.
	for _, c := range []struct {
		title, label string
		curve        func(t *risk.YLT) []risk.EPPoint
	}{
		{"Aggregate exceedance: the year's total loss", "annual loss (" + cur + ")", func(t *risk.YLT) []risk.EPPoint { return t.AEP(risk.CurvePeriods) }},
		{"Occurrence exceedance: the year's largest incident", "loss of the largest incident (" + cur + ")", func(t *risk.YLT) []risk.EPPoint { return t.OEP(risk.CurvePeriods) }},
	} {
		var series []risk.Series
		for _, t := range in.tabs {
			series = append(series, risk.Series{Name: t.Variant, Points: c.curve(t)})
		}
		title := fmt.Sprintf("%s: %s (%d years, 95%% bands)", f.Scenario, c.title, f.Years)
		ch := report.FromPlot(title, 9, 5.5, func() (*plot.Plot, error) { return risk.ExceedanceChart(title, c.label, series) })
		ch.Caption = "Loss against return period (log scale), one line per option with its 95% band; read the N-year loss where a line crosses N."
		p.Charts = append(p.Charts, ch)
	}
	if u := in.unc; u != nil {
		for _, t := range u.Tornado {
			title := f.Scenario + ": what moves the " + t.Output
			ch := report.FromPlot(title, 9, 1.2+0.35*float64(len(t.Bars)), func() (*plot.Plot, error) {
				return risk.TornadoChart(title, t.Output+" ("+cur+")", t)
			})
			ch.Caption = "Each uncertain input at its P10 and P90, the others at their medians; the line is the output at all medians."
			p.Charts = append(p.Charts, ch)
		}
		if tl := u.TwoLevel; tl != nil && len(tl.Options) > 1 {
			title := fmt.Sprintf("%s: NPV against doing nothing over input uncertainty", f.Scenario)
			opts := tl.Options[1:]
			ch := report.FromPlot(title, 9, 1.2+0.4*float64(len(opts)), func() (*plot.Plot, error) {
				return risk.SpreadChart(title, "NPV ("+cur+")", opts)
			})
			ch.Caption = "P5–P95 of each option's NPV over the input points, its median (bar) and mean (dot); left of the dashed line the option loses money."
			p.Charts = append(p.Charts, ch)
		}
		for _, r := range u.Sobol {
			title := f.Scenario + ": Sobol indices of the " + r.Output
			ch := report.FromPlot(title, 9, 4.5, func() (*plot.Plot, error) { return risk.SobolChart(title, r) })
			ch.Caption = "First-order index: the share of the output's variance an input explains alone; total: with its interactions. Whiskers are bootstrap 95% intervals."
			p.Charts = append(p.Charts, ch)
		}
	}
	if u := in.unc; u != nil {
		for _, x := range u.Inputs {
			unit := " " + cur
			switch {
			case x.Kind == "frequency":
				unit = "/yr"
			case x.Kind == "parameter" && (x.Unit == "fraction" || x.Unit == ""):
				unit = ""
			case x.Kind == "parameter":
				unit = " " + x.Unit
			}
			p.Assumptions = append(p.Assumptions, report.Assumption{Parameter: x.Name,
				Value:  fmt.Sprintf("P10 %s, median %s, P90 %s%s", report.FormatNumber(x.P10), report.FormatNumber(x.P50), report.FormatNumber(x.P90), unit),
				Source: "uncertain input of the scenario"})
		}
	}
	return report.WriteHTML(filepath.Join(in.dir, "report.html"), p)
}

func nan() float64 { return math.NaN() }

func abs(x float64) float64 { return math.Abs(x) }

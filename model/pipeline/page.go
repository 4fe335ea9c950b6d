package pipeline

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/dcsim/dcsim/model"
	"github.com/dcsim/dcsim/model/report"
	"github.com/dcsim/dcsim/model/results"
	"github.com/dcsim/dcsim/sim"
)

// saved is what a report is built from: a finished run's summary and
// charts in memory, or a results directory read back.
type saved struct {
	man                *results.Manifest
	sum                *results.Summary
	services, variants []string
	sc                 *model.Scenario // as loaded, [incident] not replaced
	plan               *model.Plan
	cmp                *model.Comparison
	art                *artifacts // the charts already built, or nil
}

// loadSaved reads a results directory back: its manifest, replications,
// scenario copy and compare.json.
func loadSaved(dir string, load func(string) (*model.Scenario, error)) (*saved, *results.Collector, error) {
	man, col, err := results.Load(dir)
	if err != nil {
		return nil, nil, inputf("%s is not a readable dcsim results directory (one written by dcsim run, compare or merge): %v", dir, err)
	}
	if load == nil {
		load = model.Load
	}
	sc, err := load(filepath.Join(dir, man.ScenarioFile))
	if err != nil {
		return nil, nil, err
	}
	sv := &saved{man: man, sum: col.Summary(), services: col.Services(), variants: col.Variants(), sc: sc}
	if man.Command == "compare" {
		var portfolios [][]string
		for _, v := range man.Variants {
			name, _, _ := strings.Cut(v, "@")
			if name == "baseline" {
				continue
			}
			dup := false
			for _, p := range portfolios {
				if model.PortfolioName(p) == name {
					dup = true
				}
			}
			if !dup {
				portfolios = append(portfolios, strings.Split(name, "+"))
			}
		}
		plan, err := model.NewPlan(sc, portfolios)
		if err != nil {
			return nil, nil, inputErr(err)
		}
		sv.plan = plan
		b, err := os.ReadFile(filepath.Join(dir, "compare.json"))
		if err != nil {
			return nil, nil, inputf("%s: %v", dir, err)
		}
		sv.cmp = &model.Comparison{}
		if err := json.Unmarshal(b, sv.cmp); err != nil {
			return nil, nil, inputf("%s: compare.json: %v", dir, err)
		}
	}
	return sv, col, nil
}

// artifacts builds the charts of sv, once.
func (sv *saved) artifacts(col *results.Collector) *artifacts {
	if sv.art == nil {
		if sv.cmp != nil {
			sv.art = compareArtifacts(sv.sc, sv.plan, col, sv.cmp, KeyService(sv.cmp))
		} else {
			sv.art = runArtifacts(sv.scenarioForRun(), sv.man.Seed, col)
		}
	}
	return sv.art
}

// Redraw reads the results directory dir and redraws its SVG plots (and
// PNG copies if png), and report.html, without re-running the Monte Carlo;
// the timeline replays the typical replication from its seed. load loads
// the scenario copy (nil means model.Load).
func Redraw(ctx context.Context, dir string, load func(string) (*model.Scenario, error), png bool) error {
	sv, col, err := loadSaved(dir, load)
	if err != nil {
		return err
	}
	defer col.Close()
	art := sv.artifacts(col)
	if err := art.save(ctx, dir, png); err != nil {
		return err
	}
	if sv.cmp == nil {
		if err := art.saveTimelineText(dir, sv.scenarioForRun(), sv.man.Seed); err != nil {
			return err
		}
	}
	return writeReportOf(dir, sv, col)
}

// scenarioForRun applies a run's --incident option.
func (sv *saved) scenarioForRun() *model.Scenario {
	return scenarioFor(sv.sc, sv.man.Options["incident"])
}

// WriteReport builds dir/report.html from the files in dir and returns its
// path; load loads the scenario copy (nil means model.Load).
func WriteReport(dir string, load func(string) (*model.Scenario, error)) (string, error) {
	sv, col, err := loadSaved(dir, load)
	if err != nil {
		return "", err
	}
	defer col.Close()
	return filepath.Join(dir, "report.html"), writeReportOf(dir, sv, col)
}

func (sv *saved) page(col *results.Collector) (report.Page, error) {
	sc := sv.scenarioForRun()
	man := sv.man
	v := 0 // the variant whose services the tables show
	if sv.cmp != nil {
		for i, name := range sv.variants {
			if name == "baseline@"+sv.cmp.KeyIncident {
				v = i
			}
		}
		for i, in := range sc.Incidents {
			if in.Name == sv.cmp.KeyIncident {
				sc = sc.WithIncident(i)
			}
		}
	}
	vs := &sv.sum.Variants[v]
	p := report.Page{
		Title:    fmt.Sprintf("%s at %s — %s", hazardText(sc.Incident.Hazard), sc.Where(&sc.Incident), sc.Name),
		Currency: sc.Currency,
		Run: report.Run{
			Tool: man.Tool, Version: man.Version, Scenario: man.Scenario, ScenarioSHA256: man.ScenarioSHA256,
			Seed: man.Seed, Replications: man.Replications, Done: man.ReplicationsDone, Shard: man.Shard,
			Complete: man.Complete, Started: man.Started,
		},
	}
	if man.Finished != nil {
		p.Run.Finished = *man.Finished
	}
	for _, a := range sc.Assumptions() {
		p.Assumptions = append(p.Assumptions, report.Assumption{Parameter: a.Parameter, Value: a.Value, Source: a.Source})
	}
	for _, name := range sv.services {
		m := vs.Service(name)
		p.Services = append(p.Services, report.ServiceRow{
			Service:        name,
			TimeToRecoverH: sim.Stat(m["time_to_recover_h"]),
			OutageH:        sim.Stat(m["outage_h"]),
			UserHoursLost:  sim.Stat(m["user_hours_lost"]),
		})
	}
	p.Groups = groupRows(vs)
	key := keyServiceOf(sc, vs)
	p.KeyService = key
	ttr := sim.Stat(vs.Service(key)["time_to_recover_h"])
	all := sim.Stat(vs.Overall["all_services_recovered_h"])
	uh := sim.Stat(vs.Overall["user_hours_lost"])
	when := ""
	if !sc.Incident.RandomStart {
		when = " (" + sc.Incident.Start.Format("Mon 2 Jan 2006 15:04 MST") + ")"
	}
	p.Headline = []report.Part{
		report.Text(fmt.Sprintf("A %s at %s%s takes %s down for ", strings.ToLower(hazardText(sc.Incident.Hazard)), sc.Where(&sc.Incident), when, key)),
		report.Num(key+".time_to_recover_h.p50", ttr.P50, "h"),
		report.Text(" at the median (P90 "),
		report.Num(key+".time_to_recover_h.p90", ttr.P90, "h"),
		report.Text("); every service is back after "),
		report.Num("overall.all_services_recovered_h.p50", all.P50, "h"),
		report.Text(" at the median, and users lose "),
		report.Num("overall.user_hours_lost.mean", uh.Mean, "user·h"),
		report.Text(fmt.Sprintf(" on average over %s replications.", report.FormatCount(all.N))),
	}
	for _, st := range sc.SourceTags() {
		p.Sources = append(p.Sources, report.SourceTag{Tag: st.Tag, Reference: st.Reference})
	}
	if sv.cmp != nil {
		sv.addOptions(&p, key)
		art := sv.art
		if art == nil || KeyService(sv.cmp) != key {
			art = compareArtifacts(sv.sc, sv.plan, col, sv.cmp, key)
		}
		p.Charts = append(p.Charts, art.charts...)
	} else {
		art := sv.artifacts(col)
		tl, rep := art.tl, art.rep
		timeline := art.charts[0]
		timeline.Caption = "Each row is a service in one replication, the one whose time to full recovery is the median; ◇ marks when history says the service came back, solid wine-red lines the observed events."
		loss := sim.Stat(vs.Overall["loss"])
		p.Headline = append(p.Headline,
			report.Text(" An incident costs "),
			report.Num("overall.loss.mean", loss.Mean, sc.Currency),
			report.Text(" on average (P90 "),
			report.Num("overall.loss.p90", loss.P90, sc.Currency),
			report.Text(")."))
		if why := whyHeadline(tl); why != "" {
			p.Headline = append(p.Headline, report.Text(" "+why))
		}
		p.Money = runMoney(sc, vs)
		p.Data = runData(sc, vs)
		events := make([]report.TraceEvent, len(tl.events))
		for i, e := range tl.events {
			events[i] = report.TraceEvent{T: e.T, Kind: e.Kind, Subject: e.Subject, Detail: e.Detail}
		}
		names := make([]string, len(sc.Services))
		for i, svc := range sc.Services {
			names[i] = svc.Name
		}
		p.Causes = report.CausesOf(events, names)
		p.CausesIntro = fmt.Sprintf("In replication %d, the one whose time to full recovery is the median; each service's last recovery step, latest first. %s", rep, report.SiteCourse(events))
		p.Observed = observedRows(sc, vs, tl)
		p.Charts = append(p.Charts, timeline)
		p.Charts = append(p.Charts, art.charts[1:]...)
	}
	return p, nil
}

// runData lists, for each service with data_tb, what happened to its
// data per incident: restored, time restoring, lost for good and how often.
func runData(sc *model.Scenario, vs *results.VariantSummary) []report.MoneyRow {
	var rows []report.MoneyRow
	for _, svc := range sc.Services {
		if svc.Data == nil {
			continue
		}
		m := vs.Service(svc.Name)
		row := func(label, metric, note string) report.MoneyRow {
			return report.MoneyRow{Label: svc.Name + ": " + label, Metric: svc.Name + "." + metric, Stat: sim.Stat(m[metric]), Note: note}
		}
		rows = append(rows,
			row("restored from backup, TB", "data_restored_tb", fmt.Sprintf("all %g TB, when every replica is lost and a backup survives", svc.Data.TB)),
			row("restoring, h", "data_restore_h", "hours spent restoring from backup"),
			row("lost for good, TB", "data_lost_tb", "every replica and backup destroyed"),
			row("lost for good, probability", "data_lost_for_good", "share of replications that lost it for good"))
	}
	return rows
}

// runMoney lists a run's money per incident.
func runMoney(sc *model.Scenario, vs *results.VariantSummary) []report.MoneyRow {
	row := func(label, metric, note string) report.MoneyRow {
		return report.MoneyRow{Label: label, Metric: "overall." + metric, Stat: sim.Stat(vs.Overall[metric]), Note: note}
	}
	users := "value of user-hours lost"
	if sc.Economics.CompensationPerUserHour > 0 {
		users += " and compensation"
	}
	return []report.MoneyRow{
		row("Total loss", "loss", "revenue lost + "+users+" + hardware replaced"),
		row("Revenue lost", "revenue_lost", "revenue per hour at peak × demand profile × share not served"),
		row("Hardware replaced", "hardware_cost", "servers and power equipment destroyed"),
	}
}

// observedRows sets the scenario's [[observed]] history beside the
// simulated distribution (a service's time to recover, the time until
// every service recovered) and the typical replication.
func observedRows(sc *model.Scenario, vs *results.VariantSummary, tl *Trace) []report.ObservedRow {
	var rows []report.ObservedRow
	for _, o := range sc.Observed {
		r := report.ObservedRow{Label: o.Label, FromH: o.TimeH, ToH: o.UntilH, Value: o.Value, Source: o.Source, Typical: math.NaN()}
		switch o.What {
		case "service_recovered":
			name := sc.Services[o.Service].Name
			r.Band, r.BandMetric = sim.Stat(vs.Service(name)["time_to_recover_h"]), name+".time_to_recover_h"
			r.Typical = tl.outcome.Services[o.Service].TimeToRecoverH
		case "all_services_recovered":
			r.Band, r.BandMetric = sim.Stat(vs.Overall["all_services_recovered_h"]), "overall.all_services_recovered_h"
			r.Typical = tl.outcome.AllServicesRecoveredH
		case "power_cut":
			r.Typical = tl.firstEvent("power-cut")
		case "fire_out":
			r.Typical = tl.firstEvent("extinguished")
		case "servers_down":
			r.Unit = "servers"
			r.Typical = tl.siteServersReach(sc, "power-lost", o.Value)
		case "power_restored":
			r.Unit = "of the site's servers"
			if !math.IsNaN(o.Value) {
				r.Value *= 100
				r.Unit = "% of its servers"
				r.Typical = tl.siteServersReach(sc, "repowered", o.Value*siteServers(sc))
			}
		}
		rows = append(rows, r)
	}
	return rows
}

func (t *Trace) firstEvent(kind string) float64 {
	for _, e := range t.events {
		if e.Kind == kind {
			return e.T
		}
	}
	return math.NaN()
}

// siteServers counts the servers of the incident's site.
func siteServers(sc *model.Scenario) float64 {
	if sc.Incident.Site < 0 {
		return 0 // a traffic surge hits no site
	}
	n := 0
	for _, d := range sc.Sites[sc.Incident.Site].Domains {
		n += d.Servers
	}
	return float64(n)
}

// siteServersReach returns when the servers of the incident site's
// domains named by kind events ("power-lost", "repowered", subject
// "site/domain") first add up to at least n, or NaN.
func (t *Trace) siteServersReach(sc *model.Scenario, kind string, n float64) float64 {
	if sc.Incident.Site < 0 {
		return math.NaN()
	}
	site := sc.Sites[sc.Incident.Site]
	size := map[string]int{}
	for _, d := range site.Domains {
		size[site.Name+"/"+d.Name] = d.Servers
	}
	sum, seen := 0, map[string]bool{}
	for _, e := range t.events {
		if e.Kind != kind || seen[e.Subject] {
			continue
		}
		if k, ok := size[e.Subject]; ok {
			seen[e.Subject] = true
			sum += k
			if float64(sum) >= n {
				return e.T
			}
		}
	}
	return math.NaN()
}

func (sv *saved) addOptions(p *report.Page, key string) {
	cmp := sv.cmp
	ranked, note := rankByNPV(cmp)
	p.OptionsNote = note
	for _, r := range ranked {
		pb := math.Inf(1)
		switch {
		case r.PaybackYears != nil:
			pb = *r.PaybackYears
		case len(r.Investments) == 0:
			pb = math.NaN() // the baseline buys nothing
		}
		p.Options = append(p.Options, report.OptionRow{
			Name: r.Name, Capex: r.Capex, OpexPerYear: r.OpexPerYear,
			ALE:          report.Estimate{Mean: r.ALE.Mean, Lo: r.ALE.CI95[0], Hi: r.ALE.CI95[1]},
			ALEReduction: report.Estimate{Mean: r.ALEReduction.Mean, Lo: r.ALEReduction.CI95[0], Hi: r.ALEReduction.CI95[1]},
			NPV:          r.NPV, PaybackYears: pb, Pareto: r.OnParetoFrontier, KeyP50H: r.TimeToRecoverH[key].P50,
		})
	}
	for _, in := range cmp.Options[0].Incidents {
		p.Incidents = append(p.Incidents, report.IncidentRow{Name: in.Name, PerYear: in.PerYear, Loss: in.Loss, ALE: in.ALE})
	}
	used := map[string]bool{}
	for _, r := range cmp.Options {
		for _, n := range r.Investments {
			used[n] = true
		}
	}
	for _, iv := range sv.sc.Investments {
		if used[iv.Name] {
			p.Investments = append(p.Investments, report.InvestmentRow{Name: iv.Name, Description: iv.Description,
				Capex: iv.Capex, OpexPerYear: iv.OpexPerYear, LifetimeYears: iv.LifetimeYears, Source: iv.Source})
		}
	}
	if bc := cmp.BudgetChoice; bc != nil {
		b := &report.BudgetRow{Budget: bc.Budget, Investments: bc.Investments, Capex: bc.Capex, AnnualisedCost: bc.AnnualisedCost,
			PredictedALE: bc.PredictedALE, ALE: report.Estimate{Mean: math.NaN()}, Method: bc.Method,
			Note: "The choice minimises predicted ALE + annualised cost with capex within the budget; a portfolio not simulated itself is predicted from its members alone, assuming they act independently."}
		if bc.ALE != nil {
			b.ALE = report.Estimate{Mean: bc.ALE.Mean, Lo: bc.ALE.CI95[0], Hi: bc.ALE.CI95[1]}
			b.Note = "The choice minimises predicted ALE + annualised cost with capex within the budget; the portfolio was simulated with the same seed, so its ALE is measured."
		}
		p.Budget = b
	}
	// The best option: highest NPV among those that pay back.
	best := -1
	for i, r := range cmp.Options {
		if i > 0 && r.NPV > 0 && (best < 0 || r.NPV > cmp.Options[best].NPV) {
			best = i
		}
	}
	base := cmp.Options[0]
	p.Headline = append(p.Headline,
		report.Text(" Expected annual loss today is "),
		report.Num("option.baseline.ale", base.ALE.Mean, cmp.Currency),
		report.Text(" per year"))
	if best < 0 {
		p.Headline = append(p.Headline, report.Text("; no option pays back over the horizon."))
		return
	}
	r := cmp.Options[best]
	p.Headline = append(p.Headline,
		report.Text("; the best option, "+r.Name+", cuts it by "),
		report.Num("option."+r.Name+".ale_reduction", r.ALEReduction.Mean, cmp.Currency),
		report.Text(" a year for a capex of "),
		report.Num("option."+r.Name+".capex", r.Capex, cmp.Currency),
		report.Text(fmt.Sprintf(" (NPV %s over %g years) and brings %s back in ", report.FormatNumber(r.NPV), cmp.Years, key)),
		report.Num("option."+r.Name+"."+key+".p50", r.TimeToRecoverH[key].P50, "h"),
		report.Text(" at the median."))
}

// rankByNPV orders the baseline first, then the options by NPV, highest
// first, the order the headline's "best option" follows, and says how
// that differs from ranking by ALE + annualised cost when it does.
func rankByNPV(cmp *model.Comparison) ([]model.OptionResult, string) {
	rows := append([]model.OptionResult(nil), cmp.Options[1:]...)
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].NPV > rows[j].NPV })
	note := fmt.Sprintf("Options are ranked by NPV over %g years at a %g%% discount rate, highest first.", cmp.Years, 100*cmp.DiscountRate)
	byCost := cmp.Ranked()
	var order []string
	for _, r := range byCost {
		if r.Name != "baseline" {
			order = append(order, r.Name)
		}
	}
	same := true
	for i := range rows {
		same = same && rows[i].Name == order[i]
	}
	if !same {
		const maxNames = 6
		shown := order
		if len(shown) > maxNames {
			shown = append(shown[:maxNames:maxNames], "…")
		}
		note += fmt.Sprintf(" Ranked by yearly cost of risk (ALE + annualised cost) the order would be %s: that measure spreads each capex evenly over its lifetime, while NPV discounts the yearly saving over the %g-year horizon and pays capex again at each end of life, so long-lived options and early savings weigh differently.", strings.Join(shown, ", "), cmp.Years)
	}
	return append([]model.OptionResult{cmp.Options[0]}, rows...), note
}

// whyHeadline names the mechanism that set the pace in the typical
// replication, in one sentence, or "".
func whyHeadline(tl *Trace) string {
	var manual []string
	seen := map[string]bool{}
	for _, e := range tl.events {
		if e.Kind == "failover-start" && strings.Contains(e.Detail, "controller or tooling down") && !seen[e.Subject] {
			seen[e.Subject] = true
			manual = append(manual, e.Subject)
		}
	}
	switch {
	case len(manual) == 0:
		return ""
	case len(manual) > 4:
		return fmt.Sprintf("Why: the failover controller or ops tooling was down with the site, so %d failovers (%s, …) were done by hand.", len(manual), strings.Join(manual[:3], ", "))
	}
	return fmt.Sprintf("Why: the failover controller or ops tooling was down with the site, so failovers of %s were done by hand.", strings.Join(manual, ", "))
}

func hazardText(h model.Hazard) string { return h.Title() }

// keyServiceOf is the scenario's key service (key_services, else the user
// service with the most peak users).
func keyServiceOf(sc *model.Scenario, vs *results.VariantSummary) string {
	if k := sc.KeyService(); vs.Service(k) != nil {
		return k
	}
	return sc.Services[0].Name
}

package pipeline

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/dcsim/dcsim/model"
	"github.com/dcsim/dcsim/model/report"
	"github.com/dcsim/dcsim/model/results"
	"github.com/dcsim/dcsim/sim"
)

// buildPage assembles report.html's content from what is in memory: the
// run's scenario (its incident applied), manifest, replications, summary,
// and for a comparison its plan and result, with the charts already built.
func buildPage(sc *model.Scenario, man *results.Manifest, col *results.Collector, sum *results.Summary, plan *model.Plan, cmp *model.Comparison, ch *drawn) report.Page {
	v := 0 // the variant whose services the tables show
	if cmp != nil {
		for i, name := range col.Variants() {
			if name == "baseline@"+cmp.KeyIncident {
				v = i
			}
		}
		for i, in := range sc.Incidents {
			if in.Name == cmp.KeyIncident {
				sc = sc.WithIncident(i)
			}
		}
	}
	vs := &sum.Variants[v]
	p := report.Page{
		Title:    fmt.Sprintf("%s at %s — %s", hazardText(sc.Incident.Hazard), sc.Sites[sc.Incident.Site].Name, sc.Name),
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
	for _, name := range col.Services() {
		m := vs.Service(name)
		p.Services = append(p.Services, report.ServiceRow{
			Service:        name,
			TimeToRecoverH: sim.Stat(m["time_to_recover_h"]),
			OutageH:        sim.Stat(m["outage_h"]),
			UserHoursLost:  sim.Stat(m["user_hours_lost"]),
		})
	}
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
		report.Text(fmt.Sprintf("A %s at %s%s takes %s down for ", strings.ToLower(hazardText(sc.Incident.Hazard)), sc.Sites[sc.Incident.Site].Name, when, key)),
		report.Num(key+".time_to_recover_h.p50", ttr.P50, "h"),
		report.Text(" at the median (P90 "),
		report.Num(key+".time_to_recover_h.p90", ttr.P90, "h"),
		report.Text("); every service is back after "),
		report.Num("overall.all_services_recovered_h.p50", all.P50, "h"),
		report.Text(" at the median, and users lose "),
		report.Num("overall.user_hours_lost.mean", uh.Mean, "user·h"),
		report.Text(fmt.Sprintf(" on average over %d replications.", all.N)),
	}
	if cmp != nil {
		addOptions(&p, cmp, key)
		p.Charts = append(p.Charts, ch.charts...)
	} else {
		timeline := ch.charts[2]
		timeline.Caption = whyCaption(ch.trace, sc)
		if why := whyHeadline(ch.trace); why != "" {
			p.Headline = append(p.Headline, report.Text(" "+why))
		}
		p.Charts = append(p.Charts, timeline, ch.charts[0], ch.charts[1])
	}
	return p
}

func addOptions(p *report.Page, cmp *model.Comparison, key string) {
	for _, r := range cmp.Ranked() {
		pb := math.Inf(1)
		if r.PaybackYears != nil {
			pb = *r.PaybackYears
		}
		p.Options = append(p.Options, report.OptionRow{
			Name: r.Name, Capex: r.Capex, OpexPerYear: r.OpexPerYear,
			ALE:          report.Estimate{Mean: r.ALE.Mean, Lo: r.ALE.CI95[0], Hi: r.ALE.CI95[1]},
			ALEReduction: report.Estimate{Mean: r.ALEReduction.Mean, Lo: r.ALEReduction.CI95[0], Hi: r.ALEReduction.CI95[1]},
			NPV:          r.NPV, PaybackYears: pb, Pareto: r.OnParetoFrontier, KeyP50H: r.TimeToRecoverH[key].P50,
		})
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

// whyCaption explains the typical replication in a sentence or two: the
// events that set the pace.
func whyCaption(tl *Trace, sc *model.Scenario) string {
	var parts []string
	seen := map[string]bool{}
	for _, e := range tl.events {
		switch e.Kind {
		case "power-cut", "extinguished", "inspected":
			parts = append(parts, fmt.Sprintf("%s at %.1f h", markerKinds[e.Kind], e.T))
		case "failover-start":
			if !seen[e.Subject] && strings.Contains(e.Detail, "manual") {
				seen[e.Subject] = true
				parts = append(parts, fmt.Sprintf("%s: %s", e.Subject, e.Detail))
			}
		}
	}
	if len(parts) > 8 {
		parts = parts[:8]
	}
	if len(parts) == 0 {
		return "The typical replication: see timeline.txt."
	}
	return "Why it takes this long, in the typical replication: " + strings.Join(parts, "; ") + "."
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

func hazardText(h model.Hazard) string {
	switch h {
	case model.BatteryFire:
		return "Battery fire"
	case model.UtilityLoss:
		return "Utility power loss"
	case model.CoolingLoss:
		return "Cooling loss"
	case model.NetworkPartition:
		return "Network partition"
	}
	return string(h)
}

// keyServiceOf picks kakaotalk when present, else the user service with
// the most user-hours lost.
func keyServiceOf(sc *model.Scenario, vs *results.VariantSummary) string {
	if vs.Service("kakaotalk") != nil {
		return "kakaotalk"
	}
	best, bestV := "", -1.0
	names := make([]string, 0, len(sc.Services))
	for _, s := range sc.Services {
		names = append(names, s.Name)
	}
	sort.Strings(names)
	for _, n := range names {
		if x := vs.Service(n)["user_hours_lost"].Mean; x > bestV {
			best, bestV = n, x
		}
	}
	return best
}

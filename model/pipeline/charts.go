package pipeline

import (
	"context"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/dcsim/dcsim/model"
	"github.com/dcsim/dcsim/model/report"
	"github.com/dcsim/dcsim/model/results"
)

// saveCharts draws each named chart as SVG, and as PNG too if png, all at
// once: drawing is single-threaded per chart, and a run's charts take
// longer than its simulation when drawn one after another.
func saveCharts(ctx context.Context, dir string, charts map[string]func(path string) error, png bool) error {
	var wg sync.WaitGroup
	var mu sync.Mutex
	var first error
	exts := []string{".svg"}
	if png {
		// Rasterising a chart costs about twice drawing its SVG: a
		// third of what follows the simulation of 10,000 replications.
		exts = append(exts, ".png")
	}
	for name, draw := range charts {
		for _, ext := range exts {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := draw(filepath.Join(dir, name+ext)); err != nil {
					mu.Lock()
					if first == nil {
						first = fmt.Errorf("%s%s: %w", name, ext, err)
					}
					mu.Unlock()
				}
			}()
		}
	}
	wg.Wait()
	if first == nil && ctx.Err() != nil {
		return ctx.Err() // drawn, but the caller was interrupted meanwhile
	}
	return first
}

// typicalReplication returns the replication whose time until every
// service recovered is the median one (the lower of two middles), so the
// timeline shows a representative course.
func typicalReplication(col *results.Collector, v int) int {
	return col.First() + medianIndex(col.OverallValues(v, "all_services_recovered_h"))
}

// medianIndex returns the index at rank (len(vals)-1)/2 in a stable sort
// of vals (ties in index order): the median value found by one sort of a
// copy, then its place among the indices holding that value.
func medianIndex(vals []float64) int {
	if len(vals) == 0 {
		return 0
	}
	sorted := slices.Clone(vals)
	slices.Sort(sorted)
	m := (len(vals) - 1) / 2
	v := sorted[m]
	if math.IsNaN(v) {
		// No order to speak of: the first NaN, as slices.Sort puts them first.
		return slices.IndexFunc(vals, math.IsNaN)
	}
	below := m - slices.Index(sorted, v) // ties with v before rank m
	for i, x := range vals {
		if x == v {
			if below == 0 {
				return i
			}
			below--
		}
	}
	return 0 // not reached
}

// artifacts are the charts of a whole run or comparison, built once for
// their files and the report (a Chart draws its SVG once), with the trace
// of the run's typical replication.
type artifacts struct {
	names  []string // file names, without extension, of charts
	charts []report.Chart
	tl     *Trace // a run's typical replication, or nil
	rep    int    // its index
}

// save draws every chart as SVG, and as PNG if png, into dir.
func (a *artifacts) save(ctx context.Context, dir string, png bool) error {
	m := make(map[string]func(string) error, len(a.charts))
	for i, ch := range a.charts {
		m[a.names[i]] = ch.Save
	}
	return saveCharts(ctx, dir, m, png)
}

// saveTimelineText writes timeline.txt, the typical replication's course.
func (a *artifacts) saveTimelineText(dir string, sc *model.Scenario, seed uint64) error {
	return results.WriteAtomic(filepath.Join(dir, "timeline.txt"), func(w io.Writer) error {
		return a.tl.WriteText(w, sc, "baseline", seed, a.rep)
	})
}

// runArtifacts builds a run's charts: recovery CDF per service (with the
// observed recoveries), histogram of user-hours lost, and the swimlane
// timeline of the typical replication (with the observed events); the
// report shows the timeline first.
func runArtifacts(sc *model.Scenario, seed uint64, col *results.Collector) *artifacts {
	// Services never impaired (all zeros) would crowd the chart; drop them
	// unless no service was impaired at all.
	var curves, all []report.CDFCurve
	group := groupOf(sc)
	for s, svc := range sc.Services {
		if group[s] >= 0 && len(col.Groups()) > 0 {
			continue // drawn as its group, below
		}
		vals := col.Values(0, s, "time_to_recover_h")
		e, err := report.ECDFOf(vals)
		if err != nil {
			// Empty charts: drawing them reports the problem.
			return &artifacts{names: []string{"timeline", "recovery_cdf", "user_hours_hist"}, charts: make([]report.Chart, 3), tl: &Trace{}}
		}
		c := report.CDFCurve{Label: svc.Name, ECDF: e}
		for _, o := range sc.Observed {
			if o.What == "service_recovered" && o.Service == s {
				c.History = append(c.History, (o.TimeH+o.UntilH)/2)
			}
		}
		all = append(all, c)
		if !allZero(vals) {
			curves = append(curves, c)
		}
	}
	if len(curves) == 0 {
		curves = all
	}
	gc, err := groupCurves(col, 0)
	if err != nil {
		// Empty charts: drawing them reports the problem.
		return &artifacts{names: []string{"timeline", "recovery_cdf", "user_hours_hist"}, charts: make([]report.Chart, 3), tl: &Trace{}}
	}
	curves = append(curves, gc...)
	cdf := report.NewRecoveryCDFOf(fmt.Sprintf("%s: time to recover per service (%s replications)", sc.Name, report.FormatCount(col.Len())), curves)
	hist := report.NewHistogramOf(fmt.Sprintf("%s: user-hours lost per incident", sc.Name), "user-hours lost (all services)", report.HistOf(col.OverallValues(0, "user_hours_lost")))
	rep := typicalReplication(col, 0)
	tl := TraceReplication(sc, seed, rep)
	lanes, markers, end := tl.swimlanes(sc)
	timeline := report.NewSwimlanes(fmt.Sprintf("%s: who was down when (replication %d)", sc.Name, rep), lanes, markers, sc.RecoveredThreshold, end)
	return &artifacts{names: []string{"timeline", "recovery_cdf", "user_hours_hist"}, charts: []report.Chart{timeline, cdf, hist}, tl: tl, rep: rep}
}

// swimlanes converts the trace into lanes, with the scenario's observed
// recoveries on them and its other observed events as markers.
func (t *Trace) swimlanes(sc *model.Scenario) ([]report.Lane, []report.Marker, float64) {
	series, all, end := t.stepSeries(sc)
	// Failovers show in the lanes themselves: mark only the incident's
	// milestones, leaving room for the observed ones.
	var markers []report.Marker
	for _, m := range all {
		// The axis starts at the ignition: its marker would only crowd
		// the first labels.
		if !strings.HasSuffix(m.Label, " failover") && !(m.T == 0 && m.Label == "ignition") {
			markers = append(markers, m)
		}
	}
	lanes := make([]report.Lane, len(series))
	group := groupOf(sc)
	for i, s := range series {
		lanes[i] = report.Lane{Label: s.Label, T: s.T, F: s.F}
		if group[i] >= 0 { // fold a group's members into one row
			lanes[i].Group = sc.Groups[group[i]].Name
		} else if len(sc.Groups) > 0 {
			lanes[i].Group = s.Label
		}
	}
	for _, o := range sc.Observed {
		switch o.What {
		case "service_recovered":
			lanes[o.Service].History = append(lanes[o.Service].History, report.Window{From: o.TimeH, To: o.UntilH})
		case "milestone", "power_cut", "fire_out", "servers_down", "power_restored", "all_services_recovered":
			markers = append(markers, report.Marker{T: (o.TimeH + o.UntilH) / 2, Label: o.Label, Observed: true})
		}
		end = math.Max(end, math.Min(sc.Horizon, o.UntilH*1.05))
	}
	if len(lanes) > report.MaxLanes {
		// Folded rows are runs of lanes: order them slowest first so each
		// run holds services that recovered alike.
		last := func(l report.Lane) float64 {
			for i := len(l.F) - 1; i >= 0; i-- {
				if l.F[i] < sc.RecoveredThreshold {
					if i+1 < len(l.T) {
						return l.T[i+1]
					}
					return math.Inf(1)
				}
			}
			return 0
		}
		sort.SliceStable(lanes, func(i, j int) bool { return last(lanes[i]) > last(lanes[j]) })
	}
	return lanes, markers, end
}

func allZero(x []float64) bool {
	for _, v := range x {
		if v != 0 {
			return false
		}
	}
	return true
}

// stepSeries converts the trace into step series and markers.
func (t *Trace) stepSeries(sc *model.Scenario) ([]report.StepSeries, []report.Marker, float64) {
	series := make([]report.StepSeries, len(sc.Services))
	for i, s := range sc.Services {
		series[i] = report.StepSeries{Label: s.Name, T: []float64{0}, F: []float64{1}}
	}
	// A step only where a service's serving fraction changes: the same
	// curve, and with hundreds of services (service groups) a fraction of
	// the memory.
	for _, smp := range t.samples {
		for i := range series {
			if f := smp.Serving[i]; f != series[i].F[len(series[i].F)-1] {
				series[i].T = append(series[i].T, smp.T)
				series[i].F = append(series[i].F, f)
			}
		}
	}
	end := t.outcome.AllServicesRecoveredH
	for _, e := range t.events {
		if _, ok := markerKinds[e.Kind]; ok {
			end = math.Max(end, e.T)
		}
	}
	end = math.Min(sc.Horizon, math.Max(1, end*1.05))
	// The incident's milestones, then failovers of user-facing services,
	// at most maxMarkers in all: the chart has room for that many labels.
	const maxMarkers = 8
	var markers, failovers []report.Marker
	user := map[string]bool{}
	for _, s := range sc.Services {
		user[s.Name] = s.Kind == "user"
	}
	firstRepower := false
	for _, e := range t.events {
		label, ok := markerKinds[e.Kind]
		switch {
		case ok:
			markers = append(markers, report.Marker{T: e.T, Label: label})
		case e.Kind == "repowered" && !firstRepower:
			firstRepower = true
			markers = append(markers, report.Marker{T: e.T, Label: "first re-power"})
		case e.Kind == "failover-done" && user[e.Subject]:
			failovers = append(failovers, report.Marker{T: e.T, Label: e.Subject + " failover"})
		}
	}
	if len(markers) > maxMarkers {
		markers = markers[:maxMarkers]
	}
	if room := maxMarkers - len(markers); len(failovers) > room {
		failovers = failovers[:room]
	}
	markers = append(markers, failovers...)
	sort.SliceStable(markers, func(i, j int) bool { return markers[i].T < markers[j].T })
	return series, markers, end
}

// compareArtifacts builds a comparison's charts.
func compareArtifacts(sc *model.Scenario, plan *model.Plan, col *results.Collector, cmp *model.Comparison, key string) *artifacts {
	nI := len(plan.Base.Incidents)
	keyInc := 0
	for i, in := range plan.Base.Incidents {
		if in.Name == cmp.KeyIncident {
			keyInc = i
		}
	}
	s := -1
	for i, svc := range sc.Services {
		if svc.Name == key {
			s = i
		}
	}
	var cdfs []report.CDFSeries
	if s >= 0 {
		for v, name := range plan.Names {
			if v > 8 && len(plan.Portfolios[v]) > 1 {
				continue
			}
			cdfs = append(cdfs, report.CDFSeries{Label: name, Values: col.Values(v*nI+keyInc, s, "time_to_recover_h")})
		}
	}
	// The ALE intervals of two options overlap even when the paired cut
	// is clearly positive: the cost–risk chart shows means, and the cut
	// chart the paired intervals.
	var pts []report.OptionPoint
	var ranked, cuts []report.Ranked
	for _, r := range cmp.Options {
		pts = append(pts, report.OptionPoint{Name: r.Name, AnnualCost: r.AnnualisedCost, ALE: r.ALE.Mean, Pareto: r.OnParetoFrontier})
		if r.Name != "baseline" {
			cuts = append(cuts, report.Ranked{Label: r.Name, Value: r.ALEReduction.Mean, Lo: r.ALEReduction.CI95[0], Hi: r.ALEReduction.CI95[1]})
		}
		if r.AnnualisedCost > 0 {
			f := 1 / r.AnnualisedCost
			ranked = append(ranked, report.Ranked{Label: r.Name, Value: r.ALEReduction.Mean * f, Lo: r.ALEReduction.CI95[0] * f, Hi: r.ALEReduction.CI95[1] * f})
		}
	}
	names := []string{"investments"}
	charts := []report.Chart{
		report.NewInvestmentChart(fmt.Sprintf("%s: annualised cost vs annualised loss expectancy", sc.Name), sc.Currency, pts),
	}
	if len(cuts) > 0 {
		names = append(names, "ale_cut")
		charts = append(charts, report.NewRankedBars("ALE cut per year, paired 95% CI", "ALE cut ("+sc.Currency+"/yr), against the baseline on the same random draws", cuts))
	}
	if len(ranked) > 0 {
		names = append(names, "risk_reduction_per_cost")
		charts = append(charts, report.NewRankedBars("risk reduction per unit of annualised cost", "ALE cut per "+sc.Currency+" spent per year", ranked))
	}
	if len(cdfs) > 0 {
		names = append(names, "recovery_cdf_by_option")
		charts = append(charts, report.NewRecoveryCDF(fmt.Sprintf("%s: time to recover, %s, by option", key, cmp.KeyIncident), cdfs))
	}
	return &artifacts{names: names, charts: charts}
}

// KeyService is the service leadership looks at first: the scenario's
// (compare.json's key_service), or for results written before it existed
// the first service in name order.
func KeyService(cmp *model.Comparison) string {
	if _, ok := cmp.Options[0].TimeToRecoverH[cmp.KeyService]; ok {
		return cmp.KeyService
	}
	return firstUserService(cmp)
}

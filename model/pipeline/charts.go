package pipeline

import (
	"context"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"

	"github.com/dcsim/dcsim/model"
	"github.com/dcsim/dcsim/model/report"
	"github.com/dcsim/dcsim/model/results"
)

// drawn is what draw built: the charts, in the order their files are
// named (see runChartNames and compareChartNames), and for a run the
// replayed typical replication.
type drawn struct {
	charts []report.Chart
	trace  *Trace
	rep    int
}

var (
	runChartNames     = []string{"recovery_cdf", "user_hours_hist", "timeline"}
	compareChartNames = []string{"investments", "risk_reduction_per_cost", "recovery_cdf_by_option"}
)

// draw builds the charts of a run (cmp nil) or comparison, writes each as
// PNG and SVG into dir — all at once, as drawing is single-threaded per
// chart — and for a run timeline.txt; it returns early if ctx is
// cancelled. drawCharts with dir "" only builds the charts.
func (j *job) draw(ctx context.Context, dir string, col *results.Collector, cmp *model.Comparison, bg *sync.WaitGroup) (*drawn, error) {
	return drawCharts(ctx, dir, j.sc, j.Seed, j.plan, col, cmp, j.obs, bg)
}

func drawCharts(ctx context.Context, dir string, sc *model.Scenario, seed uint64, plan *model.Plan, col *results.Collector, cmp *model.Comparison, obs Observer, bg *sync.WaitGroup) (*drawn, error) {
	d := &drawn{}
	names := runChartNames
	if cmp != nil {
		names = compareChartNames
		d.charts = compareCharts(sc, plan, col, cmp, keyService(cmp))
	} else {
		d.charts, d.trace, d.rep = runCharts(sc, seed, col)
	}
	if dir == "" {
		return d, nil // the charts only, for the report
	}
	var files []func() error
	for i, ch := range d.charts {
		for _, ext := range []string{".png", ".svg"} {
			path := filepath.Join(dir, names[i]+ext)
			files = append(files, func() error { return saveChart(ch, path) })
		}
	}
	if d.trace != nil {
		files = append(files, func() error {
			return results.WriteAtomic(filepath.Join(dir, "timeline.txt"), func(w io.Writer) error {
				return d.trace.WriteText(w, sc, "baseline", seed, d.rep)
			})
		})
	}
	obs.Phase(PhasePlot, len(files))
	// As many at once as there are cores: more would not be faster, and
	// each holds its chart's drawing in memory.
	errs := make(chan error, len(files))
	slots := make(chan struct{}, runtime.GOMAXPROCS(0))
	for _, f := range files {
		bg.Add(1)
		go func() {
			defer bg.Done()
			slots <- struct{}{}
			defer func() { <-slots }()
			if ctx.Err() != nil {
				errs <- ctx.Err()
				return
			}
			errs <- f()
		}()
	}
	for i := range files {
		select {
		case err := <-errs:
			if err != nil {
				return nil, err
			}
			obs.Progress(i + 1)
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	return d, nil
}

// saveChart writes ch to path as PNG or SVG (by extension) with
// results.WriteAtomic: fsynced, and its temporary file one the stale-temp
// cleanup knows.
func saveChart(ch report.Chart, path string) error {
	format := strings.TrimPrefix(strings.ToLower(filepath.Ext(path)), ".")
	return results.WriteAtomic(path, func(w io.Writer) error { return ch.Render(w, format) })
}

// typicalReplication returns the replication whose time until every
// service recovered is the median one (the lower of two middles), so the
// timeline shows a representative course.
func typicalReplication(col *results.Collector, v int) int {
	vals := col.OverallValues(v, "all_services_recovered_h")
	idx := make([]int, len(vals))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return vals[idx[a]] < vals[idx[b]] })
	if len(idx) == 0 {
		return 0
	}
	return col.First() + idx[(len(idx)-1)/2]
}

// runCharts builds a run's charts: recovery CDF per service, histogram of
// user-hours lost, and the timeline of the typical replication, which it
// replays with the run's seed.
func runCharts(sc *model.Scenario, seed uint64, col *results.Collector) ([]report.Chart, *Trace, int) {
	// Services never impaired (all zeros) would crowd the chart; drop them
	// unless no service was impaired at all.
	var series, all []report.CDFSeries
	for s, svc := range sc.Services {
		vals := col.Values(0, s, "time_to_recover_h")
		cs := report.CDFSeries{Label: svc.Name, Values: vals}
		all = append(all, cs)
		if !allZero(vals) {
			series = append(series, cs)
		}
	}
	if len(series) == 0 {
		series = all
	}
	cdf := report.NewRecoveryCDF(fmt.Sprintf("%s: time to recover per service (%d replications)", sc.Name, col.Len()), series)
	hist := report.NewHistogram(fmt.Sprintf("%s: user-hours lost per incident", sc.Name), "user-hours lost (all services)", col.OverallValues(0, "user_hours_lost"))
	rep := typicalReplication(col, 0)
	tl := Replay(sc, seed, rep)
	series2, markers, end := tl.stepSeries(sc)
	timeline := report.NewTimeline(fmt.Sprintf("%s: serving fraction in replication %d (median time to full recovery)", sc.Name, rep), series2, markers, end)
	return []report.Chart{cdf, hist, timeline}, tl, rep
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
	for _, smp := range t.samples {
		for i := range series {
			series[i].T = append(series[i].T, smp.T)
			series[i].F = append(series[i].F, smp.Serving[i])
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

// compareCharts builds a comparison's charts.
func compareCharts(sc *model.Scenario, plan *model.Plan, col *results.Collector, cmp *model.Comparison, key string) []report.Chart {
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
	var pts []report.OptionPoint
	var ranked []report.Ranked
	for _, r := range cmp.Options {
		pts = append(pts, report.OptionPoint{Name: r.Name, AnnualCost: r.AnnualisedCost, ALE: r.ALE.Mean, ALELo: r.ALE.CI95[0], ALEHi: r.ALE.CI95[1], Pareto: r.OnParetoFrontier})
		if r.AnnualisedCost > 0 {
			f := 1 / r.AnnualisedCost
			ranked = append(ranked, report.Ranked{Label: r.Name, Value: r.ALEReduction.Mean * f, Lo: r.ALEReduction.CI95[0] * f, Hi: r.ALEReduction.CI95[1] * f})
		}
	}
	charts := []report.Chart{
		report.NewInvestmentChart(fmt.Sprintf("%s: annualised cost vs annualised loss expectancy", sc.Name), sc.Currency, pts),
		report.NewRankedBars("risk reduction per unit of annualised cost", "ALE cut per "+sc.Currency+" spent per year", ranked),
	}
	if len(cdfs) > 0 {
		charts = append(charts, report.NewRecoveryCDF(fmt.Sprintf("%s: time to recover, %s, by option", key, cmp.KeyIncident), cdfs))
	}
	return charts
}

// keyService is the service leadership looks at first: kakaotalk when
// present, else the user service with the largest user-hours lost.
func keyService(cmp *model.Comparison) string {
	if _, ok := cmp.Options[0].TimeToRecoverH["kakaotalk"]; ok {
		return "kakaotalk"
	}
	return firstUserService(cmp)
}

// firstUserService is the first service, by name, of a comparison.
func firstUserService(cmp *model.Comparison) string {
	keys := sortedKeys(cmp.Options[0].TimeToRecoverH)
	if len(keys) == 0 {
		return ""
	}
	return keys[0]
}

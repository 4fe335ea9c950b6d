package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/urfave/cli/v2"
	"gonum.org/v1/plot/vg"

	"github.com/dcsim/dcsim/model"
	"github.com/dcsim/dcsim/model/results"
	"github.com/dcsim/dcsim/model/risk"
	"github.com/dcsim/dcsim/sim"
)

// defaultSweepMetrics are the metrics a sweep reports without --metrics.
const defaultSweepMetrics = "loss,all_services_recovered_h,user_hours_lost"

// setList collects repeated --set flags without splitting at commas (a
// StringSliceFlag would split "crews=2,4,8" into three flags).
type setList []string

func (s *setList) Set(v string) error { *s = append(*s, v); return nil }
func (s *setList) String() string     { return strings.Join(*s, " ") }

func sweepCommand() *cli.Command {
	return &cli.Command{
		Name:      "sweep",
		Usage:     "simulate a grid of values of scenario keys, with common random numbers",
		ArgsUsage: "SCENARIO.toml",
		Description: `Sets each --set KEY to each of its values (every combination when several
keys are swept) and simulates every point with the same replications: replication
k of every point draws the same random numbers, so differences between points come
from the swept values, not from noise, and each point's difference from the first
point is reported with a paired 95% CI.

KEY is a scenario key path: table keys joined by dots, and [NAME] after an array
of tables to pick an element by name (sites[pangyo].crews,
sites[pangyo].fire.suppression_success, operations.restore_crews). Values are
TOML values; durations and rates are written as in the scenario (8h, "0.5/yr").

Writes sweep.csv (tidy: one row per point and metric, with mean, 95% CI, n and
the paired difference from the first point), sweep.json, one plot per metric
against the first swept key (sweep-METRIC.png/.svg; one line per combination of
the other keys), and the usual summary.json and replications.csv with one
variant per point.

Metrics (--metrics): whole-fleet metrics (loss, all_services_recovered_h,
user_hours_lost, requests_lost, revenue_lost, data_lost_s, hardware_cost) or
SERVICE.METRIC (e.g. kakaotalk.time_to_recover_h), or for a service group
GROUP.METRIC with recovered_50_h, recovered_90_h, recovered_100_h or
members_impaired (e.g. vm.recovered_90_h).

Examples:
   dcsim sweep scenarios/kakao-2022.toml --set 'sites[pangyo].crews=2,4,8'
   dcsim sweep scenarios/kakao-2022.toml --set operations.restore_crews=2,4,8 --set operations.drilled=false,true -n 500`,
		Flags: []cli.Flag{
			flagReplications(), flagSeed(), flagWorkers(), flagOut("results/<scenario name>-sweep"), flagForce(), flagQuiet(),
			&cli.GenericFlag{Name: "set", Value: &setList{}, Usage: "sweep `KEY=V1,V2,…` (repeat to sweep a grid)"},
			&cli.StringFlag{Name: "metrics", Value: defaultSweepMetrics, Usage: "comma-separated `METRICS` to tabulate and plot"},
			&cli.BoolFlag{Name: "parquet", Usage: "also write replications.parquet"},
			&cli.BoolFlag{Name: "no-plots", Usage: "do not draw plots"},
		},
		Action: sweepAction,
	}
}

// sweepOptions are a sweep's result-affecting settings, kept in the
// manifest so an interrupted sweep can be resumed with the same grid.
type sweepOptions struct {
	sets    []string
	metrics []string
}

func (o sweepOptions) manifest() map[string]string {
	m := map[string]string{"metrics": strings.Join(o.metrics, ",")}
	for i, s := range o.sets {
		m["set."+strconv.Itoa(i)] = s
	}
	return m
}

// sweepOptionsFromManifest reads what manifest stored.
func sweepOptionsFromManifest(m map[string]string) sweepOptions {
	o := sweepOptions{metrics: strings.Split(m["metrics"], ",")}
	for i := 0; ; i++ {
		s, ok := m["set."+strconv.Itoa(i)]
		if !ok {
			break
		}
		o.sets = append(o.sets, s)
	}
	return o
}

func sweepAction(c *cli.Context) error {
	if c.NArg() != 1 {
		return badInputf("sweep needs exactly one SCENARIO.toml argument (got %d); see dcsim sweep --help", c.NArg())
	}
	sets := *c.Generic("set").(*setList)
	if len(sets) == 0 {
		return badInputf("sweep needs at least one --set KEY=V1,V2,… (e.g. --set 'sites[pangyo].crews=2,4,8')")
	}
	spec, err := specFromFlags(c, c.Args().First())
	if err != nil {
		return err
	}
	if !c.IsSet("out") {
		spec.out = filepath.Join("results", spec.sc.Name+"-sweep")
	}
	var metrics []string
	for _, m := range strings.Split(c.String("metrics"), ",") {
		if m = strings.TrimSpace(m); m != "" {
			metrics = append(metrics, m)
		}
	}
	if err := setupSweep(spec, sweepOptions{sets: sets, metrics: metrics}); err != nil {
		return err
	}
	return startFresh(c, spec)
}

// sweepMetric is one metric to tabulate: overall (service < 0), a
// service's, or a service group's (group: service is the group's index).
type sweepMetric struct {
	name    string
	service int
	metric  string
	group   bool
}

func parseSweepMetrics(names []string, services, groups []string) ([]sweepMetric, error) {
	if len(names) == 0 {
		return nil, fmt.Errorf("--metrics names no metric")
	}
	var out []sweepMetric
	for _, n := range names {
		if slices.Contains(results.OverallMetrics, n) {
			out = append(out, sweepMetric{name: n, service: -1, metric: n})
			continue
		}
		svc, m, ok := strings.Cut(n, ".")
		if g := slices.Index(groups, svc); ok && g >= 0 && slices.Contains(results.GroupMetrics, m) {
			out = append(out, sweepMetric{name: n, service: g, metric: m, group: true})
			continue
		}
		s := slices.Index(services, svc)
		if !ok || s < 0 || !slices.Contains(results.ServiceMetrics, m) {
			return nil, fmt.Errorf("--metrics: %q is neither a whole-fleet metric (%s) nor SERVICE.METRIC with a service of the scenario and one of %s, nor GROUP.METRIC with a service group and one of %s",
				n, strings.Join(results.OverallMetrics, ", "), strings.Join(results.ServiceMetrics, ", "), strings.Join(results.GroupMetrics, ", "))
		}
		out = append(out, sweepMetric{name: n, service: s, metric: m})
	}
	return out, nil
}

// setupSweep fills spec's models, one per grid point.
func setupSweep(spec *runSpec, o sweepOptions) error {
	var axes []model.SweepAxis
	for _, s := range o.sets {
		ax, err := model.ParseSweepAxis(s)
		if err != nil {
			return badInputf("--set %v", err)
		}
		axes = append(axes, ax)
	}
	pts, err := spec.sc.Sweep(axes)
	if err != nil {
		return badInputf("%s: %v", spec.scenarioPath, err)
	}
	var groups []string
	for _, g := range spec.sc.Groups {
		groups = append(groups, g.Name)
	}
	metrics, err := parseSweepMetrics(o.metrics, serviceNames(spec.sc), groups)
	if err != nil {
		return badInput(err)
	}
	spec.command = "sweep"
	spec.options = o.manifest()
	spec.models, spec.variants = nil, nil
	for _, p := range pts {
		spec.models = append(spec.models, model.Compile(p.Scenario))
		spec.variants = append(spec.variants, p.Label)
	}
	var table *sweepTable
	spec.beforeFinish = func(dir string, col *results.Collector) error {
		table = tabulateSweep(axes, pts, metrics, col)
		if err := table.write(dir); err != nil {
			return err
		}
		if spec.plots {
			return table.plot(dir)
		}
		return nil
	}
	spec.show = func(c *cli.Context, _ *results.Collector) error {
		return table.print(c.App.Writer)
	}
	return nil
}

// sweepCell is one metric at one point.
type sweepCell struct {
	Metric string       `json:"metric"`
	Stat   results.Stat `json:"stat"`
	// DiffFromFirst is the paired difference from the first point (the
	// same replications).
	DiffFromFirst sweepDiff `json:"diff_from_first"`
}

// sweepDiff is a sim.Diff that writes non-finite numbers as null.
type sweepDiff struct {
	Mean risk.Number    `json:"mean"`
	CI95 [2]risk.Number `json:"ci95"`
	N    int            `json:"n"`
}

type sweepPoint struct {
	Label   string            `json:"label"`
	Values  map[string]string `json:"values"` // key → value as written
	Metrics []sweepCell       `json:"metrics"`
}

type sweepAxisJSON struct {
	Key    string   `json:"key"`
	Values []string `json:"values"`
}

type sweepTable struct {
	Scenario     string          `json:"scenario"`
	Replications int             `json:"replications"`
	Axes         []sweepAxisJSON `json:"axes"`
	Points       []sweepPoint    `json:"points"`
	axes         []model.SweepAxis
}

func tabulateSweep(axes []model.SweepAxis, pts []model.SweepPoint, metrics []sweepMetric, col *results.Collector) *sweepTable {
	t := &sweepTable{Scenario: col.Scenario(), Replications: col.Len(), axes: axes}
	for _, ax := range axes {
		t.Axes = append(t.Axes, sweepAxisJSON{Key: ax.Key, Values: ax.Texts})
	}
	values := func(v int, m sweepMetric) []float64 {
		if m.service < 0 {
			return col.OverallValues(v, m.metric)
		}
		if m.group {
			return col.GroupValues(v, m.service, m.metric)
		}
		return col.Values(v, m.service, m.metric)
	}
	for v, p := range pts {
		sp := sweepPoint{Label: p.Label, Values: map[string]string{}}
		for a, ax := range axes {
			sp.Values[ax.Key] = p.Texts[a]
		}
		for _, m := range metrics {
			xs := values(v, m)
			d := sim.PairedDiff(xs, values(0, m))
			sp.Metrics = append(sp.Metrics, sweepCell{
				Metric: m.name, Stat: results.Stat(sim.Summarize(xs)),
				DiffFromFirst: sweepDiff{Mean: risk.Number(d.Mean), CI95: [2]risk.Number{risk.Number(d.CI95[0]), risk.Number(d.CI95[1])}, N: d.N},
			})
		}
		t.Points = append(t.Points, sp)
	}
	return t
}

// write writes sweep.json and the tidy sweep.csv into dir.
func (t *sweepTable) write(dir string) error {
	b, err := json.MarshalIndent(t, "", "  ")
	if err != nil {
		return err
	}
	if err := results.WriteFileAtomic(filepath.Join(dir, "sweep.json"), append(b, '\n')); err != nil {
		return err
	}
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	head := []string{"point"}
	for _, ax := range t.axes {
		head = append(head, ax.Key)
	}
	head = append(head, "metric", "mean", "ci95_lo", "ci95_hi", "p50", "p90", "n", "diff_from_first", "diff_ci95_lo", "diff_ci95_hi")
	w.Write(head)
	f := func(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }
	for i, p := range t.Points {
		for _, c := range p.Metrics {
			rec := []string{strconv.Itoa(i)}
			for _, ax := range t.axes {
				rec = append(rec, p.Values[ax.Key])
			}
			rec = append(rec, c.Metric, f(c.Stat.Mean), f(c.Stat.CI95[0]), f(c.Stat.CI95[1]), f(c.Stat.P50), f(c.Stat.P90),
				strconv.Itoa(c.Stat.N), f(float64(c.DiffFromFirst.Mean)), f(float64(c.DiffFromFirst.CI95[0])), f(float64(c.DiffFromFirst.CI95[1])))
			w.Write(rec)
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return err
	}
	return results.WriteFileAtomic(filepath.Join(dir, "sweep.csv"), buf.Bytes())
}

// plot draws each metric against the first swept key, one line per
// combination of the other keys.
func (t *sweepTable) plot(dir string) error {
	first := t.axes[0]
	x := make([]float64, len(first.Texts))
	numeric := true
	for i, s := range first.Texts {
		v, ok := model.SweepNumber(s)
		numeric = numeric && ok
		x[i] = v
	}
	var labels []string
	if !numeric {
		labels = first.Texts
		for i := range x {
			x[i] = float64(i)
		}
	}
	// Points are ordered with the first axis slowest: point i·rest + j is
	// the first axis's value i with combination j of the others.
	rest := len(t.Points) / len(first.Texts)
	for m := range t.Points[0].Metrics {
		name := t.Points[0].Metrics[m].Metric
		var series []risk.SweepSeries
		for j := range rest {
			s := risk.SweepSeries{}
			if len(t.axes) > 1 {
				var parts []string
				for _, ax := range t.axes[1:] {
					parts = append(parts, ax.Key+"="+t.Points[j].Values[ax.Key])
				}
				s.Name = strings.Join(parts, ", ")
			}
			for i := range first.Texts {
				st := t.Points[i*rest+j].Metrics[m].Stat
				s.Y = append(s.Y, risk.Estimate{Mean: st.Mean, CI95: risk.Interval(st.CI95), N: st.N})
			}
			series = append(series, s)
		}
		p, err := risk.SweepChart(fmt.Sprintf("%s: %s (mean, 95%% CI, %d replications)", t.Scenario, name, t.Replications), first.Key, name, x, labels, series)
		if err != nil {
			return err
		}
		base := filepath.Join(dir, "sweep-"+strings.ReplaceAll(name, "/", "_"))
		for _, ext := range []string{".png", ".svg"} {
			if err := risk.Save(p, base+ext, 7*vg.Inch, 4.5*vg.Inch); err != nil {
				return err
			}
		}
	}
	return nil
}

// print writes the table for people: one line per point, the mean and
// 95% CI of each metric.
func (t *sweepTable) print(w io.Writer) error {
	if t == nil {
		return nil
	}
	fmt.Fprintf(w, "%s · sweep of %d points · %d replications each (common random numbers)\n", t.Scenario, len(t.Points), t.Replications)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	head := []string{"point"}
	for _, c := range t.Points[0].Metrics {
		head = append(head, c.Metric+", mean [95% CI]")
	}
	fmt.Fprintln(tw, strings.Join(head, "\t"))
	for _, p := range t.Points {
		row := []string{p.Label}
		for _, c := range p.Metrics {
			row = append(row, fmt.Sprintf("%s [%s, %s]", fmtSweep(c.Stat.Mean), fmtSweep(c.Stat.CI95[0]), fmtSweep(c.Stat.CI95[1])))
		}
		fmt.Fprintln(tw, strings.Join(row, "\t"))
	}
	return tw.Flush()
}

func fmtSweep(x float64) string {
	if x != 0 && (x >= 1e6 || x <= -1e6 || (x < 1e-3 && x > -1e-3)) {
		return strconv.FormatFloat(x, 'g', 4, 64)
	}
	return strconv.FormatFloat(x, 'f', 2, 64)
}

package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/dcsim/dcsim/model"
	"github.com/dcsim/dcsim/model/report"
	"github.com/dcsim/dcsim/model/results"
)

func traceCommand() *cli.Command {
	return &cli.Command{
		Name:      "trace",
		Usage:     "show what happens in one replication: event log, timeline text and plot",
		ArgsUsage: "SCENARIO.toml",
		Description: `Replays replication K exactly as "dcsim run" simulated it (same seed, same
random streams) and writes, into the output directory:
   trace.jsonl     one JSON object per event: {"t_h", "kind", "subject", "detail"}
                   and per change of serving: {"t_h", "serving": {service: fraction}}
   trace.txt       the same as a readable timeline
   outcome.json    the replication's metrics (equal to replication K's rows of the tables)
   timeline.png/.svg  serving fraction per service over time, with markers
The text timeline is also printed on stdout.

Examples:
   dcsim trace scenarios/kakao-2022.toml --index 3
   dcsim trace scenarios/kakao-2022.toml -k 3 --portfolio control-plane-2nd-site
   dcsim trace scenarios/kakao-2022.toml -k 3 --portfolio control-plane-2nd-site+site-drills

--replication and --option are the old names of --index and --portfolio;
they still work.`,
		Flags: []cli.Flag{
			&cli.IntFlag{Name: "index", Aliases: []string{"k"}, Usage: "replication index `K`, 0-based (the replication column of the results tables)", DefaultText: "replication 0"},
			flagSeed(), flagOut("results/<scenario name>-trace-<K>"), flagQuiet(), flagForce(),
			&cli.StringFlag{Name: "portfolio", Usage: "apply the scenario's investments `A[,B]` together first (as compare's option A+B)", DefaultText: "none, the baseline"},
			&cli.StringFlag{Name: "incident", Usage: "trace catalogue incident `NAME` from [[incidents]]", DefaultText: "the scenario's [incident]"},
			hiddenIntAlias("replication"), hiddenStringAlias("option"),
		},
		Action: traceAction,
	}
}

func traceAction(c *cli.Context) error {
	if c.NArg() != 1 {
		return badInputf("trace needs exactly one SCENARIO.toml argument (got %d)", c.NArg())
	}
	sc, err := loadScenario(c.Args().First())
	if err != nil {
		return err
	}
	k, kname, err := renamedInt(c, "index", "replication")
	if err != nil {
		return err
	}
	if k < 0 {
		return badInputf("--%s must be ≥ 0, got %d", kname, k)
	}
	portfolio, err := renamedString(c, "portfolio", "option")
	if err != nil {
		return err
	}
	seed := sc.Seed
	if c.IsSet("seed") {
		seed = c.Uint64("seed")
	}
	variant := "baseline"
	if portfolio != "" {
		names := strings.FieldsFunc(portfolio, func(r rune) bool { return r == ',' || r == '+' })
		if sc, err = sc.Variant(names); err != nil {
			return badInput(err)
		}
		variant = model.PortfolioName(names)
	}
	if name := c.String("incident"); name != "" {
		found := false
		for i, in := range sc.Incidents {
			if in.Name == name {
				sc, found = sc.WithIncident(i), true
			}
		}
		if !found {
			return badInputf("--incident %q is not in the scenario's catalogue", name)
		}
	}
	out := c.String("out")
	if out == "" {
		out = filepath.Join("results", fmt.Sprintf("%s-trace-%d", sc.Name, k))
	}
	if err := prepareTraceDir(out, c.Bool("force")); err != nil {
		return badInput(err)
	}
	tl := traceReplication(sc, seed, k)
	if err := tl.writeFiles(out, sc, variant, seed, k); err != nil {
		return err
	}
	if !c.Bool("quiet") {
		tl.writeText(c.App.Writer, sc, variant, seed, k)
		fmt.Fprintf(c.App.Writer, "\ntrace in %s\n", out)
	}
	return nil
}

// prepareTraceDir makes out ready for a trace's files before any work: it
// may be new, empty or an earlier trace (it holds trace.jsonl); anything
// else is refused unless force. A trace is not a results directory: each
// of its files is replaced atomically on its own.
func prepareTraceDir(out string, force bool) error {
	entries, err := os.ReadDir(out)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if err := os.MkdirAll(out, 0o755); err != nil {
			return fmt.Errorf("trace output %s: %w", out, err)
		}
		return nil
	case err != nil:
		return fmt.Errorf("trace output %s: %w", out, err)
	}
	if len(entries) == 0 || force {
		return nil
	}
	if _, err := os.Stat(filepath.Join(out, "trace.jsonl")); err == nil {
		return nil
	}
	return fmt.Errorf("trace output %s exists and does not hold a dcsim trace; choose another --out or pass --force", out)
}

// traceLog records one replication's events and serving fractions.
type traceLog struct {
	events  []traceEvent
	samples []traceSample
	outcome results.Outcome
}

type traceEvent struct {
	T       float64 `json:"t_h"`
	Kind    string  `json:"kind"`
	Subject string  `json:"subject"`
	Detail  string  `json:"detail"`
}

type traceSample struct {
	T       float64
	Serving []float64
}

func (t *traceLog) Event(at float64, kind, subject, detail string) {
	t.events = append(t.events, traceEvent{T: at, Kind: kind, Subject: subject, Detail: detail})
}

func (t *traceLog) Serving(at float64, f []float64) {
	t.samples = append(t.samples, traceSample{T: at, Serving: append([]float64(nil), f...)})
}

// traceReplication simulates replication k of sc with a tracer. The tracer
// draws no random numbers, so the outcome equals the untraced one.
func traceReplication(sc *model.Scenario, seed uint64, k int) *traceLog {
	tl := &traceLog{}
	r := model.NewReplication(model.Compile(sc))
	r.SetTracer(tl)
	r.Run(seed, k, &tl.outcome)
	return tl
}

func (t *traceLog) writeFiles(dir string, sc *model.Scenario, variant string, seed uint64, k int) error {
	err := results.WriteAtomic(filepath.Join(dir, "trace.jsonl"), func(w io.Writer) error {
		bw := bufio.NewWriter(w)
		enc := json.NewEncoder(bw)
		ei, si := 0, 0
		for ei < len(t.events) || si < len(t.samples) {
			if si >= len(t.samples) || ei < len(t.events) && t.events[ei].T <= t.samples[si].T {
				if err := enc.Encode(t.events[ei]); err != nil {
					return err
				}
				ei++
				continue
			}
			s := t.samples[si]
			m := map[string]float64{}
			for i, svc := range sc.Services {
				m[svc.Name] = s.Serving[i]
			}
			if err := enc.Encode(struct {
				T       float64            `json:"t_h"`
				Serving map[string]float64 `json:"serving"`
			}{s.T, m}); err != nil {
				return err
			}
			si++
		}
		return bw.Flush()
	})
	if err != nil {
		return err
	}
	if err := results.WriteAtomic(filepath.Join(dir, "trace.txt"), func(w io.Writer) error {
		return t.writeText(w, sc, variant, seed, k)
	}); err != nil {
		return err
	}
	if err := results.WriteFileAtomic(filepath.Join(dir, "outcome.json"), t.outcomeJSON(sc, variant, seed, k)); err != nil {
		return err
	}
	title := fmt.Sprintf("%s · %s · replication %d: serving fraction", sc.Name, variant, k)
	for _, ext := range []string{".png", ".svg"} {
		if err := t.plot(filepath.Join(dir, "timeline"+ext), title, sc); err != nil {
			return err
		}
	}
	return nil
}

func (t *traceLog) outcomeJSON(sc *model.Scenario, variant string, seed uint64, k int) []byte {
	o := t.outcome
	svc := map[string]map[string]float64{}
	for i, s := range sc.Services {
		v := o.Services[i].Values()
		m := map[string]float64{}
		for j, name := range results.ServiceMetrics {
			m[name] = v[j]
		}
		svc[s.Name] = m
	}
	overall := map[string]float64{}
	ov := o.OverallValues()
	for j, name := range results.OverallMetrics {
		overall[name] = ov[j]
	}
	b, _ := json.MarshalIndent(map[string]any{
		"scenario": sc.Name, "variant": variant, "seed": seed, "replication": k,
		"services": svc, "overall": overall,
	}, "", "  ")
	return append(b, '\n')
}

func (t *traceLog) writeText(w io.Writer, sc *model.Scenario, variant string, seed uint64, k int) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "%s · %s · seed %d · replication %d\n", sc.Name, variant, seed, k)
	if !sc.Incident.RandomStart {
		fmt.Fprintf(bw, "t = 0 is %s\n", sc.Incident.Start.Format("Mon 2 Jan 2006 15:04 MST"))
	}
	for _, e := range t.events {
		if e.Kind == "booted" || e.Kind == "failure" {
			continue // many and small; all are in trace.jsonl
		}
		fmt.Fprintf(bw, "%9s  %-18s %-16s %s\n", fmtHours(e.T), e.Kind, e.Subject, e.Detail)
	}
	fmt.Fprintf(bw, "\n%-16s %12s %10s %16s\n", "service", "recovered h", "outage h", "user-hours lost")
	for i, s := range sc.Services {
		so := t.outcome.Services[i]
		fmt.Fprintf(bw, "%-16s %12.2f %10.2f %16s\n", s.Name, so.TimeToRecoverH, so.OutageH, report.FormatNumber(so.UserHoursLost))
	}
	fmt.Fprintf(bw, "%-16s %12.2f\n", "all services", t.outcome.AllServicesRecoveredH)
	return bw.Flush()
}

func fmtHours(h float64) string {
	return strconv.FormatFloat(h, 'f', 2, 64) + "h"
}

// markerKinds are the events drawn as markers on the timeline.
var markerKinds = map[string]string{
	"ignition": "ignition", "power-cut": "power cut", "extinguished": "fire out",
	"inspected": "inspected", "utility-lost": "utility lost", "utility-restored": "utility back",
	"cooling-lost": "cooling lost", "cooling-restored": "cooling back", "partition": "partition",
	"partition-healed": "partition healed",
}

// plot draws the serving fraction of each service as steps, with markers.
func (t *traceLog) plot(path, title string, sc *model.Scenario) error {
	series, markers, end := t.stepSeries(sc)
	return report.Timeline(path, title, series, markers, end)
}

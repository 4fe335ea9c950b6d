package pipeline

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"strconv"

	"github.com/dcsim/dcsim/model"
	"github.com/dcsim/dcsim/model/report"
	"github.com/dcsim/dcsim/model/results"
)

// Trace records one replication's events and serving fractions.
type Trace struct {
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

func (t *Trace) Event(at float64, kind, subject, detail string) {
	t.events = append(t.events, traceEvent{T: at, Kind: kind, Subject: subject, Detail: detail})
}

func (t *Trace) Serving(at float64, f []float64) {
	t.samples = append(t.samples, traceSample{T: at, Serving: append([]float64(nil), f...)})
}

// TraceReplication simulates replication k of sc with a tracer. The tracer
// draws no random numbers, so the outcome equals the untraced one.
func TraceReplication(sc *model.Scenario, seed uint64, k int) *Trace {
	tl := &Trace{}
	r := model.NewReplication(model.Compile(sc))
	r.SetTracer(tl)
	r.Run(seed, k, &tl.outcome)
	return tl
}

// WriteFiles writes what dcsim trace writes into dir: trace.jsonl,
// trace.txt, outcome.json and timeline.png/.svg, each atomically.
func (t *Trace) WriteFiles(dir string, sc *model.Scenario, variant string, seed uint64, k int) error {
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
		return t.WriteText(w, sc, variant, seed, k)
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

func (t *Trace) outcomeJSON(sc *model.Scenario, variant string, seed uint64, k int) []byte {
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

// WriteText writes the trace as a readable timeline and the
// replication's per-service outcome.
func (t *Trace) WriteText(w io.Writer, sc *model.Scenario, variant string, seed uint64, k int) error {
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
func (t *Trace) plot(path, title string, sc *model.Scenario) error {
	series, markers, end := t.stepSeries(sc)
	return report.Timeline(path, title, series, markers, end)
}

package results

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"slices"

	"github.com/dcsim/dcsim/sim"
)

// Stat is sim.Stat (the mean with its 95% confidence interval, the p10,
// p50, p90 and p99 quantiles, and n) with a JSON encoding that is always
// valid JSON: a number that is NaN or ±Inf — such as the interval of a
// sample containing ±Inf — is written as null, and null reads back as NaN.
// When n = 0 every number is null (sim.Summarize reports a mean of 0 for
// no data, which would read as a measured zero). Convert with
// Stat(sim.Summarize(xs)) and sim.Stat(s).
type Stat sim.Stat

// MarshalJSON writes {"mean", "ci95": [lo, hi], "p10", "p50", "p90",
// "p99", "n"} with null for non-finite numbers, and for all of them when
// n = 0.
func (s Stat) MarshalJSON() ([]byte, error) {
	s = s.defined()
	b := make([]byte, 0, 160)
	b = append(b, `{"mean":`...)
	b = appendNumber(b, s.Mean)
	b = append(b, `,"ci95":[`...)
	b = appendNumber(b, s.CI95[0])
	b = append(b, ',')
	b = appendNumber(b, s.CI95[1])
	b = append(b, `],"p10":`...)
	b = appendNumber(b, s.P10)
	b = append(b, `,"p50":`...)
	b = appendNumber(b, s.P50)
	b = append(b, `,"p90":`...)
	b = appendNumber(b, s.P90)
	b = append(b, `,"p99":`...)
	b = appendNumber(b, s.P99)
	b = append(b, `,"n":`...)
	b = fmt.Appendf(b, "%d}", s.N)
	return b, nil
}

// defined returns s, or all NaN when s summarises no values.
func (s Stat) defined() Stat {
	if s.N != 0 {
		return s
	}
	nan := math.NaN()
	return Stat{Mean: nan, CI95: [2]float64{nan, nan}, P10: nan, P50: nan, P90: nan, P99: nan}
}

// UnmarshalJSON reads what MarshalJSON writes; null becomes NaN.
func (s *Stat) UnmarshalJSON(data []byte) error {
	var raw struct {
		Mean, P10, P50, P90, P99 *float64
		CI95                     []*float64
		N                        int
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return err
	}
	if len(raw.CI95) != 2 {
		return fmt.Errorf("ci95 has %d elements, want 2", len(raw.CI95))
	}
	*s = Stat{
		Mean: orNaN(raw.Mean), CI95: [2]float64{orNaN(raw.CI95[0]), orNaN(raw.CI95[1])},
		P10: orNaN(raw.P10), P50: orNaN(raw.P50), P90: orNaN(raw.P90), P99: orNaN(raw.P99), N: raw.N,
	}
	return nil
}

func orNaN(p *float64) float64 {
	if p == nil {
		return math.NaN()
	}
	return *p
}

// appendNumber appends x as encoding/json formats a float64 (shortest
// representation that reads back to the same bits), or null when x is NaN
// or infinite.
func appendNumber(b []byte, x float64) []byte {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return append(b, "null"...)
	}
	j, _ := json.Marshal(x) // cannot fail for a finite float
	return append(b, j...)
}

// Metrics maps metric names to their Stat. Its JSON lists the metrics of
// ServiceMetrics and OverallMetrics in that order, then any others sorted
// by name, so the bytes written are the same for the same data.
type Metrics map[string]Stat

// get returns the named Stat, all NaN if it is missing or has n = 0.
func (m Metrics) get(name string) Stat { return m[name].defined() }

// MarshalJSON writes m as a JSON object in the order described on Metrics.
func (m Metrics) MarshalJSON() ([]byte, error) {
	b := []byte{'{'}
	for i, k := range metricOrder(m) {
		if i > 0 {
			b = append(b, ',')
		}
		kj, _ := json.Marshal(k)
		b = append(b, kj...)
		b = append(b, ':')
		sj, _ := m[k].MarshalJSON()
		b = append(b, sj...)
	}
	return append(b, '}'), nil
}

func metricOrder(m Metrics) []string {
	keys := make([]string, 0, len(m))
	known := make(map[string]bool, nService+nOverall)
	for _, k := range slices.Concat(ServiceMetrics, OverallMetrics, GroupMetrics) {
		if _, ok := m[k]; ok && !known[k] {
			keys = append(keys, k)
		}
		known[k] = true
	}
	var rest []string
	for k := range m {
		if !known[k] {
			rest = append(rest, k)
		}
	}
	slices.Sort(rest)
	return append(keys, rest...)
}

// ServiceSummary is one service's metrics.
type ServiceSummary struct {
	Name    string
	Metrics Metrics
}

// VariantSummary is one variant's summary. Its JSON form is
//
//	{"name": NAME, "option": OPTION, "incident": INCIDENT,
//	 "services": {SERVICE: {METRIC: STAT}}, "overall": {METRIC: STAT},
//	 "groups": {GROUP: {"members": [SERVICE…], "metrics": {METRIC: STAT}}}}
//
// with the services in Services order (scenario order), which reading
// preserves; "groups" is there only when the scenario has service groups
// (GroupMetrics). Option and Incident are the variant's option and incident
// columns in the tables (Collector.VariantKey).
type VariantSummary struct {
	Name     string
	Option   string
	Incident string
	Services []ServiceSummary // in scenario order
	Overall  Metrics
	Groups   []GroupSummary // service groups, in scenario order; nil if none
}

// Service returns the metrics of the named service, or nil.
func (v *VariantSummary) Service(name string) Metrics {
	for _, s := range v.Services {
		if s.Name == name {
			return s.Metrics
		}
	}
	return nil
}

// MarshalJSON writes v in the form described on VariantSummary.
func (v VariantSummary) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteString(`{"name":`)
	nj, _ := json.Marshal(v.Name)
	b.Write(nj)
	b.WriteString(`,"option":`)
	oj, _ := json.Marshal(v.Option)
	b.Write(oj)
	b.WriteString(`,"incident":`)
	ij, _ := json.Marshal(v.Incident)
	b.Write(ij)
	b.WriteString(`,"services":{`)
	for i, s := range v.Services {
		if i > 0 {
			b.WriteByte(',')
		}
		kj, _ := json.Marshal(s.Name)
		b.Write(kj)
		b.WriteByte(':')
		mj, _ := s.Metrics.MarshalJSON()
		b.Write(mj)
	}
	b.WriteString(`},"overall":`)
	mj, _ := v.Overall.MarshalJSON()
	b.Write(mj)
	appendGroupsJSON(&b, v.Groups)
	b.WriteByte('}')
	return b.Bytes(), nil
}

// UnmarshalJSON reads the form MarshalJSON writes, keeping the order of
// the services object.
func (v *VariantSummary) UnmarshalJSON(data []byte) error {
	var raw struct {
		Name     string          `json:"name"`
		Option   string          `json:"option"`
		Incident string          `json:"incident"`
		Services json.RawMessage `json:"services"`
		Overall  Metrics         `json:"overall"`
		Groups   json.RawMessage `json:"groups"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return err
	}
	*v = VariantSummary{Name: raw.Name, Option: raw.Option, Incident: raw.Incident, Overall: raw.Overall}
	gs, err := readGroupsJSON(raw.Name, raw.Groups)
	if err != nil {
		return err
	}
	v.Groups = gs
	if len(raw.Services) == 0 || string(raw.Services) == "null" {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw.Services))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return fmt.Errorf("variant %q: services is not an object", raw.Name)
	}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return err
		}
		name := t.(string) // object keys are always strings
		if v.Service(name) != nil {
			return fmt.Errorf("variant %q: service %q listed twice", raw.Name, name)
		}
		var m Metrics
		if err := dec.Decode(&m); err != nil {
			return fmt.Errorf("variant %q service %q: %w", raw.Name, name, err)
		}
		if m == nil {
			m = Metrics{}
		}
		v.Services = append(v.Services, ServiceSummary{Name: name, Metrics: m})
	}
	return nil
}

// Summary is the content of summary.json.
type Summary struct {
	Scenario string           `json:"scenario"`
	Variants []VariantSummary `json:"variants"`
}

// Variant returns the summary of the named variant, or nil.
func (s *Summary) Variant(name string) *VariantSummary {
	for i := range s.Variants {
		if s.Variants[i].Name == name {
			return &s.Variants[i]
		}
	}
	return nil
}

// encodeJSON returns v as indented JSON ending in a newline: the form of
// every JSON file this package writes.
func encodeJSON(v any) ([]byte, error) {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// WriteSummary writes s to path atomically, as indented JSON.
func WriteSummary(path string, s *Summary) error {
	b, err := encodeJSON(s)
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return WriteFileAtomic(path, b)
}

// ReadSummary reads a summary.json.
func ReadSummary(path string) (*Summary, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var s Summary
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &s, nil
}

package results

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/dcsim/dcsim/sim"
)

// OverallService is a name no scenario service may use: it is reserved
// for the whole fleet (the "overall" of summary.json; the whole-fleet
// rows of replications.csv before they moved to overall.csv).
const OverallService = "_overall"

// nService and nOverall are the lengths of ServiceMetrics and
// OverallMetrics; the assignments below fail to compile if the arrays
// Values and OverallValues return disagree.
const (
	nService = 6
	nOverall = 7
)

var (
	_ [nService]float64 = ServiceOutcome{}.Values()
	_ [nOverall]float64 = (&Outcome{}).OverallValues()
)

// Collector keeps the Outcome of every variant for a contiguous range of
// replications, in replication order, and derives the Summary, the
// per-metric value series and replications.csv from them.
//
// Storage is one float64 slice per (variant, service, metric) and per
// (variant, overall metric): 8 bytes per number, so 10,000 replications of
// 3 variants with 15 services hold 10,000 × 3 × (15×6 + 7) × 8 B ≈ 23 MB
// (up to twice that while slices grow).
//
// A Collector is not safe for concurrent use; sim.Run calls its reduce
// function from one goroutine, which is where Add belongs.
type Collector struct {
	scenario string
	variants []string
	services []string
	incident string // see SetIncident
	first    int
	n        int
	// cols[v][k] holds variant v's column k in replication order: k =
	// s*nService + m for service s's metric m, then len(services)*nService
	// + m for overall metric m.
	cols [][][]float64
}

// NewCollector returns an empty Collector for the named scenario whose
// replications start at index first (0 for a whole run, the shard's first
// index for a shard). variants and services are the names in the order
// Add receives outcomes and the files list them; they must be non-empty,
// distinct, and not OverallService.
func NewCollector(scenario string, variants, services []string, first int) (*Collector, error) {
	var errs []error
	if first < 0 {
		errs = append(errs, fmt.Errorf("first replication %d < 0", first))
	}
	if len(variants) == 0 {
		errs = append(errs, errors.New("no variants"))
	}
	if err := checkNames("variant", variants); err != nil {
		errs = append(errs, err)
	}
	if err := checkNames("service", services); err != nil {
		errs = append(errs, err)
	}
	if slices.Contains(services, OverallService) {
		errs = append(errs, fmt.Errorf("service name %q is reserved for whole-fleet rows", OverallService))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("results: %w", err)
	}
	c := &Collector{
		scenario: scenario,
		variants: slices.Clone(variants),
		services: slices.Clone(services),
		first:    first,
		cols:     make([][][]float64, len(variants)),
	}
	for v := range c.cols {
		c.cols[v] = make([][]float64, len(services)*nService+nOverall)
	}
	return c, nil
}

func checkNames(what string, names []string) error {
	seen := make(map[string]bool, len(names))
	for _, n := range names {
		switch {
		case n == "":
			return fmt.Errorf("empty %s name", what)
		case strings.TrimSpace(n) != n:
			return fmt.Errorf("%s name %q has leading or trailing space", what, n)
		case seen[n]:
			return fmt.Errorf("%s %q listed twice", what, n)
		}
		seen[n] = true
	}
	return nil
}

// Scenario returns the scenario name.
func (c *Collector) Scenario() string { return c.scenario }

// Variants returns the variant names in order. The caller must not modify
// the slice.
func (c *Collector) Variants() []string { return c.variants }

// Services returns the service names in scenario order. The caller must
// not modify the slice.
func (c *Collector) Services() []string { return c.services }

// First returns the index of the first replication the Collector holds (or
// will hold).
func (c *Collector) First() int { return c.first }

// Next returns the index of the replication Add expects next: First() +
// Len(). A resumed run continues from here.
func (c *Collector) Next() int { return c.first + c.n }

// Len returns the number of replications held.
func (c *Collector) Len() int { return c.n }

// Grow reserves room for n more replications, avoiding the slack of
// append's doubling when the count is known in advance.
func (c *Collector) Grow(n int) {
	for v := range c.cols {
		for k := range c.cols[v] {
			c.cols[v][k] = slices.Grow(c.cols[v][k], n)
		}
	}
}

// Add records replication rep: outs[v] is variant v's Outcome, with
// outs[v].Services in the Collector's service order. Replications must
// arrive in order, rep == Next(), which sim.Run's reduce guarantees.
//
// Add copies what it needs; the caller may reuse outs afterwards. Calling
// it out of order or with the wrong number of variants or services is a
// programmer error and panics.
func (c *Collector) Add(rep int, outs []Outcome) {
	if rep != c.Next() {
		panic(fmt.Sprintf("results: Add replication %d, want %d (replications must be added in order)", rep, c.Next()))
	}
	if len(outs) != len(c.variants) {
		panic(fmt.Sprintf("results: Add replication %d with %d outcomes for %d variants", rep, len(outs), len(c.variants)))
	}
	for v := range outs {
		if len(outs[v].Services) != len(c.services) {
			panic(fmt.Sprintf("results: Add replication %d variant %q with %d services, want %d",
				rep, c.variants[v], len(outs[v].Services), len(c.services)))
		}
	}
	for v := range outs {
		o := &outs[v]
		cols := c.cols[v]
		for s := range o.Services {
			vals := o.Services[s].Values()
			for m, x := range vals {
				k := s*nService + m
				cols[k] = append(cols[k], x)
			}
		}
		base := len(c.services) * nService
		for m, x := range o.OverallValues() {
			cols[base+m] = append(cols[base+m], x)
		}
	}
	c.n++
}

// Outcome returns the Outcome of variant v in replication rep, which must
// be held (First() ≤ rep < Next()).
func (c *Collector) Outcome(v, rep int) Outcome {
	i := rep - c.first
	if i < 0 || i >= c.n {
		panic(fmt.Sprintf("results: replication %d not held (have [%d, %d))", rep, c.first, c.Next()))
	}
	cols := c.cols[v]
	o := Outcome{Services: make([]ServiceOutcome, len(c.services))}
	var sv [nService]float64
	for s := range o.Services {
		for m := range sv {
			sv[m] = cols[s*nService+m][i]
		}
		o.Services[s] = serviceFromValues(sv)
	}
	var ov [nOverall]float64
	for m := range ov {
		ov[m] = cols[len(c.services)*nService+m][i]
	}
	o.setOverallValues(ov)
	return o
}

// Values returns variant v's values of service s's metric (a name in
// ServiceMetrics) in replication order, one per replication held. The
// slice is shared, not copied: the caller must not modify it (appending
// to it is safe). An unknown metric or an index out of range is a
// programmer error and panics.
func (c *Collector) Values(v, s int, metric string) []float64 {
	if s < 0 || s >= len(c.services) {
		panic(fmt.Sprintf("results: service index %d out of range [0, %d)", s, len(c.services)))
	}
	m := slices.Index(ServiceMetrics, metric)
	if m < 0 {
		panic(fmt.Sprintf("results: unknown service metric %q (want one of %s)", metric, strings.Join(ServiceMetrics, ", ")))
	}
	return slices.Clip(c.cols[v][s*nService+m])
}

// OverallValues returns variant v's values of the whole-fleet metric (a
// name in OverallMetrics) in replication order; see Values.
func (c *Collector) OverallValues(v int, metric string) []float64 {
	m := slices.Index(OverallMetrics, metric)
	if m < 0 {
		panic(fmt.Sprintf("results: unknown overall metric %q (want one of %s)", metric, strings.Join(OverallMetrics, ", ")))
	}
	return slices.Clip(c.cols[v][len(c.services)*nService+m])
}

// Summary returns the Stat of every metric of every variant, computed by
// sim.Summarize over the values in replication order.
func (c *Collector) Summary() *Summary {
	sum := &Summary{Scenario: c.scenario, Variants: make([]VariantSummary, len(c.variants))}
	for v, name := range c.variants {
		vs := VariantSummary{Name: name, Services: make([]ServiceSummary, len(c.services)), Overall: make(Metrics, nOverall)}
		vs.Option, vs.Incident = c.VariantKey(v)
		for s, svc := range c.services {
			ms := make(Metrics, nService)
			for m, metric := range ServiceMetrics {
				ms[metric] = Stat(sim.Summarize(c.cols[v][s*nService+m]))
			}
			vs.Services[s] = ServiceSummary{Name: svc, Metrics: ms}
		}
		for m, metric := range OverallMetrics {
			vs.Overall[metric] = Stat(sim.Summarize(c.cols[v][len(c.services)*nService+m]))
		}
		sum.Variants[v] = vs
	}
	return sum
}

// serviceFromValues is the inverse of ServiceOutcome.Values.
func serviceFromValues(x [nService]float64) ServiceOutcome {
	return ServiceOutcome{
		TimeToRecoverH: x[0], OutageH: x[1], UserHoursLost: x[2],
		RequestsLost: x[3], RevenueLost: x[4], DataLostS: x[5],
	}
}

// setOverallValues is the inverse of Outcome.OverallValues.
func (o *Outcome) setOverallValues(x [nOverall]float64) {
	o.AllServicesRecoveredH, o.UserHoursLost, o.RequestsLost = x[0], x[1], x[2]
	o.RevenueLost, o.DataLostS, o.HardwareCost, o.Loss = x[3], x[4], x[5], x[6]
}

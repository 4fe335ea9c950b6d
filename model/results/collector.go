package results

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

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
	nService = 10
	nOverall = 9
)

var (
	_ [nService]float64 = ServiceOutcome{}.Values()
	_ [nOverall]float64 = (&Outcome{}).OverallValues()
)

// Collector keeps the Outcome of every variant for a contiguous range of
// replications, in replication order, and derives the Summary, the
// per-metric value series and replications.csv from them.
//
// Storage is one float64 per (replication, variant, service, metric) and
// per (replication, variant, overall metric): 8 bytes per number, 10,000
// replications of 3 variants with 15 services are 10,000 × 3 × (15×6 + 7)
// × 8 B ≈ 23 MB. Memory stays bounded at any replication count: the
// newest replications are held in memory in a chunk of at most
// SpillChunkBytes (and at least 64 replications); each full chunk is
// appended to a spill file — unlinked at creation, so it never outlives
// the process — and read back column by column where a whole column is
// needed (Values, Summary) or chunk by chunk (the CSV and Parquet rows).
// Nothing is approximated: every quantile is the exact order statistic.
//
// A Collector is not safe for concurrent use by writers; sim.Run calls
// its reduce function from one goroutine, which is where Add belongs.
// Readers (Values, Summary, WriteCSV…) may run concurrently with each
// other once Add is no longer called.
type Collector struct {
	scenario string
	variants []string
	services []string
	incident string  // see SetIncident
	groups   []Group // see SetGroups
	groupIdx [][]int // per group, its members' service indices
	first    int
	n        int
	width    int // columns per variant: len(services)*nService + nOverall
	// cols[v][k] holds variant v's column k for the replications not
	// spilled, [first+spilled, first+n): k = s*nService + m for service
	// s's metric m, then len(services)*nService + m for overall metric m.
	cols [][][]float64

	chunk    int      // replications per spilled chunk
	spilled  int      // replications in the spill file: whole chunks
	spill    *os.File // nil until the first chunk is spilled
	spillDir string   // where the spill file goes ("" = os.TempDir())
	spillErr error    // set if spilling failed; the Collector then keeps everything in memory
}

// SpillChunkBytes bounds the replications a Collector holds in memory:
// its chunk of newest replications is at most this big (unless 64
// replications are bigger).
const SpillChunkBytes = 16 << 20

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
		width:    len(services)*nService + nOverall,
		cols:     make([][][]float64, len(variants)),
	}
	for v := range c.cols {
		c.cols[v] = make([][]float64, c.width)
	}
	c.chunk = min(max(SpillChunkBytes/(8*len(variants)*c.width), 64), 1<<20)
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

// Grow reserves room for n more replications (at most a chunk), avoiding
// the slack of append's doubling when the count is known in advance.
func (c *Collector) Grow(n int) {
	n = min(n, c.chunk-(c.n-c.spilled))
	for v := range c.cols {
		for k := range c.cols[v] {
			c.cols[v][k] = slices.Grow(c.cols[v][k], n)
		}
	}
}

// SpillTo sets the directory of the spill file (default os.TempDir(),
// which may be memory-backed: a results directory is a better place).
// Call it before the first Add.
func (c *Collector) SpillTo(dir string) { c.spillDir = dir }

// Close releases the spill file. The Collector must not be used after.
func (c *Collector) Close() error {
	if c.spill == nil {
		return nil
	}
	err := c.spill.Close()
	c.spill = nil
	return err
}

// spillChunk appends the in-memory chunk, which holds exactly c.chunk
// replications, to the spill file: variant by variant, column by column,
// c.chunk little-endian float64s each. If the file cannot be written the
// Collector keeps everything in memory from then on.
func (c *Collector) spillChunk() {
	if c.spill == nil {
		f, err := os.CreateTemp(c.spillDir, ".dcsim-spill-*")
		if err != nil {
			c.spillErr, c.chunk = err, math.MaxInt
			return
		}
		os.Remove(f.Name()) // unlinked: gone with the process, whatever happens
		c.spill = f
	}
	// Column by column through a small buffer: no copy of the chunk.
	buf := make([]byte, 0, 8*c.chunk)
	off := c.chunkOffset(c.spilled / c.chunk)
	for v := range c.cols {
		for k := range c.cols[v] {
			buf = buf[:0]
			for _, x := range c.cols[v][k] {
				buf = binary.LittleEndian.AppendUint64(buf, math.Float64bits(x))
			}
			if _, err := c.spill.WriteAt(buf, off); err != nil {
				c.spillErr, c.chunk = err, math.MaxInt
				return
			}
			off += int64(len(buf))
		}
	}
	c.spilled += c.chunk
	for v := range c.cols {
		for k := range c.cols[v] {
			c.cols[v][k] = c.cols[v][k][:0]
		}
	}
}

// chunkOffset is where spilled chunk i starts in the spill file.
func (c *Collector) chunkOffset(i int) int64 {
	return int64(i) * int64(c.chunk) * int64(len(c.variants)) * int64(c.width) * 8
}

// readChunk reads spilled chunk i into dst (shaped like c.cols, with
// room for a chunk) and returns it.
func (c *Collector) readChunk(i int, dst [][][]float64) [][][]float64 {
	if dst == nil {
		dst = make([][][]float64, len(c.variants))
		for v := range dst {
			dst[v] = make([][]float64, c.width)
			for k := range dst[v] {
				dst[v][k] = make([]float64, c.chunk)
			}
		}
	}
	// Column by column through a small buffer: no copy of the chunk.
	buf := make([]byte, 8*c.chunk)
	off := c.chunkOffset(i)
	for v := range dst {
		for k := range dst[v] {
			if _, err := c.spill.ReadAt(buf, off); err != nil {
				panic(fmt.Sprintf("results: reading back spilled replications: %v", err))
			}
			off += int64(len(buf))
			col := dst[v][k]
			for r := range col {
				col[r] = math.Float64frombits(binary.LittleEndian.Uint64(buf[8*r:]))
			}
		}
	}
	return dst
}

// column returns variant v's column k over every replication held, in a
// new slice.
func (c *Collector) column(v, k int) []float64 { return c.columnInto(nil, v, k) }

// columnInto is column appending to dst[:0], whose memory it reuses.
func (c *Collector) columnInto(dst []float64, v, k int) []float64 {
	out := slices.Grow(dst[:0], c.n)
	if c.spilled > 0 {
		buf := make([]byte, 8*c.chunk)
		for i := range c.spilled / c.chunk {
			off := c.chunkOffset(i) + int64(v*c.width+k)*int64(c.chunk)*8
			if _, err := c.spill.ReadAt(buf, off); err != nil {
				panic(fmt.Sprintf("results: reading back spilled replications: %v", err))
			}
			for r := 0; r < len(buf); r += 8 {
				out = append(out, math.Float64frombits(binary.LittleEndian.Uint64(buf[r:])))
			}
		}
	}
	return append(out, c.cols[v][k]...)
}

// rows gives the columns holding replication index i (relative to
// first), reading spilled chunks back one at a time.
type rows struct {
	c      *Collector
	loaded int
	buf    [][][]float64
}

func (c *Collector) rows() *rows { return &rows{c: c, loaded: -1} }

// at returns the columns holding replication i (0-based from First) and
// i's index in them.
func (r *rows) at(i int) ([][][]float64, int) {
	c := r.c
	if i >= c.spilled {
		return c.cols, i - c.spilled
	}
	ci := i / c.chunk
	if ci != r.loaded {
		r.buf = c.readChunk(ci, r.buf)
		r.loaded = ci
	}
	return r.buf, i - ci*c.chunk
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
	if c.n-c.spilled == c.chunk {
		c.spillChunk()
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
	all, i := c.rows().at(i)
	cols := all[v]
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
// ServiceMetrics) in replication order, one per replication held, in a
// new slice the caller owns (read back from the spill file as needed). An
// unknown metric or an index out of range is a programmer error and
// panics.
func (c *Collector) Values(v, s int, metric string) []float64 {
	if s < 0 || s >= len(c.services) {
		panic(fmt.Sprintf("results: service index %d out of range [0, %d)", s, len(c.services)))
	}
	m := slices.Index(ServiceMetrics, metric)
	if m < 0 {
		panic(fmt.Sprintf("results: unknown service metric %q (want one of %s)", metric, strings.Join(ServiceMetrics, ", ")))
	}
	return c.column(v, s*nService+m)
}

// OverallValues returns variant v's values of the whole-fleet metric (a
// name in OverallMetrics) in replication order; see Values.
func (c *Collector) OverallValues(v int, metric string) []float64 {
	m := slices.Index(OverallMetrics, metric)
	if m < 0 {
		panic(fmt.Sprintf("results: unknown overall metric %q (want one of %s)", metric, strings.Join(OverallMetrics, ", ")))
	}
	return c.column(v, len(c.services)*nService+m)
}

// Summary returns the Stat of every metric of every variant, computed by
// sim.Summarize over the values in replication order, one column in
// memory at a time.
func (c *Collector) Summary() *Summary {
	s, _ := c.summary(context.Background())
	return s
}

// summaryWorkers bounds the goroutines that summarise columns at once:
// each holds a column three times over (24 MB at a million replications),
// reused from one column to the next.
const summaryWorkers = 4

// summary is Summary that stops between columns, with ctx's error, once
// ctx is cancelled: a column of a million replications takes about a
// tenth of a second. The columns are summarised on up to summaryWorkers
// goroutines, each column's Stat the same whichever computes it.
func (c *Collector) summary(ctx context.Context) (*Summary, error) {
	stats := make([]sim.Stat, len(c.variants)*c.width)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), summaryWorkers, len(stats)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var srt sim.Sorter
			var col []float64
			for ctx.Err() == nil {
				i := int(next.Add(1)) - 1
				if i >= len(stats) {
					return
				}
				col = c.columnInto(col, i/c.width, i%c.width)
				stats[i] = srt.Summarize(col)
			}
		}()
	}
	wg.Wait()
	sum := &Summary{Scenario: c.scenario, Variants: make([]VariantSummary, len(c.variants))}
	for v, name := range c.variants {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		col := stats[v*c.width : (v+1)*c.width]
		vs := VariantSummary{Name: name, Services: make([]ServiceSummary, len(c.services)), Overall: make(Metrics, nOverall)}
		vs.Option, vs.Incident = c.VariantKey(v)
		for s, svc := range c.services {
			ms := make(Metrics, nService)
			for m, metric := range ServiceMetrics {
				ms[metric] = Stat(col[s*nService+m])
			}
			vs.Services[s] = ServiceSummary{Name: svc, Metrics: ms}
		}
		for m, metric := range OverallMetrics {
			vs.Overall[metric] = Stat(col[len(c.services)*nService+m])
		}
		vs.Groups = c.groupSummaries(v)
		sum.Variants[v] = vs
	}
	return sum, nil
}

// serviceFromValues is the inverse of ServiceOutcome.Values.
func serviceFromValues(x [nService]float64) ServiceOutcome {
	return ServiceOutcome{
		TimeToRecoverH: x[0], OutageH: x[1], UserHoursLost: x[2],
		RequestsLost: x[3], RevenueLost: x[4], DataLostS: x[5],
		DataRestoredTB: x[6], DataRestoreH: x[7], DataLostTB: x[8], DataLostForGood: x[9],
	}
}

// setOverallValues is the inverse of Outcome.OverallValues.
func (o *Outcome) setOverallValues(x [nOverall]float64) {
	o.AllServicesRecoveredH, o.UserHoursLost, o.RequestsLost = x[0], x[1], x[2]
	o.RevenueLost, o.DataLostS, o.HardwareCost, o.Loss = x[3], x[4], x[5], x[6]
	o.DataRestoredTB, o.DataLostTB = x[7], x[8]
}

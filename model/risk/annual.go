package risk

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
)

// Method is how the driver samples years.
type Method int

// The sampling methods.
const (
	// Auto chooses one of the others by the rule documented on Plan.
	Auto Method = iota
	// Naive draws every incident type's count from its Poisson law.
	Naive
	// Conditional stratifies on N_R, the number of rare incidents in the
	// year (conditional Monte Carlo): stratum n holds the years with
	// N_R = n, probability e^{-Λ_R} Λ_R^n / n!, and the last stratum the
	// years with N_R ≥ n_max. Quiet years are then sampled only as often
	// as their variance needs.
	Conditional
	// Importance inflates the frequencies of rare incident types and
	// weights each year by its likelihood ratio.
	Importance
)

var methodNames = [...]string{"auto", "naive", "conditional", "importance"}

func (m Method) String() string {
	if m >= 0 && int(m) < len(methodNames) {
		return methodNames[m]
	}
	return fmt.Sprintf("Method(%d)", int(m))
}

// ParseMethod reads a method name: auto, naive, conditional or importance.
func ParseMethod(s string) (Method, error) {
	for k, n := range methodNames {
		if strings.EqualFold(s, n) {
			return Method(k), nil
		}
	}
	return Auto, fmt.Errorf("unknown sampling method %q (one of %s)", s, strings.Join(methodNames[:], ", "))
}

// Incident is one type in the catalogue: a name and a Poisson frequency.
type Incident struct {
	Name    string
	PerYear float64 // λ, incidents per year, ≥ 0
}

// Variant is the baseline or an option: its frequency of each incident
// type, in the order of Config.Incidents (an option may reduce some).
type Variant struct {
	Name    string
	PerYear []float64
}

// Arrival is one incident in a simulated year.
type Arrival struct {
	Incident int     // index into Config.Incidents
	At       float64 // hours since the start of the year, in [0, 8760)
}

// YearInput is what the simulator receives for one year: the run seed, the
// replication index (which, with the seed, must fix every random number the
// simulator draws, so that all variants see the same background failures)
// and the year's arrivals in time order.
type YearInput struct {
	Seed, Rep uint64
	Arrivals  []Arrival
}

// YearOutcome is what the simulator returns for one year. The driver sizes
// and zeroes it before each call.
type YearOutcome struct {
	// EventLoss[j] is the loss attributed to Arrivals[j]. How the loss of
	// overlapping incidents is split is the simulator's choice; the sum is
	// what counts towards the annual loss, the largest towards the OEP.
	EventLoss []float64
	// OtherLoss is loss in the year not attributed to any arrival
	// (background failures).
	OtherLoss float64
	// Downtime[s] is the hours service s was down in the year.
	Downtime []float64
}

// Simulate simulates variant v of one year. Calls for different years run
// concurrently, at most one at a time per worker (0 ≤ worker <
// Config.Workers), so a simulator may keep per-worker state.
type Simulate func(worker, variant int, in *YearInput, out *YearOutcome) error

// Config describes an annual run.
type Config struct {
	Incidents []Incident
	// Variants to evaluate on the same sampled years (common random
	// numbers); nil means one variant, "baseline", at the Incidents'
	// frequencies.
	Variants []Variant
	Services []string
	Years    int    // simulated years (replications), ≥ 2
	Seed     uint64 //
	Method   Method
	// RareBelow is the frequency (per year) under which an incident type
	// counts as rare; 0 means 1/yr.
	RareBelow float64
	Workers   int // 0 means GOMAXPROCS
	// Prior holds the tables an interrupted Run returned for this same
	// configuration; Run continues after their years (see Run).
	Prior []*YLT
}

// Design is the sampling plan of a run.
type Design struct {
	Method Method
	// Rates are the frequencies years are sampled at, λ_Q per type: the
	// largest over variants, inflated for Importance.
	Rates []float64
	Rare  []bool // types counted in N_R (Conditional) or inflated (Importance)
	// Strata are π_h for Conditional: P(N_R = h) for h < len-1 and
	// P(N_R ≥ len-1) for the last; nil otherwise.
	Strata []float64
	// Pilot is the rows per stratum sampled before allocation.
	Pilot int
}

// maxPilot is the most pilot rows per stratum of a conditional design; it
// is reached from 4·maxPilot·H years, beyond which the design's first years
// do not depend on the number of years.
const maxPilot = 50

// maxStrata bounds the strata of a conditional design.
const maxStrata = 40

// stratumTail is the probability below which the conditional design
// lumps the remaining counts N_R ≥ n_max into one stratum.
const stratumTail = 1e-6

// Plan chooses the sampling design; Conditional and Importance fall back
// to Naive when no type is rare. The sampling rates are, per type, the
// largest frequency over the variants, so every variant is absolutely
// continuous with respect to the sampling law. A type is rare when that
// rate is below RareBelow (default 1/yr). With Auto:
//
//   - no rare type: Naive;
//   - the rare types' rates within a factor 10 of each other: Conditional,
//     since stratifying on their count removes the variance of how many
//     occur, and with similar rates each is well represented in every
//     stratum;
//   - otherwise Importance, which lifts each rare type separately to
//     λ'_k = max(λ_k, 1/|R|) (|R| rare types), so the rarest are seen about
//     as often as the others and a typical sampled year holds about one
//     rare incident. For one type, λ' = 1 minimises the second moment
//     (λ/λ')·e^{λ'-λ} of the weight of single-incident years.
func Plan(cfg *Config) (*Design, error) {
	if err := cfg.check(); err != nil {
		return nil, err
	}
	variants := cfg.variants()
	K := len(cfg.Incidents)
	d := &Design{Method: cfg.Method, Rates: make([]float64, K), Rare: make([]bool, K)}
	for _, v := range variants {
		for k, x := range v.PerYear {
			d.Rates[k] = max(d.Rates[k], x)
		}
	}
	rareBelow := cfg.RareBelow
	if rareBelow == 0 {
		rareBelow = 1
	}
	var nRare int
	lo, hi := math.Inf(1), 0.0
	for k, x := range d.Rates {
		if x > 0 && x < rareBelow {
			d.Rare[k] = true
			nRare++
			lo, hi = min(lo, x), max(hi, x)
		}
	}
	if d.Method == Auto {
		switch {
		case nRare == 0:
			d.Method = Naive
		case hi <= 10*lo:
			d.Method = Conditional
		default:
			d.Method = Importance
		}
	}
	if nRare == 0 {
		// Nothing is rare: conditioning or inflating has nothing to act on.
		d.Method = Naive
	}
	switch d.Method {
	case Naive:
		clear(d.Rare)
	case Importance:
		for k := range d.Rates {
			if d.Rare[k] {
				d.Rates[k] = max(d.Rates[k], 1/float64(nRare))
			}
		}
	case Conditional:
		lam := 0.0
		for k, x := range d.Rates {
			if d.Rare[k] {
				lam += x
			}
		}
		// Strata 0..nmax-1 and the tail N_R ≥ nmax.
		pmf := math.Exp(-lam)
		cdf := 0.0
		for n := 0; ; n++ {
			if n > 0 {
				pmf *= lam / float64(n)
			}
			if (1-cdf <= stratumTail && n >= 1) || n == maxStrata-1 {
				d.Strata = append(d.Strata, max(1-cdf, 0))
				break
			}
			d.Strata = append(d.Strata, pmf)
			cdf += pmf
		}
		H := len(d.Strata)
		if cfg.Years < 4*H {
			return nil, fmt.Errorf("conditional sampling needs at least %d simulated years (4 per stratum, %d strata); ask for more years or another method", 4*H, H)
		}
		d.Pilot = min(max(2, cfg.Years/(4*H)), maxPilot)
	}
	return d, nil
}

func (cfg *Config) variants() []Variant {
	if cfg.Variants != nil {
		return cfg.Variants
	}
	v := Variant{Name: "baseline", PerYear: make([]float64, len(cfg.Incidents))}
	for k, in := range cfg.Incidents {
		v.PerYear[k] = in.PerYear
	}
	return []Variant{v}
}

// maxRate bounds a frequency: more than this per year is not a catalogue
// incident, and it keeps the Poisson sampler's work bounded.
const maxRate = 1e4

func (cfg *Config) check() error {
	var errs []error
	if len(cfg.Incidents) == 0 {
		errs = append(errs, errors.New("no incident types"))
	}
	if cfg.Years < 2 {
		errs = append(errs, fmt.Errorf("years = %d; need at least 2", cfg.Years))
	}
	okRate := func(x float64) bool { return x >= 0 && x <= maxRate }
	for _, in := range cfg.Incidents {
		if !okRate(in.PerYear) {
			errs = append(errs, fmt.Errorf("incident %q: frequency %v/yr is outside [0, %g]", in.Name, in.PerYear, float64(maxRate)))
		}
	}
	for _, v := range cfg.Variants {
		if len(v.PerYear) != len(cfg.Incidents) {
			errs = append(errs, fmt.Errorf("variant %q has %d frequencies for %d incident types", v.Name, len(v.PerYear), len(cfg.Incidents)))
			continue
		}
		for k, x := range v.PerYear {
			if !okRate(x) {
				errs = append(errs, fmt.Errorf("variant %q: incident %q: frequency %v/yr is outside [0, %g]", v.Name, cfg.Incidents[k].Name, x, float64(maxRate)))
			}
		}
	}
	if len(cfg.Variants) == 0 && cfg.Variants != nil {
		errs = append(errs, errors.New("no variants"))
	}
	if cfg.RareBelow < 0 {
		errs = append(errs, fmt.Errorf("rare threshold %v/yr is negative", cfg.RareBelow))
	}
	if cfg.Method < Auto || cfg.Method > Importance {
		errs = append(errs, fmt.Errorf("unknown method %v", cfg.Method))
	}
	return errors.Join(errs...)
}

// Stream ids of the driver's random numbers, far from the small ids a
// simulator numbers its own streams with.
const (
	streamDesign   = 0x7269_736b_0000_0000 // "risk": stratum tail, rare type and time draws
	streamArrivals = streamDesign + 1      // + k: count and times of type k
)

// Run simulates cfg.Years years for every variant on the same sampled
// years and returns one year-loss table per variant, with the design.
// It stops at the first error of simulate.
//
// When ctx is done it stops claiming years and returns the tables cut to
// the finished prefix of years (every year before the first unfinished
// one) with an error that wraps ctx.Err(). Passing those tables as
// cfg.Prior to a later Run with the same configuration simulates only the
// remaining years, and the result is identical to an uninterrupted run:
// year i's random numbers depend only on (Seed, i), and a conditional
// design's allocation only on its pilot years.
func Run(ctx context.Context, cfg *Config, simulate Simulate) ([]*YLT, *Design, error) {
	d, err := Plan(cfg)
	if err != nil {
		return nil, nil, err
	}
	variants := cfg.variants()
	tabs := make([]*YLT, len(variants))
	for v, va := range variants {
		t := &YLT{Variant: va.Name, Method: d.Method, Services: cfg.Services, Strata: d.Strata}
		for _, in := range cfg.Incidents {
			t.Incidents = append(t.Incidents, in.Name)
		}
		n := cfg.Years
		t.Rep = make([]uint64, n)
		t.Stratum = make([]int32, n)
		t.Weight = make([]float64, n)
		t.Loss = make([]float64, n)
		t.MaxEvent = make([]float64, n)
		t.Events = make([]int32, n)
		t.Downtime = make([]float64, n*len(cfg.Services))
		t.ByIncident = make([]float64, n*len(cfg.Incidents))
		tabs[v] = t
	}
	start, err := copyPrior(cfg, tabs)
	if err != nil {
		return nil, nil, err
	}
	r := &runner{cfg: cfg, d: d, variants: variants, tabs: tabs, sim: simulate}
	stratum := make([]int32, cfg.Years)
	finish := func(done int, err error) ([]*YLT, *Design, error) {
		if err == nil {
			return tabs, d, nil
		}
		if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
			for _, t := range tabs {
				t.truncate(done)
			}
			return tabs, d, fmt.Errorf("interrupted after %d of %d years: %w", done, cfg.Years, err)
		}
		return nil, nil, err
	}
	if d.Method != Conditional {
		return finish(r.run(ctx, start, cfg.Years, stratum))
	}
	H := len(d.Strata)
	pilot := H * d.Pilot
	for i := range pilot {
		stratum[i] = int32(i % H)
	}
	if start < pilot {
		if done, err := r.run(ctx, start, pilot, stratum); err != nil {
			return finish(done, err)
		}
	}
	allocate(neymanShares(d.Strata, r.pilotSD(pilot, H)), stratum[pilot:])
	for i := range start {
		if tabs[0].Stratum[i] != stratum[i] {
			return nil, nil, fmt.Errorf("prior year %d is in stratum %d; this configuration puts it in %d: not the same run", i, tabs[0].Stratum[i], stratum[i])
		}
	}
	return finish(r.run(ctx, max(start, pilot), cfg.Years, stratum))
}

// copyPrior copies cfg.Prior's rows into tabs and returns how many years
// they hold.
func copyPrior(cfg *Config, tabs []*YLT) (int, error) {
	if cfg.Prior == nil {
		return 0, nil
	}
	if len(cfg.Prior) != len(tabs) {
		return 0, fmt.Errorf("prior results hold %d variants; this run has %d", len(cfg.Prior), len(tabs))
	}
	n := cfg.Prior[0].Len()
	for v, p := range cfg.Prior {
		t := tabs[v]
		switch {
		case p.Variant != t.Variant:
			return 0, fmt.Errorf("prior variant %d is %q; this run's is %q", v, p.Variant, t.Variant)
		case !slices.Equal(p.Services, t.Services) || !slices.Equal(p.Incidents, t.Incidents):
			return 0, fmt.Errorf("prior variant %q has other services or incidents than this run", p.Variant)
		case p.Len() != n:
			return 0, fmt.Errorf("prior variants hold %d and %d years", n, p.Len())
		case n > cfg.Years:
			return 0, fmt.Errorf("prior results hold %d years; this run has %d", n, cfg.Years)
		case len(p.Downtime) != n*len(p.Services) || len(p.ByIncident) != n*len(p.Incidents) || len(p.Weight) != n ||
			len(p.Rep) != n || len(p.Stratum) != n || len(p.MaxEvent) != n || len(p.Events) != n:
			return 0, fmt.Errorf("prior variant %q has columns of different lengths", p.Variant)
		}
		for i := range n {
			if p.Rep[i] != uint64(i) {
				return 0, fmt.Errorf("prior variant %q: row %d is year %d; want the years from 0 in order", p.Variant, i, p.Rep[i])
			}
		}
		copy(t.Rep, p.Rep)
		copy(t.Stratum, p.Stratum)
		copy(t.Weight, p.Weight)
		copy(t.Loss, p.Loss)
		copy(t.MaxEvent, p.MaxEvent)
		copy(t.Events, p.Events)
		copy(t.Downtime, p.Downtime)
		copy(t.ByIncident, p.ByIncident)
	}
	return n, nil
}

// truncate keeps the first n rows.
func (t *YLT) truncate(n int) {
	t.Rep, t.Stratum, t.Weight = t.Rep[:n], t.Stratum[:n], t.Weight[:n]
	t.Loss, t.MaxEvent, t.Events = t.Loss[:n], t.MaxEvent[:n], t.Events[:n]
	t.Downtime = t.Downtime[:n*len(t.Services)]
	t.ByIncident = t.ByIncident[:n*len(t.Incidents)]
}

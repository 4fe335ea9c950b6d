package risk

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/dcsim/dcsim/sim"
)

type runner struct {
	cfg      *Config
	d        *Design
	variants []Variant
	tabs     []*YLT
	sim      Simulate
}

// pilotSD returns, per stratum, the largest over variants of the standard
// deviation of w·L over the pilot rows.
func (r *runner) pilotSD(pilot, H int) []float64 {
	sd := make([]float64, H)
	for _, t := range r.tabs {
		m := make([]sim.Moments, H)
		for i := range pilot {
			m[t.Stratum[i]].Add(t.Weight[i] * t.Loss[i])
		}
		for h := range m {
			sd[h] = max(sd[h], math.Sqrt(m[h].Var()))
		}
	}
	return sd
}

// neymanShares returns the share of rows each stratum gets, in proportion
// to π_h σ_h (Neyman allocation, which minimises the variance of the
// stratified mean for a given total); when every σ_h is 0, in proportion
// to π_h.
func neymanShares(pi, sd []float64) []float64 {
	q := make([]float64, len(pi))
	sum := 0.0
	for h := range pi {
		q[h] = pi[h] * sd[h]
		sum += q[h]
	}
	if !(sum > 0) {
		copy(q, pi)
		sum = 0
		for _, x := range pi {
			sum += x
		}
	}
	for h := range q {
		q[h] /= sum
	}
	return q
}

// allocate assigns rows to strata one at a time, each to the stratum
// furthest below its share (q_h·(j+1) − c_h largest, the lowest h on
// ties). Every prefix of the assignment is then within one row per
// stratum of its shares, so a run of N years is the first N years of a
// longer run with the same pilot, and an interrupted run holds a balanced
// sample.
func allocate(q []float64, out []int32) {
	c := make([]float64, len(q))
	for j := range out {
		best, bestD := 0, math.Inf(-1)
		for h := range q {
			if d := q[h]*float64(j+1) - c[h]; d > bestD {
				best, bestD = h, d
			}
		}
		c[best]++
		out[j] = int32(best)
	}
}

// run simulates rows [from, to). It returns the end of the finished
// prefix: every row in [from, done) is complete.
func (r *runner) run(ctx context.Context, from, to int, stratum []int32) (done int, err error) {
	workers := r.cfg.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = max(1, min(workers, to-from))
	var next atomic.Int64
	next.Store(int64(from))
	finished := make([]bool, to-from)
	var mu sync.Mutex
	firstErr, errRep := error(nil), math.MaxInt
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			y := r.newYear()
			for {
				if ctx.Err() != nil {
					return
				}
				i := int(next.Add(1) - 1)
				if i >= to {
					return
				}
				if err := r.year(w, i, int(stratum[i]), y); err != nil {
					mu.Lock()
					if i < errRep {
						firstErr, errRep = err, i
					}
					mu.Unlock()
					next.Store(int64(to))
					return
				}
				finished[i-from] = true
			}
		}()
	}
	wg.Wait()
	done = from
	for done < to && finished[done-from] {
		done++
	}
	if firstErr != nil {
		return done, fmt.Errorf("year %d: %w", errRep, firstErr)
	}
	if done < to {
		return done, ctx.Err()
	}
	return done, nil
}

// yearState is one worker's reusable buffers.
type yearState struct {
	in     YearInput
	out    YearOutcome
	counts []int
	pcg    *rand.PCG
	rng    *rand.Rand
}

func (r *runner) newYear() *yearState {
	p := rand.NewPCG(0, 0)
	return &yearState{
		counts: make([]int, len(r.cfg.Incidents)),
		pcg:    p,
		rng:    rand.New(p),
		out:    YearOutcome{Downtime: make([]float64, len(r.cfg.Services))},
	}
}

// sample draws row i's arrivals (stratum h under Conditional) into y.in.
func (r *runner) sample(i, h int, y *yearState) {
	seed, rep := r.cfg.Seed, uint64(i)
	y.in = YearInput{Seed: seed, Rep: rep, Arrivals: y.in.Arrivals[:0]}
	clear(y.counts)
	d := r.d
	for k, lam := range d.Rates {
		if lam == 0 || d.Method == Conditional && d.Rare[k] {
			continue
		}
		y.pcg.Seed(sim.StreamSeed(seed, rep, streamArrivals+uint64(k)))
		n := poisson(y.rng, lam)
		y.counts[k] = n
		for range n {
			y.in.Arrivals = append(y.in.Arrivals, Arrival{Incident: k, At: y.rng.Float64() * HoursPerYear})
		}
	}
	if d.Method == Conditional {
		y.pcg.Seed(sim.StreamSeed(seed, rep, streamDesign))
		lamR := 0.0
		for k, lam := range d.Rates {
			if d.Rare[k] {
				lamR += lam
			}
		}
		n := h
		if h == len(d.Strata)-1 {
			n = poissonTail(y.rng, lamR, h)
		}
		for range n {
			// Type k with probability λ_k/Λ_R.
			u := y.rng.Float64() * lamR
			k := -1
			for j, lam := range d.Rates {
				if d.Rare[j] {
					k = j
					if u < lam {
						break
					}
					u -= lam
				}
			}
			y.counts[k]++
			y.in.Arrivals = append(y.in.Arrivals, Arrival{Incident: k, At: y.rng.Float64() * HoursPerYear})
		}
	}
	slices.SortStableFunc(y.in.Arrivals, func(a, b Arrival) int { return cmp.Compare(a.At, b.At) })
}

// logWeight returns the log likelihood ratio of the year's counts under
// variant rates λ_v against the sampling rates λ_Q, Poisson processes on
// one year with uniform times (the times cancel):
//
//	log w = Σ_k [ n_k log(λ_vk/λ_Qk) − (λ_vk − λ_Qk) ]
func logWeight(counts []int, lv, lq []float64) float64 {
	s := 0.0
	for k, q := range lq {
		if q == 0 {
			continue
		}
		v := lv[k]
		if counts[k] > 0 {
			if v == 0 {
				return math.Inf(-1)
			}
			s += float64(counts[k]) * math.Log(v/q)
		}
		s -= v - q
	}
	return s
}

// year simulates row i, stratum h, for every variant.
func (r *runner) year(worker, i, h int, y *yearState) error {
	r.sample(i, h, y)
	nS := len(r.cfg.Services)
	nK := len(r.cfg.Incidents)
	for v, va := range r.variants {
		y.out.EventLoss = slices.Grow(y.out.EventLoss[:0], len(y.in.Arrivals))[:len(y.in.Arrivals)]
		clear(y.out.EventLoss)
		clear(y.out.Downtime)
		y.out.OtherLoss = 0
		if err := r.sim(worker, v, &y.in, &y.out); err != nil {
			return fmt.Errorf("variant %s: %w", va.Name, err)
		}
		t := r.tabs[v]
		t.Rep[i] = uint64(i)
		t.Stratum[i] = int32(h)
		t.Weight[i] = math.Exp(logWeight(y.counts, va.PerYear, r.d.Rates))
		t.Events[i] = int32(len(y.in.Arrivals))
		loss, mx := y.out.OtherLoss, 0.0
		if !(loss >= 0) || math.IsInf(loss, 0) {
			return fmt.Errorf("variant %s: background loss %v", va.Name, loss)
		}
		by := t.ByIncident[i*nK : (i+1)*nK]
		for j, l := range y.out.EventLoss {
			if !(l >= 0) || math.IsInf(l, 0) {
				return fmt.Errorf("variant %s: incident %s at %.1fh: loss %v", va.Name, r.cfg.Incidents[y.in.Arrivals[j].Incident].Name, y.in.Arrivals[j].At, l)
			}
			loss += l
			mx = max(mx, l)
			by[y.in.Arrivals[j].Incident] += l
		}
		t.Loss[i] = loss
		t.MaxEvent[i] = mx
		copy(t.Downtime[i*nS:(i+1)*nS], y.out.Downtime)
	}
	return nil
}

// poisson draws a Poisson(λ) count by inversion, in pieces of at most 32
// so e^{-λ} never underflows and the search stays short.
func poisson(r *rand.Rand, lam float64) int {
	n := 0
	for lam > 32 {
		n += poissonInv(r, 32)
		lam -= 32
	}
	return n + poissonInv(r, lam)
}

func poissonInv(r *rand.Rand, lam float64) int {
	u := r.Float64()
	p := math.Exp(-lam)
	F := p
	k := 0
	for u > F && k < 1000 {
		k++
		p *= lam / float64(k)
		F += p
	}
	return k
}

// poissonTail draws N ~ Poisson(λ) conditioned on N ≥ m by inversion of
// the tail: with u uniform, the least n ≥ m with Σ_{j=m..n} p_j ≥ u·P(N ≥ m),
// the tail summed from its terms (not as 1 − F) so it stays accurate when
// P(N ≥ m) is tiny.
func poissonTail(r *rand.Rand, lam float64, m int) int {
	// Terms p_n/p_m upward until they no longer add; the common factor
	// p_m cancels in the inversion.
	terms := []float64{1}
	sum := 1.0
	t := 1.0
	for n := m + 1; n < m+10000; n++ {
		t *= lam / float64(n)
		if t < 1e-17*sum {
			break
		}
		terms = append(terms, t)
		sum += t
	}
	u := r.Float64() * sum
	for j, x := range terms {
		if u < x {
			return m + j
		}
		u -= x
	}
	return m + len(terms) - 1
}

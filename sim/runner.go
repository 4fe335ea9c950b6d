package sim

import (
	"context"
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"sync"
)

// Shard names slice Index of Count equal slices of a run's replications,
// written "i/n" with 0 ≤ i < n.
type Shard struct {
	Index, Count int
}

// String formats s as "i/n".
func (s Shard) String() string {
	if s.Count == 0 {
		return "0/1"
	}
	return fmt.Sprintf("%d/%d", s.Index, s.Count)
}

// ParseShard parses "i/n".
func ParseShard(s string) (Shard, error) {
	a, b, ok := strings.Cut(s, "/")
	if !ok {
		return Shard{}, fmt.Errorf("shard %q: want i/n, e.g. 0/4", s)
	}
	i, err1 := strconv.Atoi(strings.TrimSpace(a))
	n, err2 := strconv.Atoi(strings.TrimSpace(b))
	if err1 != nil || err2 != nil || n < 1 || i < 0 || i >= n {
		return Shard{}, fmt.Errorf("shard %q: want i/n with 0 ≤ i < n, e.g. 0/4", s)
	}
	return Shard{Index: i, Count: n}, nil
}

// Range returns the half-open range [lo, hi) of replication indices that
// shard s of a run of n replications covers. Shards are contiguous blocks,
// so concatenating shards 0..Count-1 gives 0..n-1 in order.
func (s Shard) Range(n int) (lo, hi int) {
	c := s.Count
	if c <= 0 {
		return 0, n
	}
	return s.Index * n / c, (s.Index + 1) * n / c
}

// RunConfig says which replications Run performs and how.
type RunConfig struct {
	Seed    uint64
	From    int // first replication index (inclusive)
	To      int // last replication index (exclusive)
	Workers int // goroutines; ≤ 0 means runtime.GOMAXPROCS(0)
	// Progress, if set, is called from the reducing goroutine after each
	// replication is reduced, with the number reduced so far and the total.
	Progress func(done, total int)
}

// RunResult says how far Run got.
type RunResult struct {
	// Next is the index of the first replication that was not reduced:
	// replications From..Next-1 were reduced, in order.
	Next int
	// Complete is true when every replication in [From, To) was reduced.
	Complete bool
}

// Run performs replications From..To-1 over Workers goroutines. Each
// replication k calls work(k, streams) with the random streams of (Seed, k)
// and a per-worker scratch value from newWorker; reduce(k, r) is then
// called with its result strictly in increasing k from one goroutine, so
// anything reduce computes is identical for every worker count.
//
// When ctx is cancelled Run stops handing out replications, waits for the
// ones under way (a replication is short, so this is prompt), reduces the
// contiguous prefix that finished and returns with Complete false. Results
// beyond the first gap are dropped: a resumed run redoes them.
//
// The number of results held waiting for their turn is bounded by a window
// of 64 per worker, so memory does not grow with the replication count.
func Run[W, R any](ctx context.Context, cfg RunConfig, newWorker func() W,
	work func(w W, rep int, s *Streams) R, reduce func(rep int, r R)) RunResult {
	n := cfg.To - cfg.From
	if n <= 0 {
		return RunResult{Next: cfg.From, Complete: true}
	}
	workers := cfg.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	if workers > n {
		workers = n
	}
	window := 64 * workers

	type done struct {
		rep int
		r   R
	}
	jobs := make(chan int)
	results := make(chan done, window)
	tokens := make(chan struct{}, window)
	for range window {
		tokens <- struct{}{}
	}

	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := newWorker()
			s := NewStreams(cfg.Seed, 0)
			for rep := range jobs {
				s.Reset(cfg.Seed, uint64(rep))
				results <- done{rep, work(w, rep, s)}
			}
		}()
	}
	// Feed replications in order while the window has room and ctx lives.
	go func() {
		defer close(jobs)
		for rep := cfg.From; rep < cfg.To; rep++ {
			select {
			case <-ctx.Done():
				return
			case <-tokens:
			}
			if ctx.Err() != nil {
				return
			}
			select {
			case <-ctx.Done():
				return
			case jobs <- rep:
			}
		}
	}()
	go func() {
		wg.Wait()
		close(results)
	}()

	pending := make(map[int]R, window)
	next := cfg.From
	for d := range results {
		pending[d.rep] = d.r
		for {
			r, ok := pending[next]
			if !ok {
				break
			}
			delete(pending, next)
			reduce(next, r)
			next++
			if cfg.Progress != nil {
				cfg.Progress(next-cfg.From, n)
			}
			select {
			case tokens <- struct{}{}:
			default:
			}
		}
	}
	return RunResult{Next: next, Complete: next == cfg.To}
}

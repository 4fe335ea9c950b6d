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
// called with its result strictly in increasing k and never concurrently
// (calls are serialised by a mutex, so reduce needs no locking of its own
// and sees everything earlier calls did), so anything reduce computes is
// identical for every worker count.
//
// There is no feeder or reducer goroutine: a worker takes the next index
// under the lock, and whichever worker completes the replication that is
// next in order reduces it and every finished one after it. Workers never
// wait for a hand-off, only for the window below.
//
// When ctx is cancelled Run stops handing out replications, waits for the
// ones under way (a replication is short, so this is prompt), reduces the
// contiguous prefix that finished and returns with Complete false. Results
// beyond the first gap are dropped: a resumed run redoes them.
//
// At most 64 replications per worker are handed out ahead of the oldest
// one not yet reduced, so memory does not grow with the replication count.
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

	var (
		mu      sync.Mutex
		cond    = sync.NewCond(&mu)
		handout = cfg.From // next replication to hand out
		next    = cfg.From // next replication to reduce
		ring    = make([]R, window)
		ready   = make([]bool, window)
		zero    R
	)
	stop := context.AfterFunc(ctx, func() {
		mu.Lock()
		cond.Broadcast()
		mu.Unlock()
	})
	defer stop()

	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := newWorker()
			s := NewStreams(cfg.Seed, 0)
			for {
				mu.Lock()
				for handout < cfg.To && handout >= next+window && ctx.Err() == nil {
					cond.Wait()
				}
				if handout >= cfg.To || ctx.Err() != nil {
					mu.Unlock()
					return
				}
				rep := handout
				handout++
				mu.Unlock()

				s.Reset(cfg.Seed, uint64(rep))
				r := work(w, rep, s)

				mu.Lock()
				ring[rep%window], ready[rep%window] = r, true
				advanced := false
				for ready[next%window] {
					k := next % window
					res := ring[k]
					ring[k], ready[k] = zero, false
					reduce(next, res)
					next++
					advanced = true
					if cfg.Progress != nil {
						cfg.Progress(next-cfg.From, n)
					}
				}
				if advanced {
					cond.Broadcast()
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return RunResult{Next: next, Complete: next == cfg.To}
}

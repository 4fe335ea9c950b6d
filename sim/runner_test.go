package sim_test

import (
	"context"
	"fmt"
	"math"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dcsim/dcsim/sim"
)

// Stream ids of the test replication.
const (
	streamFail = iota
	streamRepair
	streamSize
)

// repResult is what one test replication returns.
type repResult struct {
	Rep      int
	Down     float64 // hours with at least one unit down
	Events   uint64
	LastTime sim.Time
}

// flaky is a small fleet whose units fail and are repaired: a replication
// that uses several streams, reuses one Engine per worker, and does enough
// work that workers finish out of order.
type flaky struct {
	e         *sim.Engine
	s         *sim.Streams
	down      int
	downSince sim.Time
	total     float64
}

func newFlaky() *flaky {
	f := &flaky{}
	f.e = sim.NewEngine(f)
	return f
}

func (f *flaky) Handle(e *sim.Engine, ev sim.Event) {
	switch ev.Kind {
	case 0: // failure
		if f.down == 0 {
			f.downSince = ev.Time
		}
		f.down++
		e.After(sim.Time(f.s.Get(streamRepair).ExpFloat64()*5), 1, ev.A, 0)
	case 1: // repair
		f.down--
		if f.down == 0 {
			f.total += float64(ev.Time - f.downSince)
		}
		e.After(sim.Time(f.s.Get(streamFail).ExpFloat64()*100), 0, ev.A, 0)
	}
}

func (f *flaky) run(rep int, s *sim.Streams) repResult {
	f.e.Reset()
	f.s, f.down, f.total = s, 0, 0
	units := 1 + s.Get(streamSize).IntN(20)
	for u := range units {
		f.e.After(sim.Time(s.Get(streamFail).ExpFloat64()*100), 0, int32(u), 0)
	}
	f.e.RunUntil(2000)
	return repResult{Rep: rep, Down: f.total, Events: f.e.Fired(), LastTime: f.e.Now()}
}

func work(f *flaky, rep int, s *sim.Streams) repResult { return f.run(rep, s) }

// runFlaky runs replications [from, to) and returns the reduce calls in
// order.
func runFlaky(ctx context.Context, t *testing.T, seed uint64, from, to, workers int) ([]repResult, sim.RunResult) {
	t.Helper()
	var got []repResult
	res := sim.Run(ctx, sim.RunConfig{Seed: seed, From: from, To: to, Workers: workers}, newFlaky, work,
		func(rep int, r repResult) {
			if r.Rep != rep {
				t.Errorf("reduce(%d) got the result of replication %d", rep, r.Rep)
			}
			got = append(got, r)
		})
	return got, res
}

func downs(rs []repResult) []float64 {
	xs := make([]float64, len(rs))
	for i, r := range rs {
		xs[i] = r.Down
	}
	return xs
}

func checkRun(t *testing.T, what string, got []repResult, res sim.RunResult, from, to int) {
	t.Helper()
	if !res.Complete || res.Next != to || len(got) != to-from {
		t.Fatalf("%s: %+v with %d results, want complete run of [%d, %d)", what, res, len(got), from, to)
	}
	for i, r := range got {
		if r.Rep != from+i {
			t.Fatalf("%s: reduce call %d was replication %d", what, i, r.Rep)
		}
	}
}

// TestRunIsIndependentOfWorkers requires bit-identical reduced results,
// and summaries, for 1, 2 and 8 workers.
func TestRunIsIndependentOfWorkers(t *testing.T) {
	const n = 300
	ctx := context.Background()
	want, res := runFlaky(ctx, t, 5, 0, n, 1)
	checkRun(t, "1 worker", want, res, 0, n)
	wantStat := sim.Summarize(downs(want))
	for _, w := range []int{2, 8, 0} {
		got, res := runFlaky(ctx, t, 5, 0, n, w)
		checkRun(t, "workers", got, res, 0, n)
		if i := firstDiff(got, want); i >= 0 {
			t.Fatalf("workers=%d: replication %d differs: %+v, want %+v", w, i, got[i], want[i])
		}
		if s := sim.Summarize(downs(got)); s != wantStat {
			t.Fatalf("workers=%d: summary %+v, want %+v", w, s, wantStat)
		}
	}
	// The replications really differ from one another and from another seed.
	if want[0] == want[1] || want[0].Events == 0 {
		t.Errorf("suspicious results %+v %+v", want[0], want[1])
	}
	other, _ := runFlaky(ctx, t, 6, 0, 2, 1)
	if other[0] == want[0] {
		t.Error("seed does not change the results")
	}
}

// TestShardsConcatenateToWholeRun runs shards 0/3, 1/3 and 2/3 separately
// and requires their concatenation to equal the unsharded run.
func TestShardsConcatenateToWholeRun(t *testing.T) {
	const n = 200
	ctx := context.Background()
	want, _ := runFlaky(ctx, t, 11, 0, n, 2)
	var got []repResult
	for i := range 3 {
		sh, err := sim.ParseShard(strings.Repeat(" ", i) + string(rune('0'+i)) + "/3")
		if err != nil {
			t.Fatal(err)
		}
		lo, hi := sh.Range(n)
		part, res := runFlaky(ctx, t, 11, lo, hi, 1+i)
		checkRun(t, sh.String(), part, res, lo, hi)
		got = append(got, part...)
	}
	if i := firstDiff(got, want); i >= 0 {
		t.Fatalf("sharded run differs at replication %d", i)
	}
	if sim.Summarize(downs(got)) != sim.Summarize(downs(want)) {
		t.Fatal("sharded summary differs")
	}
}

func TestShardRangeCovers(t *testing.T) {
	for n := range 40 {
		for c := 1; c <= 9; c++ {
			next := 0
			for i := range c {
				lo, hi := sim.Shard{Index: i, Count: c}.Range(n)
				if lo != next || hi < lo {
					t.Fatalf("n=%d shard %d/%d: [%d, %d) after %d", n, i, c, lo, hi, next)
				}
				if hi-lo < n/c || hi-lo > n/c+1 {
					t.Fatalf("n=%d shard %d/%d: unbalanced size %d", n, i, c, hi-lo)
				}
				next = hi
			}
			if next != n {
				t.Fatalf("n=%d, %d shards end at %d", n, c, next)
			}
		}
	}
	if lo, hi := (sim.Shard{}).Range(17); lo != 0 || hi != 17 {
		t.Errorf("zero Shard covers [%d, %d), want all", lo, hi)
	}
}

func TestParseShard(t *testing.T) {
	good := map[string]sim.Shard{
		"0/1":    {0, 1},
		"2/3":    {2, 3},
		"0/4":    {0, 4},
		" 1 / 4": {1, 4},
		"99/100": {99, 100},
	}
	for in, want := range good {
		got, err := sim.ParseShard(in)
		if err != nil || got != want {
			t.Errorf("ParseShard(%q) = %v, %v; want %v", in, got, err, want)
		}
		if back, err := sim.ParseShard(got.String()); err != nil || back != got {
			t.Errorf("ParseShard(%q.String()) = %v, %v", in, back, err)
		}
	}
	for _, in := range []string{"", "1", "/", "3/3", "4/3", "-1/3", "0/0", "1/0", "0/-1", "a/b", "1/2/3", "1.0/2", "1/ "} {
		if got, err := sim.ParseShard(in); err == nil {
			t.Errorf("ParseShard(%q) = %v, want an error", in, got)
		} else if !strings.Contains(err.Error(), "i/n") {
			t.Errorf("ParseShard(%q) error %q does not say what is wanted", in, err)
		}
	}
	if s := (sim.Shard{}).String(); s != "0/1" {
		t.Errorf("zero Shard prints %q, want 0/1", s)
	}
}

// TestRunCancelAndResume cancels a long run from inside reduce and checks
// that Run returns promptly with the completed prefix, and that resuming
// from Next reproduces the uninterrupted run exactly.
func TestRunCancelAndResume(t *testing.T) {
	const n = 3000
	full, _ := runFlaky(context.Background(), t, 3, 0, n, 1)
	for _, workers := range []int{1, 2, 8} {
		ctx, cancel := context.WithCancel(context.Background())
		var got []repResult
		start := time.Now()
		res := sim.Run(ctx, sim.RunConfig{Seed: 3, From: 0, To: n, Workers: workers}, newFlaky, work,
			func(rep int, r repResult) {
				got = append(got, r)
				if rep == 100 {
					cancel()
				}
			})
		cancel()
		if el := time.Since(start); el > 5*time.Second {
			t.Errorf("workers=%d: cancelled Run took %v", workers, el)
		}
		if res.Complete || res.Next < 101 || res.Next >= n || res.Next != len(got) {
			t.Fatalf("workers=%d: cancelled Run returned %+v after %d reductions", workers, res, len(got))
		}
		if i := firstDiff(got, full[:res.Next]); i >= 0 {
			t.Fatalf("workers=%d: reduced prefix differs at %d", workers, i)
		}
		rest, res2 := runFlaky(context.Background(), t, 3, res.Next, n, workers)
		checkRun(t, "resumed", rest, res2, res.Next, n)
		if i := firstDiff(append(got, rest...), full); i >= 0 {
			t.Fatalf("workers=%d: cancelled and resumed run differs at replication %d", workers, i)
		}
	}
}

func TestRunAlreadyCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	got, res := runFlaky(ctx, t, 1, 10, 20, 2)
	if res.Complete || res.Next != 10 || len(got) != 0 {
		t.Errorf("Run with a cancelled context: %+v, %d results", res, len(got))
	}
}

func TestRunEmpty(t *testing.T) {
	for _, to := range []int{5, 4} {
		got, res := runFlaky(context.Background(), t, 1, 5, to, 2)
		if !res.Complete || res.Next != 5 || len(got) != 0 {
			t.Errorf("Run of [5, %d): %+v, %d results", to, res, len(got))
		}
	}
}

func TestRunProgress(t *testing.T) {
	var calls [][2]int
	var reduced int
	res := sim.Run(context.Background(), sim.RunConfig{Seed: 2, From: 7, To: 107, Workers: 3,
		Progress: func(done, total int) {
			if done != reduced {
				t.Errorf("Progress(%d) after %d reductions", done, reduced)
			}
			calls = append(calls, [2]int{done, total})
		}},
		newFlaky, work, func(int, repResult) { reduced++ })
	if !res.Complete || len(calls) != 100 {
		t.Fatalf("%+v with %d progress calls, want 100", res, len(calls))
	}
	for i, c := range calls {
		if c != [2]int{i + 1, 100} {
			t.Fatalf("progress call %d = %v, want [%d 100]", i, c, i+1)
		}
	}
}

// TestRunWorkerScratch checks that newWorker is called once per worker,
// not per replication, and never for more workers than replications.
func TestRunWorkerScratch(t *testing.T) {
	for _, c := range []struct{ reps, workers, want int }{{500, 4, 4}, {3, 8, 3}, {10, 1, 1}} {
		var made atomic.Int32
		sim.Run(context.Background(), sim.RunConfig{To: c.reps, Workers: c.workers},
			func() int { made.Add(1); return 0 },
			func(int, int, *sim.Streams) int { return 0 },
			func(int, int) {})
		if int(made.Load()) != c.want {
			t.Errorf("%d replications on %d workers: newWorker called %d times, want %d", c.reps, c.workers, made.Load(), c.want)
		}
	}
}

// Run reduces replications in order, so a summary is the same for any
// worker count.
func ExampleRun() {
	var xs []float64
	res := sim.Run(context.Background(), sim.RunConfig{Seed: 1, To: 1000, Workers: 4},
		func() struct{} { return struct{}{} },
		func(_ struct{}, rep int, s *sim.Streams) float64 {
			return s.Get(0).ExpFloat64() // one draw per replication
		},
		func(rep int, x float64) { xs = append(xs, x) })
	st := sim.Summarize(xs)
	fmt.Println(res.Complete, st.N, math.Round(st.Mean*100)/100)
	// Output:
	// true 1000 0.98
}

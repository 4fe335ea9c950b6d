package sim_test

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/dcsim/dcsim/sim"
)

// refEngine is a deliberately naive event queue, the "obviously correct"
// side of the property test: pending events live in a slice that is sorted
// by (time, sequence) before every step, and cancellation searches it by
// id. It implements the documented semantics of sim.Engine and nothing
// else.
type refEngine struct {
	now     sim.Time
	seq     uint64
	q       []refEvent
	stopped bool
	fired   uint64
	handle  func(ev refEvent)
}

type refEvent struct {
	at         sim.Time
	seq        uint64
	id         int // index of the schedule call in the test's handle list
	kind, a, b int32
}

func (r *refEngine) schedule(at sim.Time, kind, a, b int32, id int) {
	if !(at >= r.now) {
		panic("ref: schedule before now")
	}
	r.q = append(r.q, refEvent{at: at, seq: r.seq, id: id, kind: kind, a: a, b: b})
	r.seq++
}

func (r *refEngine) cancel(id int) bool {
	for i, ev := range r.q {
		if ev.id == id {
			r.q = slices.Delete(r.q, i, i+1)
			return true
		}
	}
	return false
}

func (r *refEngine) pending(id int) bool {
	return slices.ContainsFunc(r.q, func(ev refEvent) bool { return ev.id == id })
}

func (r *refEngine) sort() {
	slices.SortFunc(r.q, func(x, y refEvent) int {
		if c := cmp.Compare(x.at, y.at); c != 0 {
			return c
		}
		return cmp.Compare(x.seq, y.seq)
	})
}

func (r *refEngine) peek() sim.Time {
	if len(r.q) == 0 {
		return sim.Forever
	}
	r.sort()
	return r.q[0].at
}

func (r *refEngine) step() bool {
	if len(r.q) == 0 {
		return false
	}
	r.sort()
	ev := r.q[0]
	r.q = slices.Delete(r.q, 0, 1)
	r.now = ev.at
	r.fired++
	r.handle(ev)
	return true
}

func (r *refEngine) runUntil(t sim.Time) {
	for !r.stopped && len(r.q) > 0 && r.peek() <= t {
		r.step()
	}
	if !r.stopped && t > r.now && !math.IsInf(float64(t), 1) {
		r.now = t
	}
}

func (r *refEngine) reset() {
	r.now, r.seq, r.stopped, r.fired = 0, 0, false, 0
	r.q = r.q[:0]
}

// queue is what the property test drives: the real engine or the
// reference, behind one interface. Events are named by the index of the
// schedule call that created them; index -1 is the zero Handle.
type queue interface {
	now() sim.Time
	schedule(at sim.Time, kind, a, b int32) int
	cancel(k int) bool
	scheduled(k int) bool
	when(k int) (sim.Time, bool)
	step() bool
	runUntil(t sim.Time)
	run()
	stop()
	reset()
	pending() int
	peek() sim.Time
	fired() uint64
}

type realQueue struct {
	e  *sim.Engine
	hs []sim.Handle
}

func (q *realQueue) handle(k int) sim.Handle {
	if k < 0 {
		return sim.Handle{}
	}
	return q.hs[k]
}

func (q *realQueue) now() sim.Time { return q.e.Now() }
func (q *realQueue) schedule(at sim.Time, kind, a, b int32) int {
	q.hs = append(q.hs, q.e.Schedule(at, kind, a, b))
	return len(q.hs) - 1
}
func (q *realQueue) cancel(k int) bool           { return q.e.Cancel(q.handle(k)) }
func (q *realQueue) scheduled(k int) bool        { return q.e.Scheduled(q.handle(k)) }
func (q *realQueue) when(k int) (sim.Time, bool) { return q.e.When(q.handle(k)) }
func (q *realQueue) step() bool                  { return q.e.Step() }
func (q *realQueue) runUntil(t sim.Time)         { q.e.RunUntil(t) }
func (q *realQueue) run()                        { q.e.Run() }
func (q *realQueue) stop()                       { q.e.Stop() }
func (q *realQueue) reset()                      { q.e.Reset() }
func (q *realQueue) pending() int                { return q.e.Pending() }
func (q *realQueue) peek() sim.Time              { return q.e.Peek() }
func (q *realQueue) fired() uint64               { return q.e.Fired() }

type refQueue struct {
	r    refEngine
	next int
}

func (q *refQueue) now() sim.Time { return q.r.now }
func (q *refQueue) schedule(at sim.Time, kind, a, b int32) int {
	k := q.next
	q.next++
	q.r.schedule(at, kind, a, b, k)
	return k
}
func (q *refQueue) cancel(k int) bool    { return k >= 0 && q.r.cancel(k) }
func (q *refQueue) scheduled(k int) bool { return k >= 0 && q.r.pending(k) }
func (q *refQueue) when(k int) (sim.Time, bool) {
	for _, ev := range q.r.q {
		if k >= 0 && ev.id == k {
			return ev.at, true
		}
	}
	return 0, false
}
func (q *refQueue) step() bool          { return q.r.step() }
func (q *refQueue) runUntil(t sim.Time) { q.r.runUntil(t) }
func (q *refQueue) run() {
	for !q.r.stopped && q.r.step() {
	}
}
func (q *refQueue) stop()          { q.r.stopped = true }
func (q *refQueue) reset()         { q.r.reset() }
func (q *refQueue) pending() int   { return len(q.r.q) }
func (q *refQueue) peek() sim.Time { return q.r.peek() }
func (q *refQueue) fired() uint64  { return q.r.fired }

// rec is one line of a trace: an event dispatch or the result of an
// operation.
type rec struct {
	op      byte // 'E' event, 'C' cancel, 'S' scheduled, 'W' when, 'T' top-level state
	t       sim.Time
	kind    int32
	a, b    int32
	ok      bool
	n       int
	pending int
}

func (r rec) String() string {
	return fmt.Sprintf("%c t=%v kind=%d a=%d b=%d ok=%v n=%d pending=%d", r.op, r.t, r.kind, r.a, r.b, r.ok, r.n, r.pending)
}

// script drives one queue from its own generator. Two scripts with equal
// seeds make identical decisions as long as the queues behave identically,
// so the first difference in their traces is the first behavioural
// difference between the queues.
type script struct {
	q         queue
	r         *rand.Rand
	trace     []rec
	scheduled int // schedule calls so far (the next handle index)
	budget    int // schedule calls allowed in all
}

// randTime returns a time ≥ now that is often exactly now or exactly equal
// to other scheduled times: multiples of 1/4 on a small grid, with an
// occasional time off the grid.
func (s *script) randTime() sim.Time {
	now := s.q.now()
	switch s.r.IntN(8) {
	case 0, 1:
		return now
	case 2:
		return now + sim.Time(s.r.Float64()*3)
	default:
		// A grid point at or after now: ties with other grid events.
		g := math.Ceil(float64(now)*4) / 4
		return sim.Time(g + float64(s.r.IntN(12))/4)
	}
}

func (s *script) schedule() {
	if s.scheduled >= s.budget {
		return
	}
	at := s.randTime()
	kind := int32(s.r.IntN(5))
	b := int32(s.r.IntN(1000))
	k := s.q.schedule(at, kind, int32(s.scheduled), b)
	if k != s.scheduled {
		panic("handle index mismatch")
	}
	s.scheduled++
}

// randHandle picks any handle ever returned (pending, fired or cancelled,
// possibly from before a Reset) or the zero handle.
func (s *script) randHandle() int {
	if s.scheduled == 0 || s.r.IntN(20) == 0 {
		return -1
	}
	return s.r.IntN(s.scheduled)
}

func (s *script) poke() {
	for range s.r.IntN(3) {
		k := s.randHandle()
		ok := s.q.cancel(k)
		s.trace = append(s.trace, rec{op: 'C', n: k, ok: ok, pending: s.q.pending()})
	}
	if s.r.IntN(2) == 0 {
		k := s.randHandle()
		s.trace = append(s.trace, rec{op: 'S', n: k, ok: s.q.scheduled(k)})
		t, ok := s.q.when(k)
		s.trace = append(s.trace, rec{op: 'W', n: k, t: t, ok: ok})
	}
}

// handle is the event handler: it records the event, then schedules,
// cancels and queries at random, sometimes at exactly Now.
func (s *script) handle(t sim.Time, kind, a, b int32) {
	s.trace = append(s.trace, rec{op: 'E', t: t, kind: kind, a: a, b: b, pending: s.q.pending()})
	for range s.r.IntN(4) {
		s.schedule()
	}
	s.poke()
	if s.r.IntN(200) == 0 {
		s.q.stop()
	}
}

// top performs one top-level operation between dispatches.
func (s *script) top() {
	switch x := s.r.IntN(100); {
	case x < 60:
		s.q.step()
	case x < 70:
		for range s.r.IntN(5) {
			s.schedule()
		}
	case x < 80:
		s.poke()
	case x < 90:
		s.q.runUntil(s.q.now() + sim.Time(s.r.IntN(8))/4)
	case x < 92:
		s.q.runUntil(sim.Forever)
	case x < 94:
		s.q.run()
	case x < 95:
		s.q.reset()
	default:
		s.q.stop()
	}
	s.trace = append(s.trace, rec{op: 'T', t: s.q.now(), n: int(s.q.fired()), pending: s.q.pending()}, rec{op: 'T', t: s.q.peek()})
}

func newScripts(seed uint64, budget int) (real, ref *script) {
	rq := &realQueue{}
	real = &script{q: rq, r: rand.New(rand.NewPCG(seed, 1)), budget: budget}
	rq.e = sim.NewEngine(sim.HandlerFunc(func(_ *sim.Engine, ev sim.Event) {
		real.handle(ev.Time, ev.Kind, ev.A, ev.B)
	}))
	fq := &refQueue{}
	ref = &script{q: fq, r: rand.New(rand.NewPCG(seed, 1)), budget: budget}
	fq.r.handle = func(ev refEvent) { ref.handle(ev.at, ev.kind, ev.a, ev.b) }
	return real, ref
}

// TestEngineMatchesReference feeds sim.Engine and the naive refEngine
// identical random schedules, full of exact time ties, events scheduled
// from handlers (often at exactly Now), cancellations of pending, fired,
// cancelled, stale and zero handles, RunUntil, Run, Stop and Reset, and
// requires identical traces: every dispatched (time, kind, A, B), every
// Cancel, Scheduled and When result, and Now, Fired, Pending and Peek
// after every top-level operation.
func TestEngineMatchesReference(t *testing.T) {
	trials := 400
	if testing.Short() {
		trials = 50
	}
	for trial := range trials {
		seed := uint64(trial)
		real, ref := newScripts(seed, 50+trial%7*40)
		if trial%2 == 1 {
			// Cross the 32-bit sequence wrap mid-trial (see renumber).
			sim.SetSeq(real.q.(*realQueue).e, math.MaxUint32-uint32(trial%60))
		}
		for range 10 + trial%5*10 {
			real.schedule()
			ref.schedule()
		}
		for range 400 {
			real.top()
			ref.top()
		}
		real.q.run()
		ref.q.run()
		checkTraces(t, seed, real.trace, ref.trace)
		if t.Failed() {
			return
		}
	}
}

func checkTraces(t *testing.T, seed uint64, got, want []rec) {
	t.Helper()
	n := min(len(got), len(want))
	for i := range n {
		if got[i] != want[i] {
			lo := max(0, i-5)
			var b strings.Builder
			for j := lo; j <= i; j++ {
				fmt.Fprintf(&b, "\n  engine: %v\n  ref:    %v", got[j], want[j])
			}
			t.Fatalf("seed %d: traces differ at record %d:%s", seed, i, b.String())
		}
	}
	if len(got) != len(want) {
		t.Fatalf("seed %d: trace lengths %d (engine) and %d (ref)", seed, len(got), len(want))
	}
}

// record returns an engine whose handler appends each event's A to *out.
func record(out *[]int32) *sim.Engine {
	return sim.NewEngine(sim.HandlerFunc(func(_ *sim.Engine, ev sim.Event) {
		*out = append(*out, ev.A)
	}))
}

func TestTiesFireInInsertionOrder(t *testing.T) {
	var got []int32
	e := sim.NewEngine(sim.HandlerFunc(func(e *sim.Engine, ev sim.Event) {
		got = append(got, ev.A)
		if ev.Kind == 1 {
			// Scheduled at exactly Now: after everything already pending
			// at Now.
			e.Schedule(e.Now(), 0, 100+ev.A, 0)
		}
	}))
	r := rand.New(rand.NewPCG(7, 7))
	var want []int32
	// Interleave events at 1 and 2 in random order; ties keep their
	// scheduling order.
	var at1, at2 []int32
	for i := range int32(50) {
		if r.IntN(2) == 0 {
			e.Schedule(1, 1, i, 0)
			at1 = append(at1, i)
		} else {
			e.Schedule(2, 0, i, 0)
			at2 = append(at2, i)
		}
	}
	want = append(want, at1...)
	for _, a := range at1 {
		want = append(want, 100+a)
	}
	want = append(want, at2...)
	e.Run()
	if !slices.Equal(got, want) {
		t.Errorf("order = %v\nwant    %v", got, want)
	}
}

func TestRunUntil(t *testing.T) {
	var got []int32
	e := sim.NewEngine(sim.HandlerFunc(func(e *sim.Engine, ev sim.Event) {
		got = append(got, ev.A)
		if ev.A == 2 {
			e.Schedule(e.Now(), 0, 20, 0) // at exactly the horizon
		}
	}))
	e.Schedule(1, 0, 1, 0)
	e.Schedule(2, 0, 2, 0)
	e.Schedule(2, 0, 3, 0)
	e.Schedule(sim.Time(math.Nextafter(2, 3)), 0, 4, 0)
	e.RunUntil(2)
	if want := []int32{1, 2, 3, 20}; !slices.Equal(got, want) {
		t.Errorf("RunUntil(2) fired %v, want %v", got, want)
	}
	if e.Now() != 2 || e.Pending() != 1 || e.Fired() != 4 {
		t.Errorf("after RunUntil(2): Now %v Pending %d Fired %d, want 2 1 4", e.Now(), e.Pending(), e.Fired())
	}
	e.RunUntil(1) // the clock never runs backwards
	if e.Now() != 2 {
		t.Errorf("RunUntil(1) moved the clock to %v", e.Now())
	}
	e.RunUntil(5) // fires the last event, then sets the clock to the horizon
	if e.Now() != 5 || e.Pending() != 0 || len(got) != 5 {
		t.Errorf("after RunUntil(5): Now %v Pending %d fired %v", e.Now(), e.Pending(), got)
	}
	e.RunUntil(7.5) // nothing pending: the clock still advances
	if e.Now() != 7.5 {
		t.Errorf("empty RunUntil(7.5): Now %v", e.Now())
	}
	e.Schedule(9, 0, 9, 0)
	e.RunUntil(sim.Forever) // runs everything; the clock stays at the last event
	if e.Now() != 9 || e.Pending() != 0 {
		t.Errorf("RunUntil(Forever): Now %v Pending %d, want 9 0", e.Now(), e.Pending())
	}
}

// TestUntil checks that a handler sees how far the engine runs: RunUntil's
// bound, Forever in Run, and in Step the time of the event it dispatches.
func TestUntil(t *testing.T) {
	var got []sim.Time
	e := sim.NewEngine(sim.HandlerFunc(func(e *sim.Engine, ev sim.Event) { got = append(got, e.Until()) }))
	e.Schedule(1, 0, 0, 0)
	e.Schedule(2, 0, 0, 0)
	e.Schedule(3, 0, 0, 0)
	e.RunUntil(2.5)
	e.Schedule(4, 0, 0, 0)
	e.Step()
	e.Run()
	if want := []sim.Time{2.5, 2.5, 3, sim.Forever}; !slices.Equal(got, want) {
		t.Errorf("Until seen by the handler: %v, want %v", got, want)
	}
}

func TestStop(t *testing.T) {
	var got []int32
	e := sim.NewEngine(sim.HandlerFunc(func(e *sim.Engine, ev sim.Event) {
		got = append(got, ev.A)
		if ev.A == 3 {
			e.Stop()
		}
	}))
	for i := range int32(6) {
		e.Schedule(sim.Time(i), 0, i, 0)
	}
	e.Run()
	if want := []int32{0, 1, 2, 3}; !slices.Equal(got, want) || !e.Stopped() {
		t.Fatalf("Run with Stop at 3 fired %v (stopped %v), want %v", got, e.Stopped(), want)
	}
	e.RunUntil(10)
	if e.Now() != 3 || e.Pending() != 2 {
		t.Errorf("RunUntil after Stop: Now %v Pending %d, want 3 2", e.Now(), e.Pending())
	}
	e.Reset()
	if e.Stopped() {
		t.Error("Reset left Stopped set")
	}
	got = got[:0]
	e.Schedule(1, 0, 7, 0)
	e.RunUntil(10)
	if !slices.Equal(got, []int32{7}) || e.Now() != 10 {
		t.Errorf("after Reset: fired %v Now %v", got, e.Now())
	}
}

func TestResetReusesCapacityAndInvalidatesHandles(t *testing.T) {
	var got []int32
	e := record(&got)
	fill := func() []sim.Handle {
		hs := make([]sim.Handle, 0, 1000)
		for i := range int32(1000) {
			hs = append(hs, e.Schedule(sim.Time(i%10), 0, i, 0))
		}
		return hs
	}
	old := fill()
	e.RunUntil(4.5)
	e.Cancel(old[999])
	e.Reset()
	if e.Now() != 0 || e.Pending() != 0 || e.Fired() != 0 || e.Peek() != sim.Forever {
		t.Fatalf("after Reset: Now %v Pending %d Fired %d Peek %v", e.Now(), e.Pending(), e.Fired(), e.Peek())
	}
	for i, h := range old {
		if !h.Valid() || e.Scheduled(h) || e.Cancel(h) {
			t.Fatalf("old handle %d still live after Reset", i)
		}
		if _, ok := e.When(h); ok {
			t.Fatalf("When(old handle %d) ok after Reset", i)
		}
	}
	// Refilling to the same size reuses the queue's capacity.
	allocs := testing.AllocsPerRun(5, func() {
		e.Reset()
		fill()
	})
	if allocs != 1 { // the test's own handle slice
		t.Errorf("refill after Reset allocated %v times, want only the test's slice", allocs)
	}
	// Handles from an earlier fill do not name the new events.
	e.Reset()
	cur := fill()
	for i := range old {
		if old[i] == cur[i] || e.Cancel(old[i]) {
			t.Fatalf("stale handle %d names a new event", i)
		}
	}
	if e.Pending() != 1000 {
		t.Fatalf("Pending %d after refill, want 1000", e.Pending())
	}
}

func TestSchedulePanics(t *testing.T) {
	e := sim.NewEngine(sim.HandlerFunc(func(*sim.Engine, sim.Event) {}))
	e.Schedule(5, 0, 0, 0)
	e.Step()
	for _, at := range []sim.Time{4.999, sim.Time(math.NaN()), sim.Time(math.Inf(-1))} {
		func() {
			defer func() {
				msg, _ := recover().(string)
				if !strings.HasPrefix(msg, "sim: ") {
					t.Errorf("Schedule(%v) at Now 5: panic %q, want a message starting \"sim: \"", at, msg)
				}
			}()
			e.Schedule(at, 0, 0, 0)
		}()
	}
	func() {
		defer func() {
			if msg, _ := recover().(string); !strings.HasPrefix(msg, "sim: ") {
				t.Errorf("After(-1): panic %q, want a message starting \"sim: \"", msg)
			}
		}()
		e.After(-1, 0, 0, 0)
	}()
	if e.Pending() != 0 {
		t.Errorf("a rejected Schedule left %d events pending", e.Pending())
	}
}

func TestWhenAndScheduled(t *testing.T) {
	var inHandler []bool
	e := sim.NewEngine(sim.HandlerFunc(func(e *sim.Engine, ev sim.Event) {
		// The event being dispatched is no longer pending.
		_, ok := e.When(ev.ID)
		inHandler = append(inHandler, e.Scheduled(ev.ID), ok, e.Cancel(ev.ID))
	}))
	var zero sim.Handle
	if zero.Valid() || e.Scheduled(zero) || e.Cancel(zero) {
		t.Error("zero Handle is live")
	}
	if _, ok := e.When(zero); ok {
		t.Error("When(zero) ok")
	}
	h1 := e.Schedule(1.5, 0, 0, 0)
	h2 := e.After(2.5, 0, 0, 0)
	if !h1.Valid() || h1 == h2 {
		t.Fatalf("handles %v %v", h1, h2)
	}
	if at, ok := e.When(h2); !ok || at != 2.5 || !e.Scheduled(h2) {
		t.Errorf("When(h2) = %v, %v; want 2.5, true", at, ok)
	}
	if !e.Cancel(h2) || e.Cancel(h2) || e.Scheduled(h2) {
		t.Error("Cancel(h2) twice should report true then false")
	}
	if _, ok := e.When(h2); ok {
		t.Error("When(cancelled) ok")
	}
	e.Run()
	if !slices.Equal(inHandler, []bool{false, false, false}) {
		t.Errorf("in handler Scheduled, When ok, Cancel = %v, want all false", inHandler)
	}
	if e.Scheduled(h1) || e.Cancel(h1) {
		t.Error("fired handle still live")
	}
	// A fired handle's slot is reused, but the old handle stays dead.
	h3 := e.Schedule(e.Now(), 0, 0, 0)
	if h3 == h1 || e.Scheduled(h1) || !e.Scheduled(h3) {
		t.Error("reused slot revived an old handle")
	}
}

func TestEventIDAndPayload(t *testing.T) {
	var got []sim.Event
	e := sim.NewEngine(sim.HandlerFunc(func(_ *sim.Engine, ev sim.Event) { got = append(got, ev) }))
	h := e.Schedule(3, 7, -1, math.MaxInt32)
	e.Run()
	want := sim.Event{Time: 3, Kind: 7, A: -1, B: math.MaxInt32, ID: h}
	if len(got) != 1 || got[0] != want {
		t.Errorf("dispatched %+v, want %+v", got, want)
	}
}

// TestSequenceWrap drives the engine's 32-bit sequence counter across its
// wrap every few events while about a hundred events wait at one time and
// a hundred at a later one. Ties must still fire in insertion order and
// later times after earlier ones.
func TestSequenceWrap(t *testing.T) {
	const n = 2000 // events at time 1
	var got []int32
	next := int32(100)
	e := sim.NewEngine(sim.HandlerFunc(func(e *sim.Engine, ev sim.Event) {
		got = append(got, ev.A)
		if ev.Time == 1 && next < n {
			if next%10 == 0 {
				// At most 10 schedules since the last wrap, so the
				// counter is small here and this only moves it forward.
				sim.SetSeq(e, math.MaxUint32-5)
			}
			e.Schedule(e.Now(), 0, next, 0) // behind everything at Now
			next++
		}
	}))
	sim.SetSeq(e, math.MaxUint32-50)
	var want []int32
	for i := range int32(100) {
		e.Schedule(2, 0, 1000+i, 0)
		e.Schedule(1, 0, i, 0)
	}
	for i := range int32(n) {
		want = append(want, i)
	}
	for i := range int32(100) {
		want = append(want, 1000+i)
	}
	e.Run()
	if !slices.Equal(got, want) {
		t.Errorf("order across sequence wraps: %d events, first difference at %d", len(got), firstDiff(got, want))
	}
}

// firstDiff returns the first index where got and want differ, or -1.
func firstDiff[T comparable](got, want []T) int {
	for i := range min(len(got), len(want)) {
		if got[i] != want[i] {
			return i
		}
	}
	if len(got) != len(want) {
		return min(len(got), len(want))
	}
	return -1
}

func TestZeroEngine(t *testing.T) {
	var got []int32
	var e sim.Engine
	e.Reset()
	if e.Pending() != 0 || e.Peek() != sim.Forever || e.Step() {
		t.Fatal("empty zero Engine not empty")
	}
	e.SetHandler(sim.HandlerFunc(func(_ *sim.Engine, ev sim.Event) { got = append(got, ev.A) }))
	e.Schedule(2, 0, 2, 0)
	e.Schedule(1, 0, 1, 0)
	e.Run()
	if !slices.Equal(got, []int32{1, 2}) || e.Now() != 2 {
		t.Errorf("zero Engine fired %v, Now %v", got, e.Now())
	}
}

// TestSignedZeroAndForever checks the extremes of the time axis: an event
// at -0 (which compares equal to 0) is an ordinary event at time 0, and an
// event at Forever fires after every finite one.
func TestSignedZeroAndForever(t *testing.T) {
	var got []int32
	e := record(&got)
	e.Schedule(sim.Forever, 0, 4, 0)
	e.Schedule(math.MaxFloat64, 0, 3, 0)
	e.Schedule(1, 0, 2, 0)
	e.Schedule(sim.Time(math.Copysign(0, -1)), 0, 0, 0)
	e.Schedule(0, 0, 1, 0)
	if e.Peek() != 0 {
		t.Errorf("Peek = %v, want 0", e.Peek())
	}
	e.Run()
	if want := []int32{0, 1, 2, 3, 4}; !slices.Equal(got, want) {
		t.Errorf("order %v, want %v", got, want)
	}
}

// TestCancelKeepsOrder cancels events all over a large heap (root, leaves
// and everything between) and checks the survivors still fire in order.
func TestCancelKeepsOrder(t *testing.T) {
	var got []int32
	e := record(&got)
	r := rand.New(rand.NewPCG(11, 12))
	const n = 5000
	hs := make([]sim.Handle, n)
	at := make([]sim.Time, n)
	for i := range hs {
		at[i] = sim.Time(r.IntN(500))
		hs[i] = e.Schedule(at[i], 0, int32(i), 0)
	}
	var keep []int32
	for i := range hs {
		if r.IntN(3) == 0 {
			if !e.Cancel(hs[i]) {
				t.Fatalf("Cancel(%d) = false", i)
			}
		} else {
			keep = append(keep, int32(i))
		}
	}
	slices.SortStableFunc(keep, func(x, y int32) int { return cmp.Compare(at[x], at[y]) })
	if e.Pending() != len(keep) {
		t.Fatalf("Pending %d, want %d", e.Pending(), len(keep))
	}
	e.Run()
	if !slices.Equal(got, keep) {
		t.Error("survivors of Cancel fired out of (time, insertion) order")
	}
}

// TestDispatchAllocatesNothing requires the hot path, a warmed-up hold
// loop (pop an event, schedule one), to allocate nothing, and scheduling
// then cancelling likewise.
func TestDispatchAllocatesNothing(t *testing.T) {
	e := newHold(1000, 5)
	if a := testing.AllocsPerRun(10000, func() { e.Step() }); a != 0 {
		t.Errorf("Step in hold loop: %v allocs per event, want 0", a)
	}
	if a := testing.AllocsPerRun(10000, func() { e.Cancel(e.After(1, 0, 0, 0)) }); a != 0 {
		t.Errorf("After+Cancel: %v allocs, want 0", a)
	}
	if e.Pending() != 1000 {
		t.Errorf("Pending %d, want 1000", e.Pending())
	}
}

// repairShop is the handler of the Engine example: one component that
// fails and is repaired.
type repairShop struct{ log []string }

const (
	evFail int32 = iota
	evRepair
)

func (s *repairShop) Handle(e *sim.Engine, ev sim.Event) {
	switch ev.Kind {
	case evFail:
		s.log = append(s.log, fmt.Sprintf("%5.1f h  component %d fails", float64(ev.Time), ev.A))
		e.After(8, evRepair, ev.A, 0)
	case evRepair:
		s.log = append(s.log, fmt.Sprintf("%5.1f h  component %d repaired", float64(ev.Time), ev.A))
	}
}

// An Engine dispatches events to one Handler in (time, sequence) order;
// handlers schedule further events.
func ExampleEngine() {
	shop := &repairShop{}
	e := sim.NewEngine(shop)
	e.Schedule(10, evFail, 1, 0)
	e.Schedule(10, evFail, 2, 0) // same time: fires after component 1
	late := e.Schedule(30, evFail, 3, 0)
	e.Cancel(late) // pre-empted, never fires
	e.RunUntil(24)
	for _, l := range shop.log {
		fmt.Println(l)
	}
	fmt.Println("now", e.Now(), "pending", e.Pending())
	// Output:
	//  10.0 h  component 1 fails
	//  10.0 h  component 2 fails
	//  18.0 h  component 1 repaired
	//  18.0 h  component 2 repaired
	// now 24 pending 0
}

// Handles stay safe to use after their event has fired or been cancelled.
func ExampleEngine_Cancel() {
	e := sim.NewEngine(sim.HandlerFunc(func(e *sim.Engine, ev sim.Event) {
		fmt.Println("fired at", ev.Time)
	}))
	h := e.Schedule(2, 0, 0, 0)
	at, ok := e.When(h)
	fmt.Println("pending at", at, ok)
	fmt.Println("cancel:", e.Cancel(h))
	fmt.Println("cancel again:", e.Cancel(h))
	e.Schedule(3, 0, 0, 0)
	e.Run()
	// Output:
	// pending at 2 true
	// cancel: true
	// cancel again: false
	// fired at 3
}

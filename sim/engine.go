// Package sim is dcsim's domain-free discrete-event engine: a simulated
// clock, an event queue, seeded random streams, a Monte Carlo runner and
// streaming statistics.
//
// An Engine is a single-threaded, deterministic state machine in the manner
// of etcd's raft.RawNode: it has no goroutines, reads no wall clock and uses
// no global random source. Work enters through Schedule/After and leaves
// through the Handler it was built with; Step and RunUntil advance time.
// Only the Monte Carlo runner (Run) starts goroutines, one Engine per
// replication.
//
// sim never imports dcsim's model or cmd packages.
package sim

import (
	"fmt"
	"math"
	"math/bits"
	"slices"
)

// Time is simulated time in hours since the start of a replication.
//
// Hours suit datacenter recovery, whose interesting durations run from
// minutes (0.0167 h) to weeks (336 h); a float64 keeps sub-microsecond
// resolution over that whole range.
type Time float64

// Common durations expressed as Time.
const (
	Second Time = 1.0 / 3600
	Minute Time = 1.0 / 60
	Hour   Time = 1
	Day    Time = 24
	Week   Time = 168
)

// Forever is later than any event.
var Forever = Time(math.Inf(1))

// Event is what the engine hands to its Handler. It is a small value:
// dispatching one allocates nothing.
type Event struct {
	Time Time   // when it fires
	Kind int32  // what happened; meaning is the Handler's
	A, B int32  // payload, e.g. indices into the handler's own tables
	ID   Handle // the handle Schedule returned for it
}

// Handle names a scheduled event so it can be cancelled. The zero Handle
// names no event.
type Handle struct {
	slot int32 // index into Engine.slots, plus one
	gen  uint32
}

// Valid reports whether h was returned by Schedule (it may since have fired
// or been cancelled).
func (h Handle) Valid() bool { return h.slot != 0 }

// Handler receives events in (time, sequence) order.
type Handler interface {
	Handle(e *Engine, ev Event)
}

// HandlerFunc adapts a function to Handler. Build it once per engine, not
// per event.
type HandlerFunc func(e *Engine, ev Event)

// Handle calls f(e, ev).
func (f HandlerFunc) Handle(e *Engine, ev Event) { f(e, ev) }

// entry is one element of the heap: 16 bytes, so the four children of a
// node fill exactly one 64-byte cache line (see root).
//
// key is math.Float64bits of the event time. Times are never negative (an
// event cannot be scheduled before Now, which starts at 0, and -0 is
// stored as +0), and for non-negative IEEE 754 doubles, +Inf included, the
// bit patterns order as unsigned integers exactly as the values do. lo
// holds the sequence number in its high 32 bits and the slot index in its
// low 32, so comparing (key, lo) as one 128-bit unsigned integer orders by
// (time, sequence); sequence numbers are unique, so the slot never decides.
type entry struct {
	key uint64
	lo  uint64
}

func (x *entry) at() Time    { return Time(math.Float64frombits(x.key)) }
func (x *entry) slot() int32 { return int32(uint32(x.lo)) }

// slot holds an event's payload and its current heap position.
type slot struct {
	pos  int32 // index in heap, or -1 when free
	gen  uint32
	kind int32
	a, b int32
}

// root is the heap index of the earliest event. Indices 0..root-1 are
// padding, which puts the children of node p at 4p-8 .. 4p-5, starting at
// a multiple of four, so each group of siblings fills one cache line when
// the backing array is 64-byte aligned (as Go's allocator places arrays of
// a few kilobytes and more in practice; misalignment costs speed, not
// correctness). The parent of p > root is p/4 + 2.
const root = 3

// Engine is a discrete-event simulator. Use NewEngine, or set a zero
// Engine's handler with SetHandler.
//
// Events are ordered by time, then by the order in which they were
// scheduled, so simultaneous events fire in a deterministic order. The
// queue is an index-tracking 4-ary min-heap of 16-byte entries; payloads
// live outside it in slots that record each event's heap position, so
// Cancel finds its entry directly. Schedule, Cancel and Step are O(log n)
// and allocate nothing once the queue has grown to its working size.
//
// Tuning, by BenchmarkHold (events/s ratios of variants measured side by
// side in one run, since the shared 2-core machine is noisy). The first
// version had 24-byte entries (float time, 64-bit sequence, slot) and
// popped by moving the last entry to the root and sifting it down with
// ordinary comparisons; it managed about 10.5 M events/s at 1,000 pending
// and 5.8 M at 100,000, on the targets' edge. Measured changes:
//   - Time as IEEE 754 bits compared as unsigned integers, so the (time,
//     sequence) order is one 128-bit subtraction (lessBit): no change by
//     itself, but it makes the next step possible.
//   - Bottom-up pop, choosing the smallest of four children without a
//     branch: 1.4× at 1,000 pending, 1.2× at 100,000. Which child is
//     smallest is a coin flip for the branch predictor, and the
//     mispredictions, not memory, dominated.
//   - 16-byte entries (32-bit sequence, see renumber): 1.04× at 100,000;
//     with sibling groups aligned to cache lines (see root) 1.15× over
//     24-byte entries. No change at 1,000.
//   - Selecting the child with masks instead of a multiply: 1.05×.
//   - An 8-ary heap: 0.9× at 1,000 and 0.95-1.0× at 100,000; rejected.
//
// The position updates in slots that O(log n) Cancel needs cost about 10%
// at 100,000 pending. A calendar or ladder queue was not tried: the heap
// meets the DESIGN.md targets with margin, and those queues' speed depends
// on the spread of event times, which in dcsim runs from seconds
// (failover) to years (hazards). Current figures are in the report of
// BenchmarkHold; see bench_test.go.
type Engine struct {
	now     Time
	until   Time   // see Until
	seq     uint32 // next sequence number; see renumber
	heap    []entry
	slots   []slot
	free    []int32
	h       Handler
	stopped bool
	fired   uint64
}

// NewEngine returns an engine at time 0 that dispatches events to h.
func NewEngine(h Handler) *Engine {
	return &Engine{h: h, heap: make([]entry, root, 64)}
}

// init makes a zero Engine's heap usable: the padding below root.
func (e *Engine) init() {
	e.heap = append(e.heap[:0], make([]entry, root, 64)...)
}

// Reset empties the queue and sets the clock to 0, keeping allocated
// capacity so that a worker can reuse one engine for many replications.
func (e *Engine) Reset() {
	e.now, e.until, e.seq, e.stopped, e.fired = 0, 0, 0, false, 0
	if len(e.heap) > root {
		e.heap = e.heap[:root]
	}
	e.free = e.free[:0]
	for i := range e.slots {
		e.slots[i].pos = -1
		e.slots[i].gen++
		e.free = append(e.free, int32(len(e.slots)-1-i))
	}
}

// SetHandler replaces the handler.
func (e *Engine) SetHandler(h Handler) { e.h = h }

// Now returns the current simulated time.
func (e *Engine) Now() Time { return e.now }

// Pending returns the number of scheduled events.
func (e *Engine) Pending() int { return max(len(e.heap)-root, 0) }

// Fired returns the number of events dispatched since the last Reset.
func (e *Engine) Fired() uint64 { return e.fired }

// Peek returns the time of the next event, or Forever when none is pending.
func (e *Engine) Peek() Time {
	if len(e.heap) <= root {
		return Forever
	}
	return e.heap[root].at()
}

// Schedule arranges for an event of the given kind and payload to fire at
// time at, which must not be earlier than Now (a programmer error: it
// panics). It returns a handle for Cancel.
func (e *Engine) Schedule(at Time, kind, a, b int32) Handle {
	if !(at >= e.now) { // also rejects NaN
		panic(fmt.Sprintf("sim: schedule at %v before now %v", at, e.now))
	}
	if at == 0 {
		at = 0 // -0 would sort after +Inf as bits; see entry
	}
	var s int32
	if n := len(e.free); n > 0 {
		s = e.free[n-1]
		e.free = e.free[:n-1]
	} else {
		s = int32(len(e.slots))
		e.slots = append(e.slots, slot{})
	}
	sl := &e.slots[s]
	sl.kind, sl.a, sl.b = kind, a, b
	if len(e.heap) < root {
		e.init()
	}
	if e.seq == math.MaxUint32 {
		e.renumber()
	}
	e.heap = append(e.heap, entry{key: math.Float64bits(float64(at)), lo: uint64(e.seq)<<32 | uint64(uint32(s))})
	e.seq++
	e.up(len(e.heap) - 1)
	return Handle{slot: s + 1, gen: sl.gen}
}

// After schedules an event d after Now; d must be non-negative.
func (e *Engine) After(d Time, kind, a, b int32) Handle {
	return e.Schedule(e.now+d, kind, a, b)
}

// Scheduled reports whether h names an event that is still pending.
func (e *Engine) Scheduled(h Handle) bool {
	if h.slot <= 0 || int(h.slot) > len(e.slots) {
		return false
	}
	sl := &e.slots[h.slot-1]
	return sl.gen == h.gen && sl.pos >= 0
}

// Cancel removes the event named by h if it is still pending and reports
// whether it did. Cancelling a fired, cancelled or zero handle is a no-op.
// O(log n).
func (e *Engine) Cancel(h Handle) bool {
	if !e.Scheduled(h) {
		return false
	}
	s := h.slot - 1
	e.removeAt(int(e.slots[s].pos))
	e.release(s)
	return true
}

// When returns the time of the pending event named by h, and false if it is
// not pending.
func (e *Engine) When(h Handle) (Time, bool) {
	if !e.Scheduled(h) {
		return 0, false
	}
	return e.heap[e.slots[h.slot-1].pos].at(), true
}

// Stop makes the current Step, RunUntil or Run return after the event being
// dispatched.
func (e *Engine) Stop() { e.stopped = true }

// Stopped reports whether Stop was called since the last Reset.
func (e *Engine) Stopped() bool { return e.stopped }

// Until returns the latest time up to which the running Step, RunUntil or
// Run dispatches events: RunUntil's t, Forever in Run, and in Step the
// time of the event it dispatches. A handler that keeps events of its own
// outside the queue may handle those due before both Until and Peek at
// once, in order, as if each had been dispatched at its time; Until keeps
// it from running past where its caller stops to look.
func (e *Engine) Until() Time { return e.until }

// Step dispatches the earliest pending event and reports whether there was
// one.
func (e *Engine) Step() bool {
	if len(e.heap) <= root {
		return false
	}
	e.until = e.heap[root].at()
	return e.step()
}

// step dispatches the earliest pending event; there is one.
func (e *Engine) step() bool {
	top := e.heap[root]
	e.popRoot()
	s := top.slot()
	sl := &e.slots[s]
	ev := Event{Time: top.at(), Kind: sl.kind, A: sl.a, B: sl.b, ID: Handle{slot: s + 1, gen: sl.gen}}
	e.release(s)
	e.now = ev.Time
	e.fired++
	e.h.Handle(e, ev)
	return true
}

// RunUntil dispatches every event at or before t, in order, then sets the
// clock to t (unless Stop was called, in which case the clock stays at the
// last event). Events scheduled at exactly t by those handlers also fire.
func (e *Engine) RunUntil(t Time) {
	e.until = t
	for !e.stopped && len(e.heap) > root && e.heap[root].at() <= t {
		e.step()
	}
	if !e.stopped && t > e.now && !math.IsInf(float64(t), 1) {
		e.now = t
	}
}

// Run dispatches events until none is pending or Stop is called.
func (e *Engine) Run() {
	e.until = Forever
	for !e.stopped && len(e.heap) > root {
		e.step()
	}
}

func (e *Engine) release(s int32) {
	sl := &e.slots[s]
	sl.pos = -1
	sl.gen++
	e.free = append(e.free, s)
}

// less orders entries by time, then sequence.
func less(x, y *entry) bool { return lessBit(x, y) != 0 }

// lessBit returns 1 if x orders before y and 0 otherwise. It subtracts the
// two 128-bit keys and returns the borrow, which compiles to SUB, SBB
// without a branch: the hot loops use it as an index offset so that picking
// the smallest of four children costs no branch mispredictions.
func lessBit(x, y *entry) int {
	_, b := bits.Sub64(x.lo, y.lo, 0)
	_, b = bits.Sub64(x.key, y.key, b)
	return int(b)
}

// removeAt deletes heap[p], keeping the heap property.
func (e *Engine) removeAt(p int) {
	n := len(e.heap) - 1
	if p == root {
		e.popRoot()
		return
	}
	if p != n {
		e.heap[p] = e.heap[n]
		e.slots[e.heap[p].slot()].pos = int32(p)
		e.heap = e.heap[:n]
		if !e.down(p) {
			e.up(p)
		}
		return
	}
	e.heap = e.heap[:n]
}

// up moves heap[p] towards the root.
func (e *Engine) up(p int) {
	h, slots := e.heap, e.slots
	x := h[p]
	for p > root {
		q := p>>2 + 2
		if !less(&x, &h[q]) {
			break
		}
		h[p] = h[q]
		slots[h[p].slot()].pos = int32(p)
		p = q
	}
	h[p] = x
	slots[x.slot()].pos = int32(p)
}

// down moves heap[p] towards the leaves and reports whether it moved.
func (e *Engine) down(p0 int) bool {
	h, slots := e.heap, e.slots
	n := len(h)
	p := p0
	x := h[p]
	for {
		c := 4*p - 8
		if c >= n {
			break
		}
		m := c
		for j := c + 1; j < min(c+4, n); j++ {
			if less(&h[j], &h[m]) {
				m = j
			}
		}
		if !less(&h[m], &x) {
			break
		}
		h[p] = h[m]
		slots[h[p].slot()].pos = int32(p)
		p = m
	}
	h[p] = x
	slots[x.slot()].pos = int32(p)
	return p > p0
}

// popRoot removes the earliest event bottom-up (Floyd's heuristic): the
// hole left at the root walks down along the smallest children to the
// bottom without comparing them against the element that will fill it, and
// then the last element fills the hole and sifts up. The last element is
// usually late, so that sift-up is short; the walk down picks each
// smallest child without branching (lessBit).
func (e *Engine) popRoot() {
	n := len(e.heap) - 1
	last := e.heap[n]
	e.heap = e.heap[:n]
	if n == root {
		return
	}
	h, slots := e.heap, e.slots
	p := root
	for {
		c := 4*p - 8
		if c+3 < n {
			q := h[c : c+4 : c+4]
			m01 := lessBit(&q[1], &q[0])
			m23 := 2 + lessBit(&q[3], &q[2])
			// m = m23 if q[m23] < q[m01] else m01, without a branch.
			m := c + (m01 ^ (m01^m23)&-lessBit(&q[m23], &q[m01]))
			h[p] = h[m]
			slots[h[p].slot()].pos = int32(p)
			p = m
			continue
		}
		if c < n {
			m := c
			for j := c + 1; j < n; j++ {
				if less(&h[j], &h[m]) {
					m = j
				}
			}
			h[p] = h[m]
			slots[h[p].slot()].pos = int32(p)
			p = m
		}
		break
	}
	for p > root {
		q := p>>2 + 2
		if !less(&last, &h[q]) {
			break
		}
		h[p] = h[q]
		slots[h[p].slot()].pos = int32(p)
		p = q
	}
	h[p] = last
	slots[last.slot()].pos = int32(p)
}

// renumber gives the pending events the sequence numbers 0..n-1 in their
// (time, sequence) order, so that the 32-bit sequence counter can start
// again from n without ever wrapping. Renumbering keeps every pairwise
// order, so the heap stays valid as it is. It runs once per ~4.3e9
// schedules and allocates one scratch slice.
func (e *Engine) renumber() {
	idx := make([]int, 0, len(e.heap)-root)
	for p := root; p < len(e.heap); p++ {
		idx = append(idx, p)
	}
	h := e.heap
	slices.SortFunc(idx, func(a, b int) int { return lessBit(&h[b], &h[a]) - lessBit(&h[a], &h[b]) })
	for r, p := range idx {
		h[p].lo = uint64(r)<<32 | uint64(uint32(h[p].lo))
	}
	e.seq = uint32(len(idx))
}

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

// entry is one element of the heap: the ordering key and the slot holding
// the payload. 24 bytes, so a cache line holds most of a 4-ary node's
// children.
type entry struct {
	at   Time
	seq  uint64
	slot int32
}

// slot holds an event's payload and its current heap position.
type slot struct {
	pos  int32 // index in heap, or -1 when free
	gen  uint32
	kind int32
	a, b int32
}

// Engine is a discrete-event simulator. The zero value is not usable; call
// NewEngine.
//
// Events are ordered by time, then by the order in which they were
// scheduled, so simultaneous events fire in a deterministic order. The
// queue is an index-tracking 4-ary min-heap: Schedule, Cancel and Step are
// O(log n) and allocate nothing once the heap has grown to its working size.
type Engine struct {
	now     Time
	seq     uint64
	heap    []entry
	slots   []slot
	free    []int32
	h       Handler
	stopped bool
	fired   uint64
}

// NewEngine returns an engine at time 0 that dispatches events to h.
func NewEngine(h Handler) *Engine {
	return &Engine{h: h}
}

// Reset empties the queue and sets the clock to 0, keeping allocated
// capacity so that a worker can reuse one engine for many replications.
func (e *Engine) Reset() {
	e.now, e.seq, e.stopped, e.fired = 0, 0, false, 0
	e.heap = e.heap[:0]
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
func (e *Engine) Pending() int { return len(e.heap) }

// Fired returns the number of events dispatched since the last Reset.
func (e *Engine) Fired() uint64 { return e.fired }

// Peek returns the time of the next event, or Forever when none is pending.
func (e *Engine) Peek() Time {
	if len(e.heap) == 0 {
		return Forever
	}
	return e.heap[0].at
}

// Schedule arranges for an event of the given kind and payload to fire at
// time at, which must not be earlier than Now (a programmer error: it
// panics). It returns a handle for Cancel.
func (e *Engine) Schedule(at Time, kind, a, b int32) Handle {
	if !(at >= e.now) { // also rejects NaN
		panic(fmt.Sprintf("sim: schedule at %v before now %v", at, e.now))
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
	i := len(e.heap)
	e.heap = append(e.heap, entry{at: at, seq: e.seq, slot: s})
	e.seq++
	sl.pos = int32(i)
	e.up(i)
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
	i := int(e.slots[s].pos)
	e.removeAt(i)
	e.release(s)
	return true
}

// When returns the time of the pending event named by h, and false if it is
// not pending.
func (e *Engine) When(h Handle) (Time, bool) {
	if !e.Scheduled(h) {
		return 0, false
	}
	return e.heap[e.slots[h.slot-1].pos].at, true
}

// Stop makes the current Step, RunUntil or Run return after the event being
// dispatched.
func (e *Engine) Stop() { e.stopped = true }

// Stopped reports whether Stop was called since the last Reset.
func (e *Engine) Stopped() bool { return e.stopped }

// Step dispatches the earliest pending event and reports whether there was
// one.
func (e *Engine) Step() bool {
	if len(e.heap) == 0 {
		return false
	}
	top := e.heap[0]
	e.removeAt(0)
	sl := &e.slots[top.slot]
	ev := Event{Time: top.at, Kind: sl.kind, A: sl.a, B: sl.b, ID: Handle{slot: top.slot + 1, gen: sl.gen}}
	e.release(top.slot)
	e.now = top.at
	e.fired++
	e.h.Handle(e, ev)
	return true
}

// RunUntil dispatches every event at or before t, in order, then sets the
// clock to t (unless Stop was called, in which case the clock stays at the
// last event). Events scheduled at exactly t by those handlers also fire.
func (e *Engine) RunUntil(t Time) {
	for !e.stopped && len(e.heap) > 0 && e.heap[0].at <= t {
		e.Step()
	}
	if !e.stopped && t > e.now && !math.IsInf(float64(t), 1) {
		e.now = t
	}
}

// Run dispatches events until none is pending or Stop is called.
func (e *Engine) Run() {
	for !e.stopped && e.Step() {
	}
}

func (e *Engine) release(s int32) {
	sl := &e.slots[s]
	sl.pos = -1
	sl.gen++
	e.free = append(e.free, s)
}

// less orders entries by time, then sequence.
func less(x, y *entry) bool {
	return x.at < y.at || (x.at == y.at && x.seq < y.seq)
}

// removeAt deletes heap[i], keeping the heap property.
func (e *Engine) removeAt(i int) {
	n := len(e.heap) - 1
	if i != n {
		e.heap[i] = e.heap[n]
		e.slots[e.heap[i].slot].pos = int32(i)
		e.heap = e.heap[:n]
		if !e.down(i) {
			e.up(i)
		}
		return
	}
	e.heap = e.heap[:n]
}

// up moves heap[i] towards the root. Parent of i is (i-1)/4.
func (e *Engine) up(i int) {
	h := e.heap
	x := h[i]
	for i > 0 {
		p := (i - 1) >> 2
		if !less(&x, &h[p]) {
			break
		}
		h[i] = h[p]
		e.slots[h[i].slot].pos = int32(i)
		i = p
	}
	h[i] = x
	e.slots[x.slot].pos = int32(i)
}

// down moves heap[i] towards the leaves and reports whether it moved.
// Children of i are 4i+1 .. 4i+4.
func (e *Engine) down(i0 int) bool {
	h := e.heap
	n := len(h)
	i := i0
	x := h[i]
	for {
		c := 4*i + 1
		if c >= n {
			break
		}
		m := c
		end := c + 4
		if end > n {
			end = n
		}
		for j := c + 1; j < end; j++ {
			if less(&h[j], &h[m]) {
				m = j
			}
		}
		if !less(&h[m], &x) {
			break
		}
		h[i] = h[m]
		e.slots[h[i].slot].pos = int32(i)
		i = m
	}
	h[i] = x
	e.slots[x.slot].pos = int32(i)
	return i > i0
}

package model

import (
	"math"
	"math/bits"
	"slices"

	"github.com/dcsim/dcsim/sim"
)

// Background events: a domain's next failure and a repair wait in the
// unit's own queue, not the engine's (see wake); the engine holds one
// bgWake event at the earliest of them.
const (
	bgFail   int32 = iota // A domain: its next independent failure
	bgRepair              // A pool, B servers: a failed unit is repaired
	bgWake                // the earliest failure or repair is due
)

// background draws independent server, rack and PDU failures. Domain d's
// failures are one Poisson stream of rate
//
//	λ_d = n_d·λ_server + (n_d / rack_size)·λ_rack + (n_d / pdu_size)·λ_pdu
//
// (n_d servers), so their cost grows with the number of failures, never
// with the number of servers. A failure hits one pool, chosen in proportion
// to its servers.
//
// At a million servers these are most of a replication's events, and
// nearly all change nothing any service serves (quiet). So they wait in
// the unit's own queue, and when the engine's one bgWake event fires, every
// background event due before the engine's next event is handled there in
// time order without passing through the engine; the first that is not
// quiet is handed to the engine at its own time, as the normal path.
type background struct {
	r      *Replication
	dom    []bgDom
	q      bgQueue    // pending failures and repairs
	wakeEv sim.Handle // the engine's bgWake event, at wakeT
	wakeT  float64
	due    bgEvent // popped but not quiet: handled at its time by the normal path
	isDue  bool
	next   bgDraw // the failure due draws
	// For counting events as the engine did: background events handled,
	// and bgWake events.
	n, wakes uint64
}

// bgDraw is one background failure: k servers of pool i down for repair
// hours (k = 0: it hit nothing running).
type bgDraw struct {
	i      int
	k      int32
	repair float64
	kind   string
}

func (bg *background) init(r *Replication) {
	bg.r = r
	// Each failure is an event, and its repair another.
	n := 0.0
	for _, x := range r.m.bgRates {
		n += 2 * x[3] * r.m.Sc.Horizon
	}
	bg.q.init(bgBuckets(n))
	bg.initDoms()
}

func (bg *background) reset() {
	bg.q.reset(bg.r.horizon)
	bg.wakeEv, bg.wakeT, bg.isDue, bg.n, bg.wakes = sim.Handle{}, math.Inf(1), false, 0, 0
}

func (bg *background) start() {
	for d := 0; d < bg.r.m.nDom; d++ {
		bg.schedule(d, 0)
	}
	bg.arm()
}

// schedule queues domain d's next failure after time now.
func (bg *background) schedule(d int, now float64) {
	r := bg.r
	total := r.m.bgRates[d][3]
	if total <= 0 {
		return
	}
	t := float64(sim.Time(now) + sim.Time(r.st.dom[d].ExpFloat64()/total))
	if t < r.horizon {
		bg.q.push(t, bgFail, int32(d), 0)
	}
}

// arm makes the engine's bgWake event fire at the earliest queued event.
func (bg *background) arm() {
	if bg.q.len() == 0 {
		return
	}
	t := bg.q.min()
	if t == bg.wakeT && bg.r.eng.Scheduled(bg.wakeEv) {
		return
	}
	bg.r.eng.Cancel(bg.wakeEv)
	bg.wakeEv, bg.wakeT = bg.r.eng.Schedule(sim.Time(t), kindOf(unitBackground, bgWake), 0, 0), t
}

// bgDom is what drawing domain d's failures reads, gathered in one place.
type bgDom struct {
	rng        *randSource
	a, ab, abc float64 // a failure is a server's below a, a rack's below a+b, else a PDU's
	servers    int     // at least 1
	rack, pdu  int32
	f          *Background
	ends       []int32 // servers in the domain's first j+1 pools
	pools      []int
}

func (bg *background) initDoms() {
	r := bg.r
	m := r.m
	bg.dom = make([]bgDom, m.nDom)
	for d := range bg.dom {
		x := &m.bgRates[d]
		f := &m.Sc.Sites[m.domSite[d]].Failures
		bg.dom[d] = bgDom{
			rng: r.st.dom[d], a: x[0], ab: x[0] + x[1], abc: x[0] + x[1] + x[2],
			servers: max(1, m.Sc.Sites[m.domSite[d]].Domains[m.domLocal[d]].Servers),
			rack:    int32(f.RackSize), pdu: int32(f.PDUSize), f: f,
			ends: m.domPoolEnd[d], pools: m.domPools[d],
		}
	}
}

// draw draws the next background failure of domain d, due at now, and
// queues the one after it. It changes no pool.
func (bg *background) draw(d int, now float64) bgDraw {
	r := bg.r
	x := &bg.dom[d]
	rng := x.rng
	u := rng.Float64() * x.abc
	var size int32
	var rep *sim.Dist
	kind := "server"
	switch {
	case u < x.a:
		size, rep = 1, &x.f.ServerRepair
	case u < x.ab:
		size, rep, kind = x.rack, &x.f.RackRepair, "rack"
	default:
		size, rep, kind = x.pdu, &x.f.PDURepair, "PDU"
	}
	// The failed unit holds servers of one pool, chosen by pool size
	// (servers no service uses absorb their share).
	pick := rng.IntN(x.servers)
	repair := rep.Sample(rng)
	bg.schedule(d, now)
	if !r.power.powered[d] {
		return bgDraw{}
	}
	j, _ := slices.BinarySearch(x.ends, int32(pick+1))
	if j == len(x.ends) {
		return bgDraw{} // an unused server
	}
	i := d*r.m.nSvc + x.pools[j]
	k := min(size, r.fleet.pool[i].up)
	if k <= 0 || !r.fleet.pool[i].booted {
		return bgDraw{}
	}
	return bgDraw{i: i, k: k, repair: repair, kind: kind}
}

// fail applies a background failure at time now; quiet says it was proved
// not to change what any service serves, so no service needs
// re-evaluation.
func (bg *background) fail(b bgDraw, quiet bool, now float64) {
	if b.k == 0 {
		return
	}
	r := bg.r
	m := r.m
	d, s := b.i/m.nSvc, b.i%m.nSvc
	r.fleet.touchPool(b.i)
	r.fleet.pool[b.i].up -= b.k
	r.fleet.pool[b.i].bgDown += b.k
	if quiet {
		r.svc.pool[s*m.nSite+m.domSite[d]].up -= b.k
	} else {
		r.svc.addCap(s, m.domSite[d], -b.k)
	}
	if r.tr != nil {
		r.event("failure", r.domName(d), "%s failure: %d servers of %s down for %.1fh", b.kind, b.k, r.svcName(s), b.repair)
	}
	bg.q.push(float64(sim.Time(now)+sim.Time(b.repair)), bgRepair, int32(b.i), b.k)
}

func (bg *background) repair(i int, k int32, quiet bool) {
	r := bg.r
	m := r.m
	d, s := i/m.nSvc, i%m.nSvc
	r.fleet.touchPool(i)
	r.fleet.pool[i].bgDown -= k
	if r.power.powered[d] && r.fleet.pool[i].booted {
		r.fleet.pool[i].up += k
		if quiet {
			r.svc.pool[s*m.nSite+m.domSite[d]].up += k
		} else {
			r.svc.addCap(s, m.domSite[d], k)
		}
	}
}

// handle applies, by the normal path, the background event due now that
// wake found not quiet.
func (bg *background) handle(local int32, ev sim.Event) {
	if local != bgWake {
		panic("model: unknown background event")
	}
	switch e := bg.due; e.kind {
	case bgFail:
		bg.fail(bg.next, false, float64(ev.Time))
	case bgRepair:
		bg.repair(int(e.a), e.b, false)
	}
	bg.isDue = false
	bg.arm()
}

// wake runs when the engine's bgWake event fires at now. It handles the
// queued events due at now and, after them, those due before the engine's
// next event and within the time the engine runs to (Until) — nothing
// else happens in between — for as long as each is quiet. It reports
// whether they all were; if not, the one that is not waits in due and
// next for handle, which the engine dispatches at its time: at once if
// that is now, else through a bgWake at that time.
func (bg *background) wake(now float64) bool {
	r := bg.r
	m := r.m
	bg.wakes++
	bg.wakeEv, bg.wakeT = sim.Handle{}, math.Inf(1)
	if bg.isDue {
		return false // the bgWake of an event found not quiet earlier
	}
	limit, until := float64(r.eng.Peek()), float64(r.eng.Until())
	for bg.q.len() > 0 {
		t := bg.q.min()
		if t > now && (t >= limit || t > until || r.tr != nil) {
			break // the engine's next event comes first; traces need each at its time
		}
		e := bg.q.pop()
		bg.n++
		quiet := false
		switch e.kind {
		case bgFail:
			b := bg.draw(int(e.a), t)
			if quiet = b.k == 0 || !r.policy.FullBackground && bg.benign(b.i, -b.k); quiet {
				bg.fail(b, true, t)
			} else {
				bg.next = b
			}
		case bgRepair:
			i := int(e.a)
			d := i / m.nSvc
			if quiet = !(r.power.powered[d] && r.fleet.pool[i].booted) || !r.policy.FullBackground && bg.benign(i, e.b); quiet {
				bg.repair(i, e.b, true)
			}
		}
		if quiet {
			continue
		}
		bg.due, bg.isDue = e, true
		if t == now {
			return false
		}
		bg.wakeEv, bg.wakeT = r.eng.Schedule(sim.Time(t), kindOf(unitBackground, bgWake), 0, 0), t
		return true
	}
	bg.arm()
	return true
}

// benign reports whether changing pool i's running servers by delta leaves
// every serving fraction, pool state and pending decision as it is: the
// pool keeps its quorum; if it serves, its service serves fully at any hour
// before and after; and for an active-standby primary, neither "cannot
// carry the load" (which starts a failover) nor "can carry it with the
// surge" (which allows failing back) changes.
func (bg *background) benign(i int, delta int32) bool {
	r := bg.r
	m := r.m
	sv := &r.svc
	d, s := i/m.nSvc, i%m.nSvc
	p := m.domSite[d]
	x := &m.svc[s]
	idx := s*m.nSite + p
	c0, c1 := sv.pool[idx].up, sv.pool[idx].up+delta
	if !sv.pool[idx].running || c1 < sv.pool[idx].quorum || m.svc[s].ovLimit > 0 || sv.surges[s] > 0 {
		return false // a service that can collapse, or under a surge, is always re-evaluated
	}
	serving := !sv.hot[s].failingBack && sv.partitioned[p] == 0 && (x.mode == modeActive || p == sv.hot[s].active)
	if serving {
		full := x.demand * x.surge
		avail := sv.available(s)
		if avail < full || avail+float64(delta) < full {
			return false
		}
		// Under recovered = "capacity", health needs recovered_threshold
		// of the servers it normally serves with.
		if need := m.Sc.RecoveredThreshold * m.normal[s]; m.capRecovered && (avail >= need) != (avail+float64(delta) >= need) {
			return false
		}
	}
	if x.mode == modeStandby && p == x.primary {
		down := m.Sc.RecoveredThreshold * x.demand
		if (float64(c0) < down) != (float64(c1) < down) {
			return false
		}
		back := math.Min(float64(m.placed[idx]), x.demand*x.surge)
		if (float64(c0) < back) != (float64(c1) < back) {
			return false
		}
	}
	return true
}

// bgEvent is a queued background event: a failure (a domain) or a repair
// (a pool and its servers), due at t; seq orders events due at the same
// time as the engine would, first queued first.
type bgEvent struct {
	t    float64
	seq  uint32
	kind int32
	a, b int32
	next int32 // the next event in its bucket, -1 for none
}

// bgQueue is a calendar queue of background events: the horizon is cut
// into buckets of equal width, each holding its events in a list, with a
// bitmap of the buckets that hold any. Events are popped in time order and
// none is queued before the last popped, so the earliest event is in the
// first bucket the bitmap shows, found among its few by a scan. Push and
// pop cost O(1) for the ~1 event per bucket the sizing aims at, where a
// heap of the pending repairs costs O(log n) branchy steps; events at or
// after the horizon share the last bucket.
type bgQueue struct {
	ev    []bgEvent // storage; free entries are listed from free
	free  int32
	head  []int32  // per bucket, its first event, -1 for none
	words []uint64 // bit b: bucket b holds events
	sum   uint64   // bit w: words[w] != 0 (up to 4,096 buckets)
	inv   float64  // buckets per hour
	n     int
	seq   uint32
	at    int32 // the earliest event, -1 when not known
}

// bgBuckets is the number of buckets for a replication expected to queue
// about n background events: a power of two near n, 64 to 4,096.
func bgBuckets(n float64) int {
	k := 64
	for k < 4096 && float64(k) < n {
		k *= 2
	}
	return k
}

func (q *bgQueue) init(buckets int) {
	q.head = make([]int32, buckets)
	q.words = make([]uint64, (buckets+63)/64)
	for i := range q.head {
		q.head[i] = -1
	}
}

// reset empties q for a replication of the given horizon.
func (q *bgQueue) reset(horizon float64) {
	for w, x := range q.words {
		for ; x != 0; x &= x - 1 {
			q.head[w<<6|bits.TrailingZeros64(x)] = -1
		}
		q.words[w] = 0
	}
	q.sum, q.n, q.seq, q.at = 0, 0, 0, -1
	q.ev, q.free = q.ev[:0], -1
	q.inv = float64(len(q.head)) / horizon
}

func (q *bgQueue) len() int { return q.n }

func (q *bgQueue) bucket(t float64) int {
	b := t * q.inv
	if !(b < float64(len(q.head)-1)) {
		return len(q.head) - 1
	}
	return int(b)
}

func (q *bgQueue) push(t float64, kind, a, b int32) {
	k := q.bucket(t)
	i := q.free
	if i >= 0 {
		q.free = q.ev[i].next
	} else {
		i = int32(len(q.ev))
		q.ev = append(q.ev, bgEvent{})
	}
	e := &q.ev[i]
	e.t, e.seq, e.kind, e.a, e.b, e.next = t, q.seq, kind, a, b, q.head[k]
	q.seq++
	q.head[k] = i
	q.words[k>>6] |= 1 << (k & 63)
	q.sum |= 1 << (k >> 6)
	q.n++
	if q.at >= 0 && bgLess(e, &q.ev[q.at]) {
		q.at = i
	}
}

func bgLess(x, y *bgEvent) bool { return x.t < y.t || x.t == y.t && x.seq < y.seq }

// first returns the earliest event's index; q is not empty.
func (q *bgQueue) first() int32 {
	if q.at >= 0 {
		return q.at
	}
	w := bits.TrailingZeros64(q.sum)
	k := w<<6 | bits.TrailingZeros64(q.words[w])
	best := q.head[k]
	for i := q.ev[best].next; i >= 0; i = q.ev[i].next {
		if bgLess(&q.ev[i], &q.ev[best]) {
			best = i
		}
	}
	q.at = best
	return best
}

// min returns the earliest event's time; q is not empty.
func (q *bgQueue) min() float64 { return q.ev[q.first()].t }

// pop removes and returns the earliest event; q is not empty.
func (q *bgQueue) pop() bgEvent {
	i := q.first()
	e := q.ev[i]
	k := q.bucket(e.t)
	if q.head[k] == i {
		q.head[k] = e.next
	} else {
		j := q.head[k]
		for q.ev[j].next != i {
			j = q.ev[j].next
		}
		q.ev[j].next = e.next
	}
	if q.head[k] < 0 {
		if q.words[k>>6] &^= 1 << (k & 63); q.words[k>>6] == 0 {
			q.sum &^= 1 << (k >> 6)
		}
	}
	q.ev[i].next, q.free = q.free, i
	q.n--
	q.at = -1
	return e
}

package model

import "github.com/dcsim/dcsim/sim"

// Causes of a domain being without power (bit set). Any number of
// incidents may hold the same cause on a domain at once; it is cleared when
// the last of them lets go.
const (
	causeFire    uint8 = 1 << iota // burned: power gear destroyed
	causeCut                       // firefighters' power cut
	causeUtility                   // utility lost and generators did not carry it
	causeCooling                   // thermal shutdown
	causeTrain                     // every power train feeding it has failed
	causeWater                     // water in the hall: cut for safety until dry and clean
	nCauses      = 6
)

var causeNames = map[uint8]string{causeFire: "fire damage", causeCut: "firefighters' power cut", causeUtility: "utility loss", causeCooling: "thermal shutdown", causeTrain: "power train failure", causeWater: "water in the hall"}

// Power events.
const (
	pwRepowerDone int32 = iota // A site: the domain at the head of its queue is re-energised
)

// power knows why each power domain is dark and brings domains back: a
// domain whose every cause has cleared is re-energised at once by its
// transfer switches when it went dark for utility or cooling, or by hand —
// one domain at a time per site, in the order they became ready — when it
// burned or firefighters cut it.
type power struct {
	r *Replication

	held    []int16 // [d*nCauses+k] incidents holding cause bit k on domain d
	causes  []uint8 // causes held on each domain
	powered []bool
	queued  []bool // waiting in or under re-power
	manual  []bool // lost power to fire or a power cut: re-energise by hand
	epoch   []int32

	repowerQ    []fifo[int] // per site, domains waiting to be re-energised by hand
	repowerBusy []bool

	dark int // domains without power
	busy int // sites re-energising a domain

	trainDown []int16 // per flat train, incidents holding it failed
	feedsDown []int16 // per domain, feeding trains that are down
}

func (pw *power) init(r *Replication) {
	m := r.m
	pw.r = r
	pw.held = make([]int16, m.nDom*nCauses)
	pw.causes = make([]uint8, m.nDom)
	pw.powered = make([]bool, m.nDom)
	pw.queued = make([]bool, m.nDom)
	pw.manual = make([]bool, m.nDom)
	pw.epoch = make([]int32, m.nDom)
	pw.repowerQ = make([]fifo[int], m.nSite)
	pw.repowerBusy = make([]bool, m.nSite)
	pw.trainDown = make([]int16, len(m.trainDoms))
	pw.feedsDown = make([]int16, m.nDom)
}

func (pw *power) reset() {
	clear(pw.held)
	for d := range pw.powered {
		pw.causes[d], pw.powered[d], pw.queued[d], pw.manual[d] = 0, true, false, false
		pw.epoch[d]++
	}
	for p := range pw.repowerQ {
		pw.repowerQ[p].reset()
		pw.repowerBusy[p] = false
	}
	pw.dark, pw.busy = 0, 0
	clear(pw.trainDown)
	clear(pw.feedsDown)
}

func (pw *power) settled() bool { return pw.dark == 0 && pw.busy == 0 }

func causeBit(c uint8) int {
	for k := 0; k < nCauses; k++ {
		if c == 1<<k {
			return k
		}
	}
	panic("model: not a single cause bit")
}

// hold makes domain d lose power for cause c, held by one more incident.
func (pw *power) hold(d int, c uint8) {
	pw.held[d*nCauses+causeBit(c)]++
	pw.causes[d] |= c
	if c&(causeFire|causeCut|causeTrain|causeWater) != 0 {
		pw.manual[d] = true
	}
	pw.off(d, c)
}

// release lets go of one incident's hold of cause c on domain d; when no
// cause is left the domain is re-energised (at once, or through the site's
// re-power queue if it needs hands).
func (pw *power) release(d int, c uint8) {
	k := d*nCauses + causeBit(c)
	if pw.held[k] == 0 {
		return
	}
	pw.held[k]--
	if pw.held[k] > 0 {
		return
	}
	pw.causes[d] &^= c
	if pw.causes[d] == 0 && !pw.powered[d] && !pw.queued[d] {
		p := pw.r.m.domSite[d]
		if !pw.manual[d] {
			// Utility or cooling back: transfer switches re-energise the
			// domain at once; only booting takes crews.
			pw.energise(d)
			return
		}
		pw.queued[d] = true
		pw.repowerQ[p].push(d)
		pw.startRepower(p)
	}
}

// off takes domain d's power away: every server in it stops, and a chunk of
// it being booted is abandoned (its completion finds the epoch changed).
func (pw *power) off(d int, c uint8) {
	if !pw.powered[d] {
		return
	}
	r := pw.r
	pw.powered[d] = false
	pw.dark++
	pw.epoch[d]++
	if r.tr != nil {
		m := r.m
		r.event("power-lost", r.domName(d), "%s: %d servers down", causeNames[c], m.Sc.Sites[m.domSite[d]].Domains[m.domLocal[d]].Servers)
	}
	r.fleet.powerOff(d)
}

// trainFail fails power train t (flat index) for one more incident: every
// domain all of whose feeds are now down loses power. A domain fed by two
// trains (A/B feeds) rides through the loss of one.
func (pw *power) trainFail(t int) {
	pw.trainDown[t]++
	if pw.trainDown[t] > 1 {
		return
	}
	m := pw.r.m
	for _, d := range m.trainDoms[t] {
		pw.feedsDown[d]++
		if int(pw.feedsDown[d]) == len(m.domFeeds[d]) {
			pw.hold(d, causeTrain)
		}
	}
}

// trainRepair lets go of one incident's failure of train t; once no
// incident holds it, the domains it feeds have a feed again and are
// re-energised by hand (breakers and switchgear are reset on site).
func (pw *power) trainRepair(t int) {
	if pw.trainDown[t] == 0 {
		return
	}
	pw.trainDown[t]--
	if pw.trainDown[t] > 0 {
		return
	}
	m := pw.r.m
	for _, d := range m.trainDoms[t] {
		if int(pw.feedsDown[d]) == len(m.domFeeds[d]) {
			pw.release(d, causeTrain)
		}
		pw.feedsDown[d]--
	}
}

func (pw *power) startRepower(p int) {
	if pw.repowerBusy[p] || pw.repowerQ[p].len() == 0 {
		return
	}
	pw.repowerBusy[p] = true
	pw.busy++
	dt := pw.r.m.Sc.Sites[p].Repower.Sample(pw.r.st.site[p])
	pw.r.eng.After(sim.Time(dt), kindOf(unitPower, pwRepowerDone), int32(p), 0)
}

func (pw *power) handle(local int32, ev sim.Event) {
	switch local {
	case pwRepowerDone:
		p := int(ev.A)
		pw.repowerBusy[p] = false
		pw.busy--
		d := pw.repowerQ[p].pop()
		pw.queued[d] = false
		if pw.causes[d] == 0 && !pw.powered[d] {
			pw.energise(d)
		}
		pw.startRepower(p)
	default:
		panic("model: unknown power event")
	}
}

// energise powers domain d and queues its servers to boot.
func (pw *power) energise(d int) {
	r := pw.r
	pw.powered[d] = true
	pw.dark--
	pw.manual[d] = false
	pw.epoch[d]++
	if r.tr != nil {
		r.event("repowered", r.domName(d), "domain re-energised; servers queue to boot")
	}
	r.fleet.queueBoot(d, true)
}

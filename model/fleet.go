package model

import (
	"math"

	"github.com/dcsim/dcsim/sim"
)

// Fleet events.
const (
	flBootDone int32 = iota // A site: the chunk its crews were booting is up
	flCrews                 // A site (-1: restore crews), B step: crews change (crews.go)
)

// chunk is a boot job: the servers of one pool (or the unused servers of a
// domain, svc = -1) that came up with the domain's power epoch.
type chunk struct {
	dom   int
	svc   int // -1 for servers no service uses
	epoch int32
}

// fleet holds the servers as counts per pool — the servers of one service
// in one power domain, index d*nSvc+s — never per server, and boots them:
// each site's crews bring up one chunk at a time, in service priority
// order, at boot_rate × crews servers per hour (crews on duty now: see
// crews.go).
type fleet struct {
	r *Replication

	pool      []fleetPool // per pool, index d*nSvc+s
	destOther []int32     // per domain, unused servers destroyed
	otherUp   []int32     // per domain, unused servers running

	bootQ    []fifo[chunk] // per site
	bootBusy []bool
	bootCur  []chunk
	crews    []int32      // per site, boot crews on duty
	bootLeft []float64    // per site, servers of the chunk under way left at bootFrom
	bootFrom []float64    // per site, when bootLeft was last set
	bootEv   []sim.Handle // per site, the chunk's flBootDone event

	unbooted  int // pools with servers that are not booted
	destroyN  int // pools and domains with destroyed servers
	bootSites int // sites booting or with chunks waiting

	// What this replication changed, so that reset restores only that
	// (an incident touches a few domains of a large fleet): domains whose
	// pools changed as a whole, and single pools changed by background
	// failures.
	domDirty   []bool
	dirtyDoms  []int
	dirtyPools []int
	fresh      bool // nothing recorded yet: reset everything

	// throttled[i]: servers of pool i that serve nothing while their hall
	// is too hot (throttling: the pool serves throttle_capacity of what it
	// would); thrDom[d]: domain d is throttled.
	throttled []int32
	thrDom    []bool
}

// fleetPool is one (domain, service) pool's servers, in one place so that
// a boot chunk reads one cache line, not one per array.
type fleetPool struct {
	total     int32 // placed (the model's poolTotal, copied here)
	up        int32 // running
	destroyed int32 // destroyed until replaced
	bgDown    int32 // down for an independent failure
	booted    bool  // booted since its domain was last energised
	dirty     bool  // changed by a background failure (see reset)
}

// fresh returns the pool as a replication starts it: every placed server
// up and booted. dirty is kept: reset clears it as it walks its list.
func (p fleetPool) fresh() fleetPool {
	return fleetPool{total: p.total, up: p.total, booted: true, dirty: p.dirty}
}

func (fl *fleet) init(r *Replication) {
	m := r.m
	fl.r = r
	n := m.nDom * m.nSvc
	fl.pool = make([]fleetPool, n)
	for i := range fl.pool {
		fl.pool[i].total = m.poolTotal[i]
	}
	fl.destOther = make([]int32, m.nDom)
	fl.otherUp = make([]int32, m.nDom)
	fl.bootQ = make([]fifo[chunk], m.nSite)
	fl.bootBusy = make([]bool, m.nSite)
	fl.bootCur = make([]chunk, m.nSite)
	fl.crews = make([]int32, m.nSite)
	fl.bootLeft = make([]float64, m.nSite)
	fl.bootFrom = make([]float64, m.nSite)
	fl.bootEv = make([]sim.Handle, m.nSite)
	fl.domDirty = make([]bool, m.nDom)
	fl.fresh = true
	fl.throttled = make([]int32, n)
	fl.thrDom = make([]bool, m.nDom)
}

func (fl *fleet) reset() {
	m := fl.r.m
	if fl.fresh {
		for i := range fl.pool {
			fl.pool[i] = fl.pool[i].fresh()
		}
		fl.fresh = false
	}
	for _, d := range fl.dirtyDoms {
		a, b := d*m.nSvc, (d+1)*m.nSvc
		for i := a; i < b; i++ {
			fl.pool[i] = fl.pool[i].fresh()
		}
		fl.domDirty[d] = false
	}
	for _, i := range fl.dirtyPools {
		fl.pool[i] = fl.pool[i].fresh()
		fl.pool[i].dirty = false
	}
	fl.dirtyDoms, fl.dirtyPools = fl.dirtyDoms[:0], fl.dirtyPools[:0]
	clear(fl.destOther)
	copy(fl.otherUp, m.otherTotal)
	for p := range fl.bootQ {
		fl.bootQ[p].reset()
		fl.bootBusy[p] = false
		fl.crews[p] = int32(m.Sc.Sites[p].Crews)
	}
	fl.unbooted, fl.destroyN, fl.bootSites = 0, 0, 0
	for d, on := range fl.thrDom {
		if on {
			fl.thrDom[d] = false
			clear(fl.throttled[d*m.nSvc : (d+1)*m.nSvc])
		}
	}
}

// touchDomain records that domain d's pools change, for reset.
func (fl *fleet) touchDomain(d int) {
	if !fl.domDirty[d] {
		fl.domDirty[d] = true
		fl.dirtyDoms = append(fl.dirtyDoms, d)
	}
}

// touchPool records that pool i changes, for reset.
func (fl *fleet) touchPool(i int) {
	if !fl.pool[i].dirty {
		fl.pool[i].dirty = true
		fl.dirtyPools = append(fl.dirtyPools, i)
	}
}

func (fl *fleet) settled() bool {
	return fl.unbooted == 0 && fl.destroyN == 0 && fl.bootSites == 0
}

func (fl *fleet) setBooted(i int, b bool) {
	if fl.pool[i].booted == b {
		return
	}
	fl.pool[i].booted = b
	if fl.pool[i].total > 0 {
		if b {
			fl.unbooted--
		} else {
			fl.unbooted++
		}
	}
}

// syncBusy keeps bootSites, the count of sites with boot work, current
// after a change at site p that had work before if was.
func (fl *fleet) syncBusy(p int, was bool) {
	if now := fl.bootBusy[p] || fl.bootQ[p].len() > 0; now != was {
		if now {
			fl.bootSites++
		} else {
			fl.bootSites--
		}
	}
}

// powerOff stops every server of domain d.
func (fl *fleet) powerOff(d int) {
	r := fl.r
	m := r.m
	p := m.domSite[d]
	fl.unthrottle(d)
	fl.touchDomain(d)
	fl.otherUp[d] = 0
	for _, s := range m.domPools[d] {
		i := d*m.nSvc + s
		if fl.pool[i].up != 0 {
			r.svc.addCap(s, p, -fl.pool[i].up)
			fl.pool[i].up = 0
		}
		fl.setBooted(i, false)
	}
}

// throttle makes the servers running in domain d serve only frac of what
// they would (a hall too hot: CPUs clock down): 1-frac of each pool's
// running servers count as serving nothing until unthrottle.
func (fl *fleet) throttle(d int, frac float64) {
	if fl.thrDom[d] {
		return
	}
	r := fl.r
	m := r.m
	p := m.domSite[d]
	fl.thrDom[d] = true
	for _, s := range m.domPools[d] {
		i := d*m.nSvc + s
		if cut := int32(math.Round((1 - frac) * float64(fl.pool[i].up))); cut > 0 {
			fl.throttled[i] = cut
			r.svc.addCap(s, p, -cut)
		}
	}
}

// unthrottle ends domain d's throttling.
func (fl *fleet) unthrottle(d int) {
	if !fl.thrDom[d] {
		return
	}
	r := fl.r
	m := r.m
	p := m.domSite[d]
	fl.thrDom[d] = false
	for _, s := range m.domPools[d] {
		i := d*m.nSvc + s
		if cut := fl.throttled[i]; cut > 0 {
			fl.throttled[i] = 0
			r.svc.addCap(s, p, cut)
		}
	}
}

// destroy marks fraction frac of domain d's servers, in every pool and
// among the unused ones, destroyed until replaced, and returns how many
// more servers that destroys. Destruction by several incidents does not
// add up: a pool keeps the largest fraction any of them destroyed.
func (fl *fleet) destroy(d int, frac float64) int {
	return fl.destroyClasses(d, frac, EquipCompute|EquipStorage|EquipNetwork, false)
}

// destroyClasses is destroy for the pools of services whose equipment is
// in classes (bit set); servers no service uses count as compute. With
// stop, destroyed servers that were running stop at once (water, heat in
// a domain that keeps its power); without, they stop when their domain
// loses power, as a fire's and the site-wide cooling model's always do.
func (fl *fleet) destroyClasses(d int, frac float64, classes uint8, stop bool) int {
	r := fl.r
	m := r.m
	fl.touchDomain(d)
	lost := 0
	for _, s := range m.domPools[d] {
		if m.equip[s]&classes == 0 {
			continue
		}
		i := d*m.nSvc + s
		k := int32(math.Round(frac * float64(fl.pool[i].total)))
		if k > fl.pool[i].destroyed {
			if fl.pool[i].destroyed == 0 {
				fl.destroyN++
			}
			lost += int(k - fl.pool[i].destroyed)
			fl.pool[i].destroyed = k
			// Destroyed servers that were running stop.
			if x := fl.pool[i].up + fl.pool[i].destroyed + fl.pool[i].bgDown - fl.pool[i].total; stop && x > 0 {
				x = min(x, fl.pool[i].up)
				fl.pool[i].up -= x
				r.svc.addCap(s, m.domSite[d], -x)
			}
		}
	}
	if k := int32(math.Round(frac * float64(m.otherTotal[d]))); classes&EquipCompute != 0 && k > fl.destOther[d] {
		if fl.destOther[d] == 0 {
			fl.destroyN++
		}
		lost += int(k - fl.destOther[d])
		fl.destOther[d] = k
		if x := fl.otherUp[d] + fl.destOther[d] - m.otherTotal[d]; stop && x > 0 {
			fl.otherUp[d] -= min(x, fl.otherUp[d])
		}
	}
	if lost > 0 {
		fl.r.data.destroyed(d, int32(lost))
	}
	return lost
}

// serversBack installs replacements for every destroyed server of domain
// d; if the domain has power they queue to boot.
func (fl *fleet) serversBack(d int) {
	r := fl.r
	m := r.m
	fl.touchDomain(d)
	n := 0
	for _, s := range m.domPools[d] {
		i := d*m.nSvc + s
		if fl.pool[i].destroyed > 0 {
			n += int(fl.pool[i].destroyed)
			fl.pool[i].destroyed = 0
			fl.destroyN--
		}
	}
	other := fl.destOther[d]
	n += int(other)
	if other > 0 {
		fl.destOther[d] = 0
		fl.destroyN--
	}
	r.data.replaced(d, int32(n))
	if r.tr != nil {
		r.event("servers-replaced", r.domName(d), "%d replacement servers installed", n)
	}
	if r.power.powered[d] {
		fl.queueBoot(d, other > 0)
	}
}

// queueBoot queues domain d's pools to boot in service priority order,
// then its unused servers if withOther, and starts the site's crews.
func (fl *fleet) queueBoot(d int, withOther bool) {
	m := fl.r.m
	p := m.domSite[d]
	ep := fl.r.power.epoch[d]
	fl.touchDomain(d)
	was := fl.bootBusy[p] || fl.bootQ[p].len() > 0
	for _, s := range m.domBoot[d] {
		fl.bootQ[p].push(chunk{dom: d, svc: s, epoch: ep})
	}
	if withOther && m.otherTotal[d] > 0 {
		fl.bootQ[p].push(chunk{dom: d, svc: -1, epoch: ep})
	}
	fl.startBoot(p)
	fl.syncBusy(p, was)
}

// chunkSize is the number of servers a boot chunk brings up now.
func (fl *fleet) chunkSize(c chunk) int32 {
	m := fl.r.m
	if c.svc < 0 {
		return max(0, m.otherTotal[c.dom]-fl.destOther[c.dom]-fl.otherUp[c.dom])
	}
	i := c.dom*m.nSvc + c.svc
	return max(0, fl.pool[i].total-fl.pool[i].destroyed-fl.pool[i].bgDown-fl.pool[i].up)
}

func (fl *fleet) startBoot(p int) {
	r := fl.r
	m := r.m
	for !fl.bootBusy[p] && fl.bootQ[p].len() > 0 {
		c := fl.bootQ[p].pop()
		if c.epoch != r.power.epoch[c.dom] {
			continue // the domain lost power again
		}
		n := fl.chunkSize(c)
		if n <= 0 {
			if c.svc >= 0 {
				fl.setBooted(c.dom*m.nSvc+c.svc, true)
			}
			continue
		}
		fl.bootBusy[p] = true
		fl.bootCur[p] = c
		fl.bootLeft[p], fl.bootFrom[p] = float64(n), float64(r.eng.Now())
		fl.scheduleBootDone(p)
	}
}

func (fl *fleet) handle(local int32, ev sim.Event) {
	if local == flCrews {
		fl.crewsChange(int(ev.A), int(ev.B))
		return
	}
	if local != flBootDone {
		panic("model: unknown fleet event")
	}
	r := fl.r
	m := r.m
	p := int(ev.A)
	fl.bootBusy[p] = false
	c := fl.bootCur[p]
	if c.epoch == r.power.epoch[c.dom] {
		if c.svc < 0 {
			fl.otherUp[c.dom] += fl.chunkSize(c)
		} else {
			i := c.dom*m.nSvc + c.svc
			n := fl.chunkSize(c)
			fl.pool[i].up += n
			r.svc.addCap(c.svc, p, n)
			fl.setBooted(i, true)
			if r.tr != nil {
				r.event("booted", r.domName(c.dom), "%d servers of %s up", n, r.svcName(c.svc))
			}
		}
	}
	fl.startBoot(p)
	fl.syncBusy(p, true)
}

package model

import (
	"fmt"
	"math"

	"github.com/dcsim/dcsim/model/results"
	"github.com/dcsim/dcsim/sim"
)

// Event kinds. A is usually a site, domain or service index; B a second
// index or a count.
const (
	evIgnite int32 = iota
	evBurn
	evPowerCut
	evExtinguished
	evInspected
	evDomainCause  // A domain, B cause bit: the domain loses power for that cause
	evClearCause   // A domain, B cause bit
	evSiteClear    // A site, B cause bit: clear the cause on every domain of the site
	evRepowerDone  // A site
	evBootDone     // A site
	evServersBack  // A domain: destroyed servers replaced
	evDetect       // A service: failover decision
	evFailoverDone // A service, B attempt
	evFailbackDone // A service
	evRerouted     // A service, B site
	evRestoreDone  // A service, B site
	evBgFail       // A domain
	evBgRepair     // A pool, B count
	evCoolingLost  // A site
	evPartition    // A site, B 1 = start, 0 = end
	evUtilityLost  // A site
)

// maxFailoverTries is how many failover attempts an outage gets before the
// service waits for its primary instead.
const maxFailoverTries = 3

// Causes of a domain being without power (bit set).
const (
	causeFire    uint8 = 1 << iota // burned: power gear destroyed
	causeCut                       // firefighters' power cut
	causeUtility                   // utility lost and generators did not carry it
	causeCooling                   // thermal shutdown
)

var causeNames = map[uint8]string{causeFire: "fire damage", causeCut: "firefighters' power cut", causeUtility: "utility loss", causeCooling: "thermal shutdown"}

// Tracer receives a replication's events as they happen. dcsim trace and
// the scenario-script tests use it; runs pass nil and pay nothing.
type Tracer interface {
	// Event reports something that happened at t hours.
	Event(t float64, kind, subject, detail string)
	// Serving reports each service's serving fraction at peak demand, after
	// every event that changed one.
	Serving(t float64, frac []float64)
}

type chunk struct {
	dom   int
	svc   int // -1 for servers no service uses
	epoch int32
}

type restoreReq struct {
	svc, site int
}

// Replication is a reusable simulator of one scenario replication. It is
// not safe for concurrent use: each worker owns one.
type Replication struct {
	m      *Model
	eng    *sim.Engine
	st     *streams
	tr     Tracer
	policy Policy

	// domains
	causes    []uint8
	powered   []bool
	burned    []bool
	queued    []bool // waiting in or under repower
	manual    []bool // lost power to fire or a power cut: re-energise by hand
	epoch     []int32
	destroyed []int32 // per pool
	destOther []int32 // per domain, unassigned servers destroyed
	otherUp   []int32 // per domain, unassigned servers running
	up        []int32 // per pool
	bgDown    []int32 // per pool
	booted    []bool  // per pool

	// sites
	partitioned []bool
	inspected   []bool
	fireActive  []bool
	repowerQ    [][]int
	repowerBusy []bool
	bootQ       [][]chunk
	bootBusy    []bool
	bootCur     []chunk
	causeActive []uint8 // per site: external causes still active

	// services
	capSP       []int32 // [s*nSite+p] up servers
	running     []bool  // [s*nSite+p]
	restoring   []bool  // [s*nSite+p] queued or in progress
	restoreQ    []restoreReq
	crewsBusy   int
	active      []int // serving site for active-standby / single-site
	foPending   []bool
	foAttempt   []int32
	foAutoTried []bool
	foRetries   []int32 // failed attempts in the current outage
	foGaveUp    []bool  // stop failing over until the primary is back
	failingBack []bool
	reroute     []float64
	fPeak       []float64 // effective serving fraction at peak demand
	healthy     []bool
	everImp     []bool
	recovered   []float64

	// metrics
	lastT   float64
	outage  []float64
	userH   []float64
	reqs    []float64
	rev     []float64
	data    []float64
	hwCost  float64
	week0   float64 // week hour at t = 0
	fTmp    []float64
	stopped bool
	bgNext  bgDraw // a background failure waiting for the normal path
}

// Policy is an optional change to behaviour used by tests; the zero value
// is the normal model.
type Policy struct {
	// NoBackground turns off independent server, rack and PDU failures.
	NoBackground bool
	// FullBackground re-evaluates the fleet after every background failure
	// and repair, even those that cannot change what any service serves;
	// tests use it as the reference for the quiet path.
	FullBackground bool
}

// NewReplication returns a simulator for m.
func NewReplication(m *Model) *Replication {
	r := &Replication{m: m, st: newStreams(m)}
	r.eng = sim.NewEngine(r)
	nd, ns, np := m.nDom, m.nSvc, m.nSite
	r.causes = make([]uint8, nd)
	r.powered = make([]bool, nd)
	r.burned = make([]bool, nd)
	r.queued = make([]bool, nd)
	r.manual = make([]bool, nd)
	r.epoch = make([]int32, nd)
	r.destroyed = make([]int32, nd*ns)
	r.destOther = make([]int32, nd)
	r.otherUp = make([]int32, nd)
	r.up = make([]int32, nd*ns)
	r.bgDown = make([]int32, nd*ns)
	r.booted = make([]bool, nd*ns)
	r.partitioned = make([]bool, np)
	r.inspected = make([]bool, np)
	r.fireActive = make([]bool, np)
	r.repowerQ = make([][]int, np)
	r.repowerBusy = make([]bool, np)
	r.bootQ = make([][]chunk, np)
	r.bootBusy = make([]bool, np)
	r.bootCur = make([]chunk, np)
	r.causeActive = make([]uint8, np)
	r.capSP = make([]int32, ns*np)
	r.running = make([]bool, ns*np)
	r.restoring = make([]bool, ns*np)
	r.active = make([]int, ns)
	r.foPending = make([]bool, ns)
	r.foAttempt = make([]int32, ns)
	r.foAutoTried = make([]bool, ns)
	r.foRetries = make([]int32, ns)
	r.foGaveUp = make([]bool, ns)
	r.failingBack = make([]bool, ns)
	r.reroute = make([]float64, ns)
	r.fPeak = make([]float64, ns)
	r.healthy = make([]bool, ns)
	r.everImp = make([]bool, ns)
	r.recovered = make([]float64, ns)
	r.outage = make([]float64, ns)
	r.userH = make([]float64, ns)
	r.reqs = make([]float64, ns)
	r.rev = make([]float64, ns)
	r.data = make([]float64, ns)
	r.fTmp = make([]float64, ns)
	return r
}

// SetTracer makes r report events to t (nil for none).
func (r *Replication) SetTracer(t Tracer) { r.tr = t }

// SetPolicy changes behaviour for tests.
func (r *Replication) SetPolicy(p Policy) { r.policy = p }

// Engine exposes the engine, for scripted tests that step it.
func (r *Replication) Engine() *sim.Engine { return r.eng }

// Run simulates replication rep of a run seeded with seed and fills out.
func (r *Replication) Run(seed uint64, rep int, out *results.Outcome) {
	r.Start(seed, rep)
	r.eng.RunUntil(sim.Time(r.m.Sc.Horizon))
	r.Finish(out)
}

// Start resets state to the healthy fleet at t = 0 and schedules the
// initiating event, without running anything.
func (r *Replication) Start(seed uint64, rep int) {
	m := r.m
	r.eng.Reset()
	r.st.reset(seed, uint64(rep))
	for d := 0; d < m.nDom; d++ {
		r.causes[d], r.powered[d], r.burned[d], r.queued[d], r.manual[d] = 0, true, false, false, false
		r.epoch[d]++
		r.destOther[d] = 0
		r.otherUp[d] = m.otherTotal[d]
	}
	for i := range r.up {
		r.up[i] = m.poolTotal[i]
		r.destroyed[i], r.bgDown[i] = 0, 0
		r.booted[i] = true
	}
	for p := 0; p < m.nSite; p++ {
		r.partitioned[p], r.inspected[p], r.fireActive[p] = false, false, false
		r.repowerQ[p] = r.repowerQ[p][:0]
		r.bootQ[p] = r.bootQ[p][:0]
		r.repowerBusy[p], r.bootBusy[p] = false, false
		r.causeActive[p] = 0
	}
	for i := range r.capSP {
		r.capSP[i] = m.placed[i]
		r.running[i] = true
		r.restoring[i] = false
	}
	r.restoreQ = r.restoreQ[:0]
	r.crewsBusy = 0
	for s := range m.Sc.Services {
		r.active[s] = m.Sc.Services[s].Primary
		r.foPending[s], r.foAutoTried[s], r.failingBack[s] = false, false, false
		r.foAttempt[s] = 0
		r.foRetries[s], r.foGaveUp[s] = 0, false
		r.reroute[s] = 0
		r.fPeak[s] = math.NaN() // so the first refresh reports serving
		r.healthy[s] = true
		r.everImp[s] = false
		r.recovered[s] = 0
		r.outage[s], r.userH[s], r.reqs[s], r.rev[s], r.data[s] = 0, 0, 0, 0, 0
	}
	r.hwCost, r.lastT, r.stopped = 0, 0, false
	in := m.Sc.Incident
	r.week0 = in.WeekHour
	if in.RandomStart {
		r.week0 = 168 * r.st.start.Float64()
	}
	r.refresh(0)
	switch in.Hazard {
	case BatteryFire:
		r.eng.Schedule(0, evIgnite, int32(in.Site), int32(m.siteDom[in.Site][in.Domain]))
	case UtilityLoss:
		r.eng.Schedule(0, evUtilityLost, int32(in.Site), 0)
	case CoolingLoss:
		r.eng.Schedule(0, evCoolingLost, int32(in.Site), 0)
	case NetworkPartition:
		r.eng.Schedule(0, evPartition, int32(in.Site), 1)
	}
	if !r.policy.NoBackground {
		for d := 0; d < m.nDom; d++ {
			r.scheduleBg(d)
		}
	}
}

// Finish integrates impact up to the end of the replication and fills out.
func (r *Replication) Finish(out *results.Outcome) {
	m := r.m
	end := float64(r.eng.Now())
	if !r.stopped {
		end = m.Sc.Horizon
	}
	r.advance(end)
	if cap(out.Services) < m.nSvc {
		out.Services = make([]results.ServiceOutcome, m.nSvc)
	}
	out.Services = out.Services[:m.nSvc]
	*out = results.Outcome{Services: out.Services, HardwareCost: r.hwCost}
	for s := range m.Sc.Services {
		ttr := 0.0
		if r.everImp[s] {
			ttr = r.recovered[s]
			if !r.healthy[s] {
				ttr = end
			}
		}
		so := results.ServiceOutcome{
			TimeToRecoverH: ttr, OutageH: r.outage[s], UserHoursLost: r.userH[s],
			RequestsLost: r.reqs[s], RevenueLost: r.rev[s], DataLostS: r.data[s],
		}
		out.Services[s] = so
		out.AllServicesRecoveredH = max(out.AllServicesRecoveredH, ttr)
		out.UserHoursLost += so.UserHoursLost
		out.RequestsLost += so.RequestsLost
		out.RevenueLost += so.RevenueLost
		out.DataLostS = max(out.DataLostS, so.DataLostS)
	}
	e := m.Sc.Economics
	out.Loss = out.RevenueLost + out.UserHoursLost*(e.ValuePerUserHour+e.CompensationPerUserHour) + out.HardwareCost
}

func (r *Replication) event(kind, subject, format string, args ...any) {
	if r.tr != nil {
		r.tr.Event(float64(r.eng.Now()), kind, subject, fmt.Sprintf(format, args...))
	}
}

func (r *Replication) siteName(p int) string { return r.m.Sc.Sites[p].Name }
func (r *Replication) domName(d int) string {
	return r.m.Sc.Sites[r.m.domSite[d]].Name + "/" + r.m.Sc.Sites[r.m.domSite[d]].Domains[r.m.domLocal[d]].Name
}
func (r *Replication) svcName(s int) string { return r.m.Sc.Services[s].Name }

// Handle dispatches one event: it integrates impact up to now, applies the
// event, re-evaluates services and stops the replication once everything
// has recovered.
func (r *Replication) Handle(e *sim.Engine, ev sim.Event) {
	now := float64(ev.Time)
	if (ev.Kind == evBgFail || ev.Kind == evBgRepair) && r.quietBackground(ev) {
		return
	}
	r.advance(now)
	m := r.m
	switch ev.Kind {
	case evIgnite:
		r.ignite(int(ev.A), int(ev.B))
	case evBurn:
		r.burn(int(ev.A))
	case evPowerCut:
		r.powerCut(int(ev.A))
	case evExtinguished:
		p := int(ev.A)
		r.fireActive[p] = false
		if r.tr != nil {
			r.event("extinguished", r.siteName(p), "fire out")
		}
		fp := m.Sc.Sites[p].Fire
		r.eng.After(sim.Time(fp.Inspection.Sample(r.st.site[p])), evInspected, int32(p), 0)
	case evInspected:
		r.inspect(int(ev.A))
	case evDomainCause:
		r.addCause(int(ev.A), uint8(ev.B))
	case evClearCause:
		r.clearCause(int(ev.A), uint8(ev.B))
	case evSiteClear:
		p := int(ev.A)
		c := uint8(ev.B)
		r.causeActive[p] &^= c
		if c == causeUtility {
			if r.tr != nil {
				r.event("utility-restored", r.siteName(p), "utility power back")
			}
		} else if c == causeCooling {
			if r.tr != nil {
				r.event("cooling-restored", r.siteName(p), "cooling back")
			}
		}
		for _, d := range m.siteDom[p] {
			r.clearCause(d, c)
		}
	case evRepowerDone:
		r.repowerDone(int(ev.A))
	case evBootDone:
		r.bootDone(int(ev.A))
	case evServersBack:
		r.serversBack(int(ev.A))
	case evDetect:
		r.detect(int(ev.A))
	case evFailoverDone:
		r.failoverDone(int(ev.A), ev.B)
	case evFailbackDone:
		s := int(ev.A)
		r.failingBack[s] = false
		if r.tr != nil {
			r.event("failback", r.svcName(s), "serving from %s again", r.siteName(r.active[s]))
		}
	case evRerouted:
		s, p := int(ev.A), int(ev.B)
		r.reroute[s] = math.Max(0, r.reroute[s]-m.share[s*m.nSite+p])
		if r.tr != nil {
			r.event("rerouted", r.svcName(s), "traffic shifted away from %s", r.siteName(p))
		}
	case evRestoreDone:
		r.restoreDone(int(ev.A), int(ev.B))
	case evBgFail:
		r.applyBgFail(r.bgNext)
	case evBgRepair:
		r.bgRepair(int(ev.A), ev.B)
	case evCoolingLost:
		r.coolingLost(int(ev.A))
	case evPartition:
		r.partition(int(ev.A), ev.B == 1)
	case evUtilityLost:
		r.utilityLost(int(ev.A))
	default:
		panic(fmt.Sprintf("model: unknown event kind %d", ev.Kind))
	}
	r.refresh(now)
	r.dispatchRestores()
	if r.settled() {
		r.stopped = true
		e.Stop()
	}
}

// ---- fire ----

func (r *Replication) ignite(p, d int) {
	m := r.m
	fp := m.Sc.Sites[p].Fire
	rng := r.st.site[p]
	r.fireActive[p] = true
	if r.tr != nil {
		r.event("ignition", r.domName(d), "battery fire")
	}
	det := fp.Detection.Sample(rng)
	suppressed := rng.Float64() < fp.SuppressionSuccess
	var out float64
	if suppressed {
		out = det + fp.SuppressedExtinguish.Sample(rng)
	} else {
		out = math.Max(det, fp.Extinguish.Sample(rng))
	}
	heat := fp.HeatDamage.Sample(rng)
	cutWanted := rng.Float64() < fp.PowerCutProbability
	cut := fp.PowerCutDelay.Sample(rng)
	if heat < out {
		r.eng.Schedule(sim.Time(heat), evBurn, int32(d), 0)
	}
	if cutWanted && !suppressed && cut < out {
		r.eng.Schedule(sim.Time(cut), evPowerCut, int32(p), 0)
	}
	r.eng.Schedule(sim.Time(out), evExtinguished, int32(p), 0)
	if suppressed {
		if r.tr != nil {
			r.event("suppressed", r.siteName(p), "%s suppression works; out by %.2fh", fp.Suppression, out)
		}
	}
}

func (r *Replication) burn(d int) {
	m := r.m
	p := m.domSite[d]
	if r.burned[d] || !r.fireActive[p] {
		return // a spread that arrives after the fire is out does nothing
	}
	site := &m.Sc.Sites[p]
	fp := site.Fire
	rng := r.st.dom[d]
	r.burned[d] = true
	lost := r.destroy(d, fp.DestroyedFraction.Sample(rng))
	r.hwCost += float64(lost)*site.ServerCost + fp.DamageCost
	if r.tr != nil {
		r.event("burn", r.domName(d), "fire/heat reaches the domain: power gear lost, %d servers destroyed", lost)
	}
	r.addCause(d, causeFire)
	// Spread to neighbours, if the fire still burns when it arrives.
	for _, nl := range site.Domains[m.domLocal[d]].Neighbours {
		nd := m.siteDom[p][nl]
		if r.burned[nd] {
			continue
		}
		if rng.Float64() < fp.SpreadProbability {
			r.eng.After(sim.Time(fp.SpreadDelay.Sample(rng)), evBurn, int32(nd), 0)
		}
	}
}

// destroy marks fraction frac of domain d's servers, in every pool and
// among the unused ones, destroyed until replaced, and returns how many.
func (r *Replication) destroy(d int, frac float64) int {
	m := r.m
	lost := 0
	for s := 0; s < m.nSvc; s++ {
		i := d*m.nSvc + s
		k := int32(math.Round(frac * float64(m.poolTotal[i])))
		r.destroyed[i] = k
		lost += int(k)
	}
	r.destOther[d] = int32(math.Round(frac * float64(m.otherTotal[d])))
	return lost + int(r.destOther[d])
}

func (r *Replication) powerCut(p int) {
	m := r.m
	if !r.fireActive[p] {
		return
	}
	site := &m.Sc.Sites[p]
	if site.ZoneCutoffs {
		n := 0
		for _, d := range m.siteDom[p] {
			if r.burned[d] {
				r.addCause(d, causeCut)
				n++
			}
		}
		if r.tr != nil {
			r.event("power-cut", r.siteName(p), "firefighters cut power to %d burning zone(s)", n)
		}
		return
	}
	if r.tr != nil {
		r.event("power-cut", r.siteName(p), "firefighters cut power to the whole site (no zone cut-offs)")
	}
	for _, d := range m.siteDom[p] {
		r.addCause(d, causeCut)
	}
}

func (r *Replication) inspect(p int) {
	m := r.m
	fp := m.Sc.Sites[p].Fire
	r.inspected[p] = true
	if r.tr != nil {
		r.event("inspected", r.siteName(p), "safety inspection passed; re-energising allowed")
	}
	for _, d := range m.siteDom[p] {
		if r.burned[d] {
			rng := r.st.dom[d]
			r.eng.After(sim.Time(fp.ReplacementLeadTime.Sample(rng)), evClearCause, int32(d), int32(causeFire))
			r.eng.After(sim.Time(fp.ServerLeadTime.Sample(rng)), evServersBack, int32(d), 0)
		}
	}
	for _, d := range m.siteDom[p] {
		r.clearCause(d, causeCut)
	}
}

// ---- power ----

func (r *Replication) addCause(d int, c uint8) {
	r.causes[d] |= c
	if c&(causeFire|causeCut) != 0 {
		r.manual[d] = true
	}
	r.powerOff(d, c)
}

func (r *Replication) powerOff(d int, c uint8) {
	m := r.m
	if !r.powered[d] {
		return
	}
	r.powered[d] = false
	r.otherUp[d] = 0
	r.epoch[d]++
	if r.tr != nil {
		r.event("power-lost", r.domName(d), "%s: %d servers down", causeNames[c], m.Sc.Sites[m.domSite[d]].Domains[m.domLocal[d]].Servers)
	}
	p := m.domSite[d]
	for s := 0; s < m.nSvc; s++ {
		i := d*m.nSvc + s
		if r.up[i] != 0 {
			r.capSP[s*m.nSite+p] -= r.up[i]
			r.up[i] = 0
		}
		r.booted[i] = false
	}
	// A chunk of this domain being booted is abandoned: its completion
	// event finds the epoch changed.
}

func (r *Replication) clearCause(d int, c uint8) {
	if r.causes[d]&c == 0 {
		return
	}
	r.causes[d] &^= c
	if r.causes[d] == 0 && !r.powered[d] && !r.queued[d] {
		p := r.m.domSite[d]
		if !r.manual[d] {
			// Utility or cooling back: transfer switches re-energise the
			// domain at once; only booting takes crews.
			r.energise(d)
			return
		}
		r.queued[d] = true
		r.repowerQ[p] = append(r.repowerQ[p], d)
		r.startRepower(p)
	}
}

func (r *Replication) startRepower(p int) {
	if r.repowerBusy[p] || len(r.repowerQ[p]) == 0 {
		return
	}
	r.repowerBusy[p] = true
	dt := r.m.Sc.Sites[p].Repower.Sample(r.st.site[p])
	r.eng.After(sim.Time(dt), evRepowerDone, int32(p), 0)
}

func (r *Replication) repowerDone(p int) {
	r.repowerBusy[p] = false
	d := r.repowerQ[p][0]
	r.repowerQ[p] = popFront(r.repowerQ[p])
	r.queued[d] = false
	if r.causes[d] == 0 && !r.powered[d] {
		r.energise(d)
	}
	r.startRepower(p)
}

// energise powers domain d and queues its servers to boot, in service
// priority order.
func (r *Replication) energise(d int) {
	m := r.m
	p := m.domSite[d]
	r.powered[d] = true
	r.manual[d] = false
	r.epoch[d]++
	if r.tr != nil {
		r.event("repowered", r.domName(d), "domain re-energised; servers queue to boot")
	}
	for _, s := range m.bootOrder {
		if m.poolTotal[d*m.nSvc+s] > 0 {
			r.bootQ[p] = append(r.bootQ[p], chunk{dom: d, svc: s, epoch: r.epoch[d]})
		}
	}
	if m.otherTotal[d] > 0 {
		r.bootQ[p] = append(r.bootQ[p], chunk{dom: d, svc: -1, epoch: r.epoch[d]})
	}
	r.startBoot(p)
}

// chunkSize is the number of servers a boot chunk brings up now.
func (r *Replication) chunkSize(c chunk) int32 {
	m := r.m
	if c.svc < 0 {
		return max(0, m.otherTotal[c.dom]-r.destOther[c.dom]-r.otherUp[c.dom])
	}
	i := c.dom*m.nSvc + c.svc
	return max(0, m.poolTotal[i]-r.destroyed[i]-r.bgDown[i]-r.up[i])
}

func (r *Replication) startBoot(p int) {
	m := r.m
	for !r.bootBusy[p] && len(r.bootQ[p]) > 0 {
		c := r.bootQ[p][0]
		r.bootQ[p] = popFront(r.bootQ[p])
		if c.epoch != r.epoch[c.dom] {
			continue // the domain lost power again
		}
		n := r.chunkSize(c)
		if n <= 0 {
			if c.svc >= 0 {
				r.booted[c.dom*m.nSvc+c.svc] = true
			}
			continue
		}
		site := &m.Sc.Sites[p]
		rate := site.BootRate * float64(site.Crews)
		r.bootBusy[p] = true
		r.bootCur[p] = c
		r.eng.After(sim.Time(float64(n)/rate), evBootDone, int32(p), 0)
	}
}

func (r *Replication) bootDone(p int) {
	m := r.m
	r.bootBusy[p] = false
	c := r.bootCur[p]
	if c.epoch == r.epoch[c.dom] && c.svc < 0 {
		r.otherUp[c.dom] += r.chunkSize(c)
	}
	if c.epoch == r.epoch[c.dom] && c.svc >= 0 {
		i := c.dom*m.nSvc + c.svc
		n := r.chunkSize(c)
		r.up[i] += n
		r.capSP[c.svc*m.nSite+p] += n
		r.booted[i] = true
		if r.tr != nil {
			r.event("booted", r.domName(c.dom), "%d servers of %s up", n, r.svcName(c.svc))
		}
	}
	r.startBoot(p)
}

func (r *Replication) serversBack(d int) {
	m := r.m
	p := m.domSite[d]
	n := 0
	for s := 0; s < m.nSvc; s++ {
		n += int(r.destroyed[d*m.nSvc+s])
		r.destroyed[d*m.nSvc+s] = 0
	}
	other := r.destOther[d]
	n += int(other)
	if r.tr != nil {
		r.event("servers-replaced", r.domName(d), "%d replacement servers installed", n)
	}
	if r.powered[d] {
		for _, s := range m.bootOrder {
			if m.poolTotal[d*m.nSvc+s] > 0 {
				r.bootQ[p] = append(r.bootQ[p], chunk{dom: d, svc: s, epoch: r.epoch[d]})
			}
		}
		if other > 0 {
			r.bootQ[p] = append(r.bootQ[p], chunk{dom: d, svc: -1, epoch: r.epoch[d]})
		}
	}
	// Unused servers boot with the chunk above; they are no longer destroyed.
	r.destOther[d] = 0
	if r.powered[d] {
		r.startBoot(p)
	}
}

// ---- utility, cooling, partition ----

func (r *Replication) utilityLost(p int) {
	m := r.m
	rng := r.st.site[p]
	dur := m.Sc.Incident.Duration.Sample(rng)
	r.causeActive[p] |= causeUtility
	if r.tr != nil {
		r.event("utility-lost", r.siteName(p), "utility power lost for %.2fh", dur)
	}
	for _, d := range m.siteDom[p] {
		dom := &m.Sc.Sites[p].Domains[m.domLocal[d]]
		g := dom.Generators
		drng := r.st.dom[d]
		started := 0
		var fails []float64
		for k := 0; k < g.Count; k++ {
			if drng.Float64() >= g.FailToStart {
				started++
				fails = append(fails, drng.ExpFloat64()/math.Max(g.RunFailRate, 1e-300))
			}
		}
		if started < g.Needed || g.Count == 0 {
			// Nothing carries the load once the UPS is exhausted.
			if dom.UPS.RideThrough < dur {
				r.eng.Schedule(sim.Time(dom.UPS.RideThrough), evDomainCause, int32(d), int32(causeUtility))
			}
			continue
		}
		// The generators carry the load from StartTime until fewer than
		// Needed keep running (the (started-Needed+1)-th failure) or the
		// fuel runs out without resupply.
		sortFloats(fails)
		genDown := g.StartTime + fails[started-g.Needed]
		if dur > g.StartTime+g.Fuel && drng.Float64() >= g.RefuelProb {
			genDown = math.Min(genDown, g.StartTime+g.Fuel)
		}
		if g.StartTime > dom.UPS.RideThrough && dom.UPS.RideThrough < dur {
			// A dark gap: the UPS runs out before the generators start.
			r.eng.Schedule(sim.Time(dom.UPS.RideThrough), evDomainCause, int32(d), int32(causeUtility))
			if g.StartTime < math.Min(dur, genDown) {
				r.eng.Schedule(sim.Time(g.StartTime), evClearCause, int32(d), int32(causeUtility))
			}
		}
		if genDown < dur {
			r.eng.Schedule(sim.Time(genDown), evDomainCause, int32(d), int32(causeUtility))
		}
	}
	r.eng.Schedule(sim.Time(dur), evSiteClear, int32(p), int32(causeUtility))
}

// popFront removes q's first element in place, keeping the backing array
// so that a reused Replication's queues stop allocating once grown (the
// queues hold at most a few hundred chunks, so the copy is cheap).
func popFront[T any](q []T) []T {
	copy(q, q[1:])
	return q[:len(q)-1]
}

func sortFloats(x []float64) {
	for i := 1; i < len(x); i++ {
		for j := i; j > 0 && x[j] < x[j-1]; j-- {
			x[j], x[j-1] = x[j-1], x[j]
		}
	}
}

func (r *Replication) coolingLost(p int) {
	m := r.m
	rng := r.st.site[p]
	site := &m.Sc.Sites[p]
	dur := m.Sc.Incident.Duration.Sample(rng)
	buf := site.Cooling.ThermalBuffer.Sample(rng)
	r.causeActive[p] |= causeCooling
	if r.tr != nil {
		r.event("cooling-lost", r.siteName(p), "cooling lost for %.2fh; thermal buffer %.2fh", dur, buf)
	}
	if buf < dur {
		for _, d := range m.siteDom[p] {
			frac := site.Cooling.OverheatDestroyed.Sample(r.st.dom[d])
			if frac > 0 {
				r.hwCost += float64(r.destroy(d, frac)) * site.ServerCost
				r.eng.Schedule(sim.Time(dur+site.Fire.ServerLeadTime.Sample(r.st.dom[d])), evServersBack, int32(d), 0)
			}
			r.eng.Schedule(sim.Time(buf), evDomainCause, int32(d), int32(causeCooling))
		}
	}
	r.eng.Schedule(sim.Time(dur), evSiteClear, int32(p), int32(causeCooling))
}

func (r *Replication) partition(p int, start bool) {
	if start {
		dur := r.m.Sc.Incident.Duration.Sample(r.st.site[p])
		r.partitioned[p] = true
		m := r.m
		for s := range m.Sc.Services {
			svc := &m.Sc.Services[s]
			if i := s*m.nSite + p; svc.Mode == ActiveActive && m.placed[i] > 0 && r.running[i] {
				// Traffic still aimed at the cut-off site fails until it
				// is rerouted.
				r.reroute[s] = math.Min(1, r.reroute[s]+m.share[i])
				r.eng.After(sim.Time(svc.Reroute.Sample(r.st.fail[s])), evRerouted, int32(s), int32(p))
			}
		}
		if r.tr != nil {
			r.event("partition", r.siteName(p), "site cut off from the network for %.2fh", dur)
		}
		r.eng.After(sim.Time(dur), evPartition, int32(p), 0)
		return
	}
	r.partitioned[p] = false
	if r.tr != nil {
		r.event("partition-healed", r.siteName(p), "site reachable again")
	}
}

// ---- background failures ----

func (r *Replication) bgRate(d int) (server, rack, pdu float64) {
	x := &r.m.bgRates[d]
	return x[0], x[1], x[2]
}

func (r *Replication) scheduleBg(d int) {
	total := r.m.bgRates[d][3]
	if total <= 0 {
		return
	}
	t := r.eng.Now() + sim.Time(r.st.dom[d].ExpFloat64()/total)
	if float64(t) < r.m.Sc.Horizon {
		r.eng.Schedule(t, evBgFail, int32(d), 0)
	}
}

// bgDraw is one background failure: k servers of pool i down for repair
// hours (k = 0: it hit nothing running).
type bgDraw struct {
	i      int
	k      int32
	repair float64
	kind   string
}

// drawBgFail draws the next background failure of domain d and schedules
// the one after it. It changes no pool.
func (r *Replication) drawBgFail(d int) bgDraw {
	m := r.m
	rng := r.st.dom[d]
	a, b, c := r.bgRate(d)
	bg := &m.Sc.Sites[m.domSite[d]].Failures
	u := rng.Float64() * (a + b + c)
	var size int32
	var rep sim.Dist
	kind := "server"
	switch {
	case u < a:
		size, rep = 1, bg.ServerRepair
	case u < a+b:
		size, rep, kind = int32(bg.RackSize), bg.RackRepair, "rack"
	default:
		size, rep, kind = int32(bg.PDUSize), bg.PDURepair, "PDU"
	}
	// The failed unit holds servers of one pool, chosen by pool size
	// (servers no service uses absorb their share).
	dom := &m.Sc.Sites[m.domSite[d]].Domains[m.domLocal[d]]
	x := rng.IntN(max(1, dom.Servers))
	repair := rep.Sample(rng)
	r.scheduleBg(d)
	if !r.powered[d] {
		return bgDraw{}
	}
	for s := 0; s < m.nSvc; s++ {
		i := d*m.nSvc + s
		x -= int(m.poolTotal[i])
		if x < 0 {
			k := min(size, r.up[i])
			if k <= 0 || !r.booted[i] {
				return bgDraw{}
			}
			return bgDraw{i: i, k: k, repair: repair, kind: kind}
		}
	}
	return bgDraw{}
}

func (r *Replication) applyBgFail(b bgDraw) {
	if b.k == 0 {
		return
	}
	m := r.m
	d, s := b.i/m.nSvc, b.i%m.nSvc
	r.up[b.i] -= b.k
	r.bgDown[b.i] += b.k
	r.capSP[s*m.nSite+m.domSite[d]] -= b.k
	if r.tr != nil {
		r.event("failure", r.domName(d), "%s failure: %d servers of %s down for %.1fh", b.kind, b.k, r.svcName(s), b.repair)
	}
	r.eng.After(sim.Time(b.repair), evBgRepair, int32(b.i), b.k)
}

// quietBackground handles a background failure or repair that cannot
// change what any service serves — its service is home, healthy and
// running with capacity to spare before and after — and reports whether it
// did. Such an event needs no impact integration and no re-evaluation, so
// the many background events of a large fleet cost little. Otherwise it
// leaves the change to the normal path (a failure's draw waits in bgNext).
func (r *Replication) quietBackground(ev sim.Event) bool {
	m := r.m
	switch ev.Kind {
	case evBgFail:
		b := r.drawBgFail(int(ev.A))
		if b.k == 0 || !r.policy.FullBackground && r.benign(b.i, -b.k) {
			r.applyBgFail(b)
			return true
		}
		r.bgNext = b
		return false
	case evBgRepair:
		i := int(ev.A)
		d := i / m.nSvc
		if !(r.powered[d] && r.booted[i]) || !r.policy.FullBackground && r.benign(i, ev.B) {
			r.bgRepair(i, ev.B)
			return true
		}
	}
	return false
}

// benign reports whether changing pool i's running servers by delta leaves
// every serving fraction, pool state and pending decision as it is: the
// pool keeps its quorum; if it serves, its service serves fully at any hour
// before and after; and for an active-standby primary, neither "cannot
// carry the load" (which starts a failover) nor "can carry it with the
// surge" (which allows failing back) changes.
func (r *Replication) benign(i int, delta int32) bool {
	m := r.m
	d, s := i/m.nSvc, i%m.nSvc
	p := m.domSite[d]
	svc := &m.Sc.Services[s]
	idx := s*m.nSite + p
	c0, c1 := r.capSP[idx], r.capSP[idx]+delta
	if !r.running[idx] || c1 < m.quorum[idx] {
		return false
	}
	serving := !r.failingBack[s] && !r.partitioned[p] && (svc.Mode == ActiveActive || p == r.active[s])
	if serving {
		full := m.demand[s] * svc.RetrySurge
		avail := r.available(s)
		if avail < full || avail+float64(delta) < full {
			return false
		}
	}
	if svc.Mode == ActiveStandby && p == svc.Primary {
		down := m.Sc.RecoveredThreshold * m.demand[s]
		if (float64(c0) < down) != (float64(c1) < down) {
			return false
		}
		back := math.Min(float64(m.placed[idx]), m.demand[s]*svc.RetrySurge)
		if (float64(c0) < back) != (float64(c1) < back) {
			return false
		}
	}
	return true
}

// quorumNeed is the number of servers pool (s, p) needs to keep running.
func (r *Replication) quorumNeed(s, p int) int32 {
	return r.m.quorum[s*r.m.nSite+p]
}

func (r *Replication) bgRepair(i int, k int32) {
	m := r.m
	d, s := i/m.nSvc, i%m.nSvc
	r.bgDown[i] -= k
	if r.powered[d] && r.booted[i] {
		r.up[i] += k
		r.capSP[s*m.nSite+m.domSite[d]] += k
	}
}

// ---- services ----

// available returns the servers serving s now and the demand they face at
// peak.
func (r *Replication) available(s int) float64 {
	m := r.m
	svc := &m.Sc.Services[s]
	if svc.Mode == ActiveActive {
		sum := 0.0
		for _, pl := range svc.Placement {
			i := s*m.nSite + pl.Site
			if r.running[i] && !r.partitioned[pl.Site] {
				sum += float64(r.capSP[i])
			}
		}
		return sum
	}
	if r.failingBack[s] {
		return 0
	}
	p := r.active[s]
	i := s*m.nSite + p
	if r.running[i] && !r.partitioned[p] {
		return float64(r.capSP[i])
	}
	return 0
}

// ownFraction is min(1, avail / (demand·load)) × (1 - reroute loss).
func (r *Replication) ownFraction(s int, load float64) float64 {
	d := r.m.demand[s] * load
	f := 1.0
	if d > 0 {
		f = math.Min(1, r.available(s)/d)
	} else if r.available(s) == 0 && r.m.placed[s*r.m.nSite+r.active[s]] > 0 {
		f = 0
	}
	return f * (1 - r.reroute[s])
}

// refresh re-evaluates pools and services after an event: pools that lost
// quorum stop, stopped pools with quorum queue for restore, failovers
// start, and each service's peak serving fraction and health are updated.
func (r *Replication) refresh(now float64) {
	m := r.m
	for s := range m.Sc.Services {
		svc := &m.Sc.Services[s]
		for _, pl := range svc.Placement {
			i := s*m.nSite + pl.Site
			need := r.quorumNeed(s, pl.Site)
			if r.running[i] && r.capSP[i] < need {
				r.running[i] = false
				if r.tr != nil {
					r.event("pool-down", r.svcName(s), "instances at %s stopped (%d of %d servers up)", r.siteName(pl.Site), r.capSP[i], m.placed[i])
				}
				if svc.Mode == ActiveActive {
					r.reroute[s] = math.Min(1, r.reroute[s]+m.share[i])
					r.eng.After(sim.Time(svc.Reroute.Sample(r.st.fail[s])), evRerouted, int32(s), int32(pl.Site))
				}
			}
			if !r.running[i] && !r.restoring[i] && r.capSP[i] >= need {
				r.restoring[i] = true
				r.restoreQ = append(r.restoreQ, restoreReq{svc: s, site: pl.Site})
			}
		}
		r.maybeFailback(s)
		if svc.Mode == ActiveStandby && !r.foPending[s] && r.active[s] == svc.Primary && svc.Secondary >= 0 {
			down := r.primaryDown(s)
			if !down {
				r.foGaveUp[s] = false
			}
			if down && !r.foGaveUp[s] {
				r.foPending[s] = true
				r.foAutoTried[s] = false
				r.foRetries[s] = 0
				r.foAttempt[s]++
				if r.tr != nil {
					r.event("outage-detected", r.svcName(s), "primary %s cannot carry the load; failover decision pending", r.siteName(svc.Primary))
				}
				r.eng.After(sim.Time(svc.Detection.Sample(r.st.fail[s])), evDetect, int32(s), 0)
			}
		}
	}
	// Peak serving fractions in dependency order.
	anyChange := false
	for _, s := range m.Sc.Order {
		f := r.ownFraction(s, 1)
		for _, d := range m.Sc.Services[s].DependsOn {
			f *= r.fPeak[d]
		}
		if f != r.fPeak[s] {
			anyChange = true
		}
		r.fPeak[s] = f
		h := f >= m.Sc.RecoveredThreshold
		if h != r.healthy[s] {
			if !h {
				r.everImp[s] = true
				if r.tr != nil {
					r.event("impaired", r.svcName(s), "serving %.0f%% at peak", 100*f)
				}
			} else if r.everImp[s] {
				r.recovered[s] = now
				if r.tr != nil {
					r.event("recovered", r.svcName(s), "serving %.0f%% at peak", 100*f)
				}
			}
		}
		r.healthy[s] = h
	}
	if anyChange && r.tr != nil {
		r.tr.Serving(now, r.fPeak)
	}
}

// primaryDown reports whether an active-standby service's primary site
// cannot carry its peak demand: stopped, cut off, or short of servers.
func (r *Replication) primaryDown(s int) bool {
	m := r.m
	svc := &m.Sc.Services[s]
	p := svc.Primary
	i := s*m.nSite + p
	return !r.running[i] || r.partitioned[p] || float64(r.capSP[i]) < m.Sc.RecoveredThreshold*m.demand[s]
}

func (r *Replication) opsToolsDown() bool {
	for s, tool := range r.m.opsTool {
		if tool && !r.healthy[s] {
			return true
		}
	}
	return false
}

func (r *Replication) depsHealthy(s int, deps []int) bool {
	for _, d := range deps {
		if !r.healthy[d] {
			return false
		}
	}
	return true
}

// controlAvailable reports whether every control-plane service in deps
// works at all: a failover controller or tool at reduced capacity still
// acts, so it needs half its peak capacity, not full health.
func (r *Replication) controlAvailable(deps []int) bool {
	for _, d := range deps {
		if r.fPeak[d] < 0.5 {
			return false
		}
	}
	return true
}

// detect decides how to fail over: automatically if the controller and
// tooling it needs are healthy, otherwise by hand.
func (r *Replication) detect(s int) {
	m := r.m
	svc := &m.Sc.Services[s]
	if !r.primaryDown(s) {
		r.foPending[s] = false
		if r.tr != nil {
			r.event("failover-cancelled", r.svcName(s), "primary back before failover")
		}
		return
	}
	rng := r.st.fail[s]
	auto := !r.foAutoTried[s] && r.controlAvailable(svc.FailoverRequires)
	var dt float64
	how := "automatic"
	if auto {
		r.foAutoTried[s] = true
		dt = svc.FailoverAuto.Sample(rng)
	} else {
		how = "manual"
		dt = svc.FailoverManual.Sample(rng)
		if m.Sc.Ops.Drilled {
			dt /= m.Sc.Ops.DrillSpeedup
		}
		if r.opsToolsDown() {
			dt *= m.Sc.Ops.OpsSlowdown
		}
	}
	dt += svc.Warmup.Sample(rng)
	ok := rng.Float64() < svc.FailoverSuccess
	b := r.foAttempt[s]
	if !ok {
		b = -b
	}
	why := ""
	if !auto {
		why = " (failover controller or tooling down)"
		if r.foAutoTried[s] {
			why = ""
		}
	}
	if r.tr != nil {
		r.event("failover-start", r.svcName(s), "%s failover to %s%s, %.2fh", how, r.siteName(svc.Secondary), why, dt)
	}
	r.eng.After(sim.Time(dt), evFailoverDone, int32(s), b)
}

func (r *Replication) failoverDone(s int, b int32) {
	m := r.m
	svc := &m.Sc.Services[s]
	r.foPending[s] = false
	if !r.primaryDown(s) {
		if r.tr != nil {
			r.event("failover-cancelled", r.svcName(s), "primary back first")
		}
		return
	}
	if b < 0 {
		r.foRetries[s]++
		if r.foRetries[s] >= maxFailoverTries {
			r.foGaveUp[s] = true
			if r.tr != nil {
				r.event("failover-abandoned", r.svcName(s), "%d failover attempts failed; waiting for the primary", r.foRetries[s])
			}
			return
		}
		if r.tr != nil {
			r.event("failover-failed", r.svcName(s), "failover attempt failed; retrying by hand")
		}
		r.foPending[s] = true
		r.eng.After(0, evDetect, int32(s), 0)
		return
	}
	r.active[s] = svc.Secondary
	rng := r.st.data[s]
	lost := 0.0
	switch svc.Replication {
	case "async":
		lost = svc.ReplicationLag.Sample(rng) * 3600
	case "backup":
		lost = rng.Float64() * svc.BackupInterval * 3600
	}
	r.data[s] += lost
	if r.tr != nil {
		r.event("failover-done", r.svcName(s), "serving from %s; %.0fs of writes lost", r.siteName(svc.Secondary), lost)
	}
}

// dispatchRestores starts waiting restorations, in priority order, while
// crews are free and their dependencies are healthy.
func (r *Replication) dispatchRestores() {
	m := r.m
	for r.crewsBusy < m.Sc.Ops.RestoreCrews {
		best := -1
		for k, q := range r.restoreQ {
			if !r.depsHealthy(q.svc, m.Sc.Services[q.svc].DependsOn) {
				continue
			}
			if best < 0 || less(m, q, r.restoreQ[best]) {
				best = k
			}
		}
		if best < 0 {
			return
		}
		q := r.restoreQ[best]
		r.restoreQ = append(r.restoreQ[:best], r.restoreQ[best+1:]...)
		svc := &m.Sc.Services[q.svc]
		dt := svc.Restore.Sample(r.st.rest[q.svc])
		slow := ""
		if r.opsToolsDown() {
			dt *= m.Sc.Ops.OpsSlowdown
			slow = " (ops tooling down: slower)"
		}
		r.crewsBusy++
		if r.tr != nil {
			r.event("restore-start", r.svcName(q.svc), "restoring instances at %s%s, %.2fh", r.siteName(q.site), slow, dt)
		}
		r.eng.After(sim.Time(dt), evRestoreDone, int32(q.svc), int32(q.site))
	}
}

func less(m *Model, a, b restoreReq) bool {
	pa, pb := m.Sc.Services[a.svc].Priority, m.Sc.Services[b.svc].Priority
	if pa != pb {
		return pa < pb
	}
	if a.svc != b.svc {
		return a.svc < b.svc
	}
	return a.site < b.site
}

func (r *Replication) restoreDone(s, p int) {
	i := s*r.m.nSite + p
	r.crewsBusy--
	r.restoring[i] = false
	r.running[i] = true
	if r.tr != nil {
		r.event("restored", r.svcName(s), "instances at %s running", r.siteName(p))
	}
}

// maybeFailback returns an active-standby service to its primary site once
// the primary runs again with capacity for peak demand including the retry
// surge, so that failing back does not itself impair the service.
func (r *Replication) maybeFailback(s int) {
	m := r.m
	svc := &m.Sc.Services[s]
	p := svc.Primary
	i := s*m.nSite + p
	if svc.Mode != ActiveStandby || r.active[s] == p || !r.running[i] || r.partitioned[p] {
		return
	}
	if float64(r.capSP[i]) < math.Min(float64(m.placed[i]), m.demand[s]*svc.RetrySurge) {
		return
	}
	r.active[s] = p
	if svc.FailbackOutage > 0 {
		r.failingBack[s] = true
		if r.tr != nil {
			r.event("failback-start", r.svcName(s), "failing back to %s", r.siteName(p))
		}
		r.eng.After(sim.Time(svc.FailbackOutage), evFailbackDone, int32(s), 0)
		return
	}
	if r.tr != nil {
		r.event("failback", r.svcName(s), "serving from %s again", r.siteName(p))
	}
}

// settled reports whether the incident is over: every domain powered and
// booted, every pool running where it should, every service healthy and
// home, and no external cause still active.
func (r *Replication) settled() bool {
	m := r.m
	for p := 0; p < m.nSite; p++ {
		if r.fireActive[p] || r.causeActive[p] != 0 || r.partitioned[p] || r.bootBusy[p] || r.repowerBusy[p] || len(r.bootQ[p]) > 0 {
			return false
		}
	}
	for d := 0; d < m.nDom; d++ {
		if !r.powered[d] || r.burned[d] && !r.inspected[m.domSite[d]] {
			return false
		}
		for s := 0; s < m.nSvc; s++ {
			i := d*m.nSvc + s
			if r.destroyed[i] > 0 || !r.booted[i] && m.poolTotal[i] > 0 {
				return false
			}
		}
		if r.destOther[d] > 0 {
			return false
		}
	}
	for s := range m.Sc.Services {
		if !r.healthy[s] || r.foPending[s] || r.failingBack[s] || r.reroute[s] > 0 {
			return false
		}
		svc := &m.Sc.Services[s]
		if svc.Mode != ActiveActive && r.active[s] != svc.Primary {
			return false
		}
		for _, pl := range svc.Placement {
			if !r.running[s*m.nSite+pl.Site] {
				return false
			}
		}
	}
	return len(r.restoreQ) == 0 && r.crewsBusy == 0
}

// advance integrates impact from the last event to t. Capacity is constant
// in between; demand follows the hourly profile, so the interval is split
// at whole local hours and each piece integrated exactly:
//
//	loss_s = Σ_pieces Δt · users_s(h) · (1 - f_s(h))
//	f_s(h) = min(1, avail_s / (D_s · p_s(h) · surge_s)) · (1 - reroute_s) · Π_{d ∈ deps(s)} f_d(h)
func (r *Replication) advance(t float64) {
	t0 := r.lastT
	if !(t > t0) {
		return
	}
	r.lastT = t
	m := r.m
	if r.allFull() {
		return
	}
	wh0 := r.week0
	for a := t0; a < t; {
		wh := wh0 + a
		b := math.Min(t, a+(math.Floor(wh)+1-wh))
		if b <= a {
			b = math.Min(t, a+1e-9)
		}
		dt := b - a
		for _, s := range m.Sc.Order {
			svc := &m.Sc.Services[s]
			load := svc.Profile.At(wh)
			surge := 1.0
			if !r.healthy[s] {
				surge = svc.RetrySurge
			}
			f := 0.0
			if load > 0 {
				f = r.ownFraction(s, load*surge)
			} else {
				f = 1 - r.reroute[s]
			}
			for _, d := range svc.DependsOn {
				f *= r.fTmp[d]
			}
			r.fTmp[s] = f
			lost := (1 - f) * dt
			if lost <= 0 {
				continue
			}
			r.outage[s] += lost
			r.userH[s] += svc.PeakUsers * load * lost
			r.reqs[s] += svc.PeakUsers * svc.RequestsPerUserHour * load * lost
			r.rev[s] += svc.RevenuePerHour * load * lost
		}
		a = b
	}
}

// allFull reports whether every service serves fully whatever the hour:
// then the interval adds no impact and need not be split.
func (r *Replication) allFull() bool {
	m := r.m
	for s := range m.Sc.Services {
		if !r.healthy[s] || r.reroute[s] > 0 {
			return false
		}
		if r.available(s) < m.demand[s] {
			return false
		}
	}
	return true
}

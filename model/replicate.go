package model

import (
	"fmt"
	"math/rand/v2"

	"github.com/dcsim/dcsim/model/results"
	"github.com/dcsim/dcsim/sim"
)

// Units of a replication. An event's kind is unit<<8 | a kind local to
// the unit, so each unit owns its event kinds and the dispatch in Handle
// is a table lookup: power, fleet, services and background are fixed
// units; hazard instance i is unit unitHazard+i.
const (
	unitPower int32 = iota
	unitFleet
	unitServices
	unitBackground
	unitCooling
	unitHazard
)

func kindOf(unit, local int32) int32 { return unit<<8 | local }

// Replication is a reusable simulator of one scenario replication: the
// wiring of one engine, the world's units and the incidents' hazards. It
// is not safe for concurrent use: each worker owns one.
//
// The units, each in its own file:
//
//	power      power.go       why each domain is dark; re-powering queues
//	fleet      fleet.go       servers per (domain, service) pool; boot queues
//	background background.go  independent server, rack and PDU failures
//	services   services.go    pools, quorum, serving fractions, health
//	           failover.go    failover, failback, reroute
//	           restore.go     restore crews
//	impact     impact.go      exact integration of users, requests, revenue
//	hazards    hazard*.go     one file per hazard: fire, utility, cooling,
//	                          partition
type Replication struct {
	m      *Model
	eng    *sim.Engine
	rng    *sim.Streams
	st     streams
	tr     Tracer
	policy Policy

	power   power
	fleet   fleet
	bg      background
	cool    coolingUnits
	svc     services
	data    dataStore
	imp     impact
	init0   initState // the state after the first refresh (initstate.go)
	hazards []hazard  // the incidents of this replication, in order
	fixed   []hazard  // the scenario's own incidents

	hwCost  float64
	week0   float64 // week hour at t = 0
	horizon float64 // hours simulated at most
	stopped bool

	// occ[i][k] is the hazard of the k-th occurrence of catalogue incident
	// i in one replication of RunOccurrences, made on first use and reused.
	occ [][]hazard
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
	r := &Replication{m: m, rng: sim.NewStreams(0, 0)}
	r.eng = sim.NewEngine(r)
	r.st.init(r.rng, m)
	r.power.init(r)
	r.fleet.init(r)
	r.bg.init(r)
	r.cool.init(r)
	r.svc.init(r)
	r.data.init(r)
	r.imp.init(r)
	for i := range m.incidents {
		r.fixed = append(r.fixed, newHazard(r, &m.incidents[i], unitHazard+int32(i)))
	}
	r.hazards = append([]hazard(nil), r.fixed...)
	r.occ = make([][]hazard, len(m.Sc.Incidents))
	return r
}

// SetTracer makes r report events to t (nil for none).
func (r *Replication) SetTracer(t Tracer) { r.tr = t }

// SetPolicy changes behaviour for tests.
func (r *Replication) SetPolicy(p Policy) { r.policy, r.init0 = p, initState{} }

// events returns the events handled since Start, counted as the engine
// would if background events passed through it (see background).
func (r *Replication) events() uint64 { return r.eng.Fired() - r.bg.wakes + r.bg.n }

// Engine exposes the engine, for scripted tests that step it.
func (r *Replication) Engine() *sim.Engine { return r.eng }

// Run simulates replication rep of a run seeded with seed and fills out.
func (r *Replication) Run(seed uint64, rep int, out *results.Outcome) {
	r.Start(seed, rep)
	r.eng.RunUntil(sim.Time(r.horizon))
	r.Finish(out)
}

// Occurrence is one incident of the scenario's catalogue placed in a
// replication At hours after its t = 0.
type Occurrence struct {
	Incident int // index into Scenario.Incidents
	At       float64
}

// RunOccurrences simulates one replication holding the given catalogue
// incidents (in order of At, the first at 0) instead of the scenario's
// own, as annual risk does with the incidents of a sampled year that
// overlap. The week hour of t = 0 is drawn (as start = "random" does);
// the horizon runs to the scenario's horizon after the last incident. The
// k-th occurrence of an incident in the replication draws from streams
// named by the incident and k, so replication rep of seed is reproducible
// and variants of the scenario see the same courses.
func (r *Replication) RunOccurrences(seed uint64, rep int, occ []Occurrence, out *results.Outcome) {
	m := r.m
	r.hazards = r.hazards[:0]
	for j, o := range occ {
		k := 0
		for _, p := range occ[:j] {
			if p.Incident == o.Incident {
				k++
			}
		}
		for len(r.occ[o.Incident]) <= k {
			ci := m.occurrence(o.Incident, len(r.occ[o.Incident]))
			r.occ[o.Incident] = append(r.occ[o.Incident], newHazard(r, ci, 0))
		}
		h := r.occ[o.Incident][k]
		b := h.base()
		b.unit = unitHazard + int32(j)
		b.at = o.At
		r.hazards = append(r.hazards, h)
	}
	last := 0.0
	if len(occ) > 0 {
		last = occ[len(occ)-1].At
	}
	r.start(seed, rep, last+m.Sc.Horizon, true)
	r.eng.RunUntil(sim.Time(r.horizon))
	r.Finish(out)
	r.hazards = append(r.hazards[:0], r.fixed...)
}

// Start resets state to the healthy fleet at t = 0 and schedules each
// incident's start, without running anything.
func (r *Replication) Start(seed uint64, rep int) {
	r.start(seed, rep, r.m.Sc.Horizon, r.m.Sc.Incident.RandomStart)
}

func (r *Replication) start(seed uint64, rep int, horizon float64, randomStart bool) {
	m := r.m
	r.horizon = horizon
	r.eng.Reset()
	r.rng.Reset(seed, uint64(rep))
	r.power.reset()
	r.fleet.reset()
	r.svc.reset()
	r.data.reset()
	r.fleet.startCrews()
	r.imp.reset()
	r.hwCost, r.stopped = 0, false
	r.week0 = m.Sc.Incident.WeekHour
	if randomStart {
		r.week0 = 168 * r.st.start.Float64()
	}
	r.startServices()
	r.bg.reset()
	for _, h := range r.hazards {
		h.reset()
		r.eng.Schedule(sim.Time(h.base().at), kindOf(h.base().unit, hzStart), 0, 0)
	}
	if !r.policy.NoBackground {
		r.bg.start()
		r.cool.start()
	}
}

// Finish integrates impact up to the end of the replication and fills out.
func (r *Replication) Finish(out *results.Outcome) {
	m := r.m
	end := float64(r.eng.Now())
	if !r.stopped {
		end = r.horizon
	}
	r.imp.finish(end)
	if cap(out.Services) < m.nSvc {
		out.Services = make([]results.ServiceOutcome, m.nSvc)
	}
	out.Services = out.Services[:m.nSvc]
	*out = results.Outcome{Services: out.Services, HardwareCost: r.hwCost}
	sv, im := &r.svc, &r.imp
	for s := range m.Sc.Services {
		ttr := 0.0
		if sv.hot[s].everImp {
			ttr = sv.recovered[s]
			if !sv.hot[s].healthy {
				ttr = end
			}
		}
		writes, restored, restoreH, lostTB := r.data.outcome(s, end)
		so := results.ServiceOutcome{
			TimeToRecoverH: ttr, OutageH: im.st[s].outage, UserHoursLost: im.st[s].userH,
			RequestsLost: im.st[s].reqs, RevenueLost: im.st[s].rev, DataLostS: sv.data[s] + writes,
			DataRestoredTB: restored, DataRestoreH: restoreH, DataLostTB: lostTB,
		}
		if lostTB > 0 {
			so.DataLostForGood = 1
		}
		out.Services[s] = so
		out.AllServicesRecoveredH = max(out.AllServicesRecoveredH, ttr)
		out.UserHoursLost += so.UserHoursLost
		out.RequestsLost += so.RequestsLost
		out.RevenueLost += so.RevenueLost
		out.DataLostS = max(out.DataLostS, so.DataLostS)
		out.DataRestoredTB += restored
		out.DataLostTB += lostTB
	}
	e := m.Sc.Economics
	out.Loss = out.RevenueLost + out.UserHoursLost*(e.ValuePerUserHour+e.CompensationPerUserHour) + out.HardwareCost
}

// Handle dispatches one event to the unit that owns its kind, then
// re-evaluates the services whose inputs changed, starts restorations that
// became possible, and stops the replication once everything has recovered.
func (r *Replication) Handle(e *sim.Engine, ev sim.Event) {
	unit, local := ev.Kind>>8, ev.Kind&0xff
	if unit == unitBackground && r.bg.wake(float64(ev.Time)) {
		return
	}
	switch unit {
	case unitPower:
		r.power.handle(local, ev)
	case unitFleet:
		r.fleet.handle(local, ev)
	case unitServices:
		r.svc.handle(local, ev)
	case unitBackground:
		r.bg.handle(local, ev)
	case unitCooling:
		r.cool.handle(local, ev)
	default:
		i := int(unit - unitHazard)
		if i < 0 || i >= len(r.hazards) {
			panic(fmt.Sprintf("model: unknown event kind %d", ev.Kind))
		}
		h := r.hazards[i]
		if local == hzStart {
			h.base().begin()
		}
		h.handle(local, ev)
	}
	now := float64(ev.Time)
	r.svc.refresh(now)
	r.data.flush(now)
	r.svc.dispatchRestores()
	if r.settled() {
		r.stopped = true
		e.Stop()
	}
}

// settled reports whether the incidents are over: every hazard's course
// has run, every domain powered and booted, no servers destroyed, no
// re-power or boot under way, every service healthy, home and running, and
// no restoration waiting. Each unit keeps the counts this needs, so the
// check costs O(sites), not O(domains × services).
func (r *Replication) settled() bool {
	for _, h := range r.hazards {
		if !h.done() {
			return false
		}
	}
	return r.power.settled() && r.fleet.settled() && r.svc.settled() && r.data.settled()
}

// streams are the random streams of a replication, one per entity and
// purpose, named by hashes of the entity's name (Model's stream ids) so
// that adding or reordering entities never changes another's numbers.
type streams struct {
	site, dom, fail, rest, data []*randSource
	start                       *randSource // incident start time
}

func (st *streams) init(s *sim.Streams, m *Model) {
	get := func(ids []uint64) []*randSource {
		out := make([]*randSource, len(ids))
		for i, id := range ids {
			out[i] = s.Get(id)
		}
		return out
	}
	st.site = get(m.siteStream)
	st.dom = get(m.domStream)
	st.fail = get(m.svcFailStream)
	st.rest = get(m.svcRestStream)
	st.data = get(m.svcDataStream)
	st.start = s.Get(streamID("incident", "start"))
}

// randSource is one PCG-backed stream.
type randSource = rand.Rand

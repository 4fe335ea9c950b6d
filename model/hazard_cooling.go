package model

import (
	"math"

	"github.com/dcsim/dcsim/sim"
)

// CoolingLoss is a loss of cooling at whole sites.
const CoolingLoss Hazard = "cooling_loss"

func init() {
	registerHazard(CoolingLoss, hazardKind{title: "Cooling loss", inDomain: false, parts: true,
		build: func(h incident) hazard { return newCoolingLoss(h) }, assumptions: nil})
}

// Cooling-loss events.
const (
	coolShutdown    int32 = iota + 1 // A domain: too hot, shut down
	coolRestored                     // cooling is back at every site in scope
	coolServersBack                  // A domain: overheated servers replaced
	coolDamage                       // A domain, B site in scope: overheating damage found
	coolThrottle                     // A domain: too hot, servers throttle
)

// coolingLoss is a loss of cooling at each site in scope for the
// incident's duration. If it outlasts the site's thermal_buffer, every
// domain shuts down when the buffer runs out, overheat_destroyed of its
// servers are destroyed (replaced server_lead_time after cooling returns),
// and the domains come back by their transfer switches when cooling does.
type coolingLoss struct {
	incident
	lost        int       // sites still without cooling
	hallScratch []int     // halls hit at one site
	dur         []float64 // per site in scope, how long cooling is lost
	rate        []float64 // per site in scope, how fast its halls warm
	thr         []bool    // per domain, throttling scheduled or under way
}

func newCoolingLoss(h incident) *coolingLoss {
	n := len(h.in.sites)
	return &coolingLoss{incident: h, dur: make([]float64, n), rate: make([]float64, n), thr: make([]bool, h.r.m.nDom)}
}

func (c *coolingLoss) reset() { c.resetIncident(); c.lost = 0; clear(c.thr) }

func (c *coolingLoss) done() bool { return c.started && c.lost == 0 }

func (c *coolingLoss) handle(local int32, ev sim.Event) {
	r := c.r
	switch local {
	case hzStart:
		c.lost = len(c.in.sites)
		for k := range c.in.sites {
			c.lose(k)
		}
	case coolShutdown:
		c.hold(int(ev.A), causeCooling)
	case coolRestored:
		p := int(ev.A)
		if r.tr != nil {
			r.event("cooling-restored", r.siteName(p), "cooling back")
		}
		// Release what it held: the domains it hits, or with the per-hall
		// model every domain of the halls they are in.
		for _, d := range r.m.siteDom[p] {
			if c.thr[d] {
				c.thr[d] = false
				r.fleet.unthrottle(d)
			}
			c.release(d, causeCooling)
		}
		c.lost--
	case coolServersBack:
		r.fleet.serversBack(int(ev.A))
	case coolDamage:
		c.damage(int(ev.A), int(ev.B))
	case coolThrottle:
		d := int(ev.A)
		if r.power.powered[d] {
			r.fleet.throttle(d, r.m.Sc.Sites[r.m.domSite[d]].Cooling.ThrottleCapacity)
			if r.tr != nil {
				r.event("throttled", r.domName(d), "too hot: servers throttle to %g of their capacity", r.m.Sc.Sites[r.m.domSite[d]].Cooling.ThrottleCapacity)
			}
		}
	default:
		panic("model: unknown cooling event")
	}
}

func (c *coolingLoss) lose(k int) {
	r := c.r
	m := r.m
	p := c.in.sites[k]
	rng := c.site[p]
	site := &m.Sc.Sites[p]
	dur := c.duration(rng)
	if site.Cooling.Thermal {
		c.heat(k, dur)
		r.eng.After(sim.Time(dur), c.kind(coolRestored), int32(p), int32(k))
		return
	}
	buf := site.Cooling.ThermalBuffer.Sample(rng)
	if r.tr != nil {
		r.event("cooling-lost", r.siteName(p), "cooling lost for %.2fh; thermal buffer %.2fh", dur, buf)
	}
	if buf < dur {
		for _, d := range c.in.doms[k] {
			frac := site.Cooling.OverheatDestroyed.Sample(c.dom[d])
			if frac > 0 {
				r.hwCost += float64(r.fleet.destroy(d, frac)) * site.ServerCost
				r.eng.After(sim.Time(dur+site.Fire.ServerLeadTime.Sample(c.dom[d])), c.kind(coolServersBack), int32(d), 0)
			}
			r.eng.After(sim.Time(buf), c.kind(coolShutdown), int32(d), 0)
		}
	}
	r.eng.After(sim.Time(dur), c.kind(coolRestored), int32(p), int32(k))
}

// heat runs the per-hall thermal model at the k-th site in scope for a
// loss of cooling lasting dur: each hall that holds a domain the incident
// hits (cooling is a hall's: every domain of the hall warms) keeps a fraction c = min(1, (units - lost)/needed) of the cooling
// its load needs and warms at heat_rate·(1-c) °C per hour, reaching
// shutdown_temp after (shutdown_temp - start_temp)/(heat_rate·(1-c)) hours.
// Then operators shut the hall's domains down (shutdown_probability) until
// cooling returns; otherwise the equipment keeps running, and past
// damage_temp the classes in damages are destroyed at damage_rate per hour
// above it: a fraction 1 - exp(-damage_rate·hours above), found and
// replaced (server_lead_time) once cooling is back.
func (c *coolingLoss) heat(k int, dur float64) {
	r := c.r
	m := r.m
	p := c.in.sites[k]
	site := &m.Sc.Sites[p]
	co := &site.Cooling
	lost := co.Units
	if c.in.UnitsLost > 0 {
		lost = min(c.in.UnitsLost, co.Units)
	}
	frac := min(1, float64(co.Units-lost)/float64(co.Needed))
	rate := co.HeatRate * (1 - frac)
	c.dur[k], c.rate[k] = dur, rate
	if r.tr != nil {
		r.event("cooling-lost", r.siteName(p), "%d of %d cooling units per hall lost for %.2fh: halls warm at %.3g °C/h", lost, co.Units, dur, rate)
	}
	if rate <= 0 {
		return
	}
	tShut := (co.ShutdownTemp - co.StartTemp) / rate
	tDmg := (co.DamageTemp - co.StartTemp) / rate
	if tThr := (co.ThrottleTemp - co.StartTemp) / rate; co.ThrottleCapacity < 1 && tThr < min(tShut, dur) {
		for _, h := range c.halls(k) {
			for _, local := range m.hallDoms[p][h] {
				d := m.siteDom[p][local]
				c.thr[d] = true
				r.eng.After(sim.Time(tThr), c.kind(coolThrottle), int32(d), 0)
			}
		}
	}
	if tShut >= dur {
		return
	}
	for _, h := range c.halls(k) {
		rng := c.site[p]
		shut := co.ShutdownProbability >= 1 || rng.Float64() < co.ShutdownProbability
		for _, local := range m.hallDoms[p][h] {
			d := m.siteDom[p][local]
			if shut {
				r.eng.After(sim.Time(tShut), c.kind(coolShutdown), int32(d), 0)
				continue
			}
			if tDmg < dur {
				r.eng.After(sim.Time(dur), c.kind(coolDamage), int32(d), int32(k))
			}
		}
	}
}

// damage destroys, in domain d of the k-th site in scope, the fraction
// 1 - exp(-damage_rate·hours above damage_temp) of the damaged classes,
// found when cooling is back; replacements come server_lead_time later.
func (c *coolingLoss) damage(d, k int) {
	r := c.r
	site := &r.m.Sc.Sites[c.in.sites[k]]
	co := &site.Cooling
	above := c.dur[k] - (co.DamageTemp-co.StartTemp)/c.rate[k]
	n := r.fleet.destroyClasses(d, 1-math.Exp(-co.DamageRate*above), co.Damages, true)
	r.hwCost += float64(n) * site.ServerCost
	if r.tr != nil {
		r.event("overheated", r.domName(d), "above %g °C for %.2fh: %d servers of the damaged classes destroyed", co.DamageTemp, above, n)
	}
	r.eng.After(sim.Time(site.Fire.ServerLeadTime.Sample(c.dom[d])), c.kind(coolServersBack), int32(d), 0)
}

// halls lists the halls (at the k-th site in scope) that hold a domain
// the incident hits, in hall order.
func (c *coolingLoss) halls(k int) []int {
	m := c.r.m
	p := c.in.sites[k]
	c.hallScratch = c.hallScratch[:0]
	for h, doms := range m.hallDoms[p] {
		for _, local := range doms {
			if c.hit(k, m.siteDom[p][local]) {
				c.hallScratch = append(c.hallScratch, h)
				break
			}
		}
	}
	return c.hallScratch
}

// hit reports whether the incident hits domain d at the k-th site.
func (c *coolingLoss) hit(k, d int) bool {
	for _, x := range c.in.doms[k] {
		if x == d {
			return true
		}
	}
	return false
}

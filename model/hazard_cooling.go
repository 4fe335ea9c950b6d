package model

import "github.com/dcsim/dcsim/sim"

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
)

// coolingLoss is a loss of cooling at each site in scope for the
// incident's duration. If it outlasts the site's thermal_buffer, every
// domain shuts down when the buffer runs out, overheat_destroyed of its
// servers are destroyed (replaced server_lead_time after cooling returns),
// and the domains come back by their transfer switches when cooling does.
type coolingLoss struct {
	incident
	lost int // sites still without cooling
}

func newCoolingLoss(h incident) *coolingLoss { return &coolingLoss{incident: h} }

func (c *coolingLoss) reset() { c.resetIncident(); c.lost = 0 }

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
		p, k := int(ev.A), int(ev.B)
		if r.tr != nil {
			r.event("cooling-restored", r.siteName(p), "cooling back")
		}
		for _, d := range c.in.doms[k] {
			c.release(d, causeCooling)
		}
		c.lost--
	case coolServersBack:
		r.fleet.serversBack(int(ev.A))
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

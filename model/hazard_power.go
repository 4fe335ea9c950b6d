package model

import "github.com/dcsim/dcsim/sim"

// PowerFailure is a failure inside a site's power chain: a power train's
// switchgear, UPS, breaker or distribution (a fault, or a breaker mis-set
// by hand).
const PowerFailure Hazard = "power_failure"

func init() {
	registerHazard(PowerFailure, hazardKind{title: "Internal power failure", trains: true,
		build: func(h incident) hazard { return newPowerFailure(h) }, assumptions: nil})
}

// Power-failure events.
const (
	pfRepaired    int32 = iota + 1 // A flat train: repaired
	pfServersBack                  // A domain: destroyed servers replaced
)

// destroy takes destroyed_fraction of the servers of every domain the
// failure darkened at site p (a surge, an arc flash); replacements come
// after [sites.fire] server_lead_time.
func (pf *powerFailure) destroy(p int) {
	r := pf.r
	m := r.m
	site := &m.Sc.Sites[p]
	for _, d := range m.siteDom[p] {
		if r.power.causes[d]&causeTrain == 0 {
			continue
		}
		rng := pf.dom[d]
		n := r.fleet.destroy(d, pf.in.Destroyed.Sample(rng))
		r.hwCost += float64(n) * site.ServerCost
		if r.tr != nil {
			r.event("destroyed", r.domName(d), "%d servers not recoverable", n)
		}
		r.eng.After(sim.Time(site.Fire.ServerLeadTime.Sample(rng)), pf.kind(pfServersBack), int32(d), 0)
	}
}

// powerFailure fails each power train it names at once; each is repaired
// after its own draw of the incident's duration. A domain loses power
// while every train that feeds it is down — so a domain on A/B feeds rides
// through the loss of one train — and is re-energised by hand through the
// site's re-power queue once a feed is back (breakers and switchgear are
// reset on site).
type powerFailure struct {
	incident
	down int // trains still failed
}

func newPowerFailure(h incident) *powerFailure { return &powerFailure{incident: h} }

func (pf *powerFailure) reset() { pf.resetIncident(); pf.down = 0 }

func (pf *powerFailure) done() bool { return pf.started && pf.down == 0 }

func (pf *powerFailure) handle(local int32, ev sim.Event) {
	r := pf.r
	m := r.m
	p := pf.in.Site
	switch local {
	case hzStart:
		pf.down = len(pf.in.Trains)
		for _, t := range pf.in.Trains {
			ft := m.trainBase[p] + t
			dur := pf.in.Duration.Sample(pf.site[p])
			if r.tr != nil {
				r.event("train-failed", r.siteName(p), "power train %s failed; repair %.2fh", m.Sc.Sites[p].Trains[t], dur)
			}
			r.power.trainFail(ft)
			r.eng.After(sim.Time(dur), pf.kind(pfRepaired), int32(ft), 0)
		}
		if pf.in.Destroyed.Kind != sim.Const || pf.in.Destroyed.A > 0 {
			pf.destroy(p)
		}
	case pfServersBack:
		r.fleet.serversBack(int(ev.A))
	case pfRepaired:
		ft := int(ev.A)
		pf.down--
		if r.tr != nil {
			r.event("train-repaired", r.siteName(p), "power train %s repaired", m.Sc.Sites[p].Trains[ft-m.trainBase[p]])
		}
		r.power.trainRepair(ft)
	default:
		panic("model: unknown power-failure event")
	}
}

package model

import (
	"github.com/dcsim/dcsim/sim"
)

// Lightning is a lightning strike or voltage surge at a site: it damages
// power and cooling equipment, and so starts the hazards those failures
// are — a power-train failure, a loss of cooling.
const Lightning Hazard = "lightning"

func init() {
	registerHazard(Lightning, hazardKind{title: "Lightning or voltage surge", parts: true,
		build: func(h incident) hazard { return newLightning(h) }, assumptions: nil})
}

// Lightning's own events; the cooling loss it may cause uses the cooling
// hazard's (below lnBase).
const (
	lnBase     int32 = 16 + iota
	lnRepaired       // A flat train: repaired
)

// lightning strikes each site in scope: with [sites.lightning]
// trip_probability it trips each power train feeding a domain it hits (a
// power_failure of that train, repaired after a draw of the incident's
// duration); with cooling_probability it damages the cooling of the halls
// it hits, losing cooling_units per hall (all when 0) for a draw of the
// incident's duration — the cooling_loss course, on the site's cooling
// model. A domain whose trains all trip is re-energised by hand.
type lightning struct {
	incident
	cool    *coolingLoss // the cooling loss it may cause, same streams and unit
	tripped []bool       // per flat train
	down    int
}

func newLightning(h incident) *lightning {
	return &lightning{incident: h, cool: newCoolingLoss(h), tripped: make([]bool, len(h.r.m.trainDoms))}
}

func (l *lightning) reset() {
	l.resetIncident()
	l.cool.reset()
	clear(l.tripped)
	l.down = 0
}

func (l *lightning) done() bool { return l.started && l.down == 0 && l.cool.lost == 0 }

func (l *lightning) handle(local int32, ev sim.Event) {
	r := l.r
	m := r.m
	switch {
	case local == hzStart:
		l.cool.started, l.cool.shared = true, l.shared
		for k, p := range l.in.sites {
			site := &m.Sc.Sites[p]
			rng := l.site[p]
			if r.tr != nil {
				r.event("lightning", r.siteName(p), "strike")
			}
			for _, d := range l.in.doms[k] {
				for _, ft := range m.domFeeds[d] {
					if l.tripped[ft] || !(rng.Float64() < site.Lightning.TripProbability) {
						continue
					}
					l.tripped[ft] = true
					l.down++
					dur := l.in.Duration.Sample(rng)
					if r.tr != nil {
						r.event("train-failed", r.siteName(p), "power train %s tripped by the strike; repair %.2fh", site.Trains[ft-m.trainBase[p]], dur)
					}
					r.power.trainFail(ft)
					r.eng.After(sim.Time(dur), l.kind(lnRepaired), int32(ft), 0)
				}
			}
			if rng.Float64() < site.Lightning.CoolingProbability {
				l.cool.lost++
				l.cool.lose(k)
			}
		}
	case local == lnRepaired:
		ft := int(ev.A)
		l.down--
		r.power.trainRepair(ft)
		if r.tr != nil {
			p := m.domSite[m.trainDoms[ft][0]]
			r.event("train-repaired", r.siteName(p), "power train %s repaired", m.Sc.Sites[p].Trains[ft-m.trainBase[p]])
		}
	case local < lnBase:
		l.cool.handle(local, ev)
	default:
		panic("model: unknown lightning event")
	}
}

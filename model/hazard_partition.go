package model

import "github.com/dcsim/dcsim/sim"

// NetworkPartition cuts whole sites off the network.
const NetworkPartition Hazard = "network_partition"

func init() {
	registerHazard(NetworkPartition, hazardKind{title: "Network partition", inDomain: false,
		build: func(h incident) hazard { return newPartition(h) }, assumptions: nil})
}

// Partition events.
const (
	partHealed        int32 = iota + 1 // A site: reachable again
	partBetweenHealed                  // the regions reach each other again
)

// partition cuts each site in scope off the network for the incident's
// duration: nothing there serves users, and traffic still aimed at its
// active-active instances fails until it is rerouted (the service's
// reroute time). Servers keep running.
//
// A partition between two regions (between) cuts no site off the users:
// for its duration no site of one region reaches a site of the other, so
// a service serving on one side that needs a service serving only on the
// other serves nothing.
type partition struct {
	incident
	cut  int    // sites still cut off, or 1 while cut between regions
	side []int8 // per site, 1 or 2 for the two regions cut apart
}

func newPartition(h incident) *partition {
	pt := &partition{incident: h}
	if b := h.in.Between; b[0] != "" {
		pt.side = make([]int8, h.r.m.nSite)
		for p := range h.r.m.Sc.Sites {
			switch h.r.m.Sc.Sites[p].Region {
			case b[0]:
				pt.side[p] = 1
			case b[1]:
				pt.side[p] = 2
			}
		}
	}
	return pt
}

func (pt *partition) reset() { pt.resetIncident(); pt.cut = 0 }

func (pt *partition) done() bool { return pt.started && pt.cut == 0 }

func (pt *partition) handle(local int32, ev sim.Event) {
	r := pt.r
	switch local {
	case hzStart:
		if pt.side != nil {
			pt.cut = 1
			dur := pt.in.Duration.Sample(pt.own)
			if r.tr != nil {
				r.event("partition", "between "+pt.in.Between[0]+" and "+pt.in.Between[1], "regions cut apart for %.2fh", dur)
			}
			r.svc.cutBetween(pt.side)
			r.eng.After(sim.Time(dur), pt.kind(partBetweenHealed), 0, 0)
			return
		}
		pt.cut = len(pt.in.sites)
		for _, p := range pt.in.sites {
			dur := pt.duration(pt.site[p])
			r.svc.cutOff(p)
			if r.tr != nil {
				r.event("partition", r.siteName(p), "site cut off from the network for %.2fh", dur)
			}
			r.eng.After(sim.Time(dur), pt.kind(partHealed), int32(p), 0)
		}
	case partHealed:
		p := int(ev.A)
		pt.cut--
		r.svc.reconnect(p)
		if r.tr != nil {
			r.event("partition-healed", r.siteName(p), "site reachable again")
		}
	case partBetweenHealed:
		pt.cut = 0
		r.svc.healBetween(pt.side)
		if r.tr != nil {
			r.event("partition-healed", "between "+pt.in.Between[0]+" and "+pt.in.Between[1], "regions reach each other again")
		}
	default:
		panic("model: unknown partition event")
	}
}

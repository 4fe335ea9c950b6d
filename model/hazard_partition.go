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
	partHealed int32 = iota + 1 // A site: reachable again
)

// partition cuts each site in scope off the network for the incident's
// duration: nothing there serves users, and traffic still aimed at its
// active-active instances fails until it is rerouted (the service's
// reroute time). Servers keep running.
type partition struct {
	incident
	cut int // sites still cut off
}

func newPartition(h incident) *partition { return &partition{incident: h} }

func (pt *partition) reset() { pt.resetIncident(); pt.cut = 0 }

func (pt *partition) done() bool { return pt.started && pt.cut == 0 }

func (pt *partition) handle(local int32, ev sim.Event) {
	r := pt.r
	switch local {
	case hzStart:
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
	default:
		panic("model: unknown partition event")
	}
}

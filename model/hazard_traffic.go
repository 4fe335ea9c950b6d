package model

import "github.com/dcsim/dcsim/sim"

// TrafficSurge is demand beyond the usual on chosen services: a holiday, a
// viral event, a failover of another operator's users.
const TrafficSurge Hazard = "traffic_surge"

func init() {
	registerHazard(TrafficSurge, hazardKind{title: "Traffic surge", services: true,
		build: func(h incident) hazard { return newTrafficSurge(h) }, assumptions: nil})
}

// Traffic-surge events.
const (
	surgeOver int32 = iota + 1 // the surge ends
)

// trafficSurge multiplies the demand of each service it names by its own
// draw of the incident's multiplier for the incident's duration. More
// demand lowers what a service serves of it, and can make a service with
// an overload limit collapse.
type trafficSurge struct {
	incident
	mult   []float64 // per named service, its draw
	active bool
}

func newTrafficSurge(h incident) *trafficSurge {
	return &trafficSurge{incident: h, mult: make([]float64, len(h.in.Services))}
}

func (ts *trafficSurge) reset() { ts.resetIncident(); ts.active = false }

func (ts *trafficSurge) done() bool { return ts.started && !ts.active }

func (ts *trafficSurge) handle(local int32, ev sim.Event) {
	r := ts.r
	switch local {
	case hzStart:
		ts.active = true
		dur := ts.in.Duration.Sample(ts.own)
		for k, s := range ts.in.Services {
			ts.mult[k] = ts.in.Multiplier.Sample(ts.own)
			if r.tr != nil {
				r.event("traffic-surge", r.svcName(s), "demand ×%.2f for %.2fh", ts.mult[k], dur)
			}
			r.svc.surge(s, ts.mult[k])
		}
		r.eng.After(sim.Time(dur), ts.kind(surgeOver), 0, 0)
	case surgeOver:
		ts.active = false
		for k, s := range ts.in.Services {
			if r.tr != nil {
				r.event("surge-over", r.svcName(s), "demand back to normal")
			}
			r.svc.unsurge(s, ts.mult[k])
		}
	default:
		panic("model: unknown traffic-surge event")
	}
}

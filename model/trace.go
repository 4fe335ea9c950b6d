package model

import "fmt"

// Tracer receives a replication's events as they happen. dcsim trace and
// the scenario-script tests use it; runs pass nil and pay nothing.
type Tracer interface {
	// Event reports something that happened at t hours.
	Event(t float64, kind, subject, detail string)
	// Serving reports each service's serving fraction at peak demand, after
	// every event that changed one; frac is reused after the call returns.
	Serving(t float64, frac []float64)
}

// event reports an event to the tracer. Callers check r.tr != nil first,
// so that a run without a tracer does not even format the arguments.
func (r *Replication) event(kind, subject, format string, args ...any) {
	if r.tr != nil {
		r.tr.Event(float64(r.eng.Now()), kind, subject, fmt.Sprintf(format, args...))
	}
}

func (r *Replication) siteName(p int) string { return r.m.Sc.Sites[p].Name }
func (r *Replication) svcName(s int) string  { return r.m.Sc.Services[s].Name }
func (r *Replication) domName(d int) string {
	site := &r.m.Sc.Sites[r.m.domSite[d]]
	return site.Name + "/" + site.Domains[r.m.domLocal[d]].Name
}

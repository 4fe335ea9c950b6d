package model

// initState is the services' and the impact integration's state right
// after the first refresh of a replication, at t = 0, before any
// incident: every service evaluated once on the healthy fleet. It is the
// same in every replication of a model whenever that refresh draws no
// random number and schedules nothing — every service healthy and calm,
// none that can collapse, nothing queued for restore — so the first
// replication that meets those conditions records it and later ones copy
// it instead of evaluating every service again (a thousand evaluations
// per replication at 1,000 services). With a tracer attached, the refresh
// runs as always, so that a trace shows it.
type initState struct {
	tried, ok bool
	hot       []svcHot
	st        []svcImpact
	zeroBy    []int32
}

// startServices brings the services and their integration to their state
// at t = 0 of a replication, after services.reset and impact.reset.
func (r *Replication) startServices() {
	x := &r.init0
	if x.ok && r.tr == nil {
		sv, im := &r.svc, &r.imp
		copy(sv.hot, x.hot)
		copy(im.st, x.st)
		copy(im.zeroBy, x.zeroBy)
		sv.dirty.clear()
		sv.topoDirty.clear()
		sv.restless = 0
		im.initial = false
		return
	}
	pending := r.eng.Pending()
	r.svc.refresh(0)
	if !x.tried && r.tr == nil {
		x.tried = true
		x.ok = r.quietStart(pending)
		if x.ok {
			x.hot = append(x.hot[:0], r.svc.hot...)
			x.st = append(x.st[:0], r.imp.st...)
			for s := range x.st {
				x.st[s].mark = 0 // no stamp of a later refresh matches it
			}
			x.zeroBy = append(x.zeroBy[:0], r.imp.zeroBy...)
		}
	}
}

// quietStart reports whether the first refresh, just made, left the
// replication in a state that a copy reproduces: it scheduled nothing
// (the engine holds the pending events it held before), and so drew
// nothing; every service is healthy and calm (nothing to fail over,
// relocate or restore); no service can collapse (whose check would count
// an epoch); nothing waits for a restore crew.
func (r *Replication) quietStart(pending int) bool {
	sv := &r.svc
	if r.eng.Pending() != pending || sv.restless != 0 || sv.opsDown != 0 || sv.restoreQ.len() != 0 || sv.crewsBusy != 0 {
		return false
	}
	for s := range sv.hot {
		if !sv.hot[s].healthy || sv.hot[s].everImp || r.m.svc[s].ovLimit > 0 {
			return false
		}
	}
	return true
}

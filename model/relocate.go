package model

import (
	"math"

	"github.com/dcsim/dcsim/sim"
)

// Relocation: a service whose site cannot bring it back is rebuilt at its
// relocate site once its lead time is over and that site has room
// (relocation_capacity, relocation_build_rate), then restored from
// backups. The services unit owns the events (svRelocate, svRelocateGo).

// requestCapacity asks s's relocate site for its servers once the lead
// time is over: first come, first served, from the servers standing ready
// there and those built since the incident began; s relocates when its
// share is there, or never if the site cannot provide it.
func (sv *services) requestCapacity(s int) {
	r := sv.r
	m := r.m
	x := &m.svc[s]
	if sv.hot[s].healthy || sv.hot[s].relocated || sv.relWaiting[s] {
		return
	}
	site := &m.Sc.Sites[x.reloc]
	if site.RelocationCapacity < 0 {
		sv.relocate(s)
		return
	}
	p := x.reloc
	sv.relReserved[p] += int64(x.servers)
	short := float64(sv.relReserved[p] - int64(site.RelocationCapacity))
	now := float64(r.eng.Now())
	at := now
	if short > 0 {
		if site.RelocationBuildRate <= 0 {
			sv.relReserved[p] -= int64(x.servers)
			if r.tr != nil {
				r.event("relocation-refused", r.svcName(s), "%s has no room for its %d servers", r.siteName(p), x.servers)
			}
			return
		}
		at = math.Max(now, short/site.RelocationBuildRate)
	}
	sv.relWaiting[s] = true
	if r.tr != nil && at > now {
		r.event("relocation-waits", r.svcName(s), "%d servers at %s ready at %.2fh", x.servers, r.siteName(p), at)
	}
	r.eng.After(sim.Time(at-now), kindOf(unitServices, svRelocateGo), int32(s), 0)
}

// relocate redeploys s at its relocate site: every one of its servers is
// installed there and its instances are restored from backups (a restore
// crew, the service's restore time); it serves from there for good.
func (sv *services) relocate(s int) {
	r := sv.r
	m := r.m
	x := &m.svc[s]
	if sv.hot[s].relocated {
		return
	}
	p := x.reloc
	i := s*m.nSite + p
	sv.hot[s].relocated = true
	sv.hot[s].foPending = false
	sv.hot[s].active = p
	sv.pool[i].up = x.servers
	sv.pool[i].running = false
	if r.data.missing(s) {
		r.data.startRestore(s, p) // its data first, then its instances (data.go)
	} else {
		sv.pool[i].restoring = true
		sv.restoreQ.push(m, restoreReq{svc: s, site: p})
	}
	sv.serves(s)
	if r.tr != nil {
		r.event("relocated", r.svcName(s), "%d servers ready at %s; restoring from backups", x.servers, r.siteName(p))
	}
}

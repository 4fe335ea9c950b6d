package model

import "github.com/dcsim/dcsim/sim"

// Restore crews. A pool whose instances stopped (lost quorum) and whose
// servers are back queues for restoration; operations.restore_crews
// restorations run at once (a number, or a schedule: crews.go), started in service priority order (then
// service, then site) among those whose dependencies are all healthy, each
// taking the service's restore time (ops_slowdown times longer while ops
// tooling is down).
//
// Waiting requests live in a heap of those that may start, ordered as
// above; a request found blocked (a dependency unhealthy) when it reaches
// the top moves to its service's blocked list, and comes back when the
// service's last unhealthy dependency recovers. So starting a restoration
// costs O(log queue), however many wait.

type restoreReq struct {
	svc, site int
}

// restoreQueue holds the waiting restorations.
type restoreQueue struct {
	ready   []restoreReq   // min-heap by restoresBefore
	blocked [][]restoreReq // per service, requests waiting for its dependencies
	nBlock  int            // requests in blocked lists
	sick    []int32        // per service, dependencies not healthy
	crews   int            // restore crews on duty now (crews.go)
}

func (q *restoreQueue) init(nSvc int) {
	q.blocked = make([][]restoreReq, nSvc)
	q.sick = make([]int32, nSvc)
}

func (q *restoreQueue) reset() {
	q.ready = q.ready[:0]
	for s := range q.blocked {
		q.blocked[s] = q.blocked[s][:0]
	}
	q.nBlock = 0
	clear(q.sick)
}

func (q *restoreQueue) len() int { return len(q.ready) + q.nBlock }

// healthChanged updates the services that depend on s after s became
// healthy (h) or not, releasing their blocked requests when nothing they
// need is unhealthy any more.
func (q *restoreQueue) healthChanged(m *Model, s int, h bool) {
	for _, t := range m.dependents[s] {
		if !h {
			q.sick[t]++
			continue
		}
		q.sick[t]--
		if q.sick[t] == 0 && len(q.blocked[t]) > 0 {
			for _, x := range q.blocked[t] {
				q.push(m, x)
			}
			q.nBlock -= len(q.blocked[t])
			q.blocked[t] = q.blocked[t][:0]
		}
	}
}

func (q *restoreQueue) push(m *Model, x restoreReq) {
	q.ready = append(q.ready, x)
	for i := len(q.ready) - 1; i > 0; {
		p := (i - 1) / 2
		if !restoresBefore(m, q.ready[i], q.ready[p]) {
			break
		}
		q.ready[i], q.ready[p] = q.ready[p], q.ready[i]
		i = p
	}
}

// next removes and returns the first request that may start, moving
// blocked ones aside; ok is false if none may.
func (q *restoreQueue) next(m *Model) (restoreReq, bool) {
	for len(q.ready) > 0 {
		x := q.ready[0]
		n := len(q.ready) - 1
		q.ready[0] = q.ready[n]
		q.ready = q.ready[:n]
		for i := 0; ; {
			l, c := 2*i+1, i
			if l < n && restoresBefore(m, q.ready[l], q.ready[c]) {
				c = l
			}
			if r := l + 1; r < n && restoresBefore(m, q.ready[r], q.ready[c]) {
				c = r
			}
			if c == i {
				break
			}
			q.ready[i], q.ready[c] = q.ready[c], q.ready[i]
			i = c
		}
		if q.sick[x.svc] > 0 {
			q.blocked[x.svc] = append(q.blocked[x.svc], x)
			q.nBlock++
			continue
		}
		return x, true
	}
	return restoreReq{}, false
}

// restoresBefore orders restorations: lower priority number first, then
// service, then site.
func restoresBefore(m *Model, a, b restoreReq) bool {
	pa, pb := m.svc[a.svc].priority, m.svc[b.svc].priority
	if pa != pb {
		return pa < pb
	}
	if a.svc != b.svc {
		return a.svc < b.svc
	}
	return a.site < b.site
}

// dispatchRestores starts waiting restorations while crews are free and
// some may start.
func (sv *services) dispatchRestores() {
	r := sv.r
	m := r.m
	for sv.crewsBusy < sv.restoreQ.crews {
		q, ok := sv.restoreQ.next(m)
		if !ok {
			return
		}
		svc := &m.Sc.Services[q.svc]
		dt := svc.Restore.Sample(r.st.rest[q.svc])
		slow := ""
		if sv.opsDown > 0 {
			dt *= m.Sc.Ops.OpsSlowdown
			slow = " (ops tooling down: slower)"
		}
		sv.crewsBusy++
		if r.tr != nil {
			r.event("restore-start", r.svcName(q.svc), "restoring instances at %s%s, %.2fh", r.siteName(q.site), slow, dt)
		}
		r.eng.After(sim.Time(dt), kindOf(unitServices, svRestoreDone), int32(q.svc), int32(q.site))
	}
}

func (sv *services) restoreDone(s, p int) {
	r := sv.r
	i := s*r.m.nSite + p
	sv.crewsBusy--
	sv.restoring[i] = false
	sv.running[i] = true
	if r.tr != nil {
		r.event("restored", r.svcName(s), "instances at %s running", r.siteName(p))
	}
}

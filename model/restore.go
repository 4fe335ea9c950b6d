package model

import "github.com/dcsim/dcsim/sim"

// Restore crews. A pool whose instances stopped (lost quorum) and whose
// servers are back queues for restoration; operations.restore_crews
// restorations run at once (a number, or a schedule: crews.go), started in service priority order (then
// service, then site) among those whose dependencies are all healthy, each
// taking the service's restore time (ops_slowdown times longer while ops
// tooling is down).
//
// The order is fixed by the scenario, so each (service, site) pool has a
// rank in it — its service's position in the boot order (priority, then
// index) times the sites, plus the site — and the requests that may start
// are a set of ranks whose smallest member is found in a few word reads.
// A request found blocked (a dependency unhealthy) when it is the first
// moves to its service's blocked list, and comes back when the service's
// last unhealthy dependency recovers. So starting a restoration costs
// O(1 + pools/4096), however many wait.

type restoreReq struct {
	svc, site int
}

// restoreQueue holds the waiting restorations.
type restoreQueue struct {
	ready   indexSet       // ranks of requests that may start
	nReady  int            // members of ready
	rank    []int32        // per service, its position in the boot order
	order   []int          // per position in the boot order, the service
	nSite   int            // sites per service in a rank
	blocked [][]restoreReq // per service, requests waiting for its dependencies
	nBlock  int            // requests in blocked lists
	sick    []int32        // per service, dependencies not healthy
	crews   int            // restore crews on duty now (crews.go)
}

func (q *restoreQueue) init(m *Model) {
	q.nSite = m.nSite
	q.ready.init(m.nSvc * m.nSite)
	q.order = m.bootOrder
	q.rank = make([]int32, m.nSvc)
	for k, s := range m.bootOrder {
		q.rank[s] = int32(k)
	}
	// A pool waits at most once, so a service's blocked list holds at
	// most its sites: room for them all up front keeps a reused
	// replication from allocating when a service first blocks.
	q.blocked = make([][]restoreReq, m.nSvc)
	// (and its relocate site).
	pools := func(s int) int {
		if m.svc[s].reloc >= 0 {
			return len(m.svc[s].sites) + 1
		}
		return len(m.svc[s].sites)
	}
	n := 0
	for s := range m.svc {
		n += pools(s)
	}
	room := make([]restoreReq, n)
	n = 0
	for s := range m.svc {
		k := pools(s)
		q.blocked[s] = room[n : n : n+k]
		n += k
	}
	q.sick = make([]int32, m.nSvc)
}

func (q *restoreQueue) reset() {
	q.ready.clear()
	q.nReady = 0
	for s := range q.blocked {
		q.blocked[s] = q.blocked[s][:0]
	}
	q.nBlock = 0
	clear(q.sick)
}

func (q *restoreQueue) len() int { return q.nReady + q.nBlock }

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

// push queues a request; a pool is queued at most once at a time.
func (q *restoreQueue) push(_ *Model, x restoreReq) {
	q.ready.add(int(q.rank[x.svc])*q.nSite + x.site)
	q.nReady++
}

// next removes and returns the first request that may start — lowest
// priority number first, then service, then site — moving blocked ones
// aside; ok is false if none may.
func (q *restoreQueue) next(_ *Model) (restoreReq, bool) {
	for q.nReady > 0 {
		k, _ := q.ready.pop()
		q.nReady--
		x := restoreReq{svc: q.order[k/q.nSite], site: k % q.nSite}
		if q.sick[x.svc] > 0 {
			q.blocked[x.svc] = append(q.blocked[x.svc], x)
			q.nBlock++
			continue
		}
		return x, true
	}
	return restoreReq{}, false
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
		dt := m.draws[q.svc].restore.Sample(r.st.rest[q.svc])
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
	sv.pool[i].restoring = false
	sv.pool[i].running = true
	if r.tr != nil {
		r.event("restored", r.svcName(s), "instances at %s running", r.siteName(p))
	}
}

package model

import (
	"fmt"
	"math"
	"slices"
	"strings"
)

// Operator policies on failover (failover.go): a failover is refused when
// its expected loss of writes exceeds failover.max_data_loss, and a manual
// failover waits for the tools in failover.manual_requires and for one of
// operations.failover_staff.

// allHealthy reports whether every service in ss is healthy.
func (sv *services) allHealthy(ss []int) bool {
	for _, d := range ss {
		if !sv.hot[d].healthy {
			return false
		}
	}
	return true
}

// toolsBack is called when service d became healthy: manual failovers
// waiting for it whose tools now all work go ahead.
func (sv *services) toolsBack(d int) {
	r := sv.r
	for _, s := range r.m.manualWaiters[d] {
		if !sv.foWaitTools[s] || !sv.allHealthy(r.m.Sc.Services[s].ManualRequires) {
			continue
		}
		sv.foWaitTools[s] = false
		sv.hot[s].foPending = true
		r.eng.After(0, kindOf(unitServices, svDetect), int32(s), 0)
	}
}

// takeStaff gives service s's manual failover one of failover_staff, or
// queues it until one is free (reporting false).
func (sv *services) takeStaff(s int) bool {
	r := sv.r
	limit := r.m.Sc.Ops.FailoverStaff
	if limit == 0 || sv.manualBusy < limit {
		sv.manualBusy++
		sv.foManual[s] = true
		return true
	}
	sv.hot[s].foPending, sv.foWaitStaff[s] = false, true
	if !slices.Contains(sv.staffQ, int32(s)) { // it may still be listed from an earlier outage
		sv.staffQ = append(sv.staffQ, int32(s))
	}
	if r.tr != nil {
		r.event("failover-waiting", r.svcName(s), "manual failover needs people: no one free (failover_staff = %d)", limit)
	}
	return false
}

// releaseStaff frees the staff of s's manual failover, if it had them,
// and hands them to the waiting manual failover of the lowest priority
// number (then the earliest queued) that still waits.
func (sv *services) releaseStaff(s int) {
	if !sv.foManual[s] {
		return
	}
	r := sv.r
	sv.foManual[s] = false
	sv.manualBusy--
	best := -1
	for k := 0; k < len(sv.staffQ); {
		t := int(sv.staffQ[k])
		if !sv.foWaitStaff[t] { // its primary came back meanwhile
			sv.staffQ = append(sv.staffQ[:k], sv.staffQ[k+1:]...)
			continue
		}
		if best < 0 || r.m.svc[t].priority < r.m.svc[sv.staffQ[best]].priority {
			best = k
		}
		k++
	}
	if best < 0 {
		return
	}
	t := int(sv.staffQ[best])
	sv.staffQ = append(sv.staffQ[:best], sv.staffQ[best+1:]...)
	sv.foWaitStaff[t] = false
	sv.hot[t].foPending = true
	r.eng.After(0, kindOf(unitServices, svDetect), int32(t), 0)
}

// namesDown names the services of ss that are not healthy.
func (r *Replication) namesDown(ss []int) string {
	var names []string
	for _, d := range ss {
		if !r.svc.hot[d].healthy {
			names = append(names, r.svcName(d))
		}
	}
	return strings.Join(names, ", ")
}

// fmtHours writes hours as a duration a scenario would: "15m", "2.5h".
func fmtHours(h float64) string {
	switch {
	case math.IsInf(h, 1):
		return "no limit"
	case h < 1.0/60:
		return fmt.Sprintf("%.3gs", h*3600)
	case h < 1:
		return fmt.Sprintf("%.3gm", h*60)
	}
	return fmt.Sprintf("%.3gh", h)
}

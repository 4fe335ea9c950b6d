package model

import (
	"fmt"
	"math"
	"strings"
)

// Operator policies on failover (failover.go): a failover is refused when
// its expected loss of writes exceeds failover.max_data_loss, and a manual
// failover waits for the tools in failover.manual_requires.

// allHealthy reports whether every service in ss is healthy.
func (sv *services) allHealthy(ss []int) bool {
	for _, d := range ss {
		if !sv.healthy[d] {
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
		sv.foPending[s] = true
		r.eng.After(0, kindOf(unitServices, svDetect), int32(s), 0)
	}
}

// namesDown names the services of ss that are not healthy.
func (r *Replication) namesDown(ss []int) string {
	var names []string
	for _, d := range ss {
		if !r.svc.healthy[d] {
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

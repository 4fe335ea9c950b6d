package model

import (
	"math"

	"github.com/dcsim/dcsim/sim"
)

// Failover and failback of active-standby services.
//
// When an active-standby service's primary site cannot carry its peak
// demand (stopped, cut off, or short of servers), an outage is detected
// after the service's detection time and a failover to the secondary site
// starts: automatically if every service in failover_requires serves at
// least operations.control_plane_threshold of its peak (a controller at
// reduced capacity still acts), otherwise by hand, slower when untrained
// (drills divide the time) and while ops tooling is down. A manual
// failover needs the services in failover.manual_requires healthy (the
// VPN, bastion or console the operators work through): until they are it
// waits, and then for one of operations.failover_staff (the people who
// can work a failover by hand) if that is limited. No failover is done when its expected loss of writes exceeds
// failover.max_data_loss: the operators wait for the primary instead. A
// failover succeeds with probability failover.success; after
// operations.max_failover_tries failed attempts in one outage the service
// waits for its primary. It fails back once the primary can carry the load
// with the retry surge.

// maybeFailover starts a failover decision when s's primary went down.
func (sv *services) maybeFailover(s int) {
	r := sv.r
	x := &r.m.svc[s]
	if x.mode != modeStandby || sv.hot[s].foPending || sv.hot[s].active != x.primary || x.secondary < 0 || sv.hot[s].relocated {
		return
	}
	svc := &r.m.Sc.Services[s]
	down := sv.primaryDown(s)
	if !down {
		sv.foGaveUp[s], sv.foWaitTools[s], sv.foWaitStaff[s] = false, false, false
		return
	}
	if sv.foGaveUp[s] || sv.foWaitTools[s] || sv.foWaitStaff[s] {
		return
	}
	sv.hot[s].foPending = true
	sv.serves(s)
	sv.foAutoTried[s] = false
	sv.foRetries[s] = 0
	sv.foAttempt[s]++
	if r.tr != nil {
		r.event("outage-detected", r.svcName(s), "primary %s cannot carry the load; failover decision pending", r.siteName(svc.Primary))
	}
	r.eng.After(sim.Time(svc.Detection.Sample(r.st.fail[s])), kindOf(unitServices, svDetect), int32(s), 0)
}

// primaryDown reports whether an active-standby service's primary site
// cannot carry its peak demand: stopped, cut off, or short of servers.
func (sv *services) primaryDown(s int) bool {
	m := sv.r.m
	p := m.svc[s].primary
	i := s*m.nSite + p
	return !sv.pool[i].running || sv.partitioned[p] > 0 || float64(sv.pool[i].up) < m.Sc.RecoveredThreshold*m.svc[s].demand
}

// controlAvailable reports whether every control-plane service in deps
// works at all: it needs control_plane_threshold of its peak capacity, not
// full health.
func (sv *services) controlAvailable(deps []int) bool {
	for _, d := range deps {
		if sv.hot[d].fPeak < sv.r.m.Sc.Ops.ControlThreshold {
			return false
		}
	}
	return true
}

// detect decides how to fail over: automatically if the controller and
// tooling it needs work, otherwise by hand.
func (sv *services) detect(s int) {
	r := sv.r
	m := r.m
	svc := &m.Sc.Services[s]
	if !sv.primaryDown(s) {
		sv.hot[s].foPending = false
		if r.tr != nil {
			r.event("failover-cancelled", r.svcName(s), "primary back before failover")
		}
		return
	}
	if loss := svc.ExpectedFailoverLoss(); loss > svc.MaxDataLoss {
		sv.hot[s].foPending, sv.foGaveUp[s] = false, true
		if r.tr != nil {
			r.event("failover-refused", r.svcName(s), "would lose %s of writes on average, more than max_data_loss %s; waiting for the primary", fmtHours(loss), fmtHours(svc.MaxDataLoss))
		}
		return
	}
	rng := r.st.fail[s]
	auto := svc.FailoverAutomatic && !sv.foAutoTried[s] && sv.controlAvailable(svc.FailoverRequires)
	if !auto && !sv.allHealthy(svc.ManualRequires) {
		sv.hot[s].foPending, sv.foWaitTools[s] = false, true
		if r.tr != nil {
			r.event("failover-waiting", r.svcName(s), "manual failover needs %s; waiting for it", sv.r.namesDown(svc.ManualRequires))
		}
		return
	}
	if !auto && !sv.takeStaff(s) {
		return
	}
	var dt float64
	how := "automatic"
	if auto {
		sv.foAutoTried[s] = true
		dt = svc.FailoverAuto.Sample(rng)
	} else {
		how = "manual"
		dt = svc.FailoverManual.Sample(rng)
		if m.Sc.Ops.Drilled {
			dt /= m.Sc.Ops.DrillSpeedup
		}
		if sv.opsDown > 0 {
			dt *= m.Sc.Ops.OpsSlowdown
		}
	}
	dt += svc.Warmup.Sample(rng)
	sv.foSucceeds[s] = rng.Float64() < svc.FailoverSuccess
	why := ""
	switch {
	case !svc.FailoverAutomatic:
		why = " (no automatic failover)"
	case !auto && !sv.foAutoTried[s]:
		why = " (failover controller or tooling down)"
	}
	if r.tr != nil {
		r.event("failover-start", r.svcName(s), "%s failover to %s%s, %.2fh", how, r.siteName(svc.Secondary), why, dt)
	}
	r.eng.After(sim.Time(dt), kindOf(unitServices, svFailoverDone), int32(s), 0)
}

func (sv *services) failoverDone(s int) {
	r := sv.r
	m := r.m
	svc := &m.Sc.Services[s]
	sv.hot[s].foPending = false
	sv.releaseStaff(s)
	if !sv.primaryDown(s) {
		if r.tr != nil {
			r.event("failover-cancelled", r.svcName(s), "primary back first")
		}
		return
	}
	if !sv.foSucceeds[s] {
		sv.foRetries[s]++
		if sv.foRetries[s] >= int32(m.Sc.Ops.MaxFailoverTries) {
			sv.foGaveUp[s] = true
			if r.tr != nil {
				r.event("failover-abandoned", r.svcName(s), "%d failover attempts failed; waiting for the primary", sv.foRetries[s])
			}
			return
		}
		if r.tr != nil {
			r.event("failover-failed", r.svcName(s), "failover attempt failed; retrying by hand")
		}
		sv.hot[s].foPending = true
		r.eng.After(0, kindOf(unitServices, svDetect), int32(s), 0)
		return
	}
	sv.hot[s].active = svc.Secondary
	rng := r.st.data[s]
	lost := 0.0
	switch svc.Replication {
	case "async":
		lost = svc.ReplicationLag.Sample(rng) * 3600
	case "backup":
		lost = rng.Float64() * svc.BackupInterval * 3600
	}
	sv.data[s] += lost
	if r.tr != nil {
		r.event("failover-done", r.svcName(s), "serving from %s; %.0fs of writes lost", r.siteName(svc.Secondary), lost)
	}
}

// maybeFailback returns an active-standby service to its primary site once
// the primary runs again with capacity for peak demand including the retry
// surge, so that failing back does not itself impair the service.
func (sv *services) maybeFailback(s int) {
	r := sv.r
	m := r.m
	x := &m.svc[s]
	p := x.primary
	i := s*m.nSite + p
	if x.mode != modeStandby || sv.hot[s].active == p || !sv.pool[i].running || sv.partitioned[p] > 0 || sv.hot[s].relocated {
		return
	}
	if float64(sv.pool[i].up) < math.Min(float64(m.placed[i]), x.demand*x.surge) {
		return
	}
	svc := &m.Sc.Services[s]
	sv.hot[s].active = p
	sv.serves(s)
	if svc.FailbackOutage > 0 {
		sv.hot[s].failingBack = true
		if r.tr != nil {
			r.event("failback-start", r.svcName(s), "failing back to %s", r.siteName(p))
		}
		r.eng.After(sim.Time(svc.FailbackOutage), kindOf(unitServices, svFailbackDone), int32(s), 0)
		return
	}
	if r.tr != nil {
		r.event("failback", r.svcName(s), "serving from %s again", r.siteName(p))
	}
}

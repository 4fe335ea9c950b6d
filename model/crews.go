package model

import (
	"fmt"
	"math"
	"strings"

	"github.com/dcsim/dcsim/sim"
)

// Crews that change over time. A site's boot crews (crews) and the
// restore crews (operations.restore_crews) are a number, or a schedule of
// steps — vendor and mutual-aid crews arriving, shifts ending, fatigue —
// written as a list of {at, n} or as a linear ramp. Each step after the
// first is a fleet event at its time (hours from t = 0, the first
// incident's start); a scalar schedules nothing, so it behaves exactly as
// before schedules existed.
//
// A boot crew change takes effect at once, on the chunk being booted: the
// servers left of it are booted at the new rate (and wait while no crew is
// on duty). A restore crew change lets more restorations start at once,
// or, when crews leave, lets the running ones finish and starts no new
// one until fewer run than crews are on duty.

// CrewStep is one step of a crew schedule: N crews from At hours on.
type CrewStep struct {
	At float64
	N  int
}

// maxRampSteps bounds the steps one ramp expands to: each is an event in
// every replication.
const maxRampSteps = 1000

// crewsText describes a crew count or schedule for reports: "4", or
// "(2 at 0h, 8 at 12h, 4 at 336h)".
func crewsText(n int, sched []CrewStep) string {
	if sched == nil {
		return fmt.Sprint(n)
	}
	parts := make([]string, 0, len(sched))
	for _, s := range sched {
		parts = append(parts, fmt.Sprintf("%d at %gh", s.N, s.At))
	}
	if len(parts) > 8 {
		parts = append(parts[:4], fmt.Sprintf("… (%d steps) …", len(parts)-6), parts[len(parts)-2], parts[len(parts)-1])
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

// crews reads key as a crew count (at least 1), a schedule
// [{at = "0h", n = 4}, {at = "24h", n = 12}] or a ramp
// {from = 4, to = 12, start = "6h", over = "48h"}. It returns the crews at
// t = 0 and the schedule (nil for a plain count).
func (t *table) crews(key string, def int) (int, []CrewStep) {
	r := t.r
	v, ok := t.m[key]
	switch v.(type) {
	case []any, []map[string]any:
	case map[string]any:
		return t.crewRamp(key)
	default:
		n := t.count(key, def)
		if ok && n < 1 { // count returns def, ≥ 1, on a value it reported
			r.errf(t.sub(key), "must be at least 1")
			n = 1
		}
		return n, nil
	}
	var sched []CrewStep
	steps := t.tables(key)
	complete := true // every n given
	for k, st := range steps {
		at := 0.0
		if st.required("at") {
			at = st.duration("at", 0)
		}
		n := 0
		if st.required("n") {
			n = st.count("n", 0)
		} else {
			complete = false
		}
		st.done()
		switch {
		case k == 0 && at != 0:
			r.errf(st.sub("at"), "the first step gives the crews at the start: at = \"0h\"")
		case k > 0 && at <= sched[k-1].At:
			r.errf(st.sub("at"), "steps go forward in time: %gh is not after %gh", at, sched[k-1].At)
		}
		sched = append(sched, CrewStep{At: at, N: n})
	}
	switch {
	case len(steps) == 0:
		r.errf(t.sub(key), "list at least one step: [{at = \"0h\", n = 4}]")
		return def, nil
	case complete && sched[len(sched)-1].N < 1:
		r.errf(steps[len(steps)-1].sub("n"), "the last step needs at least 1 crew, or the work never ends")
	}
	return sched[0].N, sched
}

// crewRamp reads a linear ramp from crews "from" at "start" (default 0h)
// to "to" at start + over: a step of one crew every over/|to - from|.
func (t *table) crewRamp(key string) (int, []CrewStep) {
	r := t.r
	rt := t.child(key)
	from, to := 0, 0
	if rt.required("from") {
		from = rt.count("from", 0)
	}
	if rt.required("to") {
		to = rt.count("to", 1)
	}
	start := rt.duration("start", 0)
	over := math.NaN() // missing: reported by required
	if rt.required("over") {
		over = rt.duration("over", 0)
	}
	rt.done()
	d := to - from
	switch {
	case to < 1:
		r.errf(rt.sub("to"), "a ramp must end with at least 1 crew, or the work never ends")
		return max(from, 1), nil
	case d == 0:
		r.errf(rt.sub("to"), "from and to are both %d: write crews = %d", to, to)
		return to, nil
	case abs(d) > maxRampSteps:
		r.errf(rt.sub("to"), "a ramp of %d crews is more than %d steps; write a schedule of steps instead", abs(d), maxRampSteps)
		return to, nil
	case math.IsNaN(over):
		return from, nil
	case !(over > 0):
		r.errf(rt.sub("over"), "must be positive")
		return from, nil
	}
	sched := []CrewStep{{At: 0, N: from}}
	step := 1
	if d < 0 {
		step = -1
	}
	for k := 1; k <= abs(d); k++ {
		sched = append(sched, CrewStep{At: start + over*float64(k)/float64(abs(d)), N: from + step*k})
	}
	return from, sched
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// startCrews puts the restore crews of t = 0 on duty (the boot crews
// are reset with the fleet) and schedules every later crew change: one
// fleet event per step, A the site (-1 for the restore crews), B the
// step's index.
func (fl *fleet) startCrews() {
	r := fl.r
	sc := r.m.Sc
	r.svc.restoreQ.crews = sc.Ops.RestoreCrews
	for k := 1; k < len(sc.Ops.RestoreCrewSchedule); k++ {
		r.eng.Schedule(sim.Time(sc.Ops.RestoreCrewSchedule[k].At), kindOf(unitFleet, flCrews), -1, int32(k))
	}
	for p := range sc.Sites {
		sched := sc.Sites[p].CrewSchedule
		for k := 1; k < len(sched); k++ {
			r.eng.Schedule(sim.Time(sched[k].At), kindOf(unitFleet, flCrews), int32(p), int32(k))
		}
	}
}

// crewsChange applies step k of site p's crew schedule (p < 0: of the
// restore crews).
func (fl *fleet) crewsChange(p, k int) {
	r := fl.r
	sc := r.m.Sc
	if p < 0 {
		n := sc.Ops.RestoreCrewSchedule[k].N
		r.svc.restoreQ.crews = n
		if r.tr != nil {
			r.event("crews", "operations", "%d restore crews on duty", n)
		}
		return // Handle starts restorations that may start now
	}
	n := int32(sc.Sites[p].CrewSchedule[k].N)
	old := fl.crews[p]
	fl.crews[p] = n
	if r.tr != nil {
		r.event("crews", r.siteName(p), "%d boot crews on duty", n)
	}
	if !fl.bootBusy[p] {
		was := fl.bootQ[p].len() > 0
		fl.startBoot(p)
		fl.syncBusy(p, was)
		return
	}
	// The chunk under way: what is left of it goes at the new rate.
	now := float64(r.eng.Now())
	if old > 0 {
		rate := sc.Sites[p].BootRate * float64(old)
		fl.bootLeft[p] = math.Max(0, fl.bootLeft[p]-(now-fl.bootFrom[p])*rate)
		r.eng.Cancel(fl.bootEv[p])
	}
	fl.bootFrom[p] = now
	fl.scheduleBootDone(p)
}

// scheduleBootDone schedules the end of site p's chunk under way, with
// bootLeft servers left to boot from now, or none while no crew is on
// duty.
func (fl *fleet) scheduleBootDone(p int) {
	if fl.crews[p] == 0 {
		fl.bootEv[p] = sim.Handle{}
		return
	}
	rate := fl.r.m.Sc.Sites[p].BootRate * float64(fl.crews[p])
	fl.bootEv[p] = fl.r.eng.After(sim.Time(fl.bootLeft[p]/rate), kindOf(unitFleet, flBootDone), int32(p), 0)
}

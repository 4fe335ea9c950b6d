package report

import (
	"fmt"
	"math"
	"strings"
)

// TraceEvent is one event of a replication's trace, as dcsim trace
// writes it to trace.jsonl.
type TraceEvent struct {
	T                     float64
	Kind, Subject, Detail string
}

// CausesOf says, for each service impaired in a traced replication, when
// it was fully back and what its last recovery step was: the failover,
// restore or reroute that ended the outage, with when it started and, for
// a restore, what it waited for (power or servers back). A service still
// impaired at the end of the trace is never back (+Inf). Services never
// impaired are left out. The order is the services'; the page lists them
// latest first.
func CausesOf(events []TraceEvent, services []string) []Cause {
	var out []Cause
	for _, s := range services {
		impaired, back := false, math.Inf(1)
		var step *TraceEvent
		for i := range events {
			e := &events[i]
			if e.Subject != s {
				continue
			}
			switch e.Kind {
			case "impaired":
				if !math.IsInf(back, 1) {
					step = nil // a new outage after a recovery
				}
				impaired, back = true, math.Inf(1)
			case "recovered":
				back = e.T
			case "failover-start", "restore-start", "rerouted":
				if math.IsInf(back, 1) {
					step = e
				}
			}
		}
		if !impaired {
			continue
		}
		c := Cause{Subject: s, BackH: back, Why: "no recovery step started within the horizon"}
		if step != nil {
			c.Why = fmt.Sprintf("%s, from %s h", step.Detail, formatNumber(step.T))
			if step.Kind == "rerouted" {
				c.Why = fmt.Sprintf("traffic moved to other sites at %s h", formatNumber(step.T))
			}
			if step.Kind == "restore-start" {
				if w := waitedFor(events, step.T); w != "" {
					c.Why += ", once " + w
				}
			}
		}
		out = append(out, c)
	}
	return out
}

// waitedFor names the site event just before t that a restore waited
// for: the last re-power or server replacement at most 0.01 h earlier.
func waitedFor(events []TraceEvent, t float64) string {
	what := ""
	for _, e := range events {
		if e.T > t+1e-9 {
			break
		}
		if t-e.T > 0.01 {
			continue
		}
		switch e.Kind {
		case "repowered":
			what = e.Subject + " had power again"
		case "servers-replaced":
			what = e.Subject + "'s destroyed servers were replaced"
		case "inspected":
			what = "the site was cleared for re-power"
		}
	}
	return what
}

// SiteCourse summarises the site-wide events of a trace in one sentence,
// e.g. "Firefighters cut power to the whole site at 1.27 h; the fire was
// out at 8.41 h; …", or "".
func SiteCourse(events []TraceEvent) string {
	var parts []string
	seen := map[string]bool{}
	for _, e := range events {
		if seen[e.Kind] {
			continue
		}
		var s string
		switch e.Kind {
		case "power-cut":
			s = fmt.Sprintf("power cut at %s h (%s)", formatNumber(e.T), e.Detail)
		case "extinguished":
			s = fmt.Sprintf("fire out at %s h", formatNumber(e.T))
		case "inspected":
			s = fmt.Sprintf("site cleared for re-power at %s h", formatNumber(e.T))
		case "repowered":
			s = fmt.Sprintf("first power domain back at %s h", formatNumber(e.T))
		case "utility-restored", "cooling-restored", "partition-healed":
			s = fmt.Sprintf("%s at %s h", strings.ReplaceAll(e.Kind, "-", " "), formatNumber(e.T))
		default:
			continue
		}
		seen[e.Kind] = true
		parts = append(parts, s)
	}
	if len(parts) == 0 {
		return ""
	}
	return "At the site: " + strings.Join(parts, "; ") + "."
}

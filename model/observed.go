package model

import (
	"fmt"
	"math"
	"regexp"
	"strings"
	"time"
)

// Observation is one fact of the real incident's history that the
// scenario reproduces ([[observed]]). Reports draw it on the charts and
// table it beside the simulated band of the same quantity.
type Observation struct {
	// What was observed: one of ObservedKinds.
	What string
	// Service is the service index for "service_recovered", else -1.
	Service int
	// TimeH is when, in hours since the incident's start; UntilH ends a
	// window for a vague report ("the afternoon of 16 Oct"), and equals
	// TimeH for a moment.
	TimeH, UntilH float64
	// Value is the quantity observed (servers for "servers_down", a
	// fraction for "power_restored"), NaN when none is given.
	Value float64
	// Label says what happened in the reader's words; defaults to one
	// built from What and Service.
	Label string
	// Source cites the report of it, e.g. "[MBC] imnews.imbc.com 6420718".
	Source string
}

// ObservedKinds are the values of [[observed]].what. The first two are
// compared with simulated distributions (a service's time to recover, the
// time until every service recovered); the others with the events of the
// typical replication.
var ObservedKinds = []string{
	"service_recovered", "all_services_recovered", "servers_down",
	"power_cut", "fire_out", "power_restored", "milestone",
}

// readObserved reads the [[observed]] tables: what, time (a date-time with
// offset, or a duration since the incident such as "10.2h"), until,
// value, service, label and source.
func (sc *Scenario) readObserved(root *table) {
	r := root.r
	svcIdx := map[string]int{}
	for i, s := range sc.Services {
		svcIdx[s.Name] = i
	}
	for _, t := range root.tables("observed") {
		o := Observation{Service: -1, Value: math.NaN()}
		t.required("what")
		o.What = t.enum("what", "", ObservedKinds...)
		t.required("time")
		o.TimeH = sc.observedTime(t, "time")
		o.UntilH = o.TimeH
		if t.has("until") {
			o.UntilH = sc.observedTime(t, "until")
			if o.UntilH < o.TimeH {
				r.errf(t.sub("until"), "ends before time (%gh < %gh)", o.UntilH, o.TimeH)
			}
		}
		if t.has("value") {
			o.Value = t.number("value", math.NaN())
		}
		switch o.What {
		case "servers_down":
			if !t.has("value") {
				r.errf(t.sub("value"), "servers_down needs value, the number of servers down")
			} else if o.Value < 0 {
				r.errf(t.sub("value"), "want ≥ 0 servers, got %g", o.Value)
			}
		case "power_restored":
			if t.has("value") && !(o.Value >= 0 && o.Value <= 1) {
				r.errf(t.sub("value"), "a fraction of the site's power, 0–1, got %g", o.Value)
			}
		}
		name := t.str("service", "")
		switch {
		case o.What == "service_recovered" && !t.has("service"):
			r.errf(t.sub("service"), "service_recovered needs service, the service that came back")
		case o.What == "service_recovered":
			if j, ok := svcIdx[name]; ok {
				o.Service = j
			} else if _, isStr := t.m["service"].(string); isStr {
				r.errf(t.sub("service"), "unknown service %q%s", name, suggestFrom(r, name, svcIdx))
			}
		case t.has("service"):
			r.errf(t.sub("service"), "only service_recovered names a service")
		}
		o.Label = t.str("label", "")
		if o.Label == "" {
			o.Label = defaultObservedLabel(o.What, name)
		}
		t.required("source")
		o.Source = t.str("source", "")
		if t.has("source") && strings.TrimSpace(o.Source) == "" {
			r.errf(t.sub("source"), "cite where the observation comes from")
		}
		if o.UntilH > sc.Horizon {
			r.errf(t.sub("time"), "at %gh, after the %gh horizon: the simulation cannot be compared with it", o.UntilH, sc.Horizon)
		}
		t.done()
		sc.Observed = append(sc.Observed, o)
	}
}

func defaultObservedLabel(what, service string) string {
	switch what {
	case "service_recovered":
		return service + " back"
	case "all_services_recovered":
		return "every service back"
	case "servers_down":
		return "servers down"
	case "power_cut":
		return "power cut"
	case "fire_out":
		return "fire out"
	case "power_restored":
		return "power restored"
	}
	return what
}

// observedTime reads key as hours since the incident start: a date-time
// with offset (which needs a fixed [incident] start) or a duration.
func (sc *Scenario) observedTime(t *table, key string) float64 {
	r := t.r
	v, ok := t.get(key)
	if !ok {
		return 0
	}
	var h float64
	switch x := v.(type) {
	case time.Time:
		switch {
		case strings.HasSuffix(x.Location().String(), "-local"):
			r.errf(t.sub(key), "give the offset, e.g. 2022-10-16T01:31:00+09:00, or hours since the incident, e.g. \"10.2h\"")
			return 0
		case sc.Incident.RandomStart || sc.Incident.Start.IsZero():
			r.errf(t.sub(key), "the incident has no fixed start to count from; give hours since the incident, e.g. \"10.2h\"")
			return 0
		}
		h = x.Sub(sc.Incident.Start).Hours()
	case string:
		d, err := ParseDuration(x)
		if err != nil {
			r.errf(t.sub(key), "want a date-time with offset or a duration since the incident such as \"10.2h\": %v", err)
			return 0
		}
		h = d
	default:
		r.errf(t.sub(key), "want a date-time with offset such as 2022-10-16T01:31:00+09:00 or a duration such as \"10.2h\", got %s", tomlType(v))
		return 0
	}
	if h < 0 {
		r.errf(t.sub(key), "%.2fh before the incident started; observations are of the incident", -h)
		return 0
	}
	return h
}

// SourceTag is a short citation tag and the reference it stands for, as
// a scenario's header comment defines it:
//
//	#   [MBC] imnews.imbc.com 6420718 — KakaoTalk messaging back …
type SourceTag struct {
	Tag, Reference string
}

var tagLine = regexp.MustCompile(`^#\s+\[([A-Za-z][A-Za-z0-9-]*)\]\s+(.*\S)\s*$`)

// SourceTags returns the tags defined in the comment block at the top of
// the scenario file, before its first key, in order. A tag's reference
// continues on following comment lines indented deeper than the '#'.
func (sc *Scenario) SourceTags() []SourceTag {
	var out []SourceTag
	open := false // the last tag's reference may continue
	for _, line := range strings.Split(string(sc.Source), "\n") {
		line = strings.TrimRight(line, "\r")
		if !strings.HasPrefix(line, "#") {
			if strings.TrimSpace(line) == "" {
				continue
			}
			break // the first key or table ends the header
		}
		if m := tagLine.FindStringSubmatch(line); m != nil {
			out = append(out, SourceTag{Tag: "[" + m[1] + "]", Reference: m[2]})
			open = true
			continue
		}
		body := strings.TrimPrefix(line, "#")
		if open && strings.HasPrefix(body, "   ") && strings.TrimSpace(body) != "" {
			out[len(out)-1].Reference += " " + strings.TrimSpace(body)
			continue
		}
		open = false
	}
	return out
}

// String renders an observation's time for messages: "+10.2 h" or a
// window "+22–26 h".
func (o Observation) String() string {
	if o.UntilH > o.TimeH {
		return fmt.Sprintf("%s at +%g–%g h", o.Label, o.TimeH, o.UntilH)
	}
	return fmt.Sprintf("%s at +%g h", o.Label, o.TimeH)
}

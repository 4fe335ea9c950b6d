package model

import (
	"fmt"
	"slices"
)

// readIncidents reads the incidents of one replication: [incident] alone,
// or [[incident]] entries that overlap in one replication. The first entry
// defines t = 0 (its start); each later one starts `at` after it (or at its
// own `start`, which must not be earlier).
func (sc *Scenario) readIncidents(t *table, siteIdx map[string]int) {
	r := t.r
	if !t.has("incident") {
		r.errf("incident", "missing [incident]: name the initiating event (hazard, site, start)")
		return
	}
	var tabs []*table
	if isArray(t.m["incident"]) {
		tabs = t.tables("incident")
		if len(tabs) == 0 {
			r.errf("incident", "[[incident]] lists no incident")
			return
		}
	} else {
		tabs = []*table{t.child("incident")}
	}
	seen := map[string]int{}
	for k, it := range tabs {
		in := readIncident(it, sc.Sites, siteIdx)
		if len(tabs) > 1 {
			it.required("name")
			if j, dup := seen[in.Name]; dup && in.Name != "" {
				r.errf(it.sub("name"), "duplicate incident name %q (also incident[%d]): each incident's random numbers come from its name", in.Name, j)
			}
			seen[in.Name] = k
		}
		sc.readScope(it, &in, siteIdx)
		if k == 0 {
			if it.has("at") {
				r.errf(it.sub("at"), "the first incident defines t = 0; give it a start, not at")
				it.duration("at", 0)
			}
		} else {
			first := &sc.Incident
			switch {
			case it.has("at") && it.has("start"):
				r.errf(it.sub("at"), "give at (an offset after the first incident) or start, not both")
			case it.has("at"):
				in.At = it.duration("at", 0)
				if in.At < 0 {
					r.errf(it.sub("at"), "must not be negative")
					in.At = 0
				}
			case first.RandomStart || in.RandomStart:
				r.errf(it.sub("start"), "with a random start, later incidents need at (an offset after the first), e.g. at = \"36h\"")
			default:
				in.At = in.Start.Sub(first.Start).Hours()
				if in.At < 0 {
					r.errf(it.sub("start"), "starts %.4gh before the first incident; list incidents in the order they start", -in.At)
					in.At = 0
				}
			}
			if in.At >= sc.Horizon {
				r.errf(it.sub("at"), "starts at %gh, at or after the horizon (%gh)", in.At, sc.Horizon)
			}
			in.WeekHour = first.WeekHour + in.At
		}
		it.done()
		if k == 0 {
			sc.Incident = in
		} else {
			sc.Concurrent = append(sc.Concurrent, in)
		}
	}
}

// readScope reads sites, the further sites a site-wide hazard hits.
func (sc *Scenario) readScope(t *table, in *Incident, siteIdx map[string]int) {
	r := t.r
	if !t.has("sites") {
		return
	}
	if in.Hazard.InDomain() {
		r.errf(t.sub("sites"), "a %s starts in one domain of one site; remove sites", in.Hazard)
		return
	}
	for _, it := range t.items("sites") {
		p := fmt.Sprintf("%s[%d]", t.sub("sites"), it.k)
		j, ok := siteIdx[it.s]
		switch {
		case !ok:
			r.errf(p, "unknown site %q%s", it.s, suggestFrom(r, it.s, siteIdx))
		case j == in.Site || slices.Contains(in.Sites, j):
			r.errf(p, "site %q is already in the incident's scope", it.s)
		default:
			in.Sites = append(in.Sites, j)
		}
	}
}

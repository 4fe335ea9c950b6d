package model

import (
	"fmt"
	"math"
	"strings"
)

// ServiceData is what a service stores and where the copies of it are
// (data_tb, replicas, backups). A nil *ServiceData — a service without
// data_tb — holds no data dcsim tracks.
type ServiceData struct {
	// TB is the size of the service's data in terabytes.
	TB float64
	// Replicas are the live copies the service runs on, in named places.
	// Without a replicas key, one replica where each placement puts its
	// servers.
	Replicas []DataCopy
	// Backups are the copies a restore starts from, tried in the order
	// listed.
	Backups []Backup
	// WithServers: no replicas key, so the replicas follow the placement
	// (a group member spread over halls keeps its copy in its own hall).
	WithServers bool
}

// DataCopy is where one copy of a service's data lives: a site, or part of
// it (a building, a hall or domains).
type DataCopy struct {
	Site    int
	Domains []int // indices within the site; nil for the whole site
	Where   string
}

// Backup is an off-site (or not) backup of a service's data.
type Backup struct {
	DataCopy
	// Interval is the hours between backups: a restore loses the writes
	// since the last one, uniform on [0, Interval).
	Interval float64
	// RestoreRate is the TB per hour one restore from this backup reads.
	RestoreRate float64
}

// readServiceData reads a service's data keys: data_tb, replicas,
// backups. It returns nil when the service has none.
func readServiceData(t *table, s *Service, sites []Site, siteIdx map[string]int) *ServiceData {
	r := t.r
	if !t.has("data_tb") {
		for _, k := range []string{"replicas", "backups"} {
			if t.has(k) {
				t.expect(k)
				r.errf(t.sub(k), "%s of what? give the service's data size, data_tb = <TB>", k)
			}
		}
		t.expect("data_tb")
		return nil
	}
	d := &ServiceData{TB: t.positive("data_tb", 1)}
	place := func(pt *table) DataCopy {
		c := DataCopy{Site: -1}
		if pt.required("site") {
			name := pt.str("site", "")
			if j, ok := siteIdx[name]; ok {
				c.Site = j
			} else if _, isStr := pt.m["site"].(string); isStr {
				r.errf(pt.sub("site"), "unknown site %q%s", name, suggestFrom(r, name, siteIdx))
			}
			c.Where = name
		}
		if c.Site >= 0 {
			c.Domains = readParts(pt, &sites[c.Site], "building", "hall", "domains")
			for _, k := range []string{"building", "hall", "domains"} {
				if v, ok := pt.m[k]; ok {
					c.Where += fmt.Sprintf(" %s %v", k, v)
				}
			}
		} else {
			pt.expect("building", "hall", "domains")
		}
		return c
	}
	if t.has("replicas") {
		rts := t.tables("replicas")
		if len(rts) == 0 && isArray(t.m["replicas"]) {
			r.errf(t.sub("replicas"), "needs at least one replica (the copy the service runs on); leave replicas out for one where each placement puts its servers")
		}
		for _, pt := range rts {
			d.Replicas = append(d.Replicas, place(pt))
			pt.done()
		}
	} else {
		d.WithServers = true
		d.Replicas = replicasWithServers(s.Placement, sites)
	}
	for _, bt := range t.tables("backups") {
		b := Backup{DataCopy: place(bt)}
		bt.required("interval")
		b.Interval = bt.duration("interval", math.NaN())
		if b.Interval <= 0 {
			r.errf(bt.sub("interval"), "must be above 0")
		}
		// No default: restore throughput depends on the backup system,
		// its media and the network to the restore site.
		if bt.required("restore_tb_per_h") {
			b.RestoreRate = bt.positive("restore_tb_per_h", math.NaN())
		}
		bt.done()
		d.Backups = append(d.Backups, b)
	}
	return d
}

// hasData reports whether any service has data_tb.
func (sc *Scenario) hasData() bool {
	for i := range sc.Services {
		if sc.Services[i].Data != nil {
			return true
		}
	}
	return false
}

// dataAssumption describes a service's data and copies for people:
// "120 TB; replicas: sbg building sbg2; backups: rbx every 168h at 2 TB/h".
func dataAssumption(d *ServiceData) string {
	var reps, backs []string
	for _, c := range d.Replicas {
		reps = append(reps, c.Where)
	}
	for _, b := range d.Backups {
		backs = append(backs, fmt.Sprintf("%s every %gh at %g TB/h", b.Where, b.Interval, b.RestoreRate))
	}
	v := fmt.Sprintf("%g TB; replicas: %s", d.TB, strings.Join(reps, ", "))
	if len(backs) == 0 {
		return v + "; no backup"
	}
	return v + "; backups: " + strings.Join(backs, ", ")
}

// copyWhere names a copy in messages: "replica sbg building sbg2".
func copyWhere(kind string, c DataCopy) string {
	return strings.TrimSpace(kind + " " + c.Where)
}

// replicasWithServers is the default replicas: one where each placement
// puts the service's servers.
func replicasWithServers(placement []Placement, sites []Site) []DataCopy {
	var out []DataCopy
	for _, p := range placement {
		if p.Site >= 0 {
			out = append(out, DataCopy{Site: p.Site, Domains: p.Domains, Where: "with its servers at " + sites[p.Site].Name})
		}
	}
	return out
}

// forMember returns d for a group member placed at placement: its own
// copy of d whose replicas follow the member's placement when they follow
// the servers.
func (d *ServiceData) forMember(placement []Placement, sites []Site) *ServiceData {
	if d == nil || !d.WithServers {
		return d
	}
	c := *d
	c.Replicas = replicasWithServers(placement, sites)
	return &c
}

// readMaxDataLoss reads failover.max_data_loss: the failover is not done
// when it would lose more writes than this on average.
func readMaxDataLoss(fo *table) float64 {
	h := fo.duration("max_data_loss", math.Inf(1))
	if h < 0 {
		fo.r.errf(fo.sub("max_data_loss"), "must not be negative")
		return math.Inf(1)
	}
	return h
}

// ExpectedFailoverLoss is the mean hours of writes a failover of s loses:
// the mean replication lag (async), half the backup interval (backup), or
// none (sync, none).
func (s *Service) ExpectedFailoverLoss() float64 {
	switch s.Replication {
	case "async":
		return s.ReplicationLag.Mean()
	case "backup":
		return s.BackupInterval / 2
	}
	return 0
}

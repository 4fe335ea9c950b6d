// Package model is dcsim's datacenter domain: the scenario schema and its
// validation, the simulation of one replication, and the investment
// comparison built on it. It imports sim (the domain-free engine, streams,
// runner and statistics) and never cmd.
//
// A scenario travels through three stages:
//
//	Load / Parse        TOML → *Scenario: every name resolved to an index,
//	                    every duration in hours, every problem reported at
//	                    once with file, line and key path (load.go,
//	                    load_sites.go, load_topology.go (regions,
//	                    buildings, halls, feeds, confined placement),
//	                    load_services.go, load_incident.go, reader.go,
//	                    lines.go, units.go); the types it fills are in
//	                    scenario.go (services, incidents, operations) and
//	                    scenario_site.go (sites, buildings, power, cooling)
//	Compile             *Scenario → *Model: flat tables per (domain,
//	                    service) pool and per (service, site), sized by
//	                    groups, never by servers (model.go)
//	NewReplication      *Model → *Replication, reused for many replications
//	                    by one worker; Simulate runs many (run.go)
//
// A Replication is wiring (replicate.go): one sim.Engine, the world's
// units, and one hazard per incident; from its second replication on it
// copies the services' state at t = 0 instead of evaluating them again
// (initstate.go). Each unit keeps its own state and owns its event kinds:
//
//	power.go        causes per power domain, held by any number of
//	                incidents; power trains and A/B feeds; re-energising
//	                by transfer switch or by hand
//	fleet.go        servers per pool; destroyed servers; boot queues
//	background.go   independent server, rack and PDU failures
//	services.go     quorum, serving fractions, health; the dirty sets
//	overload.go     collapse under offered load, and load shedding
//	relocate.go     services rebuilt at another site; reach.go: partitions
//	                between regions; data.go: data copies and restores;
//	                coolunits.go: cooling-unit failures per hall
//	failover.go     failover, failback; restore.go: restore crews
//	impact.go       exact, lazy integration of users, requests, revenue;
//	                threshold.go: O(1) integration of a serving fraction
//	                limited by one capacity threshold, from running sums
//	                per demand level; profile_table.go: a week's demand
//	                profile, its running sums and the hours a capacity
//	                serves in full
//	hazard.go       the hazard interface and registry; one file per hazard:
//	                hazard_fire.go, hazard_utility.go (with UPS and ATS
//	                failures), hazard_cooling.go (site-wide buffer or the
//	                per-hall heat balance), hazard_partition.go,
//	                hazard_power.go (power_failure of trains),
//	                hazard_water.go, hazard_lightning.go (causes power and
//	                cooling failures), hazard_traffic.go (traffic_surge)
//	trace.go        the Tracer that dcsim trace and the script tests use
//
// Hazards act on the world only through the units (power.hold, fleet
// destroy, services cutOff), so incidents of any kind overlap in one
// replication. An event changes what it touches; the services unit
// re-evaluates only the services whose inputs changed, propagating along
// the dependency graph only when a serving fraction or serving function
// changed, so a replication's cost grows with what happens in it, not with
// the square of the services.
//
// Randomness comes only from sim.Streams named by hashes of entity names
// (site, domain, service, incident), so adding an entity never changes
// another's numbers and variants of a scenario share streams (common random
// numbers).
package model

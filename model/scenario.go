package model

import (
	"strings"
	"time"

	"github.com/dcsim/dcsim/sim"
)

// Hazard names the kind of initiating event. Each hazard's file declares
// its name and registers it (registerHazard); HazardNames lists them.
type Hazard string

// Mode is a service's deployment mode.
type Mode string

// What recovered_threshold is a fraction of (key recovered).
const (
	RecoveredPeakDemand = "peak_demand"
	RecoveredCapacity   = "capacity"
)

// Deployment modes.
const (
	SingleSite    Mode = "single-site"
	ActiveStandby Mode = "active-standby"
	ActiveActive  Mode = "active-active"
)

// Scenario is a validated scenario: every name resolved to an index, every
// duration in hours, every rate per hour. Load builds one from TOML.
type Scenario struct {
	Name        string
	Description string
	Currency    string
	File        string // path it was loaded from
	Source      []byte // the TOML text

	Seed               uint64
	Replications       int
	Horizon            float64 // hours simulated at most per replication
	RecoveredThreshold float64 // serving fraction that counts as recovered
	// Recovered says what the threshold is a fraction of: "peak_demand"
	// (the demand at the weekly peak) or "capacity" (the servers the
	// service normally serves with).
	Recovered string

	// Incident is the incident dcsim run simulates: [incident], or the
	// first [[incident]].
	Incident Incident
	// Concurrent are further incidents in the same replication, each at its
	// own offset (the other [[incident]] entries): a utility loss during a
	// fire's recovery, a second fire at another site.
	Concurrent []Incident
	// KeyServices are the services reports headline (key_services); when
	// absent, the user service with the most peak users.
	KeyServices []int
	Ops         Operations
	Economics   Economics
	Sites       []Site
	Services    []Service
	// Groups are the service groups ([[services]] entries with count),
	// whose members are ordinary services in Services.
	Groups []ServiceGroup
	// Order lists service indices so that every service comes after the
	// services it depends on.
	Order []int

	// Incidents is the catalogue of initiating incidents with their annual
	// frequencies, for annualised loss expectancy: [[incidents]] if given,
	// else [incident] alone.
	Incidents []Incident
	// Investments are the named options dcsim compare evaluates.
	Investments []Investment
	// Observed is the real incident's history, for reports ([[observed]]).
	Observed []Observation
	// Uncertain are the scalar keys (costs, probabilities) and the
	// distribution parameters written as distributions, in the order they
	// are read; the fields above hold their means. Uncertain frequencies
	// are on their incidents (Incident.Frequency).
	Uncertain []UncertainValue

	raw map[string]any // the decoded TOML, for investment overlays
	// svcEntry[i] is the index of service i's [[services]] entry (a
	// group's members share their group's); nil means i itself.
	svcEntry []int
	lines    lineIndex
}

// Incident is the initiating event of incident mode.
type Incident struct {
	Name   string
	Hazard Hazard
	Site   int
	// Sites are further sites a site-wide hazard (utility, cooling,
	// partition) hits at the same time, each with its own course.
	Sites []int
	// Parts narrows a site-wide hazard to part of each site in Scope():
	// Parts[k] lists the domains (indices within the site) it hits at the
	// k-th site, nil for the whole site. Written as buildings, halls or
	// domains.
	Parts [][]int
	// Region names the region whose sites the incident hits (key region);
	// empty when it names sites.
	Region string
	// Between names two regions a network_partition cuts apart: every
	// site still reaches users, but no site of one reaches a site of the
	// other (empty for a partition that cuts sites off altogether).
	Between [2]string
	// Trains are the power trains (indices into the site's Trains) a
	// power_failure hits.
	Trains []int
	// Services and Multiplier: a traffic_surge multiplies the demand of
	// these services by a draw of Multiplier for its duration.
	Services   []int
	Multiplier sim.Dist
	// Destroyed is the fraction of servers a power_failure destroys in
	// each domain it darkens (a surge when power returns, an arc flash);
	// they are replaced after [sites.fire] server_lead_time.
	Destroyed sim.Dist
	// UnitsLost is how many cooling units a cooling_loss takes out in each
	// hall it hits (per-hall thermal model); 0 means all of them.
	UnitsLost int
	Domain    int // ignition domain for a fire; -1 otherwise
	// At is the hours from the replication's t = 0 (the first incident's
	// start) until this incident begins.
	At    float64
	Start time.Time
	// WeekHour is the start as hours since Monday 00:00 local time: the
	// phase of the weekly demand profile at t = 0.
	WeekHour float64
	// RandomStart (start = "random") draws the start uniformly over the
	// week in each replication, as an annual-risk estimate needs.
	RandomStart bool
	// Duration is how long the external cause lasts (utility, cooling,
	// partition); unused for fires, whose course is sampled from the site's
	// fire protection.
	Duration sim.Dist
	// PerYear is the incident's annual frequency (key "frequency"); when
	// the frequency is uncertain, its mean (the expected annual loss is
	// linear in the frequency).
	PerYear float64
	// Frequency is what is known of the frequency, per hour: a constant,
	// or a distribution when the scenario writes it as uncertain
	// (frequency = {dist = "lognormal", median = "0.5/yr", p95 = "2/yr"}).
	Frequency sim.Dist
}

// Where names what the incident hits, for reports: its site (and further
// sites), its region, or the services a traffic surge hits.
func (sc *Scenario) Where(in *Incident) string {
	switch {
	case in.Between[0] != "":
		return "between " + in.Between[0] + " and " + in.Between[1]
	case in.Region != "":
		return "region " + in.Region
	case in.Site < 0:
		var names []string
		for _, s := range in.Services {
			names = append(names, sc.Services[s].Name)
		}
		return strings.Join(names, ", ")
	}
	names := []string{sc.Sites[in.Site].Name}
	for _, p := range in.Sites {
		names = append(names, sc.Sites[p].Name)
	}
	return strings.Join(names, ", ")
}

// Uncertain reports whether the incident's frequency is uncertain.
func (in *Incident) Uncertain() bool { return in.Frequency.Kind != sim.Const }

// KeyService names the service reports headline: the first of
// key_services, else the user service with the most peak users (the first
// such in the file on a tie), else the first service.
func (sc *Scenario) KeyService() string {
	if len(sc.KeyServices) > 0 {
		return sc.Services[sc.KeyServices[0]].Name
	}
	best := -1
	for i, s := range sc.Services {
		if s.Kind == "user" && (best < 0 || s.PeakUsers > sc.Services[best].PeakUsers) {
			best = i
		}
	}
	if best < 0 {
		best = 0
	}
	return sc.Services[best].Name
}

// Scope returns the sites the incident hits, its own site first.
func (in *Incident) Scope() []int {
	if in.Site < 0 {
		return nil // a hazard that hits services, not sites
	}
	return append([]int{in.Site}, in.Sites...)
}

// Operations are the people and processes that recover services.
type Operations struct {
	// Drilled says the organisation has drilled the loss of a whole site:
	// manual failover times are divided by DrillSpeedup.
	Drilled      bool
	DrillSpeedup float64
	// OpsTools are services (ops, collaboration, developer tooling) without
	// which manual work takes OpsSlowdown times longer.
	OpsTools    []int
	OpsSlowdown float64
	// RestoreCrews is how many service restorations run at once; waiting
	// ones start in priority order.
	RestoreCrews int
	// RestoreCrewSchedule, when restore_crews is a schedule or a ramp,
	// gives the crews on duty from each step's time on (the first step at
	// 0, RestoreCrews); nil for a constant number.
	RestoreCrewSchedule []CrewStep
	// ControlThreshold is the peak serving fraction at which a control-plane
	// service still acts (a failover controller at reduced capacity works).
	ControlThreshold float64
	// MaxFailoverTries is how many failover attempts an outage gets before
	// the service waits for its primary instead.
	MaxFailoverTries int
	// RestoreBandwidth is the TB per hour all restores from backup share
	// (restore_bandwidth); 0 for no shared limit.
	RestoreBandwidth float64
	// FailoverStaff is how many manual failovers can be worked at once
	// (failover_staff); 0 for no limit.
	FailoverStaff int
}

// Economics turns impact into money.
type Economics struct {
	ValuePerUserHour        float64 // value of one user-hour lost
	CompensationPerUserHour float64 // compensation paid per user-hour lost
}

// Placement is a service's share of servers at one site.
type Placement struct {
	Site    int
	Share   float64
	Servers int
	// Domains, when set, confines the servers to these domains of the
	// site (written as building, hall or domains); nil spreads them over
	// every domain.
	Domains []int
}

// Service is a user-facing or control-plane service.
type Service struct {
	Name     string
	Kind     string // user or control
	Priority int    // restore order, lower first
	// Group names the service group this service is a member of, "" for
	// a service of its own.
	Group string

	Mode      Mode
	Standby   string // hot, warm, cold (active-standby)
	Servers   int
	Placement []Placement
	Primary   int // site index that serves normally (single-site, active-standby)
	Secondary int // standby site index, -1 if none

	Equipment   uint8   // equipment class (EquipCompute, …)
	Utilisation float64 // peak demand / normal serving capacity
	RetrySurge  float64 // demand multiplier while impaired
	// Relocate redeploys the service at another site when its own cannot
	// bring it back: Relocate.Site < 0 when it cannot be.
	Relocate Relocation
	// Overload, when Limit > 0: offered load (demand with retry surge,
	// also from impaired dependents) above Limit × the servers serving
	// makes the service collapse until load is shed after ShedDelay.
	Overload Overload
	Quorum   float64 // fraction of a site's servers needed to keep running

	DependsOn        []int
	FailoverRequires []int
	Detection        sim.Dist
	// FailoverAutomatic: a controller fails the service over (after
	// FailoverAuto) when the services in FailoverRequires work; otherwise
	// every failover is by hand (FailoverManual).
	FailoverAutomatic bool
	FailoverAuto      sim.Dist
	FailoverManual    sim.Dist
	FailoverSuccess   float64
	Warmup            sim.Dist // standby warm-up (warm, cold)
	Reroute           sim.Dist // active-active traffic shift
	Restore           sim.Dist // bring back a site's instances once servers are up
	FailbackOutage    float64  // hours of outage when failing back
	// MaxDataLoss is the largest expected loss of writes, in hours, for
	// which a failover is done (failover.max_data_loss); +Inf for no limit.
	MaxDataLoss float64
	// ManualRequires are the services a manual failover cannot be done
	// without (failover.manual_requires: the VPN, bastion or console the
	// operators use); it waits until every one is healthy.
	ManualRequires []int

	Replication    string // none, sync, async, backup
	ReplicationLag sim.Dist
	BackupInterval float64

	PeakUsers           float64
	RequestsPerUserHour float64
	RevenuePerHour      float64 // at peak
	Profile             Profile

	Data *ServiceData // nil without data_tb (load_data.go)
}

// Relocation is rebuilding a service elsewhere: once it has been down for
// LeadTime (capacity procured or freed at Site, and installed), its
// instances are deployed there — all its servers — and restored from
// backups (the service's restore time); it then serves from Site and does
// not move back.
type Relocation struct {
	Site     int
	LeadTime sim.Dist
}

// Overload is a service's metastable failure under load.
type Overload struct {
	Limit     float64  // offered load / serving capacity at which it collapses; 0: never
	ShedDelay sim.Dist // collapse → load shed (admission control or by hand)
}

// Profile is relative demand: Hourly[h] for the local hour, Weekly[d] for
// the weekday (0 = Monday), each scaled so its largest value is 1.
type Profile struct {
	Name   string
	Hourly [24]float64
	Weekly [7]float64
}

// At returns the relative demand at week hour wh (hours since Monday 00:00).
func (p *Profile) At(wh float64) float64 {
	h := int(wh) % 168
	if h < 0 {
		h += 168
	}
	return p.Hourly[h%24] * p.Weekly[h/24]
}

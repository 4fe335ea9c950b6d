package model

import "github.com/dcsim/dcsim/sim"

// Site is a datacenter: one building with one hall, or a campus of
// buildings ([[sites.buildings]]), each with halls of power domains.
type Site struct {
	Name string
	// Region groups sites that share a fate (a regional partition, a
	// storm); by default each site is its own region.
	Region string
	// Buildings and Halls: a site that declares none is one building with
	// one hall, both named after the site. Declared reports whether the
	// scenario declared them (then domains of one hall neighbour each other
	// for fire spread).
	Buildings []Building
	Halls     []Hall
	Declared  bool
	// Trains names the site's power trains (switchgear, UPS, distribution)
	// that domains draw from (key feeds).
	Trains      []string
	ZoneCutoffs bool    // firefighters can cut power per domain
	BootRate    float64 // servers booted per hour per crew
	Crews       int     // boot crews on duty at t = 0
	// CrewSchedule, when crews is a schedule or a ramp, gives the boot
	// crews on duty from each step's time on (the first at 0, Crews); nil
	// for a constant number.
	CrewSchedule []CrewStep
	Repower      sim.Dist // time to re-energise one domain, sequentially
	ServerCost   float64  // replacement cost of one server
	Fire         FireProtection
	Cooling      Cooling
	Water        Water
	Lightning    LightningDamage
	// RelocationCapacity is how many servers stand ready at this site for
	// services relocated here (relocate), -1 for no limit; more arrive at
	// RelocationBuildRate per hour from the start of the incident.
	RelocationCapacity  int
	RelocationBuildRate float64
	Failures            Background
	Domains             []Domain
}

// Building is a building of a site: fire may spread from it to the
// buildings it names (spread_to), and only to those.
type Building struct {
	Name   string
	Spread []Spread
	// Rebuild is false for a building that is not repaired or reopened
	// after a fire: its domains the fire took (burned or cut) never come
	// back, and their services come back only elsewhere.
	Rebuild bool
}

// Spread is a path fire may take to another building: with Probability,
// after Delay, while it still burns.
type Spread struct {
	To          int // building index within the site
	Probability float64
	Delay       sim.Dist
}

// Hall is a room of a building that holds power domains.
type Hall struct {
	Name     string
	Building int
}

// FireProtection describes detection, suppression and the fire brigade.
type FireProtection struct {
	Detection            sim.Dist
	Suppression          string
	SuppressionSuccess   float64
	SuppressedExtinguish sim.Dist // detection → out, when suppression works
	// Reignition is the chance a suppressed fire re-ignites (lithium-ion
	// cells in thermal runaway) after ReignitionDelay; it then burns until
	// the brigade puts it out (Extinguish from the re-ignition).
	Reignition        float64
	ReignitionDelay   sim.Dist
	Extinguish        sim.Dist // ignition → out, when it does not
	HeatDamage        sim.Dist // ignition → ignition domain loses power
	SpreadProbability float64  // per neighbouring domain
	SpreadDelay       sim.Dist
	// HallSpreadProbability is the chance a fire that reaches a hall
	// spreads to each other hall of its building, after HallSpreadDelay.
	HallSpreadProbability float64
	HallSpreadDelay       sim.Dist
	PowerCutProbability   float64 // firefighters demand power cut
	PowerCutDelay         sim.Dist
	// StopsCooling: a fire stops the cooling of each building it reaches
	// (chillers cut, pipes and power to them lost) until the inspection;
	// with the per-hall thermal model its halls warm and shut down.
	StopsCooling        bool
	AccessLockout       sim.Dist // out → the buildings it reached may be entered
	Inspection          sim.Dist // lockout over → re-energising allowed
	Cleaning            sim.Dist // inspected → unburned domains of a building it reached are clean
	ReplacementLeadTime sim.Dist // burned domain's power gear replaced
	DestroyedFraction   sim.Dist // of servers in a burned domain
	ServerLeadTime      sim.Dist // destroyed servers replaced
	DamageCost          float64  // power equipment per burned domain
}

// Cooling is a site's thermal behaviour: a thermal buffer for the whole
// site, or, when HeatRate is set, a heat balance per hall.
type Cooling struct {
	ThermalBuffer     sim.Dist // time servers run without cooling
	OverheatDestroyed sim.Dist // fraction of servers destroyed by overheating

	// The per-hall thermal model (Thermal): each hall has Units cooling
	// units of which Needed carry its full load (N+1: Units = Needed+1).
	// With a fraction c = min(1, running/Needed) of the cooling it needs,
	// a hall warms at HeatRate·(1-c) °C per hour from StartTemp. At
	// ShutdownTemp operators shut its domains down (with
	// ShutdownProbability); equipment left running past DamageTemp is
	// destroyed at DamageRate per hour above it — the classes in Damages
	// (service equipment = "storage", "network", "compute").
	Thermal             bool
	Units, Needed       int
	HeatRate            float64 // °C per hour at full load with no cooling
	StartTemp           float64
	ShutdownTemp        float64
	ShutdownProbability float64
	DamageTemp          float64
	DamageRate          float64 // per hour above DamageTemp
	Damages             uint8   // equipment classes damaged (bit set)
	// ThrottleTemp and ThrottleCapacity: above ThrottleTemp (and below the
	// shutdown) a hall's servers serve ThrottleCapacity of what they would.
	ThrottleTemp     float64
	ThrottleCapacity float64
	// UnitFailureRate (per unit per hour) and UnitRepair: independent
	// failures of the cooling units, on top of any incident; 0 for none.
	UnitFailureRate float64
	UnitRepair      sim.Dist
}

// Equipment classes a service's servers belong to (service key
// equipment), as bits for Cooling.Damages.
const (
	EquipCompute uint8 = 1 << iota
	EquipStorage
	EquipNetwork
)

// EquipNames names the equipment classes.
var EquipNames = map[string]uint8{"compute": EquipCompute, "storage": EquipStorage, "network": EquipNetwork}

// LightningDamage is what a lightning strike or voltage surge does at a
// site.
type LightningDamage struct {
	TripProbability    float64 // per power train feeding a domain hit
	CoolingProbability float64 // the cooling of the halls hit is damaged
}

// Water is how a site's halls fare in a water leak or flood.
type Water struct {
	Detection         sim.Dist // leak → detected, power cut to wet halls
	DestroyedFraction sim.Dist // of servers in a wet domain
	SpreadProbability float64  // to each other hall of the building
	SpreadDelay       sim.Dist
	DryOut            sim.Dist // water stopped → halls dry
	Cleaning          sim.Dist // dry → cleaned, re-energising allowed
	ServerLeadTime    sim.Dist // cleaned → destroyed servers replaced
}

// Background holds independent failure rates during the horizon.
type Background struct {
	ServerRate   float64 // per server per hour
	ServerRepair sim.Dist
	RackRate     float64 // per rack per hour
	RackSize     int
	RackRepair   sim.Dist
	PDURate      float64 // per PDU per hour
	PDUSize      int
	PDURepair    sim.Dist
}

// Domain is a power domain: servers behind one UPS and generator set.
type Domain struct {
	Name       string
	Servers    int
	Neighbours []int
	Hall       int   // index into the site's Halls
	Feeds      []int // power trains (indices into the site's Trains) that feed it
	UPS        UPS
	ATS        ATS
	Generators Generators
}

// ATS is a domain's automatic transfer switch to its generators.
type ATS struct {
	FailToTransfer float64  // per demand
	ManualTransfer sim.Dist // time to transfer by hand when it fails
}

// UPS is a domain's uninterruptible supply.
type UPS struct {
	Chemistry   string // li-ion, vrla, nicd
	RideThrough float64
	// FailProb is the chance the UPS fails when utility power is lost:
	// the load drops at once, with no ride-through.
	FailProb float64
}

// Generators is a domain's standby generation.
type Generators struct {
	Count, Needed int
	FailToStart   float64
	StartTime     float64  // hours, when constant
	Start         sim.Dist // start time; drawn per domain and incident when not constant
	// Repair, when HasRepair: after the generators stop carrying the
	// load, they are repaired and restarted after a draw of Repair.
	Repair      sim.Dist
	HasRepair   bool
	Fuel        float64 // hours of fuel on site
	RefuelProb  float64 // resupply arrives before the fuel runs out
	RunFailRate float64 // per running generator per hour
}

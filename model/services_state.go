package model

// svcHot is the state of one service that evaluating it reads or writes
// (and the pool checks and failover decisions that run beside), in one
// struct rather than one array each: a 1,000-service replication touches
// a different service at nearly every event, and each array cost a cache
// miss.
type svcHot struct {
	fPeak       float64 // effective serving fraction at peak demand
	reroute     float64 // share of traffic failing until rerouted
	loadMul     float64 // demand multiplier of traffic surges under way
	active      int     // serving site for active-standby / single-site
	healthy     bool
	everImp     bool
	calm        bool // settled: healthy, home, running, nothing pending
	collapsed   bool // overloaded: serves nothing until load is shed
	shedding    bool // load beyond capacity turned away until healthy
	relocated   bool // serves from its relocate site for good
	foPending   bool
	failingBack bool
}

// poolState is one (service, site) pool: its servers up, whether its
// instances run, whether it is queued for restore or being restored, and
// the servers it needs to run (the model's quorum, copied here so that
// the pool checks, which run at nearly every event, read one cache line
// per service rather than one per array).
type poolState struct {
	up, quorum         int32
	running, restoring bool
}

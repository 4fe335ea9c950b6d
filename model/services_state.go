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

// absorbs reports whether t, a dependent of s whose serving changed, can
// be left alone: when it was last evaluated its own factor, or another
// dependency's, was 0 at every hour, and neither has changed since (its
// own changes mark t already, and so do the other dependency's, which is
// evaluated first), so t serves nothing whatever s does — its peak
// fraction stays 0, its health, calm and serving function stay what they
// are. Not where health depends on the dependencies' (recovered =
// "capacity"), where evaluating may collapse it (overload), or while a
// cut between regions makes what it can reach depend on where its
// dependencies serve.
func (sv *services) absorbs(t, s int) bool {
	z := sv.r.imp.zeroBy[t]
	return z != zeroNone && z != int32(s) && len(sv.cuts) == 0
}

// health reports whether s counts as recovered, serving f of its peak
// demand with avail servers: f is at least recovered_threshold (recovered
// = "peak_demand"); or avail is at least recovered_threshold of the servers
// it normally serves with, nothing it needs is unhealthy and no traffic is
// lost to a reroute (recovered = "capacity").
func (sv *services) health(s int, f, avail float64) bool {
	m := sv.r.m
	thr := m.Sc.RecoveredThreshold
	if !m.capRecovered {
		return f >= thr
	}
	if sv.hot[s].reroute > 0 {
		return false
	}
	for _, d := range m.svc[s].deps {
		if !sv.hot[d].healthy {
			return false
		}
	}
	return avail >= thr*m.normal[s]
}

// isCalm reports whether s is healthy, home, running everywhere it is
// placed and has nothing pending.
func (sv *services) isCalm(s int) bool {
	m := sv.r.m
	if !sv.hot[s].healthy || sv.hot[s].foPending || sv.hot[s].failingBack || sv.hot[s].reroute > 0 || sv.hot[s].collapsed || sv.hot[s].shedding {
		return false
	}
	x := &m.svc[s]
	if x.mode != modeActive && sv.hot[s].active != x.primary && !sv.hot[s].relocated {
		return false
	}
	for _, p := range x.sites {
		if !sv.pool[s*m.nSite+p].running {
			return false
		}
	}
	return true
}

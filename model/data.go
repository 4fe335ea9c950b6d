package model

import (
	"github.com/dcsim/dcsim/sim"
)

// Data: copies of each service's data, their loss, and restores from
// backup (scenarios/README.md, "Data").
//
// A copy (a replica or a backup) lives in a place — a site, or a building,
// hall or domains of it — that holds N servers (the place's domains'
// servers, used or not). When incidents have destroyed k of those servers
// (fire, heat, water: fleet.destroyClasses), the copy is lost with probability
// k/N: each destruction of Δ more servers, while a servers were already
// destroyed, loses a surviving copy with probability Δ/(N−a), so that over
// any sequence of destructions P(lost) = k/N. The draws come from the
// service's own "copies" stream, in copy order, so a seed fixes them.
//
// While at least one replica survives the service runs on it. When the
// last replica is lost the service's data is gone: its instances stop
// everywhere and the data is restored from the first backup listed that
// survives, once one of its placement sites has quorum servers to restore
// onto. A restore reads data_tb at the backup's restore_tb_per_h, or less:
// restores under way share operations.restore_bandwidth max-min fairly
// (none gets more than its backup can give; what one cannot use goes to
// the others). The writes since that backup are lost, uniform on [0,
// interval). When the restore is done the instances are restored as after
// any stop (restore crews). With no backup left the data is lost for good
// (data_lost_tb) and the service comes back empty once its servers do.
//
// A lost copy is re-created once every destroyed server of its place has
// been replaced, if the service has its data then; the copying time of
// such a re-sync is not modelled (the service runs on a surviving copy
// meanwhile). A restore from a backup that is lost mid-way starts again
// from the next surviving backup.

// dataModel is the compiled form of the scenario's data copies; nil when
// no service has data.
type dataModel struct {
	copies    []copyInfo
	domCopies [][]int32 // per flat domain, copies whose place holds it
	replicas  [][]int32 // per service, its replica copies
	backups   [][]int32 // per service, its backup copies in listed order
	stream    []uint64  // per service, its copies stream (0: no data)
}

type copyInfo struct {
	svc    int
	backup int // index into the service's Backups, -1 for a replica
	total  int32
	where  string
}

func compileData(m *Model) *dataModel {
	sc := m.Sc
	found := false
	for s := range sc.Services {
		if sc.Services[s].Data != nil {
			found = true
		}
	}
	if !found {
		return nil
	}
	dm := &dataModel{
		domCopies: make([][]int32, m.nDom),
		replicas:  make([][]int32, m.nSvc),
		backups:   make([][]int32, m.nSvc),
		stream:    make([]uint64, m.nSvc),
	}
	add := func(s, b int, c DataCopy) int32 {
		k := int32(len(dm.copies))
		info := copyInfo{svc: s, backup: b, where: copyWhere("replica", c)}
		if b >= 0 {
			info.where = copyWhere("backup", c)
		}
		doms := c.Domains
		if doms == nil {
			doms = make([]int, len(sc.Sites[c.Site].Domains))
			for i := range doms {
				doms[i] = i
			}
		}
		for _, local := range doms {
			d := m.siteDom[c.Site][local]
			info.total += int32(sc.Sites[c.Site].Domains[local].Servers)
			dm.domCopies[d] = append(dm.domCopies[d], k)
		}
		dm.copies = append(dm.copies, info)
		return k
	}
	for s := range sc.Services {
		data := sc.Services[s].Data
		if data == nil {
			continue
		}
		dm.stream[s] = streamID("service", sc.Services[s].Name, "copies")
		for _, c := range data.Replicas {
			dm.replicas[s] = append(dm.replicas[s], add(s, -1, c))
		}
		for b := range data.Backups {
			dm.backups[s] = append(dm.backups[s], add(s, b, data.Backups[b].DataCopy))
		}
	}
	return dm
}

// dataStore is the replication's state of the data copies and restores.
// With no data in the scenario (m.data nil) every method returns at once.
type dataStore struct {
	r  *Replication
	dm *dataModel

	rng []*randSource // per service with data

	// per copy
	destroyedIn []int32 // destroyed servers in its place
	lost        []bool

	// per service
	live        []int32 // replicas not lost
	liveBackups []int32
	gone        []bool // data missing: waiting for or under restore
	restoring   []bool
	from        []int32    // backup copy being restored from
	left        []float64  // TB still to read
	rate        []float64  // TB/h now
	since       []float64  // when left was last brought up to date
	started     []float64  // when the restore began
	pendLoss    []float64  // seconds of writes the restore under way loses
	active      []int32    // services restoring, by restore_tb_per_h ascending
	next        sim.Handle // the first restore to finish at the current rates
	capRate     []float64  // per service, its backup's restore_tb_per_h
	reshare     bool       // restores started or ended: share at the end of the event
	nGone       int

	// outcomes per service
	writesLost []float64 // seconds of writes lost by restores
	restoredTB []float64
	restoreH   []float64
	lostTB     []float64
}

func (dt *dataStore) init(r *Replication) {
	dt.r = r
	dm := r.m.data
	dt.dm = dm
	if dm == nil {
		return
	}
	ns, nc := r.m.nSvc, len(dm.copies)
	dt.rng = make([]*randSource, ns)
	for s, id := range dm.stream {
		if id != 0 {
			dt.rng[s] = r.rng.Get(id)
		}
	}
	dt.destroyedIn = make([]int32, nc)
	dt.lost = make([]bool, nc)
	dt.live = make([]int32, ns)
	dt.liveBackups = make([]int32, ns)
	dt.gone = make([]bool, ns)
	dt.restoring = make([]bool, ns)
	dt.from = make([]int32, ns)
	dt.left = make([]float64, ns)
	dt.rate = make([]float64, ns)
	dt.since = make([]float64, ns)
	dt.started = make([]float64, ns)
	dt.pendLoss = make([]float64, ns)
	dt.capRate = make([]float64, ns)
	dt.active = make([]int32, 0, ns)
	dt.writesLost = make([]float64, ns)
	dt.restoredTB = make([]float64, ns)
	dt.restoreH = make([]float64, ns)
	dt.lostTB = make([]float64, ns)
}

func (dt *dataStore) reset() {
	dm := dt.dm
	if dm == nil {
		return
	}
	clear(dt.destroyedIn)
	clear(dt.lost)
	for s := range dt.live {
		dt.live[s] = int32(len(dm.replicas[s]))
		dt.liveBackups[s] = int32(len(dm.backups[s]))
	}
	clear(dt.gone)
	clear(dt.restoring)
	dt.next = sim.Handle{}
	dt.reshare = false
	dt.active = dt.active[:0]
	dt.nGone = 0
	clear(dt.writesLost)
	clear(dt.restoredTB)
	clear(dt.restoreH)
	clear(dt.lostTB)
}

func (dt *dataStore) settled() bool { return dt.nGone == 0 }

// missing reports whether service s's data is gone: its instances may not
// run until it is restored.
func (dt *dataStore) missing(s int) bool { return dt.gone != nil && dt.gone[s] }

// destroyed records k more destroyed servers in domain d, losing each
// surviving copy there with probability k/(N−a).
func (dt *dataStore) destroyed(d int, k int32) {
	if dt.dm == nil {
		return
	}
	for _, c := range dt.dm.domCopies[d] {
		a := dt.destroyedIn[c]
		dt.destroyedIn[c] = a + k
		if dt.lost[c] {
			continue
		}
		info := &dt.dm.copies[c]
		if dt.rng[info.svc].Float64()*float64(info.total-a) < float64(k) {
			dt.loseCopy(c)
		}
	}
}

// replaced records that domain d's k destroyed servers were replaced,
// re-creating lost copies whose place is whole again.
func (dt *dataStore) replaced(d int, k int32) {
	if dt.dm == nil || k == 0 {
		return
	}
	for _, c := range dt.dm.domCopies[d] {
		dt.destroyedIn[c] -= k
		if dt.destroyedIn[c] == 0 && dt.lost[c] && !dt.gone[dt.dm.copies[c].svc] {
			dt.revive(c)
		}
	}
}

func (dt *dataStore) revive(c int32) {
	info := &dt.dm.copies[c]
	dt.lost[c] = false
	if info.backup < 0 {
		dt.live[info.svc]++
	} else {
		dt.liveBackups[info.svc]++
	}
	if r := dt.r; r.tr != nil {
		r.event("copy-recreated", r.svcName(info.svc), "%s re-created", info.where)
	}
}

func (dt *dataStore) loseCopy(c int32) {
	r := dt.r
	info := &dt.dm.copies[c]
	s := info.svc
	dt.lost[c] = true
	if r.tr != nil {
		r.event("copy-lost", r.svcName(s), "%s destroyed", info.where)
	}
	if info.backup >= 0 {
		dt.liveBackups[s]--
		if dt.restoring[s] && dt.from[s] == c {
			dt.abort(s)
		}
		if dt.gone[s] && !dt.restoring[s] && dt.liveBackups[s] == 0 {
			dt.lostForGood(s)
		}
		return
	}
	dt.live[s]--
	if dt.live[s] > 0 || dt.gone[s] {
		return
	}
	if dt.liveBackups[s] == 0 {
		dt.lostForGood(s)
		return
	}
	dt.gone[s] = true
	dt.nGone++
	r.svc.touch(s)
	if r.tr != nil {
		r.event("data-gone", r.svcName(s), "every replica lost; waiting to restore from backup")
	}
}

// lostForGood ends the data of s: every copy is destroyed.
func (dt *dataStore) lostForGood(s int) {
	r := dt.r
	if dt.gone[s] {
		dt.gone[s] = false
		dt.nGone--
	}
	dt.lostTB[s] = r.m.Sc.Services[s].Data.TB
	r.svc.touch(s)
	if r.tr != nil {
		r.event("data-lost", r.svcName(s), "every copy destroyed: %g TB lost for good", dt.lostTB[s])
	}
}

// startRestore begins restoring s's data from its first surviving backup
// onto site p, where it has quorum servers again.
func (dt *dataStore) startRestore(s, p int) {
	if dt.restoring[s] {
		return
	}
	r := dt.r
	var c int32 = -1
	for _, b := range dt.dm.backups[s] {
		if !dt.lost[b] {
			c = b
			break
		}
	}
	if c < 0 {
		dt.lostForGood(s)
		return
	}
	now := float64(r.eng.Now())
	data := r.m.Sc.Services[s].Data
	b := &data.Backups[dt.dm.copies[c].backup]
	dt.restoring[s] = true
	dt.from[s] = c
	dt.left[s] = data.TB
	dt.rate[s] = 0
	dt.since[s] = now
	dt.started[s] = now
	dt.pendLoss[s] = dt.rng[s].Float64() * b.Interval * 3600
	// Keep active ordered by the backups' restore rates (insertion).
	cap := b.RestoreRate
	dt.capRate[s] = cap
	i := len(dt.active)
	dt.active = append(dt.active, int32(s))
	for i > 0 && dt.capRate[dt.active[i-1]] > cap {
		dt.active[i] = dt.active[i-1]
		i--
	}
	dt.active[i] = int32(s)
	if r.tr != nil {
		r.event("data-restore-start", r.svcName(s), "restoring %g TB from %s onto %s", data.TB, dt.dm.copies[c].where, r.siteName(p))
	}
	dt.reshare = true
}

// flush shares the bandwidth anew if restores started or ended during the
// event: once per event, however many did.
func (dt *dataStore) flush(now float64) {
	if dt.reshare {
		dt.reshare = false
		dt.share(now)
	}
}

// share brings every restore's progress up to now, gives each its max-min
// fair share of the restore bandwidth, and schedules the one event of the
// first restore to finish at those rates (rates change only when a
// restore starts or ends, so that event is the next change):
//
//	rate_i = min(cap_i, (B − Σ_{j<i} rate_j) / (n − i))   caps ascending, i from 0
func (dt *dataStore) share(now float64) {
	r := dt.r
	if dt.next.Valid() {
		r.eng.Cancel(dt.next)
		dt.next = sim.Handle{}
	}
	bw := r.m.Sc.Ops.RestoreBandwidth
	n := len(dt.active)
	first, soonest := -1, 0.0
	for k, x := range dt.active {
		s := int(x)
		dt.left[s] = max(0, dt.left[s]-dt.rate[s]*(now-dt.since[s]))
		dt.since[s] = now
		rate := dt.capRate[s]
		if bw > 0 {
			rate = min(rate, bw/float64(n-k))
			bw -= rate
		}
		dt.rate[s] = rate
		if t := dt.left[s] / rate; first < 0 || t < soonest {
			first, soonest = s, t
		}
	}
	if first >= 0 {
		dt.next = r.eng.After(sim.Time(soonest), kindOf(unitServices, svDataRestored), int32(first), 0)
	}
}

// remove takes s off the restores under way.
func (dt *dataStore) remove(s int) {
	for k, x := range dt.active {
		if int(x) == s {
			dt.active = append(dt.active[:k], dt.active[k+1:]...)
			break
		}
	}
	dt.restoring[s] = false
	dt.rate[s] = 0
}

// abort stops s's restore: its backup was lost. It starts again from the
// next surviving backup when the services unit next checks s.
func (dt *dataStore) abort(s int) {
	r := dt.r
	now := float64(r.eng.Now())
	dt.restoreH[s] += now - dt.started[s]
	dt.remove(s)
	dt.reshare = true
	r.svc.touch(s)
	if r.tr != nil {
		r.event("data-restore-aborted", r.svcName(s), "the backup being restored was lost")
	}
}

// restoreDone ends s's restore: the data is back.
func (dt *dataStore) restoreDone(s int) {
	r := dt.r
	now := float64(r.eng.Now())
	dt.next = sim.Handle{} // it fired
	dt.restoreH[s] += now - dt.started[s]
	dt.restoredTB[s] += r.m.Sc.Services[s].Data.TB
	dt.writesLost[s] += dt.pendLoss[s]
	dt.remove(s)
	dt.gone[s] = false
	dt.nGone--
	// A relocated service's pool is not among its placements, which the
	// services unit checks: queue its instances' restore here.
	if sv := &r.svc; sv.hot[s].relocated {
		p := r.m.svc[s].reloc
		if i := s*r.m.nSite + p; !sv.pool[i].running && !sv.pool[i].restoring {
			sv.pool[i].restoring = true
			sv.restoreQ.push(r.m, restoreReq{svc: s, site: p})
		}
	}
	for _, c := range dt.dm.replicas[s] {
		if dt.lost[c] && dt.destroyedIn[c] == 0 {
			dt.revive(c)
		}
	}
	if r.tr != nil {
		r.event("data-restored", r.svcName(s), "%g TB back after %.2fh", r.m.Sc.Services[s].Data.TB, now-dt.started[s])
	}
	dt.reshare = true
}

// outcome returns the data outcomes of service s at the end of the
// replication: a restore under way counts its time so far, and its writes
// lost only once it is done.
func (dt *dataStore) outcome(s int, end float64) (writesS, restoredTB, restoreH, lostTB float64) {
	if dt.dm == nil {
		return 0, 0, 0, 0
	}
	h := dt.restoreH[s]
	if dt.restoring[s] {
		h += end - dt.started[s]
	}
	return dt.writesLost[s], dt.restoredTB[s], h, dt.lostTB[s]
}

package model

import (
	"fmt"
	"hash/fnv"
	"math"
	"slices"

	"github.com/dcsim/dcsim/sim"
)

// Model is a scenario compiled for simulation: flat tables indexed by
// domain and service, sized by the number of groups, never by servers.
// It is read-only once built and shared by all workers.
type Model struct {
	Sc *Scenario

	nSvc, nSite, nDom int
	domSite           []int // flat domain -> site
	domLocal          []int // flat domain -> index within its site
	siteDom           [][]int
	poolTotal         []int32   // [d*nSvc+s] servers of service s in domain d
	otherTotal        []int32   // servers in domain d that no service uses
	placed            []int32   // [s*nSite+p] servers of s at site p
	quorum            []int32   // [s*nSite+p] servers pool (s, p) needs to keep running
	demand            []float64 // D_s: servers needed at peak for service s
	normal            []float64 // servers s normally serves with
	capRecovered      bool      // recovered = "capacity"
	share             []float64 // [s*nSite+p] share of s's traffic at p (active-active)
	bootOrder         []int     // services by priority, then index
	// bgRates[d] holds domain d's background failure rates per hour:
	// servers, racks, PDUs, and their sum.
	bgRates [][4]float64
	opsTool []bool

	// Sparse views, so that work follows the groups that exist.
	domPools   [][]int   // per domain, services with servers there, by index
	domPoolEnd [][]int32 // per domain, running sum of those pools' servers
	domBoot    [][]int   // per domain, those services in boot order
	siteSvcs   [][]int   // per site, services placed there, by index
	hallDoms   [][][]int // per site and hall, its domains (index within the site)
	hallBase   []int     // per site, the flat index of its first hall
	nHall      int
	trainBase  []int   // per site, the flat index of its first power train
	trainDoms  [][]int // per flat train, the domains it feeds
	domFeeds   [][]int // per domain, the flat trains that feed it
	bldFirst   [][]int // per site and building, its first domain, -1 if none
	dependents [][]int // per service, services that depend on it
	topoPos    []int32 // per service, its position in Sc.Order
	// absorber[s]: s may be left alone while its own factor, or another
	// dependency's, is 0 at every hour (see services.absorbs): health does
	// not depend on the dependencies' (recovered = "peak_demand") and s
	// never collapses.
	absorber []bool
	profile  []*profileTable
	// cross[i·nVarying+j]: the table of the i-th profile whose demand
	// varies against the j-th's thresholds (see threshold.go), nil for i
	// = j and past the size bound.
	cross    []*crossTable
	nVarying int
	svc      []svcInfo // what the hot paths read of each service, packed
	// What events draw and read of each service, copied out of the
	// scenario's large Service records so that walking many services
	// reads a few bytes each: reroute and restore times, equipment class.
	draws []svcDraws
	equip []uint8
	data  *dataModel // data copies (data.go); nil if no service has data
	// manualWaiters lists, per service, the services whose manual
	// failover requires it (failover.manual_requires).
	manualWaiters [][]int

	// incidents holds the replication's incidents: the scenario's
	// [incident] and any further ones it runs at once.
	incidents []compiledIncident

	// Stream ids, derived from names so that adding or reordering
	// entities never changes another entity's random numbers.
	siteStream    []uint64
	domStream     []uint64
	svcFailStream []uint64
	svcRestStream []uint64
	svcDataStream []uint64
}

// streamID hashes a name path into a stream id (FNV-1a 64).
func streamID(parts ...string) uint64 {
	h := fnv.New64a()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return h.Sum64()
}

// Compile builds the simulation tables of a validated scenario.
func Compile(sc *Scenario) *Model {
	m := &Model{Sc: sc, nSvc: len(sc.Services), nSite: len(sc.Sites)}
	for si, site := range sc.Sites {
		var ds []int
		for di := range site.Domains {
			ds = append(ds, m.nDom)
			m.domSite = append(m.domSite, si)
			m.domLocal = append(m.domLocal, di)
			m.domStream = append(m.domStream, streamID("domain", site.Name, site.Domains[di].Name))
			m.nDom++
		}
		m.siteDom = append(m.siteDom, ds)
		m.siteStream = append(m.siteStream, streamID("site", site.Name))
	}
	m.poolTotal = make([]int32, m.nDom*m.nSvc)
	m.otherTotal = make([]int32, m.nDom)
	m.placed = make([]int32, m.nSvc*m.nSite)
	m.share = make([]float64, m.nSvc*m.nSite)
	m.demand = make([]float64, m.nSvc)
	m.normal = make([]float64, m.nSvc)
	m.capRecovered = sc.Recovered == RecoveredCapacity
	m.opsTool = make([]bool, m.nSvc)
	for _, j := range sc.Ops.OpsTools {
		m.opsTool[j] = true
	}
	for s, svc := range sc.Services {
		m.svcFailStream = append(m.svcFailStream, streamID("service", svc.Name, "failover"))
		m.svcRestStream = append(m.svcRestStream, streamID("service", svc.Name, "restore"))
		m.svcDataStream = append(m.svcDataStream, streamID("service", svc.Name, "data"))
		total := 0
		for _, p := range svc.Placement {
			m.placed[s*m.nSite+p.Site] = int32(p.Servers)
			total += p.Servers
		}
		for _, p := range svc.Placement {
			if total > 0 {
				m.share[s*m.nSite+p.Site] = float64(p.Servers) / float64(total)
			}
		}
		normal := float64(total)
		if svc.Mode != ActiveActive {
			normal = float64(m.placed[s*m.nSite+svc.Primary])
		}
		m.demand[s] = svc.Utilisation * normal
		m.normal[s] = normal
	}
	// Spread each service's servers at a site over the site's domains
	// (placeSite: confined placements first, each in proportion to the room
	// left), so no domain holds more servers than it has.
	for si := range sc.Sites {
		ds := m.siteDom[si]
		pools, free, _ := placeSite(&sc.Sites[si], si, sc.Services)
		for s, parts := range pools {
			for k, n := range parts {
				m.poolTotal[ds[k]*m.nSvc+s] = int32(n)
			}
		}
		for k, d := range ds {
			m.otherTotal[d] = int32(free[k])
		}
	}
	m.quorum = make([]int32, m.nSvc*m.nSite)
	for s, svc := range sc.Services {
		for p := 0; p < m.nSite; p++ {
			i := s*m.nSite + p
			m.quorum[i] = max(1, int32(math.Ceil(svc.Quorum*float64(m.placed[i]))))
		}
	}
	m.bgRates = make([][4]float64, m.nDom)
	for d := range m.bgRates {
		site := &sc.Sites[m.domSite[d]]
		bg := &site.Failures
		n := float64(site.Domains[m.domLocal[d]].Servers)
		a, b, c := n*bg.ServerRate, n/float64(bg.RackSize)*bg.RackRate, n/float64(bg.PDUSize)*bg.PDURate
		m.bgRates[d] = [4]float64{a, b, c, a + b + c}
	}
	m.bootOrder = make([]int, m.nSvc)
	for i := range m.bootOrder {
		m.bootOrder[i] = i
	}
	slices.SortStableFunc(m.bootOrder, func(a, b int) int { return sc.Services[a].Priority - sc.Services[b].Priority })
	m.compileViews()
	m.compileIncidents()
	m.data = compileData(m)
	m.manualWaiters = make([][]int, m.nSvc)
	for s := range sc.Services {
		for _, d := range sc.Services[s].ManualRequires {
			m.manualWaiters[d] = append(m.manualWaiters[d], s)
		}
	}
	return m
}

// compileViews builds the sparse per-domain, per-site and per-service
// lists the replication walks instead of every (domain, service) pair.
func (m *Model) compileViews() {
	sc := m.Sc
	m.domPools = make([][]int, m.nDom)
	m.domPoolEnd = make([][]int32, m.nDom)
	m.domBoot = make([][]int, m.nDom)
	for d := 0; d < m.nDom; d++ {
		var sum int32
		for s := 0; s < m.nSvc; s++ {
			if n := m.poolTotal[d*m.nSvc+s]; n > 0 {
				m.domPools[d] = append(m.domPools[d], s)
				sum += n
				m.domPoolEnd[d] = append(m.domPoolEnd[d], sum)
			}
		}
		for _, s := range m.bootOrder {
			if m.poolTotal[d*m.nSvc+s] > 0 {
				m.domBoot[d] = append(m.domBoot[d], s)
			}
		}
	}
	m.hallDoms = make([][][]int, m.nSite)
	m.bldFirst = make([][]int, m.nSite)
	m.hallBase = make([]int, m.nSite)
	for p := range sc.Sites {
		site := &sc.Sites[p]
		m.hallBase[p] = m.nHall
		m.nHall += len(site.Halls)
		m.hallDoms[p] = make([][]int, len(site.Halls))
		m.bldFirst[p] = make([]int, len(site.Buildings))
		for b := range m.bldFirst[p] {
			m.bldFirst[p][b] = -1
		}
		for k, d := range site.Domains {
			m.hallDoms[p][d.Hall] = append(m.hallDoms[p][d.Hall], k)
			if b := site.Halls[d.Hall].Building; m.bldFirst[p][b] < 0 {
				m.bldFirst[p][b] = k
			}
		}
	}
	m.trainBase = make([]int, m.nSite)
	m.domFeeds = make([][]int, m.nDom)
	for p := range sc.Sites {
		site := &sc.Sites[p]
		m.trainBase[p] = len(m.trainDoms)
		for range site.Trains {
			m.trainDoms = append(m.trainDoms, nil)
		}
		for k, d := range m.siteDom[p] {
			for _, t := range site.Domains[k].Feeds {
				ft := m.trainBase[p] + t
				m.trainDoms[ft] = append(m.trainDoms[ft], d)
				m.domFeeds[d] = append(m.domFeeds[d], ft)
			}
		}
	}
	m.siteSvcs = make([][]int, m.nSite)
	for s := 0; s < m.nSvc; s++ {
		for p := 0; p < m.nSite; p++ {
			if m.placed[s*m.nSite+p] > 0 {
				m.siteSvcs[p] = append(m.siteSvcs[p], s)
			}
		}
	}
	// Each service's dependents lie in one array, in service order.
	m.dependents = make([][]int, m.nSvc)
	ndep := make([]int, m.nSvc)
	total := 0
	for _, svc := range sc.Services {
		for _, d := range svc.DependsOn {
			ndep[d]++
			total++
		}
	}
	all, off := make([]int, total), 0
	for d := range m.dependents {
		m.dependents[d] = all[off : off : off+ndep[d]]
		off += ndep[d]
	}
	for s, svc := range sc.Services {
		for _, d := range svc.DependsOn {
			m.dependents[d] = append(m.dependents[d], s)
		}
	}
	m.topoPos = make([]int32, m.nSvc)
	for k, s := range sc.Order {
		m.topoPos[s] = int32(k)
	}
	m.svc = make([]svcInfo, m.nSvc)
	// A service's placement sites and dependencies lie next to each other
	// in one array, so that reading both touches one cache line.
	total = 0
	for s := range sc.Services {
		total += len(sc.Services[s].Placement) + len(sc.Services[s].DependsOn)
	}
	lists := make([]int, 0, total)
	for s := range sc.Services {
		x := &sc.Services[s]
		info := svcInfo{mode: modeSingle, primary: x.Primary, secondary: x.Secondary, priority: x.Priority,
			surge: x.RetrySurge, ovLimit: x.Overload.Limit, reloc: x.Relocate.Site, servers: int32(x.Servers), users: x.PeakUsers, demand: m.demand[s],
			requests: x.PeakUsers * x.RequestsPerUserHour, revenue: x.RevenuePerHour}
		switch x.Mode {
		case ActiveStandby:
			info.mode = modeStandby
		case ActiveActive:
			info.mode = modeActive
		}
		a := len(lists)
		for _, pl := range x.Placement {
			lists = append(lists, pl.Site)
		}
		b := len(lists)
		lists = append(lists, x.DependsOn...)
		info.sites, info.deps = lists[a:b:b], lists[b:len(lists):len(lists)]
		m.svc[s] = info
	}
	m.draws = make([]svcDraws, m.nSvc)
	m.equip = make([]uint8, m.nSvc)
	for s := range sc.Services {
		x := &sc.Services[s]
		m.draws[s] = svcDraws{reroute: x.Reroute, restore: x.Restore}
		m.equip[s] = x.Equipment
	}
	m.absorber = make([]bool, m.nSvc)
	for s := range m.absorber {
		m.absorber[s] = !m.capRecovered && m.svc[s].ovLimit == 0
	}
	m.profile = make([]*profileTable, m.nSvc)
	tables := map[Profile]*profileTable{}
	var built []*profileTable // in the order of first use
	for s := range sc.Services {
		p := sc.Services[s].Profile
		t, ok := tables[p]
		if !ok {
			t = newProfileTable(&p)
			tables[p] = t
			built = append(built, t)
		}
		m.profile[s] = t
		m.svc[s].profile = t
	}
	m.compileThresholds(built)
}

// compileIncidents places the scenario's incidents: the first draws from
// its sites' and domains' own streams (as a scenario with one incident
// always has), later ones from streams named by the incident as well.
func (m *Model) compileIncidents() {
	sc := m.Sc
	all := append([]Incident{sc.Incident}, sc.Concurrent...)
	m.incidents = make([]compiledIncident, len(all))
	for k := range all {
		in := &all[k]
		ci := compiledIncident{Incident: in, sites: in.Scope(), ownStream: streamID("incident", in.Name, "course")}
		for _, p := range ci.sites {
			site := &sc.Sites[p]
			var doms []uint64
			if k == 0 {
				ci.siteStream = append(ci.siteStream, m.siteStream[p])
				for _, d := range m.siteDom[p] {
					doms = append(doms, m.domStream[d])
				}
			} else {
				ci.siteStream = append(ci.siteStream, streamID("incident", in.Name, "site", site.Name))
				for _, dom := range site.Domains {
					doms = append(doms, streamID("incident", in.Name, "domain", site.Name, dom.Name))
				}
			}
			ci.domStream = append(ci.domStream, doms)
		}
		ci.place(m)
		m.incidents[k] = ci
	}
}

// Servers returns the number of servers in the fleet.
func (m *Model) Servers() int {
	n := 0
	for _, site := range m.Sc.Sites {
		for _, d := range site.Domains {
			n += d.Servers
		}
	}
	return n
}

// Deployment modes, packed.
const (
	modeSingle uint8 = iota
	modeStandby
	modeActive
)

// svcDraws are the distributions of a service that events draw from.
type svcDraws struct {
	reroute sim.Dist // Reroute
	restore sim.Dist // Restore
}

// svcInfo is what the per-event paths read of a service, packed so that
// walking many services touches little memory.
type svcInfo struct {
	deps               []int // DependsOn
	sites              []int // placement sites, in placement order
	demand             float64
	surge              float64
	ovLimit            float64 // overload limit, 0 when the service never collapses
	reloc              int     // relocate site, -1 when none
	servers            int32   // servers in all
	users              float64 // peak users
	requests           float64 // peak users × requests per user-hour
	revenue            float64 // per hour at peak
	profile            *profileTable
	primary, secondary int
	priority           int
	mode               uint8
}

// occurrence places the k-th occurrence of catalogue incident i in a
// replication (RunOccurrences): its streams are named by the incident and
// k.
func (m *Model) occurrence(i, k int) *compiledIncident {
	in := m.Sc.Incidents[i]
	in.At = 0
	tag := fmt.Sprintf("occurrence %d", k)
	ci := &compiledIncident{Incident: &in, sites: in.Scope(), ownStream: streamID("incident", in.Name, tag, "course")}
	for _, p := range ci.sites {
		site := &m.Sc.Sites[p]
		ci.siteStream = append(ci.siteStream, streamID("incident", in.Name, tag, "site", site.Name))
		var doms []uint64
		for _, dom := range site.Domains {
			doms = append(doms, streamID("incident", in.Name, tag, "domain", site.Name, dom.Name))
		}
		ci.domStream = append(ci.domStream, doms)
	}
	ci.place(m)
	return ci
}

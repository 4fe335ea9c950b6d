package model

import (
	"hash/fnv"
	"math"
	"math/rand/v2"

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
	share             []float64 // [s*nSite+p] share of s's traffic at p (active-active)
	bootOrder         []int     // services by priority, then index
	// bgRates[d] holds domain d's background failure rates per hour:
	// servers, racks, PDUs, and their sum.
	bgRates [][4]float64
	opsTool []bool

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
	}
	// Spread each service's servers at a site over the site's domains in
	// proportion to the room each domain has left (largest remainder), so
	// no domain holds more servers than it has; with domains of equal size
	// this is a proportional split.
	for si, site := range sc.Sites {
		ds := m.siteDom[si]
		free := make([]int, len(ds))
		for k, d := range ds {
			free[k] = site.Domains[m.domLocal[d]].Servers
		}
		for s := range sc.Services {
			n := int(m.placed[s*m.nSite+si])
			if n == 0 {
				continue
			}
			parts := apportion(n, len(ds), func(k int) float64 { return float64(free[k]) })
			for k, d := range ds {
				m.poolTotal[d*m.nSvc+s] = int32(parts[k])
				free[k] -= parts[k]
			}
		}
		for k, d := range ds {
			m.otherTotal[d] = int32(max(0, free[k]))
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
	sortByPriority(m.bootOrder, sc.Services)
	return m
}

func sortByPriority(idx []int, svcs []Service) {
	for i := 1; i < len(idx); i++ {
		for j := i; j > 0; j-- {
			a, b := idx[j-1], idx[j]
			if svcs[a].Priority < svcs[b].Priority || (svcs[a].Priority == svcs[b].Priority && a < b) {
				break
			}
			idx[j-1], idx[j] = b, a
		}
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

// streams holds one PCG per random purpose, re-seeded per replication.
type streams struct {
	site, dom, fail, rest, data []*rand.Rand
	start                       *rand.Rand // incident start time
	pcg                         []*rand.PCG
	ids                         []uint64
}

func newStreams(m *Model) *streams {
	st := &streams{}
	mk := func(ids []uint64) []*rand.Rand {
		out := make([]*rand.Rand, len(ids))
		for i, id := range ids {
			p := rand.NewPCG(0, 0)
			st.pcg = append(st.pcg, p)
			st.ids = append(st.ids, id)
			out[i] = rand.New(p)
		}
		return out
	}
	st.site = mk(m.siteStream)
	st.dom = mk(m.domStream)
	st.fail = mk(m.svcFailStream)
	st.rest = mk(m.svcRestStream)
	st.data = mk(m.svcDataStream)
	st.start = mk([]uint64{streamID("incident", "start")})[0]
	return st
}

func (st *streams) reset(seed, rep uint64) {
	for i, p := range st.pcg {
		p.Seed(sim.StreamSeed(seed, rep, st.ids[i]))
	}
}

package model

import (
	"fmt"
	"slices"

	"github.com/dcsim/dcsim/sim"
)

// A hazard is one incident's course in a replication. It starts at the
// incident's offset (its hzStart event), samples its own course from its
// own streams, owns its event kinds, and acts on the world only through
// the power, fleet and service units — so incidents of any kind can
// overlap in one replication. Each hazard lives in its own file:
// hazard_fire.go, hazard_utility.go, hazard_cooling.go,
// hazard_partition.go. A new hazard adds its file (which registers it), its
// schema and its docs; nothing else names it.
type hazard interface {
	base() *incident
	// reset returns the hazard to before its incident, for a new replication.
	reset()
	// handle applies one of the hazard's own events (local kind).
	handle(local int32, ev sim.Event)
	// done reports whether the hazard's course is over: it started, and
	// nothing more will happen that it does not already hold in the world
	// (powered-off domains and destroyed servers are the units' to report).
	done() bool
}

// hzStart is every hazard's first event: the incident begins.
const hzStart int32 = 0

// incident is what every hazard shares: its incident, its unit (event
// kinds), its random streams and the power causes it holds.
type incident struct {
	r       *Replication
	in      *compiledIncident
	unit    int32
	at      float64 // hours after t = 0 the incident starts
	started bool
	shared  float64       // a regional incident's one duration, for every site
	site    []*randSource // per site in scope
	dom     []*randSource // per domain of a site in scope
	own     *randSource   // the incident's own stream, for what no site owns
	held    []uint8       // per domain, causes this incident holds
}

func (h *incident) base() *incident { return h }

func (h *incident) kind(local int32) int32 { return kindOf(h.unit, local) }

// begin marks the incident started; a regional incident draws the one
// duration all its sites share.
func (h *incident) begin() {
	h.started = true
	if h.in.Region != "" {
		h.shared = h.in.Duration.Sample(h.own)
	}
}

// duration is how long the external cause lasts at a site in scope: the
// region's shared draw, or the site's own (from its stream rng).
func (h *incident) duration(rng *randSource) float64 {
	if h.in.Region != "" {
		return h.shared
	}
	return h.in.Duration.Sample(rng)
}

func (h *incident) resetIncident() {
	h.started = false
	clear(h.held)
}

// hold takes domain d's power for cause c, once per incident.
func (h *incident) hold(d int, c uint8) {
	if h.held[d]&c != 0 {
		return
	}
	h.held[d] |= c
	h.r.power.hold(d, c)
}

// release lets go of the incident's hold of cause c on domain d.
func (h *incident) release(d int, c uint8) {
	if h.held[d]&c == 0 {
		return
	}
	h.held[d] &^= c
	h.r.power.release(d, c)
}

// compiledIncident is an incident placed in a replication: its hazard,
// scope and start offset, and its random streams. The first incident of a
// scenario draws from its sites' and domains' own streams, as a scenario
// with one incident always has; every later one from streams named by the
// incident too, so adding an incident never changes the numbers another
// draws.
type compiledIncident struct {
	*Incident
	sites      []int
	doms       [][]int  // per site in sites, the domains it hits (flat index)
	siteStream []uint64 // per site in sites
	domStream  [][]uint64
	ownStream  uint64 // named by the incident (and its occurrence)
}

// place fills doms from the incident's parts: every domain of a site,
// unless the incident names some.
func (ci *compiledIncident) place(m *Model) {
	ci.doms = make([][]int, len(ci.sites))
	for k, p := range ci.sites {
		if k < len(ci.Parts) && ci.Parts[k] != nil {
			for _, local := range ci.Parts[k] {
				ci.doms[k] = append(ci.doms[k], m.siteDom[p][local])
			}
			continue
		}
		ci.doms[k] = m.siteDom[p]
	}
}

// hazardKind is what the rest of dcsim knows of a kind of hazard.
type hazardKind struct {
	// title names it in reports ("Battery fire").
	title string
	// inDomain: it starts in one power domain of one site ([incident]
	// domain); otherwise it hits whole sites for a duration ([incident]
	// duration, and optionally sites or a region).
	inDomain bool
	// parts: a site-wide hazard that may also hit only some buildings,
	// halls or domains of its site.
	parts bool
	// trains: it hits named power trains of one site ([incident] trains).
	trains bool
	// services: it hits named services wherever they run, not a site
	// ([incident] services).
	services bool
	// build makes the hazard of one incident of a replication.
	build func(h incident) hazard
	// assumptions lists what a report should say it assumed (key path,
	// parameter, value); nil for the duration alone.
	assumptions func(sc *Scenario, in *Incident, add func(key, param, value string))
}

var hazardKinds = map[Hazard]hazardKind{}

// registerHazard makes a hazard known; each hazard's file calls it from
// init.
func registerHazard(name Hazard, k hazardKind) {
	if _, dup := hazardKinds[name]; dup {
		panic(fmt.Sprintf("model: hazard %q registered twice", name))
	}
	hazardKinds[name] = k
}

// HazardNames lists the hazards dcsim models, sorted.
func HazardNames() []string {
	var out []string
	for h := range hazardKinds {
		out = append(out, string(h))
	}
	slices.Sort(out)
	return out
}

// Title names h in reports, e.g. "Battery fire".
func (h Hazard) Title() string {
	if k, ok := hazardKinds[h]; ok {
		return k.title
	}
	return string(h)
}

// InDomain reports whether h starts in one power domain (a fire) rather
// than hitting whole sites for a duration.
func (h Hazard) InDomain() bool { return hazardKinds[h].inDomain }

func newHazard(r *Replication, ci *compiledIncident, unit int32) hazard {
	m := r.m
	h := incident{r: r, in: ci, unit: unit, at: ci.At, held: make([]uint8, m.nDom),
		site: make([]*randSource, m.nSite), dom: make([]*randSource, m.nDom)}
	h.own = r.rng.Get(ci.ownStream)
	for k, p := range ci.sites {
		h.site[p] = r.rng.Get(ci.siteStream[k])
		for j, d := range m.siteDom[p] {
			h.dom[d] = r.rng.Get(ci.domStream[k][j])
		}
	}
	k, ok := hazardKinds[ci.Hazard]
	if !ok {
		panic(fmt.Sprintf("model: no hazard %q", ci.Hazard))
	}
	return k.build(h)
}

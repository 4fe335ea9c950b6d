package results

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"slices"

	"github.com/dcsim/dcsim/sim"
)

// Group is a service group: many similar services (a scenario's
// [[services]] entry with count) that summaries report as one
// distribution rather than member by member.
type Group struct {
	Name    string   `json:"name"`
	Members []string `json:"members"` // service names, in member order
}

// GroupMetrics names the metrics of a group in summary.json. In each
// replication, recovered_P_h is the time until P% of the group's members
// are back: the ⌈P/100 · N⌉-th smallest time_to_recover_h of its N
// members (a member never impaired counts as back at 0, one that never
// recovered at the horizon, as in time_to_recover_h);
// members_impaired counts the members impaired at all.
var GroupMetrics = []string{"recovered_50_h", "recovered_90_h", "recovered_100_h", "members_impaired"}

// groupFractions are the fractions of members of GroupMetrics' first
// three metrics.
var groupFractions = []float64{0.5, 0.9, 1}

// GroupSummary is one group's metrics over replications.
type GroupSummary struct {
	Name    string
	Members []string
	Metrics Metrics
}

// SetGroups names the service groups the Summary reports as
// distributions. Every member must be one of the Collector's services,
// in at most one group; call it before Summary.
func (c *Collector) SetGroups(groups []Group) error {
	idx := make(map[string]int, len(c.services))
	for i, s := range c.services {
		idx[s] = i
	}
	in := map[string]string{}
	names := make([]string, 0, len(groups))
	c.groups, c.groupIdx = nil, nil
	for _, g := range groups {
		names = append(names, g.Name)
		if len(g.Members) == 0 {
			return fmt.Errorf("results: group %q has no members", g.Name)
		}
		var ix []int
		for _, m := range g.Members {
			i, ok := idx[m]
			if !ok {
				return fmt.Errorf("results: group %q: member %q is not a service", g.Name, m)
			}
			if o, dup := in[m]; dup {
				return fmt.Errorf("results: service %q is in groups %q and %q", m, o, g.Name)
			}
			in[m] = g.Name
			ix = append(ix, i)
		}
		c.groupIdx = append(c.groupIdx, ix)
	}
	if err := checkNames("group", names); err != nil {
		c.groupIdx = nil
		return fmt.Errorf("results: %w", err)
	}
	for _, g := range groups {
		c.groups = append(c.groups, Group{Name: g.Name, Members: slices.Clone(g.Members)})
	}
	return nil
}

// Groups returns the groups SetGroups gave. The caller must not modify
// them.
func (c *Collector) Groups() []Group { return c.groups }

// groupSummaries computes variant v's group metrics.
func (c *Collector) groupSummaries(v int) []GroupSummary {
	if len(c.groups) == 0 {
		return nil
	}
	vals := c.groupValues(v)
	out := make([]GroupSummary, len(c.groups))
	for g, grp := range c.groups {
		ms := make(Metrics, len(GroupMetrics))
		for m, name := range GroupMetrics {
			ms[name] = Stat(sim.SummarizeOwned(vals[g][m]))
		}
		out[g] = GroupSummary{Name: grp.Name, Members: grp.Members, Metrics: ms}
	}
	return out
}

// GroupValues returns variant v's values of group g's metric (a name in
// GroupMetrics) in replication order, one per replication held, in a new
// slice. An unknown metric or an index out of range is a programmer
// error and panics.
func (c *Collector) GroupValues(v, g int, metric string) []float64 {
	if g < 0 || g >= len(c.groups) {
		panic(fmt.Sprintf("results: group index %d out of range [0, %d)", g, len(c.groups)))
	}
	m := slices.Index(GroupMetrics, metric)
	if m < 0 {
		panic(fmt.Sprintf("results: unknown group metric %q", metric))
	}
	return c.groupValues(v)[g][m]
}

// groupValues computes variant v's group metrics per replication,
// vals[g][m] for group g and metric m: one pass over the replications
// held, a chunk in memory at a time, with each group's member times
// sorted per replication.
func (c *Collector) groupValues(v int) [][][]float64 {
	vals := make([][][]float64, len(c.groups))
	for g := range vals {
		vals[g] = make([][]float64, len(GroupMetrics))
		for m := range vals[g] {
			vals[g][m] = make([]float64, 0, c.n)
		}
	}
	var ttr []float64
	rows := c.rows()
	for i := range c.n {
		all, j := rows.at(i)
		cols := all[v]
		for g, ix := range c.groupIdx {
			ttr = ttr[:0]
			impaired := 0
			for _, s := range ix {
				x := cols[s*nService][j] // time_to_recover_h
				ttr = append(ttr, x)
				if x > 0 {
					impaired++
				}
			}
			slices.Sort(ttr)
			for m, f := range groupFractions {
				vals[g][m] = append(vals[g][m], ttr[int(math.Ceil(f*float64(len(ttr))))-1])
			}
			vals[g][len(groupFractions)] = append(vals[g][len(groupFractions)], float64(impaired))
		}
	}
	return vals
}

// groupUnits are the units of GroupMetrics, for the manifest.
var groupUnits = map[string]string{
	"recovered_50_h": "h", "recovered_90_h": "h", "recovered_100_h": "h", "members_impaired": "services",
}

// appendGroupsJSON appends `,"groups":{NAME: {"members": [...],
// "metrics": {METRIC: STAT}}}` to b, or nothing when there are no groups
// (summaries of scenarios without groups stay as they were).
func appendGroupsJSON(b *bytes.Buffer, gs []GroupSummary) {
	if len(gs) == 0 {
		return
	}
	b.WriteString(`,"groups":{`)
	for i, g := range gs {
		if i > 0 {
			b.WriteByte(',')
		}
		kj, _ := json.Marshal(g.Name)
		b.Write(kj)
		b.WriteString(`:{"members":`)
		mj, _ := json.Marshal(g.Members)
		b.Write(mj)
		b.WriteString(`,"metrics":`)
		sj, _ := g.Metrics.MarshalJSON()
		b.Write(sj)
		b.WriteByte('}')
	}
	b.WriteByte('}')
}

// readGroupsJSON reads what appendGroupsJSON writes, keeping the order.
func readGroupsJSON(variant string, raw json.RawMessage) ([]GroupSummary, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil, fmt.Errorf("variant %q: groups is not an object", variant)
	}
	var out []GroupSummary
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, err
		}
		name := t.(string)
		var g struct {
			Members []string `json:"members"`
			Metrics Metrics  `json:"metrics"`
		}
		if err := dec.Decode(&g); err != nil {
			return nil, fmt.Errorf("variant %q group %q: %w", variant, name, err)
		}
		if g.Metrics == nil {
			g.Metrics = Metrics{}
		}
		out = append(out, GroupSummary{Name: name, Members: g.Members, Metrics: g.Metrics})
	}
	return out, nil
}

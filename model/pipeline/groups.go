package pipeline

import (
	"fmt"

	"github.com/dcsim/dcsim/model"
	"github.com/dcsim/dcsim/model/report"
	"github.com/dcsim/dcsim/model/results"
	"github.com/dcsim/dcsim/sim"
)

// Service groups in charts: a group of hundreds of similar services is
// drawn as the group — how long until half and all of its members were
// back, and one folded timeline lane — not as hundreds of curves and
// lanes.

// groupOf returns, per service, the index of its group in sc.Groups, or
// -1 for a service of its own.
func groupOf(sc *model.Scenario) []int {
	out := make([]int, len(sc.Services))
	for i := range out {
		out[i] = -1
	}
	for g, grp := range sc.Groups {
		for _, i := range grp.Members {
			out[i] = g
		}
	}
	return out
}

// groupRows returns the report's rows for the groups of variant vs.
func groupRows(vs *results.VariantSummary) []report.GroupRow {
	var out []report.GroupRow
	for _, g := range vs.Groups {
		out = append(out, report.GroupRow{
			Name: g.Name, Members: len(g.Members),
			Impaired: sim.Stat(g.Metrics["members_impaired"]),
			Back50:   sim.Stat(g.Metrics["recovered_50_h"]),
			Back90:   sim.Stat(g.Metrics["recovered_90_h"]),
			Back100:  sim.Stat(g.Metrics["recovered_100_h"]),
		})
	}
	return out
}

// groupCurves returns two recovery CDF curves per group of col (variant
// v): the time until half its members were back, and until all were.
func groupCurves(col *results.Collector, v int) ([]report.CDFCurve, error) {
	var out []report.CDFCurve
	for g, grp := range col.Groups() {
		for _, c := range []struct{ metric, label string }{
			{"recovered_50_h", "50% back"}, {"recovered_100_h", "all back"},
		} {
			e, err := report.ECDFOf(col.GroupValues(v, g, c.metric))
			if err != nil {
				return nil, err
			}
			out = append(out, report.CDFCurve{Label: fmt.Sprintf("%s (%d): %s", grp.Name, len(grp.Members), c.label), Group: grp.Name, ECDF: e})
		}
	}
	return out, nil
}

package pipeline

import (
	"strings"
	"testing"

	"github.com/dcsim/dcsim/model"
	"github.com/dcsim/dcsim/sim"
)

// TestRankByNPV: the options table follows NPV, highest first, after the
// baseline, and says why when ALE + annualised cost would order it
// otherwise.
func TestRankByNPV(t *testing.T) {
	cmp := &model.Comparison{Years: 10, DiscountRate: 0.05, Options: []model.OptionResult{
		{Name: "baseline", ALE: sim.Stat{Mean: 100}},
		{Name: "cheap", Investments: []string{"cheap"}, ALE: sim.Stat{Mean: 60}, AnnualisedCost: 5, NPV: 200},
		{Name: "long-lived", Investments: []string{"long-lived"}, ALE: sim.Stat{Mean: 50}, AnnualisedCost: 20, NPV: 250},
		{Name: "bad", Investments: []string{"bad"}, ALE: sim.Stat{Mean: 99}, AnnualisedCost: 30, NPV: -100},
	}}
	rows, note := rankByNPV(cmp)
	var got []string
	for _, r := range rows {
		got = append(got, r.Name)
	}
	if strings.Join(got, ",") != "baseline,long-lived,cheap,bad" {
		t.Errorf("order %v, want baseline then by NPV", got)
	}
	// By ALE + annualised cost: cheap 65, long-lived 70, baseline 100, bad 129.
	if !strings.Contains(note, "ranked by NPV") || !strings.Contains(note, "would be cheap, long-lived, bad") {
		t.Errorf("note does not explain the other order: %q", note)
	}
	cmp.Options[2].NPV = 100 // now both measures agree
	if _, note := rankByNPV(cmp); strings.Contains(note, "would be") {
		t.Errorf("note explains a difference that is not there: %q", note)
	}
}

package main

import (
	"github.com/dcsim/dcsim/model"
	"github.com/dcsim/dcsim/model/results"
)

func countServers(sc *model.Scenario) int {
	n := 0
	for _, s := range sc.Sites {
		for _, d := range s.Domains {
			n += d.Servers
		}
	}
	return n
}

// drawRunPlots draws a run's plots into dir.
func drawRunPlots(dir string, sc *model.Scenario, col *results.Collector) error {
	return nil
}

// drawComparePlots draws a comparison's plots into dir.
func drawComparePlots(dir string, sc *model.Scenario, plan *model.Plan, col *results.Collector, cmp *model.Comparison) error {
	return nil
}

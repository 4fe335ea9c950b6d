package model

import (
	"context"

	"github.com/dcsim/dcsim/model/results"
	"github.com/dcsim/dcsim/sim"
)

// Simulate runs replications cfg.From..cfg.To-1 of each variant over
// cfg.Workers goroutines and calls reduce for every replication, in
// replication order, with one outcome per variant (in variants order).
//
// Replication k of every variant is seeded from (cfg.Seed, k) with streams
// keyed by entity name, so variants share random numbers (common random
// numbers) and results do not depend on the worker count or shard.
func Simulate(ctx context.Context, variants []*Model, cfg sim.RunConfig,
	reduce func(rep int, out []results.Outcome)) sim.RunResult {
	type worker struct{ reps []*Replication }
	newWorker := func() *worker {
		w := &worker{}
		for _, m := range variants {
			w.reps = append(w.reps, NewReplication(m))
		}
		return w
	}
	work := func(w *worker, rep int, _ *sim.Streams) []results.Outcome {
		out := make([]results.Outcome, len(variants))
		for v, r := range w.reps {
			r.Run(cfg.Seed, rep, &out[v])
		}
		return out
	}
	return sim.Run(ctx, cfg, newWorker, work, reduce)
}

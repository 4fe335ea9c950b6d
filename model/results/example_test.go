package results_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	"github.com/dcsim/dcsim/model/results"
	"github.com/dcsim/dcsim/sim"
)

// Example shows the whole life of a results directory as cmd/dcsim drives
// it: claim the output directory before simulating, copy the scenario in,
// feed every replication to a Collector from sim.Run's reduce (which
// calls it in replication order), checkpoint now and then, and finish —
// or, when interrupted, checkpoint and leave the partial results staged.
func Example() {
	tmp, _ := os.MkdirTemp("", "dcsim-example-")
	defer os.RemoveAll(tmp)
	scenario := filepath.Join(tmp, "tiny.toml")
	os.WriteFile(scenario, []byte("name = \"tiny\"\n"), 0o644)
	out := filepath.Join(tmp, "results", "tiny")

	// 1. Before any simulation work: fails fast on a bad --out.
	dir, err := results.Prepare(out, false)
	if err != nil {
		log.Fatal(err) // exit 2: bad input
	}
	m := &results.Manifest{
		Command: "run", Version: "v1.0.0", Seed: 1, Replications: 5, Shard: "0/1",
		Workers: 2, Started: time.Now().UTC(), Options: map[string]string{"horizon": "14d"},
	}
	if _, err := dir.CopyInputs(m, scenario); err != nil {
		dir.Discard()
		log.Fatal(err)
	}
	col, err := results.NewCollector("tiny", []string{"baseline"}, []string{"web", "db"}, 0)
	if err != nil {
		dir.Discard()
		log.Fatal(err)
	}

	// 2. Run. work stands in for the model: replication k recovers web in
	// k+1 hours and db in 2(k+1).
	var ckErr error
	res := sim.Run(context.Background(), sim.RunConfig{Seed: m.Seed, From: col.Next(), To: 5, Workers: 2},
		func() struct{} { return struct{}{} },
		func(_ struct{}, rep int, _ *sim.Streams) []results.Outcome {
			h := float64(rep + 1)
			web := results.ServiceOutcome{TimeToRecoverH: h, OutageH: h / 2, UserHoursLost: 1000 * h}
			db := results.ServiceOutcome{TimeToRecoverH: 2 * h, OutageH: h, UserHoursLost: 10 * h}
			return []results.Outcome{{
				Services:              []results.ServiceOutcome{web, db},
				AllServicesRecoveredH: 2 * h, UserHoursLost: 1010 * h, Loss: 5e4 * h,
			}}
		},
		func(rep int, outs []results.Outcome) {
			col.Add(rep, outs)
			if ckErr == nil {
				ckErr = dir.CheckpointIfDue(m, col, 5*time.Second)
			}
		})
	if ckErr != nil {
		log.Fatal(ckErr)
	}

	// 3. Interrupted: save what finished (complete=false) in OUT.partial,
	// leave OUT alone, exit 130. Finished: write everything and commit.
	if !res.Complete {
		if err := dir.Checkpoint(m, col); err != nil {
			log.Fatal(err)
		}
		os.Exit(130)
	}
	if err := dir.Finish(m, col, nil); err != nil {
		log.Fatal(err)
	}
	results.WriteTable(os.Stdout, col.Summary(), 0)

	ents, _ := os.ReadDir(out)
	for _, e := range ents {
		fmt.Println(e.Name())
	}
	// Output:
	// tiny · variant baseline · 5 replications
	// service       recover P50 h  recover P90 h  user-hours lost, mean [95% CI]  outage h, mean
	// web           3              4.6            3,000 [1,037, 4,963]            1.5
	// db            6              9.2            30 [10.4, 49.6]                 3
	// all services  6              9.2            3,030 [1,047, 5,013]
	// loss, mean [95% CI]: 150,000 [51,838, 248,162]
	// revenue lost, mean [95% CI]: 0 [0, 0]
	// hardware cost, mean [95% CI]: 0 [0, 0]
	// requests lost, mean [95% CI]: 0 [0, 0]
	// data lost s (worst service), mean [95% CI]: 0 [0, 0]
	// .dcsim-results
	// manifest.json
	// overall.csv
	// replications.csv
	// summary.json
	// tiny.toml
}

// ExampleOpenResume continues a run that was interrupted (here: stopped
// after its checkpoint at replication 3 of 5).
func ExampleOpenResume() {
	tmp, _ := os.MkdirTemp("", "dcsim-example-")
	defer os.RemoveAll(tmp)
	scenario := filepath.Join(tmp, "tiny.toml")
	os.WriteFile(scenario, []byte("name = \"tiny\"\n"), 0o644)
	out := filepath.Join(tmp, "tiny")
	outcome := func(rep int) []results.Outcome {
		return []results.Outcome{{Services: []results.ServiceOutcome{{TimeToRecoverH: float64(rep)}}}}
	}
	newManifest := func() *results.Manifest {
		return &results.Manifest{Command: "run", Seed: 1, Replications: 5, Started: time.Now().UTC()}
	}

	// The first run: 3 replications, a checkpoint, then a crash.
	dir, _ := results.Prepare(out, false)
	m := newManifest()
	dir.CopyInputs(m, scenario)
	col, _ := results.NewCollector("tiny", []string{"baseline"}, []string{"web"}, 0)
	for rep := range 3 {
		col.Add(rep, outcome(rep))
	}
	dir.Checkpoint(m, col)
	dir.Close() // the process ends, releasing the directory

	// dcsim run --resume OUT: reload, check it is the same run, continue.
	r, err := results.OpenResume(out)
	if err != nil {
		log.Fatal(err)
	}
	m = newManifest()
	m.ScenarioSHA256, _ = results.FileSHA256(scenario)
	if err := r.Continue(m, false); err != nil {
		log.Fatal(err) // e.g. the scenario file changed since
	}
	fmt.Println("continue at replication", r.Collector.Next())
	for rep := r.Collector.Next(); rep < 5; rep++ {
		r.Collector.Add(rep, outcome(rep))
	}
	if err := r.Dir.Finish(m, r.Collector, nil); err != nil {
		log.Fatal(err)
	}
	fmt.Println(r.Collector.Values(0, 0, "time_to_recover_h"))
	// Output:
	// continue at replication 3
	// [0 1 2 3 4]
}

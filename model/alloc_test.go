package model

import (
	"path/filepath"
	"testing"

	"github.com/dcsim/dcsim/model/results"
)

// TestReusedReplicationAllocatesNothing checks what keeps many workers
// cheap: once a Replication has run a few replications (its queues grown),
// later ones allocate nothing — for every shipped scenario, every catalogue
// incident and the annual path's overlapping incidents.
func TestReusedReplicationAllocatesNothing(t *testing.T) {
	for _, f := range []string{"example.toml", "kakao-2022.toml", "naver-2022.toml", "examples/groups-1000.toml"} {
		sc, err := Load(filepath.Join("..", "scenarios", f))
		if err != nil {
			t.Fatal(err)
		}
		variants := []*Scenario{sc}
		for i := range sc.Incidents {
			variants = append(variants, sc.WithIncident(i))
		}
		for k, v := range variants {
			r := NewReplication(Compile(v))
			var out results.Outcome
			rep := 0
			for ; rep < 50; rep++ { // warm up: queues reach their working size
				r.Run(v.Seed, rep, &out)
			}
			a := testing.AllocsPerRun(50, func() {
				r.Run(v.Seed, rep, &out)
				rep++
			})
			if a != 0 {
				t.Errorf("%s variant %d (%s): %v allocations per replication, want 0", f, k, v.Incident.Hazard, a)
			}
		}
		if len(sc.Incidents) > 1 {
			r := NewReplication(Compile(sc))
			var out results.Outcome
			occ := []Occurrence{{Incident: 0, At: 0}, {Incident: 1, At: 5}, {Incident: 1, At: 30}}
			rep := 0
			for ; rep < 50; rep++ {
				r.RunOccurrences(sc.Seed, rep, occ, &out)
			}
			a := testing.AllocsPerRun(50, func() {
				r.RunOccurrences(sc.Seed, rep, occ, &out)
				rep++
			})
			if a != 0 {
				t.Errorf("%s: %v allocations per replication of overlapping occurrences, want 0", f, a)
			}
		}
	}
}

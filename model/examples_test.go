package model

import (
	"math"
	"path/filepath"
	"testing"

	"github.com/dcsim/dcsim/model/results"
)

// Every example scenario (one or more per hazard) loads and runs, and
// its incident does what its header says it does: some service is
// impaired in most replications, and every metric is finite.
func TestExamplesRun(t *testing.T) {
	files, err := filepath.Glob("../scenarios/examples/*.toml")
	if err != nil || len(files) < 5 {
		t.Fatalf("want the example scenarios, found %d: %v", len(files), err)
	}
	hazards := map[Hazard]bool{}
	for _, f := range files {
		sc, err := Load(f)
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		hazards[sc.Incident.Hazard] = true
		r := NewReplication(Compile(sc))
		var o results.Outcome
		const reps = 40
		hit := 0
		for k := 0; k < reps; k++ {
			r.Run(sc.Seed, k, &o)
			for _, v := range o.OverallValues() {
				if math.IsNaN(v) || math.IsInf(v, 0) {
					t.Fatalf("%s rep %d: overall metrics %v", f, k, o.OverallValues())
				}
			}
			if o.AllServicesRecoveredH > 0 {
				hit++
			}
		}
		if hit < reps/2 {
			t.Errorf("%s: the incident impaired a service in only %d of %d replications", f, hit, reps)
		}
	}
	for _, h := range []Hazard{BatteryFire, PowerFailure, WaterLeak, TrafficSurge, NetworkPartition, Lightning} {
		if !hazards[h] {
			t.Errorf("no example scenario for %s", h)
		}
	}
}

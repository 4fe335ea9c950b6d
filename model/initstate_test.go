package model

import (
	"fmt"
	"testing"

	"github.com/dcsim/dcsim/model/results"
)

// TestInitStateIsExact checks the copied state at t = 0 (initstate.go):
// replications on a reused Replication, which copy it, give the outcomes
// of fresh ones, which evaluate every service; and the copy is taken
// where the first refresh is quiet and refused where it is not.
func TestInitStateIsExact(t *testing.T) {
	overload, err := Parse("services-10.toml", []byte(servicesScenario(10)))
	if err != nil {
		t.Fatal(err)
	}
	overload.Services[3].Overload.Limit = 1.2 // its checks count an epoch: no copy
	family, err := Parse("services-100.toml", []byte(servicesScenario(100)))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		sc   *Scenario
		copy bool
	}{
		{loadScenario(t, "kakao-2022.toml"), true},
		{loadScenario(t, "naver-2022.toml"), true},
		{family, true},
		{overload, false},
	} {
		t.Run(c.sc.Name, func(t *testing.T) {
			m := Compile(c.sc)
			reused := NewReplication(m)
			for rep := range 6 {
				var fresh, again results.Outcome
				NewReplication(m).Run(c.sc.Seed, rep, &fresh)
				reused.Run(c.sc.Seed, rep, &again)
				if !sameOutcome(&fresh, &again) {
					t.Fatalf("replication %d on a reused Replication:\n%+v\nfresh:\n%+v", rep, again, fresh)
				}
			}
			if reused.init0.ok != c.copy {
				t.Errorf("state at t = 0 copied: %v, want %v", reused.init0.ok, c.copy)
			}
		})
	}
}

// TestInitStateTraced checks that a traced replication evaluates every
// service at t = 0 as an untraced one first did, so that its trace is the
// same whether or not the Replication has run before.
func TestInitStateTraced(t *testing.T) {
	sc := loadScenario(t, "kakao-2022.toml")
	m := Compile(sc)
	trace := func(r *Replication) string {
		var tr recordingTracer
		r.SetTracer(&tr)
		defer r.SetTracer(nil)
		var out results.Outcome
		r.Run(sc.Seed, 3, &out)
		return fmt.Sprint(tr.events)
	}
	fresh := trace(NewReplication(m))
	r := NewReplication(m)
	var out results.Outcome
	r.Run(sc.Seed, 0, &out) // takes the copy
	if !r.init0.ok {
		t.Fatal("no copy taken")
	}
	if got := trace(r); got != fresh {
		t.Errorf("trace on a Replication that ran before differs:\n%s\nfresh:\n%s", got, fresh)
	}
}

// recordingTracer keeps every event and serving report as text.
type recordingTracer struct{ events []string }

func (rt *recordingTracer) Event(t float64, kind, subject, detail string) {
	rt.events = append(rt.events, fmt.Sprintf("%.9g %s %s %s", t, kind, subject, detail))
}

func (rt *recordingTracer) Serving(t float64, frac []float64) {
	rt.events = append(rt.events, fmt.Sprintf("%.9g serving %v", t, frac))
}

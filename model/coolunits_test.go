package model

import (
	"math"
	"testing"

	"github.com/dcsim/dcsim/sim"
)

// N+1 cooling against the k-of-n formula (docs/reference-figures.md,
// exact result 2): a hall of 3 units of which 2 carry the load, each
// failing at λ = 0.01/h and repaired after an exponential 10 h (μ = 0.1/h),
// independently, is short of cooling a fraction 1 − Σ_{i≥2} C(3,i) a^i
// (1−a)^(3−i) of the time, a = μ/(λ+μ). The simulated fraction over many
// hall-years must hold it within 4 standard errors.
func TestNPlusOneCoolingAvailability(t *testing.T) {
	const src = `name = "n-plus-one"
horizon = "365d"

[incident]
hazard = "power_failure"
site = "elsewhere"
trains = ["e1"]
duration = "800d"
start = 2024-01-01T00:00:00Z

[[sites]]
name = "dc"
failures = { server_afr = "0/yr", rack_rate = "0/yr", pdu_rate = "0/yr" }

[sites.cooling]
heat_rate = 10
units = 3
needed = 2
unit_failure_rate = "0.01/h"
unit_repair = { dist = "exponential", mean = "10h" }

[[sites.domains]]
name = "d1"
servers = 100

[[sites]]
name = "elsewhere"

[[sites.domains]]
name = "e1"
servers = 100

[[services]]
name = "app"
servers = 50
placement = [{ site = "dc", share = 1.0 }]
`
	sc, err := Parse("n1.toml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	m := Compile(sc)
	r := NewReplication(m)
	const reps = 200
	var fr []float64
	for k := 0; k < reps; k++ {
		r.Start(1, k)
		r.Engine().RunUntil(sim.Time(sc.Horizon))
		fr = append(fr, r.cool.shortHours(0)/sc.Horizon)
	}
	lam, mu := 0.01, 0.1
	a := mu / (lam + mu)
	want := 1 - (a*a*a + 3*a*a*(1-a))
	st := sim.Summarize(fr)
	se := (st.CI95[1] - st.CI95[0]) / (2 * 1.96)
	t.Logf("short of cooling %.5f of the time (SE %.5f); k-of-n formula %.5f", st.Mean, se, want)
	if math.Abs(st.Mean-want) > 4*se {
		t.Errorf("simulated %.5f ± %.5f, formula %.5f: off by %.1f SE", st.Mean, se, want, math.Abs(st.Mean-want)/se)
	}
}

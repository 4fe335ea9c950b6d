package model

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/dcsim/dcsim/sim"
)

// TestServedIsExact checks the bisection of profileTable.served against
// the test the hourly integration makes at every hour: an hour is served
// in full exactly when its demand is 0 or avail ≥ D·(p·surge) > 0. The
// profiles have zeros, ties and tiny values; avail falls on the boundary
// of some hour about half the time.
func TestServedIsExact(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 168))
	for trial := 0; trial < 2000; trial++ {
		var p Profile
		levels := []float64{0, 1e-300, 0.1, 0.25, 0.5, 0.7, 1, rng.Float64()}
		for h := range p.Hourly {
			p.Hourly[h] = levels[rng.IntN(len(levels))]
		}
		for d := range p.Weekly {
			p.Weekly[d] = levels[1+rng.IntN(len(levels)-1)]
		}
		tab := newProfileTable(&p)
		D := []float64{0, 1e-10, 3, 40, 1234.5}[rng.IntN(5)]
		surge := []float64{0, 1, 1.5, 3}[rng.IntN(4)]
		avail := rng.Float64() * D * surge * 1.2
		if rng.IntN(2) == 0 {
			avail = D * (tab.at[rng.IntN(168)] * surge)
		}
		got := tab.served(avail, D, surge)
		claimsAny := got != hourSet{}
		for k := range uint(168) {
			v := tab.at[k]
			d := D * (v * surge)
			full := v == 0 || d > 0 && !(avail < d)
			if got.has(k) && !full {
				t.Fatalf("trial %d: hour %d claimed full (p %g, D %g, surge %g, avail %g)", trial, k, v, D, surge, avail)
			}
			// Where it claims anything, it claims every full hour: the
			// bisection finds the whole prefix.
			if D > 0 && surge > 0 && !(tab.minPos > 0 && !(D*(tab.minPos*surge) > 0)) && full && !got.has(k) {
				t.Fatalf("trial %d: full hour %d missed (p %g, D %g, surge %g, avail %g, any %v)", trial, k, v, D, surge, avail, claimsAny)
			}
		}
	}
}

// TestFullHoursAreFull runs replications of the generated service family
// and of the shipped example and checks, after every event, that at each
// hour fullHours calls full the serving function in force is exactly 1,
// computed afresh as the integration computes it.
func TestFullHoursAreFull(t *testing.T) {
	scs := map[string]*Scenario{}
	for _, n := range []int{10, 100} {
		sc, err := Parse(fmt.Sprintf("services-%d.toml", n), []byte(servicesScenario(n)))
		if err != nil {
			t.Fatal(err)
		}
		scs[sc.Name] = sc
	}
	ex, err := Load("../scenarios/example.toml")
	if err != nil {
		t.Fatal(err)
	}
	scs["example"] = ex
	for name, sc := range scs {
		m := Compile(sc)
		r := NewReplication(m)
		im := &r.imp
		checked := 0
		for rep := 0; rep < 4; rep++ {
			r.Start(sc.Seed, rep)
			eng := r.Engine()
			for eng.Peek() <= sim.Time(sc.Horizon) && !eng.Stopped() && eng.Step() {
				for s := range m.nSvc {
					if im.st[s].cur.flat {
						continue
					}
					full := *im.fullHours(s)
					for k := range uint(168) {
						if full.has(k) {
							if f := hourlyF(im, s, int(k)); f != 1 {
								t.Fatalf("%s rep %d: service %d hour %d called full, f = %v", name, rep, s, k, f)
							}
							checked++
						}
					}
				}
			}
		}
		if checked == 0 && name != "services-10" {
			t.Errorf("%s: no full hour checked", name)
		}
	}
}

// hourlyF is f_s at hour k of the week under the functions in force, from
// scratch: own_s·keep, then each dependency's, in dependency order.
func hourlyF(im *impact, s, k int) float64 {
	c := &im.st[s].cur
	if c.flat {
		return c.value
	}
	info := &im.r.m.svc[s]
	load := info.profile.at[k]
	keep := 1 - c.reroute
	f := keep
	if load > 0 {
		own := c.zero
		if d := info.demand * (load * c.surge); d > 0 {
			own = 1
			if c.avail < d {
				own = c.avail / d
			}
		}
		f = own * keep
	}
	for _, d := range info.deps {
		f *= hourlyF(im, d, k)
	}
	return f
}

// TestLossFrom checks hourSet.lossFrom, the bit scan integrateHours steps
// over full hours with, against counting hour by hour round the week.
func TestLossFrom(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 168))
	for trial := 0; trial < 3000; trial++ {
		var h hourSet
		density := rng.Float64()
		if trial%10 == 0 {
			density = 1 // every hour full
		}
		for k := range uint(168) {
			if rng.Float64() < density {
				h[k>>6] |= 1 << (k & 63)
			}
		}
		for k := range uint(168) {
			want := uint(0)
			for want < 168 && h.has((k+want)%168) {
				want++
			}
			if got := h.lossFrom(k); got != want {
				t.Fatalf("trial %d, hour %d: lossFrom = %d, counting gives %d (set %x)", trial, k, got, want, h)
			}
		}
	}
}

package model

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/dcsim/dcsim/model/results"
)

// hourByHour is thresholdLoss the slow way, as integrateHours takes it:
// the interval cut at every whole hour, each piece weighed by its length.
func hourByHour(p, q *profileTable, c, avail, D, surge, wa, wb float64) (outage, load float64) {
	for u := wa; u < wb; {
		h := math.Floor(u)
		end := math.Min(h+1, wb)
		k := int(h) % 168
		f := c
		if d := D * (q.at[k] * surge); avail < d {
			f = c * (avail / d)
		}
		lost := (1 - f) * (end - u)
		outage += lost
		load += p.at[k] * lost
		u = end
	}
	return outage, load
}

// TestThresholdLossMatchesHours checks the O(1) integration of a
// single-threshold serving function against the hour-by-hour sum, for
// random profiles with zeros and ties, capacities on and between the
// levels, constants below and at 1, and intervals from part of an hour to
// several weeks; p is q itself, a constant profile, or another profile
// through a cross table. A function that loses nothing must come out as
// exactly 0.
func TestThresholdLossMatchesHours(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 169))
	randomProfile := func() *profileTable {
		var p Profile
		levels := []float64{0, 0.05, 0.1, 0.25, 0.5, 0.7, 1, rng.Float64(), rng.Float64()}
		for h := range p.Hourly {
			p.Hourly[h] = levels[rng.IntN(len(levels))]
		}
		for d := range p.Weekly {
			p.Weekly[d] = levels[1+rng.IntN(len(levels)-1)]
		}
		return newProfileTable(&p)
	}
	for trial := 0; trial < 3000; trial++ {
		q := randomProfile()
		var p *profileTable
		switch rng.IntN(3) {
		case 0:
			p = q
		case 1:
			var flat Profile
			for h := range flat.Hourly {
				flat.Hourly[h] = 0.8
			}
			for d := range flat.Weekly {
				flat.Weekly[d] = 1
			}
			p = newProfileTable(&flat)
		default:
			p = randomProfile()
		}
		if q.min == q.max {
			continue // q constant: never a threshold
		}
		q.thr = newThresholds(&q.at)
		var cross *crossTable
		if p != q && p.min != p.max {
			cross = newCrossTable(&p.at, q.thr, &q.at)
		}
		D := []float64{1e-3, 3, 40, 1234.5}[rng.IntN(4)]
		surge := []float64{1, 1.5, 3}[rng.IntN(3)]
		avail := rng.Float64() * D * surge * q.max * 1.2
		switch rng.IntN(4) {
		case 0:
			avail = D * (q.at[rng.IntN(168)] * surge) // on a level
		case 1:
			avail = 0
		}
		c := 1.0
		if rng.IntN(2) == 0 {
			c = rng.Float64()
		}
		wa := rng.Float64() * 168
		wb := wa + []float64{rng.Float64(), 1 + 5*rng.Float64(), 200 * rng.Float64(), 24 * 7 * 3}[rng.IntN(4)]
		if rng.IntN(4) == 0 {
			wa = math.Floor(wa) // interval starting on a whole hour
		}
		gotO, gotL := thresholdLoss(p, q, cross, c, avail, D, surge, wa, wb)
		wantO, wantL := hourByHour(p, q, c, avail, D, surge, wa, wb)
		for _, x := range []struct {
			name      string
			got, want float64
		}{{"outage", gotO, wantO}, {"load", gotL, wantL}} {
			if x.want == 0 && x.got != 0 || math.Abs(x.got-x.want) > 1e-11*math.Max(1, x.want) {
				t.Fatalf("trial %d: %s over [%v, %v] with c %v, avail %v, D %v, surge %v: %v, hour by hour %v",
					trial, x.name, wa, wb, c, avail, D, surge, x.got, x.want)
			}
		}
	}
}

// TestThresholdRows checks each row of a profile's table against its
// definition, and the row a capacity picks against counting the levels it
// serves in full.
func TestThresholdRows(t *testing.T) {
	for name, pr := range builtinProfiles() {
		q := newProfileTable(pr)
		if q.min == q.max {
			continue
		}
		q.thr = newThresholds(&q.at)
		for r, row := range q.thr.rows {
			var want thrSums
			for _, v := range q.at {
				if v == 0 || r > 0 && v <= q.thr.levels[r-1] {
					want.full++
					want.dem += v
				} else {
					want.inv += 1 / v
					want.demOut += v
				}
			}
			if got := row[168]; math.Abs(got.full-want.full) > 0 || math.Abs(got.inv-want.inv) > 1e-9 ||
				math.Abs(got.dem-want.dem) > 1e-9 || math.Abs(got.demOut-want.demOut) > 1e-9 {
				t.Errorf("%s row %d: week %+v, want %+v", name, r, got, want)
			}
		}
		for _, avail := range []float64{0, 0.1, 0.5, 0.9, 1, 2} {
			n := 0
			for _, v := range q.thr.levels {
				if !(avail < 1*(v*1)) {
					n++
				}
			}
			if got := q.thr.row(avail, 1, 1); got != n {
				t.Errorf("%s: row(%v) = %d, want %d", name, avail, got, n)
			}
		}
	}
}

// TestCrossTablesFollowDependencies checks which cross tables a model
// builds: one for each pair of varying profiles (p, q) such that a service
// of profile p depends, directly or not, on one of profile q, and no other.
func TestCrossTablesFollowDependencies(t *testing.T) {
	sc, err := Parse("services-100.toml", []byte(servicesScenario(100)))
	if err != nil {
		t.Fatal(err)
	}
	m := Compile(sc)
	var reaches func(s, j int, seen map[int]bool) bool
	reaches = func(s, j int, seen map[int]bool) bool {
		for _, d := range m.svc[s].deps {
			if !seen[d] {
				seen[d] = true
				if m.svc[d].profile.idx == j || reaches(d, j, seen) {
					return true
				}
			}
		}
		return false
	}
	k := m.nVarying
	if k < 2 {
		t.Fatalf("%d varying profiles: the family should have two", k)
	}
	for i := 0; i < k; i++ {
		for j := 0; j < k; j++ {
			want := false
			for s := range m.svc {
				if m.svc[s].profile.idx == i && i != j && reaches(s, j, map[int]bool{}) {
					want = true
				}
			}
			if got := m.cross[i*k+j] != nil; got != want {
				t.Errorf("cross table %d against %d: built %v, want %v", i, j, got, want)
			}
		}
	}
}

// TestThresholdFallbackAgrees runs the 100-service family with its cross
// tables and again without them (as past maxCrossBytes), where the
// services weighed by one profile and limited by another's threshold are
// walked hour by hour: the outcomes agree to 1e-9, and differ, so that
// the tables were used.
func TestThresholdFallbackAgrees(t *testing.T) {
	sc, err := Parse("services-100.toml", []byte(servicesScenario(100)))
	if err != nil {
		t.Fatal(err)
	}
	with, without := Compile(sc), Compile(sc)
	built := 0
	for i := range without.cross {
		if without.cross[i] != nil {
			built++
		}
		without.cross[i] = nil
	}
	if built == 0 {
		t.Fatal("the family builds no cross table")
	}
	ra, rb := NewReplication(with), NewReplication(without)
	differ := false
	for rep := range 20 {
		var a, b results.Outcome
		ra.Run(sc.Seed, rep, &a)
		rb.Run(sc.Seed, rep, &b)
		for s := range a.Services {
			va, vb := a.Services[s].Values(), b.Services[s].Values()
			for k := range va {
				if math.Abs(va[k]-vb[k]) > 1e-9*math.Max(1, math.Abs(vb[k])) {
					t.Fatalf("replication %d, service %d, value %d: %v with cross tables, %v walked", rep, s, k, va[k], vb[k])
				}
				differ = differ || va[k] != vb[k]
			}
		}
	}
	if !differ {
		t.Error("no value differs in its last bits: the cross tables were not used")
	}
}

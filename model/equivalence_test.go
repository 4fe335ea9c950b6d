package model

import (
	"bufio"
	"compress/gzip"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/dcsim/dcsim/model/results"
)

// The equivalence file pins every metric of a few replications of every
// shipped scenario (each catalogue incident under each investment option)
// and of 400 random scenarios, as the model computed them before it was
// restructured into units (fleet, power, hazards, services, impact). The
// restructured model must reproduce them to a relative 1e-9: the split
// changes where code lives and what it re-evaluates, never an answer. A
// deliberate change of behaviour regenerates it with
//
//	go test ./model -run TestEquivalence -update-equivalence
//
// and says in its commit which numbers moved and why.
var updateEquivalence = flag.Bool("update-equivalence", false, "rewrite model/testdata/golden/equivalence.jsonl.gz from the current code")

const (
	equivalenceFile    = "testdata/golden/equivalence.jsonl.gz"
	equivalenceRandom  = 400
	equivalenceReps    = 4
	equivalenceShipped = 4
)

// equivalenceCase is one scenario run for a few replications.
type equivalenceCase struct {
	Name     string      `json:"name"`
	Seed     uint64      `json:"seed"`
	Outcomes [][]float64 `json:"outcomes"` // per replication: every service metric, then the overall ones
}

func equivalenceCases(t *testing.T) (names []string, scs []*Scenario, reps []int) {
	t.Helper()
	for _, f := range []string{"example.toml", "kakao-2022.toml", "naver-2022.toml"} {
		sc, err := Load(filepath.Join("..", "scenarios", f))
		if err != nil {
			t.Fatal(err)
		}
		portfolios := [][]string{nil}
		for _, inv := range sc.Investments {
			portfolios = append(portfolios, []string{inv.Name})
		}
		for _, pf := range portfolios {
			v, err := sc.Variant(pf)
			if err != nil {
				t.Fatal(err)
			}
			if len(v.Incidents) == 0 {
				names = append(names, fmt.Sprintf("%s/%s", f, PortfolioName(pf)))
				scs = append(scs, v)
				reps = append(reps, equivalenceShipped)
				continue
			}
			for i, in := range v.Incidents {
				names = append(names, fmt.Sprintf("%s/%s@%s", f, PortfolioName(pf), in.Name))
				scs = append(scs, v.WithIncident(i))
				reps = append(reps, equivalenceShipped)
			}
		}
	}
	rng := rand.New(rand.NewPCG(9, 2026))
	for i := 0; i < equivalenceRandom; i++ {
		src := randomScenario(rng)
		sc, err := Parse("random.toml", []byte(src))
		if err != nil {
			t.Fatalf("random scenario %d does not validate: %v", i, err)
		}
		names = append(names, fmt.Sprintf("random-%d", i))
		scs = append(scs, sc)
		reps = append(reps, equivalenceReps)
	}
	return names, scs, reps
}

// The golden file pins the metrics that existed when it was written: the
// first pinnedService of each service and pinnedOverall overall ones.
// Metrics added since (the data metrics) must be 0 in every case it holds,
// none of which stores data: outcomeValues appends their sum of absolute
// values, which the golden file does not hold, so the comparison checks it
// against 0 separately.
const (
	pinnedService = 6
	pinnedOverall = 7
)

func outcomeValues(o *results.Outcome) []float64 {
	var v []float64
	for s := range o.Services {
		x := o.Services[s].Values()
		v = append(v, x[:pinnedService]...)
	}
	x := o.OverallValues()
	return append(v, x[:pinnedOverall]...)
}

// unpinned returns the sum of absolute values of the metrics the golden
// file does not pin.
func unpinned(o *results.Outcome) float64 {
	sum := 0.0
	for s := range o.Services {
		x := o.Services[s].Values()
		for _, y := range x[pinnedService:] {
			sum += math.Abs(y)
		}
	}
	x := o.OverallValues()
	for _, y := range x[pinnedOverall:] {
		sum += math.Abs(y)
	}
	return sum
}

func TestEquivalence(t *testing.T) {
	names, scs, reps := equivalenceCases(t)
	got := make([]equivalenceCase, len(scs))
	for k, sc := range scs {
		r := NewReplication(Compile(sc))
		c := equivalenceCase{Name: names[k], Seed: sc.Seed}
		for rep := 0; rep < reps[k]; rep++ {
			var o results.Outcome
			run(t, r, sc, rep, &o)
			c.Outcomes = append(c.Outcomes, outcomeValues(&o))
			if u := unpinned(&o); u != 0 {
				t.Errorf("%s replication %d: metrics added after the golden file sum to %g, want 0 (no data keys)", names[k], rep, u)
			}
		}
		got[k] = c
	}
	if *updateEquivalence {
		writeEquivalence(t, got)
		return
	}
	want := readEquivalence(t)
	if len(want) != len(got) {
		t.Fatalf("%d cases, the golden file has %d", len(got), len(want))
	}
	bad := 0
	for k := range got {
		g, w := got[k], want[k]
		if g.Name != w.Name || len(g.Outcomes) != len(w.Outcomes) {
			t.Fatalf("case %d is %s with %d replications; the golden file has %s with %d", k, g.Name, len(g.Outcomes), w.Name, len(w.Outcomes))
		}
		for rep := range g.Outcomes {
			for j := range g.Outcomes[rep] {
				x, y := g.Outcomes[rep][j], w.Outcomes[rep][j]
				if math.Abs(x-y) > 1e-9*math.Max(1, math.Max(math.Abs(x), math.Abs(y))) {
					if bad < 20 {
						t.Errorf("%s replication %d value %d = %.17g, want %.17g", g.Name, rep, j, x, y)
					}
					bad++
				}
			}
		}
	}
	if bad > 0 {
		t.Errorf("%d values differ", bad)
	}
}

func writeEquivalence(t *testing.T, cases []equivalenceCase) {
	t.Helper()
	f, err := os.Create(equivalenceFile)
	if err != nil {
		t.Fatal(err)
	}
	zw := gzip.NewWriter(f)
	enc := json.NewEncoder(zw)
	for _, c := range cases {
		if err := enc.Encode(c); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

func readEquivalence(t *testing.T) []equivalenceCase {
	t.Helper()
	f, err := os.Open(equivalenceFile)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	var out []equivalenceCase
	sc := bufio.NewScanner(zr)
	sc.Buffer(make([]byte, 1<<20), 1<<26)
	for sc.Scan() {
		var c equivalenceCase
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			t.Fatal(err)
		}
		out = append(out, c)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

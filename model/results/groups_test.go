package results

import (
	"bytes"
	"encoding/json"
	"math"
	"strings"
	"testing"
)

// TestGroupSummary checks the group metrics against order statistics
// worked out by hand, and that they survive spilling and JSON.
func TestGroupSummary(t *testing.T) {
	services := []string{"solo", "web-001", "web-002", "web-003", "web-004"}
	c, err := NewCollector("g", []string{"baseline"}, services, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.chunk = 64 // spill: the rows come back from the file
	if err := c.SetGroups([]Group{{Name: "web", Members: services[1:]}}); err != nil {
		t.Fatal(err)
	}
	// Replication k: members recover at k, 2k, 3k, 10k hours, except in odd
	// replications, where web-002 was never impaired (0).
	const n = 200
	for k := range n {
		ttr := []float64{1, float64(k), 2 * float64(k), 3 * float64(k), 10 * float64(k)}
		if k%2 == 1 {
			ttr[2] = 0
		}
		o := Outcome{Services: make([]ServiceOutcome, len(services))}
		for s := range o.Services {
			o.Services[s].TimeToRecoverH = ttr[s]
		}
		c.Add(k, []Outcome{o})
	}
	if c.spilled == 0 {
		t.Fatal("nothing spilled")
	}
	gs := c.Summary().Variants[0].Groups
	if len(gs) != 1 || gs[0].Name != "web" || len(gs[0].Members) != 4 {
		t.Fatalf("groups %+v", gs)
	}
	// 50% of 4 is the 2nd smallest: 2k in even replications, k in odd
	// (0, k, 3k, 10k); 90% is the 4th (⌈3.6⌉), as is 100%: 10k.
	var want50, want100, wantImp float64
	for k := range n {
		if k%2 == 0 {
			want50 += 2 * float64(k)
			wantImp += 4
		} else {
			want50 += float64(k)
			wantImp += 3
		}
		want100 += 10 * float64(k)
	}
	wantImp -= 4 // replication 0: every member recovered at 0, none impaired
	m := gs[0].Metrics
	for _, c := range []struct {
		metric string
		want   float64
	}{
		{"recovered_50_h", want50 / n}, {"recovered_90_h", want100 / n}, {"recovered_100_h", want100 / n}, {"members_impaired", wantImp / n},
	} {
		if got := m[c.metric]; math.Abs(got.Mean-c.want) > 1e-9 || got.N != n || !(got.CI95[0] < got.Mean && got.Mean < got.CI95[1]) {
			t.Errorf("%s: %+v, want mean %v over %d replications with its CI", c.metric, got, c.want, n)
		}
	}

	b, err := json.Marshal(c.Summary())
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(b, []byte(`"groups":{"web":{"members":["web-001","web-002","web-003","web-004"],"metrics":{"recovered_50_h":`)) {
		t.Errorf("summary JSON lacks the group in order: %s", b)
	}
	var back Summary
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	b2, _ := json.Marshal(&back)
	if !bytes.Equal(b, b2) {
		t.Errorf("JSON does not round-trip:\n%s\n%s", b, b2)
	}

	var tab strings.Builder
	if err := WriteTable(&tab, c.Summary(), 0); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(tab.String(), "web-001") || !strings.Contains(tab.String(), "\nweb    4 ") {
		t.Errorf("table should list the group, not its members:\n%s", tab.String())
	}
}

func TestSummaryWithoutGroupsUnchanged(t *testing.T) {
	c := newTestCollector(t, 0)
	fill(t, c, 0, 10)
	b, _ := json.Marshal(c.Summary())
	if bytes.Contains(b, []byte("groups")) {
		t.Errorf("a summary without groups mentions them: %s", b)
	}
}

func TestSetGroupsErrors(t *testing.T) {
	c := newTestCollector(t, 0)
	for _, gs := range [][]Group{
		{{Name: "g", Members: []string{"nope"}}},
		{{Name: "g"}},
		{{Name: "g", Members: []string{"auth"}}, {Name: "h", Members: []string{"auth"}}},
		{{Name: "g", Members: []string{"auth"}}, {Name: "g", Members: []string{"pay"}}},
	} {
		if err := c.SetGroups(gs); err == nil {
			t.Errorf("SetGroups(%v) accepted", gs)
		}
	}
}

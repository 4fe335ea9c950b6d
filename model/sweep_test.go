package model

import (
	"strings"
	"testing"
)

func TestParseSweepAxis(t *testing.T) {
	for _, tc := range []struct {
		in    string
		key   string
		texts []string
		err   string
	}{
		{in: "sites[pangyo].crews=2,4,8", key: "sites[pangyo].crews", texts: []string{"2", "4", "8"}},
		{in: `operations.drill_speedup = 1.5, 3`, key: "operations.drill_speedup", texts: []string{"1.5", "3"}},
		{in: `sites[pangyo].repower={dist = "lognormal", median = "3h", p95 = "8h"},"2h"`, key: "sites[pangyo].repower",
			texts: []string{`{dist = "lognormal", median = "3h", p95 = "8h"}`, `"2h"`}},
		{in: "sites[pangyo].fire.spread_delay=10m,30m", key: "sites[pangyo].fire.spread_delay", texts: []string{"10m", "30m"}},
		{in: "crews", err: "write KEY=V1,V2"},
		{in: "sites[pangyo]=2", err: "ends at an element"},
		{in: "sites[pangyo.crews=2", err: "KEY[NAME]"},
		{in: "a..b=1", err: "empty part"},
		{in: "x=1,,2", err: "empty value"},
		{in: "x=1,1", err: "listed twice"},
		{in: "x={a = ", err: "not valid TOML"},
		{in: "investments[a].capex=1", err: "not investments"},
	} {
		ax, err := ParseSweepAxis(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%q: error %v, want one containing %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", tc.in, err)
			continue
		}
		if ax.Key != tc.key || strings.Join(ax.Texts, "|") != strings.Join(tc.texts, "|") {
			t.Errorf("%q: got key %q values %q", tc.in, ax.Key, ax.Texts)
		}
	}
	ax, _ := ParseSweepAxis("sites[pangyo].crews=2,4")
	if _, ok := ax.Values[0].(int64); !ok {
		t.Errorf("2 read as %T, want a TOML integer", ax.Values[0])
	}
	ax, _ = ParseSweepAxis("sites[pangyo].fire.spread_delay=10m")
	if s, ok := ax.Values[0].(string); !ok || s != "10m" {
		t.Errorf("10m read as %#v, want the string \"10m\"", ax.Values[0])
	}
}

func TestSweepGrid(t *testing.T) {
	sc, err := Load("../scenarios/kakao-2022.toml")
	if err != nil {
		t.Fatal(err)
	}
	a1, _ := ParseSweepAxis("sites[pangyo].crews=2,8")
	a2, _ := ParseSweepAxis("operations.restore_crews=1,3,6")
	pts, err := sc.Sweep([]SweepAxis{a1, a2})
	if err != nil {
		t.Fatal(err)
	}
	if len(pts) != 6 {
		t.Fatalf("%d points, want 6", len(pts))
	}
	want := []struct{ crews, restore int }{{2, 1}, {2, 3}, {2, 6}, {8, 1}, {8, 3}, {8, 6}}
	for i, p := range pts {
		s := p.Scenario
		if s.Sites[0].Name != "pangyo" || s.Sites[0].Crews != want[i].crews || s.Ops.RestoreCrews != want[i].restore {
			t.Errorf("point %d (%s): crews %d, restore_crews %d; want %+v", i, p.Label, s.Sites[0].Crews, s.Ops.RestoreCrews, want[i])
		}
		// Everything else is the scenario's.
		if len(s.Sites) != len(sc.Sites) || len(s.Services) != len(sc.Services) || len(s.Investments) != len(sc.Investments) {
			t.Errorf("point %d changed more than its keys", i)
		}
	}
	if pts[4].Label != "sites[pangyo].crews=8; operations.restore_crews=3" {
		t.Errorf("label %q", pts[4].Label)
	}
	if sc.Sites[0].Crews != 5 {
		t.Errorf("sweeping changed the scenario itself: crews %d", sc.Sites[0].Crews)
	}
	for _, tc := range []struct{ set, err string }{
		{"sites[pangyo].crew=2", "crew"},
		{"sites[pangyo].crews=0", "must be at least 1"},
		{"sites[nowhere].crews=2", "no site named \"nowhere\""},
		{"sites[pangyo].crews=two", "sites[pangyo].crews=two"},
	} {
		ax, err := ParseSweepAxis(tc.set)
		if err != nil {
			t.Fatal(err)
		}
		_, err = sc.Sweep([]SweepAxis{ax})
		if err == nil || !strings.Contains(err.Error(), tc.err) {
			t.Errorf("%s: error %v, want one containing %q", tc.set, err, tc.err)
		}
	}
}

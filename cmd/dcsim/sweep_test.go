package main

import (
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

type sweepFile struct {
	Scenario     string `json:"scenario"`
	Replications int    `json:"replications"`
	Axes         []struct {
		Key    string   `json:"key"`
		Values []string `json:"values"`
	} `json:"axes"`
	Points []struct {
		Label   string            `json:"label"`
		Values  map[string]string `json:"values"`
		Metrics []struct {
			Metric string  `json:"metric"`
			Stat   cmpStat `json:"stat"`
			Diff   struct {
				Mean float64    `json:"mean"`
				CI95 [2]float64 `json:"ci95"`
				N    int        `json:"n"`
			} `json:"diff_from_first"`
		} `json:"metrics"`
	} `json:"points"`
}

// TestSweep checks a two-key grid on kakao-2022: the files, the grid order,
// independence from the worker count, and common random numbers — the
// point that sets crews to the scenario's own value (5) reproduces dcsim
// run's numbers exactly.
func TestSweep(t *testing.T) {
	sc := cliScenario(t, "kakao-2022")
	dir := t.TempDir()
	a, b, run := filepath.Join(dir, "a"), filepath.Join(dir, "b"), filepath.Join(dir, "run")
	args := []string{"sweep", sc, "--set", "sites[pangyo].crews=2,5", "--set", "operations.drilled=false,true", "-n", "40", "--seed", "3", "-q"}
	cliMust(t, append(args, "--out", a, "-w", "1")...)
	cliMust(t, append(args, "--out", b, "-w", "2", "--no-plots")...)
	cliSameFiles(t, a, b, "sweep.csv", "sweep.json", "summary.json")
	for _, f := range []string{"sweep-loss.png", "sweep-loss.svg", "sweep-user_hours_lost.png", "manifest.json", "replications.csv"} {
		if !cliExists(filepath.Join(a, f)) {
			t.Errorf("%s missing", f)
		}
	}
	var sw sweepFile
	if err := json.Unmarshal(cliReadFile(t, filepath.Join(a, "sweep.json")), &sw); err != nil {
		t.Fatal(err)
	}
	if len(sw.Points) != 4 || sw.Replications != 40 || len(sw.Axes) != 2 {
		t.Fatalf("sweep.json: %d points, %d replications, %d axes; want 4, 40, 2", len(sw.Points), sw.Replications, len(sw.Axes))
	}
	wantLabels := []string{
		"sites[pangyo].crews=2; operations.drilled=false", "sites[pangyo].crews=2; operations.drilled=true",
		"sites[pangyo].crews=5; operations.drilled=false", "sites[pangyo].crews=5; operations.drilled=true",
	}
	for i, p := range sw.Points {
		if p.Label != wantLabels[i] {
			t.Errorf("point %d is %q, want %q", i, p.Label, wantLabels[i])
		}
	}
	if d := sw.Points[0].Metrics[0].Diff; d.Mean != 0 || d.N != 40 {
		t.Errorf("first point's difference from itself: %+v", d)
	}
	rows := cliReadCSV(t, filepath.Join(a, "sweep.csv"))
	if got := strings.Join(rows[0][:4], ","); got != "point,sites[pangyo].crews,operations.drilled,metric" {
		t.Errorf("sweep.csv header starts %q", got)
	}
	if len(rows) != 1+4*3 {
		t.Errorf("sweep.csv has %d rows, want 1 + 4 points × 3 metrics", len(rows))
	}

	// kakao-2022 has crews = 5 and drilled = false: point 2 is the scenario.
	cliMust(t, "run", sc, "-n", "40", "--seed", "3", "-q", "--no-plots", "--out", run)
	var sum struct {
		Variants []struct {
			Overall map[string]cmpStat `json:"overall"`
		} `json:"variants"`
	}
	if err := json.Unmarshal(cliReadFile(t, filepath.Join(run, "summary.json")), &sum); err != nil {
		t.Fatal(err)
	}
	if got, want := sw.Points[2].Metrics[0].Stat.Mean, sum.Variants[0].Overall["loss"].Mean; got != want {
		t.Errorf("sweep point crews=5, drilled=false: loss %v; dcsim run: %v (want identical)", got, want)
	}
}

func TestSweepBadInput(t *testing.T) {
	sc := cliScenario(t, "kakao-2022")
	out := filepath.Join(t.TempDir(), "o")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"sweep", sc}, "at least one --set"},
		{[]string{"sweep", sc, "--set", "crews"}, "KEY=V1,V2"},
		{[]string{"sweep", sc, "--set", "sites[pangyo].crew=2,4"}, `did you mean "crews"`},
		{[]string{"sweep", sc, "--set", "sites[seoul].crews=2,4"}, `no site named "seoul"`},
		{[]string{"sweep", sc, "--set", "sites[pangyo].crews=2,4", "--metrics", "loss,kakaotalk.ttr"}, "SERVICE.METRIC"},
	} {
		r := cliRun(t, append(tc.args, "--out", out, "-q")...)
		if r.code != 2 || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("want exit 2 and %q:\n%s", tc.want, r)
		}
		if cliExists(out) {
			t.Errorf("%v left %s behind", tc.args, out)
		}
	}
}

// TestSweepGroupMetrics checks that --metrics takes a service group's
// metrics (GROUP.METRIC) beside services' and whole-fleet ones.
func TestSweepGroupMetrics(t *testing.T) {
	ms, err := parseSweepMetrics([]string{"loss", "vm.recovered_90_h", "vm-001.outage_h"}, []string{"vm-001", "vm-002"}, []string{"vm"})
	if err != nil {
		t.Fatal(err)
	}
	want := []sweepMetric{
		{name: "loss", service: -1, metric: "loss"},
		{name: "vm.recovered_90_h", service: 0, metric: "recovered_90_h", group: true},
		{name: "vm-001.outage_h", service: 0, metric: "outage_h"},
	}
	if !slices.Equal(ms, want) {
		t.Errorf("got %+v, want %+v", ms, want)
	}
	for _, bad := range []string{"vm.outage_h", "db.recovered_90_h", "vm-001.recovered_90_h"} {
		if _, err := parseSweepMetrics([]string{bad}, []string{"vm-001", "vm-002"}, []string{"vm"}); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
}

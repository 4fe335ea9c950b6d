package results

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/dcsim/dcsim/sim"
)

func TestMetricListsMatchOutcomeFields(t *testing.T) {
	if len(ServiceMetrics) != nService || len(OverallMetrics) != nOverall {
		t.Fatalf("ServiceMetrics has %d names, OverallMetrics %d; want %d and %d", len(ServiceMetrics), len(OverallMetrics), nService, nOverall)
	}
	// Values and serviceFromValues are inverses, field by field.
	s := ServiceOutcome{1, 2, 3, 4, 5, 6, 7, 8, 9, 1}
	if got := serviceFromValues(s.Values()); got != s {
		t.Errorf("serviceFromValues(Values(%v)) = %v", s, got)
	}
	o := Outcome{AllServicesRecoveredH: 1, UserHoursLost: 2, RequestsLost: 3, RevenueLost: 4, DataLostS: 5, HardwareCost: 6, Loss: 7, DataRestoredTB: 8, DataLostTB: 9}
	var p Outcome
	p.setOverallValues(o.OverallValues())
	if p.OverallValues() != [nOverall]float64{1, 2, 3, 4, 5, 6, 7, 8, 9} || p.Loss != 7 || p.AllServicesRecoveredH != 1 {
		t.Errorf("setOverallValues(OverallValues(%+v)) = %+v", o, p)
	}
}

func TestNewCollectorRejectsBadNames(t *testing.T) {
	for _, tc := range []struct {
		variants, services []string
		want               string
	}{
		{nil, []string{"a"}, "no variants"},
		{[]string{"v", "v"}, []string{"a"}, `variant "v" listed twice`},
		{[]string{"v"}, []string{"a", ""}, "empty service name"},
		{[]string{"v"}, []string{"a", OverallService}, "reserved"},
		{[]string{" v"}, []string{"a"}, "leading or trailing space"},
	} {
		_, err := NewCollector("s", tc.variants, tc.services, 0)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("NewCollector(%q, %q) error %v, want one containing %q", tc.variants, tc.services, err, tc.want)
		}
	}
}

func TestAddOutOfOrderPanics(t *testing.T) {
	c := newTestCollector(t, 5)
	defer func() {
		if r := recover(); r == nil || !strings.Contains(r.(string), "want 5") {
			t.Errorf("Add(6) on a collector expecting 5: panic %v", r)
		}
	}()
	c.Add(6, outcomesFor(6, 2, 3))
}

func TestValuesInReplicationOrder(t *testing.T) {
	c := newTestCollector(t, 10)
	fill(t, c, 10, 30)
	if c.First() != 10 || c.Next() != 30 || c.Len() != 20 {
		t.Fatalf("First, Next, Len = %d, %d, %d; want 10, 30, 20", c.First(), c.Next(), c.Len())
	}
	for v := range testVariants {
		for s := range testServices {
			for m, metric := range ServiceMetrics {
				got := c.Values(v, s, metric)
				var want []float64
				for rep := 10; rep < 30; rep++ {
					want = append(want, outcomesFor(rep, 2, 3)[v].Services[s].Values()[m])
				}
				if !sameBits(got, want) {
					t.Fatalf("Values(%d, %d, %s) = %v, want %v", v, s, metric, got, want)
				}
			}
		}
		for m, metric := range OverallMetrics {
			var want []float64
			for rep := 10; rep < 30; rep++ {
				o := outcomesFor(rep, 2, 3)[v]
				want = append(want, o.OverallValues()[m])
			}
			if got := c.OverallValues(v, metric); !sameBits(got, want) {
				t.Fatalf("OverallValues(%d, %s) = %v, want %v", v, metric, got, want)
			}
		}
	}
	o := c.Outcome(1, 17)
	want := outcomesFor(17, 2, 3)[1]
	if !slices.Equal(o.Services, want.Services) || o.OverallValues() != want.OverallValues() {
		t.Errorf("Outcome(1, 17) = %+v, want %+v", o, want)
	}
	// Appending to a returned slice must not write into the collector.
	xs := c.Values(0, 0, "outage_h")
	_ = append(xs, -1)
	fill(t, c, 30, 31)
	if got := c.Values(0, 0, "outage_h")[20]; got == -1 {
		t.Error("appending to Values' result overwrote the collector's next value")
	}
}

func TestCSVLayout(t *testing.T) {
	c, err := NewCollector("s", []string{"baseline", "a,b@fire"}, []string{"web", "db"}, 7)
	if err != nil {
		t.Fatal(err)
	}
	c.SetIncident("flood")
	mk := func(k float64) Outcome {
		return Outcome{
			Services:              []ServiceOutcome{{k + 0.1, 2, 3, 4, 5, 6, 7, 8, 9, 1}, {1.0 / 3, 0, 1e-300, 1e21, 1e6, 0.5, 0, 0, 0, 0}},
			AllServicesRecoveredH: 11, UserHoursLost: 12, RequestsLost: 13, RevenueLost: 14, DataLostS: 15, HardwareCost: 16, Loss: 17,
			DataRestoredTB: 18, DataLostTB: 19,
		}
	}
	c.Add(7, []Outcome{mk(0), mk(1)})
	var b bytes.Buffer
	if err := c.WriteServiceCSV(&b); err != nil {
		t.Fatal(err)
	}
	want := `replication,option,incident,service,time_to_recover_h,outage_h,user_hours_lost,requests_lost,revenue_lost,data_lost_s,data_restored_tb,data_restore_h,data_lost_tb,data_lost_for_good
7,baseline,flood,web,0.1,2,3,4,5,6,7,8,9,1
7,baseline,flood,db,0.3333333333333333,0,1e-300,1e+21,1e+06,0.5,0,0,0,0
7,"a,b",fire,web,1.1,2,3,4,5,6,7,8,9,1
7,"a,b",fire,db,0.3333333333333333,0,1e-300,1e+21,1e+06,0.5,0,0,0,0
`
	if b.String() != want {
		t.Errorf("replications.csv:\n%s\nwant:\n%s", b.String(), want)
	}
	if got := strings.Join(ServiceHeader(), ","); got != strings.SplitN(want, "\n", 2)[0] {
		t.Errorf("ServiceHeader() = %s", got)
	}
	b.Reset()
	if err := c.WriteOverallCSV(&b); err != nil {
		t.Fatal(err)
	}
	want = `replication,option,incident,all_services_recovered_h,user_hours_lost,requests_lost,revenue_lost,max_data_lost_s,hardware_cost,loss,data_restored_tb,data_lost_tb
7,baseline,flood,11,12,13,14,15,16,17,18,19
7,"a,b",fire,11,12,13,14,15,16,17,18,19
`
	if b.String() != want {
		t.Errorf("overall.csv:\n%s\nwant:\n%s", b.String(), want)
	}
	if got := strings.Join(OverallHeader(), ","); got != strings.SplitN(want, "\n", 2)[0] {
		t.Errorf("OverallHeader() = %s", got)
	}
}

// TestColumnsDescribeTheTables: every column of both tables has a
// description, in order, and every metric a unit.
func TestColumnsDescribeTheTables(t *testing.T) {
	for _, tc := range []struct {
		cols   []Column
		header []string
	}{{ServiceColumns("KRW"), serviceHeader}, {OverallColumns("KRW"), overallHeader}} {
		var names []string
		for _, c := range tc.cols {
			names = append(names, c.Name)
			if c.Meaning == "" {
				t.Errorf("column %s has no meaning", c.Name)
			}
			if c.Unit == currencyUnit {
				t.Errorf("column %s: currency not substituted", c.Name)
			}
		}
		if !slices.Equal(names, tc.header) {
			t.Errorf("columns described %v, table has %v", names, tc.header)
		}
	}
	u := Units("KRW")
	for _, m := range slices.Concat(ServiceMetrics, OverallMetrics) {
		if u[m] == "" {
			t.Errorf("metric %s has no unit", m)
		}
	}
	if u["loss"] != "KRW" || u["revenue_lost"] != "KRW" || u["max_data_lost_s"] != "s" {
		t.Errorf("units: %v", u)
	}
}

func TestCSVRoundTripBitExact(t *testing.T) {
	c := newTestCollector(t, 3)
	fill(t, c, 3, 203)
	// Specials round-trip too.
	specials := outcomesFor(203, 2, 3)
	specials[0].Services[0] = ServiceOutcome{math.NaN(), math.Inf(1), math.Inf(-1), 0.1, 1e-300, 1.0 / 3, 0, 0, 0, 0}
	specials[1].Loss = math.NaN()
	c.Add(203, specials)

	dir := t.TempDir()
	if err := WriteTables(dir, c); err != nil {
		t.Fatal(err)
	}
	d := newTestCollector(t, 3)
	if err := ReadTables(dir, d); err != nil {
		t.Fatal(err)
	}
	if d.Len() != c.Len() {
		t.Fatalf("read %d replications, wrote %d", d.Len(), c.Len())
	}
	awk := 0
	for v := range testVariants {
		for s := range testServices {
			for _, metric := range ServiceMetrics {
				a, b := c.Values(v, s, metric), d.Values(v, s, metric)
				if !sameBits(a, b) {
					t.Fatalf("variant %d service %d %s: read back %v, wrote %v", v, s, metric, b, a)
				}
				for _, x := range b {
					if slices.Contains(awkward, x) {
						awk++
					}
				}
			}
		}
		for _, metric := range OverallMetrics {
			if a, b := c.OverallValues(v, metric), d.OverallValues(v, metric); !sameBits(a, b) {
				t.Fatalf("variant %d overall %s: read back %v, wrote %v", v, metric, b, a)
			}
		}
	}
	if awk < 100 {
		t.Errorf("only %d awkward floats in the test data; the test is too weak", awk)
	}
	dir2 := t.TempDir()
	if err := WriteTables(dir2, d); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{ReplicationsFile, OverallFile} {
		checkSameFile(t, filepath.Join(dir, f), filepath.Join(dir2, f))
	}
}

// TestReadTablesShorterWins: a crash between writing the two tables leaves
// one ahead; reading stops at the shorter, whichever it is.
func TestReadTablesShorterWins(t *testing.T) {
	long := newTestCollector(t, 0)
	fill(t, long, 0, 5)
	short := newTestCollector(t, 0)
	fill(t, short, 0, 3)
	var ls, lo, ss, so bytes.Buffer
	long.WriteServiceCSV(&ls)
	long.WriteOverallCSV(&lo)
	short.WriteServiceCSV(&ss)
	short.WriteOverallCSV(&so)
	for _, tc := range []struct {
		name    string
		svc, ov string
	}{{"overall behind", ls.String(), so.String()}, {"services behind", ss.String(), lo.String()}} {
		d := newTestCollector(t, 0)
		if err := ReadTablesFrom(strings.NewReader(tc.svc), "r.csv", strings.NewReader(tc.ov), "o.csv", d); err != nil {
			t.Errorf("%s: %v", tc.name, err)
		}
		if d.Next() != 3 {
			t.Errorf("%s: read up to replication %d, want 3", tc.name, d.Next())
		}
	}
}

func TestReadCSVRejectsMalformed(t *testing.T) {
	c := newTestCollector(t, 0)
	fill(t, c, 0, 2)
	var sb, ob bytes.Buffer
	c.WriteServiceCSV(&sb)
	c.WriteOverallCSV(&ob)
	split := func(s string) []string { return strings.Split(strings.TrimSuffix(s, "\n"), "\n") }
	goodS, goodO := split(sb.String()), split(ob.String()) // header + 2 reps × 2 variants × 3 services; header + 2 × 2
	edit := func(good []string, line int, f func(string) string) string {
		ls := slices.Clone(good)
		ls[line-1] = f(ls[line-1])
		return strings.Join(ls, "\n") + "\n"
	}
	field := func(i int, val string) func(string) string {
		return func(l string) string {
			// option names may hold a quoted comma: split around them.
			r := csv.NewReader(strings.NewReader(l))
			rec, _ := r.Read()
			if i >= len(rec) {
				rec = append(rec, val)
			} else {
				rec[i] = val
			}
			var b strings.Builder
			w := csv.NewWriter(&b)
			w.Write(rec)
			w.Flush()
			return strings.TrimSuffix(b.String(), "\n")
		}
	}
	okS, okO := sb.String(), ob.String()
	for _, tc := range []struct {
		name, svc, ov, want string
	}{
		{"empty", "", okO, "bad.csv: empty file"},
		{"old layout", "variant,replication,service,time_to_recover_h\n", okO, "bad.csv:1: header is"},
		{"header", edit(goodS, 1, func(string) string { return "replication,option,incident,service,x" }), okO, "bad.csv:1: header is"},
		{"truncated", strings.Join(goodS[:9], "\n") + "\n", okO, "bad.csv: file ends inside replication 1"},
		{"overall truncated", okS, strings.Join(goodO[:4], "\n") + "\n", "ov.csv: file ends inside replication 1"},
		{"bad number", edit(goodS, 3, field(5, "1.2.3")), okO, `bad.csv:3: column outage_h: "1.2.3" is not a number`},
		{"missing value", edit(goodS, 2, field(4, "")), okO, "bad.csv:2: column time_to_recover_h is empty"},
		{"overall bad number", okS, edit(goodO, 2, field(9, "x")), `ov.csv:2: column loss: "x" is not a number`},
		{"wrong service", edit(goodS, 3, field(3, "pay")), okO, `bad.csv:3: replication 0 option "baseline" incident "": service "pay", want "kakaotalk"`},
		{"wrong option", edit(goodS, 5, field(1, "other")), okO, `bad.csv:5: replication 0: option "other" incident "", want "second-site, \"hot\"" and ""`},
		{"wrong incident", okS, edit(goodO, 2, field(2, "fire")), `ov.csv:2: replication 0: option "baseline" incident "fire", want "baseline" and ""`},
		{"wrong replication", edit(goodS, 8, field(0, "5")), okO, "bad.csv:8: replication 5, want 1"},
		{"not integer", edit(goodS, 2, field(0, "x")), okO, `bad.csv:2: replication "x" is not an integer`},
		{"short row", edit(goodS, 4, func(l string) string { return l[:strings.LastIndex(l, ",")] }), okO, "bad.csv:4: wrong number of fields"},
		{"extra cell", edit(goodS, 4, func(l string) string { return l + ",9" }), okO, "bad.csv:4: wrong number of fields"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := newTestCollector(t, 0)
			err := ReadTablesFrom(strings.NewReader(tc.svc), "bad.csv", strings.NewReader(tc.ov), "ov.csv", d)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
	// Tables that start at another replication than the collector expects.
	d := newTestCollector(t, 1)
	err := ReadTablesFrom(strings.NewReader(okS), "early.csv", strings.NewReader(okO), "ov.csv", d)
	if err == nil || !strings.Contains(err.Error(), "early.csv:2: file starts at replication 0, want 1") {
		t.Errorf("error %v, want file starts at replication 0, want 1", err)
	}
	// And the unedited tables read.
	if err := ReadTablesFrom(strings.NewReader(okS), "good.csv", strings.NewReader(okO), "ov.csv", newTestCollector(t, 0)); err != nil {
		t.Errorf("good tables: %v", err)
	}
}

func TestSummaryMatchesSummarize(t *testing.T) {
	const first, n = 4, 333
	c := newTestCollector(t, first)
	fill(t, c, first, first+n)
	sum := c.Summary()
	if sum.Scenario != "test-scenario" || len(sum.Variants) != 2 {
		t.Fatalf("summary of %q with %d variants", sum.Scenario, len(sum.Variants))
	}
	// Recompute every Stat from outcomesFor directly, not through the
	// collector's storage.
	for v, vs := range sum.Variants {
		if vs.Name != testVariants[v] {
			t.Errorf("variant %d named %q", v, vs.Name)
		}
		for s, ss := range vs.Services {
			if ss.Name != testServices[s] {
				t.Errorf("service %d named %q", s, ss.Name)
			}
			for m, metric := range ServiceMetrics {
				var xs []float64
				for rep := first; rep < first+n; rep++ {
					xs = append(xs, outcomesFor(rep, 2, 3)[v].Services[s].Values()[m])
				}
				want := sim.Summarize(xs)
				if got := sim.Stat(ss.Metrics[metric]); !sameStat(got, want) {
					t.Errorf("%s/%s/%s = %+v, want %+v", vs.Name, ss.Name, metric, got, want)
				}
			}
		}
		for m, metric := range OverallMetrics {
			var xs []float64
			for rep := first; rep < first+n; rep++ {
				o := outcomesFor(rep, 2, 3)[v]
				xs = append(xs, o.OverallValues()[m])
			}
			if got, want := sim.Stat(vs.Overall[metric]), sim.Summarize(xs); !sameStat(got, want) {
				t.Errorf("%s/overall/%s = %+v, want %+v", vs.Name, metric, got, want)
			}
		}
	}
}

func TestSummaryKnownValues(t *testing.T) {
	c, _ := NewCollector("k", []string{"v"}, []string{"s"}, 0)
	for rep, x := range []float64{4, 1, 3, 2} {
		c.Add(rep, []Outcome{{Services: []ServiceOutcome{{TimeToRecoverH: x}}, Loss: 10 * x}})
	}
	st := c.Summary().Variants[0].Services[0].Metrics["time_to_recover_h"]
	// mean 2.5, sd √(5/3), t(0.975, 3) = 3.182446305284263.
	h := 3.182446305284263 * math.Sqrt(5.0/3) / 2
	if st.N != 4 || st.Mean != 2.5 || st.P50 != 2.5 || st.P10 != 1.3 || math.Abs(st.P90-3.7) > 1e-12 ||
		math.Abs(st.CI95[0]-(2.5-h)) > 1e-9 || math.Abs(st.CI95[1]-(2.5+h)) > 1e-9 {
		t.Errorf("Stat of 4,1,3,2 = %+v", st)
	}
}

func sameStat(a, b sim.Stat) bool {
	return sameBits([]float64{a.Mean, a.CI95[0], a.CI95[1], a.P10, a.P50, a.P90, a.P99},
		[]float64{b.Mean, b.CI95[0], b.CI95[1], b.P10, b.P50, b.P90, b.P99}) && a.N == b.N
}

func TestSummaryJSON(t *testing.T) {
	// No replications: every number is NaN, which must become null.
	empty, _ := NewCollector("e", []string{"v"}, []string{"zeta", "alpha"}, 0)
	b, err := encodeJSON(empty.Summary())
	if err != nil {
		t.Fatal(err)
	}
	if !json.Valid(b) {
		t.Fatalf("invalid JSON:\n%s", b)
	}
	if !strings.Contains(string(b), `"mean": null`) || !strings.Contains(string(b), `"ci95": [
              null,
              null
            ]`) || !strings.Contains(string(b), `"n": 0`) {
		t.Errorf("empty summary does not write nulls:\n%s", b)
	}
	// Services keep scenario order, metrics contract order.
	if strings.Index(string(b), `"zeta"`) > strings.Index(string(b), `"alpha"`) {
		t.Errorf("services not in scenario order:\n%s", b)
	}
	if strings.Index(string(b), `"time_to_recover_h"`) > strings.Index(string(b), `"data_lost_s"`) {
		t.Errorf("metrics not in contract order:\n%s", b)
	}

	// One replication with an infinite value: null again; the rest exact.
	c, _ := NewCollector("one", []string{"v"}, []string{"s"}, 0)
	c.Add(0, []Outcome{{Services: []ServiceOutcome{{TimeToRecoverH: math.Inf(1), OutageH: 0.1}}, Loss: 1e-300}})
	path := filepath.Join(t.TempDir(), SummaryFile)
	if err := WriteSummary(path, c.Summary()); err != nil {
		t.Fatal(err)
	}
	got, err := ReadSummary(path)
	if err != nil {
		t.Fatal(err)
	}
	ss := got.Variant("v").Service("s")
	if st := ss["time_to_recover_h"]; !math.IsNaN(st.Mean) || st.N != 1 {
		t.Errorf("infinite mean read back as %+v, want NaN (null) with n=1", st)
	}
	if st := ss["outage_h"]; st.Mean != 0.1 || st.CI95 != [2]float64{0.1, 0.1} || st.P99 != 0.1 {
		t.Errorf("outage_h read back as %+v", st)
	}
	if st := got.Variants[0].Overall["loss"]; st.Mean != 1e-300 {
		t.Errorf("loss read back as %+v", st)
	}

	// A full summary reads back to the same bytes.
	c = newTestCollector(t, 0)
	fill(t, c, 0, 50)
	if err := WriteSummary(path, c.Summary()); err != nil {
		t.Fatal(err)
	}
	s2, err := ReadSummary(path)
	if err != nil {
		t.Fatal(err)
	}
	path2 := filepath.Join(t.TempDir(), SummaryFile)
	if err := WriteSummary(path2, s2); err != nil {
		t.Fatal(err)
	}
	checkSameFile(t, path, path2)
}

func TestManifestRoundTripAndCheckSameRun(t *testing.T) {
	c := newTestCollector(t, 3)
	fill(t, c, 3, 5)
	m := testManifest(10, "1/3")
	m.ScenarioSHA256, m.ScenarioFile = "abc", "test.toml"
	if err := m.fill(c, false); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), ManifestFile)
	if err := WriteManifest(path, &m); err != nil {
		t.Fatal(err)
	}
	got, err := ReadManifest(path)
	if err != nil {
		t.Fatal(err)
	}
	if got.FirstReplication != 3 || got.EndReplication != 5 || got.ReplicationsDone != 2 || got.Complete ||
		got.Finished != nil || got.Tool != "dcsim" || got.GoVersion != runtime.Version() || got.Scenario != "test-scenario" ||
		!slices.Equal(got.Services, testServices) || !got.Started.Equal(m.Started) || got.Options["horizon"] != "14d" {
		t.Errorf("manifest read back as %+v", got)
	}
	raw, _ := os.ReadFile(path)
	for _, key := range []string{"tool", "version", "go_version", "command", "scenario", "scenario_file", "scenario_sha256",
		"seed", "replications", "shard", "first_replication", "end_replication", "replications_done", "workers",
		"variants", "services", "complete", "started", "updated", "finished", "options"} {
		if !strings.Contains(string(raw), `"`+key+`":`) {
			t.Errorf("manifest.json has no %q", key)
		}
	}
	if err := got.CheckSameRun(&m); err != nil {
		t.Errorf("CheckSameRun of itself: %v", err)
	}
	other := m
	other.Seed, other.ScenarioSHA256, other.Options = 43, "def", map[string]string{"horizon": "7d", "start": "x"}
	err = got.CheckSameRun(&other)
	for _, want := range []string{"seed: 42 in the results, 43 now", "scenario_sha256: abc in the results, def now",
		`option horizon: "14d" in the results, "7d" now`, `option start: (unset) in the results, "x" now`} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("CheckSameRun error %v, want it to contain %q", err, want)
		}
	}
	// Completing needs every replication of the shard ([3, 6) of 10).
	if err := m.fill(c, true); err == nil || !strings.Contains(err.Error(), "cannot mark complete") {
		t.Errorf("fill(complete) with 2 of 3 replications: %v", err)
	}
	// A manifest claiming more than its shard holds is rejected on read.
	bad := strings.Replace(string(raw), `"end_replication": 5`, `"end_replication": 9`, 1)
	os.WriteFile(path, []byte(bad), 0o644)
	if _, err := ReadManifest(path); err == nil || !strings.Contains(err.Error(), "do not fit shard 1/3") {
		t.Errorf("ReadManifest of an inconsistent manifest: %v", err)
	}
}

// TestCollectorMemory checks the DESIGN.md budget: 10,000 replications ×
// 15 services × 3 variants stay well under 200 MB.
func TestCollectorMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("allocates ~50 MB")
	}
	services := make([]string, 15)
	for i := range services {
		services[i] = "svc" + string(rune('a'+i))
	}
	outs := outcomesFor(0, 3, 15)
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	c, _ := NewCollector("big", []string{"a", "b", "c"}, services, 0)
	for rep := range 10000 {
		c.Add(rep, outs)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	grew := float64(after.HeapAlloc-before.HeapAlloc) / 1e6
	t.Logf("10,000 × 15 × 3 collector: %.1f MB", grew)
	if grew > 60 {
		t.Errorf("collector holds %.1f MB, want < 60 MB (23 MB of data)", grew)
	}
	runtime.KeepAlive(c)
}

// TestSpillIsInvisible: a Collector that spilled most replications to
// disk gives exactly what one holding everything in memory gives —
// values, outcomes, summary, CSV and Parquet bytes — and leaves no file.
func TestSpillIsInvisible(t *testing.T) {
	const first, n = 3, 1000
	mem := newTestCollector(t, first)
	mem.chunk = math.MaxInt
	dir := t.TempDir()
	sp := newTestCollector(t, first)
	sp.chunk = 7
	sp.SpillTo(dir)
	fill(t, mem, first, first+n)
	fill(t, sp, first, first+n)
	if sp.spilled != (n-1)/7*7 || sp.spill == nil {
		t.Fatalf("spilled %d replications, want %d", sp.spilled, (n-1)/7*7)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Errorf("the spill file is visible in %s: %v", dir, ents)
	}
	for v := range mem.Variants() {
		for s := range mem.Services() {
			for _, m := range ServiceMetrics {
				if a, b := mem.Values(v, s, m), sp.Values(v, s, m); !slices.Equal(a, b) {
					t.Fatalf("Values(%d, %d, %s) differ after spilling", v, s, m)
				}
			}
		}
		for _, m := range OverallMetrics {
			if a, b := mem.OverallValues(v, m), sp.OverallValues(v, m); !slices.Equal(a, b) {
				t.Fatalf("OverallValues(%d, %s) differ after spilling", v, m)
			}
		}
		for _, rep := range []int{first, first + 6, first + 7, first + 500, first + n - 1} {
			a, b := mem.Outcome(v, rep), sp.Outcome(v, rep)
			if !slices.Equal(a.Services, b.Services) || a.OverallValues() != b.OverallValues() {
				t.Errorf("Outcome(%d, %d) differs after spilling", v, rep)
			}
		}
	}
	var a, b bytes.Buffer
	for _, tab := range tables {
		a.Reset()
		b.Reset()
		mem.writeCSV(&a, tab)
		sp.writeCSV(&b, tab)
		if !bytes.Equal(a.Bytes(), b.Bytes()) {
			t.Errorf("%s differs after spilling", tab.file)
		}
	}
	a.Reset()
	b.Reset()
	mem.WriteServiceParquet(&a, nil)
	sp.WriteServiceParquet(&b, nil)
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Error("Parquet differs after spilling")
	}
	ja, _ := json.Marshal(mem.Summary())
	jb, _ := json.Marshal(sp.Summary())
	if !bytes.Equal(ja, jb) {
		t.Error("summary differs after spilling")
	}
}

// TestCollectorMemoryBounded: at 200,000 replications of 15 services the
// heap stays at a chunk's size, not the 155 MB the values take.
func TestCollectorMemoryBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("writes ~155 MB to a spill file")
	}
	services := make([]string, 15)
	for i := range services {
		services[i] = "svc" + string(rune('a'+i))
	}
	outs := outcomesFor(0, 1, 15)
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	c, _ := NewCollector("big", []string{"a"}, services, 0)
	c.SpillTo(t.TempDir())
	defer c.Close()
	for rep := range 200000 {
		c.Add(rep, outs)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	grew := float64(after.HeapAlloc-before.HeapAlloc) / 1e6
	t.Logf("200,000 × 15 collector: %.1f MB on the heap, %d replications spilled", grew, c.spilled)
	if grew > 2*SpillChunkBytes/1e6 {
		t.Errorf("collector holds %.1f MB, want at most two chunks (%d MB)", grew, 2*SpillChunkBytes>>20)
	}
	if s := c.Summary(); s.Variants[0].Overall["loss"].N != 200000 {
		t.Errorf("summary n = %d", s.Variants[0].Overall["loss"].N)
	}
	runtime.KeepAlive(c)
}

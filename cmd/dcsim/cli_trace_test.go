package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"encoding/xml"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// csvRows indexes a results directory's tables:
// rows["OPTION@INCIDENT"][replication][service] is the row of
// replications.csv, and [...]["_overall"] the row of overall.csv, each as
// a map from column name to cell.
func csvRows(t *testing.T, dir string) map[string]map[int]map[string]map[string]string {
	t.Helper()
	out := map[string]map[int]map[string]map[string]string{}
	for _, file := range []string{"replications.csv", "overall.csv"} {
		path := filepath.Join(dir, file)
		all := cliReadCSV(t, path)
		head := all[0]
		for _, r := range all[1:] {
			row := map[string]string{}
			for i, h := range head {
				row[h] = r[i]
			}
			rep, err := strconv.Atoi(row["replication"])
			if err != nil {
				t.Fatalf("%s: replication %q", path, row["replication"])
			}
			v := row["option"] + "@" + row["incident"]
			if out[v] == nil {
				out[v] = map[int]map[string]map[string]string{}
			}
			if out[v][rep] == nil {
				out[v][rep] = map[string]map[string]string{}
			}
			svc, ok := row["service"]
			if !ok {
				svc = "_overall"
			}
			out[v][rep][svc] = row
		}
	}
	return out
}

// traceOutcome is outcome.json.
type traceOutcome struct {
	Scenario    string                        `json:"scenario"`
	Variant     string                        `json:"variant"`
	Seed        uint64                        `json:"seed"`
	Replication int                           `json:"replication"`
	Services    map[string]map[string]float64 `json:"services"`
	Overall     map[string]float64            `json:"overall"`
}

// sameOutcome compares outcome.json with the replication's rows of
// replications.csv, every metric exactly.
func sameOutcome(t *testing.T, what string, o traceOutcome, rows map[string]map[string]string, services []string) {
	t.Helper()
	if len(rows) != len(services)+1 {
		t.Fatalf("%s: %d rows in replications.csv and overall.csv, want %d", what, len(rows), len(services)+1)
	}
	if len(o.Services) != len(services) {
		t.Errorf("%s: outcome.json has %d services, want %d", what, len(o.Services), len(services))
	}
	compare := func(where string, got map[string]float64, row map[string]string, metrics []string) {
		for _, m := range metrics {
			want, err := strconv.ParseFloat(row[m], 64)
			if err != nil {
				t.Errorf("%s %s %s: cell %q: %v", what, where, m, row[m], err)
				continue
			}
			g, ok := got[m]
			if !ok {
				t.Errorf("%s: outcome.json has no %s %s", what, where, m)
			} else if g != want {
				t.Errorf("%s %s %s: outcome.json %v, replications.csv %v", what, where, m, g, want)
			}
		}
	}
	for _, s := range services {
		compare(s, o.Services[s], rows[s], []string{"time_to_recover_h", "outage_h", "user_hours_lost", "requests_lost", "revenue_lost", "data_lost_s"})
	}
	compare("overall", o.Overall, rows["_overall"], []string{"all_services_recovered_h", "user_hours_lost", "requests_lost", "revenue_lost", "max_data_lost_s", "hardware_cost", "loss"})
}

// runTrace runs dcsim trace and returns the directory holding its files.
func runTrace(t *testing.T, out string, args ...string) string {
	t.Helper()
	r := cliRun(t, append([]string{"trace", "--out", out}, args...)...)
	if r.code != 0 {
		t.Fatalf("trace failed:\n%s", r)
	}
	return out
}

func readOutcome(t *testing.T, dir string) traceOutcome {
	t.Helper()
	var o traceOutcome
	if err := json.Unmarshal(cliReadFile(t, filepath.Join(dir, "outcome.json")), &o); err != nil {
		t.Fatalf("%s/outcome.json: %v", dir, err)
	}
	return o
}

var exampleServices = []string{"failover-ctl", "ops-tools", "chat", "web", "reports"}

// TestCLITraceCommits: dcsim trace exits 0 and leaves its files in --out.
func TestCLITraceCommits(t *testing.T) {
	out := filepath.Join(t.TempDir(), "tr")
	r := cliRun(t, "trace", cliScenario(t, "example"), "--replication", "3", "--out", out)
	if r.code != 0 {
		t.Fatalf("dcsim trace failed:\n%s", r)
	}
	for _, f := range []string{"trace.jsonl", "trace.txt", "outcome.json", "timeline.png", "timeline.svg"} {
		if !cliExists(filepath.Join(out, f)) {
			t.Errorf("trace wrote no %s", f)
		}
	}
	if cliExists(out + ".partial") {
		t.Error("trace left its staging directory")
	}
	if !strings.Contains(r.stdout, "replication 3") || !strings.Contains(r.stdout, "ignition") {
		t.Errorf("trace printed no timeline:\n%s", r)
	}
}

// TestCLITraceMatchesRun: trace K replays replication K of run with the
// same seed: outcome.json equals row K of replications.csv exactly.
func TestCLITraceMatchesRun(t *testing.T) {
	example := cliScenario(t, "example")
	tmp := t.TempDir()
	run := filepath.Join(tmp, "run")
	cliMust(t, "run", example, "-n", "40", "--seed", "11", "--no-plots", "-q", "--out", run)
	all := csvRows(t, run)
	rows := all["baseline@incident"]
	if len(all) != 1 || rows == nil {
		t.Fatalf("run's tables hold %d option@incident pairs, want baseline@incident", len(all))
	}
	for _, k := range []int{0, 17, 39} {
		dir := runTrace(t, filepath.Join(tmp, "trace"+strconv.Itoa(k)), example, "--index", strconv.Itoa(k), "--seed", "11", "-q")
		o := readOutcome(t, dir)
		if o.Replication != k || o.Seed != 11 || o.Variant != "baseline" || o.Scenario != "example" {
			t.Errorf("outcome.json header: %+v", o)
		}
		sameOutcome(t, "replication "+strconv.Itoa(k), o, rows[k], exampleServices)
		checkTraceJSONL(t, filepath.Join(dir, "trace.jsonl"), exampleServices)
		checkPNG(t, filepath.Join(dir, "timeline.png"))
		checkSVG(t, filepath.Join(dir, "timeline.svg"))
	}
	// Without --seed the trace uses the scenario's seed, like run.
	dir := runTrace(t, filepath.Join(tmp, "seed7"), example, "--replication", "17", "-q")
	if o := readOutcome(t, dir); o.Seed != 7 || o.Overall["loss"] == rowFloat(t, rows[17]["_overall"], "loss") {
		t.Errorf("trace without --seed: seed %d, loss %v (seed 11's loss is %v)", o.Seed, o.Overall["loss"], rows[17]["_overall"]["loss"])
	}
}

func rowFloat(t *testing.T, row map[string]string, col string) float64 {
	t.Helper()
	x, err := strconv.ParseFloat(row[col], 64)
	if err != nil {
		t.Fatal(err)
	}
	return x
}

// checkTraceJSONL: every line is one JSON object, events with a kind and
// serving samples with a fraction per service, in time order.
func checkTraceJSONL(t *testing.T, path string, services []string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	line, last, events, samples := 0, -1.0, 0, 0
	for sc.Scan() {
		line++
		var rec struct {
			T       *float64           `json:"t_h"`
			Kind    string             `json:"kind"`
			Subject string             `json:"subject"`
			Detail  string             `json:"detail"`
			Serving map[string]float64 `json:"serving"`
		}
		dec := json.NewDecoder(bytes.NewReader(sc.Bytes()))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&rec); err != nil {
			t.Fatalf("%s:%d: %v: %s", path, line, err, sc.Text())
		}
		if dec.More() {
			t.Fatalf("%s:%d: more than one JSON value on the line", path, line)
		}
		switch {
		case rec.T == nil:
			t.Errorf("%s:%d: no t_h", path, line)
			continue
		case *rec.T < last:
			t.Errorf("%s:%d: t_h %v goes back from %v", path, line, *rec.T, last)
		case rec.Kind != "" && rec.Serving == nil:
			events++
		case rec.Kind == "" && len(rec.Serving) == len(services):
			samples++
			for s, x := range rec.Serving {
				if !(x >= 0 && x <= 1) {
					t.Errorf("%s:%d: %s serving %v", path, line, s, x)
				}
			}
		default:
			t.Errorf("%s:%d: neither an event nor a serving sample: %s", path, line, sc.Text())
		}
		last = *rec.T
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if events == 0 || samples == 0 {
		t.Errorf("%s: %d events and %d serving samples", path, events, samples)
	}
}

func checkPNG(t *testing.T, path string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Error(err)
		return
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Errorf("%s: %v", path, err)
		return
	}
	if b := img.Bounds(); b.Dx() < 100 || b.Dy() < 100 {
		t.Errorf("%s: %v pixels", path, b)
	}
}

func checkSVG(t *testing.T, path string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Error(err)
		return
	}
	dec := xml.NewDecoder(bytes.NewReader(b))
	root := ""
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Errorf("%s: not well-formed XML: %v", path, err)
			return
		}
		if se, ok := tok.(xml.StartElement); ok && root == "" {
			root = se.Name.Local
		}
	}
	if root != "svg" {
		t.Errorf("%s: root element %q, want svg", path, root)
	}
}

// TestCLITraceOptionMatchesCompare: trace --option X replays option X's
// replication exactly as compare simulated it (variant "X@incident"), and a
// plain trace the baseline's.
func TestCLITraceOptionMatchesCompare(t *testing.T) {
	invest := cliScenario(t, "invest")
	tmp := t.TempDir()
	cmp := filepath.Join(tmp, "cmp")
	cliMust(t, "compare", invest, "--all", "-n", "30", "--no-plots", "-q", "--out", cmp)
	rows := csvRows(t, cmp)
	for _, c := range []struct{ option, variant string }{
		{"", "baseline@incident"},
		{"ctl-active-active", "ctl-active-active@incident"},
		{"drills", "drills@incident"},
	} {
		if rows[c.variant] == nil {
			t.Fatalf("compare wrote no variant %s", c.variant)
		}
		for _, k := range []int{4, 29} {
			args := []string{invest, "--index", strconv.Itoa(k), "-q"}
			if c.option != "" {
				args = append(args, "--portfolio", c.option)
			}
			dir := runTrace(t, filepath.Join(tmp, c.option+"trace"+strconv.Itoa(k)), args...)
			o := readOutcome(t, dir)
			if want, _, _ := strings.Cut(c.variant, "@"); o.Variant != want {
				t.Errorf("outcome.json variant %q, want %q", o.Variant, want)
			}
			sameOutcome(t, c.variant+" replication "+strconv.Itoa(k), o, rows[c.variant][k], exampleServices)
		}
	}
	// The options do change something, or this test proves nothing.
	changed := 0
	for k := 0; k < 30; k++ {
		if rows["baseline@incident"][k]["failover-ctl"]["time_to_recover_h"] != rows["ctl-active-active@incident"][k]["failover-ctl"]["time_to_recover_h"] {
			changed++
		}
	}
	if changed == 0 {
		t.Error("ctl-active-active changes no replication's failover-ctl recovery")
	}
}

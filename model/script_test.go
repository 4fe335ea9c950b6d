package model

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/dcsim/dcsim/model/results"
	"github.com/dcsim/dcsim/sim"
)

// Scenario scripts, in the style of etcd raft's interaction tests: each
// file in testdata/scripts holds directives of the form
//
//	command arg key=value
//	input lines (optional)
//	----
//	expected output
//	<blank line>
//
// Lines starting with '#' and blank lines between directives are comments.
// Expected output ends at the first blank line, so no command prints one.
// `go test ./model -run TestScripts -rewrite` rewrites every expected
// output with what the code prints now; read the diff before committing.
//
// Commands:
//
//	scenario            input is a whole TOML scenario; prints nothing
//	start seed=N rep=K  resets the replication to t = 0 with background
//	                    failures off (Policy.NoBackground)
//	advance DURATION    runs the engine DURATION further (Engine.RunUntil)
//	                    and prints each traced event that fired
//	status              prints every domain's power and every service's
//	                    serving fraction at peak, active site and health
//	finish              integrates impact to the end and prints the Outcome
var rewriteScripts = flag.Bool("rewrite", false, "rewrite the expected outputs of model/testdata/scripts")

// scriptDirective is one command of a script with its input and the
// output the file expects.
type scriptDirective struct {
	line   int
	cmd    string
	args   []string
	input  []string
	expect []string
}

// scriptPart is either comment text kept verbatim or a directive.
type scriptPart struct {
	text []string
	dir  *scriptDirective
}

func parseScript(t *testing.T, path string) []scriptPart {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	var parts []scriptPart
	for i := 0; i < len(lines); {
		l := lines[i]
		if strings.TrimSpace(l) == "" || strings.HasPrefix(l, "#") {
			if n := len(parts); n > 0 && parts[n-1].dir == nil {
				parts[n-1].text = append(parts[n-1].text, l)
			} else {
				parts = append(parts, scriptPart{text: []string{l}})
			}
			i++
			continue
		}
		fields := strings.Fields(l)
		d := &scriptDirective{line: i + 1, cmd: fields[0], args: fields[1:]}
		i++
		for i < len(lines) && lines[i] != "----" {
			d.input = append(d.input, lines[i])
			i++
		}
		if i == len(lines) {
			t.Fatalf("%s:%d: %s has no ---- line", path, d.line, d.cmd)
		}
		i++ // ----
		for i < len(lines) && strings.TrimSpace(lines[i]) != "" {
			d.expect = append(d.expect, lines[i])
			i++
		}
		parts = append(parts, scriptPart{dir: d})
	}
	return parts
}

func TestScripts(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "scripts", "*.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no scripts in testdata/scripts")
	}
	for _, path := range files {
		t.Run(strings.TrimSuffix(filepath.Base(path), ".txt"), func(t *testing.T) {
			parts := parseScript(t, path)
			h := &scriptHarness{t: t, path: path}
			var out bytes.Buffer
			for _, p := range parts {
				if p.dir == nil {
					for _, l := range p.text {
						out.WriteString(l + "\n")
					}
					continue
				}
				d := p.dir
				got := h.run(d)
				for _, l := range got {
					if strings.TrimSpace(l) == "" {
						t.Fatalf("%s:%d: %s printed a blank line, which the script format cannot hold", path, d.line, d.cmd)
					}
				}
				out.WriteString(strings.Join(append([]string{d.cmd}, d.args...), " ") + "\n")
				for _, l := range d.input {
					out.WriteString(l + "\n")
				}
				out.WriteString("----\n")
				for _, l := range got {
					out.WriteString(l + "\n")
				}
				if !*rewriteScripts && strings.Join(got, "\n") != strings.Join(d.expect, "\n") {
					t.Errorf("%s:%d: %s\n--- want\n%s\n--- got\n%s\n(check the new output by hand, then accept it with go test ./model -run TestScripts -rewrite)",
						path, d.line, strings.Join(append([]string{d.cmd}, d.args...), " "), strings.Join(d.expect, "\n"), strings.Join(got, "\n"))
				}
			}
			if *rewriteScripts {
				if err := os.WriteFile(path, out.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}

// scriptHarness holds a script's scenario and replication between
// commands.
type scriptHarness struct {
	t      *testing.T
	path   string
	m      *Model
	r      *Replication
	rec    *scriptTracer
	target float64 // the time the last advance ran to
}

// scriptTracer keeps traced events as printable lines.
type scriptTracer struct{ lines []string }

func (st *scriptTracer) Event(t float64, kind, subject, detail string) {
	st.lines = append(st.lines, fmt.Sprintf("%7.2fh %s %s: %s", t, kind, subject, detail))
}

func (st *scriptTracer) Serving(float64, []float64) {}

func (h *scriptHarness) fatalf(d *scriptDirective, format string, args ...any) {
	h.t.Helper()
	h.t.Fatalf("%s:%d: %s: %s", h.path, d.line, d.cmd, fmt.Sprintf(format, args...))
}

// kv parses key=value arguments.
func (h *scriptHarness) kv(d *scriptDirective) map[string]string {
	m := map[string]string{}
	for _, a := range d.args {
		k, v, ok := strings.Cut(a, "=")
		if !ok {
			h.fatalf(d, "argument %q is not key=value", a)
		}
		m[k] = v
	}
	return m
}

func (h *scriptHarness) run(d *scriptDirective) []string {
	h.t.Helper()
	switch d.cmd {
	case "scenario":
		sc, err := Parse(h.path, []byte(strings.Join(d.input, "\n")+"\n"))
		if err != nil {
			h.fatalf(d, "%v", err)
		}
		h.m = Compile(sc)
		h.r = nil
		return nil
	case "start":
		if h.m == nil {
			h.fatalf(d, "no scenario yet")
		}
		args := h.kv(d)
		seed, err := strconv.ParseUint(args["seed"], 10, 64)
		if err != nil {
			h.fatalf(d, "seed: %v", err)
		}
		rep, err := strconv.Atoi(args["rep"])
		if err != nil {
			h.fatalf(d, "rep: %v", err)
		}
		h.r = NewReplication(h.m)
		h.r.SetPolicy(Policy{NoBackground: true})
		h.rec = &scriptTracer{}
		h.r.SetTracer(h.rec)
		h.r.Start(seed, rep)
		h.target = 0
		return h.flush()
	case "advance":
		h.needStarted(d)
		if len(d.args) != 1 {
			h.fatalf(d, "want one duration, e.g. advance 2h")
		}
		dt, err := ParseDuration(d.args[0])
		if err != nil {
			h.fatalf(d, "%v", err)
		}
		h.target += dt
		h.r.Engine().RunUntil(sim.Time(h.target))
		return h.flush()
	case "status":
		h.needStarted(d)
		return h.status()
	case "finish":
		h.needStarted(d)
		var o results.Outcome
		h.r.Finish(&o)
		return append(h.flush(), h.outcome(&o)...)
	}
	h.fatalf(d, "unknown command")
	return nil
}

func (h *scriptHarness) needStarted(d *scriptDirective) {
	h.t.Helper()
	if h.r == nil {
		h.fatalf(d, "no replication started")
	}
}

func (h *scriptHarness) flush() []string {
	l := h.rec.lines
	h.rec.lines = nil
	return l
}

// status prints the replication's state, read from its fields.
func (h *scriptHarness) status() []string {
	r, m := h.r, h.m
	out := []string{fmt.Sprintf("t=%.2fh%s", float64(r.eng.Now()), map[bool]string{true: " (settled: replication stopped)"}[r.stopped])}
	for d := 0; d < m.nDom; d++ {
		var causes []string
		for k := 0; k < nCauses; k++ {
			if c := uint8(1) << k; r.power.causes[d]&c != 0 {
				causes = append(causes, causeNames[c])
			}
		}
		state := "powered"
		if !r.power.powered[d] {
			state = "unpowered"
		}
		if len(causes) > 0 {
			state += " (" + strings.Join(causes, ", ") + ")"
		}
		var up, dest int32
		for s := 0; s < m.nSvc; s++ {
			up += r.fleet.pool[d*m.nSvc+s].up
			dest += r.fleet.pool[d*m.nSvc+s].destroyed
		}
		extra := ""
		if dest+r.fleet.destOther[d] > 0 {
			extra = fmt.Sprintf(", %d destroyed", dest+r.fleet.destOther[d])
		}
		out = append(out, fmt.Sprintf("domain %s: %s; service servers up %d%s", r.domName(d), state, up, extra))
	}
	for p := 0; p < m.nSite; p++ {
		if r.svc.partitioned[p] > 0 {
			out = append(out, fmt.Sprintf("site %s: partitioned", r.siteName(p)))
		}
	}
	for s := range m.Sc.Services {
		svc := &m.Sc.Services[s]
		active := "active " + r.siteName(r.svc.hot[s].active)
		if svc.Mode == ActiveActive {
			active = "active-active"
		}
		health := "healthy"
		if !r.svc.hot[s].healthy {
			health = "impaired"
		}
		var flags []string
		if r.svc.hot[s].foPending {
			flags = append(flags, "failover pending")
		}
		if r.svc.hot[s].failingBack {
			flags = append(flags, "failing back")
		}
		if r.svc.hot[s].reroute > 0 {
			flags = append(flags, fmt.Sprintf("%.0f%% of traffic still sent to lost sites", 100*r.svc.hot[s].reroute))
		}
		var pools []string
		for _, pl := range svc.Placement {
			i := s*m.nSite + pl.Site
			st := "running"
			switch {
			case r.svc.pool[i].running:
			case r.svc.pool[i].restoring:
				st = "restoring"
			default:
				st = "stopped"
			}
			pools = append(pools, fmt.Sprintf("%s %d/%d %s", r.siteName(pl.Site), r.svc.pool[i].up, m.placed[i], st))
		}
		line := fmt.Sprintf("service %s: serving %.3f at peak, %s, %s", svc.Name, r.svc.hot[s].fPeak, active, health)
		if len(flags) > 0 {
			line += ", " + strings.Join(flags, ", ")
		}
		out = append(out, line+"; "+strings.Join(pools, ", "))
		if svc.Data != nil {
			out = append(out, h.dataStatus(s))
		}
	}
	return out
}

// dataStatus prints the copies of service s's data and any restore.
func (h *scriptHarness) dataStatus(s int) string {
	dt := &h.r.data
	var copies []string
	for _, cs := range [][]int32{dt.dm.replicas[s], dt.dm.backups[s]} {
		for _, c := range cs {
			st := "live"
			if dt.lost[c] {
				st = "lost"
			}
			copies = append(copies, fmt.Sprintf("%s %s", dt.dm.copies[c].where, st))
		}
	}
	line := "  data: " + strings.Join(copies, ", ")
	if dt.restoring[s] {
		now := float64(h.r.eng.Now())
		left := dt.left[s] - dt.rate[s]*(now-dt.since[s])
		line += fmt.Sprintf("; restoring at %.4g TB/h, %.4g TB left", dt.rate[s], left)
	} else if dt.gone[s] {
		line += "; gone, waiting to restore"
	}
	return line
}

func (h *scriptHarness) outcome(o *results.Outcome) []string {
	g := func(x float64) string { return strconv.FormatFloat(x, 'g', 6, 64) }
	var out []string
	for s, so := range o.Services {
		out = append(out, fmt.Sprintf("%s: time_to_recover_h=%s outage_h=%s user_hours_lost=%s requests_lost=%s revenue_lost=%s data_lost_s=%s",
			h.m.Sc.Services[s].Name, g(so.TimeToRecoverH), g(so.OutageH), g(so.UserHoursLost), g(so.RequestsLost), g(so.RevenueLost), g(so.DataLostS)))
		if h.m.Sc.Services[s].Data != nil {
			out[len(out)-1] += fmt.Sprintf(" data_restored_tb=%s data_restore_h=%s data_lost_tb=%s data_lost_for_good=%s",
				g(so.DataRestoredTB), g(so.DataRestoreH), g(so.DataLostTB), g(so.DataLostForGood))
		}
	}
	out = append(out, fmt.Sprintf("overall: all_services_recovered_h=%s user_hours_lost=%s requests_lost=%s revenue_lost=%s data_lost_s=%s hardware_cost=%s loss=%s",
		g(o.AllServicesRecoveredH), g(o.UserHoursLost), g(o.RequestsLost), g(o.RevenueLost), g(o.DataLostS), g(o.HardwareCost), g(o.Loss)))
	return out
}

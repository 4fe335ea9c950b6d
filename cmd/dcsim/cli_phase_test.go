package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// phaseStop is how long a command signalled inside a phase after the
// simulation may take to exit.
const phaseStop = time.Second

// TestCLIPhaseLines checks that, with stderr not a terminal, run and merge
// say each phase after the simulation (or the reading) on a line of its
// own, in order, and that --quiet silences them.
func TestCLIPhaseLines(t *testing.T) {
	ex := cliScenario(t, "example")
	tmp := t.TempDir()
	cases := []struct {
		args []string
		want []string
	}{
		{[]string{"run", ex, "-n", "200", "--out", filepath.Join(tmp, "a")},
			[]string{"dcsim: writing results and drawing plots…", "dcsim: writing the report…"}},
		{[]string{"run", ex, "-n", "200", "--no-plots", "--out", filepath.Join(tmp, "b")},
			[]string{"dcsim: writing results…"}},
		{[]string{"run", ex, "-n", "200", "--shard", "0/2", "--out", filepath.Join(tmp, "s0")},
			[]string{"dcsim: writing results…"}},
	}
	for _, c := range cases {
		r := cliMust(t, c.args...)
		if got := strings.Split(strings.TrimSpace(r.stderr), "\n"); strings.Join(got, "|") != strings.Join(c.want, "|") {
			t.Errorf("dcsim %s: stderr\n%s\nwant the lines\n%s", strings.Join(c.args, " "), r.stderr, strings.Join(c.want, "\n"))
		}
		if r := cliMust(t, append(c.args, "-q", "--force")...); r.stderr != "" {
			t.Errorf("dcsim %s -q: stderr %q, want nothing", strings.Join(c.args, " "), r.stderr)
		}
	}
	cliMust(t, "run", ex, "-n", "200", "--shard", "1/2", "-q", "--out", filepath.Join(tmp, "s1"))
	r := cliMust(t, "merge", filepath.Join(tmp, "s0"), filepath.Join(tmp, "s1"), "--out", filepath.Join(tmp, "m"))
	want := "dcsim: reading the shards (200 replications)…\ndcsim: writing the merged results…\ndcsim: drawing plots…\ndcsim: writing the report…"
	if strings.TrimSpace(r.stderr) != want {
		t.Errorf("merge: stderr\n%s\nwant\n%s", r.stderr, want)
	}
}

// startHeld starts dcsim with args in dir, held in the phase named hold
// (holdPhaseEnv), and waits until it says it is in that phase.
func startHeld(t *testing.T, dir, hold string, args ...string) *cliProc {
	t.Helper()
	p := cliStartEnv(t, dir, []string{holdPhaseEnv + "=" + hold}, args...)
	if !cliWaitFor(p, time.Minute, func() bool { return strings.Contains(p.stderr.String(), "dcsim: "+hold) }) {
		t.Fatalf("dcsim %s never said %q; exit %d, stderr:\n%s", strings.Join(args, " "), hold, p.code, p.stderr.String())
	}
	if p.exited() {
		t.Fatalf("dcsim %s ended in the held phase %q; exit %d, stderr:\n%s", strings.Join(args, " "), hold, p.code, p.stderr.String())
	}
	return p
}

// TestCLISignalInEveryPhase signals a run inside each phase that follows
// its simulation — writing results (with and without plots), the report —
// with SIGINT and SIGTERM: it exits within a second with 130 or 143, says
// every replication is saved, leaves OUT.partial holding all of them and
// no earlier result touched, and --resume ends with the files of an
// uninterrupted run.
func TestCLISignalInEveryPhase(t *testing.T) {
	ex := cliScenario(t, "example")
	tmp := t.TempDir()
	const reps = 3000
	base := []string{"run", ex, "-n", fmt.Sprint(reps), "--workers", "2"}
	cliMust(t, append(base, "-q", "--out", filepath.Join(tmp, "ref"))...)
	cliMust(t, append(base, "-q", "--no-plots", "--out", filepath.Join(tmp, "ref-np"))...)
	cases := []struct {
		phase   string
		noPlots bool
		sig     os.Signal
		code    int
	}{
		{"writing results and drawing plots", false, os.Interrupt, 130},
		{"writing the report", false, syscall.SIGTERM, 143},
		{"writing results", true, syscall.SIGTERM, 143},
	}
	for i, c := range cases {
		out := filepath.Join(tmp, fmt.Sprintf("out%d", i))
		args := append(base, "--out", out)
		ref := filepath.Join(tmp, "ref")
		if c.noPlots {
			args, ref = append(args, "--no-plots"), filepath.Join(tmp, "ref-np")
		}
		// An earlier complete result in OUT stays as it was.
		cliMust(t, "run", ex, "-n", "50", "-q", "--no-plots", "--out", out)
		before := cliDirState(t, out)
		p := startHeld(t, tmp, c.phase, args...)
		code, took := p.signalAndTime(t, c.sig)
		if code != c.code || took > phaseStop {
			t.Errorf("%v in %q: exit %d after %v, want %d within %v\nstderr:\n%s", c.sig, c.phase, code, took, c.code, phaseStop, p.stderr.String())
		}
		if msg := p.stderr.String(); !strings.Contains(msg, fmt.Sprintf("all %d replications were saved", reps)) || !strings.Contains(msg, "--resume") {
			t.Errorf("%q: the message does not say every replication is saved and how to resume:\n%s", c.phase, msg)
		}
		m := cliManifest(t, out+".partial")
		if m["replications_done"] != float64(reps) {
			t.Errorf("%q: %s.partial holds %v replications, want %d", c.phase, out, m["replications_done"], reps)
		}
		rows := cliReadCSV(t, filepath.Join(out+".partial", "overall.csv"))
		if len(rows) != 1+reps {
			t.Errorf("%q: %s.partial/overall.csv has %d rows, want %d", c.phase, out, len(rows), 1+reps)
		}
		cliSameState(t, c.phase+": the earlier result", before, cliDirState(t, out))
		r := cliExec(t, tmp, "run", "--resume", out, "-q")
		if r.code != 0 {
			t.Fatalf("%q: resume:\n%s", c.phase, r)
		}
		cliSameFiles(t, ref, out, "summary.json", "replications.csv", "overall.csv")
		if !c.noPlots {
			cliSameFiles(t, ref, out, "recovery_cdf.svg", "timeline.svg", "user_hours_hist.svg")
			if !cliExists(filepath.Join(out, "report.html")) {
				t.Errorf("%q: no report.html after the resume", c.phase)
			}
		}
	}
}

// TestCLIMergeSignalInEveryPhase signals dcsim merge in each of its
// phases — reading the shards, writing the merged results, drawing the
// plots, the report: it exits within a second with 130 or 143, writes
// neither OUT nor OUT.partial, and leaves the shards as they were; the
// same merge run again then succeeds.
func TestCLIMergeSignalInEveryPhase(t *testing.T) {
	ex := cliScenario(t, "example")
	tmp := t.TempDir()
	var shards []string
	for i := range 2 {
		s := filepath.Join(tmp, fmt.Sprintf("s%d", i))
		cliMust(t, "run", ex, "-n", "2000", "--shard", fmt.Sprintf("%d/2", i), "-q", "--out", s)
		shards = append(shards, s)
	}
	before := cliDirState(t, shards[0])
	out := filepath.Join(tmp, "merged")
	for i, phase := range []string{"reading the shards", "writing the merged results", "drawing plots", "writing the report"} {
		sig, want := os.Interrupt, 130
		if i%2 == 1 {
			sig, want = syscall.SIGTERM, 143
		}
		p := startHeld(t, tmp, phase, append(append([]string{"merge"}, shards...), "--out", out)...)
		code, took := p.signalAndTime(t, sig)
		if code != want || took > phaseStop {
			t.Errorf("%v in %q: exit %d after %v, want %d within %v\nstderr:\n%s", sig, phase, code, took, want, phaseStop, p.stderr.String())
		}
		if !strings.Contains(p.stderr.String(), "nothing written to") {
			t.Errorf("%q: the message does not say nothing was written:\n%s", phase, p.stderr.String())
		}
		for _, d := range []string{out, out + ".partial"} {
			if cliExists(d) {
				t.Errorf("%v in %q left %s", sig, phase, d)
			}
		}
		cliSameState(t, phase+": a shard after an interrupted merge", before, cliDirState(t, shards[0]))
	}
	if r := cliExec(t, tmp, append(append([]string{"merge"}, shards...), "--out", out, "-q")...); r.code != 0 {
		t.Fatalf("merge after the interrupted ones:\n%s", r)
	}
}

// TestCLICompareShardsMerge: a comparison run as two shards — each
// writing its results like a whole run, checkpoint first, its comparison
// evaluated beside — merges into the files of the unsharded comparison.
func TestCLICompareShardsMerge(t *testing.T) {
	invest := cliScenario(t, "invest")
	tmp := t.TempDir()
	args := []string{"compare", invest, "--options", "drills,ctl-active-active", "-n", "80", "-q"}
	cliMust(t, append(args, "--out", filepath.Join(tmp, "whole"))...)
	for i := range 2 {
		r := cliMust(t, append(args, "--shard", fmt.Sprintf("%d/2", i), "--out", filepath.Join(tmp, fmt.Sprintf("s%d", i)))...)
		if cliExists(filepath.Join(tmp, fmt.Sprintf("s%d", i), "report.html")) {
			t.Errorf("shard %d wrote a report:\n%s", i, r)
		}
	}
	cliMust(t, "merge", filepath.Join(tmp, "s0"), filepath.Join(tmp, "s1"), "-q", "--out", filepath.Join(tmp, "merged"))
	cliSameFiles(t, filepath.Join(tmp, "whole"), filepath.Join(tmp, "merged"), "summary.json", "replications.csv", "overall.csv", "compare.csv", "compare.json")
}

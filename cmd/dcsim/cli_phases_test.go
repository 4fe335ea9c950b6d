package main

import (
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// checkpointed reads staging's manifest and reports how many replications
// it records and whether it says complete; ok is false if there is none.
func checkpointed(staging string) (done int, complete, ok bool) {
	b, err := os.ReadFile(filepath.Join(staging, "manifest.json"))
	var m struct {
		Done     int  `json:"replications_done"`
		Complete bool `json:"complete"`
	}
	if err != nil || json.Unmarshal(b, &m) != nil {
		return 0, false, false
	}
	return m.Done, m.Complete, true
}

// waitAllCheckpointed waits until p's staging directory holds every one
// of reps replications while the run has not committed: the phases after
// the simulation (budget, writing, plots, report) have begun.
func waitAllCheckpointed(t *testing.T, p *cliProc, staging string, reps int) {
	t.Helper()
	if !cliWaitFor(p, 60*time.Second, func() bool {
		done, _, ok := checkpointed(staging)
		return ok && done == reps
	}) || p.exited() {
		t.Fatalf("never saw all %d replications checkpointed before the end (exit %d)\nstderr:\n%s", reps, p.code, p.stderr.String())
	}
}

// TestCLIDoubleSIGINT: a second Ctrl-C, at several moments after the
// first, ends the run at once but never loses what a checkpoint holds; the
// first one says what it saves and what a second one costs; the run
// resumes to the uninterrupted result.
func TestCLIDoubleSIGINT(t *testing.T) {
	slow := cliScenario(t, "slow")
	tmp := t.TempDir()
	const reps = 2500
	n := strconv.Itoa(reps)
	ref := cliStart(t, tmp, "run", slow, "-n", n, "--workers", "1", "--no-plots", "-q", "--out", "ref")
	if code := ref.wait(t, 120*time.Second); code != 0 {
		t.Fatalf("reference run: exit %d\n%s", code, ref.stderr.String())
	}
	for _, gap := range []time.Duration{0, 20 * time.Millisecond, 300 * time.Millisecond} {
		out := filepath.Join(tmp, "out-"+gap.String())
		run := cliStart(t, tmp, "run", slow, "-n", n, "--workers", "1", "--no-plots", "--out", out)
		var before int
		if !cliWaitFor(run, 30*time.Second, func() bool {
			d, _, ok := checkpointed(out + ".partial")
			before = d
			return ok && d > 0
		}) || run.exited() {
			t.Fatalf("gap %v: no checkpoint before the run ended\nstderr:\n%s", gap, run.stderr.String())
		}
		run.cmd.Process.Signal(os.Interrupt)
		time.Sleep(gap)
		run.cmd.Process.Signal(os.Interrupt)
		if code := run.wait(t, 10*time.Second); code != 130 {
			t.Fatalf("gap %v: exit %d, want 130\nstderr:\n%s", gap, code, run.stderr.String())
		}
		after, complete, ok := checkpointed(out + ".partial")
		if !ok || complete || after < before {
			t.Fatalf("gap %v: after a double Ctrl-C the checkpoint holds %d replications (ok %v, complete %v); it held %d before", gap, after, ok, complete, before)
		}
		if gap >= 300*time.Millisecond {
			if msg := run.stderr.String(); !strings.Contains(msg, "saving") || !strings.Contains(msg, "Ctrl-C again") {
				t.Errorf("gap %v: the first Ctrl-C does not say what it saves and what a second costs:\n%s", gap, msg)
			}
		}
		r := cliExec(t, tmp, "run", "--resume", out, "--no-plots", "-q")
		if r.code != 0 {
			t.Fatalf("gap %v: resume after a double Ctrl-C:\n%s", gap, r)
		}
		cliSameFiles(t, filepath.Join(tmp, "ref"), out, "summary.json", "replications.csv")
		t.Logf("gap %v: checkpoint held %d, then %d of %d", gap, before, after, reps)
	}
}

// TestCLIFirstCheckpointEarly: the first checkpoint comes about a second
// into the simulation, so a kill -9 soon after the start loses at most
// that; the run resumes from it.
func TestCLIFirstCheckpointEarly(t *testing.T) {
	slow := cliScenario(t, "slow")
	tmp := t.TempDir()
	out := filepath.Join(tmp, "out")
	run := cliStart(t, tmp, "run", slow, "-n", "2500", "--workers", "1", "--no-plots", "-q", "--out", out)
	if !cliWaitFor(run, 30*time.Second, func() bool { return cliExists(out + ".partial") }) {
		t.Fatalf("no out.partial; stderr:\n%s", run.stderr.String())
	}
	start := time.Now()
	if !cliWaitFor(run, 10*time.Second, func() bool { _, _, ok := checkpointed(out + ".partial"); return ok }) || run.exited() {
		t.Fatalf("no checkpoint before the run ended; stderr:\n%s", run.stderr.String())
	}
	// A second of simulation, plus start-up on a busy machine.
	if took := time.Since(start); took > 4*time.Second {
		t.Errorf("the first checkpoint came %v after the run started, want about a second", took)
	}
	run.cmd.Process.Signal(syscall.SIGKILL)
	run.wait(t, 10*time.Second)
	done := checkPartial(t, out+".partial", 2500, 5, false)
	r := cliExec(t, tmp, "run", "--resume", out, "--no-plots")
	if r.code != 0 || !strings.Contains(r.stderr, "resuming") {
		t.Fatalf("resume after kill -9 past the first checkpoint:\n%s", r)
	}
	t.Logf("killed with %d replications checkpointed", done)
}

// TestCLISIGINTAfterSimulation: a signal while plots and the report are
// drawn (every replication already simulated) exits 130 within the usual
// bound, keeps every replication, leaves the previous result whole, and
// --resume only finishes the writing.
func TestCLISIGINTAfterSimulation(t *testing.T) {
	example := cliScenario(t, "example")
	tmp := t.TempDir()
	const reps = 20000
	n := strconv.Itoa(reps)
	cliMust(t, "run", example, "-n", n, "--no-plots", "-q", "--out", filepath.Join(tmp, "ref"))
	out := filepath.Join(tmp, "out")
	cliMust(t, "run", example, "-n", "10", "--no-plots", "-q", "--out", out)
	previous := cliDirState(t, out)

	run := cliStart(t, tmp, "run", example, "-n", n, "--out", out)
	waitAllCheckpointed(t, run, out+".partial", reps)
	code, took := run.signalAndTime(t, os.Interrupt)
	if code != 130 {
		t.Fatalf("SIGINT after the simulation: exit %d, want 130\nstderr:\n%s", code, run.stderr.String())
	}
	if took > maxStop {
		t.Errorf("SIGINT after the simulation: took %v to stop, want at most %v", took, maxStop)
	}
	if msg := run.stderr.String(); !strings.Contains(msg, "all 20000 replications are saved") || !strings.Contains(msg, "--resume") {
		t.Errorf("the message does not say everything is saved and how to finish:\n%s", msg)
	}
	cliSameState(t, "the previous result after SIGINT in the plots", previous, cliDirState(t, out))
	r := cliExec(t, tmp, "run", "--resume", out, "-q")
	if r.code != 0 {
		t.Fatalf("resume to finish the plots:\n%s", r)
	}
	cliSameFiles(t, filepath.Join(tmp, "ref"), out, "summary.json", "replications.csv")
	for _, f := range []string{"report.html", "recovery_cdf.svg", "timeline.png"} {
		if !cliExists(filepath.Join(out, f)) {
			t.Errorf("no %s after the resume", f)
		}
	}
}

// TestCLISIGINTInBudget: a signal while compare --budget simulates its
// chosen portfolio keeps the finished comparison's replications; resume
// completes it with the budget choice.
func TestCLISIGINTInBudget(t *testing.T) {
	invest := cliScenario(t, "invest")
	tmp := t.TempDir()
	const reps = 6000
	args := []string{"compare", invest, "--options", "cheap-ctl,drills", "--budget", "1e6", "-n", strconv.Itoa(reps), "--no-plots", "-q"}
	cliMust(t, append(args, "--out", filepath.Join(tmp, "ref"))...)
	out := filepath.Join(tmp, "out")
	run := cliStart(t, tmp, append(args, "--out", out)...)
	waitAllCheckpointed(t, run, out+".partial", reps)
	if code, took := run.signalAndTime(t, os.Interrupt); code != 130 || took > maxStop {
		t.Fatalf("SIGINT in the budget phase: exit %d after %v, want 130 within %v\nstderr:\n%s", code, took, maxStop, run.stderr.String())
	}
	if done, complete, _ := checkpointed(out + ".partial"); done != reps || complete {
		t.Fatalf("after SIGINT in the budget phase the checkpoint holds %d (complete %v), want all %d", done, complete, reps)
	}
	r := cliExec(t, tmp, "compare", "--resume", out, "--no-plots", "-q")
	if r.code != 0 {
		t.Fatalf("resume of the budget phase:\n%s", r)
	}
	a, _ := readCompare(t, filepath.Join(tmp, "ref"))
	b, _ := readCompare(t, out)
	if a.BudgetChoice == nil || b.BudgetChoice == nil || b.BudgetChoice.ALE == nil || *a.BudgetChoice.ALE != *b.BudgetChoice.ALE {
		t.Errorf("resumed budget choice %+v, uninterrupted %+v", b.BudgetChoice, a.BudgetChoice)
	}
	cliSameFiles(t, filepath.Join(tmp, "ref"), out, "summary.json", "replications.csv")
}

// TestCLISIGINTInMerge: merge honours SIGINT: exit 130 at once, nothing
// written, the shards and the previous merged result untouched.
func TestCLISIGINTInMerge(t *testing.T) {
	example := cliScenario(t, "example")
	tmp := t.TempDir()
	s0, s1, out := filepath.Join(tmp, "s0"), filepath.Join(tmp, "s1"), filepath.Join(tmp, "merged")
	cliMust(t, "run", example, "-n", "40000", "--shard", "0/2", "--no-plots", "-q", "--out", s0)
	cliMust(t, "run", example, "-n", "40000", "--shard", "1/2", "--no-plots", "-q", "--out", s1)
	cliMust(t, "merge", s0, s1, "--no-plots", "-q", "--out", out)
	previous, shard0 := cliDirState(t, out), cliDirState(t, s0)
	run := cliStart(t, tmp, "merge", s0, s1, "-q", "--out", out)
	if !cliWaitFor(run, 30*time.Second, func() bool { return cliExists(out + ".partial") }) || run.exited() {
		t.Fatalf("the merge ended before it could be interrupted (exit %d)\nstderr:\n%s", run.code, run.stderr.String())
	}
	code, took := run.signalAndTime(t, os.Interrupt)
	if code != 130 || took > maxStop {
		t.Fatalf("SIGINT in merge: exit %d after %v, want 130 within %v\nstderr:\n%s", code, took, maxStop, run.stderr.String())
	}
	if cliExists(out + ".partial") {
		t.Error("an interrupted merge left merged.partial")
	}
	cliSameState(t, "the previous merged result", previous, cliDirState(t, out))
	cliSameState(t, "shard 0", shard0, cliDirState(t, s0))
}

// TestCLIDiskFull: when the disk fills (here: a file-size limit), the run
// fails saying the last checkpoint can be resumed, and once there is room
// it resumes to the uninterrupted result. A --resume while a run is still
// going says so.
func TestCLIDiskFull(t *testing.T) {
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("no sh")
	}
	slow := cliScenario(t, "slow")
	tmp := t.TempDir()
	cliMust(t, "run", slow, "-n", "2500", "--workers", "1", "--no-plots", "-q", "--out", filepath.Join(tmp, "ref"))
	out := filepath.Join(tmp, "out")
	// 400 KB: the first checkpoint (~500 replications, ~300 KB) fits,
	// the whole run (~1.5 MB) does not.
	cmd := exec.Command("sh", "-c", `ulimit -f 800 && exec "$0" "$@"`, cliBinary(t), "run", slow, "-n", "2500", "--workers", "1", "--no-plots", "-q", "--out", out)
	cmd.Dir = tmp
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Meanwhile, a resume says the run is still going.
	if cliWaitFor(nil, 10*time.Second, func() bool { return cliExists(out + ".partial") }) {
		if r := cliRun(t, "run", "--resume", out, "-q"); r.code != 2 || !strings.Contains(r.stderr, "still going") {
			t.Errorf("--resume of a run still going:\n%s", r)
		}
	}
	err := cmd.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 1 {
		t.Fatalf("run into a full disk: %v, want exit 1\nstderr:\n%s", err, stderr.String())
	}
	if msg := stderr.String(); !strings.Contains(msg, "is intact") || !strings.Contains(msg, "--resume "+out) {
		t.Errorf("the error does not say the last checkpoint can be resumed:\n%s", msg)
	}
	r := cliExec(t, tmp, "run", "--resume", out, "--no-plots", "-q")
	if r.code != 0 {
		t.Fatalf("resume once there is room:\n%s", r)
	}
	cliSameFiles(t, filepath.Join(tmp, "ref"), out, "summary.json", "replications.csv")
}

// TestCLIReportCleansStaleTemps: a report or plot killed mid-write leaves
// a temporary file; the next report into the directory removes it, and
// writes its own through the same atomic, fsynced path.
func TestCLIReportCleansStaleTemps(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	cliMust(t, "run", cliScenario(t, "example"), "-n", "50", "-q", "--out", out)
	stale := []string{".report.html.tmp-123", ".timeline.svg.tmp-9"}
	for _, f := range stale {
		os.WriteFile(filepath.Join(out, f), []byte("half"), 0o644)
	}
	cliMust(t, "report", out)
	for _, f := range stale {
		if cliExists(filepath.Join(out, f)) {
			t.Errorf("%s left after dcsim report", f)
		}
	}
	if !cliExists(filepath.Join(out, "report.html")) {
		t.Error("no report.html")
	}
}

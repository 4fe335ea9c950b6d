package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The interrupt tests run testdata/slow.toml, about 2 ms of CPU per
// replication, with --workers 1 so that the uninterrupted reference run
// can go on at the same time on the other core. Every run's seed is the
// scenario's.

// interruptReps is the size of the interrupted runs: with one worker they
// last about 10 s on an idle 2-core machine, long enough for a resumed run
// to reach its first periodic checkpoint (5 s) with room to spare.
const interruptReps = 5000

// maxStop is how long a signalled run may take to save and exit.
const maxStop = 2 * time.Second

// checkPartial checks what a checkpoint or an interrupted run left in
// staging (OUT.partial) against the contract and returns how many
// replications it holds.
// checkPartial checks an interrupted run's staging directory; saved says
// the run saved on its way out (a signal), so summary.json must be there
// too — a periodic checkpoint (what kill -9 leaves) writes none.
func checkPartial(t *testing.T, staging string, reps, services int, saved bool) (done int) {
	t.Helper()
	m := cliManifest(t, staging)
	if m["complete"] != false || m["finished"] != nil {
		t.Errorf("%s/manifest.json: complete %v finished %v, want false and null", staging, m["complete"], m["finished"])
	}
	done = int(m["replications_done"].(float64))
	if m["first_replication"] != float64(0) || m["end_replication"] != float64(done) || m["replications"] != float64(reps) {
		t.Errorf("%s/manifest.json: range [%v, %v) done %v of %v, want [0, %d) of %d", staging, m["first_replication"], m["end_replication"], done, m["replications"], done, reps)
	}
	if done <= 0 || done >= reps {
		t.Fatalf("%s: replications_done %d, want some but not all of %d", staging, done, reps)
	}
	rows := cliReadCSV(t, filepath.Join(staging, "replications.csv"))
	if want := 1 + done*services; len(rows) != want {
		t.Errorf("%s/replications.csv: %d rows, want %d for %d replications", staging, len(rows), want, done)
	} else if last := rows[len(rows)-1]; last[0] != strconv.Itoa(done-1) {
		t.Errorf("%s/replications.csv ends with replication %s, want %d", staging, last[0], done-1)
	}
	rows = cliReadCSV(t, filepath.Join(staging, "overall.csv"))
	if len(rows) != 1+done || rows[len(rows)-1][0] != strconv.Itoa(done-1) {
		t.Errorf("%s/overall.csv: %d rows ending with replication %s, want %d ending with %d", staging, len(rows), rows[len(rows)-1][0], 1+done, done-1)
	}
	var sum struct {
		Variants []struct {
			Overall map[string]struct{ N int } `json:"overall"`
		} `json:"variants"`
	}
	if !saved && !cliExists(filepath.Join(staging, "summary.json")) {
		return done
	}
	if err := json.Unmarshal(cliReadFile(t, filepath.Join(staging, "summary.json")), &sum); err != nil {
		t.Fatal(err)
	}
	if n := sum.Variants[0].Overall["loss"].N; n != done {
		t.Errorf("%s/summary.json: n = %d, want %d", staging, n, done)
	}
	return done
}

// TestCLIInterruptResume interrupts a run with SIGINT, resumes it, kills
// the resumed run with SIGKILL after a periodic checkpoint, resumes again,
// and requires the final files to equal an uninterrupted run's, byte for
// byte; a previous complete result in OUT must survive untouched until the
// end.
func TestCLIInterruptResume(t *testing.T) {
	slow := cliScenario(t, "slow")
	tmp := t.TempDir()
	n := strconv.Itoa(interruptReps)
	ref := cliStart(t, tmp, "run", slow, "-n", n, "--workers", "1", "--no-plots", "-q", "--out", "ref")

	// A previous complete result in OUT.
	out := filepath.Join(tmp, "out")
	cliMust(t, "run", slow, "-n", "20", "--no-plots", "-q", "--out", out)
	previous := cliDirState(t, out)

	// 1. SIGINT shortly after the run started.
	run := cliStart(t, tmp, "run", slow, "-n", n, "--workers", "1", "--no-plots", "-q", "--out", "out")
	if !cliWaitFor(run, 30*time.Second, func() bool { return cliExists(out + ".partial") }) {
		t.Fatalf("no out.partial appeared; stderr:\n%s", run.stderr.String())
	}
	time.Sleep(700 * time.Millisecond)
	if run.exited() {
		t.Fatalf("the run ended before it was interrupted: make interruptReps bigger\nstderr:\n%s", run.stderr.String())
	}
	code, took := run.signalAndTime(t, os.Interrupt)
	t.Logf("SIGINT: exit %d after %v", code, took)
	if code != 130 || run.signal != "" {
		t.Fatalf("SIGINT: exit %d (signal %q), want 130\nstderr:\n%s", code, run.signal, run.stderr.String())
	}
	if took > maxStop {
		t.Errorf("SIGINT: the run took %v to stop, want at most %v", took, maxStop)
	}
	done1 := checkPartial(t, out+".partial", interruptReps, 5, true)
	started := cliManifest(t, out+".partial")["started"]
	cliSameState(t, "the previous result in OUT after SIGINT", previous, cliDirState(t, out))

	// A fresh run into the same --out refuses to throw the partial run away.
	if r := cliRun(t, "run", slow, "-n", n, "--no-plots", "-q", "--out", out); r.code != 2 || !strings.Contains(r.stderr, "resume") {
		t.Errorf("a fresh run over an interrupted one: want exit 2 suggesting resume:\n%s", r)
	}

	// 2. Resume; SIGKILL it right after its first periodic checkpoint.
	resume := cliStart(t, tmp, "run", "--resume", "out", "--workers", "1", "--no-plots", "-q")
	time.Sleep(300 * time.Millisecond)
	if !resume.exited() {
		// While it runs, nothing else may write into the same --out.
		for _, args := range [][]string{
			{"run", "--resume", out, "-q", "--no-plots"},
			{"run", slow, "-n", "10", "--force", "-q", "--no-plots", "--out", out},
		} {
			if r := cliRun(t, args...); r.code != 2 {
				t.Errorf("while a resume is running: want exit 2:\n%s", r)
			}
		}
	}
	var done2 int
	checkpointed := cliWaitFor(resume, 60*time.Second, func() bool {
		b, err := os.ReadFile(filepath.Join(out+".partial", "manifest.json"))
		var m struct {
			Done int `json:"replications_done"`
		}
		if err == nil && json.Unmarshal(b, &m) == nil && m.Done > done1 {
			done2 = m.Done
			return true
		}
		return false
	})
	if !checkpointed || resume.exited() {
		t.Fatalf("the resumed run ended (exit %d) before its first checkpoint: make interruptReps bigger\nstderr:\n%s", resume.code, resume.stderr.String())
	}
	if err := resume.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	resume.wait(t, 10*time.Second)
	if resume.signal != "killed" {
		t.Errorf("SIGKILL: the resumed run ended by %q with exit %d", resume.signal, resume.code)
	}
	t.Logf("interrupted at %d, checkpointed at %d of %d, killed", done1, done2, interruptReps)
	if got := checkPartial(t, out+".partial", interruptReps, 5, false); got < done2 {
		t.Errorf("after kill -9 the checkpoint holds %d replications, want at least %d", got, done2)
	}
	cliSameState(t, "the previous result in OUT after kill -9", previous, cliDirState(t, out))

	// 3. Resume to the end, with another worker count.
	final := cliStart(t, tmp, "run", "--resume", "out", "--workers", "2", "--no-plots")
	if code := final.wait(t, 120*time.Second); code != 0 {
		t.Fatalf("final resume: exit %d\nstderr:\n%s", code, final.stderr.String())
	}
	if !strings.Contains(final.stderr.String(), "resuming") {
		t.Errorf("the resumed run does not say where it resumes:\n%s", final.stderr.String())
	}
	if code := ref.wait(t, 120*time.Second); code != 0 {
		t.Fatalf("reference run: exit %d\nstderr:\n%s", code, ref.stderr.String())
	}
	cliSameFiles(t, filepath.Join(tmp, "ref"), out, "summary.json", "replications.csv", "overall.csv", "slow.toml")
	if cliExists(out+".partial") || cliExists(out+".old") {
		t.Error("out.partial or out.old left after the resumed run finished")
	}
	m := cliManifest(t, out)
	if m["complete"] != true || m["replications_done"] != float64(interruptReps) || m["finished"] == nil {
		t.Errorf("final manifest: complete %v done %v finished %v", m["complete"], m["replications_done"], m["finished"])
	}
	if m["started"] != started {
		t.Errorf("final manifest: started %v, want the interrupted run's %v (kept across resumes)", m["started"], started)
	}
}

// TestCLISIGTERM: SIGTERM saves partial results like SIGINT but exits 143;
// a resume must keep the run's settings.
func TestCLISIGTERM(t *testing.T) {
	slow := cliScenario(t, "slow")
	tmp := t.TempDir()
	out := filepath.Join(tmp, "out")
	run := cliStart(t, tmp, "run", slow, "-n", strconv.Itoa(interruptReps), "--workers", "1", "--seed", "99", "--no-plots", "-q", "--out", "out")
	if !cliWaitFor(run, 30*time.Second, func() bool { return cliExists(out + ".partial") }) {
		t.Fatalf("no out.partial appeared; stderr:\n%s", run.stderr.String())
	}
	time.Sleep(500 * time.Millisecond)
	code, took := run.signalAndTime(t, syscall.SIGTERM)
	t.Logf("SIGTERM: exit %d after %v", code, took)
	if code != 143 || run.signal != "" {
		t.Fatalf("SIGTERM: exit %d (signal %q), want 143\nstderr:\n%s", code, run.signal, run.stderr.String())
	}
	if took > maxStop {
		t.Errorf("SIGTERM: the run took %v to stop, want at most %v", took, maxStop)
	}
	checkPartial(t, out+".partial", interruptReps, 5, true)
	if m := cliManifest(t, out+".partial"); m["seed"] != float64(99) {
		t.Errorf("partial manifest seed %v, want 99", m["seed"])
	}
	if cliExists(out) {
		t.Error("an interrupted first run created OUT")
	}
	before := cliDirState(t, out+".partial")

	// Settings that fix the results cannot change on resume.
	// (Processes, not cliRun: a refused resume may still hold the lock.)
	for _, c := range []struct{ flag, value string }{
		{"--seed", "1"}, {"--replications", "10"}, {"--shard", "0/2"}, {"--out", filepath.Join(tmp, "elsewhere")},
	} {
		if r := cliExec(t, tmp, "run", "--resume", out, c.flag, c.value); r.code != 2 || !strings.Contains(r.stderr, c.flag) {
			t.Errorf("want exit 2 naming %s:\n%s", c.flag, r)
		}
	}
	// Nor can the scenario.
	edited := filepath.Join(tmp, "edited.toml")
	src := strings.Replace(string(cliReadFile(t, slow)), "restore_crews = 2", "restore_crews = 3", 1)
	os.WriteFile(edited, []byte(src), 0o644)
	if r := cliExec(t, tmp, "run", "--resume", out, edited); r.code != 2 || !strings.Contains(r.stderr, "sha256") && !strings.Contains(r.stderr, "SHA-256") {
		t.Errorf("resume with an edited scenario: want exit 2 naming the SHA-256:\n%s", r)
	}
	cliSameState(t, "refused resumes", before, cliDirState(t, out+".partial"))

	// --force discards the interrupted run and starts afresh.
	if r := cliExec(t, tmp, "run", slow, "-n", "20", "--force", "--no-plots", "-q", "--out", out); r.code != 0 {
		t.Fatalf("run --force over an interrupted run:\n%s", r)
	}
	if m := cliManifest(t, out); m["replications"] != float64(20) || m["seed"] != float64(7) || cliExists(out+".partial") {
		t.Errorf("after run --force: replications %v seed %v, partial left %v", m["replications"], m["seed"], cliExists(out+".partial"))
	}
}

// TestCLIResumeWorkersZero: "run --resume DIR --workers 0" must be refused
// like "run --workers 0".
func TestCLIResumeWorkersZero(t *testing.T) {
	slow := cliScenario(t, "slow")
	tmp := t.TempDir()
	out := filepath.Join(tmp, "out")
	run := cliStart(t, tmp, "run", slow, "-n", strconv.Itoa(interruptReps), "--workers", "1", "--no-plots", "-q", "--out", "out")
	if !cliWaitFor(run, 30*time.Second, func() bool { return cliExists(out + ".partial") }) {
		t.Fatalf("no out.partial appeared; stderr:\n%s", run.stderr.String())
	}
	time.Sleep(300 * time.Millisecond)
	if code, _ := run.signalAndTime(t, os.Interrupt); code != 130 {
		t.Fatalf("SIGINT: exit %d", code)
	}
	// Run it as a process with a deadline: if the bad value is accepted
	// the resume goes on with all cores.
	p := cliStart(t, tmp, "run", "--resume", "out", "--workers", "0", "-q", "--no-plots")
	select {
	case <-p.done:
	case <-time.After(2 * time.Second):
		p.cmd.Process.Signal(os.Interrupt)
		p.wait(t, 10*time.Second)
		t.Fatalf("bug: run --resume --workers 0 was accepted (run.go resumeAction does not check --workers as specFromFlags does); manifest workers = %v",
			cliManifest(t, out+".partial")["workers"])
	}
	if p.code != 2 || !strings.Contains(p.stderr.String(), "--workers") {
		t.Errorf("run --resume --workers 0: exit %d, want 2 naming --workers\nstderr:\n%s", p.code, p.stderr.String())
	}
}

// TestCLIInterruptMessage: an interrupted run says where its partial
// results are and how to continue.
func TestCLIInterruptMessage(t *testing.T) {
	slow := cliScenario(t, "slow")
	tmp := t.TempDir()
	run := cliStart(t, tmp, "run", slow, "-n", strconv.Itoa(interruptReps), "--workers", "1", "--no-plots", "--out", "out")
	if !cliWaitFor(run, 30*time.Second, func() bool { return cliExists(filepath.Join(tmp, "out.partial")) }) {
		t.Fatalf("no out.partial appeared; stderr:\n%s", run.stderr.String())
	}
	time.Sleep(300 * time.Millisecond)
	if code, _ := run.signalAndTime(t, os.Interrupt); code != 130 {
		t.Fatalf("SIGINT: exit %d", code)
	}
	msg := run.stderr.String()
	for _, w := range []string{"out.partial", "dcsim run --resume out"} {
		if !strings.Contains(msg, w) {
			t.Errorf("bug: after SIGINT stderr does not mention %q (main.go mainCode prints nothing for exit 130/143, so the message run.go execute builds with interruptedError is lost); stderr:\n%q", w, msg)
		}
	}
}

// TestCLIKilledBeforeCheckpoint: a run killed before its first checkpoint
// leaves nothing to resume; resume says so, and a fresh run starts over
// without --force. The previous result in OUT survives.
func TestCLIKilledBeforeCheckpoint(t *testing.T) {
	slow := cliScenario(t, "slow")
	tmp := t.TempDir()
	out := filepath.Join(tmp, "out")
	cliMust(t, "run", slow, "-n", "20", "--no-plots", "-q", "--out", out)
	previous := cliDirState(t, out)
	run := cliStart(t, tmp, "run", slow, "-n", strconv.Itoa(interruptReps), "--workers", "1", "--no-plots", "-q", "--out", "out")
	if !cliWaitFor(run, 30*time.Second, func() bool { return cliExists(out + ".partial") }) {
		t.Fatalf("no out.partial appeared; stderr:\n%s", run.stderr.String())
	}
	time.Sleep(300 * time.Millisecond)
	run.cmd.Process.Signal(syscall.SIGKILL)
	run.wait(t, 10*time.Second)
	cliSameState(t, "the previous result after kill -9", previous, cliDirState(t, out))

	r := cliRun(t, "run", "--resume", out)
	if r.code != 2 {
		t.Fatalf("resume without a checkpoint: want exit 2:\n%s", r)
	}
	if !strings.Contains(r.stderr, "out.partial") || !strings.Contains(r.stderr, "afresh") {
		t.Errorf("bug: resume after a kill before the first checkpoint, with a previous result in OUT, should say that out.partial has no checkpoint (start afresh); model/results/dir.go OpenResume looks at OUT's complete manifest first and says there is nothing to resume:\n%s", r)
	}
	cliMust(t, "run", slow, "-n", "30", "--no-plots", "-q", "--out", out)
	if m := cliManifest(t, out); m["replications"] != float64(30) || m["complete"] != true {
		t.Errorf("fresh run after kill -9: manifest %v", m)
	}
}

// TestCLICompareInterruptResume: an interrupted compare exits 130 and
// "compare --resume" finishes with the files of an uninterrupted compare.
func TestCLICompareInterruptResume(t *testing.T) {
	slow := cliScenario(t, "slow")
	tmp := t.TempDir()
	const reps = 600 // × 3 variants: about 4 s with one worker
	n := strconv.Itoa(reps)
	args := []string{"compare", slow, "--all", "-n", n, "--budget", "150000", "--years", "8", "--workers", "1", "--no-plots", "-q"}
	ref := cliStart(t, tmp, append(args, "--out", "ref")...)
	run := cliStart(t, tmp, append(args, "--out", "out")...)
	out := filepath.Join(tmp, "out")
	if !cliWaitFor(run, 30*time.Second, func() bool { return cliExists(out + ".partial") }) {
		t.Fatalf("no out.partial appeared; stderr:\n%s", run.stderr.String())
	}
	time.Sleep(700 * time.Millisecond)
	if run.exited() {
		t.Fatalf("the compare ended before it was interrupted\nstderr:\n%s", run.stderr.String())
	}
	code, took := run.signalAndTime(t, os.Interrupt)
	t.Logf("SIGINT: exit %d after %v", code, took)
	if code != 130 {
		t.Fatalf("SIGINT: exit %d, want 130\nstderr:\n%s", code, run.stderr.String())
	}
	if took > maxStop {
		t.Errorf("SIGINT: compare took %v to stop", took)
	}
	m := cliManifest(t, out+".partial")
	if m["command"] != "compare" || m["complete"] != false {
		t.Errorf("partial manifest: command %v complete %v", m["command"], m["complete"])
	}
	if vs, _ := m["variants"].([]any); len(vs) != 3 {
		t.Errorf("partial manifest variants %v, want 3", m["variants"])
	}
	done := int(m["replications_done"].(float64))
	rows := cliReadCSV(t, filepath.Join(out+".partial", "replications.csv"))
	if done <= 0 || len(rows) != 1+done*3*5 {
		t.Errorf("partial compare: %d done, %d rows", done, len(rows))
	}
	if cliExists(filepath.Join(out+".partial", "compare.json")) {
		t.Error("an interrupted compare wrote compare.json")
	}

	// The options must come from the manifest, not from flags again.
	res := cliStart(t, tmp, "compare", "--resume", "out", "--workers", "1", "--no-plots", "-q")
	if code := res.wait(t, 120*time.Second); code != 0 {
		t.Fatalf("compare --resume: exit %d\nstderr:\n%s", code, res.stderr.String())
	}
	if code := ref.wait(t, 120*time.Second); code != 0 {
		t.Fatalf("reference compare: exit %d\nstderr:\n%s", code, ref.stderr.String())
	}
	cliSameFiles(t, filepath.Join(tmp, "ref"), out, "summary.json", "replications.csv", "overall.csv", "compare.csv")
	// compare.json names the tool's version; everything else must match.
	var a, b map[string]any
	json.Unmarshal(cliReadFile(t, filepath.Join(tmp, "ref", "compare.json")), &a)
	json.Unmarshal(cliReadFile(t, filepath.Join(out, "compare.json")), &b)
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	if string(ja) != string(jb) {
		t.Errorf("compare.json of the resumed compare differs from the uninterrupted one")
	}
	if b["budget_choice"] == nil || b["years"] != float64(8) {
		t.Errorf("resumed compare lost its options: budget_choice %v years %v", b["budget_choice"], b["years"])
	}
}

// interruptEarly starts dcsim with args in dir, interrupts it with SIGINT
// shortly after out.partial appears, and requires exit 130.
func interruptEarly(t *testing.T, dir, out string, args ...string) {
	t.Helper()
	run := cliStart(t, dir, args...)
	if !cliWaitFor(run, 30*time.Second, func() bool { return cliExists(out + ".partial") }) {
		t.Fatalf("no %s.partial appeared; stderr:\n%s", out, run.stderr.String())
	}
	time.Sleep(300 * time.Millisecond)
	if run.exited() {
		t.Fatalf("dcsim %s ended before it was interrupted\nstderr:\n%s", strings.Join(args, " "), run.stderr.String())
	}
	if code, _ := run.signalAndTime(t, os.Interrupt); code != 130 {
		t.Fatalf("SIGINT: exit %d, want 130\nstderr:\n%s", code, run.stderr.String())
	}
}

// TestCLIResumeShard: an interrupted shard resumes within its range and
// merges with the other shard into the unsharded run's files.
func TestCLIResumeShard(t *testing.T) {
	slow := cliScenario(t, "slow")
	tmp := t.TempDir()
	const reps = "1200"
	whole := cliStart(t, tmp, "run", slow, "-n", reps, "--workers", "1", "--no-plots", "-q", "--out", "whole")
	interruptEarly(t, tmp, filepath.Join(tmp, "s1"), "run", slow, "-n", reps, "--shard", "1/2", "--workers", "1", "--no-plots", "-q", "--out", "s1")
	m := cliManifest(t, filepath.Join(tmp, "s1.partial"))
	if m["shard"] != "1/2" || m["first_replication"] != float64(600) || m["complete"] != false {
		t.Errorf("interrupted shard manifest: shard %v first %v complete %v", m["shard"], m["first_replication"], m["complete"])
	}
	if r := cliExec(t, tmp, "run", "--resume", "s1", "--workers", "1", "--no-plots", "-q"); r.code != 0 {
		t.Fatalf("resume of the shard:\n%s", r)
	}
	if m := cliManifest(t, filepath.Join(tmp, "s1")); m["first_replication"] != float64(600) || m["end_replication"] != float64(1200) || m["complete"] != true {
		t.Errorf("resumed shard manifest: [%v, %v) complete %v", m["first_replication"], m["end_replication"], m["complete"])
	}
	cliMust(t, "run", slow, "-n", reps, "--shard", "0/2", "--no-plots", "-q", "--out", filepath.Join(tmp, "s0"))
	cliMust(t, "merge", filepath.Join(tmp, "s1"), filepath.Join(tmp, "s0"), "-q", "--out", filepath.Join(tmp, "merged"))
	if code := whole.wait(t, time.Minute); code != 0 {
		t.Fatalf("unsharded run: exit %d\n%s", code, whole.stderr.String())
	}
	cliSameFiles(t, filepath.Join(tmp, "whole"), filepath.Join(tmp, "merged"), "summary.json", "replications.csv", "overall.csv")
}

// TestCLIResumeKeepsParquet: a run started with --parquet and resumed
// without repeating it ends with replications.parquet, identical to an
// uninterrupted run's ("the run keeps the settings it started with").
func TestCLIResumeKeepsParquet(t *testing.T) {
	slow := cliScenario(t, "slow")
	tmp := t.TempDir()
	const reps = "800"
	ref := cliStart(t, tmp, "run", slow, "-n", reps, "--parquet", "--workers", "1", "--no-plots", "-q", "--out", "ref")
	interruptEarly(t, tmp, filepath.Join(tmp, "out"), "run", slow, "-n", reps, "--parquet", "--workers", "1", "--no-plots", "-q", "--out", "out")
	if r := cliExec(t, tmp, "run", "--resume", "out", "--no-plots", "-q"); r.code != 0 {
		t.Fatalf("resume:\n%s", r)
	}
	if code := ref.wait(t, time.Minute); code != 0 {
		t.Fatalf("reference run: exit %d\n%s", code, ref.stderr.String())
	}
	cliSameFiles(t, filepath.Join(tmp, "ref"), filepath.Join(tmp, "out"), "summary.json", "replications.csv", "overall.csv")
	if !cliExists(filepath.Join(tmp, "out", "replications.parquet")) {
		t.Fatal("bug: a run started with --parquet and resumed without it has no replications.parquet (the manifest does not record --parquet; run.go resumeAction takes it from the resume's flags only)")
	}
	cliSameFiles(t, filepath.Join(tmp, "ref"), filepath.Join(tmp, "out"), "replications.parquet", "overall.parquet")
}

// TestCLIEarlyCheckpointAndDoubleSIGINT checks the guarantees around
// signals: the first checkpoint comes about a second into the simulation,
// so a kill -9 then loses at most that; the first SIGINT says what it is
// saving and how to skip it; a second SIGINT right after exits at once but
// never loses what the last checkpoint holds — the run resumes to the same
// files as an uninterrupted one.
func TestCLIEarlyCheckpointAndDoubleSIGINT(t *testing.T) {
	slow := cliScenario(t, "slow")
	tmp := t.TempDir()
	n := strconv.Itoa(interruptReps)
	cliMust(t, "run", slow, "-n", n, "--workers", "1", "--no-plots", "-q", "--out", filepath.Join(tmp, "ref"))

	// kill -9 after the first (early) checkpoint.
	out := filepath.Join(tmp, "killed")
	run := cliStart(t, tmp, "run", slow, "-n", n, "--workers", "1", "--no-plots", "-q", "--out", "killed")
	start := time.Now()
	if !cliWaitFor(run, 30*time.Second, func() bool { return cliExists(filepath.Join(out+".partial", "manifest.json")) }) {
		t.Fatalf("no checkpoint appeared; stderr:\n%s", run.stderr.String())
	}
	if took := time.Since(start); took > 10*time.Second {
		t.Errorf("the first checkpoint took %v; it should come about a second into the simulation", took)
	}
	if run.exited() {
		t.Fatalf("the run ended before it was killed: make interruptReps bigger")
	}
	run.cmd.Process.Signal(syscall.SIGKILL)
	run.wait(t, 10*time.Second)
	checkPartial(t, out+".partial", interruptReps, 5, false)
	cliMust(t, "run", "--resume", out, "-q")
	cliSameFiles(t, filepath.Join(tmp, "ref"), out, "summary.json", "replications.csv", "overall.csv")

	// Two SIGINTs in a row, the second 0, 20 and 300 ms after the first.
	for _, gap := range []time.Duration{0, 20 * time.Millisecond, 300 * time.Millisecond} {
		name := fmt.Sprintf("twice-%d", gap.Milliseconds())
		out2 := filepath.Join(tmp, name)
		run = cliStart(t, tmp, "run", slow, "-n", n, "--workers", "1", "--no-plots", "-q", "--out", name)
		if !cliWaitFor(run, 30*time.Second, func() bool { return cliExists(filepath.Join(out2+".partial", "manifest.json")) }) {
			t.Fatalf("no checkpoint appeared; stderr:\n%s", run.stderr.String())
		}
		run.cmd.Process.Signal(os.Interrupt)
		time.Sleep(gap)
		run.cmd.Process.Signal(os.Interrupt)
		if code := run.wait(t, 10*time.Second); code != 130 {
			t.Errorf("SIGINT, then another %v later: exit %d, want 130", gap, code)
		}
		if msg := run.stderr.String(); !strings.Contains(msg, "saving") || !strings.Contains(msg, "press Ctrl-C again") {
			t.Errorf("the first SIGINT did not say what it does:\n%s", msg)
		}
		cliMust(t, "run", "--resume", out2, "-q")
		cliSameFiles(t, filepath.Join(tmp, "ref"), out2, "summary.json", "replications.csv", "overall.csv")
	}
}

// TestCLISignalAfterTheSimulation interrupts a comparison once every
// replication is done — in the budget search's extra simulation and the
// writing that follows — and checks that nothing finished is lost: the
// checkpoint holds every replication, and --resume redoes only what follows
// the simulation, ending with the same compare.json as an uninterrupted run.
func TestCLISignalAfterTheSimulation(t *testing.T) {
	invest := cliScenario(t, "invest")
	tmp := t.TempDir()
	const reps = 20000
	n := strconv.Itoa(reps)
	args := []string{"compare", invest, "--all", "-n", n, "--budget", "100000", "--workers", "1", "--no-plots", "-q"}
	cliMust(t, append(args, "--out", filepath.Join(tmp, "ref"))...)

	out := filepath.Join(tmp, "out")
	run := cliStart(t, tmp, append(args, "--out", "out")...)
	allDone := func() bool {
		b, err := os.ReadFile(filepath.Join(out+".partial", "manifest.json"))
		var m struct {
			Done int `json:"replications_done"`
		}
		return err == nil && json.Unmarshal(b, &m) == nil && m.Done == reps
	}
	if !cliWaitFor(run, 120*time.Second, allDone) {
		t.Fatalf("no checkpoint of every replication before the budget phase; exit %d, stderr:\n%s", run.code, run.stderr.String())
	}
	if run.exited() {
		t.Skip("the budget phase ended before it could be interrupted on this machine")
	}
	code, _ := run.signalAndTime(t, os.Interrupt)
	if code != 130 {
		t.Fatalf("SIGINT after the simulation: exit %d, want 130\nstderr:\n%s", code, run.stderr.String())
	}
	if msg := run.stderr.String(); !strings.Contains(msg, "all 20000 replications were saved") || !strings.Contains(msg, "--resume") {
		t.Errorf("the message does not say the replications are saved and how to resume:\n%s", msg)
	}
	cliMust(t, "compare", "--resume", out, "-q")
	cliSameFiles(t, filepath.Join(tmp, "ref"), out, "compare.json", "summary.json", "replications.csv", "overall.csv")
}

// TestCLISignalWhilePlotting interrupts a run once its replications are
// all done, while it draws the plots and the report: it exits 130 saying
// nothing is lost, and --resume finishes with the same files as an
// uninterrupted run, plots and report included.
func TestCLISignalWhilePlotting(t *testing.T) {
	kakao := cliScenario(t, "kakao-2022")
	tmp := t.TempDir()
	const reps = 3000
	n := strconv.Itoa(reps)
	args := []string{"run", kakao, "-n", n, "--workers", "2", "-q"}
	cliMust(t, append(args, "--no-plots", "--out", filepath.Join(tmp, "ref"))...)
	out := filepath.Join(tmp, "out")
	// Held in the plotting phase (holdPhaseEnv) once it has said so: a
	// run of 3,000 replications can otherwise be over between two polls.
	run := startHeld(t, tmp, "writing results and drawing plots", "run", kakao, "-n", n, "--workers", "2", "--out", "out")
	code, took := run.signalAndTime(t, os.Interrupt)
	if code != 130 {
		t.Fatalf("SIGINT while plotting: exit %d after %v, want 130\nstderr:\n%s", code, took, run.stderr.String())
	}
	msg := run.stderr.String()
	switch {
	case strings.Contains(msg, "replications were saved"):
		cliMust(t, "run", "--resume", out, "-q")
	case strings.Contains(msg, "dcsim report"):
		cliMust(t, "report", out)
	default:
		t.Fatalf("the message says neither that the replications are saved nor how to write the report:\n%s", msg)
	}
	cliSameFiles(t, filepath.Join(tmp, "ref"), out, "summary.json", "replications.csv", "overall.csv")
	for _, f := range []string{"report.html", "recovery_cdf.svg", "timeline.svg"} {
		if !cliExists(filepath.Join(out, f)) {
			t.Errorf("no %s after finishing the interrupted run", f)
		}
	}
}

// TestCLIMergeSIGINT interrupts dcsim merge: it exits 130, writes nothing,
// and leaves the shards as they were.
func TestCLIMergeSIGINT(t *testing.T) {
	kakao := cliScenario(t, "kakao-2022")
	tmp := t.TempDir()
	var shards []string
	for i := range 3 {
		s := filepath.Join(tmp, fmt.Sprintf("s%d", i))
		cliMust(t, "run", kakao, "-n", "60000", "--shard", fmt.Sprintf("%d/3", i), "--no-plots", "-q", "--out", s)
		shards = append(shards, s)
	}
	before := cliDirState(t, shards[0])
	out := filepath.Join(tmp, "merged")
	run := cliStart(t, tmp, append(append([]string{"merge"}, shards...), "--out", out, "-q", "--no-plots")...)
	time.Sleep(150 * time.Millisecond)
	if run.exited() {
		t.Skip("the merge ended before it could be interrupted on this machine")
	}
	code, took := run.signalAndTime(t, os.Interrupt)
	if code != 130 {
		t.Fatalf("SIGINT during merge: exit %d after %v, want 130\nstderr:\n%s", code, took, run.stderr.String())
	}
	if took > 2*time.Second {
		t.Errorf("merge took %v to stop", took)
	}
	if cliExists(out) {
		t.Errorf("an interrupted merge wrote %s", out)
	}
	cliSameState(t, "a shard after an interrupted merge", before, cliDirState(t, shards[0]))
}

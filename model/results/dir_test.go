package results

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// testScenario writes a scenario file into a fresh temporary directory
// and returns its path.
func testScenario(t testing.TB) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "test.toml")
	if err := os.WriteFile(p, []byte("name = \"test-scenario\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// runTo performs a whole (shard) run into out the way cmd/dcsim does and
// returns the final directory.
func runTo(t testing.TB, out string, reps int, shard string, parquet bool) {
	t.Helper()
	d, err := Prepare(out, false)
	if err != nil {
		t.Fatal(err)
	}
	d.Parquet = parquet
	m := testManifest(reps, shard)
	if _, err := d.CopyInputs(&m, testScenario(t)); err != nil {
		t.Fatal(err)
	}
	lo, hi, err := m.ShardRange()
	if err != nil {
		t.Fatal(err)
	}
	c := newTestCollector(t, lo)
	fill(t, c, lo, hi)
	if err := d.Finish(&m, c, nil); err != nil {
		t.Fatal(err)
	}
}

// resultFiles are the files that must be byte-identical between two runs
// of the same replications.
var resultFiles = []string{ReplicationsFile, OverallFile, SummaryFile, "test.toml", MarkerFile}

func checkSameResults(t *testing.T, a, b string, parquet bool) {
	t.Helper()
	files := resultFiles
	if parquet {
		files = append(files, ParquetFile, OverallParquetFile)
	}
	for _, f := range files {
		checkSameFile(t, filepath.Join(a, f), filepath.Join(b, f))
	}
}

func checkNotExist(t *testing.T, p string) {
	t.Helper()
	if _, err := os.Lstat(p); err == nil {
		t.Errorf("%s exists, want it gone", p)
	}
}

// TestPrepareNeverReplacesForeign: a directory holding anything dcsim did
// not write is refused, forced or not, and left untouched; so is a dcsim
// result into which someone put a file of their own, the working
// directory and a directory holding a protected path (the scenario).
func TestPrepareNeverReplacesForeign(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	os.Mkdir(out, 0o755)
	os.WriteFile(filepath.Join(out, "thesis.tex"), []byte("years of work"), 0o644)
	for _, force := range []bool{false, true} {
		_, err := Prepare(out, force)
		if err == nil || !strings.Contains(err.Error(), out) || !strings.Contains(err.Error(), "not a dcsim results directory") {
			t.Fatalf("Prepare(force=%v) over a foreign directory: %v", force, err)
		}
		checkNotExist(t, out+StagingSuffix)
		if b, _ := os.ReadFile(filepath.Join(out, "thesis.tex")); string(b) != "years of work" {
			t.Fatal("Prepare touched the foreign directory")
		}
	}

	// A dcsim result may be replaced; once it holds a foreign file, not.
	res := filepath.Join(t.TempDir(), "res")
	d, err := Prepare(res, false)
	if err != nil {
		t.Fatal(err)
	}
	m := testManifest(5, "")
	d.CopyInputs(&m, testScenario(t))
	c := newTestCollector(t, 0)
	fill(t, c, 0, 5)
	if err := d.Finish(&m, c, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := Prepare(res, false); err != nil {
		t.Fatalf("Prepare over a dcsim directory: %v", err)
	}
	os.RemoveAll(res + StagingSuffix)
	os.WriteFile(filepath.Join(res, "notes.md"), []byte("mine"), 0o644)
	for _, force := range []bool{false, true} {
		if _, err := Prepare(res, force); err == nil || !strings.Contains(err.Error(), "notes.md") {
			t.Errorf("Prepare(force=%v) over a dcsim directory with a foreign file: %v", force, err)
		}
	}

	// The working directory, an ancestor of it, and a protected path's
	// directory.
	wd, _ := os.Getwd()
	for _, p := range []string{".", wd, filepath.Dir(wd)} {
		if _, err := Prepare(p, true); err == nil {
			t.Errorf("Prepare(%q, force) accepted the working directory or its parent", p)
		}
	}
	scen := filepath.Join(t.TempDir(), "sc", "s.toml")
	os.Mkdir(filepath.Dir(scen), 0o755)
	os.WriteFile(scen, []byte("x"), 0o644)
	if _, err := Prepare(filepath.Dir(scen), true, scen); err == nil || !strings.Contains(err.Error(), "s.toml") {
		t.Errorf("Prepare over the scenario's directory: %v", err)
	}
}

func TestCommitRefusesForeignAddedDuringRun(t *testing.T) {
	res := filepath.Join(t.TempDir(), "res")
	for i := range 2 {
		d, err := Prepare(res, false)
		if err != nil {
			t.Fatal(err)
		}
		m := testManifest(5, "")
		d.CopyInputs(&m, testScenario(t))
		c := newTestCollector(t, 0)
		fill(t, c, 0, 5)
		if i == 1 {
			os.WriteFile(filepath.Join(res, "notes.md"), []byte("mine"), 0o644)
			if err := d.Finish(&m, c, nil); err == nil {
				t.Fatal("Finish replaced a directory holding a foreign file")
			}
			if b, _ := os.ReadFile(filepath.Join(res, "notes.md")); string(b) != "mine" {
				t.Fatal("the foreign file is gone")
			}
			return
		}
		if err := d.Finish(&m, c, nil); err != nil {
			t.Fatal(err)
		}
	}
}

func TestPrepareAcceptsEmptyOrMissing(t *testing.T) {
	empty := filepath.Join(t.TempDir(), "empty")
	os.Mkdir(empty, 0o755)
	if _, err := Prepare(empty, false); err != nil {
		t.Errorf("empty directory: %v", err)
	}
	missing := filepath.Join(t.TempDir(), "a", "b", "out")
	d, err := Prepare(missing, false)
	if err != nil {
		t.Fatalf("missing directory with missing parents: %v", err)
	}
	if d.Path() != missing+StagingSuffix || !isResultsDir(d.Path()) {
		t.Errorf("staging %s, marked %v", d.Path(), isResultsDir(d.Path()))
	}
	checkNotExist(t, missing)
}

func TestPrepareUnwritableParent(t *testing.T) {
	// chmod does not stop root, so provoke the failure with a parent that
	// is a regular file.
	file := filepath.Join(t.TempDir(), "file")
	os.WriteFile(file, nil, 0o644)
	out := filepath.Join(file, "results", "out")
	_, err := Prepare(out, false)
	if err == nil || !strings.Contains(err.Error(), out) || !strings.Contains(err.Error(), "parent") {
		t.Errorf("Prepare under a regular file: %v, want an error naming %s and its parent", err, out)
	}
	_, err = Prepare(file, true)
	if err == nil || !strings.Contains(err.Error(), file+" exists and is not a directory") {
		t.Errorf("Prepare of a regular file: %v", err)
	}
	if _, err := Prepare(".", false); err == nil {
		t.Error("Prepare(\".\") succeeded; the current directory cannot be renamed into place")
	}
}

func TestInterruptKeepsPreviousResults(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	runTo(t, out, 30, "", false)
	before, _ := os.ReadFile(filepath.Join(out, SummaryFile))

	d, err := Prepare(out, false)
	if err != nil {
		t.Fatal(err)
	}
	m := testManifest(30, "")
	m.Seed = 7 // a different run
	d.CopyInputs(&m, testScenario(t))
	c := newTestCollector(t, 0)
	fill(t, c, 0, 10)
	if err := d.Checkpoint(&m, c); err != nil { // what the SIGINT handler does
		t.Fatal(err)
	}
	if after, _ := os.ReadFile(filepath.Join(out, SummaryFile)); string(after) != string(before) {
		t.Error("an interrupted run changed the previous complete results")
	}
	pm, pc, err := Load(out + StagingSuffix)
	if err != nil {
		t.Fatal(err)
	}
	if pm.Complete || pm.ReplicationsDone != 10 || pm.EndReplication != 10 || pm.Finished != nil || pc.Len() != 10 {
		t.Errorf("partial manifest %+v with %d replications", pm, pc.Len())
	}
	if err := d.Commit(); err == nil || !strings.Contains(err.Error(), "incomplete") {
		t.Errorf("Commit of incomplete results: %v", err)
	}
	// While the run's process lives, nothing else may take its directory.
	if _, err := Prepare(out, true); err == nil || !strings.Contains(err.Error(), "another dcsim process is writing") {
		t.Errorf("forced Prepare while the run holds its directory: %v", err)
	}
	if _, err := OpenResume(out); err == nil || !strings.Contains(err.Error(), "still going") {
		t.Errorf("OpenResume while the run holds its directory: %v", err)
	}
	d.Close() // the process exits
	// A damaged checkpoint is reported as such, not discarded.
	mp := filepath.Join(out+StagingSuffix, ManifestFile)
	good, _ := os.ReadFile(mp)
	os.WriteFile(mp, []byte("{"), 0o644)
	if _, err := Prepare(out, false); err == nil || !strings.Contains(err.Error(), "unreadable checkpoint") {
		t.Errorf("Prepare over a damaged checkpoint: %v", err)
	}
	os.WriteFile(mp, good, 0o644)
	// A fresh run must not silently discard the interrupted one.
	_, err = Prepare(out, false)
	if err == nil || !strings.Contains(err.Error(), "interrupted run (10 of 30 replications") {
		t.Errorf("Prepare over an interrupted run: %v", err)
	}
	if _, err := Prepare(out, true); err != nil {
		t.Errorf("forced Prepare over an interrupted run: %v", err)
	}
}

func TestResumeByteIdentical(t *testing.T) {
	parent := t.TempDir()
	whole := filepath.Join(parent, "whole")
	runTo(t, whole, 100, "", true)

	out := filepath.Join(parent, "resumed")
	scenario := testScenario(t)
	d, err := Prepare(out, false)
	if err != nil {
		t.Fatal(err)
	}
	d.Parquet = true
	m := testManifest(100, "")
	if _, err := d.CopyInputs(&m, scenario); err != nil {
		t.Fatal(err)
	}
	c := newTestCollector(t, 0)
	fill(t, c, 0, 37)
	if err := d.Checkpoint(&m, c); err != nil {
		t.Fatal(err)
	}
	fill(t, c, 37, 45) // finished but never checkpointed: lost in the crash
	d.Close()          // the crash ends the process, which releases the lock
	started := m.Started

	r, err := OpenResume(out)
	if err != nil {
		t.Fatal(err)
	}
	if r.Collector.Next() != 37 || r.Manifest.ReplicationsDone != 37 || r.Dir.Path() != out+StagingSuffix {
		t.Fatalf("resumed at %d (manifest %d) in %s", r.Collector.Next(), r.Manifest.ReplicationsDone, r.Dir.Path())
	}
	// The caller's manifest for the continuing run: a changed seed is refused.
	m2 := testManifest(100, "")
	m2.Started = time.Now()
	m2.ScenarioSHA256, _ = FileSHA256(scenario)
	bad := m2
	bad.Seed = 43
	if err := r.Continue(&bad, true); err == nil || !strings.Contains(err.Error(), "seed: 42 in the results, 43 now") {
		t.Errorf("Continue with another seed: %v", err)
	}
	noSHA := m2
	noSHA.ScenarioSHA256 = ""
	if err := r.Continue(&noSHA, true); err == nil || !strings.Contains(err.Error(), "ScenarioSHA256") {
		t.Errorf("Continue without the scenario SHA-256: %v", err)
	}
	if err := r.Continue(&m2, true); err != nil {
		t.Fatal(err)
	}
	if !m2.Started.Equal(started) || m2.ScenarioFile != "test.toml" {
		t.Errorf("Continue kept started %v, scenario file %q; want %v, test.toml", m2.Started, m2.ScenarioFile, started)
	}
	fill(t, r.Collector, r.Collector.Next(), 100)
	if err := r.Dir.Finish(&m2, r.Collector, nil); err != nil {
		t.Fatal(err)
	}
	checkSameResults(t, whole, out, true)
	fm, err := ReadManifest(filepath.Join(out, ManifestFile))
	if err != nil {
		t.Fatal(err)
	}
	if !fm.Complete || fm.ReplicationsDone != 100 || fm.Finished == nil || !fm.Started.Equal(started) {
		t.Errorf("final manifest %+v", fm)
	}
	checkNotExist(t, out+StagingSuffix)
	if _, err := OpenResume(out); err == nil || !strings.Contains(err.Error(), "complete") {
		t.Errorf("OpenResume of a complete run: %v", err)
	}
}

func TestResumeCutsRowsPastTheManifest(t *testing.T) {
	// A kill between appending to replications.csv and writing
	// manifest.json leaves the CSV with more replications than the
	// manifest records, the last perhaps torn.
	out := filepath.Join(t.TempDir(), "out")
	d, _ := Prepare(out, false)
	m := testManifest(20, "")
	d.CopyInputs(&m, testScenario(t))
	c := newTestCollector(t, 0)
	fill(t, c, 0, 5)
	d.Checkpoint(&m, c)
	fill(t, c, 5, 8)
	WriteTables(d.Path(), c)
	os.WriteFile(filepath.Join(d.Path(), ".summary.json.tmp-123"), []byte("half"), 0o644)
	d.Close()
	r, err := OpenResume(out)
	if err != nil {
		t.Fatal(err)
	}
	if r.Collector.Next() != 5 {
		t.Errorf("resumed at %d, want 5 (the manifest's end; later rows are not durable)", r.Collector.Next())
	}
	if rows := len(readLines(t, filepath.Join(d.Path(), ReplicationsFile))); rows != 1+5*len(testVariants)*len(testServices) {
		t.Errorf("replications.csv has %d lines after resuming, want its header and 5 replications' rows", rows)
	}
	if rows := len(readLines(t, filepath.Join(d.Path(), OverallFile))); rows != 1+5*len(testVariants) {
		t.Errorf("overall.csv has %d lines after resuming, want its header and 5 replications' rows", rows)
	}
	r.Dir.Close()
	checkNotExist(t, filepath.Join(d.Path(), ".summary.json.tmp-123"))
	// But a CSV behind its manifest is corruption.
	c2 := newTestCollector(t, 0)
	fill(t, c2, 0, 3)
	WriteTables(d.Path(), c2)
	if _, err := OpenResume(out); err == nil || !strings.Contains(err.Error(), "holds replications [0, 3) but manifest.json says [0, 5)") {
		t.Errorf("OpenResume with a CSV behind the manifest: %v", err)
	}
}

func TestOpenResumeNothingToResume(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	if _, err := OpenResume(out); err == nil || !strings.Contains(err.Error(), "no interrupted run") {
		t.Errorf("OpenResume with nothing there: %v", err)
	}
	d, err := Prepare(out, false)
	if err != nil {
		t.Fatal(err)
	}
	// While the run goes on, that is what resume says.
	if _, err := OpenResume(out); err == nil || !strings.Contains(err.Error(), "still going") {
		t.Errorf("OpenResume of a run still going: %v", err)
	}
	d.Close() // the process died before its first checkpoint
	if _, err := OpenResume(out); err == nil || !strings.Contains(err.Error(), "before its first") {
		t.Errorf("OpenResume before the first checkpoint: %v", err)
	}
}

func TestCommitCrashRecovery(t *testing.T) {
	parent := t.TempDir()
	out := filepath.Join(parent, "out")
	runTo(t, out, 10, "", false)
	old, _ := os.ReadFile(filepath.Join(out, ManifestFile))

	// New complete results in staging, as Finish leaves them just before Commit.
	d, _ := Prepare(out, false)
	m := testManifest(12, "")
	d.CopyInputs(&m, testScenario(t))
	c := newTestCollector(t, 0)
	fill(t, c, 0, 12)
	if err := d.Prepared(&m, c, nil); err != nil {
		t.Fatal(err)
	}
	d.Close()
	if _, err := Prepare(out, false); err == nil || !strings.Contains(err.Error(), "finished run that was not committed") {
		t.Errorf("Prepare over an uncommitted finished run: %v", err)
	}

	// Crash after step 1: out moved aside, staging not yet moved in.
	os.Rename(out, out+OldSuffix)
	r, err := OpenResume(out)
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(out, ManifestFile)); string(b) != string(old) {
		t.Error("recovery did not put the previous results back")
	}
	if r.Collector.Next() != 12 || !r.Manifest.Complete {
		t.Fatalf("resumed finished run at %d, complete %v", r.Collector.Next(), r.Manifest.Complete)
	}
	m.ScenarioSHA256 = r.Manifest.ScenarioSHA256
	if err := r.Continue(&m, false); err != nil {
		t.Fatal(err)
	}
	if err := r.Dir.Finish(&m, r.Collector, nil); err != nil {
		t.Fatal(err)
	}
	nm, err := ReadManifest(filepath.Join(out, ManifestFile))
	if err != nil || nm.Replications != 12 {
		t.Fatalf("after recovery and commit: %+v, %v", nm, err)
	}

	// Crash after step 2: new results in place, old ones still aside.
	os.Mkdir(out+OldSuffix, 0o755)
	os.WriteFile(filepath.Join(out+OldSuffix, MarkerFile), nil, 0o644)
	if _, err := Prepare(out, false); err != nil {
		t.Fatal(err)
	}
	checkNotExist(t, out+OldSuffix)
	if nm, _ := ReadManifest(filepath.Join(out, ManifestFile)); nm == nil || nm.Replications != 12 {
		t.Error("recovery after step 2 lost the new results")
	}
}

const runChildEnv = "DCSIM_RESULTS_RUN_CHILD"

// TestRunChild is not a test: it is the child process of
// TestResumeAfterKill. It runs (or resumes) a slow 200-replication run
// into the directory named by runChildEnv, checkpointing after every
// replication, until it is killed.
func TestRunChild(t *testing.T) {
	out := os.Getenv(runChildEnv)
	if out == "" {
		t.Skip("child process of TestResumeAfterKill")
	}
	m := testManifest(200, "")
	scenario := os.Getenv(runChildEnv + "_SCENARIO")
	var d *Dir
	var c *Collector
	if r, err := OpenResume(out); err == nil {
		m.ScenarioSHA256, _ = FileSHA256(scenario)
		if err := r.Continue(&m, true); err != nil {
			t.Fatal(err)
		}
		d, c = r.Dir, r.Collector
	} else {
		if d, err = Prepare(out, false); err != nil {
			t.Fatal(err)
		}
		d.Parquet = true
		if _, err := d.CopyInputs(&m, scenario); err != nil {
			t.Fatal(err)
		}
		c = newTestCollector(t, 0)
	}
	fmt.Println("ready")
	for rep := c.Next(); rep < 200; rep++ {
		c.Add(rep, outcomesFor(rep, len(c.Variants()), len(c.Services())))
		if err := d.CheckpointIfDue(&m, c, 0); err != nil {
			t.Fatal(err)
		}
	}
	if err := d.Finish(&m, c, nil); err != nil {
		t.Fatal(err)
	}
	fmt.Println("finished")
	select {} // wait to be killed
}

// TestResumeAfterKill SIGKILLs a checkpointing run at random moments,
// resumes it each time, and checks the finished results are byte-identical
// to an uninterrupted run's.
func TestResumeAfterKill(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns child processes")
	}
	parent := t.TempDir()
	whole := filepath.Join(parent, "whole")
	runTo(t, whole, 200, "", true)
	out := filepath.Join(parent, "killed")
	scenario := testScenario(t)
	r := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 2))
	const kills = 6
	finished := false
	progress := []int{}
	for i := 0; i <= kills && !finished; i++ {
		cmd := exec.Command(os.Args[0], "-test.run=^TestRunChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), runChildEnv+"="+out, runChildEnv+"_SCENARIO="+scenario)
		stdout, _ := cmd.StdoutPipe()
		var stderr strings.Builder
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		lines := make(chan string, 2)
		go func() {
			sc := bufio.NewScanner(stdout)
			for sc.Scan() {
				lines <- sc.Text()
			}
			close(lines)
		}()
		if l := <-lines; l != "ready" {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("run %d: child said %q\n%s", i, l, stderr.String())
		}
		// Kill at a random moment; the last time, let it finish.
		wait := time.Duration(5+r.IntN(80)) * time.Millisecond
		if i == kills {
			wait = time.Minute
		}
		select {
		case l := <-lines:
			finished = l == "finished"
			if !finished {
				cmd.Process.Kill()
				cmd.Wait()
				t.Fatalf("run %d: child said %q\n%s", i, l, stderr.String())
			}
		case <-time.After(wait):
		}
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()
		if !finished {
			res, err := OpenResume(out)
			if err != nil && !strings.Contains(err.Error(), "before its first") {
				t.Fatalf("after kill %d: %v", i, err)
			}
			if err == nil {
				progress = append(progress, res.Collector.Next())
				res.Dir.Close()
			}
		}
	}
	t.Logf("replications checkpointed at each kill: %v", progress)
	if !finished {
		t.Fatal("the run did not finish")
	}
	checkSameResults(t, whole, out, true)
	checkNotExist(t, out+StagingSuffix)
	if m, err := ReadManifest(filepath.Join(out, ManifestFile)); err != nil || !m.Complete {
		t.Errorf("final manifest %+v, %v", m, err)
	}
}

func readLines(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
}

// TestResumeAfterTornAppend: a kill in the middle of a checkpoint's
// append leaves replications.csv with rows past the manifest, the last
// one cut short; resume drops them, and the finished run is byte-identical
// to one never interrupted, with several checkpoints on the way.
func TestResumeAfterTornAppend(t *testing.T) {
	tmp := t.TempDir()
	ref := filepath.Join(tmp, "ref")
	runTo(t, ref, 40, "", false)

	out := filepath.Join(tmp, "out")
	d, err := Prepare(out, false)
	if err != nil {
		t.Fatal(err)
	}
	m := testManifest(40, "")
	d.CopyInputs(&m, testScenario(t))
	c := newTestCollector(t, 0)
	fill(t, c, 0, 7)
	d.Checkpoint(&m, c)
	fill(t, c, 7, 12)
	d.Checkpoint(&m, c)
	// The next checkpoint's append is killed half-way through a row.
	fill(t, c, 12, 15)
	for _, tab := range tables {
		var rows bytes.Buffer
		c.writeRows(context.Background(), &rows, tab, 12, 15)
		f, _ := os.OpenFile(filepath.Join(d.Path(), tab.file), os.O_WRONLY|os.O_APPEND, 0)
		f.Write(rows.Bytes()[:rows.Len()*2/3])
		f.Close()
	}
	d.Close()

	r, err := OpenResume(out)
	if err != nil {
		t.Fatal(err)
	}
	if r.Collector.Next() != 12 {
		t.Fatalf("resumed at %d, want 12 (the last manifest's)", r.Collector.Next())
	}
	m2 := testManifest(40, "")
	m2.ScenarioSHA256 = m.ScenarioSHA256
	if err := r.Continue(&m2, false); err != nil {
		t.Fatal(err)
	}
	fill(t, r.Collector, 12, 30)
	if err := r.Dir.Checkpoint(&m2, r.Collector); err != nil {
		t.Fatal(err)
	}
	fill(t, r.Collector, 30, 40)
	if err := r.Dir.Finish(&m2, r.Collector, nil); err != nil {
		t.Fatal(err)
	}
	checkSameResults(t, ref, out, false)
}

// TestSaveByDeadline checks what a signal's save keeps when its summary
// cannot be finished in time: every replication, resumable, and no
// summary.json (not a stale one either); with time enough, the summary.
func TestSaveByDeadline(t *testing.T) {
	for _, c := range []struct {
		name     string
		deadline time.Time
		want     bool
	}{
		{"passed", time.Now().Add(-time.Second), false},
		{"ample", time.Now().Add(time.Hour), true},
	} {
		out := filepath.Join(t.TempDir(), "out")
		d, err := Prepare(out, false)
		if err != nil {
			t.Fatal(err)
		}
		m := testManifest(30, "")
		d.CopyInputs(&m, testScenario(t))
		col := newTestCollector(t, 0)
		fill(t, col, 0, 10)
		if _, err := d.SaveBy(&m, col, time.Now().Add(time.Hour)); err != nil { // an earlier stop's summary
			t.Fatal(err)
		}
		fill(t, col, 10, 20)
		got, err := d.SaveBy(&m, col, c.deadline)
		if err != nil || got != c.want {
			t.Errorf("%s: SaveBy = %v, %v; want %v, nil", c.name, got, err, c.want)
		}
		d.Close()
		staging := out + StagingSuffix
		if _, err := os.Stat(filepath.Join(staging, SummaryFile)); (err == nil) != c.want {
			t.Errorf("%s: summary.json present = %v, want %v", c.name, err == nil, c.want)
		}
		pm, pc, err := Load(staging)
		if err != nil || pm.Complete || pm.ReplicationsDone != 20 || pc.Len() != 20 {
			t.Errorf("%s: partial results %v: complete %v, %d done, %d read; want false, 20, 20", c.name, err, pm != nil && pm.Complete, pm.ReplicationsDone, pc.Len())
		}
		r, err := OpenResume(out)
		if err != nil || r.Collector.Len() != 20 {
			t.Errorf("%s: OpenResume: %v", c.name, err)
		}
		if r != nil {
			r.Dir.Close()
		}
	}
}

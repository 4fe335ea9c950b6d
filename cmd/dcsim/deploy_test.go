package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The Slurm deployment (deploy/slurm/submit.sh) is tested twice with the
// same scenario of submissions: against a stand-in sbatch that runs each job
// at once (everywhere bash is), and against a real Slurm cluster — the
// loopback one deploy/slurm/ci-cluster.sh starts, when it answers, or any
// cluster with DCSIM_REQUIRE_SLURM=1, which CI sets so that a cluster that
// does not answer fails the test instead of skipping it.

// slurmCluster is where submit.sh's jobs run.
type slurmCluster struct {
	env  []string                         // environment for submit.sh
	wait func(t *testing.T, jobID string) // returns once the job has ended
}

// TestSlurmSubmitFake runs the submissions with testdata/fake-sbatch.
func TestSlurmSubmitFake(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("no bash")
	}
	tmp := t.TempDir()
	bin := filepath.Join(tmp, "fakebin")
	state := filepath.Join(tmp, "fakeslurm")
	for _, d := range []string{bin, state} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	fake, _ := filepath.Abs("testdata/fake-sbatch")
	if err := os.Symlink(fake, filepath.Join(bin, "sbatch")); err != nil {
		t.Fatal(err)
	}
	// No job states to ask for: a real scontrol must not answer for fake jobs.
	if err := os.WriteFile(filepath.Join(bin, "scontrol"), []byte("#!/bin/sh\nexit 1\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	env := append(os.Environ(), "PATH="+bin+":"+os.Getenv("PATH"), "FAKE_SLURM_STATE="+state)
	slurmSubmissions(t, tmp, slurmCluster{env: env, wait: func(*testing.T, string) {}})

	// Every job the fake ran, and how it ended: the one shard that was made
	// to fail, and the merge that found it missing, exited non-zero.
	status, err := os.ReadFile(filepath.Join(state, "status"))
	if err != nil {
		t.Fatal(err)
	}
	var failed []string
	for _, line := range strings.Split(strings.TrimSpace(string(status)), "\n") {
		if f := strings.Fields(line); len(f) == 2 && f[1] != "0" {
			failed = append(failed, f[0])
		}
	}
	if want := []string{"100_1", "101"}; strings.Join(failed, " ") != strings.Join(want, " ") {
		t.Errorf("jobs that failed: %v, want %v (shard 1 of the first array, then its merge)\n%s", failed, want, status)
	}
}

// TestSlurmSubmitCluster runs the submissions on a real Slurm cluster.
func TestSlurmSubmitCluster(t *testing.T) {
	require := os.Getenv("DCSIM_REQUIRE_SLURM") == "1"
	if testing.Short() && !require {
		t.Skip("builds the binary and runs Slurm jobs")
	}
	cluster, err := slurmAnswers()
	switch {
	case err != nil && require:
		t.Fatalf("DCSIM_REQUIRE_SLURM=1 but no Slurm cluster answers: %v", err)
	case err != nil:
		t.Skipf("no Slurm cluster answers (%v); deploy/slurm/ci-cluster.sh starts one", err)
	case cluster != "dcsim-ci" && !require:
		// Never queue test jobs on a real cluster by surprise.
		t.Skipf("Slurm cluster %q answers, but only the one deploy/slurm/ci-cluster.sh starts is used unasked; "+
			"DCSIM_REQUIRE_SLURM=1 submits a few small jobs to it", cluster)
	}
	wait := func(t *testing.T, id string) {
		t.Helper()
		deadline := time.Now().Add(5 * time.Minute)
		for time.Now().Before(deadline) {
			out, err := exec.Command("squeue", "-h", "-j", id, "-o", "%T").Output()
			st := strings.TrimSpace(string(out))
			if err != nil || st == "" || !strings.Contains("PENDING RUNNING CONFIGURING COMPLETING SUSPENDED REQUEUED", st) {
				return
			}
			time.Sleep(time.Second)
		}
		q, _ := exec.Command("squeue").CombinedOutput()
		t.Fatalf("Slurm job %s has not ended after 5 minutes:\n%s", id, q)
	}
	tmp := t.TempDir()
	dcsim := slurmSubmissions(t, tmp, slurmCluster{env: os.Environ(), wait: wait})

	// Plain sbatch arrays, without submit.sh: --shard auto takes a task's
	// position in a stepped range, and refuses a list (whose positions
	// Slurm does not give) with a message saying to set DCSIM_SHARDS.
	scenario, _ := filepath.Abs("../../scenarios/example.toml")
	sbatch := func(array, dir string) string {
		t.Helper()
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		wrap := dcsim + " run " + scenario + ` -n 30 --no-plots -q --workers 1 --shard auto --out ` + dir + `/$SLURM_ARRAY_TASK_ID`
		cmd := exec.Command("sbatch", "--parsable", "--array="+array, "--cpus-per-task=1", "--mem=300M", "--time=00:10:00",
			"--output="+dir+"/log-%a", "--wrap="+wrap)
		cmd.Dir = tmp
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("sbatch --array=%s: %v\n%s", array, err, out)
		}
		return strings.TrimSpace(strings.Split(string(out), ";")[0])
	}
	stepped, list := filepath.Join(tmp, "stepped"), filepath.Join(tmp, "list")
	jobStepped, jobList := sbatch("0-4:2", stepped), sbatch("1,5,9", list)
	wait(t, jobStepped)
	wait(t, jobList)
	for id, want := range map[string]string{"0": "0/3", "2": "1/3", "4": "2/3"} {
		b, err := os.ReadFile(filepath.Join(stepped, id, "manifest.json"))
		if err != nil {
			log, _ := os.ReadFile(filepath.Join(stepped, "log-"+id))
			t.Fatalf("task %s of --array=0-4:2 left no result: %v\n%s", id, err, log)
		}
		if !strings.Contains(string(b), `"shard": "`+want+`"`) {
			t.Errorf("task %s of --array=0-4:2 ran a shard other than %s:\n%s", id, want, b)
		}
	}
	for _, id := range []string{"1", "5", "9"} {
		log, _ := os.ReadFile(filepath.Join(list, "log-"+id))
		if !strings.Contains(string(log), "set DCSIM_SHARDS") {
			t.Errorf("task %s of --array=1,5,9 without DCSIM_SHARDS did not refuse with the hint; its log:\n%s", id, log)
		}
		if _, err := os.Stat(filepath.Join(list, id)); err == nil {
			t.Errorf("task %s of --array=1,5,9 without DCSIM_SHARDS wrote a result", id)
		}
	}
}

// slurmAnswers returns the name of the Slurm cluster that answers, if it
// has a node that can run jobs.
func slurmAnswers() (string, error) {
	if _, err := exec.LookPath("sbatch"); err != nil {
		return "", err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "sinfo", "-h", "-o", "%T").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("sinfo: %v: %s", err, bytes.TrimSpace(out))
	}
	up := false
	for _, st := range strings.Fields(string(out)) {
		up = up || strings.HasPrefix(st, "idle") || strings.HasPrefix(st, "mixed") || strings.HasPrefix(st, "allocated")
	}
	if !up {
		return "", fmt.Errorf("no node is up: sinfo says %q", strings.TrimSpace(string(out)))
	}
	conf, err := exec.CommandContext(ctx, "scontrol", "show", "config").Output()
	if err != nil {
		return "", fmt.Errorf("scontrol show config: %v", err)
	}
	for _, line := range strings.Split(string(conf), "\n") {
		if k, v, ok := strings.Cut(line, "="); ok && strings.TrimSpace(k) == "ClusterName" {
			return strings.TrimSpace(v), nil
		}
	}
	return "", nil
}

// slurmSubmissions submits example.toml three times through submit.sh:
//
//  1. three shards, shard 1 failing: the merge must end (afterany), exit
//     non-zero, name shard 1 with the end of its log and the rerun command,
//     and write no result;
//  2. --rerun of that run directory: only shard 1 is resubmitted (a list
//     array, --array=1), and the merge equals one unsharded run byte for
//     byte, with its report;
//  3. a new submission with two shards: a new run directory, so the first
//     run's shards cannot mix into it, and again the unsharded result.
//
// It returns the dcsim binary it built.
func slurmSubmissions(t *testing.T, tmp string, c slurmCluster) (dcsim string) {
	t.Helper()
	dcsim = filepath.Join(tmp, "bin", "dcsim")
	if out, err := exec.Command("go", "build", "-o", dcsim, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	flaky := filepath.Join(tmp, "bin", "flaky-dcsim")
	wrapper := "#!/usr/bin/env bash\nif [ \"${SLURM_ARRAY_TASK_ID:-}\" = 1 ]; then echo 'flaky-dcsim: shard 1 fails on purpose' >&2; exit 3; fi\nexec " + dcsim + " \"$@\"\n"
	if err := os.WriteFile(flaky, []byte(wrapper), 0o755); err != nil {
		t.Fatal(err)
	}
	scenario, _ := filepath.Abs("../../scenarios/example.toml")
	submit, _ := filepath.Abs("../../deploy/slurm/submit.sh")
	results := filepath.Join(tmp, "results")
	limits := []string{"--cpus", "1", "--mem", "300M", "--merge-mem", "600M", "--time", "00:10:00", "--merge-time", "00:10:00"}

	sub := func(args ...string) map[string]string {
		t.Helper()
		cmd := exec.Command("bash", append([]string{submit}, append(args, limits...)...)...)
		cmd.Dir = tmp
		cmd.Env = c.env
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil {
			t.Fatalf("submit.sh %v: %v\n%s%s", args, err, stdout.String(), stderr.String())
		}
		kv := map[string]string{}
		for _, line := range strings.Split(stdout.String(), "\n") {
			if k, v, ok := strings.Cut(line, "="); ok {
				kv[k] = v
			}
		}
		if kv["run_dir"] == "" || kv["merge_job"] == "" {
			t.Fatalf("submit.sh %v printed no run_dir= or merge_job=:\n%s%s", args, stdout.String(), stderr.String())
		}
		return kv
	}
	mergeLog := func(run, job string) string {
		b, err := os.ReadFile(filepath.Join(run, "logs", "merge-"+job+".log"))
		if err != nil {
			t.Fatalf("merge log: %v", err)
		}
		return string(b)
	}

	whole := filepath.Join(tmp, "whole")
	if out, err := exec.Command(dcsim, "run", scenario, "-n", "90", "--seed", "11", "--out", whole, "--no-plots", "-q").CombinedOutput(); err != nil {
		t.Fatalf("unsharded run: %v\n%s", err, out)
	}
	sameAsWhole := func(run string) {
		t.Helper()
		for _, f := range []string{"summary.json", "replications.csv", "overall.csv"} {
			a, err1 := os.ReadFile(filepath.Join(run, "result", f))
			b, err2 := os.ReadFile(filepath.Join(whole, f))
			if err1 != nil || err2 != nil {
				t.Fatal(err1, err2)
			}
			if !bytes.Equal(a, b) {
				t.Errorf("%s merged from the Slurm array in %s differs from the unsharded run", f, run)
			}
		}
		if _, err := os.Stat(filepath.Join(run, "result", "report.html")); err != nil {
			t.Errorf("the merge drew no report: %v", err)
		}
		if l, err := os.Readlink(filepath.Join(filepath.Dir(run), "latest")); err != nil || l != filepath.Base(run) {
			t.Errorf("latest -> %q (%v), want %s", l, err, filepath.Base(run))
		}
	}

	// 1. A shard fails; the merge reports it and fails instead of waiting.
	first := sub(scenario, "--shards", "3", "-n", "90", "--seed", "11", "--results", results, "--dcsim", flaky)
	run := first["run_dir"]
	if !strings.HasPrefix(run, filepath.Join(results, "slurm", "example")+"/") {
		t.Errorf("run directory %s is not under results/slurm/example/", run)
	}
	c.wait(t, first["merge_job"])
	log := mergeLog(run, first["merge_job"])
	for _, want := range []string{"1 of 3 shards did not complete: 1", "shard 1 fails on purpose", "submit.sh --rerun " + run} {
		if !strings.Contains(log, want) {
			t.Errorf("the failed merge's log does not say %q:\n%s", want, log)
		}
	}
	if _, err := os.Stat(filepath.Join(run, "result")); err == nil {
		t.Errorf("a merge with a shard missing wrote %s/result", run)
	}

	// 2. Rerun the missing shard only, with a working binary.
	second := sub("--rerun", run, "--dcsim", dcsim)
	if second["run_dir"] != run {
		t.Errorf("--rerun wrote into %s, want %s", second["run_dir"], run)
	}
	c.wait(t, second["merge_job"])
	if log := mergeLog(run, second["merge_job"]); !strings.Contains(log, "merged 3 shards") {
		t.Errorf("the rerun's merge did not merge:\n%s", log)
	}
	shard0, _ := os.ReadFile(filepath.Join(run, "logs", "shard-0.log"))
	if n := strings.Count(string(shard0), "dcsim shard 0 of 3"); n != 1 {
		t.Errorf("shard 0 ran %d times, want once (the rerun must resubmit only shard 1):\n%s", n, shard0)
	}
	sameAsWhole(run)

	// 3. A new submission with fewer shards: its own run directory.
	third := sub(scenario, "--shards", "2", "-n", "90", "--seed", "11", "--results", results, "--dcsim", dcsim)
	if third["run_dir"] == run {
		t.Fatalf("a new submission reused run directory %s", run)
	}
	c.wait(t, third["merge_job"])
	if log := mergeLog(third["run_dir"], third["merge_job"]); !strings.Contains(log, "merged 2 shards") {
		t.Errorf("the two-shard merge did not merge:\n%s", log)
	}
	sameAsWhole(third["run_dir"])
	return dcsim
}

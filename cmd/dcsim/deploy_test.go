package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestSlurmArrayScript runs deploy/slurm/dcsim-array.sbatch as three array
// tasks with a fake sbatch that records the merge job, runs that merge, and
// checks the merged result equals one unsharded run byte for byte.
func TestSlurmArrayScript(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("no bash")
	}
	tmp := t.TempDir()
	bin := filepath.Join(tmp, "bin")
	if err := os.MkdirAll(bin, 0o755); err != nil {
		t.Fatal(err)
	}
	dcsim := filepath.Join(bin, "dcsim")
	if out, err := exec.Command("go", "build", "-o", dcsim, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	// The fake sbatch records its --wrap command.
	wrapFile := filepath.Join(tmp, "wrap.txt")
	fake := "#!/usr/bin/env bash\nfor a in \"$@\"; do case $a in --wrap=*) printf '%s\\n' \"${a#--wrap=}\" > " + wrapFile + ";; esac; done\n"
	if err := os.WriteFile(filepath.Join(bin, "sbatch"), []byte(fake), 0o755); err != nil {
		t.Fatal(err)
	}
	scenario, _ := filepath.Abs("../../scenarios/example.toml")
	script, _ := filepath.Abs("../../deploy/slurm/dcsim-array.sbatch")
	env := append(os.Environ(), "PATH="+bin+":"+os.Getenv("PATH"), "DCSIM_RESULTS="+filepath.Join(tmp, "results"))
	for id := 0; id < 3; id++ {
		cmd := exec.Command("bash", script, scenario, "90", "11")
		cmd.Dir = tmp
		cmd.Env = append(env, "SLURM_ARRAY_TASK_ID="+string(rune('0'+id)), "SLURM_ARRAY_TASK_MIN=0",
			"SLURM_ARRAY_TASK_MAX=2", "SLURM_ARRAY_JOB_ID=42", "SLURM_CPUS_PER_TASK=1")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("task %d: %v\n%s", id, err, out)
		}
	}
	wrap, err := os.ReadFile(wrapFile)
	if err != nil {
		t.Fatalf("the first task did not submit the merge: %v", err)
	}
	merge := exec.Command("bash", "-c", strings.TrimSpace(string(wrap)))
	merge.Dir = tmp
	merge.Env = env
	if out, err := merge.CombinedOutput(); err != nil {
		t.Fatalf("merge job %q: %v\n%s", wrap, err, out)
	}
	whole := filepath.Join(tmp, "whole")
	if out, err := exec.Command(dcsim, "run", scenario, "-n", "90", "--seed", "11", "--out", whole, "--no-plots", "-q").CombinedOutput(); err != nil {
		t.Fatalf("unsharded run: %v\n%s", err, out)
	}
	for _, f := range []string{"summary.json", "replications.csv", "overall.csv"} {
		a, err1 := os.ReadFile(filepath.Join(tmp, "results", "example", f))
		b, err2 := os.ReadFile(filepath.Join(whole, f))
		if err1 != nil || err2 != nil {
			t.Fatal(err1, err2)
		}
		if !bytes.Equal(a, b) {
			t.Errorf("%s of the merged Slurm array differs from the unsharded run", f)
		}
	}
	if _, err := os.Stat(filepath.Join(tmp, "results", "example", "report.html")); err != nil {
		t.Errorf("merge job did not draw the report: %v", err)
	}
}

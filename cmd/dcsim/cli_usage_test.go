package main

// Tests of the command line's conventions: DCSIM_* environment variables,
// one-line usage errors, help defaults, renamed flags, --json and shell
// completion.

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestCLIEnvironment: DCSIM_REPLICATIONS, DCSIM_SEED, DCSIM_OUT, DCSIM_WORKERS
// and DCSIM_QUIET set their flags; the command line wins.
func TestCLIEnvironment(t *testing.T) {
	example := cliScenario(t, "example")
	tmp := t.TempDir()
	out := filepath.Join(tmp, "env")
	t.Setenv("DCSIM_REPLICATIONS", "30")
	t.Setenv("DCSIM_SEED", "11")
	t.Setenv("DCSIM_OUT", out)
	t.Setenv("DCSIM_WORKERS", "1")
	t.Setenv("DCSIM_QUIET", "true")
	r := cliMust(t, "run", example, "--no-plots")
	if r.stdout != "" {
		t.Errorf("DCSIM_QUIET=true, yet stdout:\n%s", r.stdout)
	}
	m := cliManifest(t, out)
	if m["replications"] != float64(30) || m["seed"] != float64(11) || m["workers"] != float64(1) {
		t.Errorf("from the environment: replications %v seed %v workers %v, want 30, 11, 1", m["replications"], m["seed"], m["workers"])
	}
	// The command line wins.
	out2 := filepath.Join(tmp, "flags")
	cliMust(t, "run", example, "--no-plots", "-n", "20", "--seed", "12", "--out", out2)
	if m := cliManifest(t, out2); m["replications"] != float64(20) || m["seed"] != float64(12) {
		t.Errorf("flags over the environment: replications %v seed %v, want 20 and 12", m["replications"], m["seed"])
	}
	// A bad value in the environment is bad input, named in one line.
	t.Setenv("DCSIM_WORKERS", "many")
	r = cliRun(t, "run", example, "--no-plots")
	if r.code != 2 || !strings.Contains(r.stderr, "DCSIM_WORKERS") || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 {
		t.Errorf("bad DCSIM_WORKERS: want exit 2 and one line naming it:\n%s", r)
	}
}

// TestCLIResumeEnvironment: a resume keeps the run's settings; a DCSIM_SEED
// that repeats the run's seed is fine, one that differs is refused by name.
func TestCLIResumeEnvironment(t *testing.T) {
	example := cliScenario(t, "example")
	out := filepath.Join(t.TempDir(), "r")
	cliMust(t, "run", example, "-n", "20", "--seed", "5", "--no-plots", "-q", "--out", out)
	// Mark it interrupted: every replication is there, so a resume only
	// has to finish it.
	b := cliReadFile(t, filepath.Join(out, "manifest.json"))
	b = bytes.Replace(b, []byte(`"complete": true`), []byte(`"complete": false`), 1)
	if err := os.WriteFile(filepath.Join(out, "manifest.json"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	// cliExec: a refused resume exits holding the directory's lock, which
	// in-process would outlive the call.
	dir := filepath.Dir(out)
	t.Setenv("DCSIM_SEED", "6")
	r := cliExec(t, dir, "run", "--resume", out, "--no-plots", "-q")
	if r.code != 2 || !strings.Contains(r.stderr, "DCSIM_SEED") {
		t.Errorf("resume with a different DCSIM_SEED: want exit 2 naming it:\n%s", r)
	}
	if r := cliExec(t, dir, "run", "--resume", out, "--no-plots", "-q", "--seed", "6"); r.code != 2 || !strings.Contains(r.stderr, "--seed") {
		t.Errorf("resume with a different --seed: want exit 2:\n%s", r)
	}
	t.Setenv("DCSIM_SEED", "5")
	t.Setenv("DCSIM_REPLICATIONS", "20")
	if r := cliExec(t, dir, "run", "--resume", out, "--no-plots", "-q"); r.code != 0 {
		t.Fatalf("resume with the run's own DCSIM_SEED and DCSIM_REPLICATIONS:\n%s", r)
	}
	if m := cliManifest(t, out); m["complete"] != true {
		t.Errorf("resume did not complete the run: %v", m["complete"])
	}
}

// TestCLIUsageErrorsAreOneLine: urfave/cli's complaints are one line on
// stderr with a hint to --help, nothing on stdout, exit 2.
func TestCLIUsageErrorsAreOneLine(t *testing.T) {
	example := cliScenario(t, "example")
	for _, args := range [][]string{
		{"run", example, "--frobnicate"},
		{"run", example, "-n", "many"},
		{"compare", example, "--budget", "lots"},
		{"--frobnicate"},
		{"frobnicate"},
		{"merge", "somewhere"},
		{"trace", example, "--index", "1", "--replication", "1"},
	} {
		r := cliRun(t, args...)
		if r.code != 2 || r.stdout != "" || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 || !strings.Contains(r.stderr, "--help") {
			t.Errorf("want exit 2, empty stdout and one line on stderr with a hint to --help:\n%s", r)
		}
	}
}

// TestCLIHelpDefaults: help states defaults in words and never shows the
// zero values of unset flags; old flag names are not shown.
func TestCLIHelpDefaults(t *testing.T) {
	help := func(cmd string) string {
		r := cliMust(t, cmd, "--help")
		return r.stdout
	}
	for _, cmd := range []string{"run", "compare", "trace", "merge", "validate", "completion"} {
		h := help(cmd)
		for _, bad := range []string{"(default: 0)", "(default: -1)", "(default: false)", "help, h  Shows"} {
			if strings.Contains(h, bad) {
				t.Errorf("dcsim %s --help shows %q:\n%s", cmd, bad, h)
			}
		}
	}
	for cmd, want := range map[string]string{
		"run":     "(default: results/<scenario name>",
		"compare": "(default: results/<scenario name>-compare",
		"trace":   "(default: results/<scenario name>-trace-<K>)",
	} {
		if h := help(cmd); !strings.Contains(h, want) {
			t.Errorf("dcsim %s --help does not show --out's default %q", cmd, want)
		}
	}
	h := help("run")
	for _, env := range []string{"DCSIM_REPLICATIONS", "DCSIM_SEED", "DCSIM_WORKERS", "DCSIM_OUT", "DCSIM_QUIET"} {
		if !strings.Contains(h, env) {
			t.Errorf("dcsim run --help does not name %s", env)
		}
	}
	_, h, _ = strings.Cut(help("trace"), "OPTIONS:")
	if strings.Contains(h, "--replication ") || strings.Contains(h, "--option ") || !strings.Contains(h, "--index") || !strings.Contains(h, "--portfolio") {
		t.Errorf("dcsim trace --help should show --index and --portfolio, not the old names:\n%s", h)
	}
}

// TestCLITraceOldFlagNames: --replication and --option, trace's old names,
// still work and trace exactly what --index and --portfolio do.
func TestCLITraceOldFlagNames(t *testing.T) {
	invest := cliScenario(t, "invest")
	tmp := t.TempDir()
	a, b := filepath.Join(tmp, "a"), filepath.Join(tmp, "b")
	cliMust(t, "trace", invest, "--index", "2", "--portfolio", "drills", "--out", a, "-q")
	cliMust(t, "trace", invest, "--replication", "2", "--option", "drills", "--out", b, "-q")
	cliSameFiles(t, a, b, "trace.jsonl", "outcome.json")
}

// TestCLIJSON: run --json and compare --json print one JSON object holding
// the committed manifest.json, summary.json and compare.json; validate
// --json lists every file with its problems.
func TestCLIJSON(t *testing.T) {
	tmp := t.TempDir()
	out := filepath.Join(tmp, "run")
	r := cliMust(t, "run", cliScenario(t, "example"), "-n", "20", "--no-plots", "--json", "--out", out)
	var got struct {
		ResultsDir string          `json:"results_dir"`
		Manifest   map[string]any  `json:"manifest"`
		Summary    json.RawMessage `json:"summary"`
		Compare    json.RawMessage `json:"compare"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatalf("run --json stdout is not one JSON object: %v\n%s", err, r.stdout)
	}
	if got.ResultsDir != out || got.Manifest["complete"] != true || string(got.Compare) != "null" {
		t.Errorf("run --json: results_dir %q complete %v compare %s", got.ResultsDir, got.Manifest["complete"], got.Compare)
	}
	units, _ := got.Manifest["units"].(map[string]any)
	if got.Manifest["currency"] != "USD" || units["loss"] != "USD" || units["time_to_recover_h"] != "h" || units["max_data_lost_s"] != "s" || got.Manifest["incident"] != "incident" {
		t.Errorf("manifest currency %v, incident %v, units %v", got.Manifest["currency"], got.Manifest["incident"], units)
	}
	var a, b any
	json.Unmarshal(got.Summary, &a)
	json.Unmarshal(cliReadFile(t, filepath.Join(out, "summary.json")), &b)
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	if !bytes.Equal(ja, jb) {
		t.Errorf("run --json summary differs from summary.json")
	}

	// merge --json prints the merged directory's files the same way.
	shards := []string{filepath.Join(tmp, "s0"), filepath.Join(tmp, "s1")}
	for i, sh := range shards {
		cliMust(t, "run", cliScenario(t, "example"), "-n", "20", "--shard", strconv.Itoa(i)+"/2", "-q", "--out", sh)
	}
	merged := filepath.Join(tmp, "merged")
	r = cliMust(t, "merge", shards[0], shards[1], "--no-plots", "--json", "--out", merged)
	var gm resultsJSON
	if err := json.Unmarshal([]byte(r.stdout), &gm); err != nil || gm.ResultsDir != merged || !bytes.Contains(gm.Manifest, []byte(`"merged_from"`)) {
		t.Errorf("merge --json: %v\n%s", err, r.stdout)
	}
	var c any
	json.Unmarshal(gm.Summary, &c)
	if jc, _ := json.Marshal(c); !bytes.Equal(jc, ja) {
		t.Errorf("merge --json summary differs from the unsharded run's")
	}

	cmp := filepath.Join(tmp, "cmp")
	r = cliMust(t, "compare", cliScenario(t, "invest"), "--all", "-n", "10", "--no-plots", "--json", "--out", cmp)
	var gc struct {
		Compare struct {
			Options []struct {
				Name string `json:"name"`
			} `json:"options"`
		} `json:"compare"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &gc); err != nil || len(gc.Compare.Options) < 2 || gc.Compare.Options[0].Name != "baseline" {
		t.Errorf("compare --json: %v, options %+v\n%s", err, gc.Compare.Options, r.stdout)
	}

	bad, _, _ := badScenario(t)
	r = cliRun(t, "validate", "--json", cliScenario(t, "example"), bad)
	var v validateJSON
	if err := json.Unmarshal([]byte(r.stdout), &v); err != nil {
		t.Fatalf("validate --json: %v\n%s", err, r)
	}
	if r.code != 2 || len(v.Scenarios) != 2 || !v.Scenarios[0].OK || v.Scenarios[1].OK || len(v.Scenarios[1].Problems) == 0 || v.Scenarios[1].Problems[0].Line == 0 {
		t.Errorf("validate --json: want exit 2, example ok, the bad one with problems and lines:\n%s", r)
	}
}

// TestCompletionCoversEveryCommand: every command says what its arguments
// are, so the completion scripts complete them.
func TestCompletionCoversEveryCommand(t *testing.T) {
	for _, c := range newApp(nil, nil).Commands {
		if _, ok := argKinds[c.Name]; !ok {
			t.Errorf("command %s has no entry in argKinds (completion.go)", c.Name)
		}
	}
}

// completionScript returns dcsim's completion script for shell in a file.
func completionScript(t *testing.T, shell string) string {
	r := cliMust(t, "completion", shell)
	p := filepath.Join(t.TempDir(), "dcsim."+shell)
	if err := os.WriteFile(p, []byte(r.stdout), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func needShell(t *testing.T, shell string) {
	if _, err := exec.LookPath(shell); err != nil {
		t.Skipf("%s not installed", shell)
	}
}

// TestBashCompletion: the bash script parses, and completing lists the
// commands, a command's flags (not the hidden old names), directories
// after --out, scenario files as the argument.
func TestBashCompletion(t *testing.T) {
	needShell(t, "bash")
	script := completionScript(t, "bash")
	if out, err := exec.Command("bash", "-n", script).CombinedOutput(); err != nil {
		t.Fatalf("bash -n: %v\n%s", err, out)
	}
	dir := t.TempDir()
	os.Mkdir(filepath.Join(dir, "resultsdir"), 0o755)
	os.WriteFile(filepath.Join(dir, "sc.toml"), nil, 0o644)
	os.WriteFile(filepath.Join(dir, "notes.txt"), nil, 0o644)
	complete := func(words ...string) []string {
		t.Helper()
		var quoted []string
		for _, w := range words {
			quoted = append(quoted, shQuote(w))
		}
		cmd := exec.Command("bash", "-c", `source "$1"; COMP_WORDS=(`+strings.Join(quoted, " ")+`); COMP_CWORD=$((${#COMP_WORDS[@]}-1)); _dcsim; printf '%s\n' "${COMPREPLY[@]}"`, "bash", script)
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("completing %q: %v\n%s", words, err, out)
		}
		return strings.Fields(string(out))
	}
	got := complete("dcsim", "")
	for _, c := range newApp(nil, nil).Commands {
		if !slices.Contains(got, c.Name) {
			t.Errorf("completing commands: %s missing from %v", c.Name, got)
		}
	}
	if got := complete("dcsim", "tr"); !slices.Equal(got, []string{"trace"}) {
		t.Errorf(`"dcsim tr": %v, want [trace]`, got)
	}
	got = complete("dcsim", "trace", "--")
	for _, want := range []string{"--index", "--portfolio", "--incident", "--out", "--seed"} {
		if !slices.Contains(got, want) {
			t.Errorf(`"dcsim trace --": %s missing from %v`, want, got)
		}
	}
	if slices.Contains(got, "--replication") || slices.Contains(got, "--option") {
		t.Errorf(`"dcsim trace --" offers a hidden old name: %v`, got)
	}
	if got := complete("dcsim", "run", "-q", "--out", ""); !slices.Equal(got, []string{"resultsdir"}) {
		t.Errorf(`"dcsim run --out ": %v, want [resultsdir]`, got)
	}
	if got := complete("dcsim", "run", "-n", "5", ""); !slices.Contains(got, "sc.toml") || slices.Contains(got, "notes.txt") {
		t.Errorf(`"dcsim run -n 5 ": %v, want sc.toml (and directories), not notes.txt`, got)
	}
	if got := complete("dcsim", "completion", ""); !slices.Equal(got, []string{"bash", "zsh", "fish"}) {
		t.Errorf(`"dcsim completion ": %v`, got)
	}
}

// TestZshCompletion: the zsh script parses, and sourcing it under
// compinit registers _dcsim as dcsim's completion.
func TestZshCompletion(t *testing.T) {
	needShell(t, "zsh")
	script := completionScript(t, "zsh")
	if out, err := exec.Command("zsh", "-n", script).CombinedOutput(); err != nil {
		t.Fatalf("zsh -n: %v\n%s", err, out)
	}
	cmd := exec.Command("zsh", "-f", "-c", `autoload -U compinit && compinit -u -D && source "$1" && print -r -- "$_comps[dcsim]"`, "zsh", script)
	cmd.Env = append(os.Environ(), "HOME="+t.TempDir())
	out, err := cmd.CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "_dcsim" {
		t.Errorf("zsh: sourcing the script under compinit: %v, dcsim completes with %q, want _dcsim", err, out)
	}
}

// TestFishCompletion: the fish script parses, and fish completes the
// commands and a command's flags from it.
func TestFishCompletion(t *testing.T) {
	needShell(t, "fish")
	script := completionScript(t, "fish")
	if out, err := exec.Command("fish", "-n", script).CombinedOutput(); err != nil {
		t.Fatalf("fish -n: %v\n%s", err, out)
	}
	complete := func(line string) string {
		out, err := exec.Command("fish", "--no-config", "-c", "source "+shQuote(script)+"; complete -C "+shQuote(line)).CombinedOutput()
		if err != nil {
			t.Fatalf("fish complete -C %q: %v\n%s", line, err, out)
		}
		return string(out)
	}
	got := complete("dcsim ")
	for _, c := range newApp(nil, nil).Commands {
		if !strings.Contains(got, c.Name+"\t") {
			t.Errorf("fish completing commands: %s missing:\n%s", c.Name, got)
		}
	}
	if got := complete("dcsim compare --"); !strings.Contains(got, "--options") || !strings.Contains(got, "--budget") || strings.Contains(got, "--index") {
		t.Errorf("fish completing compare's flags:\n%s", got)
	}
}

// TestCLIOverallIsSumAndMax: overall.csv's metrics are what results/README.md
// says — sums over the services of replications.csv in scenario order, bit
// for bit, or their maximum where the name says so.
func TestCLIOverallIsSumAndMax(t *testing.T) {
	out := filepath.Join(t.TempDir(), "r")
	cliMust(t, "run", cliScenario(t, "example"), "-n", "60", "--no-plots", "-q", "--out", out)
	all := csvRows(t, out)
	rows := all["baseline@incident"]
	if len(rows) != 60 {
		t.Fatalf("%d replications of baseline@incident, want 60", len(rows))
	}
	num := func(s string) float64 {
		x, err := strconv.ParseFloat(s, 64)
		if err != nil {
			t.Fatal(err)
		}
		return x
	}
	nonzero := 0
	for k, byService := range rows {
		var sum [3]float64
		var ttr, data float64
		for _, s := range exampleServices {
			r := byService[s]
			for i, m := range []string{"user_hours_lost", "requests_lost", "revenue_lost"} {
				sum[i] += num(r[m])
			}
			ttr = max(ttr, num(r["time_to_recover_h"]))
			data = max(data, num(r["data_lost_s"]))
		}
		o := byService["_overall"]
		for i, m := range []string{"user_hours_lost", "requests_lost", "revenue_lost"} {
			if got := num(o[m]); got != sum[i] {
				t.Errorf("replication %d: overall %s %v, services sum to %v", k, m, got, sum[i])
			}
		}
		if got := num(o["all_services_recovered_h"]); got != ttr {
			t.Errorf("replication %d: all_services_recovered_h %v, max time_to_recover_h %v", k, got, ttr)
		}
		if got := num(o["max_data_lost_s"]); got != data {
			t.Errorf("replication %d: max_data_lost_s %v, max data_lost_s %v", k, got, data)
		}
		if data > 0 && sum[0] > 0 {
			nonzero++
		}
	}
	if nonzero == 0 {
		t.Error("no replication lost data and user-hours: the test checks nothing")
	}
}

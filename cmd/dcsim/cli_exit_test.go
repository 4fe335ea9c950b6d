package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// badScenario writes a copy of example.toml with two misspelt keys, one at
// the top level of a table and one nested, and returns its path and the
// lines of the two keys.
func badScenario(t *testing.T) (path string, line1, line2 int) {
	t.Helper()
	src := string(cliReadFile(t, cliScenario(t, "example")))
	src = strings.Replace(src, "restore_crews = 2\n", "restore_crews = 2\nrestore_crewz = 3\n", 1)
	src = strings.Replace(src, "spread_probability = 0.5\n", "spread_probability = 0.5\nspred_probability = 0.1\n", 1)
	for i, l := range strings.Split(src, "\n") {
		switch {
		case strings.HasPrefix(l, "restore_crewz"):
			line1 = i + 1
		case strings.HasPrefix(l, "spred_probability"):
			line2 = i + 1
		}
	}
	if line1 == 0 || line2 == 0 {
		t.Fatal("example.toml changed: cannot plant the misspelt keys")
	}
	path = filepath.Join(t.TempDir(), "bad.toml")
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	return path, line1, line2
}

// TestCLIExitCodes checks the exit status and the message of bad input:
// each case must exit 2 (or 0 for the good ones) and name what is wrong.
func TestCLIExitCodes(t *testing.T) {
	example := cliScenario(t, "example")
	invest := cliScenario(t, "invest")
	bad, l1, l2 := badScenario(t)
	tmp := t.TempDir()
	out := func(name string) string { return filepath.Join(tmp, name) }
	cases := []struct {
		name string
		args []string
		code int
		want []string // substrings of stderr (stdout for code 0)
	}{
		{"validate bad scenario", []string{"validate", bad}, 2,
			[]string{"bad.toml:" + strconv.Itoa(l1) + ":", "operations.restore_crewz", "bad.toml:" + strconv.Itoa(l2) + ":", "sites[0].fire.spred_probability", "2 problems"}},
		{"run bad scenario", []string{"run", bad, "-n", "10", "--out", out("bad")}, 2,
			[]string{"bad.toml:" + strconv.Itoa(l1) + ":", "operations.restore_crewz", "sites[0].fire.spred_probability"}},
		{"compare bad scenario", []string{"compare", bad, "--all", "--out", out("badc")}, 2, []string{"operations.restore_crewz"}},
		{"trace bad scenario", []string{"trace", bad, "--out", out("badt")}, 2, []string{"operations.restore_crewz"}},
		{"missing file", []string{"run", filepath.Join(tmp, "nope.toml"), "--out", out("nope")}, 2, []string{"nope.toml"}},
		{"validate missing file", []string{"validate", filepath.Join(tmp, "nope.toml")}, 2, []string{"nope.toml"}},
		{"unknown flag", []string{"run", example, "--bogus", "--out", out("bogus")}, 2, []string{"bogus"}},
		{"unknown flag before the scenario", []string{"run", "--frobnicate", "3", example}, 2, []string{"frobnicate"}},
		{"unknown command", []string{"frobnicate"}, 2, []string{"frobnicate"}},
		{"no scenario", []string{"run", "--out", out("none")}, 2, []string{"SCENARIO"}},
		{"two scenarios", []string{"run", example, example, "--out", out("two")}, 2, []string{"exactly one"}},
		{"workers 0", []string{"run", example, "--workers", "0", "--out", out("w0")}, 2, []string{"--workers"}},
		{"workers -1", []string{"run", example, "-w", "-1", "--out", out("w-1")}, 2, []string{"--workers"}},
		{"replications 0", []string{"run", example, "-n", "0", "--out", out("n0")}, 2, []string{"--replications"}},
		{"replications not a number", []string{"run", example, "-n", "many", "--out", out("nx")}, 2, []string{"many"}},
		{"negative seed", []string{"run", example, "--seed", "-1", "--out", out("seed-1")}, 2, []string{"-1"}},
		{"seed beyond 64 bits", []string{"run", example, "--seed", "18446744073709551616", "--out", out("seed2^64")}, 2, []string{"18446744073709551616"}},
		{"shard 3/2", []string{"run", example, "--shard", "3/2", "--out", out("s32")}, 2, []string{"--shard", "3/2"}},
		{"shard 0/0", []string{"run", example, "--shard", "0/0", "--out", out("s00")}, 2, []string{"--shard"}},
		{"shard junk", []string{"run", example, "--shard", "half", "--out", out("sj")}, 2, []string{"--shard"}},
		{"run unknown incident", []string{"run", invest, "--incident", "meteor", "--out", out("ri")}, 2, []string{"meteor"}},
		{"compare unknown option", []string{"compare", invest, "--options", "ctl-active-active,moat", "--out", out("c1")}, 2,
			[]string{`"moat"`, "ctl-active-active", "drills"}},
		{"compare option twice", []string{"compare", invest, "--options", "drills,drills", "--out", out("c2")}, 2, []string{"drills"}},
		{"compare no options named", []string{"compare", invest, "--out", out("c3")}, 2, []string{"--all"}},
		{"compare without investments", []string{"compare", example, "--all", "--out", out("c4")}, 2, []string{"investments"}},
		{"compare bad years", []string{"compare", invest, "--all", "--years", "0", "--out", out("c5")}, 2, []string{"--years"}},
		{"compare bad discount rate", []string{"compare", invest, "--all", "--discount-rate", "-0.1", "--out", out("c6")}, 2, []string{"--discount-rate"}},
		{"compare unknown flag", []string{"compare", invest, "--all", "--optoins", "drills", "--out", out("c7")}, 2, []string{"optoins"}},
		{"trace unknown incident", []string{"trace", example, "--incident", "meteor", "--out", out("t1")}, 2, []string{"meteor"}},
		{"trace unknown option", []string{"trace", invest, "--option", "moat", "--out", out("t2")}, 2, []string{"moat"}},
		{"trace negative replication", []string{"trace", example, "--replication", "-1", "--out", out("t3")}, 2, []string{"--replication"}},
		{"merge without --out", []string{"merge", out("x"), out("y")}, 2, []string{"out"}},
		{"merge of missing directories", []string{"merge", out("x"), out("y"), "--out", out("m")}, 2, []string{out("x")}},
		{"resume of nothing", []string{"run", "--resume", out("never")}, 2, []string{out("never")}},
		{"report of nothing", []string{"report", out("never")}, 2, []string{"never"}},
		{"plot of nothing", []string{"plot", out("never")}, 2, []string{"never"}},
		{"validate good", []string{"validate", example, invest, cliScenario(t, "kakao-2022")}, 0, []string{"example.toml: ok", "invest.toml: ok", "kakao-2022.toml: ok"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := cliRun(t, c.args...)
			if r.code != c.code {
				t.Fatalf("want exit %d:\n%s", c.code, r)
			}
			text := r.stderr
			if c.code == 0 {
				text = r.stdout
			}
			for _, w := range c.want {
				if !strings.Contains(text, w) {
					t.Errorf("output does not mention %q:\n%s", w, r)
				}
			}
			if c.code != 0 && strings.Count(r.stderr, "dcsim:") == 0 {
				t.Errorf("no \"dcsim:\" error line on stderr:\n%s", r)
			}
		})
	}
	// None of the failed commands may leave an output directory behind.
	entries, _ := os.ReadDir(tmp)
	for _, e := range entries {
		t.Errorf("a failed command left %s in the output parent", e.Name())
	}
}

// TestCLIOutUnwritable: an --out that cannot be created fails at once with
// exit 2 and a message naming it, before any replication is simulated
// (5 million replications of the example take minutes).
func TestCLIOutUnwritable(t *testing.T) {
	example := cliScenario(t, "example")
	tmp := t.TempDir()
	file := filepath.Join(tmp, "afile")
	if err := os.WriteFile(file, []byte("not a directory\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, out := range []string{filepath.Join(file, "out"), filepath.Join(file, "a", "b"), file} {
		for _, cmd := range [][]string{
			{"run", example, "-n", "5000000", "--no-plots", "--out", out},
			{"compare", cliScenario(t, "invest"), "--all", "-n", "5000000", "--no-plots", "--out", out},
		} {
			start := time.Now()
			r := cliRun(t, cmd...)
			took := time.Since(start)
			if r.code != 2 {
				t.Errorf("want exit 2:\n%s", r)
				continue
			}
			if !strings.Contains(r.stderr, out) && !strings.Contains(r.stderr, file) {
				t.Errorf("the message does not name the path %s:\n%s", out, r)
			}
			if took > 3*time.Second {
				t.Errorf("took %v to refuse --out %s: it must fail before simulating", took, out)
			}
		}
	}
	if b := cliReadFile(t, file); string(b) != "not a directory\n" {
		t.Errorf("the file in the way was changed: %q", b)
	}
	entries, _ := os.ReadDir(tmp)
	if len(entries) != 1 {
		t.Errorf("refused runs left files behind: %v", entries)
	}
}

// TestCLIOutNotOurs: an existing non-empty directory that dcsim did not
// write is refused (exit 2, untouched) unless --force; an empty one and a
// previous dcsim result are replaced.
func TestCLIOutNotOurs(t *testing.T) {
	example := cliScenario(t, "example")
	tmp := t.TempDir()
	mine := filepath.Join(tmp, "theirs")
	if err := os.MkdirAll(filepath.Join(mine, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(mine, "thesis.tex"), []byte("years of work\n"), 0o644)
	os.WriteFile(filepath.Join(mine, "sub", "data.csv"), []byte("1,2\n"), 0o644)
	before := cliDirState(t, mine)

	for _, cmd := range [][]string{
		{"run", example, "-n", "20", "--no-plots", "--out", mine},
		{"compare", cliScenario(t, "invest"), "--all", "-n", "20", "--no-plots", "--out", mine},
		{"trace", example, "--out", mine},
	} {
		start := time.Now()
		r := cliRun(t, cmd...)
		if r.code != 2 {
			t.Fatalf("want exit 2:\n%s", r)
		}
		if time.Since(start) > 3*time.Second {
			t.Errorf("%s took %v to refuse", cmd[0], time.Since(start))
		}
		for _, w := range []string{mine, "force"} {
			if !strings.Contains(r.stderr, w) {
				t.Errorf("the message does not mention %q:\n%s", w, r)
			}
		}
	}
	cliSameState(t, "refused --out", before, cliDirState(t, mine))
	if cliExists(mine + ".partial") {
		t.Errorf("a refused run left %s.partial", mine)
	}

	// --force never replaces a directory dcsim did not write.
	if r := cliRun(t, "run", example, "-n", "20", "--no-plots", "-q", "--out", mine, "--force"); r.code != 2 || !strings.Contains(r.stderr, "never replaces") {
		t.Errorf("--force over a foreign directory: want exit 2 saying dcsim never replaces it:\n%s", r)
	}
	cliSameState(t, "refused --force", before, cliDirState(t, mine))

	// An empty directory and a previous result need no --force.
	empty := filepath.Join(tmp, "empty")
	os.Mkdir(empty, 0o755)
	cliMust(t, "run", example, "-n", "20", "--no-plots", "-q", "--out", empty)
	cliMust(t, "run", example, "-n", "30", "--no-plots", "-q", "--out", empty)
	if m := cliManifest(t, empty); m["replications"] != float64(30) {
		t.Errorf("second run into a dcsim directory: replications %v, want 30", m["replications"])
	}
}

// TestCLIFlagsAfterScenario: flags may follow the positional argument, and
// give exactly what the same flags in front give.
func TestCLIFlagsAfterScenario(t *testing.T) {
	example := cliScenario(t, "example")
	tmp := t.TempDir()
	a, b, c := filepath.Join(tmp, "a"), filepath.Join(tmp, "b"), filepath.Join(tmp, "c")
	cliMust(t, "run", example, "-n", "50", "--seed", "3", "--no-plots", "-q", "--out", a)
	cliMust(t, "run", "-n", "50", "--seed", "3", "--no-plots", "-q", "--out", b, example)
	cliMust(t, "run", "--out="+c, example, "--replications=50", "-q", "--seed=3", "--no-plots")
	for _, d := range []string{a, b, c} {
		m := cliManifest(t, d)
		if m["replications"] != float64(50) || m["seed"] != float64(3) {
			t.Errorf("%s: replications %v seed %v, want 50 and 3", d, m["replications"], m["seed"])
		}
	}
	cliSameFiles(t, a, b, "summary.json", "replications.csv", "overall.csv")
	cliSameFiles(t, a, c, "summary.json", "replications.csv", "overall.csv")

	// Flags after the argument work for the other commands too.
	cliMust(t, "compare", cliScenario(t, "invest"), "--all", "-n", "20", "--seed", "3", "--no-plots", "-q", "--out", filepath.Join(tmp, "cmp"))
	if m := cliManifest(t, filepath.Join(tmp, "cmp")); m["seed"] != float64(3) || m["replications"] != float64(20) {
		t.Errorf("compare with flags after the scenario: seed %v replications %v", m["seed"], m["replications"])
	}
}

// TestCLIHelp: --help for every command exits 0 and shows an example.
func TestCLIHelp(t *testing.T) {
	cmds := []string{"run", "compare", "trace", "plot", "report", "validate", "merge"}
	for _, cmd := range cmds {
		for _, args := range [][]string{{cmd, "--help"}, {cmd, "-h"}, {"help", cmd}} {
			r := cliRun(t, args...)
			if r.code != 0 {
				t.Errorf("want exit 0:\n%s", r)
				continue
			}
			if !strings.Contains(r.stdout, "Examples:") || !strings.Contains(r.stdout, "dcsim "+cmd+" ") {
				t.Errorf("help shows no example of dcsim %s:\n%s", cmd, r)
			}
		}
	}
	for _, args := range [][]string{{"--help"}, {"-h"}, {}} {
		r := cliRun(t, args...)
		if r.code != 0 || !strings.Contains(r.stdout, "Examples:") {
			t.Errorf("want exit 0 and examples:\n%s", r)
		}
		for _, cmd := range cmds {
			if !strings.Contains(r.stdout, cmd) {
				t.Errorf("top-level help does not list %s", cmd)
			}
		}
	}
	if r := cliRun(t, "--version"); r.code != 0 || !strings.Contains(r.stdout, "dcsim") {
		t.Errorf("--version:\n%s", r)
	}
}

// TestCLIHelpAfterScenario: adding --help to a command line one has typed
// ("dcsim run scenarios/example.toml --help") shows that command's help.
func TestCLIHelpAfterScenario(t *testing.T) {
	example := cliScenario(t, "example")
	var failed []string
	for _, cmd := range []string{"run", "compare", "trace", "validate"} {
		for _, args := range [][]string{{cmd, example, "--help"}, {cmd, example, "-h"}, {cmd, "--help", example}} {
			r := cliRun(t, args...)
			if r.code != 0 || !strings.Contains(r.stdout, "dcsim "+cmd+" ") {
				failed = append(failed, strings.Join(args, " ")+" → exit "+strconv.Itoa(r.code)+": "+strings.TrimSpace(r.stderr))
			}
		}
	}
	if len(failed) > 0 {
		t.Errorf("bug: help with a scenario argument fails (urfave/cli takes the argument for a help topic; permuteArgs in args.go could drop positional arguments when -h/--help is given):\n  %s",
			strings.Join(failed, "\n  "))
	}
}

// TestCLISmallGaps checks bad flag values that used to slip through: a
// negative or NaN budget, an empty --out, and a shard with no
// replications each exit 2 with a clear message, before any simulation.
func TestCLISmallGaps(t *testing.T) {
	example, invest := cliScenario(t, "example"), cliScenario(t, "invest")
	out := filepath.Join(t.TempDir(), "out")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"compare", invest, "--all", "-n", "20", "--budget", "-5", "--out", out}, "--budget"},
		{[]string{"compare", invest, "--all", "-n", "20", "--budget", "nan", "--out", out}, "--budget"},
		{[]string{"run", example, "-n", "20", "--out", ""}, "--out"},
		{[]string{"run", example, "-n", "10", "--shard", "3/1000", "--out", out}, "holds none"},
	} {
		r := cliRun(t, c.args...)
		if r.code != 2 || !strings.Contains(r.stderr, c.want) {
			t.Errorf("want exit 2 naming %q:\n%s", c.want, r)
		}
		if cliExists(out) || cliExists(out+".partial") {
			t.Errorf("a refused command wrote %s", out)
		}
	}
}

// TestCLIForceSparesWorkingAndScenarioDirs: --out naming the working
// directory or the scenario's own directory is refused even with --force,
// and nothing there changes — even when it looks like a results directory.
func TestCLIForceSparesWorkingAndScenarioDirs(t *testing.T) {
	tmp := t.TempDir()
	src, err := os.ReadFile(cliScenario(t, "example"))
	if err != nil {
		t.Fatal(err)
	}
	scenDir := filepath.Join(tmp, "scen")
	os.MkdirAll(scenDir, 0o755)
	scen := filepath.Join(scenDir, "example.toml")
	os.WriteFile(scen, src, 0o644)
	os.WriteFile(filepath.Join(scenDir, "notes.txt"), []byte("mine\n"), 0o644)
	before := cliDirState(t, scenDir)
	for _, c := range []struct{ dir, out string }{
		{tmp, scenDir},     // the scenario's directory
		{scenDir, "."},     // the working directory
		{scenDir, scenDir}, // both
		{filepath.Join(scenDir), filepath.Dir(scenDir)}, // a parent of both
	} {
		r := cliExec(t, c.dir, "run", scen, "-n", "10", "--no-plots", "-q", "--out", c.out, "--force")
		if r.code != 2 {
			t.Errorf("--out %s from %s with --force: want exit 2:\n%s", c.out, c.dir, r)
		}
	}
	cliSameState(t, "the scenario's directory", before, cliDirState(t, scenDir))
}

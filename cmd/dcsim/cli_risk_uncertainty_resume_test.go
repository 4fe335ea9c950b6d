package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// uncertaintyResumeArgs is a short risk run followed by a long uncertainty
// analysis of kakao-2022 (8 inputs): the lead search (1 evaluation), the
// tornado (17), a two-level Monte Carlo (16) and Sobol indices (4 × 10),
// 74 evaluations of 400 years each, journalled one by one.
func uncertaintyResumeArgs(t *testing.T, out string) []string {
	return []string{"risk", cliScenario(t, "kakao-2022"), "--options", "site-drills", "--years", "200", "--max-years", "200",
		"--tornado", "--uncertainty", "16", "--sobol", "4", "--inner-years", "400", "--workers", "1", "-q", "--out", out}
}

// journalLines counts the finished evaluations in dir's journal.
func journalLines(dir string) int {
	b, err := os.ReadFile(filepath.Join(dir, journalName))
	if err != nil {
		return 0
	}
	return bytes.Count(b, []byte{'\n'})
}

// TestRiskUncertaintyInterruptResume interrupts the uncertainty analysis
// with SIGINT in the two-level Monte Carlo and kills another with SIGKILL
// in the Sobol stage (leaving a torn last line, as a kill during a write
// would): each keeps its finished evaluations, uncertainty.json says the
// analysis is incomplete, a fresh run refuses the directory, and --resume
// finishes with every file byte-identical to an uninterrupted run's. A
// journal that is not the run's is refused.
func TestRiskUncertaintyInterruptResume(t *testing.T) {
	tmp := t.TempDir()
	ref := filepath.Join(tmp, "ref")
	cliMust(t, uncertaintyResumeArgs(t, ref)...)
	refFiles, err := os.ReadDir(ref)
	if err != nil {
		t.Fatal(err)
	}
	if n := journalLines(ref); n != 74 {
		t.Fatalf("the uninterrupted run journalled %d evaluations, want 74", n)
	}

	for _, c := range []struct {
		sig   os.Signal
		after int // evaluations finished before the signal
	}{{os.Interrupt, 1 + 17 + 3}, {syscall.SIGKILL, 1 + 17 + 16 + 5}} {
		t.Run(c.sig.String(), func(t *testing.T) {
			out := filepath.Join(tmp, "out-"+strings.ReplaceAll(c.sig.String(), " ", "-"))
			p := cliStart(t, tmp, uncertaintyResumeArgs(t, out)...)
			if !cliWaitFor(p, 120*time.Second, func() bool { return journalLines(out) >= c.after }) || p.exited() {
				t.Fatalf("the analysis did not reach %d evaluations, or ended first; stderr:\n%s", c.after, p.stderr.String())
			}
			code, _ := p.signalAndTime(t, c.sig)
			if c.sig == os.Interrupt && (code != 130 || !strings.Contains(p.stderr.String(), "--resume")) {
				t.Fatalf("SIGINT: exit %d, want 130 and a hint to resume\nstderr:\n%s", code, p.stderr.String())
			}
			kept := journalLines(out)
			if kept < c.after || kept >= 74 {
				t.Fatalf("%d evaluations kept; want from %d to 73", kept, c.after)
			}
			var u struct {
				Complete *bool  `json:"complete"`
				Progress string `json:"progress"`
			}
			if err := json.Unmarshal(cliReadFile(t, filepath.Join(out, "uncertainty.json")), &u); err != nil {
				t.Fatal(err)
			}
			if u.Complete == nil || *u.Complete {
				t.Fatalf("after %v uncertainty.json does not say it is incomplete", c.sig)
			}
			if c.sig == os.Interrupt && !strings.Contains(u.Progress, "two-level Monte Carlo") {
				t.Errorf("progress %q; want the two-level stage named", u.Progress)
			}
			t.Logf("%v: %d evaluations kept; %s", c.sig, kept, u.Progress)
			if c.sig == syscall.SIGKILL {
				fp, err := os.OpenFile(filepath.Join(out, journalName), os.O_APPEND|os.O_WRONLY, 0)
				if err != nil {
					t.Fatal(err)
				}
				fp.WriteString(`{"stage":"sobol","k":99,"x":[0.1`)
				fp.Close()
			}
			if r := cliRun(t, uncertaintyResumeArgs(t, out)...); r.code != 2 || !strings.Contains(r.stderr, "--resume") {
				t.Errorf("a fresh run over an interrupted analysis: want exit 2 suggesting --resume:\n%s", r)
			}
			if r := cliRun(t, "risk", "--resume", out, "--uncertainty", "8", "-q"); r.code != 2 || !strings.Contains(r.stderr, "--uncertainty") {
				t.Errorf("resume with another --uncertainty: want exit 2 naming it:\n%s", r)
			}
			r := cliMust(t, "risk", "--resume", out, "--workers", "2")
			if !strings.Contains(r.stderr, "continuing the uncertainty analysis") {
				t.Errorf("the resume does not say it continues from the journal:\n%s", r.stderr)
			}
			for _, e := range refFiles {
				name := e.Name()
				if name == "kakao-2022.toml" {
					continue
				}
				if a, b := cliReadFile(t, filepath.Join(ref, name)), cliReadFile(t, filepath.Join(out, name)); !bytes.Equal(a, b) {
					t.Errorf("%s of the resumed run differs from the uninterrupted run's: %s", name, cliFirstDiff(a, b))
				}
			}
			if r := cliRun(t, "risk", "--resume", out, "-q"); r.code != 2 || !strings.Contains(r.stderr, "complete") {
				t.Errorf("resuming a complete analysis: want exit 2:\n%s", r)
			}
		})
	}

	// A journal whose points are not the run's (another seed's, say) is
	// refused, not mixed in.
	bad := filepath.Join(tmp, "bad")
	p := cliStart(t, tmp, uncertaintyResumeArgs(t, bad)...)
	if !cliWaitFor(p, 120*time.Second, func() bool { return journalLines(bad) >= 5 }) || p.exited() {
		t.Fatalf("the analysis did not start; stderr:\n%s", p.stderr.String())
	}
	p.signalAndTime(t, os.Interrupt)
	jp := filepath.Join(bad, journalName)
	b := cliReadFile(t, jp)
	lines := bytes.SplitAfter(b, []byte{'\n'})
	var rec map[string]any
	if err := json.Unmarshal(lines[2], &rec); err != nil {
		t.Fatal(err)
	}
	rec["x"].([]any)[0] = 12345.0
	edited, _ := json.Marshal(rec)
	lines[2] = append(edited, '\n')
	if err := os.WriteFile(jp, bytes.Join(lines, nil), 0o644); err != nil {
		t.Fatal(err)
	}
	if r := cliRun(t, "risk", "--resume", bad, "-q"); r.code != 2 || !strings.Contains(r.stderr, "another point") {
		t.Errorf("a journal from another run: want exit 2 saying so:\n%s", r)
	}
}

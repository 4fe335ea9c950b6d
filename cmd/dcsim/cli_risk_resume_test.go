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

// riskResumeArgs is a risk run that doubles its years from 200 to 16,000
// (a precision it cannot reach), checkpointing after each round: long
// enough to interrupt after its first checkpoint, short enough for a test.
func riskResumeArgs(t *testing.T, out string) []string {
	return []string{"risk", cliScenario(t, "kakao-2022"), "--options", "site-drills", "--years", "200", "--max-years", "16000",
		"--precision", "0.0001", "--workers", "1", "-q", "--out", out}
}

// TestRiskInterruptResume interrupts dcsim risk with SIGINT after its first
// checkpoint and kills another with SIGKILL: each leaves finished years in
// risk.json (complete false) and ylt.csv; a fresh run refuses the
// directory, a resume with other options is refused, and --resume then
// finishes with files byte-identical to an uninterrupted run's.
func TestRiskInterruptResume(t *testing.T) {
	tmp := t.TempDir()
	ref := filepath.Join(tmp, "ref")
	cliMust(t, riskResumeArgs(t, ref)...)
	files := []string{"risk.json", "ylt.csv", "report.html", "aep.svg", "oep.svg", "kakao-2022.toml"}

	for _, sig := range []os.Signal{os.Interrupt, syscall.SIGKILL} {
		t.Run(sig.String(), func(t *testing.T) {
			out := filepath.Join(tmp, "out-"+strings.ReplaceAll(sig.String(), " ", "-"))
			p := cliStart(t, tmp, riskResumeArgs(t, out)...)
			if !cliWaitFor(p, 60*time.Second, func() bool { return cliExists(filepath.Join(out, "risk.json")) }) {
				t.Fatalf("no checkpoint appeared; stderr:\n%s", p.stderr.String())
			}
			if p.exited() {
				t.Fatalf("the run ended before it was interrupted\nstderr:\n%s", p.stderr.String())
			}
			code, _ := p.signalAndTime(t, sig)
			if sig == os.Interrupt && code != 130 {
				t.Fatalf("SIGINT: exit %d, want 130\nstderr:\n%s", code, p.stderr.String())
			}
			var f struct {
				Complete bool `json:"complete"`
				Years    int  `json:"years"`
			}
			if err := json.Unmarshal(cliReadFile(t, filepath.Join(out, "risk.json")), &f); err != nil {
				t.Fatal(err)
			}
			rows := cliReadCSV(t, filepath.Join(out, "ylt.csv"))
			if f.Complete || f.Years < 200 || f.Years >= 16000 || len(rows) != 1+2*f.Years {
				t.Fatalf("after %v: complete %v, %d years, %d rows of ylt.csv; want an incomplete prefix", sig, f.Complete, f.Years, len(rows))
			}
			t.Logf("%v: %d years kept", sig, f.Years)
			if sig == os.Interrupt && !bytes.Contains(cliReadFile(t, filepath.Join(out, "report.html")), []byte("data-incomplete")) {
				t.Error("the interrupted run's report.html lacks the incomplete warning")
			}
			if r := cliRun(t, riskResumeArgs(t, out)...); r.code != 2 || !strings.Contains(r.stderr, "--resume") {
				t.Errorf("a fresh run over an interrupted one: want exit 2 suggesting --resume:\n%s", r)
			}
			if r := cliRun(t, "risk", "--resume", out, "--years", "400", "-q"); r.code != 2 || !strings.Contains(r.stderr, "--years") {
				t.Errorf("resume with another --years: want exit 2 naming it:\n%s", r)
			}
			cliMust(t, "risk", "--resume", out, "-q", "--workers", "2")
			for _, name := range files {
				if !bytes.Equal(cliReadFile(t, filepath.Join(ref, name)), cliReadFile(t, filepath.Join(out, name))) {
					t.Errorf("%s of the resumed run differs from the uninterrupted run's", name)
				}
			}
			if r := cliRun(t, "risk", "--resume", out, "-q"); r.code != 2 || !strings.Contains(r.stderr, "complete") {
				t.Errorf("resuming a complete run: want exit 2:\n%s", r)
			}
		})
	}
}

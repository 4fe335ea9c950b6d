//go:build linux

package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/dcsim/dcsim/model/report/browser"
)

// TestReportsAsReadInChromium opens the reports dcsim writes, for a run of
// kakao-2022 (with its observed history) and for a compare with a budget,
// in headless Chromium: each page renders to a screenshot, and no two text
// boxes of any of its charts overlap as the browser lays them out. Set
// DCSIM_REPORT_OUT to keep the screenshots for a look.
func TestReportsAsReadInChromium(t *testing.T) {
	bin := browser.Path(t)
	keep := os.Getenv("DCSIM_REPORT_OUT")
	tmp := t.TempDir()
	for _, c := range []struct {
		name string
		args []string
	}{
		{"run", []string{"run", cliScenario(t, "kakao-2022"), "-n", "200", "-q"}},
		{"compare", []string{"compare", cliScenario(t, "kakao-2022"), "--all", "-n", "60", "--budget", "50e9", "-q"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			out := filepath.Join(tmp, c.name)
			cliMust(t, append(c.args, "--out", out)...)
			path := filepath.Join(out, "report.html")
			page := cliReadFile(t, path)
			r := browser.TextOverlaps(t, bin, page)
			t.Logf("%d charts, %d text boxes", r.SVGs, r.Texts)
			if r.SVGs < 3 || r.Texts < 60 {
				t.Errorf("measured %d charts and %d text boxes: too few", r.SVGs, r.Texts)
			}
			for _, o := range r.Overlaps {
				t.Errorf("%s: %q overlaps %q", o.Chart, o.A, o.B)
			}
			shotDir := t.TempDir()
			if keep != "" {
				shotDir = keep
				os.MkdirAll(shotDir, 0o755)
			}
			shot := filepath.Join(shotDir, "report-"+c.name+".png")
			os.Remove(shot)
			browser.Run(t, bin, path, "--window-size=1280,6000", "--screenshot="+shot)
			fi, err := os.Stat(shot)
			if err != nil {
				t.Fatalf("no screenshot: %v", err)
			}
			if fi.Size() < 50_000 {
				t.Errorf("screenshot %s is %d bytes: a blank page?", shot, fi.Size())
			}
		})
	}
}

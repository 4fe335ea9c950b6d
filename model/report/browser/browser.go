//go:build linux

// Package browser opens pages in headless Chromium (Debian's chromium
// package) for dcsim's tests: a screenshot, the DOM after load, the
// requests the page made, and the overlaps between the text boxes of its
// SVG charts as the browser lays them out. Tests call Path first: it
// skips the test when Chromium is not installed, unless
// DCSIM_REQUIRE_CHROMIUM=1 (as CI sets), when its absence is a failure.
// DCSIM_CHROMIUM overrides the path.
package browser

import (
	"bytes"
	"context"
	"encoding/json"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Path returns the Chromium binary, or skips (or fails) t without one.
func Path(t testing.TB) string {
	t.Helper()
	bin := "/usr/bin/chromium"
	if p := os.Getenv("DCSIM_CHROMIUM"); p != "" {
		bin = p
	}
	if _, err := os.Stat(bin); err != nil {
		if os.Getenv("DCSIM_REQUIRE_CHROMIUM") == "1" {
			t.Fatalf("DCSIM_REQUIRE_CHROMIUM=1 but %s is missing (%v): apt-get install -y chromium", bin, err)
		}
		t.Skipf("skipping browser test: %s not found (apt-get install -y chromium to run it; CI sets DCSIM_REQUIRE_CHROMIUM=1)", bin)
	}
	return bin
}

// timeout bounds each browser run; a cold start on a loaded
// 2-core machine takes a few seconds.
const timeout = 2 * time.Minute

// Run runs headless Chromium on one file with args (e.g.
// --screenshot=…), returns its stdout and the path of its net log, and
// kills its whole process group afterwards so no renderer outlives the
// test. Name resolution is disabled, so even a request that slipped
// through would not leave the machine.
func Run(t testing.TB, bin, file string, args ...string) (stdout []byte, netLog string) {
	t.Helper()
	dir := t.TempDir()
	netLog = filepath.Join(dir, "netlog.json")
	profile := filepath.Join(dir, "profile")
	all := append([]string{
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--disable-extensions", "--disable-default-apps", "--no-default-browser-check",
		"--hide-scrollbars", "--mute-audio",
		"--user-data-dir=" + profile,
		"--host-resolver-rules=MAP * ~NOTFOUND",
		"--log-net-log=" + netLog,
	}, args...)
	all = append(all, (&url.URL{Scheme: "file", Path: file}).String())

	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, all...)
	cmd.Env = append(os.Environ(), "HOME="+dir)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 10 * time.Second
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	start := time.Now()
	err := cmd.Run()
	if cmd.Process != nil {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) // stragglers of the group
	}
	t.Logf("chromium %s: %v", strings.Join(args, " "), time.Since(start).Round(time.Millisecond))
	if err != nil {
		t.Fatalf("chromium: %v (after %v)\nstderr:\n%s", err, time.Since(start), lastLines(errb.String(), 30))
	}
	return out.Bytes(), netLog
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// PageRequests returns the URLs the page itself asked the network stack
// for, from a Chromium net log. Chromium's own background requests
// (update checks, network time, account lookup) have the initiator "not an
// origin"; a page's subresource requests have the page's origin, "null"
// for a file:// page.
func PageRequests(t testing.TB, netLog string) (page []string, events int) {
	t.Helper()
	data, err := os.ReadFile(netLog)
	if err != nil {
		t.Fatalf("no net log: %v", err)
	}
	var log struct {
		Constants struct {
			LogEventTypes map[string]int `json:"logEventTypes"`
		} `json:"constants"`
		Events []struct {
			Type   int `json:"type"`
			Params struct {
				URL       string `json:"url"`
				Initiator string `json:"initiator"`
			} `json:"params"`
		} `json:"events"`
	}
	if err := json.Unmarshal(data, &log); err != nil {
		t.Fatalf("net log does not parse: %v", err)
	}
	startJob, ok := log.Constants.LogEventTypes["URL_REQUEST_START_JOB"]
	if !ok {
		t.Fatal("net log has no URL_REQUEST_START_JOB event type; its format changed")
	}
	for _, e := range log.Events {
		// The job's end event has no parameters.
		if e.Type != startJob || e.Params.URL == "" || e.Params.Initiator == "not an origin" {
			continue
		}
		page = append(page, e.Params.URL)
	}
	return page, len(log.Events)
}

// overlapScript measures, in the browser, every <text> of every <svg> of
// the page and writes the pairs whose boxes overlap, as JSON, into
// <pre id="overlaps">. Boxes are shrunk by 0.5 px on each side, so text
// that merely touches (legend rows, stacked labels) does not count.
const overlapScript = `<script>
(function () {
  var out = [];
  var svgs = document.querySelectorAll("svg");
  var texts = 0;
  for (var s = 0; s < svgs.length; s++) {
    var ts = svgs[s].querySelectorAll("text");
    var boxes = [];
    for (var i = 0; i < ts.length; i++) {
      var r = ts[i].getBoundingClientRect();
      if (r.width === 0 || ts[i].textContent.trim() === "") continue;
      boxes.push({t: ts[i].textContent, l: r.left + 0.5, r: r.right - 0.5, top: r.top + 0.5, b: r.bottom - 0.5});
    }
    texts += boxes.length;
    for (var i = 0; i < boxes.length; i++) {
      for (var j = i + 1; j < boxes.length; j++) {
        var a = boxes[i], b = boxes[j];
        if (a.l < b.r && b.l < a.r && a.top < b.b && b.top < a.b) {
          out.push({chart: svgs[s].getAttribute("aria-label") || ("svg " + s), a: a.t, b: b.t});
        }
      }
    }
  }
  var pre = document.createElement("pre");
  pre.id = "overlaps";
  pre.textContent = JSON.stringify({svgs: svgs.length, texts: texts, overlaps: out});
  document.body.appendChild(pre);
})();
</script>`

// Overlaps is what the overlap script measured: how many SVGs and text
// boxes, and each pair of overlapping boxes by chart and text.
type Overlaps struct {
	SVGs     int `json:"svgs"`
	Texts    int `json:"texts"`
	Overlaps []struct {
		Chart, A, B string
	} `json:"overlaps"`
}

var overlapPre = regexp.MustCompile(`(?s)<pre id="overlaps">(.*?)</pre>`)

// TextOverlaps opens page (an HTML report) in Chromium with the overlap
// script added and its Content-Security-Policy removed (the report itself
// allows no script), and returns what the script measured.
func TextOverlaps(t testing.TB, bin string, page []byte) Overlaps {
	t.Helper()
	if i := bytes.Index(page, []byte(`<meta http-equiv="Content-Security-Policy"`)); i >= 0 {
		j := i + bytes.IndexByte(page[i:], '>') + 1
		page = append(page[:i:i], page[j:]...)
	}
	page = bytes.Replace(page, []byte("</body>"), []byte(overlapScript+"</body>"), 1)
	path := filepath.Join(t.TempDir(), "measure.html")
	if err := os.WriteFile(path, page, 0o644); err != nil {
		t.Fatal(err)
	}
	dom, _ := Run(t, bin, path, "--window-size=1280,1000", "--dump-dom")
	m := overlapPre.FindSubmatch(dom)
	if m == nil {
		t.Fatalf("the measuring script wrote nothing; DOM %d bytes", len(dom))
	}
	var r Overlaps
	if err := json.Unmarshal([]byte(Unescape(string(m[1]))), &r); err != nil {
		t.Fatalf("measure: %v in %s", err, m[1])
	}
	return r
}

//go:build linux

package report

import (
	"bytes"
	"context"
	"encoding/json"
	"image/png"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The browser tests open the report in real headless Chromium (Debian's
// chromium package). They skip when it is not installed, unless
// DCSIM_REQUIRE_CHROMIUM=1 (as CI sets), when its absence is a failure.
// DCSIM_CHROMIUM overrides the path.

func chromiumPath(t *testing.T) string {
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

// chromiumTimeout bounds each browser run; a cold start on a loaded
// 2-core machine takes a few seconds.
const chromiumTimeout = 2 * time.Minute

// runChromium runs headless Chromium on one file with args (e.g.
// --screenshot=…), returns its stdout and the path of its net log, and
// kills its whole process group afterwards so no renderer outlives the
// test. Name resolution is disabled, so even a request that slipped
// through would not leave the machine.
func runChromium(t *testing.T, bin, file string, args ...string) (stdout []byte, netLog string) {
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

	ctx, cancel := context.WithTimeout(context.Background(), chromiumTimeout)
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

// pageRequests returns the URLs the page itself asked the network stack
// for, from a Chromium net log. Chromium's own background requests
// (update checks, network time, account lookup) have the initiator "not an
// origin"; a page's subresource requests have the page's origin, "null"
// for a file:// page.
func pageRequests(t *testing.T, netLog string) (page []string, events int) {
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

func TestHTMLInChromium(t *testing.T) {
	bin := chromiumPath(t)
	dir := outDir(t)
	path := filepath.Join(dir, "report.html")
	p := samplePage()
	if err := WriteHTML(path, p); err != nil {
		t.Fatal(err)
	}

	// One run both screenshots the page and dumps its DOM.
	shot := filepath.Join(dir, "report-screenshot.png")
	os.Remove(shot)
	dom, netLog := runChromium(t, bin, path, "--window-size=1280,5000", "--screenshot="+shot, "--dump-dom")

	t.Run("screenshot", func(t *testing.T) {
		f, err := os.Open(shot)
		if err != nil {
			t.Fatalf("no screenshot: %v", err)
		}
		defer f.Close()
		img, err := png.Decode(f)
		if err != nil {
			t.Fatalf("screenshot is not a PNG: %v", err)
		}
		if b := img.Bounds(); b.Dx() != 1280 || b.Dy() != 5000 {
			t.Errorf("screenshot is %dx%d, want 1280x5000", b.Dx(), b.Dy())
		}
		// The first 5000 px hold the headline, tables and first charts:
		// plenty of ink in many colours.
		checkNotBlank(t, img, 0.05, 8)
	})

	t.Run("dom", func(t *testing.T) {
		if !bytes.Contains(dom, []byte("<h1>Battery fire at pangyo (kakao-2022)</h1>")) {
			t.Fatalf("rendered DOM lacks the title; got %d bytes:\n%.2000s", len(dom), dom)
		}
		checkMetrics(t, dom, wantMetrics(p))
		if n := bytes.Count(dom, []byte("<svg")); n != len(p.Charts) {
			t.Errorf("rendered DOM has %d <svg>, want %d", n, len(p.Charts))
		}
		if bytes.Contains(dom, []byte("data-incomplete")) {
			t.Error("complete run shows the incomplete warning")
		}
	})

	t.Run("no requests", func(t *testing.T) {
		if reqs, _ := pageRequests(t, netLog); len(reqs) > 0 {
			t.Errorf("the report made network requests: %q", reqs)
		}
	})

	// The page's Content-Security-Policy would block any fetch before it
	// reached the network stack, hiding a stray reference from the net
	// log. So open a copy without it: the content itself must ask for
	// nothing.
	t.Run("no requests without CSP", func(t *testing.T) {
		doc, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		i := bytes.Index(doc, []byte(`<meta http-equiv="Content-Security-Policy"`))
		if i < 0 {
			t.Fatal("report has no CSP meta")
		}
		j := i + bytes.IndexByte(doc[i:], '>') + 1
		bare := filepath.Join(t.TempDir(), "report-no-csp.html")
		if err := os.WriteFile(bare, append(doc[:i:i], doc[j:]...), 0o644); err != nil {
			t.Fatal(err)
		}
		_, netLog := runChromium(t, bin, bare, "--dump-dom")
		reqs, events := pageRequests(t, netLog)
		if len(reqs) > 0 {
			t.Errorf("the report made network requests: %q", reqs)
		}
		if events == 0 {
			t.Error("empty net log: the check saw nothing")
		}
	})

	// A control: a page with one remote image must be caught, or the
	// net-log check above proves nothing.
	t.Run("control: a remote image is detected", func(t *testing.T) {
		leaky := filepath.Join(t.TempDir(), "leaky.html")
		if err := os.WriteFile(leaky, []byte(`<!DOCTYPE html><p>hi<img src="http://dcsim-test.invalid/x.png">`), 0o644); err != nil {
			t.Fatal(err)
		}
		_, netLog := runChromium(t, bin, leaky, "--dump-dom")
		reqs, _ := pageRequests(t, netLog)
		if len(reqs) != 1 || reqs[0] != "http://dcsim-test.invalid/x.png" {
			t.Errorf("net-log check found %q, want the one remote image", reqs)
		}
	})
}

func TestHTMLIncompleteInChromium(t *testing.T) {
	bin := chromiumPath(t)
	p := samplePage()
	p.Run.Complete, p.Run.Done = false, 3400
	p.Charts = p.Charts[:1]
	path := filepath.Join(t.TempDir(), "report.html")
	if err := WriteHTML(path, p); err != nil {
		t.Fatal(err)
	}
	shot := filepath.Join(t.TempDir(), "shot.png")
	dom, _ := runChromium(t, bin, path, "--window-size=1280,800", "--screenshot="+shot, "--dump-dom")
	if !bytes.Contains(dom, []byte(`role="alert" data-incomplete="true">Incomplete results`)) {
		t.Error("rendered DOM has no incomplete-results warning")
	}
	// Visible: the banner's dark orange border is drawn near the top.
	f, err := os.Open(shot)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	border := 0
	for y := 0; y < 150; y++ {
		for x := 0; x < img.Bounds().Dx(); x++ {
			r, g, b, _ := img.At(x, y).RGBA()
			if d := absDiff(r>>8, 0xb3) + absDiff(g>>8, 0x59) + absDiff(b>>8, 0x00); d < 40 {
				border++
			}
		}
	}
	if border < 500 {
		t.Errorf("only %d banner-border pixels in the top 150 px: the warning is not visible", border)
	}
}

func absDiff(a, b uint32) uint32 {
	if a > b {
		return a - b
	}
	return b - a
}

//go:build linux

package report

import (
	"bytes"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"github.com/dcsim/dcsim/model/report/browser"
)

// The browser tests open the report in real headless Chromium; see
// package browser for when they skip.

func TestHTMLInChromium(t *testing.T) {
	bin := browser.Path(t)
	dir := outDir(t)
	path := filepath.Join(dir, "report.html")
	p := samplePage()
	if err := WriteHTML(path, p); err != nil {
		t.Fatal(err)
	}

	// One run both screenshots the page and dumps its DOM.
	shot := filepath.Join(dir, "report-screenshot.png")
	os.Remove(shot)
	dom, netLog := browser.Run(t, bin, path, "--window-size=1280,5000", "--screenshot="+shot, "--dump-dom")

	t.Run("screenshot", func(t *testing.T) {
		img := readScreenshot(t, shot)
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
		if reqs, _ := browser.PageRequests(t, netLog); len(reqs) > 0 {
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
		_, netLog := browser.Run(t, bin, bare, "--dump-dom")
		reqs, events := browser.PageRequests(t, netLog)
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
		_, netLog := browser.Run(t, bin, leaky, "--dump-dom")
		reqs, _ := browser.PageRequests(t, netLog)
		if len(reqs) != 1 || reqs[0] != "http://dcsim-test.invalid/x.png" {
			t.Errorf("net-log check found %q, want the one remote image", reqs)
		}
	})
}

func TestHTMLIncompleteInChromium(t *testing.T) {
	bin := browser.Path(t)
	p := samplePage()
	p.Run.Complete, p.Run.Done = false, 3400
	p.Charts = p.Charts[:1]
	path := filepath.Join(t.TempDir(), "report.html")
	if err := WriteHTML(path, p); err != nil {
		t.Fatal(err)
	}
	shot := filepath.Join(t.TempDir(), "shot.png")
	dom, _ := browser.Run(t, bin, path, "--window-size=1280,800", "--screenshot="+shot, "--dump-dom")
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

// readScreenshot decodes the PNG Chromium wrote to path.
func readScreenshot(t *testing.T, path string) image.Image {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("no screenshot: %v", err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("screenshot is not a PNG: %v", err)
	}
	return img
}

func absDiff(a, b uint32) uint32 {
	if a > b {
		return a - b
	}
	return b - a
}

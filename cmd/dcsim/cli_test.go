package main

// End-to-end tests of the dcsim command line. Most call mainCode in-process
// (the real CLI minus os.Exit); the ones about signals, kill -9 and exit
// statuses of a real process build the binary once (dcsimBinary) and run it.
//
// Scenarios: ../../scenarios/example.toml (fast), testdata/invest.toml (the
// example with an incident frequency and two investments, for compare and
// trace --option) and testdata/slow.toml (invest.toml with frequent
// independent server failures, so a run lasts seconds while its files stay
// small: for the interrupt tests).

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// cliBuild is the binary built for the process tests, once per test run.
var cliBuild struct {
	once sync.Once
	dir  string
	path string
	err  error
}

func TestMain(m *testing.M) {
	// The flags' environment variables would change every run the tests
	// start; the tests that use them set them themselves.
	for _, v := range []string{"DCSIM_REPLICATIONS", "DCSIM_SEED", "DCSIM_WORKERS", "DCSIM_OUT", "DCSIM_QUIET"} {
		os.Unsetenv(v)
	}
	code := m.Run()
	if cliBuild.dir != "" {
		os.RemoveAll(cliBuild.dir)
	}
	os.Exit(code)
}

// cliBinary builds ./cmd/dcsim (once) and returns the binary's path. Tests
// that need a real process skip with -short.
func cliBinary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("-short: this test builds and runs the dcsim binary")
	}
	cliBuild.once.Do(func() {
		dir, err := os.MkdirTemp("", "dcsim-cli-test-")
		if err != nil {
			cliBuild.err = err
			return
		}
		cliBuild.dir = dir
		cliBuild.path = filepath.Join(dir, "dcsim")
		out, err := exec.Command("go", "build", "-o", cliBuild.path, ".").CombinedOutput()
		if err != nil {
			cliBuild.err = errors.New(err.Error() + "\n" + string(out))
		}
	})
	if cliBuild.err != nil {
		t.Fatalf("go build ./cmd/dcsim: %v", cliBuild.err)
	}
	return cliBuild.path
}

// cliScenario returns the absolute path of a scenario: "example" and
// "kakao-2022" are in ../../scenarios, anything else in testdata.
func cliScenario(t *testing.T, name string) string {
	t.Helper()
	p := filepath.Join("testdata", name+".toml")
	if name == "example" || name == "kakao-2022" {
		p = filepath.Join("..", "..", "scenarios", name+".toml")
	}
	abs, err := filepath.Abs(p)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(abs); err != nil {
		t.Fatal(err)
	}
	return abs
}

// cliResult is what one dcsim invocation did.
type cliResult struct {
	args           []string
	code           int
	stdout, stderr string
}

func (r cliResult) String() string {
	return "dcsim " + strings.Join(r.args, " ") + "\nexit " + strconv.Itoa(r.code) + "\nstdout:\n" + r.stdout + "\nstderr:\n" + r.stderr
}

// cliRun runs the CLI in-process with args (without the program name).
func cliRun(t *testing.T, args ...string) cliResult {
	t.Helper()
	var out, errb bytes.Buffer
	code := mainCode(append([]string{"dcsim"}, args...), &out, &errb)
	return cliResult{args: args, code: code, stdout: out.String(), stderr: errb.String()}
}

// cliMust runs the CLI in-process and fails the test unless it exits 0.
func cliMust(t *testing.T, args ...string) cliResult {
	t.Helper()
	r := cliRun(t, args...)
	if r.code != 0 {
		t.Fatalf("want exit 0:\n%s", r)
	}
	return r
}

// cliExec runs the built binary with args in dir to the end (at most a
// minute). Use it instead of cliRun where a command may fail while holding
// a lock on an output directory: the lock goes with the process.
func cliExec(t *testing.T, dir string, args ...string) cliResult {
	t.Helper()
	p := cliStart(t, dir, args...)
	code := p.wait(t, time.Minute)
	return cliResult{args: args, code: code, stdout: p.stdout.String(), stderr: p.stderr.String()}
}

// lockedBuffer is a bytes.Buffer that a test may read while the process
// writes to it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// cliProc is a dcsim process started by cliStart.
type cliProc struct {
	cmd            *exec.Cmd
	stdout, stderr lockedBuffer
	done           chan struct{}
	code           int    // exit status; -1 if killed by a signal
	signal         string // the signal that killed it, if any
	ended          time.Time
}

// cliStart starts the built binary with args in dir.
func cliStart(t *testing.T, dir string, args ...string) *cliProc {
	t.Helper()
	return cliStartEnv(t, dir, nil, args...)
}

// cliStartEnv is cliStart with env added to the environment.
func cliStartEnv(t *testing.T, dir string, env []string, args ...string) *cliProc {
	t.Helper()
	p := &cliProc{cmd: exec.Command(cliBinary(t), args...), done: make(chan struct{})}
	p.cmd.Dir = dir
	if env != nil {
		p.cmd.Env = append(os.Environ(), env...)
	}
	p.cmd.Stdout = &p.stdout
	p.cmd.Stderr = &p.stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		err := p.cmd.Wait()
		p.ended = time.Now()
		p.code = 0
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			p.code = ee.ExitCode()
			if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
				p.signal = ws.Signal().String()
			}
		} else if err != nil {
			p.code = -2
		}
		close(p.done)
	}()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			p.cmd.Process.Kill()
			<-p.done
		}
	})
	return p
}

// exited reports whether the process has ended.
func (p *cliProc) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// wait waits up to timeout for the process to end and returns its exit
// status; on timeout it kills the process and fails the test.
func (p *cliProc) wait(t *testing.T, timeout time.Duration) int {
	t.Helper()
	select {
	case <-p.done:
		return p.code
	case <-time.After(timeout):
		p.cmd.Process.Kill()
		<-p.done
		t.Fatalf("dcsim %s did not end within %v\nstderr:\n%s", strings.Join(p.cmd.Args[1:], " "), timeout, p.stderr.String())
		return 0
	}
}

// signalAndTime sends sig and returns the exit status and how long the
// process took to end after it.
func (p *cliProc) signalAndTime(t *testing.T, sig os.Signal) (int, time.Duration) {
	t.Helper()
	sent := time.Now()
	if err := p.cmd.Process.Signal(sig); err != nil {
		t.Fatalf("signal %v: %v", sig, err)
	}
	code := p.wait(t, 30*time.Second)
	return code, p.ended.Sub(sent)
}

// cliWaitFor polls cond every 10 ms until it holds, the process p (if not nil)
// ends, or timeout passes; it reports whether cond held.
func cliWaitFor(p *cliProc, timeout time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if cond() {
			return true
		}
		if p != nil && p.exited() {
			return cond()
		}
		time.Sleep(10 * time.Millisecond)
	}
	return cond()
}

func cliExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

func cliReadFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// cliManifest reads a manifest.json into a generic map (so that the test
// checks the field names of the contract, not the Go struct's).
func cliManifest(t *testing.T, dir string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(cliReadFile(t, filepath.Join(dir, "manifest.json")), &m); err != nil {
		t.Fatalf("%s/manifest.json: %v", dir, err)
	}
	return m
}

// cliReadCSV reads a CSV file whole.
func cliReadCSV(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return rows
}

// cliSameFiles fails the test for every named file that differs between the
// directories a and b.
func cliSameFiles(t *testing.T, a, b string, names ...string) {
	t.Helper()
	for _, n := range names {
		x, errA := os.ReadFile(filepath.Join(a, n))
		y, errB := os.ReadFile(filepath.Join(b, n))
		switch {
		case errA != nil || errB != nil:
			t.Errorf("%s: %v; %v", n, errA, errB)
		case !bytes.Equal(x, y):
			t.Errorf("%s differs between %s (%d bytes) and %s (%d bytes)%s", n, a, len(x), b, len(y), cliFirstDiff(x, y))
		}
	}
}

// cliFirstDiff describes the first line where x and y differ.
func cliFirstDiff(x, y []byte) string {
	lx, ly := strings.Split(string(x), "\n"), strings.Split(string(y), "\n")
	for i := 0; i < len(lx) && i < len(ly); i++ {
		if lx[i] != ly[i] {
			return "; first difference at line " + strconv.Itoa(i+1) + ":\n  " + cliClip(lx[i]) + "\n  " + cliClip(ly[i])
		}
	}
	return "; one is a prefix of the other"
}

func cliClip(s string) string {
	if len(s) > 200 {
		return s[:200] + "…"
	}
	return s
}

// cliDirState is every file under dir with its contents, for "untouched" checks.
func cliDirState(t *testing.T, dir string) map[string]string {
	t.Helper()
	st := map[string]string{}
	err := filepath.Walk(dir, func(path string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		if !info.IsDir() {
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(dir, path)
			st[rel] = string(b)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func cliSameState(t *testing.T, what string, before, after map[string]string) {
	t.Helper()
	for name, b := range before {
		a, ok := after[name]
		switch {
		case !ok:
			t.Errorf("%s: %s was removed", what, name)
		case a != b:
			t.Errorf("%s: %s was changed", what, name)
		}
	}
	for name := range after {
		if _, ok := before[name]; !ok {
			t.Errorf("%s: %s was added", what, name)
		}
	}
}

package results

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestWriteFileAtomicReplaces(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "f.json")
	for _, s := range []string{"first", "second, longer", "3"} {
		if err := WriteFileAtomic(p, []byte(s)); err != nil {
			t.Fatal(err)
		}
		if b, _ := os.ReadFile(p); string(b) != s {
			t.Errorf("read %q, wrote %q", b, s)
		}
	}
	fi, _ := os.Stat(p)
	if fi.Mode().Perm() != 0o644 {
		t.Errorf("mode %v, want 0644", fi.Mode().Perm())
	}
	// A failing writer leaves the old file and no temporary.
	err := WriteAtomic(p, func(w io.Writer) error {
		w.Write([]byte("partial"))
		return fmt.Errorf("boom")
	})
	if err == nil || !strings.Contains(err.Error(), p) || !strings.Contains(err.Error(), "boom") {
		t.Errorf("failing writer: error %v, want it to name %s and the cause", err, p)
	}
	if b, _ := os.ReadFile(p); string(b) != "3" {
		t.Errorf("after a failed write the file holds %q, want the old %q", b, "3")
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 1 {
		t.Errorf("directory holds %d entries after a failed write, want 1", len(ents))
	}
	// Into a directory that does not exist: a clear error.
	if err := WriteFileAtomic(filepath.Join(dir, "no", "f"), nil); err == nil || !strings.Contains(err.Error(), filepath.Join(dir, "no", "f")) {
		t.Errorf("write into a missing directory: %v", err)
	}
}

// version returns the content of version k of the file the kill test
// writes: a header naming k and a 2–3 MB body, a block of random letters
// that depends on k repeated, so that a mix of two versions or a truncated
// one is detectable, and cheap to make, so that the child spends its time
// writing.
func version(k int) []byte {
	r := rand.New(rand.NewPCG(uint64(k), 99))
	n := 2<<20 + r.IntN(1<<20)
	block := make([]byte, 4093)
	for i := range block {
		block[i] = byte('a' + r.IntN(26))
	}
	b := make([]byte, 0, n+len(block))
	b = fmt.Appendf(b, "version %d length %d\n", k, n)
	for len(b) < n {
		b = append(b, block...)
	}
	return b[:n]
}

const killChildEnv = "DCSIM_RESULTS_KILL_CHILD"

// TestKillChild is not a test: it is the child process of
// TestWriteFileAtomicSurvivesKill, which re-executes the test binary with
// killChildEnv set to the path to write. It writes ever newer versions of
// the file until it is killed.
func TestKillChild(t *testing.T) {
	path := os.Getenv(killChildEnv)
	if path == "" {
		t.Skip("child process of TestWriteFileAtomicSurvivesKill")
	}
	start, _ := strconv.Atoi(os.Getenv(killChildEnv + "_START"))
	fmt.Println("ready")
	for k := start; ; k++ {
		data := version(k)
		// Write in small pieces so that kills land mid-write.
		err := WriteAtomic(path, func(w io.Writer) error {
			for chunk := range slicesChunk(data, 64<<10) {
				if _, err := w.Write(chunk); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(3)
		}
	}
}

func slicesChunk(b []byte, n int) func(func([]byte) bool) {
	return func(yield func([]byte) bool) {
		for len(b) > 0 {
			m := min(n, len(b))
			if !yield(b[:m]) {
				return
			}
			b = b[m:]
		}
	}
}

// TestWriteFileAtomicSurvivesKill kills, with SIGKILL at random moments, a
// child process that keeps replacing a large file with WriteAtomic, and
// checks each time that the file on disk is exactly one complete version.
func TestWriteFileAtomicSurvivesKill(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns child processes")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "big.dat")
	if err := WriteFileAtomic(path, version(0)); err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 1))
	last := 0
	advanced := 0
	const kills = 8
	for i := range kills {
		cmd := exec.Command(os.Args[0], "-test.run=^TestKillChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), killChildEnv+"="+path, killChildEnv+"_START="+strconv.Itoa(last+1))
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// Wait until the child runs, then let it write for a random while.
		buf := make([]byte, 6)
		if _, err := io.ReadFull(out, buf); err != nil || string(buf) != "ready\n" {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("child did not start: %q %v\n%s", buf, err, stderr.String())
		}
		time.Sleep(time.Duration(20+r.IntN(300)) * time.Millisecond)
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		err = cmd.Wait()
		if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
			t.Fatalf("kill %d: child ended with %v, not by SIGKILL\n%s", i, err, stderr.String())
		}

		got, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("kill %d: %v", i, err)
		}
		var k, n int
		if _, err := fmt.Sscanf(string(got[:min(len(got), 64)]), "version %d length %d\n", &k, &n); err != nil {
			t.Fatalf("kill %d: file starts %q: %v", i, got[:min(len(got), 64)], err)
		}
		if k < last {
			t.Fatalf("kill %d: file holds version %d, older than version %d seen before", i, k, last)
		}
		if !bytes.Equal(got, version(k)) {
			t.Fatalf("kill %d: file claims version %d but is not exactly it (%d bytes, want %d): torn or mixed write",
				i, k, len(got), n)
		}
		if k > last {
			advanced++
		}
		last = k
	}
	if advanced == 0 {
		t.Errorf("the child never completed a write in %d runs: the test checked nothing", kills)
	}
	t.Logf("%d kills, file advanced %d times, last version %d", kills, advanced, last)
	// Kills mid-write leave temporaries; removeStaleTemps clears them.
	removeStaleTemps(dir)
	if ents, _ := os.ReadDir(dir); len(ents) != 1 {
		t.Errorf("%d entries left after removeStaleTemps, want 1", len(ents))
	}
}

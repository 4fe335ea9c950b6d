package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Bounds every hostile input must stay within: the target is any
// file up to 64 MB validated or refused in under 10 s with under 500 MB.
// The time bound is checked with a margin for a loaded 2-core machine;
// BenchmarkHostile in package model measures the real costs.
const (
	hostileMaxRSS  = 500 << 20 // bytes
	hostileMaxWall = 20 * time.Second
)

// hostileCase is one input and what dcsim validate must say about it.
type hostileCase struct {
	name string
	file string
	line int    // 0: no line
	path string // "" : no key path
	msg  string // a substring of the message
	// also lists further substrings the output must hold.
	also []string
}

var wantRE = regexp.MustCompile(`^# want: line=(\d+) path=(\S+) msg=(.+)$`)

// committedHostile reads testdata/hostile/*.toml, each saying on its first
// line what validate must report: "# want: line=N path=P msg=TEXT".
func committedHostile(t *testing.T) []hostileCase {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "hostile", "*.toml"))
	if err != nil || len(files) < 60 {
		t.Fatalf("want at least 60 files in testdata/hostile, got %d (%v)", len(files), err)
	}
	var cases []hostileCase
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		first, _, _ := strings.Cut(strings.TrimPrefix(string(b), "\ufeff"), "\n")
		m := wantRE.FindStringSubmatch(strings.TrimSuffix(first, "\r"))
		if m == nil {
			t.Fatalf("%s: first line %q is not \"# want: line=N path=P msg=TEXT\"", f, first)
		}
		c := hostileCase{name: strings.TrimSuffix(filepath.Base(f), ".toml"), file: f, path: m[2], msg: m[3]}
		fmt.Sscan(m[1], &c.line)
		if c.path == "-" {
			c.path = ""
		}
		cases = append(cases, c)
	}
	return cases
}

// generatedHostile writes the large inputs into dir: the ones that crashed
// dcsim or exhausted the machine, and inputs at and just past each limit.
func generatedHostile(t *testing.T, dir string) []hostileCase {
	t.Helper()
	var cases []hostileCase
	add := func(name, src string, line int, path, msg string, also ...string) {
		f := filepath.Join(dir, name+".toml")
		if err := os.WriteFile(f, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		cases = append(cases, hostileCase{name: name, file: f, line: line, path: path, msg: msg, also: also})
	}
	rep := strings.Repeat
	add("arrays-3M-deep", "a = "+rep("[", 3_000_000)+rep("]", 3_000_000)+"\n", 1, "a", "nested more than 32 deep")
	add("arrays-3M-deep-unclosed", "x = 1\na = "+rep("[", 3_000_000)+"\n", 2, "a", "nested more than 32 deep")
	add("arrays-100k-deep", "a = "+rep("[", 100_000)+rep("]", 100_000)+"\n", 1, "a", "nested more than 32 deep")
	add("inline-tables-20k-deep", "a = "+rep("{b = ", 20_000)+"1"+rep("}", 20_000)+"\n", 1, "a", "a key path of more than 12 parts")
	add("header-10k-parts", "x = 1\n["+strings.TrimSuffix(rep("a.", 10_000), ".")+"]\n", 2, "a.a.a.a.a.a.a.a.a.a.a.a", "more than 12 parts")
	add("key-1MB", "x = 1\n"+rep("k", 1<<20)+" = 1\n", 2, "", "a key of 1048576 bytes")
	add("empty", "", 0, "name", `missing required key "name"`)

	// A file past the size limit is refused before it is read.
	big := filepath.Join(dir, "64MB.toml")
	f, err := os.Create(big)
	if err != nil {
		t.Fatal(err)
	}
	line := []byte("x = 1\n")
	chunk := bytes.Repeat(line, 1<<16)
	for n := 0; n < 64<<20; n += len(chunk) {
		f.Write(chunk)
	}
	f.Close()
	cases = append(cases, hostileCase{name: "64MB", file: big, msg: "a scenario file may have at most 8388608"})

	// Just within the key count: every key unknown. Only 100 are printed.
	var b strings.Builder
	b.WriteString(hostileBase)
	b.WriteString("\n[operations]\n")
	first := strings.Count(hostileBase, "\n") + 3
	for i := 0; i < 240_000; i++ {
		fmt.Fprintf(&b, "unknown%d = 1\n", i)
	}
	add("240k-unknown-keys", b.String(), first, "operations.unknown0", `unknown key "unknown0"`, "… and 239900 more")

	// One key too many.
	b.Reset()
	for i := 0; i < 250_001; i++ {
		fmt.Fprintf(&b, "k%d=1\n", i)
	}
	add("250001-keys", b.String(), 250_001, "", "more than 250000 keys, table headers and array elements")

	// Headers of 12 parts each make 12 tables: 240,000 of them took 10 s
	// and 2.4 GB in the parser before each part counted as a key.
	b.Reset()
	for i := 0; i < 240_000; i++ {
		fmt.Fprintf(&b, "[a%d.b.c.d.e.f.g.h.i.j.k.l]\n", i)
	}
	add("240k-12-part-headers", b.String(), 20_834, "", "more than 250000 keys")

	// 20,000 services, one dependency misspelt: the suggestion is found
	// among names of near length, not by comparing all pairs.
	b.Reset()
	b.WriteString(strings.Replace(hostileBase, "servers = 200", "servers = 50000", 1))
	var misspelt int
	for i := 0; i < 20_000; i++ {
		dep := ""
		if i > 0 {
			dep = fmt.Sprintf("%q", fmt.Sprintf("svc%05d", i-1))
		}
		if i == 12_345 {
			dep = `"svc1234"`
			misspelt = strings.Count(b.String(), "\n") + 5
		}
		fmt.Fprintf(&b, "\n[[services]]\nname = \"svc%05d\"\nservers = 1\ndepends_on = [%s]\nplacement = [{ site = \"beta\", share = 1.0 }]\n", i, dep)
	}
	add("20k-services-one-misspelt", b.String(), misspelt, "services[12346].depends_on[0]", `unknown service "svc1234" (did you mean "svc01234"?)`)

	// A dependency cycle through 20,000 services: one bounded message.
	b.Reset()
	b.WriteString(strings.Replace(hostileBase, "servers = 200", "servers = 50000", 1))
	var last int
	for i := 0; i < 20_000; i++ {
		last = strings.Count(b.String(), "\n") + 5
		fmt.Fprintf(&b, "\n[[services]]\nname = \"c%d\"\nservers = 1\ndepends_on = [\"c%d\"]\nplacement = [{ site = \"beta\", share = 1.0 }]\n", i, (i+1)%20_000)
	}
	add("cycle-through-20k", b.String(), last, "services[20000].depends_on", "dependency cycle: c0 → c1 → c2 → c3 → c4 → c5 → … (19989 more) → ")

	// 200,000 repeats of one dependency: each flagged, checked in linear time.
	b.Reset()
	b.WriteString(hostileBase)
	b.WriteString("\n[[services]]\nname = \"rep\"\nservers = 1\nplacement = [{ site = \"beta\", share = 1.0 }]\ndepends_on = [")
	b.WriteString(strings.TrimSuffix(rep(`"ctl",`, 200_000), ","))
	b.WriteString("]\n")
	add("depends-on-200k-repeats", b.String(), strings.Count(hostileBase, "\n")+6, "services[1].depends_on[1]", `service "ctl" is listed twice`, "199999 problems", "… and 199899 more")

	// Investments whose patches would each need the whole scenario checked.
	b.Reset()
	b.WriteString(strings.Replace(hostileBase, "servers = 200", "servers = 50000", 1))
	for i := 0; i < 20_000; i++ {
		fmt.Fprintf(&b, "\n[[services]]\nname = \"s%d\"\nservers = 1\nplacement = [{ site = \"beta\", share = 1.0 }]\n", i)
	}
	invLine := strings.Count(b.String(), "\n") + 2
	for i := 0; i < 500; i++ {
		fmt.Fprintf(&b, "\n[[investments]]\nname = \"i%d\"\n[[investments.patch.services]]\nname = \"s1\"\nservers = 2\n", i)
	}
	add("500-patches-on-20k-services", b.String(), invLine, "investments", "500 investments have a patch")

	// 20,000 patched investments on a small scenario: each copied every
	// other one (4 s per 1,000), and all would be validated.
	b.Reset()
	b.WriteString(hostileBase)
	for i := 0; i < 20_000; i++ {
		fmt.Fprintf(&b, "\n[[investments]]\nname = \"i%d\"\n[[investments.patch.services]]\nname = \"ctl\"\nservers = 0\n", i)
	}
	add("20k-investments", b.String(), strings.Count(hostileBase, "\n")+2, "investments", "20000 investments; at most 1000")

	// 20,000 catalogue incidents in a site of 30,000 domains, one domain
	// misspelt: each incident's domain is looked up in one index per site.
	b.Reset()
	b.WriteString("name = \"incidents\"\n[incident]\nhazard = \"battery_fire\"\nsite = \"alpha\"\ndomain = \"d0\"\nstart = 2022-10-15T15:19:00+09:00\n")
	b.WriteString("[[sites]]\nname = \"alpha\"\ndomains = [")
	for i := 0; i < 30_000; i++ {
		fmt.Fprintf(&b, "{ name = \"d%d\", servers = 1 }, ", i)
	}
	b.WriteString("]\n[[services]]\nname = \"s\"\nservers = 1\nplacement = [{ site = \"alpha\", share = 1.0 }]\n")
	var badDomain int
	for i := 0; i < 20_000; i++ {
		dom := fmt.Sprintf("d%d", i)
		if i == 12_345 {
			dom, badDomain = "dx12345", strings.Count(b.String(), "\n")+7
		}
		fmt.Fprintf(&b, "\n[[incidents]]\nname = \"i%d\"\nfrequency = \"1/yr\"\nhazard = \"battery_fire\"\nsite = \"alpha\"\ndomain = %q\nstart = \"random\"\n", i, dom)
	}
	add("20k-incidents-30k-domains", b.String(), badDomain, "incidents[12345].domain", `unknown domain "dx12345" in site "alpha" (did you mean "d12345"?)`)
	return cases
}

// hostileBase is a valid scenario the generated cases extend.
const hostileBase = `name = "hostile"

[incident]
hazard = "battery_fire"
site = "alpha"
domain = "a1"
start = 2022-10-15T15:19:00+09:00

[[sites]]
name = "alpha"
domains = [{ name = "a1", servers = 100 }]

[[sites]]
name = "beta"
domains = [{ name = "b1", servers = 200 }]

[[services]]
name = "ctl"
servers = 10
placement = [{ site = "alpha", share = 1.0 }]
`

// TestHostileInputs runs dcsim validate on each hostile input and checks
// that it exits 2 naming the file, line and key path, within the time and
// memory bounds, without a crash.
func TestHostileInputs(t *testing.T) {
	bin := cliBinary(t)
	cases := committedHostile(t)
	if !testing.Short() {
		cases = append(cases, generatedHostile(t, t.TempDir())...)
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			cmd := exec.Command(bin, "validate", c.file)
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			start := time.Now()
			err := cmd.Run()
			wall := time.Since(start)
			out := stderr.String()
			if code := cmd.ProcessState.ExitCode(); code != 2 {
				t.Fatalf("exit %d (%v), want 2; stderr:\n%.2000s", code, err, out)
			}
			if strings.Contains(out, "goroutine ") || strings.Contains(out, "panic") {
				t.Fatalf("crashed:\n%.2000s", out)
			}
			want := c.file
			if c.line > 0 {
				want += fmt.Sprintf(":%d", c.line)
			}
			want += ": "
			if c.path != "" {
				want += c.path + ": "
			}
			if !strings.Contains(out, want+"") || !strings.Contains(out, c.msg) || !onOneLine(out, want, c.msg) {
				t.Errorf("want a line with %q and %q; stderr:\n%.3000s", want, c.msg, out)
			}
			for _, s := range c.also {
				if !strings.Contains(out, s) {
					t.Errorf("stderr lacks %q:\n%.3000s", s, out)
				}
			}
			if n := strings.Count(out, "\n"); n > 110 {
				t.Errorf("%d lines of errors; at most 100 problems are printed", n)
			}
			// KiB on Linux; it includes the test process's own resident
			// memory, which the child shared until it exec'd: an upper bound.
			rss := int64(cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss) << 10
			if rss > hostileMaxRSS {
				t.Errorf("peak RSS %d MB, want at most %d MB", rss>>20, hostileMaxRSS>>20)
			}
			if wall > hostileMaxWall {
				t.Errorf("took %v, want at most %v", wall, hostileMaxWall)
			}
			t.Logf("%v, %d MB", wall.Round(time.Millisecond), rss>>20)
		})
	}
}

// onOneLine reports whether some line of out starts its location with loc
// and holds msg.
func onOneLine(out, loc, msg string) bool {
	for _, l := range strings.Split(out, "\n") {
		if i := strings.Index(l, loc); i >= 0 && strings.Contains(l[i+len(loc):], msg) {
			return true
		}
	}
	return false
}

package model

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestPrescanIgnoresText checks that brackets, dots and long runs inside
// strings and comments count for nothing, and that the shipped scenarios
// are far inside every limit.
func TestPrescanIgnoresText(t *testing.T) {
	deep := strings.Repeat("[", 100)
	for _, src := range []string{
		`x = "` + deep + `"`,
		`x = '` + deep + `'`,
		"x = \"\"\"\n" + deep + "\n\"\"\"",
		"x = '''\n" + deep + "\n'''",
		"# " + deep + "\nx = 1",
		`x = "\"` + deep + `"`,
		"x = \"\"\"\\\"\"\"" + deep + "\"\"\"",
		`"` + strings.Repeat("a.", 100) + `" = 1`,
		"x = [\n# ]]]]\n1, # {{{{\n2]",
		"x = 1\r\ny = [\r\n1,\r\n]\r\n",
		"[a]\n[[b]]\n[[b]]\n[b.c]\n",
		"x = " + strings.Repeat("[", 32) + strings.Repeat("]", 32),
		"[" + strings.TrimSuffix(strings.Repeat("a.", 12), ".") + "]",
	} {
		if limit, bad := prescan(src); limit != nil || bad != nil {
			t.Errorf("prescan(%.60q) = %v, %v; want nothing", src, limit, bad)
		}
	}
	files, _ := filepath.Glob("../scenarios/*.toml")
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		p := &prescanner{src: string(b), line: 1, counts: map[string]int{}}
		p.document()
		if p.limit != nil || p.bad != nil || p.entries > maxEntries/100 {
			t.Errorf("%s: %v, %v, %d entries", f, p.limit, p.bad, p.entries)
		}
	}
}

// TestPrescanFindsWhatIsOpen checks the line prescan gives for each
// construct left open, whatever follows it.
func TestPrescanFindsWhatIsOpen(t *testing.T) {
	for _, c := range []struct {
		src  string
		line int
		msg  string
	}{
		{"a = 1\nb = [1,\n2\nc = 3\n", 2, "array [ opened here is never closed"},
		{"a = 1\nb = { x = 1,\ny = 2\n", 2, "inline table { opened here is never closed"},
		{"a = [[1, 2]\n\n", 1, "array [ opened here is never closed"},
		{"a = [1}\n", 1, "array [ opened here is closed by '}'"},
		{"a = {x = [1}\n", 1, "array [ opened here is closed by '}'"},
		{"a = 1\n[b\nc = 1\n", 2, "table header [… is not closed on its line"},
		{"a = 1\n[[b]\nc = 1\n", 2, "table header [[… is not closed on its line"},
		{"a = 1\n[[b # c\n", 2, "table header [[… is not closed on its line"},
		{"a = 1\nb = \"\"\"\nx\n", 2, `multi-line string """ is never closed`},
		{"a = 1\nb = '''\nx\n", 2, "multi-line string ''' is never closed"},
		{"a = \"\"\"\nx\\\"\"\"\n", 1, `multi-line string """ is never closed`},
	} {
		limit, bad := prescan(c.src)
		if limit != nil || bad == nil || bad.Line != c.line || bad.Msg != c.msg {
			t.Errorf("prescan(%q) = %v, %v; want line %d %q", c.src, limit, bad, c.line, c.msg)
		}
	}
}

// TestIndexLinesLinear checks that the line index of deeply nested arrays
// costs memory in proportion to the elements, not to elements × depth: an
// array 32 deep with n elements at the bottom allocates about as much
// per element as a flat one.
func TestIndexLinesLinear(t *testing.T) {
	alloc := func(src string) uint64 {
		var m0, m1 runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&m0)
		idx := indexLines(src)
		runtime.ReadMemStats(&m1)
		runtime.KeepAlive(idx)
		return m1.TotalAlloc - m0.TotalAlloc
	}
	elems := strings.TrimSuffix(strings.Repeat("1,", 20_000), ",")
	flat := alloc("a = [" + elems + "]")
	deep := alloc("a = " + strings.Repeat("[", 31) + "[" + elems + "]" + strings.Repeat("]", 31))
	if deep > flat*13/10 {
		t.Errorf("20,000 elements 32 deep allocate %d bytes, flat %d: the index grows with depth", deep, flat)
	}
}

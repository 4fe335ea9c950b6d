package model

import (
	"strings"
	"testing"
)

// TestIndexLines pins the line of each key path in TOML that a
// line-by-line scanner gets wrong.
func TestIndexLines(t *testing.T) {
	src := `# [[not]] a header
a = 1 # comment with ]] and =
"quoted.key" = 2
s = """
[[fake]]
x = 1
"""
lit = '''
[fake2]'''
nested = [
  [1, 2],
  [3],
]
[[ arr ]] # first
name = "x"
in = { p = 1, q = { r = [ { s = 1 },
  { s = 2 } ] } }
[arr.sub]
k = 1
[[arr]]
name = "y"
dotted.deep.key = true
[[arr.items]]
v = 1
[[arr.items]]
v = 2
[arr.items.more]
w = 3
[ arr . "sub" ]
z = "}"
multi = {
  m1 = 1,
  m2 = [
    "a",
    "b",
  ],
}
last = 1`
	want := map[string]int{
		"a":                                2,
		"quoted.key":                       3,
		"s":                                4,
		"lit":                              8,
		"nested":                           10,
		"nested[0]":                        11,
		"nested[0][1]":                     11,
		"nested[1]":                        12,
		"arr":                              14,
		"arr[0]":                           14,
		"arr[0].name":                      15,
		"arr[0].in.p":                      16,
		"arr[0].in.q.r[0].s":               16,
		"arr[0].in.q.r[1]":                 17,
		"arr[0].in.q.r[1].s":               17,
		"arr[0].sub":                       18,
		"arr[0].sub.k":                     19,
		"arr[1]":                           20,
		"arr[1].dotted":                    22,
		"arr[1].dotted.deep.key":           22,
		"arr[1].items":                     23,
		"arr[1].items[0].v":                24,
		"arr[1].items[1]":                  25,
		"arr[1].items[1].v":                26,
		"arr[1].items[1].more.w":           28,
		"arr[1].sub.z":                     30,
		"arr[1].sub.multi.m1":              32,
		"arr[1].sub.multi.m2[1]":           35,
		"arr[1].sub.last":                  38,
		"arr[1].items[1].more.nonexistent": 27, // falls back to the table
	}
	idx := indexLines(src)
	for path, ln := range want {
		if got := idx.line(path); got != ln {
			t.Errorf("line(%q) = %d, want %d", path, got, ln)
		}
	}
	for _, p := range []string{"fake", "fake2", "fake[0]", "fake[0].x", "x"} {
		if ln, ok := idx.exact(p); ok {
			t.Errorf("%q, inside a string, indexed at line %d", p, ln)
		}
	}
}

// TestIndexLinesNeverPanics feeds the scanner truncations of tricky TOML,
// which the real parser rejects but must not crash the scanner either.
func TestIndexLinesNeverPanics(t *testing.T) {
	src := "a = \"x\\\"\nb = '''\n[[c]]\nd = { e = [1, {f = \"\"\"g"
	for i := range len(src) + 1 {
		indexLines(src[:i])
	}
}

// TestCRLF checks that Windows line endings give the same issues.
func TestCRLF(t *testing.T) {
	for _, c := range badCases[2:12] {
		t.Run(c.name, func(t *testing.T) {
			src := applyEdits(t, validBase, c.edits)
			checkIssues(t, issuesOf(t, strings.ReplaceAll(src, "\n", "\r\n")), c.want)
		})
	}
}

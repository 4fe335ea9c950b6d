package model

import (
	"fmt"
	"strconv"
	"strings"
)

// Limits on the shape of a scenario file, checked by prescan before the
// TOML parser sees the text. The parser's time and memory grow with the
// nesting depth (it recurses, and stores every key's full path), with the
// number of parts in a table header, and with the number of keys; without
// these limits a 200 KB file can exhaust the machine. Real scenarios stay
// far below every one of them (the largest shipped one has 18 KB, nests 3
// deep, and its longest key path has 6 parts and 52 bytes).
// scenarios/README.md ("Limits") documents them.
const (
	// MaxFileBytes bounds the size of a scenario file (8 MiB).
	MaxFileBytes = 8 << 20
	// maxDepth bounds arrays and inline tables nested in one another.
	maxDepth = 32
	// maxKeyBytes bounds one key (one part of a dotted key or header), as
	// written, quotes included.
	maxKeyBytes = 256
	// maxKeyParts bounds the parts of a key's full path: its table
	// header, the keys of the inline tables around it and its own dotted
	// parts ("investments.patch.services.failover.manual.dist" has 6).
	maxKeyParts = 12
	// maxPathBytes bounds a key's full path: its table header, the keys of
	// the inline tables around it and its own dotted parts.
	maxPathBytes = 256
	// maxEntries bounds keys, table headers and array elements together,
	// each part of a dotted key or header counting as one (a.b.c = 1 can
	// make three tables).
	maxEntries = 250_000
)

// prescan reads TOML text in one pass, without recursion and with memory
// proportional to the array-of-tables headers, and checks the limits
// above. It does not check the grammar: it follows it far enough to tell
// keys, headers, strings, arrays and inline tables apart and to know where
// each starts, and on anything else it steps forward, so it always ends
// after at most a few passes over each byte.
//
// It returns the first limit broken, if any, and the first construct that
// is certainly malformed — an array, inline table or multi-line string
// never closed, a bracket closing the wrong construct, a table header not
// closed on its line — which parseRaw reports in place of the parser's
// message when the parser fails at or after that line.
func prescan(src string) (limit *Issue, unclosed *Issue) {
	p := &prescanner{src: src, line: 1, counts: map[string]int{}}
	p.document()
	return p.limit, p.bad
}

type prescanner struct {
	src     string
	pos     int
	line    int
	entries int
	counts  map[string]int // array-of-tables path -> elements seen
	stack   []pframe       // open arrays and inline tables
	// The key whose value is being read, for messages: its table and its
	// dotted parts (joined only when a limit is broken).
	keyTable string
	keyParts []string
	limit    *Issue
	bad      *Issue
}

// pframe is an open array ('[') or inline table ('{').
type pframe struct {
	kind byte
	line int
	path plen // the key path of the inline table, for its keys
}

// plen is the size of a key path: its bytes and its parts.
type plen struct{ bytes, parts int }

// key is the path of the top-level key whose value is being read.
func (p *prescanner) key() string {
	k := p.keyTable
	for _, part := range p.keyParts {
		k = joinKey(k, part)
	}
	return clip(k)
}

func (p *prescanner) eof() bool { return p.pos >= len(p.src) || p.limit != nil }

func (p *prescanner) at(k int) byte {
	if p.pos+k < len(p.src) {
		return p.src[p.pos+k]
	}
	return 0
}

func (p *prescanner) fail(line int, path, format string, args ...any) {
	if p.limit == nil {
		p.limit = &Issue{Line: line, Path: path, Msg: fmt.Sprintf(format, args...)}
	}
}

func (p *prescanner) malformed(line int, format string, args ...any) {
	if p.bad == nil {
		p.bad = &Issue{Line: line, Msg: fmt.Sprintf(format, args...)}
	}
}

// count counts n entries at line.
func (p *prescanner) count(line, n int) {
	p.entries += n
	if p.entries > maxEntries {
		p.fail(line, "", "more than %d keys, table headers and array elements; a scenario needs far fewer", maxEntries)
	}
}

func (p *prescanner) skipBlanks() {
	for p.pos < len(p.src) {
		switch p.src[p.pos] {
		case ' ', '\t', '\r':
			p.pos++
		default:
			return
		}
	}
}

// skipSpace skips blanks, line breaks and comments.
func (p *prescanner) skipSpace() {
	for p.pos < len(p.src) {
		switch p.src[p.pos] {
		case ' ', '\t', '\r':
			p.pos++
		case '\n':
			p.pos++
			p.line++
		case '#':
			p.skipComment()
		default:
			return
		}
	}
}

func (p *prescanner) skipComment() {
	if i := strings.IndexByte(p.src[p.pos:], '\n'); i >= 0 {
		p.pos += i
	} else {
		p.pos = len(p.src)
	}
}

// skipLine consumes the rest of the line and its newline.
func (p *prescanner) skipLine() {
	if i := strings.IndexByte(p.src[p.pos:], '\n'); i >= 0 {
		p.pos += i + 1
		p.line++
	} else {
		p.pos = len(p.src)
	}
}

func (p *prescanner) document() {
	p.src = strings.TrimPrefix(p.src, "\ufeff")
	table, tlen := "", plen{}
	for !p.eof() {
		p.skipSpace()
		if p.eof() {
			return
		}
		if p.src[p.pos] == '[' {
			table, tlen = p.header()
		} else {
			p.keyValue(table, tlen)
		}
		if !p.eof() {
			p.skipLine()
		}
	}
}

// header reads a [table] or [[array]] header and returns its path.
func (p *prescanner) header() (string, plen) {
	line := p.line
	double := p.at(1) == '['
	p.pos++
	if double {
		p.pos++
	}
	parts, ok := p.keyPath("", plen{}, line)
	if !ok {
		return "", plen{}
	}
	p.count(line, max(1, len(parts)))
	p.skipBlanks()
	closed := p.at(0) == ']' && (!double || p.at(1) == ']')
	if !closed {
		open := "["
		if double {
			open = "[["
		}
		if p.at(0) == ']' {
			p.pos++
			p.skipBlanks()
		}
		if c := p.at(0); c == '\n' || c == '#' || p.pos >= len(p.src) {
			p.malformed(line, "table header %s… is not closed on its line", open)
		}
		return "", plen{}
	}
	path := ""
	for k, part := range parts {
		path = joinKey(path, part)
		if k < len(parts)-1 {
			if c := p.counts[path]; c > 0 {
				path += "[" + strconv.Itoa(c-1) + "]"
			}
		}
	}
	if double {
		i := p.counts[path]
		p.counts[path] = i + 1
		path += "[" + strconv.Itoa(i) + "]"
	}
	return path, pathLen(plen{}, parts)
}

// keyValue reads key = value in table.
func (p *prescanner) keyValue(table string, tlen plen) {
	line := p.line
	parts, ok := p.keyPath(table, tlen, line)
	if !ok || len(parts) == 0 || p.at(0) != '=' {
		return
	}
	p.pos++
	p.count(line, len(parts))
	p.keyTable, p.keyParts = table, parts
	p.value(pathLen(tlen, parts))
}

// inlineKey, as keyPath's base, stands for the key of the inline table.
const inlineKey = "\x00"

// pathLen is the size of the path of parts below base.
func pathLen(base plen, parts []string) plen {
	n := base
	for _, part := range parts {
		if n.bytes > 0 {
			n.bytes++
		}
		n.bytes += len(part)
		n.parts++
	}
	return n
}

// keyPath reads a dotted key, checking the length of each part, the number
// of parts and the length of the whole path below base, which has baseLen
// bytes (base names it in messages; inlineKey stands for the key whose
// inline table is being read). It leaves the position after the blanks
// that follow the key.
func (p *prescanner) keyPath(base string, baseLen plen, line int) ([]string, bool) {
	var parts []string
	n := baseLen
	name := func() string {
		if base == inlineKey {
			return p.key() // the top-level key whose value is too large
		}
		if len(parts) == 0 {
			return clip(base)
		}
		return clip(joinKey(base, strings.Join(parts, ".")))
	}
	for {
		p.skipBlanks()
		start := p.pos
		switch c := p.at(0); {
		case c == '"' || c == '\'':
			p.str(false)
		case isBare(c):
			for p.pos < len(p.src) && isBare(p.src[p.pos]) {
				p.pos++
			}
		default:
			return parts, true
		}
		k := p.src[start:p.pos]
		if len(k) > maxKeyBytes {
			p.fail(line, name(), "a key of %d bytes (%s); at most %d", len(k), clip(k), maxKeyBytes)
			return nil, false
		}
		if n.parts++; n.parts > maxKeyParts {
			p.fail(line, name(), "a key path of more than %d parts (tables, inline tables and dotted keys together)", maxKeyParts)
			return nil, false
		}
		if n.bytes > 0 {
			n.bytes++ // the dot
		}
		if n.bytes += len(k); n.bytes > maxPathBytes {
			p.fail(line, name(), "a key path of more than %d bytes (tables, inline tables and dotted keys together)", maxPathBytes)
			return nil, false
		}
		parts = append(parts, strings.Trim(k, `"'`))
		p.skipBlanks()
		if p.at(0) != '.' {
			return parts, true
		}
		p.pos++
	}
}

// clip shortens s for a message.
func clip(s string) string {
	if len(s) <= 60 {
		return s
	}
	return s[:40] + "…"
}

// str reads a string; a multi-line string is allowed where multi is true.
func (p *prescanner) str(multi bool) {
	q := p.at(0)
	line := p.line
	if multi && p.at(1) == q && p.at(2) == q {
		p.pos += 3
		delim := strings.Repeat(string(q), 3)
		for {
			i := strings.IndexByte(p.src[p.pos:], q)
			if i < 0 {
				p.countLines(len(p.src))
				p.malformed(line, "multi-line string %s is never closed", delim)
				return
			}
			end := p.pos + i
			if q == '"' && escaped(p.src, end) {
				p.countLines(end + 1)
				continue
			}
			p.countLines(end)
			if strings.HasPrefix(p.src[p.pos:], delim) {
				p.pos += 3
				for k := 0; k < 2 && p.at(0) == q; k++ {
					p.pos++
				}
				return
			}
			p.pos++
		}
	}
	p.pos = lineStringEnd(p.src, p.pos, q) // unterminated: the parser says so
}

// escaped reports whether src[i] follows an odd number of backslashes.
func escaped(src string, i int) bool {
	n := 0
	for i > 0 && src[i-1] == '\\' {
		n++
		i--
	}
	return n%2 == 1
}

// countLines moves to end, counting the newlines passed.
func (p *prescanner) countLines(end int) {
	p.line += strings.Count(p.src[p.pos:end], "\n")
	p.pos = end
}

// value reads the value of the key p.keyParts, whose path has n bytes: a
// scalar, or arrays and inline tables nested to any depth, read with an
// explicit stack.
func (p *prescanner) value(n plen) {
	p.stack = p.stack[:0]
	p.skipBlanks()
	p.open(n) // the value itself
	for len(p.stack) > 0 && !p.eof() {
		top := p.stack[len(p.stack)-1]
		p.skipSpace()
		if p.pos >= len(p.src) {
			first := p.stack[0]
			p.malformed(first.line, "%s opened here is never closed", what(first.kind))
			return
		}
		switch c := p.src[p.pos]; {
		case c == ',':
			p.pos++
			continue
		case c == ']' || c == '}':
			if (c == ']') != (top.kind == '[') {
				p.malformed(top.line, "%s opened here is closed by %q", what(top.kind), c)
				return
			}
			p.pos++
			p.stack = p.stack[:len(p.stack)-1]
			continue
		}
		before := p.pos
		if top.kind == '[' {
			p.count(p.line, 1)
			p.open(top.path)
		} else {
			line := p.line
			parts, ok := p.keyPath(inlineKey, top.path, line)
			if !ok {
				return
			}
			if len(parts) > 0 && p.at(0) == '=' {
				p.pos++
				p.count(line, len(parts))
				p.skipBlanks()
				p.open(pathLen(top.path, parts))
			}
		}
		if p.pos == before {
			p.pos++ // not a value: step over it
		}
	}
}

func what(kind byte) string {
	if kind == '[' {
		return "array ["
	}
	return "inline table {"
}

// open reads a scalar value, or opens an array or inline table whose key
// path has n bytes.
func (p *prescanner) open(n plen) {
	switch c := p.at(0); c {
	case '[', '{':
		if len(p.stack) == maxDepth {
			p.fail(p.line, p.key(), "arrays and inline tables nested more than %d deep", maxDepth)
			return
		}
		p.stack = append(p.stack, pframe{kind: c, line: p.line, path: n})
		p.pos++
	case '"', '\'':
		p.str(true)
	default:
		// Number, boolean or date-time (which may contain a space).
		for p.pos < len(p.src) {
			switch p.src[p.pos] {
			case ',', ']', '}', '#', '\n', '[', '{':
				return
			}
			p.pos++
		}
	}
}

package model

import (
	"strconv"
	"strings"
)

// lineIndex maps TOML key paths, written as validation messages show them
// ("sites[0].domains[2].servers"), to the line that defines them.
//
// BurntSushi/toml keeps key positions private, so this is a small scanner of
// its own. It reads the TOML grammar far enough to know where every key and
// array element starts: [table] and [[array]] headers (counting the elements
// of each array of tables per parent, so that [sites.fire] after the second
// [[sites]] is "sites[1].fire"), dotted and quoted keys, strings of all four
// kinds (so a '[' or '=' inside a string is not mistaken for syntax), arrays
// and inline tables spanning lines (TOML 1.1 allows newlines inside inline
// tables), and comments. It runs only on text the real parser accepted and
// prescan bounded (its recursion is as deep as the nesting), and is used
// only to point at lines in messages; the values themselves come from the
// real parser. On input it does not understand it skips to the next line,
// so it always terminates.
//
// A path is stored as the 64-bit FNV-1a hash of its text, extended key by
// key as the scanner descends, so the index costs a few words per key and
// array element whatever the depth: it is linear in the file. (Storing the
// path strings would cost depth × elements.) A collision could only put a
// message on a wrong line.
type lineIndex map[uint64]int32

// hpath is a key path being built: the hash of its text and whether it is
// still empty (joinKey adds no dot to an empty path).
type hpath struct {
	h     uint64
	empty bool
}

const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

var rootPath = hpath{h: fnvOffset, empty: true}

func (p hpath) add(s string) hpath {
	h := p.h
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= fnvPrime
	}
	return hpath{h: h}
}

// key is joinKey for hashed paths.
func (p hpath) key(k string) hpath {
	if p.empty {
		return p.add(k)
	}
	return p.add(".").add(k)
}

// index appends "[i]".
func (p hpath) index(i int) hpath {
	return p.add("[").add(strconv.Itoa(i)).add("]")
}

func hashPath(s string) uint64 { return rootPath.add(s).h }

func indexLines(src string) lineIndex {
	s := &scanner{src: strings.TrimPrefix(src, "\ufeff"), line: 1, idx: lineIndex{}, counts: map[uint64]int{}}
	s.document()
	return s.idx
}

// scanner walks TOML text keeping the current line.
type scanner struct {
	src    string
	pos    int
	line   int
	idx    lineIndex
	counts map[uint64]int // array-of-tables path -> elements seen
}

func (s *scanner) eof() bool { return s.pos >= len(s.src) }

// at returns the byte k ahead of the current position, or 0 past the end.
func (s *scanner) at(k int) byte {
	if s.pos+k < len(s.src) {
		return s.src[s.pos+k]
	}
	return 0
}

// next consumes one byte, counting lines.
func (s *scanner) next() {
	if s.eof() {
		return
	}
	if s.src[s.pos] == '\n' {
		s.line++
	}
	s.pos++
}

// skipSpace skips blanks; with newlines it also skips line breaks and
// comments.
func (s *scanner) skipSpace(newlines bool) {
	for !s.eof() {
		switch c := s.src[s.pos]; {
		case c == ' ' || c == '\t' || c == '\r':
			s.pos++
		case newlines && c == '\n':
			s.next()
		case newlines && c == '#':
			for !s.eof() && s.src[s.pos] != '\n' {
				s.pos++
			}
		default:
			return
		}
	}
}

// skipLine consumes the rest of the line, including its newline.
func (s *scanner) skipLine() {
	for !s.eof() {
		c := s.src[s.pos]
		s.next()
		if c == '\n' {
			return
		}
	}
}

// record notes the line of path unless an earlier line already has it.
func (s *scanner) record(path hpath, line int) {
	if _, ok := s.idx[path.h]; !ok {
		s.idx[path.h] = int32(line)
	}
}

// recordKey records path and each enclosing dotted prefix below base, so
// that fire.suppression = "gas" also places "fire".
func (s *scanner) recordKey(base hpath, parts []string, line int) hpath {
	path := base
	for _, p := range parts {
		path = path.key(p)
		s.record(path, line)
	}
	return path
}

func (s *scanner) document() {
	prefix := rootPath
	for {
		s.skipSpace(true)
		if s.eof() {
			return
		}
		if s.src[s.pos] == '[' {
			prefix = s.header()
		} else {
			s.keyValue(prefix)
		}
		s.skipLine()
	}
}

// header reads a [table] or [[array]] header and returns the path of the
// table it opens.
func (s *scanner) header() hpath {
	line := s.line
	double := s.at(1) == '['
	s.pos++
	if double {
		s.pos++
	}
	parts := s.keyPath()
	path := rootPath
	for k, p := range parts {
		path = path.key(p)
		if k < len(parts)-1 {
			if c := s.counts[path.h]; c > 0 {
				path = path.index(c - 1)
			}
			s.record(path, line) // an implicit table such as investments[0].patch
		}
	}
	if double {
		i := s.counts[path.h]
		s.counts[path.h] = i + 1
		s.record(path, line) // the array itself: its first element
		path = path.index(i)
	}
	s.record(path, line)
	return path
}

// keyValue reads key = value under prefix.
func (s *scanner) keyValue(prefix hpath) {
	line := s.line
	parts := s.keyPath()
	if len(parts) == 0 || s.at(0) != '=' {
		return
	}
	s.pos++
	s.skipSpace(false)
	s.value(s.recordKey(prefix, parts, line))
}

// keyPath reads a dotted key such as a."b.c".d, leaving the position after
// it and the blanks that follow.
func (s *scanner) keyPath() []string {
	var parts []string
	for {
		s.skipSpace(false)
		k, ok := s.simpleKey()
		if !ok {
			return parts
		}
		parts = append(parts, k)
		s.skipSpace(false)
		if s.at(0) != '.' {
			return parts
		}
		s.pos++
	}
}

func isBare(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-'
}

func (s *scanner) simpleKey() (string, bool) {
	switch c := s.at(0); {
	case c == '"' || c == '\'':
		start := s.pos
		s.str()
		raw := s.src[start:s.pos]
		if c == '"' {
			if u, err := strconv.Unquote(raw); err == nil {
				return u, true
			}
		}
		return strings.Trim(raw, `"'`), true
	case isBare(c):
		start := s.pos
		for !s.eof() && isBare(s.src[s.pos]) {
			s.pos++
		}
		return s.src[start:s.pos], true
	}
	return "", false
}

// value reads one value whose key path is path.
func (s *scanner) value(path hpath) {
	switch s.at(0) {
	case '"', '\'':
		s.str()
	case '[':
		s.array(path)
	case '{':
		s.inlineTable(path)
	default:
		// Number, boolean or date-time (which may contain a space).
		for !s.eof() {
			switch s.src[s.pos] {
			case ',', ']', '}', '#', '\n':
				return
			}
			s.pos++
		}
	}
}

// str reads a string of any of the four kinds.
func (s *scanner) str() {
	q := s.at(0)
	if s.at(1) == q && s.at(2) == q {
		s.pos += 3
		for !s.eof() {
			c := s.src[s.pos]
			if c == '\\' && q == '"' {
				s.next()
				s.next()
				continue
			}
			if c == q && s.at(1) == q && s.at(2) == q {
				s.pos += 3
				// Up to two more quotes belong to the content.
				for k := 0; k < 2 && s.at(0) == q; k++ {
					s.pos++
				}
				return
			}
			s.next()
		}
		return
	}
	s.pos = lineStringEnd(s.src, s.pos, q)
}

// lineStringEnd returns the position after the one-line string quoted by q
// that opens at src[pos], or of the newline that ends it unterminated.
func lineStringEnd(src string, pos int, q byte) int {
	pos++
	for pos < len(src) {
		switch c := src[pos]; {
		case c == '\n':
			return pos
		case c == '\\' && q == '"':
			pos++
			if pos < len(src) && src[pos] != '\n' {
				pos++
			}
		case c == q:
			return pos + 1
		default:
			pos++
		}
	}
	return pos
}

// array reads [v, v, ...], possibly over several lines, recording each
// element as path[i].
func (s *scanner) array(path hpath) {
	s.pos++
	for i := 0; ; {
		s.skipSpace(true)
		if s.eof() {
			return
		}
		switch s.src[s.pos] {
		case ']':
			s.pos++
			return
		case ',':
			s.pos++
			continue
		}
		ep := path.index(i)
		s.record(ep, s.line)
		before := s.pos
		s.value(ep)
		i++
		if s.pos == before {
			s.next() // not a value: step over it
		}
	}
}

// inlineTable reads {k = v, ...}, possibly over several lines.
func (s *scanner) inlineTable(path hpath) {
	s.pos++
	for {
		s.skipSpace(true)
		if s.eof() {
			return
		}
		switch s.src[s.pos] {
		case '}':
			s.pos++
			return
		case ',':
			s.pos++
			continue
		}
		line := s.line
		before := s.pos
		parts := s.keyPath()
		if len(parts) > 0 && s.at(0) == '=' {
			s.pos++
			s.skipSpace(false)
			s.value(s.recordKey(path, parts, line))
		}
		if s.pos == before {
			s.next()
		}
	}
}

func joinKey(prefix, k string) string {
	if prefix == "" {
		return k
	}
	return prefix + "." + k
}

// exact returns the line of path itself, if the file defines it.
func (idx lineIndex) exact(path string) (int, bool) {
	ln, ok := idx[hashPath(path)]
	return int(ln), ok
}

// line returns the line of path, or of its nearest enclosing key that has
// one, or 0.
func (idx lineIndex) line(path string) int {
	for path != "" {
		if ln, ok := idx[hashPath(path)]; ok {
			return int(ln)
		}
		i := strings.LastIndexAny(path, ".[")
		if i < 0 {
			break
		}
		path = path[:i]
	}
	return 0
}

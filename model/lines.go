package model

import (
	"strconv"
	"strings"
)

// lineIndex maps TOML key paths, written as validation messages show them
// ("sites[0].domains[2].servers"), to the line that defines them.
//
// BurntSushi/toml keeps key positions private, so this is a small scanner of
// its own: it follows [table] and [[array]] headers, counting array elements
// per parent, and records each `key = value` line, including the keys of
// one-line inline tables. It is used only to point at lines in messages; the
// values themselves come from the real TOML parser.
type lineIndex map[string]int

func indexLines(src string) lineIndex {
	idx := lineIndex{}
	counts := map[string]int{} // array path -> elements seen
	prefix := ""
	inMulti := "" // closing delimiter of a multi-line string, if inside one
	for n, line := range strings.Split(src, "\n") {
		ln := n + 1
		t := strings.TrimSpace(line)
		if inMulti != "" {
			if strings.Contains(t, inMulti) {
				inMulti = ""
			}
			continue
		}
		if t == "" || t[0] == '#' {
			continue
		}
		if strings.HasPrefix(t, "[[") {
			name := strings.TrimSpace(strings.TrimSuffix(strings.SplitN(t[2:], "]]", 2)[0], "]]"))
			path := resolveArrayPath(name, counts)
			i := counts[path]
			counts[path] = i + 1
			prefix = path + "[" + strconv.Itoa(i) + "]"
			if _, ok := idx[prefix]; !ok {
				idx[prefix] = ln
			}
			continue
		}
		if t[0] == '[' {
			name := strings.TrimSpace(strings.SplitN(t[1:], "]", 2)[0])
			prefix = resolveArrayPath(name, counts)
			if _, ok := idx[prefix]; !ok {
				idx[prefix] = ln
			}
			continue
		}
		key, rest, ok := strings.Cut(t, "=")
		if !ok {
			continue
		}
		key = joinKey(prefix, normKey(key))
		if _, seen := idx[key]; !seen {
			idx[key] = ln
		}
		rest = strings.TrimSpace(rest)
		for _, d := range []string{`"""`, `'''`} {
			if strings.HasPrefix(rest, d) && !strings.Contains(rest[3:], d) {
				inMulti = d
			}
		}
		if strings.HasPrefix(rest, "{") {
			indexInline(idx, key, rest, ln)
		}
		if strings.HasPrefix(rest, "[") {
			// An array of inline tables on one line: key[i].sub.
			i := 0
			for _, part := range splitTop(strings.TrimSuffix(strings.TrimPrefix(rest, "["), "]")) {
				part = strings.TrimSpace(part)
				if strings.HasPrefix(part, "{") {
					p := key + "[" + strconv.Itoa(i) + "]"
					idx[p] = ln
					indexInline(idx, p, part, ln)
				}
				if part != "" {
					i++
				}
			}
		}
	}
	return idx
}

// resolveArrayPath turns a dotted header name such as "sites.domains" into
// the indexed path of the current element of each enclosing array, e.g.
// "sites[1].domains".
func resolveArrayPath(name string, counts map[string]int) string {
	parts := strings.Split(name, ".")
	path := ""
	for k, p := range parts {
		path = joinKey(path, normKey(p))
		if k < len(parts)-1 {
			if c, ok := counts[path]; ok && c > 0 {
				path += "[" + strconv.Itoa(c-1) + "]"
			}
		}
	}
	return path
}

func indexInline(idx lineIndex, prefix, s string, ln int) {
	s = strings.TrimSpace(s)
	s = strings.TrimPrefix(s, "{")
	if j := strings.LastIndex(s, "}"); j >= 0 {
		s = s[:j]
	}
	for _, part := range splitTop(s) {
		k, v, ok := strings.Cut(part, "=")
		if !ok {
			continue
		}
		p := joinKey(prefix, normKey(k))
		idx[p] = ln
		if v = strings.TrimSpace(v); strings.HasPrefix(v, "{") {
			indexInline(idx, p, v, ln)
		}
	}
}

// splitTop splits s at commas that are not inside brackets, braces or quotes.
func splitTop(s string) []string {
	var out []string
	depth, start := 0, 0
	var quote byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '{' || c == '[':
			depth++
		case c == '}' || c == ']':
			depth--
		case c == ',' && depth == 0:
			out = append(out, s[start:i])
			start = i + 1
		case c == '#' && depth == 0:
			out = append(out, s[start:i])
			return out
		}
	}
	return append(out, s[start:])
}

func normKey(k string) string {
	parts := strings.Split(strings.TrimSpace(k), ".")
	for i, p := range parts {
		parts[i] = strings.Trim(strings.TrimSpace(p), `"'`)
	}
	return strings.Join(parts, ".")
}

func joinKey(prefix, k string) string {
	if prefix == "" {
		return k
	}
	return prefix + "." + k
}

// line returns the line of path, or of its nearest enclosing key that has
// one, or 0.
func (idx lineIndex) line(path string) int {
	for path != "" {
		if ln, ok := idx[path]; ok {
			return ln
		}
		i := strings.LastIndexAny(path, ".[")
		if i < 0 {
			break
		}
		path = path[:i]
	}
	return 0
}

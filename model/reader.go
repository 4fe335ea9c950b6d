package model

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
)

// reader walks a decoded TOML document, converting values and collecting
// issues instead of stopping at the first.
type reader struct {
	file   string
	lines  lineIndex
	issues []Issue
	// more counts issues beyond maxIssues, found but not kept.
	more int
	// suggestLeft is the budget for suggestions (suggest.go).
	suggestLeft int
	workSet     bool
	// domains caches each site's domain index (scale.go).
	domains map[int]map[string]int
	// groups maps each service group's name to its members
	// (load_groups.go).
	groups map[string][]int
	// uncertain collects the scalar keys and distribution parameters
	// written as distributions (uncertainNonNeg, uncertainParam), for
	// Scenario.Uncertain.
	uncertain []UncertainValue
	// values sets uncertain distribution parameters, by key, in a
	// scenario rebuilt at a point of the inputs (Scenario.At); a
	// parameter not in it takes its distribution's mean.
	values map[string]float64
	// inUncertain is above 0 while reading a distribution that is itself
	// what is known of a value (an uncertain frequency, cost or
	// parameter): its parameters must be plain.
	inUncertain int
}

func (r *reader) errf(path, format string, args ...any) {
	if len(r.issues) == maxIssues {
		r.more++
		return
	}
	r.issues = append(r.issues, Issue{File: r.file, Path: path, Line: r.lines.line(path), Msg: fmt.Sprintf(format, args...)})
}

// maxIssues bounds the issues kept in memory; the rest are only counted.
// Far fewer are printed (maxPrinted).
const maxIssues = 10_000

// maxPrinted is how many issues a ValidationError prints; it says how many
// more there are.
const maxPrinted = 100

// table is one TOML table being read; done reports the keys nobody asked for.
type table struct {
	r    *reader
	path string
	// named is path with elements of arrays of tables picked by their
	// name where they have one (sites[pangyo].fire rather than
	// sites[0].fire): how uncertain parameters are named.
	named string
	m     map[string]any
	used  map[string]bool
	// knownKeys lists every key asked for, present or not, for suggestions.
	knownKeys []string
}

func (r *reader) table(path string, v any) *table {
	t := &table{r: r, path: path, named: path, used: map[string]bool{}}
	switch m := v.(type) {
	case map[string]any:
		t.m = m
	case nil:
		t.m = map[string]any{}
	default:
		r.errf(path, "want a table, got %s", tomlType(v))
		t.m = map[string]any{}
	}
	return t
}

func (t *table) sub(key string) string { return joinKey(t.path, key) }

func (t *table) has(key string) bool {
	_, ok := t.m[key]
	return ok
}

func (t *table) get(key string) (any, bool) {
	t.knownKeys = append(t.knownKeys, key)
	v, ok := t.m[key]
	if ok {
		t.used[key] = true
	}
	return v, ok
}

// done reports unknown keys, each with a suggestion when one is close.
func (t *table) done() {
	var unknown []string
	for k := range t.m {
		if !t.used[k] {
			unknown = append(unknown, k)
		}
	}
	sort.Strings(unknown)
	for _, k := range unknown {
		t.r.errf(t.sub(k), "unknown key %q%s", k, t.r.suggest(k, t.knownKeys))
	}
}

// knownKeys is filled by expect; done uses it for suggestions.
func (t *table) expect(keys ...string) *table {
	t.knownKeys = append(t.knownKeys, keys...)
	for _, k := range keys {
		if _, ok := t.m[k]; ok {
			t.used[k] = true
		}
	}
	return t
}

func tomlType(v any) string {
	switch v.(type) {
	case string:
		return "a string"
	case int64:
		return "an integer"
	case float64:
		return "a float"
	case bool:
		return "a boolean"
	case []any, []map[string]any:
		return "an array"
	case map[string]any:
		return "a table"
	case time.Time:
		return "a datetime"
	}
	return fmt.Sprintf("%T", v)
}

func (t *table) str(key, def string) string {
	v, ok := t.get(key)
	if !ok {
		return def
	}
	s, ok := v.(string)
	if !ok {
		t.r.errf(t.sub(key), "want a string, got %s", tomlType(v))
		return def
	}
	return s
}

// name reads the required, non-empty "name" of a table.
func (t *table) name() string {
	if !t.required("name") {
		return ""
	}
	s := t.str("name", "")
	if _, isStr := t.m["name"].(string); isStr && strings.TrimSpace(s) == "" {
		t.r.errf(t.sub("name"), "must not be empty")
	}
	if len(s) > MaxNameBytes {
		t.r.errf(t.sub("name"), "a name of %d bytes; at most %d", len(s), MaxNameBytes)
		return s[:MaxNameBytes]
	}
	return s
}

// MaxNameBytes bounds every name: of the scenario and its investments,
// which name directories (most file systems allow 255 bytes), and of
// sites, domains and services, which appear in every table dcsim prints.
const MaxNameBytes = 200

func (t *table) required(key string) bool {
	t.knownKeys = append(t.knownKeys, key)
	if _, ok := t.m[key]; !ok {
		t.r.errf(t.sub(key), "missing required key %q", key)
		return false
	}
	return true
}

func (t *table) enum(key, def string, allowed ...string) string {
	s := t.str(key, def)
	for _, a := range allowed {
		if s == a {
			return s
		}
	}
	if _, ok := t.m[key]; ok {
		if _, isStr := t.m[key].(string); isStr {
			t.r.errf(t.sub(key), "%q is not one of %s%s", s, strings.Join(allowed, ", "), t.r.suggest(s, allowed))
		}
	}
	return def
}

func (t *table) boolean(key string, def bool) bool {
	v, ok := t.get(key)
	if !ok {
		return def
	}
	b, ok := v.(bool)
	if !ok {
		t.r.errf(t.sub(key), "want true or false, got %s", tomlType(v))
		return def
	}
	return b
}

func (t *table) number(key string, def float64) float64 {
	v, ok := t.get(key)
	if !ok {
		return def
	}
	switch x := v.(type) {
	case int64:
		return float64(x)
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			t.r.errf(t.sub(key), "want a finite number, got %v", x)
			return def
		}
		return x
	}
	t.r.errf(t.sub(key), "want a number, got %s", tomlType(v))
	return def
}

// nonNeg reads a number ≥ 0.
func (t *table) nonNeg(key string, def float64) float64 {
	x := t.number(key, def)
	if x < 0 {
		t.r.errf(t.sub(key), "must not be negative, got %v", x)
		return def
	}
	return x
}

// positive reads a number > 0.
func (t *table) positive(key string, def float64) float64 {
	x := t.number(key, def)
	if !(x > 0) {
		t.r.errf(t.sub(key), "must be positive, got %v", x)
		return def
	}
	return x
}

// seed reads a seed, a whole number from 0 to 2^64-1, exactly. TOML
// integers stop at 2^63-1, so a larger seed is written as a string of
// decimal digits ("18446744073709551615"); a float is accepted only below
// 2^53: from there on it no longer holds every whole number, so
// 9007199254740993.0 would silently become 9007199254740992.
func (t *table) seed(key string, def uint64) uint64 {
	v, ok := t.get(key)
	if !ok {
		return def
	}
	const rangeMsg = "must be a whole number between 0 and 2^64-1 (18446744073709551615)"
	switch x := v.(type) {
	case int64:
		if x < 0 {
			t.r.errf(t.sub(key), "%s, got %d", rangeMsg, x)
			return def
		}
		return uint64(x)
	case float64:
		switch {
		case x != math.Trunc(x) || x < 0:
			t.r.errf(t.sub(key), "%s, got %v", rangeMsg, x)
		case x >= 1<<53:
			t.r.errf(t.sub(key), "%v is a float, which cannot hold every whole number from 2^53 on; write the seed as an integer (up to 2^63-1) or as a string of digits such as \"18446744073709551615\"", x)
		default:
			return uint64(x)
		}
		return def
	case string:
		n, err := strconv.ParseUint(strings.TrimSpace(x), 10, 64)
		if err != nil {
			t.r.errf(t.sub(key), "%s, got %q", rangeMsg, x)
			return def
		}
		return n
	}
	t.r.errf(t.sub(key), "want a whole number, got %s", tomlType(v))
	return def
}

// maxCount bounds every count (servers, crews, replications, sizes): the
// model holds server counts in int32.
const maxCount = math.MaxInt32

// count reads a non-negative integer (a float with no fraction, such as
// 2.0 or 1e3, is accepted).
func (t *table) count(key string, def int) int {
	v, ok := t.get(key)
	if !ok {
		return def
	}
	var x float64
	switch n := v.(type) {
	case int64:
		x = float64(n)
	case float64:
		if n != math.Trunc(n) || math.IsInf(n, 0) {
			t.r.errf(t.sub(key), "want a whole number, got %v", n)
			return def
		}
		x = n
	default:
		t.r.errf(t.sub(key), "want a whole number, got %s", tomlType(v))
		return def
	}
	if x < 0 {
		t.r.errf(t.sub(key), "must not be negative, got %v", v)
		return def
	}
	if x > maxCount {
		t.r.errf(t.sub(key), "is implausibly large (%v; at most %d)", v, maxCount)
		return def
	}
	return int(x)
}

// prob reads a probability in [0, 1]; "5%" strings are accepted too.
func (t *table) prob(key string, def float64) float64 {
	t.knownKeys = append(t.knownKeys, key)
	v, ok := t.m[key]
	if !ok {
		t.used[key] = true
		return def
	}
	if s, isStr := v.(string); isStr {
		t.used[key] = true
		p, err := parsePercent(s)
		if err != nil {
			t.r.errf(t.sub(key), "%v", err)
			return def
		}
		v = p
	}
	var x float64
	switch n := v.(type) {
	case float64:
		x = n
	case int64:
		x = float64(n)
	default:
		t.used[key] = true
		t.r.errf(t.sub(key), "want a probability between 0 and 1, got %s", tomlType(v))
		return def
	}
	t.used[key] = true
	if !(x >= 0 && x <= 1) {
		t.r.errf(t.sub(key), "probability must be between 0 and 1, got %v", x)
		return def
	}
	return x
}

func parsePercent(s string) (float64, error) {
	str := strings.TrimSpace(s)
	if !strings.HasSuffix(str, "%") {
		return 0, fmt.Errorf("want a number between 0 and 1 or a percentage like \"5%%\", got %q", s)
	}
	x, err := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(str, "%")), 64)
	if err != nil {
		return 0, fmt.Errorf("malformed percentage %q", s)
	}
	return x / 100, nil
}

func (t *table) duration(key string, def float64) float64 {
	v, ok := t.get(key)
	if !ok {
		return def
	}
	s, ok := v.(string)
	if !ok {
		if n, isNum := v.(int64); isNum {
			t.r.errf(t.sub(key), "duration %d has no unit; write e.g. \"%dh\" or \"%dm\"", n, n, n)
		} else if f, isF := v.(float64); isF {
			t.r.errf(t.sub(key), "duration %v has no unit; write e.g. \"%vh\" or \"%vm\"", f, f, f)
		} else {
			t.r.errf(t.sub(key), "want a duration such as \"8h\", got %s", tomlType(v))
		}
		return def
	}
	h, err := ParseDuration(s)
	if err != nil {
		t.r.errf(t.sub(key), "%v", err)
		return def
	}
	return h
}

func (t *table) rate(key string, def float64) float64 {
	v, ok := t.get(key)
	if !ok {
		return def
	}
	s, ok := v.(string)
	if !ok {
		t.r.errf(t.sub(key), "want a rate such as \"0.002/yr\" or \"2000/h\", got %s", tomlType(v))
		return def
	}
	x, err := ParseRate(s)
	if err != nil {
		t.r.errf(t.sub(key), "%v", err)
		return def
	}
	return x
}

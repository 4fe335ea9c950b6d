package model

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"
)

// SweepAxis is one swept scenario key and the values it takes, as written
// on the command line (--set KEY=V1,V2,…).
type SweepAxis struct {
	Key    string   // key path, e.g. "sites[pangyo].crews"
	Texts  []string // each value as written
	Values []any    // each value as TOML reads it
}

// maxSweepPoints bounds a sweep grid: every point is simulated in every
// replication.
const maxSweepPoints = 256

// ParseSweepAxis reads "KEY=V1,V2,…". KEY is a key path: table keys joined
// by dots, and [NAME] after an array of tables to pick the element with
// that name (sites[pangyo].domains[b3-a].ups_minutes). Each value is a TOML
// value (2, 0.5, true, "8h", {dist = "lognormal", median = "8h", p95 =
// "20h"}); a bare word that is not one (8h, hot) is read as a string.
// Commas inside quotes, braces or brackets do not split values.
func ParseSweepAxis(s string) (SweepAxis, error) {
	key, vals, ok := strings.Cut(s, "=")
	key = strings.TrimSpace(key)
	if !ok || key == "" || strings.TrimSpace(vals) == "" {
		return SweepAxis{}, fmt.Errorf("%q: write KEY=V1,V2,… (e.g. sites[pangyo].crews=2,4,8)", s)
	}
	if _, err := keyPatch(key, 0); err != nil {
		return SweepAxis{}, err
	}
	ax := SweepAxis{Key: key}
	for _, t := range splitTopLevel(vals) {
		t = strings.TrimSpace(t)
		if t == "" {
			return SweepAxis{}, fmt.Errorf("%s: empty value in %q", key, vals)
		}
		var doc map[string]any
		var v any = t
		if _, err := toml.Decode("v = "+t, &doc); err == nil {
			v = doc["v"]
		} else if strings.ContainsAny(t, "{}[]\"'") {
			return SweepAxis{}, fmt.Errorf("%s: value %s is not valid TOML: %v", key, t, err)
		}
		ax.Texts = append(ax.Texts, t)
		ax.Values = append(ax.Values, v)
	}
	seen := map[string]bool{}
	for _, t := range ax.Texts {
		if seen[t] {
			return SweepAxis{}, fmt.Errorf("%s: value %s listed twice", key, t)
		}
		seen[t] = true
	}
	return ax, nil
}

// splitTopLevel splits s at commas outside quotes, braces and brackets.
func splitTopLevel(s string) []string {
	var out []string
	depth, start := 0, 0
	var quote byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			if c == '\\' && quote == '"' {
				i++
			} else if c == quote {
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
		}
	}
	return append(out, s[start:])
}

// keyPatch turns a key path and a value into an overlay patch:
// "sites[pangyo].crews" and 4 give {sites = [{name = "pangyo", crews = 4}]},
// which applyPatch merges into the element named pangyo.
func keyPatch(path string, v any) (map[string]any, error) {
	segs := strings.Split(path, ".")
	var build func(i int) (map[string]any, error)
	build = func(i int) (map[string]any, error) {
		seg := segs[i]
		key, sel, hasSel := strings.Cut(seg, "[")
		if hasSel {
			if !strings.HasSuffix(sel, "]") || strings.ContainsAny(strings.TrimSuffix(sel, "]"), "[]") {
				return nil, fmt.Errorf("key %q: %q: write KEY[NAME] to pick an element by name", path, seg)
			}
			sel = strings.TrimSuffix(sel, "]")
			if sel == "" {
				return nil, fmt.Errorf("key %q: %q names no element", path, seg)
			}
		}
		if key == "" {
			return nil, fmt.Errorf("key %q has an empty part", path)
		}
		if i == 0 && key == "investments" {
			return nil, fmt.Errorf("key %q: sweep scenario keys, not investments (compare them with dcsim compare)", path)
		}
		var inner any = v
		if i < len(segs)-1 {
			m, err := build(i + 1)
			if err != nil {
				return nil, err
			}
			inner = m
		} else if hasSel {
			return nil, fmt.Errorf("key %q ends at an element; name a key inside it, e.g. %s.crews", path, path)
		}
		if !hasSel {
			return map[string]any{key: inner}, nil
		}
		elem, ok := inner.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("key %q: %q", path, seg)
		}
		elem["name"] = sel
		return map[string]any{key: []any{elem}}, nil
	}
	return build(0)
}

// SweepPoint is one point of a sweep grid.
type SweepPoint struct {
	Label    string   // "sites[pangyo].crews=4; operations.restore_crews=2"
	Texts    []string // the value of each axis, as written
	Scenario *Scenario
}

// Sweep returns the grid of the axes — every combination, the first axis
// varying slowest — each point the scenario with those values set. An
// unknown key or a value the scenario cannot take is an error naming the
// point and the key.
func (sc *Scenario) Sweep(axes []SweepAxis) ([]SweepPoint, error) {
	if len(axes) == 0 {
		return nil, fmt.Errorf("nothing to sweep: give --set KEY=V1,V2,…")
	}
	n := 1
	seen := map[string]bool{}
	for _, ax := range axes {
		if seen[ax.Key] {
			return nil, fmt.Errorf("key %s is swept twice", ax.Key)
		}
		seen[ax.Key] = true
		n *= len(ax.Values)
		if n > maxSweepPoints {
			return nil, fmt.Errorf("the sweep has more than %d points; sweep fewer values", maxSweepPoints)
		}
	}
	var pts []SweepPoint
	idx := make([]int, len(axes))
	for range n {
		raw := deepCopy(sc.raw).(map[string]any)
		delete(raw, "investments")
		var parts, texts []string
		for a, ax := range axes {
			patch, err := keyPatch(ax.Key, deepCopy(ax.Values[idx[a]]))
			if err != nil {
				return nil, err
			}
			var problems []string
			applyPatch(raw, patch, "", &problems)
			label := ax.Key + "=" + ax.Texts[idx[a]]
			if len(problems) > 0 {
				_, msg, _ := strings.Cut(problems[0], "\x00")
				return nil, fmt.Errorf("%s: %s", label, strings.TrimSuffix(msg, " (add new = true to add one)"))
			}
			parts = append(parts, label)
			texts = append(texts, ax.Texts[idx[a]])
		}
		label := strings.Join(parts, "; ")
		v, err := build(sc.File, sc.Source, raw, sc.lines)
		if err != nil {
			return nil, fmt.Errorf("sweep point %s: %w", label, err)
		}
		if err := sameServices(sc, v); err != nil {
			return nil, fmt.Errorf("sweep point %s: %w", label, err)
		}
		v.Investments = sc.Investments
		pts = append(pts, SweepPoint{Label: label, Texts: texts, Scenario: v})
		for a := len(axes) - 1; a >= 0; a-- {
			idx[a]++
			if idx[a] < len(axes[a].Values) {
				break
			}
			idx[a] = 0
		}
	}
	return pts, nil
}

// SweepNumber returns the value written t as a number for plotting: a
// TOML number, or a duration (hours) or rate (per hour) with units; ok is
// false for anything else.
func SweepNumber(t string) (x float64, ok bool) {
	if f, err := strconv.ParseFloat(strings.ReplaceAll(t, "_", ""), 64); err == nil {
		return f, true
	}
	s := strings.Trim(t, "\"'")
	if h, err := ParseDuration(s); err == nil {
		return h, true
	}
	if r, err := ParseRate(s); err == nil {
		return r, true
	}
	return 0, false
}

package model

import "fmt"

// item is one string of an array and its index there.
type item struct {
	k int
	s string
}

// items reads an array of strings, keeping each one's index so that
// messages about it name the right element.
func (t *table) items(key string) []item {
	v, ok := t.get(key)
	if !ok {
		return nil
	}
	arr, ok := v.([]any)
	if !ok {
		if s, isStr := v.(string); isStr {
			t.r.errf(t.sub(key), "want an array of strings; write [%q]", s)
		} else {
			t.r.errf(t.sub(key), "want an array of strings, got %s", tomlType(v))
		}
		return nil
	}
	out := make([]item, 0, len(arr))
	for i, e := range arr {
		s, ok := e.(string)
		if !ok {
			t.r.errf(fmt.Sprintf("%s[%d]", t.sub(key), i), "want a string, got %s", tomlType(e))
			continue
		}
		out = append(out, item{i, s})
	}
	return out
}

func (t *table) floats(key string) []float64 {
	v, ok := t.get(key)
	if !ok {
		return nil
	}
	arr, ok := v.([]any)
	if !ok {
		t.r.errf(t.sub(key), "want an array of numbers, got %s", tomlType(v))
		return nil
	}
	out := make([]float64, 0, len(arr))
	for i, e := range arr {
		switch n := e.(type) {
		case float64:
			out = append(out, n)
		case int64:
			out = append(out, float64(n))
		default:
			t.r.errf(fmt.Sprintf("%s[%d]", t.sub(key), i), "want a number, got %s", tomlType(e))
		}
	}
	return out
}

// tables reads an array of tables (either [[key]] sections or an inline
// array of inline tables).
func (t *table) tables(key string) []*table {
	v, ok := t.get(key)
	if !ok {
		return nil
	}
	var elems []any
	switch a := v.(type) {
	case []map[string]any:
		for _, m := range a {
			elems = append(elems, m)
		}
	case []any:
		elems = a
	default:
		t.r.errf(t.sub(key), "want an array of tables ([[%s]]), got %s", key, tomlType(v))
		return nil
	}
	out := make([]*table, 0, len(elems))
	for i, e := range elems {
		et := t.r.table(fmt.Sprintf("%s[%d]", t.sub(key), i), e)
		if n, ok := et.m["name"].(string); ok && validName(n) {
			et.named = fmt.Sprintf("%s[%s]", joinKey(t.named, key), n)
		} else {
			et.named = fmt.Sprintf("%s[%d]", joinKey(t.named, key), i)
		}
		out = append(out, et)
	}
	return out
}

// child reads a sub-table (absent gives an empty table).
func (t *table) child(key string) *table {
	v, _ := t.get(key)
	c := t.r.table(t.sub(key), v)
	c.named = joinKey(t.named, key)
	return c
}

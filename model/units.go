package model

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// durationUnits maps a duration unit to hours.
var durationUnits = map[string]float64{
	"s": 1.0 / 3600, "m": 1.0 / 60, "h": 1, "d": 24, "w": 168,
}

// ParseDuration parses a duration written with units, such as "90m", "8h",
// "3d", "1h30m" or "2.5h", and returns hours. Units: s, m (minutes), h, d,
// w. A bare number is an error: units are never implied.
func ParseDuration(s string) (float64, error) {
	str := strings.TrimSpace(s)
	if str == "" {
		return 0, fmt.Errorf("empty duration; write e.g. \"90m\", \"8h\" or \"3d\"")
	}
	total := 0.0
	rest := str
	for rest != "" {
		i := 0
		for i < len(rest) && (rest[i] >= '0' && rest[i] <= '9' || rest[i] == '.') {
			i++
		}
		if i == 0 {
			return 0, fmt.Errorf("malformed duration %q; write e.g. \"90m\", \"8h\" or \"3d\"", s)
		}
		num, err := strconv.ParseFloat(rest[:i], 64)
		if errors.Is(err, strconv.ErrRange) {
			return 0, fmt.Errorf("duration %q is too long", s)
		}
		if err != nil {
			return 0, fmt.Errorf("malformed duration %q", s)
		}
		j := i
		for j < len(rest) && (rest[j] >= 'a' && rest[j] <= 'z' || rest[j] >= 'A' && rest[j] <= 'Z') {
			j++
		}
		unit := rest[i:j]
		if unit == "" {
			return 0, fmt.Errorf("duration %q has no unit; write e.g. %q or %q", s, rest[:i]+"h", rest[:i]+"m")
		}
		f, ok := durationUnits[strings.ToLower(unit)]
		if !ok {
			hint := suggest(strings.ToLower(unit), durationUnitAliases())
			if a, isAlias := durationAliases[strings.ToLower(unit)]; isAlias {
				hint = fmt.Sprintf(" (did you mean %q?)", a)
			}
			return 0, fmt.Errorf("duration %q has unknown unit %q%s (units: s, m, h, d, w)", s, unit, hint)
		}
		total += num * f
		rest = strings.TrimSpace(rest[j:])
	}
	if math.IsInf(total, 0) {
		return 0, fmt.Errorf("duration %q is too long", s)
	}
	return total, nil
}

func durationUnitAliases() []string { return []string{"s", "m", "h", "d", "w"} }

// durationAliases are unit spellings that are not accepted, for
// suggestions: a duration unit is always one letter.
var durationAliases = map[string]string{
	"sec": "s", "secs": "s", "second": "s", "seconds": "s",
	"min": "m", "mins": "m", "minute": "m", "minutes": "m",
	"hr": "h", "hrs": "h", "hour": "h", "hours": "h",
	"day": "d", "days": "d", "wk": "w", "week": "w", "weeks": "w",
}

// rateUnits maps a rate's time unit to hours.
var rateUnits = map[string]float64{
	"s": 1.0 / 3600, "min": 1.0 / 60, "m": 1.0 / 60, "h": 1, "hr": 1, "hour": 1,
	"d": 24, "day": 24, "w": 168, "wk": 168, "week": 168, "yr": 8760, "y": 8760, "year": 8760,
}

// ParseRate parses a rate such as "0.002/yr", "5%/yr", "2000/h" or
// "3/d" and returns events per hour. A year is 8,760 hours.
func ParseRate(s string) (float64, error) {
	str := strings.TrimSpace(s)
	num, unit, ok := strings.Cut(str, "/")
	if !ok {
		return 0, fmt.Errorf("rate %q has no time unit; write e.g. \"0.002/yr\", \"5%%/yr\" or \"2000/h\"", s)
	}
	num = strings.TrimSpace(num)
	scale := 1.0
	if strings.HasSuffix(num, "%") {
		scale = 0.01
		num = strings.TrimSpace(strings.TrimSuffix(num, "%"))
	}
	v, err := strconv.ParseFloat(num, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, fmt.Errorf("malformed rate %q; write e.g. \"0.002/yr\" or \"5%%/yr\"", s)
	}
	h, ok := rateUnits[strings.ToLower(strings.TrimSpace(unit))]
	if !ok {
		return 0, fmt.Errorf("rate %q has unknown time unit %q%s (units: s, min, h, d, w, yr)", s, unit, suggest(strings.ToLower(unit), []string{"s", "min", "h", "d", "w", "yr"}))
	}
	if v < 0 {
		return 0, fmt.Errorf("rate %q is negative", s)
	}
	x := v * scale / h
	if math.IsInf(x, 0) {
		return 0, fmt.Errorf("rate %q is too large", s)
	}
	return x, nil
}

// suggest returns ` (did you mean "x"?)` for the candidate nearest to s by
// edit distance (ties to the first in sorted order), or "" when none is
// close. It is for short fixed lists (units, keys, enum values); names from
// the scenario go through the reader's budget (suggest.go).
func suggest(s string, candidates []string) string {
	work := len(candidates) * (1 + len(s)*5)
	n := newNearest(s, &work)
	for _, c := range candidates {
		n.offer(c)
	}
	return n.result()
}

package report

import (
	"math"
	"strconv"
	"strings"
)

// FormatNumber writes x for a reader: three significant digits, trailing
// zeros dropped, thousands separators below a million and a word-like
// suffix above (M = 10⁶, bn = 10⁹, tn = 10¹²):
//
//	10.4 → "10.4"   16.02 → "16"   127.5 → "128"   0.1234 → "0.123"
//	12345 → "12,300"   4.567e6 → "4.57 M"   2.5e9 → "2.5 bn"
//	NaN → "—"   +Inf → "∞"
//
// Magnitudes below 0.001 or from 10¹⁵ use e-notation ("1.23e-4").
func FormatNumber(x float64) string { return formatNumber(x) }

func formatNumber(x float64) string {
	switch {
	case math.IsNaN(x):
		return "—"
	case math.IsInf(x, 1):
		return "∞"
	case math.IsInf(x, -1):
		return "-∞"
	case x == 0:
		return "0"
	}
	// Round to 3 significant digits first, so that e.g. 999,999 becomes
	// 1,000,000 and is then written "1 M".
	r, _ := strconv.ParseFloat(strconv.FormatFloat(x, 'g', 3, 64), 64)
	a := math.Abs(r)
	sign := ""
	if r < 0 {
		sign = "-"
	}
	switch {
	case a < 1e-3 || a >= 1e15:
		m, e, _ := strings.Cut(strconv.FormatFloat(a, 'e', 2, 64), "e")
		exp, _ := strconv.Atoi(e)
		return sign + trimZeros(m) + "e" + strconv.Itoa(exp)
	case a >= 1e12:
		return sign + sig3(a/1e12) + " tn"
	case a >= 1e9:
		return sign + sig3(a/1e9) + " bn"
	case a >= 1e6:
		return sign + sig3(a/1e6) + " M"
	}
	return sign + groupThousands(sig3(a))
}

// sig3 writes a ≥ 0.001 with three significant digits and no trailing
// zeros after the decimal point.
func sig3(a float64) string {
	decimals := max(0, 2-int(math.Floor(math.Log10(a))))
	if decimals == 0 {
		// Round to 3 significant digits in the integer part too.
		p := math.Pow(10, math.Floor(math.Log10(a))-2)
		a = math.Round(a/p) * p
	}
	return trimZeros(strconv.FormatFloat(a, 'f', decimals, 64))
}

func trimZeros(s string) string {
	if strings.Contains(s, ".") {
		s = strings.TrimRight(s, "0")
		s = strings.TrimSuffix(s, ".")
	}
	return s
}

// groupThousands puts commas between groups of three integer digits.
func groupThousands(s string) string {
	intPart, frac, hasFrac := strings.Cut(s, ".")
	if len(intPart) <= 3 {
		return s
	}
	var b strings.Builder
	for i, c := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if hasFrac {
		b.WriteByte('.')
		b.WriteString(frac)
	}
	return b.String()
}

// isCurrencyCode reports whether s looks like an ISO 4217 code or a
// currency symbol.
func isCurrencyCode(s string) bool {
	if len(s) == 3 && strings.ToUpper(s) == s && strings.Trim(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") == "" {
		return true
	}
	switch s {
	case "$", "€", "£", "¥", "₩":
		return true
	}
	return false
}

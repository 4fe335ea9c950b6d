package results

import (
	"math"
	"strings"
	"testing"
)

func TestFmtNum(t *testing.T) {
	for _, tc := range []struct {
		x    float64
		want string
	}{
		{0, "0"}, {0.5, "0.5"}, {12.345, "12.3"}, {0.012345, "0.0123"}, {150.4, "150"}, {999.5, "1,000"},
		{1234.5, "1,235"}, {-1234567, "-1,234,567"}, {123456789, "123,456,789"}, {1e16, "1.000e+16"},
		{math.NaN(), "-"}, {math.Inf(1), "+Inf"},
	} {
		if got := fmtNum(tc.x); got != tc.want {
			t.Errorf("fmtNum(%v) = %q, want %q", tc.x, got, tc.want)
		}
	}
}

func TestWriteTable(t *testing.T) {
	c, _ := NewCollector("s", []string{"base", "alt"}, []string{"web"}, 0)
	var b strings.Builder
	if err := WriteTable(&b, c.Summary(), 1); err != nil {
		t.Fatal(err)
	}
	want := `s · variant alt · 0 replications
service       recover P50 h  recover P90 h  user-hours lost, mean [95% CI]  outage h, mean
web           -              -              - [-, -]                        -
all services  -              -              - [-, -]
`
	if !strings.HasPrefix(b.String(), want) {
		t.Errorf("table of no replications:\n%s\nwant it to start with:\n%s", b.String(), want)
	}
	if err := WriteTable(&b, c.Summary(), 2); err == nil {
		t.Error("WriteTable of variant 2 of 2 succeeded")
	}
}

package report

import (
	"math"
	"strings"
	"testing"
)

func TestFormatYears(t *testing.T) {
	for _, c := range []struct {
		y    float64
		want string
	}{
		{0.327, "4 months"}, {1, "1 year"}, {3.9, "3 years 11 months"}, {1.0 / 12, "1 month"},
		{0.01, "less than a month"}, {0, "at once"}, {math.Inf(1), "never"}, {math.NaN(), "—"},
		{11.99, "12 years"}, {2.04, "2 years"},
	} {
		if got := FormatYears(c.y); got != c.want {
			t.Errorf("FormatYears(%v) = %q, want %q", c.y, got, c.want)
		}
	}
}

func TestCausesOf(t *testing.T) {
	ev := []TraceEvent{
		{0.4, "impaired", "mail", "serving 0% at peak"},
		{0.9, "impaired", "chat", "serving 0% at peak"},
		{0.95, "failover-start", "chat", "manual failover to gasan (failover controller or tooling down), 6.63h"},
		{1.2, "impaired", "search", "serving 70% at peak"},
		{1.3, "rerouted", "search", "traffic shifted away from pangyo"},
		{1.3, "recovered", "search", "serving 100% at peak"},
		{7.58, "recovered", "chat", "serving 100% at peak"},
		{60, "servers-replaced", "pangyo/b3-a", "321 servers"},
		{60, "restore-start", "mail", "restoring instances at pangyo, 1.08h"},
		{61.08, "recovered", "mail", "serving 100% at peak"},
		{70, "impaired", "chat", "serving 50% at peak"},
	}
	cs := CausesOf(ev, []string{"chat", "mail", "search", "idle"})
	if len(cs) != 3 {
		t.Fatalf("%d causes, want 3 (idle was never impaired): %+v", len(cs), cs)
	}
	if !math.IsInf(cs[0].BackH, 1) || !strings.Contains(cs[0].Why, "no recovery step") {
		t.Errorf("chat, impaired again at 70 h: %+v", cs[0])
	}
	if cs[1].BackH != 61.08 || !strings.Contains(cs[1].Why, "pangyo/b3-a's destroyed servers were replaced") {
		t.Errorf("mail: %+v", cs[1])
	}
	if cs[2].BackH != 1.3 || !strings.Contains(cs[2].Why, "traffic moved") {
		t.Errorf("search: %+v", cs[2])
	}
}

package report

import (
	"regexp"
	"testing"

	"github.com/dcsim/dcsim/sim"
)

// TestHTMLGroups checks the service-group table: one row per group, each
// number marked with its summary key.
func TestHTMLGroups(t *testing.T) {
	st := func(mean float64) sim.Stat {
		return sim.Stat{Mean: mean, CI95: [2]float64{mean - 1, mean + 1}, P10: mean - 2, P50: mean, P90: mean + 2, P99: mean + 3, N: 100}
	}
	p := Page{Title: "g", Run: Run{Complete: true}, Groups: []GroupRow{
		{Name: "vm", Members: 600, Impaired: st(595), Back50: st(231), Back90: st(590), Back100: st(640)},
	}}
	doc, err := RenderHTML(p)
	if err != nil {
		t.Fatal(err)
	}
	row := regexp.MustCompile(`<tr data-group="vm"><td>vm</td><td class="n">600</td>.*</tr>`).Find(doc)
	if row == nil {
		t.Fatalf("no row for group vm in\n%s", doc)
	}
	got := map[string]string{}
	for _, m := range metricSpan.FindAllSubmatch(row, -1) {
		got[string(m[1])] = string(m[2])
	}
	want := map[string]string{
		"group.vm.members_impaired.mean": "595",
		"group.vm.recovered_50_h.mean":   "231", "group.vm.recovered_50_h.ci95_lo": "230", "group.vm.recovered_50_h.ci95_hi": "232",
		"group.vm.recovered_90_h.mean": "590", "group.vm.recovered_90_h.ci95_lo": "589", "group.vm.recovered_90_h.ci95_hi": "591",
		"group.vm.recovered_100_h.mean": "640", "group.vm.recovered_100_h.ci95_lo": "639", "group.vm.recovered_100_h.ci95_hi": "641",
		"group.vm.recovered_100_h.p90": "642",
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
	if len(got) != len(want) {
		t.Errorf("row marks %d numbers, want %d: %v", len(got), len(want), got)
	}
}

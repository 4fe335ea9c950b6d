package report

import (
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"
)

// sampleLanes returns n services shaped like a site loss: each goes down
// at a random early time, comes back degraded, then up.
func sampleLanes(n int) []Lane {
	r := rand.New(rand.NewPCG(11, uint64(n)))
	lanes := make([]Lane, n)
	for i := range lanes {
		down := 0.3 + r.Float64()
		deg := down + 2 + 30*r.Float64()*r.Float64()
		up := deg + 1 + 20*r.Float64()
		lanes[i] = Lane{
			Label: fmt.Sprintf("svc-%03d", i),
			Group: []string{"payments", "messaging", "maps", "media", "mail", "search", "platform"}[i%7],
			T:     []float64{-1, down, deg, up},
			F:     []float64{1, 0, 0.6, 1},
		}
	}
	return lanes
}

func sampleSwimlanes() ([]Lane, []Marker) {
	series, markers, _ := sampleTimeline()
	lanes := make([]Lane, len(series))
	for i, s := range series {
		lanes[i] = Lane{Label: s.Label, T: s.T, F: s.F}
	}
	lanes[0].History = []Window{{From: 10.2, To: 10.2}}
	lanes[1].History = []Window{{From: 22, To: 26}}
	markers = append(markers, Marker{T: 1.55, Label: "whole-site power cut", Observed: true})
	return lanes, markers
}

func TestSwimlanes(t *testing.T) {
	dir := outDir(t)
	lanes, markers := sampleSwimlanes()
	for _, c := range []struct {
		name  string
		lanes []Lane
		rows  int
		want  []string
	}{
		{"swimlanes", lanes, len(lanes), []string{"kakaotalk", "daum mail", "down (serving &lt; 5%)", "history (observed)", "history: whole-site power cut (1.55 h)", "event in history"}},
		{"swimlanes-15", sampleLanes(15), 15, []string{"svc-000", "svc-014"}},
		{"swimlanes-1000-groups", sampleLanes(1000), 7, []string{"payments (143)", "platform (142)", "1000 services in 7 rows:"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			ch := NewSwimlanes("Who was down when", c.lanes, markers, 0.99, 0)
			if rows := foldLanes(c.lanes); len(rows) != c.rows {
				t.Errorf("%d rows, want %d", len(rows), c.rows)
			}
			for _, ext := range []string{".png", ".svg"} {
				if err := ch.Save(filepath.Join(dir, c.name+ext)); err != nil {
					t.Fatal(err)
				}
			}
			svg, _ := ch.SVG()
			for _, w := range c.want {
				if !strings.Contains(string(svg), w) {
					t.Errorf("SVG lacks %q", w)
				}
			}
		})
	}
	// Ungrouped: folded into MaxLanes runs.
	many := sampleLanes(1000)
	for i := range many {
		many[i].Group = ""
	}
	rows := foldLanes(many)
	if len(rows) != MaxLanes {
		t.Fatalf("%d rows for 1,000 ungrouped lanes, want %d", len(rows), MaxLanes)
	}
	seen := 0
	for _, r := range rows {
		seen += len(r.members)
	}
	if seen != 1000 || !strings.HasPrefix(rows[0].label, "svc-000 … svc-032 (33)") {
		t.Errorf("rows hold %d lanes, first %q", seen, rows[0].label)
	}
	if _, err := NewSwimlanes("x", many, nil, 0.99, 0).SVG(); err != nil {
		t.Fatal(err)
	}
}

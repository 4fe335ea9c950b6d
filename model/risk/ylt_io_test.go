package risk

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
)

// TestCSVRoundTrip writes the year-loss tables of a stratified run with two
// variants and checks that reading them back gives the same summaries,
// byte for byte in JSON.
func TestCSVRoundTrip(t *testing.T) {
	cfg := &Config{
		Incidents: twoTypes.inc,
		Variants: []Variant{
			{Name: "baseline", PerYear: []float64{1.5, 0.015}},
			{Name: "isolate-batteries", PerYear: []float64{1.5, 0.005}},
		},
		Services: []string{"talk", "pay"},
		Years:    3000, Seed: 1, Method: Conditional, Workers: 2,
	}
	sim := func(w, v int, in *YearInput, out *YearOutcome) error {
		if err := twoTypesSim(w, v, in, out); err != nil {
			return err
		}
		for j := range in.Arrivals {
			out.Downtime[0] += out.EventLoss[j] / 1e6
		}
		out.Downtime[1] = float64(len(in.Arrivals))
		out.OtherLoss = 10
		return nil
	}
	tabs, _, err := Run(context.Background(), cfg, sim)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := WriteCSV(&buf, tabs); err != nil {
		t.Fatal(err)
	}
	back, err := ReadCSV(bytes.NewReader(buf.Bytes()), "ylt.csv", Conditional)
	if err != nil {
		t.Fatal(err)
	}
	if len(back) != 2 {
		t.Fatalf("read %d variants, want 2", len(back))
	}
	for v := range tabs {
		a, err := json.Marshal(tabs[v].Summarize(4))
		if err != nil {
			t.Fatal(err)
		}
		b, err := json.Marshal(back[v].Summarize(4))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a, b) {
			t.Errorf("variant %d: summaries differ after a round trip:\n%s\n%s", v, a, b)
		}
	}
	// The option removes two thirds of the fires: its AAL is lower, and
	// the paired years make the difference's sign clear.
	if a, b := tabs[0].AAL(), tabs[1].AAL(); !(b.Mean < a.Mean) {
		t.Errorf("option AAL %v not below baseline %v", b, a)
	}
}

func TestReadCSVErrors(t *testing.T) {
	head := "variant,year,stratum,stratum_probability,weight,design_weight,loss,max_event_loss,incidents,loss.fire\n"
	for _, tc := range []struct{ name, in, want string }{
		{"not a ylt", "a,b\n1,2\n", "not a year-loss table"},
		{"bad number", head + "b,0,0,1,1,0.5,x,0,0,0\n", "ylt.csv:2: column loss"},
		{"one row", head + "b,0,0,1,1,1,5,5,1,5\n", "need at least 2"},
		{"negative loss", head + "b,0,0,1,1,0.5,-5,0,0,0\nb,1,0,1,1,0.5,1,1,1,1\n", "loss -5"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ReadCSV(strings.NewReader(tc.in), "ylt.csv", Naive)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}

// TestSummaryJSON checks that a summary whose intervals the data cannot
// bound still marshals, with null ends.
func TestSummaryJSON(t *testing.T) {
	tab := runOne(t, &Config{Incidents: []Incident{{"fire", 0.01}}, Years: 200, Seed: 1, Method: Naive}, constantSim(1))
	b, err := json.Marshal(tab.Summarize(1))
	if err != nil {
		t.Fatal(err)
	}
	// Two fire years in 200: the 100-year loss is estimated at 0 but
	// cannot be bounded above, and neither can the 1000-year loss.
	for _, want := range []string{
		`"return_period_years":100,"loss":0,"ci95":[0,null]`,
		`"return_period_years":1000,"loss":1,"ci95":[0,null]`,
		`"services":[]`,
	} {
		if !bytes.Contains(b, []byte(want)) {
			t.Errorf("summary lacks %s:\n%s", want, b)
		}
	}
}

package model

import (
	"strings"
	"testing"
)

// TestUncertainCosts reads costs written as distributions: the scenario
// holds their means, Uncertain lists them in file order, WithValues sets
// them in a copy only, and a bad one is reported with its key and line.
func TestUncertainCosts(t *testing.T) {
	src := validBase + `
[economics]
value_per_user_hour = { dist = "uniform", min = 1000, max = 3000 }
compensation_per_user_hour = { dist = "triangular", min = 0, mode = 100, max = 500 }
`
	sc, err := Parse("u.toml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if sc.Economics.ValuePerUserHour != 2000 || sc.Economics.CompensationPerUserHour != 200 {
		t.Errorf("means %v, %v; want 2000, 200", sc.Economics.ValuePerUserHour, sc.Economics.CompensationPerUserHour)
	}
	if len(sc.Uncertain) != 2 || sc.Uncertain[0].Key != "economics.value_per_user_hour" || sc.Uncertain[1].Key != "economics.compensation_per_user_hour" {
		t.Fatalf("uncertain keys %+v", sc.Uncertain)
	}
	cp := sc.WithValues([]string{"economics.compensation_per_user_hour", "no.such.key"}, []float64{7, 9})
	if cp.Economics.CompensationPerUserHour != 7 || cp.Economics.ValuePerUserHour != 2000 || sc.Economics.CompensationPerUserHour != 200 {
		t.Errorf("WithValues: copy %+v, original %+v", cp.Economics, sc.Economics)
	}
	// A probability: its mean, and a setter that reaches the site.
	fire := strings.Replace(validBase, `suppression = "sprinkler"`, `suppression = "sprinkler"
suppression_success = { dist = "uniform", min = 0.2, max = 0.6 }`, 1)
	sc, err = Parse("u.toml", []byte(fire))
	if err != nil {
		t.Fatal(err)
	}
	if p := sc.Sites[0].Fire.SuppressionSuccess; p < 0.4-1e-12 || p > 0.4+1e-12 || len(sc.Uncertain) != 1 || sc.Uncertain[0].Key != "sites[alpha].fire.suppression_success" {
		t.Fatalf("suppression_success %v, uncertain %+v", p, sc.Uncertain)
	}
	if cp := sc.WithValues([]string{"sites[alpha].fire.suppression_success"}, []float64{0.25}); cp.Sites[0].Fire.SuppressionSuccess != 0.25 || sc.Sites[0].Fire.SuppressionSuccess == 0.25 {
		t.Error("WithValues did not set the probability in the copy only")
	}
	bad := strings.Replace(validBase, `suppression = "sprinkler"`, `suppression = "sprinkler"
suppression_success = { dist = "uniform", min = 0.5, max = 1.5 }`, 1)
	if _, err := Parse("u.toml", []byte(bad)); err == nil || !strings.Contains(err.Error(), "suppression_success") || !strings.Contains(err.Error(), "between 0 and 1") {
		t.Errorf("a probability beyond 1: error %v", err)
	}

	for _, bad := range []struct{ value, want string }{
		{`{ dist = "uniform", min = -5, max = 3 }`, "negative"},
		{`{ dist = "lognormal", median = 10 }`, "p95"},
		{`{ dist = "normal", mean = 1 }`, "dist"},
		{`"lots"`, "number"},
	} {
		_, err := Parse("u.toml", []byte(validBase+"\n[economics]\nvalue_per_user_hour = "+bad.value+"\n"))
		if err == nil || !strings.Contains(err.Error(), "economics.value_per_user_hour") || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("%s: error %v; want one naming the key and %q", bad.value, err, bad.want)
		}
	}
}

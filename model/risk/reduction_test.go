package risk

import (
	"context"
	"testing"
)

// TestReduction checks the paired AAL cut against the exact one, for every
// method: an option that halves the small incidents and removes fires cuts
// 0.75·E[small] + 0.015·E[fire] a year; its interval must cover that and be
// narrower than the two AAL intervals together.
func TestReduction(t *testing.T) {
	want := 0.75*twoTypes.sev[0].Mean() + 0.015*twoTypes.sev[1].Mean()
	for _, m := range []Method{Naive, Conditional, Importance} {
		tabs, _, err := Run(context.Background(), twoVariants(m, 20000, 5, 0.75, 0), twoTypesSim)
		if err != nil {
			t.Fatal(err)
		}
		red, err := Reduction(tabs[0], tabs[1])
		if err != nil {
			t.Fatal(err)
		}
		a0, a1 := tabs[0].AAL(), tabs[1].AAL()
		if d := a0.Mean - a1.Mean; !near(red.Mean, d, 1e-9*d) {
			t.Errorf("%v: paired mean %v, difference of means %v", m, red.Mean, d)
		}
		if !red.CI95.Contains(want) {
			t.Errorf("%v: cut %v [%v, %v] misses the exact %v", m, red.Mean, red.CI95[0], red.CI95[1], want)
		}
		if w, sum := red.CI95[1]-red.CI95[0], (a0.CI95[1]-a0.CI95[0])+(a1.CI95[1]-a1.CI95[0]); !(w < sum) {
			t.Errorf("%v: paired interval %v not narrower than the two AAL intervals %v", m, w, sum)
		}
		if self, _ := Reduction(tabs[0], tabs[0]); self.Mean != 0 || self.CI95[0] != 0 || self.CI95[1] != 0 {
			t.Errorf("%v: a variant against itself: %+v", m, self)
		}
	}
	short, _, _ := Run(context.Background(), twoVariants(Naive, 100, 5, 1, 0), twoTypesSim)
	long, _, _ := Run(context.Background(), twoVariants(Naive, 200, 5, 1, 0), twoTypesSim)
	if _, err := Reduction(short[0], long[1]); err == nil {
		t.Error("tables of different runs paired")
	}
}

func near(a, b, tol float64) bool { return a-b <= tol && b-a <= tol }

package risk_test

import (
	"context"
	"fmt"

	"github.com/dcsim/dcsim/model/risk"
)

// A catalogue of two incident types with fixed losses: a battery fire once
// in a hundred years and a cooling failure three times in ten. The exact
// AAL is 0.01·5e9 + 0.3·2e7 = 5.6e7. A fire year has probability
// 1 − e^−0.01 < 1/100, so the 100-year loss is four cooling failures, not
// the fire; the 250-year loss is the fire.
func ExampleRun() {
	cfg := &risk.Config{
		Incidents: []risk.Incident{{Name: "battery-fire", PerYear: 0.01}, {Name: "cooling", PerYear: 0.3}},
		Services:  []string{"talk"},
		Years:     20000,
		Seed:      1,
	}
	loss := []float64{5e9, 2e7}
	down := []float64{100, 2} // hours
	simulate := func(_, _ int, in *risk.YearInput, out *risk.YearOutcome) error {
		for j, a := range in.Arrivals {
			out.EventLoss[j] = loss[a.Incident]
			out.Downtime[0] += down[a.Incident]
		}
		return nil
	}
	tabs, design, err := risk.Run(context.Background(), cfg, simulate)
	if err != nil {
		fmt.Println(err)
		return
	}
	s := tabs[0].Summarize(1)
	fmt.Printf("method %s, %d years\n", design.Method, s.Years)
	fmt.Printf("AAL %.3g [%.3g, %.3g]\n", s.AAL.Mean, s.AAL.CI95[0], s.AAL.CI95[1])
	for _, p := range s.AEP[5:7] {
		fmt.Printf("%g-year loss %.3g\n", p.ReturnPeriodYears, p.Loss)
	}
	fmt.Printf("talk: %.2f h down a year, %.2f nines\n", s.Service[0].DowntimeHPerYear.Mean, s.Service[0].Nines)
	// Output:
	// method importance, 20000 years
	// AAL 5.61e+07 [5.5e+07, 5.71e+07]
	// 100-year loss 8e+07
	// 250-year loss 5e+09
	// talk: 1.60 h down a year, 3.74 nines
}

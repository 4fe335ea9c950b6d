package risk

import (
	"context"
	"testing"
)

// BenchmarkDriver measures the driver's own cost per simulated year and
// variant (sampling arrivals, weights, filling the table) with a simulator
// that does nothing but price each arrival: the floor under dcsim risk.
func BenchmarkDriver(b *testing.B) {
	for _, m := range []Method{Naive, Conditional, Importance} {
		b.Run(m.String(), func(b *testing.B) {
			cfg := twoVariants(m, 100000, 1, 1.5, 0.005)
			cfg.Services = []string{"a", "b", "c"}
			cfg.Workers = 1
			sim := constantSim(1)
			b.ResetTimer()
			for range b.N {
				if _, _, err := Run(context.Background(), cfg, sim); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*cfg.Years*len(cfg.Variants)), "ns/year-variant")
		})
	}
}

// BenchmarkSummarize measures reading risk.json's numbers (AAL, both
// curves with Woodruff intervals, TVaR with 400 bootstrap resamples,
// availability, shares) from a 100,000-year table.
func BenchmarkSummarize(b *testing.B) {
	tab := runTwoTypes(b, Importance, 100000, 1)
	b.ResetTimer()
	for range b.N {
		tab.Summarize(1)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*tab.Len()), "ns/year")
}

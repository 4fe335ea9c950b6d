//go:build unix

package model

import (
	"context"
	"math"
	"syscall"
	"testing"
	"time"

	"github.com/dcsim/dcsim/model/risk"
)

// BenchmarkKakaoRisk is the README's annual-risk figure: kakao-2022 with
// its catalogue and every investment (10 variants), the years doubling
// from 2,000 until every variant's AAL and 100-year aggregate loss have a
// 95% CI half width within 10% — what dcsim risk scenarios/kakao-2022.toml
// --all simulates, without writing files. Target < 10 s on 2 cores. Run it
// with
//
//	go test -run '^$' -bench KakaoRisk -benchtime 1x -count 5 ./model
//
// Metrics: years simulated, the widest relative half width reached (of
// the AAL and the 100-year loss, over the variants), and the process's CPU
// seconds per op: on a shared machine wall time counts the time other
// processes held the cores; CPU time / 2 is the wall time on two idle
// cores.
func BenchmarkKakaoRisk(b *testing.B) {
	plan := kakaoAllPlan(b)
	const workers = 2
	p := risk.Precision{RelHalfWidth: 0.1, ReturnPeriod: 100, MaxYears: 1_000_000}
	var years int
	var widest float64
	cpu0 := processCPU()
	for b.Loop() {
		ann := NewAnnual(plan, workers)
		tabs, _, err := risk.RunToPrecision(context.Background(), ann.Config(2000, plan.Base.Seed, risk.Auto, workers), ann.Simulate, p)
		if err != nil {
			b.Fatal(err)
		}
		years, widest = tabs[0].Len(), 0
		for _, t := range tabs {
			a := t.AAL()
			e := t.AEP([]float64{100})[0]
			widest = math.Max(widest, (a.CI95[1]-a.CI95[0])/2/a.Mean)
			widest = math.Max(widest, (e.CI95[1]-e.CI95[0])/2/e.Loss)
		}
	}
	if len(plan.Names) != 10 || !(widest <= 0.1) {
		b.Fatalf("%d variants, widest relative half width %.3f; want 10 and ≤ 0.1", len(plan.Names), widest)
	}
	b.ReportMetric((processCPU()-cpu0).Seconds()/float64(b.N), "cpu_s/op")
	b.ReportMetric(float64(years), "years")
	b.ReportMetric(widest, "max_rel_halfwidth")
}

// processCPU is the CPU time (user and system) of every thread of the
// process so far.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

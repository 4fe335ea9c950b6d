package model

import (
	"testing"

	"github.com/dcsim/dcsim/model/risk"
)

// BenchmarkKakaoPointSetup is what an uncertain distribution parameter
// adds to each point of dcsim risk's uncertainty analysis on kakao-2022
// --all (10 variants): reading every variant's scenario again with the
// parameter set and compiling it (Annual.At), against compiling them
// alone, which a point with uncertain costs already costs. Run it with
//
//	go test -run '^$' -bench KakaoPointSetup -count 5 ./model
func BenchmarkKakaoPointSetup(b *testing.B) {
	plan := kakaoAllPlan(b)
	ann := NewAnnual(plan, 2)
	inputs, _ := ann.UncertainInputs()
	kinds, _ := ann.InputKinds()
	x := risk.Medians(inputs)
	params := 0
	for _, k := range kinds {
		if k == "parameter" {
			params++
		}
	}
	if params == 0 {
		b.Fatal("kakao-2022 has no uncertain distribution parameter")
	}
	b.Run("rebuild", func(b *testing.B) {
		for b.Loop() {
			if _, _, err := ann.At(x, 2000, 1, risk.Naive, 2); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("compile-only", func(b *testing.B) {
		for b.Loop() {
			NewAnnual(plan, 2) // what a point with uncertain costs alone sets up
		}
	})
}

// kakaoAllPlan is kakao-2022 with every investment as its own option, the
// variants of dcsim risk --all.
func kakaoAllPlan(b *testing.B) *Plan {
	sc := loadKakaoB(b)
	var portfolios [][]string
	for _, iv := range sc.Investments {
		portfolios = append(portfolios, []string{iv.Name})
	}
	plan, err := NewPlan(sc, portfolios)
	if err != nil {
		b.Fatal(err)
	}
	return plan
}

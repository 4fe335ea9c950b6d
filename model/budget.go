package model

import (
	"sort"
	"strings"

	"github.com/dcsim/dcsim/sim"
)

// BudgetItem is one investment as the budget search sees it.
type BudgetItem struct {
	Name           string
	Capex          float64
	AnnualisedCost float64
	ALE            float64 // mean ALE with this investment alone
}

// BudgetChoice is the portfolio picked for a capex budget.
type BudgetChoice struct {
	Budget         float64  `json:"budget"`
	Method         string   `json:"method"` // "exact" or "greedy+swap"
	Investments    []string `json:"investments"`
	Capex          float64  `json:"capex"`
	AnnualisedCost float64  `json:"annualised_cost"`
	// PredictedALE is the search's estimate of the portfolio's ALE: the
	// simulated value when the portfolio itself was simulated
	// (--combinations), else the baseline ALE scaled by each member's
	// relative ALE, ALE_0 · Π_o (ALE_o / ALE_0), which assumes the
	// investments act independently.
	PredictedALE float64 `json:"predicted_ale"`
	// ALE is the portfolio's simulated ALE, when it was simulated.
	ALE *sim.Stat `json:"ale,omitempty"`
	// Objective is PredictedALE + AnnualisedCost, which the choice minimises.
	Objective float64 `json:"objective"`
}

// exactLimit is the number of investments up to which the search is
// exhaustive (2^20 ≈ 10^6 portfolios, well under a second).
const exactLimit = 20

// ChooseBudget picks the portfolio of items whose total capex is within
// budget and which minimises predicted ALE + annualised cost. known maps a
// portfolio key (sorted names joined by "+") to its simulated mean ALE and
// overrides the independence estimate.
//
// Up to 20 items the search is exact: a depth-first enumeration that
// prunes portfolios over budget. Beyond that it is a documented heuristic:
// greedy addition of the item that lowers the objective most, then single
// swaps (add, drop or exchange one item) until none improves.
func ChooseBudget(baseALE float64, items []BudgetItem, known map[string]float64, budget float64) BudgetChoice {
	ev := &budgetEval{base: baseALE, items: items, known: known}
	var best []int
	method := "exact"
	if len(items) <= exactLimit {
		best = ev.exact(budget)
	} else {
		method = "greedy+swap"
		best = ev.greedy(budget)
	}
	return ev.choice(best, budget, method)
}

type budgetEval struct {
	base  float64
	items []BudgetItem
	known map[string]float64
}

func (ev *budgetEval) key(set []int) string {
	names := make([]string, len(set))
	for i, k := range set {
		names[i] = ev.items[k].Name
	}
	sort.Strings(names)
	return strings.Join(names, "+")
}

func (ev *budgetEval) predicted(set []int) float64 {
	if x, ok := ev.known[ev.key(set)]; ok {
		return x
	}
	ale := ev.base
	for _, k := range set {
		if ev.base > 0 {
			ale *= ev.items[k].ALE / ev.base
		}
	}
	return ale
}

func (ev *budgetEval) objective(set []int) (obj, capex, cost float64) {
	for _, k := range set {
		capex += ev.items[k].Capex
		cost += ev.items[k].AnnualisedCost
	}
	return ev.predicted(set) + cost, capex, cost
}

// better orders candidate portfolios: lower objective, then fewer items,
// then lexicographically smaller key, so ties resolve deterministically.
func (ev *budgetEval) better(a, b []int) bool {
	oa, _, _ := ev.objective(a)
	ob, _, _ := ev.objective(b)
	if oa != ob {
		return oa < ob
	}
	if len(a) != len(b) {
		return len(a) < len(b)
	}
	return ev.key(a) < ev.key(b)
}

func (ev *budgetEval) exact(budget float64) []int {
	best := []int{}
	cur := []int{}
	var dfs func(i int, capex float64)
	dfs = func(i int, capex float64) {
		if i == len(ev.items) {
			if ev.better(cur, best) {
				best = append(best[:0:0], cur...)
			}
			return
		}
		dfs(i+1, capex)
		if c := capex + ev.items[i].Capex; c <= budget {
			cur = append(cur, i)
			dfs(i+1, c)
			cur = cur[:len(cur)-1]
		}
	}
	dfs(0, 0)
	return best
}

func (ev *budgetEval) greedy(budget float64) []int {
	in := make([]bool, len(ev.items))
	set := func() []int {
		var s []int
		for k, b := range in {
			if b {
				s = append(s, k)
			}
		}
		return s
	}
	fits := func(s []int) bool {
		_, c, _ := ev.objective(s)
		return c <= budget
	}
	for {
		cur := set()
		bestK := -1
		bestSet := cur
		for k := range ev.items {
			if in[k] {
				continue
			}
			cand := append(append([]int(nil), cur...), k)
			sort.Ints(cand)
			if fits(cand) && ev.better(cand, bestSet) {
				bestK, bestSet = k, cand
			}
		}
		if bestK < 0 {
			break
		}
		in[bestK] = true
	}
	// Local search: add, drop or swap one item while it helps.
	for improved := true; improved; {
		improved = false
		cur := set()
		var bestSet []int = cur
		for a := range ev.items {
			for b := -1; b < len(ev.items); b++ {
				next := append([]bool(nil), in...)
				next[a] = !next[a]
				if b >= 0 {
					if b == a || next[b] == in[b] && in[b] == in[a] {
						continue
					}
					next[b] = !next[b]
				}
				var cand []int
				for k, x := range next {
					if x {
						cand = append(cand, k)
					}
				}
				if fits(cand) && ev.better(cand, bestSet) {
					bestSet = cand
				}
			}
		}
		if ev.key(bestSet) != ev.key(cur) {
			for k := range in {
				in[k] = false
			}
			for _, k := range bestSet {
				in[k] = true
			}
			improved = true
		}
	}
	return set()
}

func (ev *budgetEval) choice(set []int, budget float64, method string) BudgetChoice {
	sort.Ints(set)
	obj, capex, cost := ev.objective(set)
	names := make([]string, len(set))
	for i, k := range set {
		names[i] = ev.items[k].Name
	}
	return BudgetChoice{
		Budget: budget, Method: method, Investments: names, Capex: capex,
		AnnualisedCost: cost, PredictedALE: ev.predicted(set), Objective: obj,
	}
}

// BruteForceBudget enumerates every subset; tests use it as the reference.
func BruteForceBudget(baseALE float64, items []BudgetItem, known map[string]float64, budget float64) BudgetChoice {
	ev := &budgetEval{base: baseALE, items: items, known: known}
	best := []int{}
	n := len(items)
	for mask := 0; mask < 1<<n; mask++ {
		var set []int
		for k := 0; k < n; k++ {
			if mask&(1<<k) != 0 {
				set = append(set, k)
			}
		}
		if _, c, _ := ev.objective(set); c <= budget && ev.better(set, best) {
			best = set
		}
	}
	return ev.choice(best, budget, "brute-force")
}

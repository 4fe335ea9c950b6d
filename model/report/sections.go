package report

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/dcsim/dcsim/sim"
)

// MoneyRow is one money figure of a run, per incident, over replications
// (e.g. loss, revenue lost, hardware cost), in Page.Currency.
type MoneyRow struct {
	// Label names it, e.g. "Total loss".
	Label string
	// Metric is its key in summary.json, e.g. "overall.loss"; the table
	// marks the mean, CI and quantiles under it.
	Metric string
	Stat   sim.Stat
	// Note says what it includes, e.g. "revenue + value of user-hours +
	// hardware"; optional.
	Note string
}

// ObservedRow sets one fact of the real incident's history beside the
// simulation.
type ObservedRow struct {
	// Label says what happened, e.g. "KakaoTalk messaging back".
	Label string
	// FromH and ToH are when, in hours since the incident (equal for a
	// moment, a window for a vague report).
	FromH, ToH float64
	// Value is the observed quantity when it is not a time (servers down,
	// share of power back), NaN otherwise; Unit names it ("servers", "%").
	Value float64
	Unit  string
	// Band is the simulated distribution of the same quantity, hours (N
	// = 0 when the simulation has none): the row shows its P10–P90 and
	// P50 and whether history lies inside. BandMetric is its key in
	// summary.json, e.g. "kakaotalk.time_to_recover_h".
	Band       sim.Stat
	BandMetric string
	// Typical is the time of the same event in the typical replication
	// the timeline shows, hours; NaN when it has none.
	Typical float64
	// Source cites the report, e.g. "[MBC]" (see Page.Sources).
	Source string
}

// Verdict says where history lies against the band: "inside P10–P90",
// "below P10", "above P90", or "" without a band.
func (o ObservedRow) Verdict() string {
	if o.Band.N == 0 {
		return ""
	}
	switch {
	case o.ToH < o.Band.P10:
		return "below P10: faster than simulated"
	case o.FromH > o.Band.P90:
		return "above P90: slower than simulated"
	}
	return "inside P10–P90"
}

// Cause is one reason recovery took as long as it did, in the typical
// replication: a service (or site), when it was back, and why then.
type Cause struct {
	// Subject is the service or site, e.g. "daum-cafe".
	Subject string
	// BackH is when it was fully back, hours since the incident (+Inf:
	// not within the horizon).
	BackH float64
	// Why is what it waited for, e.g. "manual failover to gasan
	// (failover controller down), 14.2 h".
	Why string
}

// SourceTag is a citation tag used on the page and the reference it
// stands for.
type SourceTag struct {
	Tag, Reference string
}

// IncidentRow is one incident of the catalogue and its share of the
// baseline's annual loss expectancy.
type IncidentRow struct {
	Name string
	// PerYear is its frequency, per year.
	PerYear float64
	// Loss is the money lost per occurrence over replications.
	Loss sim.Stat
	// ALE is PerYear × mean loss, per year.
	ALE float64
}

// InvestmentRow says what one investment changes and costs.
type InvestmentRow struct {
	Name, Description  string
	Capex, OpexPerYear float64
	LifetimeYears      float64
	// Source of its costs and effect; "" when none is given.
	Source string
}

// BudgetRow is the portfolio recommended for a capex budget.
type BudgetRow struct {
	Budget      float64
	Investments []string
	Capex       float64
	// AnnualisedCost and PredictedALE per year; ALE is the simulated ALE
	// of the portfolio when it was simulated (Mean NaN otherwise).
	AnnualisedCost, PredictedALE float64
	ALE                          Estimate
	// Method is how it was found ("exact", "greedy+swap"); Note explains
	// the prediction.
	Method, Note string
}

// FormatYears writes a duration in years for a reader: "4 years 1 month",
// "8 months", "less than a month", "at once" for 0, "never" for +Inf, "—"
// for NaN (e.g. the baseline, which buys nothing).
func FormatYears(y float64) string {
	switch {
	case math.IsNaN(y) || y < 0:
		return "—"
	case math.IsInf(y, 1):
		return "never"
	}
	months := int(math.Round(y * 12))
	switch {
	case y == 0:
		return "at once"
	case months == 0:
		return "less than a month"
	}
	yr, mo := months/12, months%12
	var parts []string
	if yr > 0 {
		parts = append(parts, plural(yr, "year"))
	}
	if mo > 0 {
		parts = append(parts, plural(mo, "month"))
	}
	return strings.Join(parts, " ")
}

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%s %ss", formatCount(n), unit)
}

// addSections fills the views of the run and compare sections.
func (v *view) addSections(p Page) {
	v.Money, v.Data = moneyViews(p.Money), moneyViews(p.Data)
	for i, o := range p.Observed {
		k := fmt.Sprintf("observed.%d.", i)
		ov := observedView{Label: o.Label, Source: o.Source, Verdict: o.Verdict(), Unit: o.Unit,
			Glue: strings.HasPrefix(o.Unit, "%"), From: mkNum(k+"time_h", o.FromH)}
		if o.ToH > o.FromH {
			ov.To = mkNum(k+"until_h", o.ToH)
		}
		if !math.IsNaN(o.Value) {
			ov.Value = mkNum(k+"value", o.Value)
		}
		if o.Band.N > 0 {
			ov.P10 = mkNum(o.BandMetric+".p10", o.Band.P10)
			ov.P50 = mkNum(o.BandMetric+".p50", o.Band.P50)
			ov.P90 = mkNum(o.BandMetric+".p90", o.Band.P90)
			ov.N = formatCount(o.Band.N)
			ov.Inside = strings.HasPrefix(ov.Verdict, "inside")
		}
		if !math.IsNaN(o.Typical) {
			ov.Typical = mkNum(k+"typical_h", o.Typical)
		}
		v.Observed = append(v.Observed, ov)
	}
	causes := slices.Clone(p.Causes)
	slices.SortStableFunc(causes, func(a, b Cause) int { return cmpFloat(b.BackH, a.BackH) })
	for i, c := range causes {
		v.Causes = append(v.Causes, causeView{Subject: c.Subject, Why: c.Why,
			Back: mkNum(fmt.Sprintf("cause.%d.back_h", i), c.BackH), Never: math.IsInf(c.BackH, 1)})
	}
	incs := slices.Clone(p.Incidents)
	slices.SortStableFunc(incs, func(a, b IncidentRow) int { return cmpFloat(b.ALE, a.ALE) })
	var total float64
	for _, in := range incs {
		total += in.ALE
	}
	for _, in := range incs {
		k := "option.baseline.incidents." + in.Name + "."
		share := math.NaN()
		if total > 0 {
			share = 100 * in.ALE / total
		}
		v.Incidents = append(v.Incidents, incidentView{Name: in.Name,
			PerYear: mkNum(k+"per_year", in.PerYear), ALE: mkNum(k+"ale", in.ALE),
			Share: mkNum(k+"share_pct", share),
			Loss:  mkCI(k+"loss", in.Loss.Mean, in.Loss.CI95[0], in.Loss.CI95[1])})
	}
	for _, iv := range p.Investments {
		k := "investment." + iv.Name + "."
		v.Investments = append(v.Investments, investmentView{Name: iv.Name, Description: iv.Description, Source: iv.Source,
			Capex: mkNum(k+"capex", iv.Capex), Opex: mkNum(k+"opex_per_yr", iv.OpexPerYear),
			Lifetime: mkNum(k+"lifetime_yr", iv.LifetimeYears)})
	}
	if b := p.Budget; b != nil {
		bv := &budgetView{
			Budget: mkNum("budget.budget", b.Budget), Capex: mkNum("budget.capex", b.Capex),
			Annualised: mkNum("budget.annualised_cost", b.AnnualisedCost),
			Predicted:  mkNum("budget.predicted_ale", b.PredictedALE),
			Method:     b.Method, Note: b.Note, Investments: strings.Join(b.Investments, " + "),
		}
		if len(b.Investments) == 0 {
			bv.Investments = "nothing: no investment within the budget lowers ALE + annualised cost"
		}
		if !math.IsNaN(b.ALE.Mean) {
			c := mkCI("budget.ale", b.ALE.Mean, b.ALE.Lo, b.ALE.Hi)
			bv.ALE = &c
		}
		v.Budget = bv
	}
}

// moneyViews marks each row's mean, CI, P50 and P90 under its metric.
func moneyViews(rows []MoneyRow) []moneyView {
	var out []moneyView
	for _, m := range rows {
		s := m.Stat
		out = append(out, moneyView{
			Label: m.Label, Note: m.Note,
			Mean: mkCI(m.Metric, s.Mean, s.CI95[0], s.CI95[1]),
			P50:  mkNum(m.Metric+".p50", s.P50), P90: mkNum(m.Metric+".p90", s.P90),
		})
	}
	return out
}

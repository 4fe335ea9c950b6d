package report

import (
	"bytes"
	_ "embed"
	"fmt"
	"html"
	"html/template"
	"math"
	"strconv"
	"time"

	"github.com/dcsim/dcsim/sim"
)

// Page is the content of an HTML report: one self-contained page for the
// people who fund and run the infrastructure.
type Page struct {
	// Title heads the page, e.g. "Battery fire at pangyo (kakao-2022)".
	Title string
	// Headline is one sentence with the key numbers; build it from Text
	// and Num parts so that every number is marked for checking.
	Headline []Part
	// Services is the per-service table, one row per service in order.
	Services []ServiceRow
	// Groups is the service-group table, one row per group of similar
	// services ([[services]] with count), in order; empty when there are
	// none.
	Groups []GroupRow
	// Options is the investment table; leave it empty for a plain run.
	Options []OptionRow
	// KeyService names the service whose P50 time to recover the options
	// table shows, e.g. "kakaotalk".
	KeyService string
	// Currency is the code or symbol of all money, e.g. "KRW".
	Currency string
	// Charts are drawn in order, as inline SVG.
	Charts []Chart
	// Assumptions lists the parameters the results rest on.
	Assumptions []Assumption

	// Money is what an incident costs, per incident over replications
	// (run reports).
	Money []MoneyRow
	// Data is what happened to the services' data, per incident over
	// replications (run reports of scenarios with data_tb): rows of the
	// same shape as Money, in their own units.
	Data []MoneyRow
	// Observed sets the real incident's history beside the simulated
	// bands of the same quantities.
	Observed []ObservedRow
	// Causes say why recovery took as long as it did in the typical
	// replication; they are listed latest first. CausesIntro introduces
	// them (e.g. which replication).
	Causes      []Cause
	CausesIntro string
	// Sources is the legend of the citation tags the page uses.
	Sources []SourceTag

	// Incidents is the catalogue and each incident's share of the
	// baseline's ALE, shown largest first (compare reports).
	Incidents []IncidentRow
	// Investments say what each investment changes and costs.
	Investments []InvestmentRow
	// OptionsNote explains how Options are ordered, under the table.
	OptionsNote string
	// Budget is the recommendation for a capex budget, when one was given.
	Budget *BudgetRow
	// Tables are sections of their own, shown after the headline.
	Tables []Table
	// Run identifies the run, for the footer.
	Run Run
}

// Part is a piece of the headline: plain text, or a number (when Metric
// is set) written by FormatNumber, with its unit outside the marked
// element:
//
//	<span class="num" data-metric="kakaotalk.time_to_recover_h.p50" data-value="10.43">10.4</span> h
type Part struct {
	// Text is the literal text of a text part.
	Text string
	// Metric is the number's key, by convention its path in summary.json:
	// "SERVICE.METRIC.STAT" (e.g. "kakaotalk.time_to_recover_h.p90") or
	// "overall.METRIC.STAT"; "option.NAME.FIELD" for investment figures.
	Metric string
	// Value is the number, in Unit.
	Value float64
	// Unit follows the number ("h", "user·h"), or precedes it when it is a
	// currency code or symbol ("KRW", "$").
	Unit string
}

// Text returns a plain-text headline part.
func Text(s string) Part { return Part{Text: s} }

// Num returns a headline number marked with its metric key.
func Num(metric string, value float64, unit string) Part {
	return Part{Metric: metric, Value: value, Unit: unit}
}

// ServiceRow is one service's line in the per-service table: statistics
// over replications, as in summary.json. A confidence interval is shown
// when it is finite and contains the mean (not, e.g., for n < 2).
type ServiceRow struct {
	Service string
	// TimeToRecoverH is the time until the service is fully back, hours.
	TimeToRecoverH sim.Stat
	// OutageH is the time the service was down or degraded, hours.
	OutageH sim.Stat
	// UserHoursLost is users affected times hours, user·h.
	UserHoursLost sim.Stat
}

// GroupRow is one service group: how its members came back together.
// Each Stat is over replications of a per-replication value.
type GroupRow struct {
	Name    string
	Members int
	// Impaired is the number of members impaired at all.
	Impaired sim.Stat
	// Back50, Back90 and Back100 are the hours until 50%, 90% and all of
	// the members were back.
	Back50, Back90, Back100 sim.Stat
}

// Estimate is a mean with the bounds of its 95% confidence interval. The
// interval is shown when Lo ≤ Mean ≤ Hi and all are finite; leave Lo and
// Hi zero when there is none.
type Estimate struct {
	Mean, Lo, Hi float64
}

// OptionRow is one investment option's line in the options table. Money
// is in Page.Currency.
type OptionRow struct {
	Name string
	// Capex is the one-off cost.
	Capex float64
	// OpexPerYear is the running cost per year.
	OpexPerYear float64
	// ALE is the annualised loss expectancy with the option, per year.
	ALE Estimate
	// ALEReduction is the baseline's ALE less this option's, per year
	// (estimated with common random numbers, so its CI is narrower than
	// the difference of the two ALE intervals).
	ALEReduction Estimate
	// NPV is the net present value of the option over its lifetime.
	NPV float64
	// PaybackYears is capex over the yearly net saving; +Inf if it never
	// pays back.
	PaybackYears float64
	// Pareto marks options no other option beats on both cost and ALE.
	Pareto bool
	// KeyP50H is the median time to recover of Page.KeyService with the
	// option, hours.
	KeyP50H float64
}

// Assumption is one parameter the results rest on.
type Assumption struct {
	// Parameter names it, e.g. "UPS battery fire rate".
	Parameter string
	// Value with its unit, e.g. "0.002/yr".
	Value string
	// Source says where the value comes from (a citation, "scenario
	// default", …); it is shown as text, never as a link.
	Source string
}

// Run identifies the run a report describes (see manifest.json).
type Run struct {
	Tool, Version string
	// Scenario is the scenario's name; ScenarioSHA256 the hex SHA-256 of
	// its file.
	Scenario, ScenarioSHA256 string
	Seed                     uint64
	// Replications is the number of replications asked for; Done the
	// number the results hold (0: not known).
	Replications, Done int
	// Shard is "i/n"; empty means the whole run.
	Shard string
	// Complete is false when the run was interrupted: the report then
	// opens with a warning. The zero Run is incomplete, so a report never
	// claims completeness by omission.
	Complete bool
	// Started and Finished are shown in UTC when set.
	Started, Finished time.Time
}

//go:embed report.html.tmpl
var pageTemplate string

var tmpl = template.Must(template.New("report").Parse(pageTemplate))

// WriteHTML writes p as one self-contained HTML file: inline CSS, charts
// as inline SVG, no scripts and nothing fetched from the network (a
// Content-Security-Policy forbids it). All text is escaped. The file is
// written to a temporary name and renamed.
func WriteHTML(path string, p Page) error {
	b, err := RenderHTML(p)
	if err != nil {
		return err
	}
	return writeFileAtomic(path, b)
}

// RenderHTML returns the HTML WriteHTML writes.
func RenderHTML(p Page) ([]byte, error) {
	v, err := newView(p)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := tmpl.Execute(&buf, v); err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	return buf.Bytes(), nil
}

// view is Page made ready for the template: numbers formatted, keys built,
// charts drawn.
type view struct {
	Page
	Headline    []headPart
	Services    []serviceView
	Groups      []groupView
	Options     []optionView
	Charts      []chartView
	Incomplete  string // the warning, when the run is incomplete
	Footer      []runField
	Money       []moneyView
	Data        []moneyView
	Observed    []observedView
	Causes      []causeView
	Incidents   []incidentView
	Investments []investmentView
	Budget      *budgetView
	Tables      []tableView
}

type moneyView struct {
	Label, Note string
	Mean        ciView
	P50, P90    *num
}

type observedView struct {
	Label, Source, Verdict string
	From, To, Value        *num
	Unit                   string
	Glue                   bool // the unit follows the number without a space ("%")
	P10, P50, P90          *num // nil without a band
	N                      string
	Typical                *num // nil when none
	Inside                 bool
}

type causeView struct {
	Subject string
	Back    *num
	Never   bool
	Why     string
}

type incidentView struct {
	Name                string
	PerYear, ALE, Share *num
	Loss                ciView
}

type investmentView struct {
	Name, Description, Source string
	Capex, Opex, Lifetime     *num
}

type budgetView struct {
	Budget, Capex, Annualised, Predicted *num
	ALE                                  *ciView
	Investments                          string
	Method, Note                         string
}

type headPart struct {
	Text string
	Num  *num
	Unit string
	Pre  bool // unit before the number
}

// num is a number in the page: Key goes to data-metric, Raw (exact) to
// data-value, Text is what a reader sees.
type num struct {
	Key, Raw, Text string
}

func mkNum(key string, v float64) *num {
	return &num{Key: key, Raw: strconv.FormatFloat(v, 'g', -1, 64), Text: formatNumber(v)}
}

type ciView struct{ Mean, Lo, Hi *num }

func mkCI(key string, mean, lo, hi float64) ciView {
	c := ciView{Mean: mkNum(key+".mean", mean)}
	if showCI(mean, lo, hi) {
		c.Lo, c.Hi = mkNum(key+".ci95_lo", lo), mkNum(key+".ci95_hi", hi)
	}
	return c
}

// showCI reports whether an interval is given: lo ≤ mean ≤ hi, all
// finite. Both bounds zero around a non-zero mean means "no interval".
func showCI(mean, lo, hi float64) bool {
	for _, x := range []float64{mean, lo, hi} {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return false
		}
	}
	return lo <= mean && mean <= hi
}

type groupView struct {
	Name                 string
	Members              int
	Impaired             *num
	Back50, Back90, Back ciView
	BackP90              *num
}

type serviceView struct {
	Service             string
	P50, P90            *num
	TTR, Outage, UserHL ciView
}

type optionView struct {
	Name             string
	Capex, Opex, NPV *num
	ALE, Reduction   ciView
	Payback          *num
	PaybackText      string // "4 years 1 month", "never"
	Pareto           bool
	KeyP50           *num
}

type chartView struct {
	Title, Caption string
	SVG            template.HTML
}

type runField struct {
	Name, Key, Value string
	Code             bool
}

func newView(p Page) (*view, error) {
	v := &view{Page: p}
	for _, h := range p.Headline {
		if h.Metric == "" {
			v.Headline = append(v.Headline, headPart{Text: h.Text})
			continue
		}
		v.Headline = append(v.Headline, headPart{Num: mkNum(h.Metric, h.Value), Unit: h.Unit, Pre: isCurrencyCode(h.Unit)})
	}
	for _, s := range p.Services {
		k := s.Service + "."
		v.Services = append(v.Services, serviceView{
			Service: s.Service,
			P50:     mkNum(k+"time_to_recover_h.p50", s.TimeToRecoverH.P50),
			P90:     mkNum(k+"time_to_recover_h.p90", s.TimeToRecoverH.P90),
			TTR:     mkCI(k+"time_to_recover_h", s.TimeToRecoverH.Mean, s.TimeToRecoverH.CI95[0], s.TimeToRecoverH.CI95[1]),
			Outage:  mkCI(k+"outage_h", s.OutageH.Mean, s.OutageH.CI95[0], s.OutageH.CI95[1]),
			UserHL:  mkCI(k+"user_hours_lost", s.UserHoursLost.Mean, s.UserHoursLost.CI95[0], s.UserHoursLost.CI95[1]),
		})
	}
	for _, g := range p.Groups {
		k := "group." + g.Name + "."
		v.Groups = append(v.Groups, groupView{
			Name: g.Name, Members: g.Members,
			Impaired: mkNum(k+"members_impaired.mean", g.Impaired.Mean),
			Back50:   mkCI(k+"recovered_50_h", g.Back50.Mean, g.Back50.CI95[0], g.Back50.CI95[1]),
			Back90:   mkCI(k+"recovered_90_h", g.Back90.Mean, g.Back90.CI95[0], g.Back90.CI95[1]),
			Back:     mkCI(k+"recovered_100_h", g.Back100.Mean, g.Back100.CI95[0], g.Back100.CI95[1]),
			BackP90:  mkNum(k+"recovered_100_h.p90", g.Back100.P90),
		})
	}
	for _, o := range p.Options {
		k := "option." + o.Name + "."
		v.Options = append(v.Options, optionView{
			Name:        o.Name,
			Capex:       mkNum(k+"capex", o.Capex),
			Opex:        mkNum(k+"opex_per_yr", o.OpexPerYear),
			NPV:         mkNum(k+"npv", o.NPV),
			ALE:         mkCI(k+"ale", o.ALE.Mean, o.ALE.Lo, o.ALE.Hi),
			Reduction:   mkCI(k+"ale_reduction", o.ALEReduction.Mean, o.ALEReduction.Lo, o.ALEReduction.Hi),
			Payback:     mkNum(k+"payback_yr", o.PaybackYears),
			PaybackText: FormatYears(o.PaybackYears),
			Pareto:      o.Pareto,
			KeyP50:      mkNum(k+"key_p50_h", o.KeyP50H),
		})
	}
	v.addSections(p)
	for _, t := range p.Tables {
		tv, err := newTableView(t)
		if err != nil {
			return nil, err
		}
		v.Tables = append(v.Tables, tv)
	}
	for i, c := range p.Charts {
		svg, err := c.SVG()
		if err != nil {
			return nil, fmt.Errorf("report: chart %d: %w", i, err)
		}
		v.Charts = append(v.Charts, chartView{Title: c.Title(), Caption: c.Caption, SVG: inlineSVG(svg, c.Title())})
	}
	r := p.Run
	if !r.Complete {
		msg := "Incomplete results: the run was interrupted, so the numbers below cover only the replications that finished."
		if r.Done > 0 && r.Replications > 0 {
			msg = fmt.Sprintf("Incomplete results: the run was interrupted after %s of %s replications; the numbers below cover only those %s.",
				formatCount(r.Done), formatCount(r.Replications), formatCount(r.Done))
		}
		v.Incomplete = msg
	}
	add := func(name, key, value string, code bool) {
		if value != "" {
			v.Footer = append(v.Footer, runField{Name: name, Key: key, Value: value, Code: code})
		}
	}
	tool := r.Tool
	if r.Version != "" {
		tool += " " + r.Version
	}
	add("tool", "tool", tool, false)
	add("scenario", "scenario", r.Scenario, false)
	add("scenario sha256", "scenario_sha256", r.ScenarioSHA256, true)
	add("seed", "seed", strconv.FormatUint(r.Seed, 10), true)
	reps := formatCount(r.Replications)
	if r.Done > 0 && r.Done != r.Replications {
		reps = formatCount(r.Done) + " of " + reps
	}
	add("replications", "replications", reps, false)
	shard := r.Shard
	if shard == "" {
		shard = "0/1"
	}
	add("shard", "shard", shard, true)
	add("complete", "complete", strconv.FormatBool(r.Complete), false)
	if !r.Started.IsZero() {
		add("started", "started", r.Started.UTC().Format(time.RFC3339), false)
	}
	if !r.Finished.IsZero() {
		add("finished", "finished", r.Finished.UTC().Format(time.RFC3339), false)
	}
	return v, nil
}

// FormatCount writes a count in full with thousands separators: 200000 →
// "200,000".
func FormatCount(n int) string { return formatCount(n) }

// formatCount writes a count in full with thousands separators.
func formatCount(n int) string {
	return groupThousands(strconv.Itoa(n))
}

// inlineSVG prepares an SVG document for embedding in HTML: the XML
// prolog and comment go, and the root gets an accessible name.
func inlineSVG(svg []byte, title string) template.HTML {
	if i := bytes.Index(svg, []byte("<svg")); i >= 0 {
		svg = svg[i:]
	}
	svg = bytes.Replace(svg, []byte("<svg"),
		[]byte(`<svg role="img" aria-label="`+html.EscapeString(title)+`"`), 1)
	// The SVG comes from our own renderer, which escapes all text it draws.
	return template.HTML(svg)
}

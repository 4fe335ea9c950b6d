// Package report draws dcsim's charts and writes its self-contained HTML
// report. It takes plain data — fixed-size summaries of the replications,
// slices of hours and fractions, money, and sim.Stat summaries — so it
// depends on neither the model nor the CLI.
//
// # Summaries
//
// Charts of distributions are drawn from summaries whose size does not
// depend on the replication count: ECDF (at most ECDFPoints+1 quantiles;
// the drawn curve is within 1/ECDFPoints of the empirical CDF, exact for
// up to ECDFPoints values) and Hist (at most 60 bins, with mean, P50,
// P90). Build them from a slice with ECDFOf and HistOf (exact), or one
// value at a time with a Sketch, whose memory does not grow with the count
// and whose quantiles are at most SketchRelErr (1.8 %) above the exact
// ones; sketches of workers or shards merge exactly.
//
// # Charts
//
// Each chart is built by a New… constructor that returns a Chart, or
// written straight to a file by the function of the same name:
//
//   - RecoveryCDF / NewRecoveryCDFOf: CDF of time to recover per service
//     and variant, hours on a log axis, observed recoveries as diamonds.
//   - NewSwimlanes: one row per service coloured down / degraded / up over
//     hours since the incident, folded into at most MaxLanes rows, with
//     labelled event markers (simulated and observed).
//   - Timeline: serving fraction (0–100 %) per service as step lines.
//   - Histogram / NewHistogramOf: a quantity across replications (e.g.
//     user-hours lost), with mean, P50 and P90.
//   - InvestmentChart: annualised cost against annual loss expectancy (ALE)
//     per option, Pareto frontier, labels placed so they never overlap.
//   - RankedBars: horizontal bars, largest first, with CI whiskers.
//
// A chart is drawn 8 × 5 in by default. Save picks PNG (150 dpi) or SVG
// from the file extension and writes through a temporary file and a
// rename; a chart's SVG is drawn once and shared by its copies (the .svg
// file and the report's inline chart). Series get colours from a
// colour-blind-safe palette and, past ten series or within a
// CDFSeries/StepSeries Group, distinct dash patterns. Legends sit beside
// the data area, never over it. Inputs are checked when a chart is drawn;
// bad data (NaN where a number is needed, a fraction outside 0–1, times
// that go backwards) is an error, not a panic.
//
// # HTML report
//
// WriteHTML renders a Page — title, a one-sentence headline, the money an
// incident costs, observed history beside the simulated bands, the causes
// of slow recovery, the incidents that carry the loss, the investment
// options (ranked as the caller orders them, with a note), the budget
// choice, what each investment changes and costs, a per-service table,
// charts, assumptions, a legend of source tags and a footer identifying
// the run; each section only when given — into one HTML file with inline
// CSS and inline SVG charts, no scripts, and a Content-Security-Policy
// that forbids fetching anything. An incomplete run (Run.Complete false)
// opens with a warning banner.
//
// Every number in the headline and tables is an element
//
//	<span class="num" data-metric="KEY" data-value="EXACT">SHOWN</span>
//
// where SHOWN is FormatNumber(EXACT) (three significant digits, thousands
// separators) and KEY is the number's path in summary.json:
// "SERVICE.METRIC.STAT" with STAT one of p50, p90, mean, ci95_lo, ci95_hi
// (e.g. "kakaotalk.time_to_recover_h.p50"); headline numbers use the key
// the caller gives; option figures are "option.NAME.FIELD" (capex,
// opex_per_yr, ale.mean, ale_reduction.ci95_lo, npv, payback_yr,
// key_p50_h; the baseline's incidents "option.baseline.incidents.NAME.
// FIELD"); "investment.NAME.FIELD", "budget.FIELD", "observed.I.FIELD"
// and "cause.I.back_h" name the other sections' numbers (see
// results/README.md). Payback is shown in years and months. Tests and
// readers can check each shown number against the JSON by its key.
// Footer fields are marked data-run="seed" etc.
//
// Units: times are hours; serving fractions are 0–1 in and percent on the
// chart; money is in the currency the caller names, per year where the
// field says so.
package report

// Package report draws dcsim's charts and writes its self-contained HTML
// report. It takes plain data — slices of hours, fractions and money, and
// sim.Stat summaries — so it depends on neither the model nor the CLI.
//
// # Charts
//
// Five kinds of chart, each built by a New… constructor that returns a
// Chart, or written straight to a file by the function of the same name:
//
//   - RecoveryCDF: empirical CDF of time to recover per service and variant,
//     hours on a log axis.
//   - Timeline: serving fraction (0–100 %) per service over hours since the
//     incident, with labelled event markers.
//   - Histogram: a quantity across replications (e.g. user-hours lost), with
//     mean, P50 and P90.
//   - InvestmentChart: annualised cost against annual loss expectancy (ALE)
//     per option, 95% CI bars, Pareto frontier.
//   - RankedBars: horizontal bars, largest first, with CI whiskers.
//
// A chart is drawn 8 × 5 in by default. Save picks PNG (150 dpi) or SVG
// from the file extension and writes through a temporary file and a
// rename. Series get colours from a colour-blind-safe palette and, past
// ten series or within a CDFSeries/StepSeries Group, distinct dash
// patterns. Legends sit beside the data area, never over it. Inputs are
// checked when a chart is drawn; bad data (NaN where a number is needed,
// a fraction outside 0–1, times that go backwards) is an error, not a
// panic.
//
// # HTML report
//
// WriteHTML renders a Page — title, a one-sentence headline, a per-service
// table, an optional investment-options table, charts, assumptions and a
// footer identifying the run — into one HTML file with inline CSS and
// inline SVG charts, no scripts, and a Content-Security-Policy that forbids
// fetching anything. An incomplete run (Run.Complete false) opens with a
// warning banner.
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
// key_p50_h). Tests and readers can check each shown number against the
// JSON by its key. Footer fields are marked data-run="seed" etc.
//
// Units: times are hours; serving fractions are 0–1 in and percent on the
// chart; money is in the currency the caller names, per year where the
// field says so.
package report

package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/urfave/cli/v2"
	"gonum.org/v1/plot/vg"

	"github.com/dcsim/dcsim/model"
	"github.com/dcsim/dcsim/model/results"
	"github.com/dcsim/dcsim/model/risk"
)

// uncertaintyFile is uncertainty.json: what the uncertain inputs do to the
// AAL and to each option's value.
type uncertaintyFile struct {
	Scenario string `json:"scenario"`
	Seed     uint64 `json:"seed"`
	// Complete is false while the analysis runs and after an interrupt
	// (Progress says where): dcsim risk --resume continues it.
	Complete     bool               `json:"complete"`
	Progress     string             `json:"progress,omitempty"`
	InnerYears   int                `json:"inner_years"`
	NPVYears     float64            `json:"npv_years"`
	DiscountRate float64            `json:"discount_rate"`
	Currency     string             `json:"currency"`
	Inputs       []uncertainInput   `json:"inputs"`
	Lead         string             `json:"lead_option,omitempty"`
	TwoLevel     *risk.Uncertainty  `json:"two_level,omitempty"`
	Tornado      []risk.Tornado     `json:"tornado"`
	Sobol        []risk.SobolResult `json:"sobol,omitempty"`
	Note         string             `json:"note"`
}

type uncertainInput struct {
	Name string  `json:"name"`
	Kind string  `json:"kind"`           // "frequency" (per year), "value" (a cost, in the currency) or "parameter" (of a distribution)
	Unit string  `json:"unit,omitempty"` // a parameter's: "h", "/yr", "fraction" or "" (a number)
	P10  float64 `json:"p10"`
	P50  float64 `json:"p50"`
	P90  float64 `json:"p90"`
	Mean float64 `json:"mean"`
}

// riskUncertainty runs what the scenario's uncertain inputs (frequencies,
// costs and distribution parameters) call for: the tornado of the baseline AAL, its 100-year loss
// and — with options — the NPV of the option that is best at the medians
// (the lead), each input at its P10 and P90; with --uncertainty a
// two-level Monte Carlo of every option's AAL and NPV; with --sobol the
// Sobol indices of the same outputs as the tornado. Every evaluation
// simulates the same years (the same seed), so differences between points
// come from the inputs.
//
// Options are valued by their NPV over --npv-years at --discount-rate, as
// dcsim compare does with --years and --discount-rate. report.html is
// written again with the results.
func riskUncertainty(c *cli.Context, o riskOptions, ann *model.Annual, plan *model.Plan, seed uint64, workers int, out string, tabs []*risk.YLT, resumed bool) error {
	inputs, _ := ann.UncertainInputs()
	outer, sobolN, inner, tornado, method := o.outer, o.sobol, o.inner, o.tornado, o.method
	if len(inputs) == 0 {
		if outer > 0 || sobolN > 0 || tornado {
			return badInputf("--tornado, --uncertainty and --sobol need uncertain inputs: write a catalogue frequency, a cost or a distribution's parameter as a distribution, e.g. frequency = {dist = \"lognormal\", median = \"0.5/yr\", p95 = \"2/yr\"}, capex = {dist = \"uniform\", min = 10e9, max = 30e9} or median = {dist = \"lognormal\", median = \"6h\", p95 = \"15h\"}")
		}
		return nil
	}
	if outer == 0 && sobolN == 0 && !tornado {
		if !c.Bool("quiet") {
			fmt.Fprintf(c.App.ErrWriter, "the scenario has %d uncertain inputs: --tornado, --uncertainty N or --sobol N show what they do to the AAL and the ranking\n", len(inputs))
		}
		return nil
	}
	money := model.Money{Years: o.npvYears, DiscountRate: o.discount}
	ctx := c.Context
	quiet := c.Bool("quiet")
	// variantsBuild simulates the given variants only (indices into the
	// plan), at point x.
	variantsBuild := func(vs []int) risk.Build {
		return func(x []float64) (*risk.Config, risk.Simulate, error) {
			cfg, at, err := ann.At(x, inner, seed, method, workers)
			if err != nil {
				return nil, nil, badInput(err)
			}
			if vs == nil {
				return cfg, at.Simulate, nil
			}
			sub := make([]risk.Variant, len(vs))
			for k, v := range vs {
				sub[k] = cfg.Variants[v]
			}
			cfg.Variants = sub
			return cfg, func(w, v int, in *risk.YearInput, o *risk.YearOutcome) error { return at.Simulate(w, vs[v], in, o) }, nil
		}
	}
	npvAt := func(o int, x []float64, red float64) float64 { return ann.NPV(o, x, red, money) }
	f := uncertaintyFile{Scenario: plan.Base.Name, Seed: seed, InnerYears: inner, NPVYears: money.Years, DiscountRate: money.DiscountRate, Currency: plan.Base.Currency,
		Note: "Inputs written as distributions are epistemic: what is not known about them. The two-level intervals cover input uncertainty and simulation noise; inner_noise_share says how much of each spread is noise. NPV is over npv_years at discount_rate, against doing nothing."}
	kinds, units := ann.InputKinds()
	for k, in := range inputs {
		unit := ""
		if kinds[k] == "parameter" {
			unit = units[k]
		}
		f.Inputs = append(f.Inputs, uncertainInput{Name: in.Name, Kind: kinds[k], Unit: unit, P10: in.At(0.1), P50: in.At(0.5), P90: in.At(0.9), Mean: in.Dist.Mean()})
	}
	// The journal keeps every finished evaluation, and uncertainty.json
	// says the analysis is under way (complete false) until it ends, so an
	// interrupted or killed analysis is continued by --resume.
	jr, err := openJournal(out, resumed)
	if err != nil {
		return err
	}
	defer jr.Close()
	if err := writeUncertaintyJSON(out, &f); err != nil {
		return err
	}
	if !quiet && jr.kept > 0 {
		fmt.Fprintf(c.App.ErrWriter, "continuing the uncertainty analysis: %d evaluations from %s\n", jr.kept, journalName)
	}
	stage, stageName, stageN := "", "", 0
	begin := func(st, name string, n int) { stage, stageName, stageN = st, name, n }
	// fail turns an interrupt into an incomplete uncertainty.json (the
	// stages finished so far) and exit 130.
	fail := func(err error) error {
		if ctx.Err() == nil {
			return err
		}
		f.Progress = fmt.Sprintf("interrupted in the %s after %d of %d evaluations; %d evaluations in all kept in %s", stageName, jr.count(stage), stageN, jr.total(), journalName)
		if werr := writeUncertaintyJSON(out, &f); werr != nil {
			return werr
		}
		return interruptedError(fmt.Sprintf("%s; uncertainty.json marked incomplete (risk.json is complete); continue with dcsim risk --resume %s", f.Progress, out))
	}
	// The tornado and Sobol indices read the baseline and the lead option:
	// simulate those alone.
	vs := []int{0}
	outs := []risk.Output{risk.AALOf(0, "baseline AAL"), risk.AEPOf(0, 100, "baseline 100-year loss")}
	if len(plan.Names) > 1 && (tornado || sobolN > 0) {
		if !quiet {
			fmt.Fprintf(c.App.ErrWriter, "%d uncertain inputs: every option at the medians (%d years), to find the lead…\n", len(inputs), inner)
		}
		begin("lead", "search for the lead option", 1)
		med := risk.Medians(inputs)
		aal, err := jr.eval("lead", med, func() ([]float64, error) {
			tabs, err := runBuild(ctx, variantsBuild(nil), med)
			if err != nil {
				return nil, err
			}
			aal := make([]float64, len(tabs))
			for o, t := range tabs {
				aal[o] = t.AAL().Mean
			}
			return aal, nil
		})
		if err != nil {
			return fail(err)
		}
		lead, best := 0, 0.0
		for o := 1; o < len(aal); o++ {
			if v := npvAt(o, med, aal[0]-aal[o]); lead == 0 || v > best {
				lead, best = o, v
			}
		}
		f.Lead = plan.Names[lead]
		vs = append(vs, lead)
		outs = append(outs, risk.NPVOf(1, "NPV of "+f.Lead, func(_ int, x []float64, red float64) float64 { return npvAt(lead, x, red) }))
	}
	if tornado {
		if !quiet {
			fmt.Fprintf(c.App.ErrWriter, "tornado: %d annual runs of %d years…\n", 1+2*len(inputs), inner)
		}
		begin("tornado", "tornado", 1+2*len(inputs))
		tor, err := risk.Tornadoes(inputs, risk.Names(outs), jr.model("tornado", risk.AnnualModel(ctx, variantsBuild(vs), outs)))
		if err != nil {
			return fail(err)
		}
		f.Tornado = tor
	}
	if outer > 0 {
		if !quiet {
			fmt.Fprintf(c.App.ErrWriter, "two-level Monte Carlo: %d points × %d years × %d variants…\n", outer, inner, len(plan.Names))
		}
		begin("two_level", "two-level Monte Carlo", outer)
		tl := risk.TwoLevel{Inputs: inputs, Options: plan.Names, Outer: outer, Seed: seed, Inner: jr.inner("two_level", risk.AnnualInner(ctx, variantsBuild(nil))), NPV: npvAt}
		u, err := tl.Run()
		if err != nil {
			return fail(err)
		}
		f.TwoLevel = u
	}
	if sobolN > 0 {
		if !quiet {
			fmt.Fprintf(c.App.ErrWriter, "Sobol indices: %d annual runs of %d years…\n", sobolN*(len(inputs)+2), inner)
		}
		begin("sobol", "Sobol indices", sobolN*(len(inputs)+2))
		s := risk.Sobol{Inputs: inputs, Outputs: risk.Names(outs), N: sobolN, Seed: seed}
		res, err := s.Run(jr.model("sobol", risk.AnnualModel(ctx, variantsBuild(vs), outs)))
		if err != nil {
			return fail(err)
		}
		f.Sobol = res
	}
	f.Complete = true
	if err := writeUncertaintyJSON(out, &f); err != nil {
		return err
	}
	if !o.noPlots {
		if err := uncertaintyCharts(&f, out); err != nil {
			return err
		}
		if err := writeRiskReportFrom(out, tabs, &f, plan.Base.Currency, sha256Hex(plan.Base.Source)); err != nil {
			return err
		}
	}
	writeUncertaintyTable(c.App.Writer, &f)
	return nil
}

func writeUncertaintyJSON(out string, f *uncertaintyFile) error {
	b, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return err
	}
	return results.WriteFileAtomic(filepath.Join(out, "uncertainty.json"), append(b, '\n'))
}

// uncertaintyCharts draws tornado-K (one per output of the tornado),
// sobol-K (one per output of the Sobol indices) and npv_uncertainty (each
// option's NPV over the inputs).
func uncertaintyCharts(f *uncertaintyFile, out string) error {
	for k, t := range f.Tornado {
		p, err := risk.TornadoChart(f.Scenario+": what moves the "+t.Output+" (each input at its P10 and P90)", t.Output+" ("+f.Currency+")", t)
		if err != nil {
			return err
		}
		for _, ext := range []string{".png", ".svg"} {
			if err := risk.Save(p, filepath.Join(out, fmt.Sprintf("tornado-%d%s", k, ext)), 7*vg.Inch, 3.5*vg.Inch); err != nil {
				return err
			}
		}
	}
	for k, r := range f.Sobol {
		p, err := risk.SobolChart(f.Scenario+": Sobol indices of the "+r.Output, r)
		if err != nil {
			continue
		}
		for _, ext := range []string{".png", ".svg"} {
			if err := risk.Save(p, filepath.Join(out, fmt.Sprintf("sobol-%d%s", k, ext)), 7*vg.Inch, 3.5*vg.Inch); err != nil {
				return err
			}
		}
	}
	if u := f.TwoLevel; u != nil && len(u.Options) > 1 {
		p, err := risk.SpreadChart(fmt.Sprintf("%s: NPV over %g years against doing nothing, over input uncertainty (%d points)", f.Scenario, f.NPVYears, u.Outer),
			"NPV ("+f.Currency+")", u.Options[1:])
		if err != nil {
			return err
		}
		for _, ext := range []string{".png", ".svg"} {
			if err := risk.Save(p, filepath.Join(out, "npv_uncertainty"+ext), 7*vg.Inch, 4*vg.Inch); err != nil {
				return err
			}
		}
	}
	return nil
}

func runBuild(ctx context.Context, build risk.Build, x []float64) ([]*risk.YLT, error) {
	cfg, simulate, err := build(x)
	if err != nil {
		return nil, err
	}
	tabs, _, err := risk.Run(ctx, cfg, simulate)
	return tabs, err
}

func writeUncertaintyTable(w io.Writer, f *uncertaintyFile) {
	fmt.Fprintln(w, "uncertain inputs: "+inputList(f.Inputs))
	for _, t := range f.Tornado {
		fmt.Fprintf(w, "tornado of the %s (%s at medians):", t.Output, num(t.Base))
		for _, b := range t.Bars {
			fmt.Fprintf(w, " %s %s…%s;", b.Input, num(b.Low), num(b.High))
		}
		fmt.Fprintln(w)
	}
	if u := f.TwoLevel; u != nil {
		tw := tabwriter.NewWriter(w, 2, 0, 2, ' ', 0)
		fmt.Fprintf(tw, "over input uncertainty (%d points)\tAAL mean [95%% CI]\tAAL P5–P95\tNPV mean\tNPV P5–P95\tP(best)\tP(beats doing nothing)\tnoise share\n", u.Outer)
		for _, o := range u.Options {
			fmt.Fprintf(tw, "%s\t%s [%s, %s]\t%s–%s\t%s\t%s–%s\t%.2f\t%.2f\t%.2f\n", o.Name, num(o.AAL.Mean), num(o.AAL.CI95[0]), num(o.AAL.CI95[1]),
				num(o.AAL.P05), num(o.AAL.P95), num(o.NPV.Mean), num(o.NPV.P05), num(o.NPV.P95), o.PBest.P, o.PBeatsNothing.P, o.InnerNoise)
		}
		tw.Flush()
		fmt.Fprintf(w, "best by mean NPV: %s; expected value of perfect information %s %s\n", u.BestByMeanNPV, num(u.EVPI.Mean), f.Currency)
	}
	for _, r := range f.Sobol {
		fmt.Fprintf(w, "Sobol indices of the %s (N = %d):", r.Output, r.N)
		for _, x := range r.Indices {
			fmt.Fprintf(w, " %s first %.2f [%.2f, %.2f], total %.2f;", x.Input, x.First, x.FirstC[0], x.FirstC[1], x.Total)
		}
		fmt.Fprintln(w)
	}
}

func inputList(in []uncertainInput) string {
	var parts []string
	for _, x := range in {
		unit := x.Unit
		if x.Kind == "frequency" {
			unit = "/yr"
		}
		if unit == "fraction" {
			unit = ""
		}
		parts = append(parts, fmt.Sprintf("%s P10 %.3g%s, P50 %.3g%s, P90 %.3g%s", x.Name, x.P10, unit, x.P50, unit, x.P90, unit))
	}
	return strings.Join(parts, "; ")
}

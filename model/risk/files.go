package risk

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"

	"gonum.org/v1/plot/vg"

	"github.com/dcsim/dcsim/model/results"
)

// File is risk.json: the summary of every variant of an annual run.
type File struct {
	Tool      string         `json:"tool"`
	Scenario  string         `json:"scenario"`
	Seed      uint64         `json:"seed"`
	Method    string         `json:"method"`
	Years     int            `json:"years"`
	Complete  bool           `json:"complete"`
	Variants  []Summary      `json:"variants"`
	Incidents []IncidentRate `json:"incidents"`
	// Run says what produced the file, for a resume: the scenario copy in
	// the directory and the options that fix the result.
	Run *RunInfo `json:"run,omitempty"`
}

// RunInfo identifies an annual run well enough to continue it.
type RunInfo struct {
	ScenarioFile   string            `json:"scenario_file"`   // the copy in the directory
	ScenarioSHA256 string            `json:"scenario_sha256"` // hex SHA-256 of it
	Options        map[string]string `json:"options"`         // command options that affect the result
}

// IncidentRate is an incident type and its catalogue frequency.
type IncidentRate struct {
	Name    string  `json:"name"`
	PerYear float64 `json:"per_year"`
}

// WriteFiles writes an annual run's results into dir, each file under a
// temporary name and renamed: ylt.csv (WriteCSV), then risk.json (File) and,
// with plots, the exceedance charts aep.{png,svg} and oep.{png,svg} (one
// line per variant, 95% bands, 40 return periods from 1.25 to 1,000 years),
// whose size does not depend on the number of years. tool names dcsim and
// its version; complete is false for an interrupted run's partial tables.
//
// incidents are the catalogue as Config.Incidents had it.
func WriteFiles(dir, tool, scenario string, seed uint64, d *Design, incidents []Incident, tabs []*YLT, complete, plots bool) error {
	return WriteFilesOf(dir, File{Tool: tool, Scenario: scenario, Seed: seed, Complete: complete}, d, incidents, tabs, plots)
}

// WriteFilesOf is WriteFiles with risk.json's Tool, Scenario, Seed,
// Complete and Run taken from head (the rest is computed).
func WriteFilesOf(dir string, head File, d *Design, incidents []Incident, tabs []*YLT, plots bool) error {
	if len(tabs) == 0 {
		return fmt.Errorf("risk: no variants to write")
	}
	f := File{Tool: head.Tool, Scenario: head.Scenario, Seed: head.Seed, Method: d.Method.String(), Years: tabs[0].Len(), Complete: head.Complete, Run: head.Run}
	scenario := f.Scenario
	for _, in := range incidents {
		f.Incidents = append(f.Incidents, IncidentRate{in.Name, in.PerYear})
	}
	for v, t := range tabs {
		if err := t.Check(); err != nil {
			return err
		}
		s := t.Summarize(f.Seed)
		if v > 0 {
			red, err := Reduction(tabs[0], t)
			if err != nil {
				return err
			}
			s.AALReduction = &red
		}
		f.Variants = append(f.Variants, s)
	}
	b, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return err
	}
	// ylt.csv first: risk.json is the commit point, so a crash between
	// the two leaves a table at least as long as risk.json says (a resume
	// takes every year the table holds).
	if err := results.WriteAtomic(filepath.Join(dir, "ylt.csv"), func(w io.Writer) error { return WriteCSV(w, tabs) }); err != nil {
		return err
	}
	if err := results.WriteFileAtomic(filepath.Join(dir, "risk.json"), append(b, '\n')); err != nil {
		return err
	}
	if !plots {
		return nil
	}
	for _, c := range []struct {
		name, title, label string
		col                func(t *YLT) []float64
	}{
		{"aep", "Aggregate exceedance: annual loss", "annual loss", func(t *YLT) []float64 { return t.Loss }},
		{"oep", "Occurrence exceedance: largest incident of the year", "loss of the largest incident", func(t *YLT) []float64 { return t.MaxEvent }},
	} {
		var series []Series
		for _, t := range tabs {
			series = append(series, Series{Name: t.Variant, Points: t.NewCurve(c.col(t)).points(CurvePeriods)})
		}
		p, err := ExceedanceChart(fmt.Sprintf("%s: %s (%d years, 95%% bands)", scenario, c.title, f.Years), c.label, series)
		if err != nil {
			return err
		}
		for _, ext := range []string{".png", ".svg"} {
			if err := Save(p, filepath.Join(dir, c.name+ext), 7*vg.Inch, 4.5*vg.Inch); err != nil {
				return err
			}
		}
	}
	return nil
}

// ReadFile reads risk.json.
func ReadFile(r io.Reader) (*File, error) {
	var f File
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	if err := json.NewDecoder(bytes.NewReader(b)).Decode(&f); err != nil {
		return nil, fmt.Errorf("risk.json: %w", err)
	}
	return &f, nil
}

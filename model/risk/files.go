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
}

// IncidentRate is an incident type and its catalogue frequency.
type IncidentRate struct {
	Name    string  `json:"name"`
	PerYear float64 `json:"per_year"`
}

// WriteFiles writes an annual run's results into dir, each file under a
// temporary name and renamed: risk.json (File), ylt.csv (WriteCSV) and,
// with plots, the exceedance charts aep.{png,svg} and oep.{png,svg} (one
// line per variant, 95% bands, 40 return periods from 1.25 to 1,000 years),
// whose size does not depend on the number of years. tool names dcsim and
// its version; complete is false for an interrupted run's partial tables.
//
// incidents are the catalogue as Config.Incidents had it.
func WriteFiles(dir, tool, scenario string, seed uint64, d *Design, incidents []Incident, tabs []*YLT, complete, plots bool) error {
	if len(tabs) == 0 {
		return fmt.Errorf("risk: no variants to write")
	}
	f := File{Tool: tool, Scenario: scenario, Seed: seed, Method: d.Method.String(), Years: tabs[0].Len(), Complete: complete}
	for _, in := range incidents {
		f.Incidents = append(f.Incidents, IncidentRate{in.Name, in.PerYear})
	}
	for _, t := range tabs {
		if err := t.Check(); err != nil {
			return err
		}
		f.Variants = append(f.Variants, t.Summarize(seed))
	}
	b, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return err
	}
	if err := results.WriteFileAtomic(filepath.Join(dir, "risk.json"), append(b, '\n')); err != nil {
		return err
	}
	if err := results.WriteAtomic(filepath.Join(dir, "ylt.csv"), func(w io.Writer) error { return WriteCSV(w, tabs) }); err != nil {
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

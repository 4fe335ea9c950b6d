package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/urfave/cli/v2"

	"github.com/dcsim/dcsim/model"
	"github.com/dcsim/dcsim/model/results"
)

// What run and compare print on stdout when they finish: the human table
// (unless --quiet), or with --json one JSON object built from the files
// just committed, so stdout and the directory can never disagree:
//
//	{"results_dir": DIR, "manifest": {manifest.json}, "summary": {summary.json},
//	 "compare": {compare.json} or null}
//
// The schemas of the embedded objects are those of the files, documented in
// results/README.md.

// resultsJSON is the --json object of run and compare.
type resultsJSON struct {
	ResultsDir string          `json:"results_dir"`
	Manifest   json.RawMessage `json:"manifest"`
	Summary    json.RawMessage `json:"summary"`
	Compare    json.RawMessage `json:"compare"` // null for a run or a shard
}

// printResults prints the outcome of a finished run whose committed
// directory is dir.
func printResults(c *cli.Context, spec *runSpec, col *results.Collector, dir string) error {
	if c.Bool("json") {
		return printResultsJSON(c, dir)
	}
	if c.Bool("quiet") {
		return nil
	}
	if err := spec.show(c, col); err != nil {
		return err
	}
	_, err := fmt.Fprintf(c.App.Writer, "\nresults in %s\n", dir)
	return err
}

func printResultsJSON(c *cli.Context, dir string) error {
	read := func(name string, optional bool) (json.RawMessage, error) {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if optional && errors.Is(err, os.ErrNotExist) {
			return json.RawMessage("null"), nil
		}
		return b, err
	}
	var out resultsJSON
	var err error
	out.ResultsDir = dir
	if out.Manifest, err = read(results.ManifestFile, false); err != nil {
		return err
	}
	if out.Summary, err = read(results.SummaryFile, false); err != nil {
		return err
	}
	if out.Compare, err = read("compare.json", true); err != nil {
		return err
	}
	b, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		return err
	}
	_, err = c.App.Writer.Write(append(b, '\n'))
	return err
}

// validateJSON is the --json output of validate: one entry per file, in
// argument order.
type validateJSON struct {
	Scenarios []validateEntry `json:"scenarios"`
}

type validateEntry struct {
	File     string          `json:"file"`
	OK       bool            `json:"ok"`
	Scenario string          `json:"scenario,omitempty"` // the scenario's name, when it loaded
	Sites    int             `json:"sites,omitempty"`
	Services int             `json:"services,omitempty"`
	Servers  int             `json:"servers,omitempty"`
	Hazard   string          `json:"hazard,omitempty"` // of [incident]
	Site     string          `json:"site,omitempty"`   // of [incident]
	Problems []validateIssue `json:"problems"`         // empty when ok
}

type validateIssue struct {
	File    string `json:"file"`
	Line    int    `json:"line"` // 0 when the problem has no line (a missing file, a missing key)
	Key     string `json:"key"`  // TOML key path, "" for the whole file
	Message string `json:"message"`
}

// validateResult describes the outcome of loading path.
func validateResult(path string, sc *model.Scenario, err error) validateEntry {
	e := validateEntry{File: path, OK: err == nil, Problems: []validateIssue{}}
	if err != nil {
		var ve *model.ValidationError
		if errors.As(err, &ve) {
			for _, is := range ve.Issues {
				e.Problems = append(e.Problems, validateIssue{File: is.File, Line: is.Line, Key: is.Path, Message: is.Msg})
			}
		} else {
			var ee *exitError
			msg := err.Error()
			if errors.As(err, &ee) {
				msg = ee.err.Error()
			}
			e.Problems = append(e.Problems, validateIssue{File: path, Message: msg})
		}
		return e
	}
	e.Scenario, e.Sites, e.Services, e.Servers = sc.Name, len(sc.Sites), len(sc.Services), countServers(sc)
	e.Hazard, e.Site = string(sc.Incident.Hazard), sc.Where(&sc.Incident)
	return e
}

func countServers(sc *model.Scenario) int {
	n := 0
	for _, s := range sc.Sites {
		for _, d := range s.Domains {
			n += d.Servers
		}
	}
	return n
}

package results

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"github.com/dcsim/dcsim/sim"
)

// Tool is the value of Manifest.Tool in every directory dcsim writes.
const Tool = "dcsim"

// Input is a file copied into a results directory besides the scenario.
type Input struct {
	File   string `json:"file"`   // name inside the directory
	SHA256 string `json:"sha256"` // hex SHA-256 of its contents
}

// MergedShard describes one of the shard directories a merged directory
// came from.
type MergedShard struct {
	Dir      string    `json:"dir"`
	Shard    string    `json:"shard"`
	Workers  int       `json:"workers"`
	Started  time.Time `json:"started"`
	Finished time.Time `json:"finished"`
}

// Manifest is the content of manifest.json: what produced a results
// directory and how much of it is there.
//
// The caller fills the fields marked "caller"; Dir.Checkpoint and
// Dir.Finish fill the rest from the Collector and the clock.
type Manifest struct {
	Tool      string `json:"tool"`       // always "dcsim"
	Version   string `json:"version"`    // caller; dcsim's version (default: the module version from the build info)
	GoVersion string `json:"go_version"` // runtime.Version()
	Command   string `json:"command"`    // caller: "run", "compare", …

	Scenario       string  `json:"scenario"`         // scenario name, from the Collector
	ScenarioFile   string  `json:"scenario_file"`    // the copy's name in the directory (Dir.CopyInputs)
	ScenarioSHA256 string  `json:"scenario_sha256"`  // hex SHA-256 of the scenario file (Dir.CopyInputs, or FileSHA256 on resume)
	Inputs         []Input `json:"inputs,omitempty"` // other input files copied in (Dir.CopyInputs)

	Seed         uint64 `json:"seed"`         // caller: the run's seed
	Replications int    `json:"replications"` // caller: replications of the whole run, all shards together
	Shard        string `json:"shard"`        // caller: "i/n"; "" means "0/1"

	// The directory holds replications [FirstReplication, EndReplication):
	// the shard's range when complete, a prefix of it when not.
	FirstReplication int `json:"first_replication"`
	EndReplication   int `json:"end_replication"`
	ReplicationsDone int `json:"replications_done"` // EndReplication - FirstReplication

	Workers  int      `json:"workers"`  // caller: worker goroutines (does not change results)
	Variants []string `json:"variants"` // from the Collector
	Services []string `json:"services"` // from the Collector, scenario order
	// Incident names the incident of a variant without "@" (a plain run's
	// "baseline"): the incident column of its rows (Collector.SetIncident).
	Incident string `json:"incident,omitempty"`
	// Groups are the service groups summaries report as distributions
	// (Collector.SetGroups); absent when the scenario has none.
	Groups []Group `json:"groups,omitempty"`

	// Currency is the scenario's currency, the unit of every money value
	// (caller); Units maps every metric of the tables and of summary.json
	// to its unit (from Currency).
	Currency string            `json:"currency"`
	Units    map[string]string `json:"units"`
	// Definitions says what the results' words mean under this scenario,
	// each with whether it is the default (caller): what "recovered" is,
	// which failovers are automatic, when a controller still acts.
	Definitions map[string]string `json:"definitions,omitempty"`

	// Complete is true only when the directory holds every replication of
	// its shard range and the run ended normally; false in a checkpoint or
	// after an interrupt.
	Complete bool       `json:"complete"`
	Started  time.Time  `json:"started"`  // caller: when the run began (kept across resumes)
	Updated  time.Time  `json:"updated"`  // when this manifest was written
	Finished *time.Time `json:"finished"` // when the run completed; null until then

	// Options holds the command options that affect results (horizon,
	// incident start, investments, …) as strings; a resume must match them.
	// Options that do not change results (workers, output paths) do not
	// belong here.
	Options map[string]string `json:"options,omitempty"`

	// MergedFrom lists the shard directories of a merged directory.
	MergedFrom []MergedShard `json:"merged_from,omitempty"`
}

// ShardRange returns the half-open range of replication indices that m's
// shard covers in a run of m.Replications.
func (m *Manifest) ShardRange() (lo, hi int, err error) {
	sh, err := m.shard()
	if err != nil {
		return 0, 0, err
	}
	lo, hi = sh.Range(m.Replications)
	return lo, hi, nil
}

func (m *Manifest) shard() (sim.Shard, error) {
	if m.Shard == "" {
		return sim.Shard{Index: 0, Count: 1}, nil
	}
	return sim.ParseShard(m.Shard)
}

// fill sets the fields that come from c and the clock, checking that the
// caller's fields agree with c.
func (m *Manifest) fill(c *Collector, complete bool) error {
	var errs []error
	if m.Scenario == "" {
		m.Scenario = c.Scenario()
	} else if m.Scenario != c.Scenario() {
		errs = append(errs, fmt.Errorf("manifest scenario %q but collector scenario %q", m.Scenario, c.Scenario()))
	}
	if m.Command == "" {
		errs = append(errs, errors.New("manifest command is empty"))
	}
	if m.ScenarioSHA256 == "" {
		errs = append(errs, errors.New("manifest scenario_sha256 is empty (call Dir.CopyInputs)"))
	}
	if m.Replications < 0 {
		errs = append(errs, fmt.Errorf("manifest replications %d < 0", m.Replications))
	}
	if m.Started.IsZero() {
		errs = append(errs, errors.New("manifest started is not set"))
	}
	lo, hi, err := m.ShardRange()
	if err != nil {
		errs = append(errs, err)
	} else if c.First() != lo || c.Next() > hi {
		errs = append(errs, fmt.Errorf("collector holds replications [%d, %d), outside shard %s's range [%d, %d)",
			c.First(), c.Next(), m.Shard, lo, hi))
	} else if complete && c.Next() != hi {
		errs = append(errs, fmt.Errorf("cannot mark complete: collector holds replications [%d, %d) of shard range [%d, %d)",
			c.First(), c.Next(), lo, hi))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("results: %w", err)
	}
	m.Tool = Tool
	if m.Version == "" {
		m.Version = buildVersion()
	}
	if m.GoVersion == "" {
		m.GoVersion = runtime.Version()
	}
	if m.Shard == "" {
		m.Shard = "0/1"
	}
	m.FirstReplication, m.EndReplication, m.ReplicationsDone = c.First(), c.Next(), c.Len()
	m.Variants, m.Services = slices.Clone(c.Variants()), slices.Clone(c.Services())
	m.Incident, m.Units = c.Incident(), Units(m.Currency)
	m.Groups = slices.Clone(c.Groups())
	if len(m.Groups) > 0 {
		for k, u := range groupUnits {
			m.Units[k] = u
		}
	}
	now := time.Now().UTC().Truncate(time.Second)
	m.Updated, m.Complete, m.Finished = now, complete, nil
	if complete {
		m.Finished = &now
	}
	return nil
}

func buildVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
		return bi.Main.Version
	}
	return "(devel)"
}

// WriteManifest writes m to path atomically, as indented JSON.
func WriteManifest(path string, m *Manifest) error {
	b, err := encodeJSON(m)
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return WriteFileAtomic(path, b)
}

// ReadManifest reads a manifest.json and checks that dcsim wrote it and
// that its replication range is consistent.
func ReadManifest(path string) (*Manifest, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if m.Tool != Tool {
		return nil, fmt.Errorf("%s: tool is %q, not %q: not a dcsim manifest", path, m.Tool, Tool)
	}
	lo, hi, err := m.ShardRange()
	switch {
	case err != nil:
		return nil, fmt.Errorf("%s: %w", path, err)
	case m.FirstReplication != lo || m.EndReplication < lo || m.EndReplication > hi ||
		m.ReplicationsDone != m.EndReplication-m.FirstReplication:
		return nil, fmt.Errorf("%s: replications [%d, %d) (%d done) do not fit shard %s's range [%d, %d) of %d",
			path, m.FirstReplication, m.EndReplication, m.ReplicationsDone, m.Shard, lo, hi, m.Replications)
	case m.Complete && m.EndReplication != hi:
		return nil, fmt.Errorf("%s: complete, but holds replications [%d, %d) of shard range [%d, %d)",
			path, m.FirstReplication, m.EndReplication, lo, hi)
	}
	return &m, nil
}

// CheckSameRun returns nil if want describes the same run as m — same
// command, dcsim version (where both name one), scenario name and SHA-256,
// seed, replications, shard, variants, services (where want names them)
// and options — and otherwise an error
// listing every difference. Resuming, or merging, results of different
// runs would silently mix them; this is the check that prevents it.
func (m *Manifest) CheckSameRun(want *Manifest) error {
	return m.sameRun(want, "in the results", "now")
}

// sameRun is CheckSameRun with the words that say where m's and want's
// values come from.
func (m *Manifest) sameRun(want *Manifest, mWhere, wantWhere string) error {
	var diffs []string
	diff := func(field string, have, now any) {
		diffs = append(diffs, fmt.Sprintf("%s: %v %s, %v %s", field, have, mWhere, now, wantWhere))
	}
	if m.Command != want.Command {
		diff("command", m.Command, want.Command)
	}
	if m.Version != "" && want.Version != "" && m.Version != want.Version {
		diff("dcsim version", m.Version, want.Version)
	}
	if want.Scenario != "" && m.Scenario != want.Scenario {
		diff("scenario", m.Scenario, want.Scenario)
	}
	if m.ScenarioSHA256 != want.ScenarioSHA256 {
		diff("scenario_sha256", m.ScenarioSHA256, orEmpty(want.ScenarioSHA256))
	}
	if m.Seed != want.Seed {
		diff("seed", m.Seed, want.Seed)
	}
	if m.Replications != want.Replications {
		diff("replications", m.Replications, want.Replications)
	}
	ms, ws := m.Shard, want.Shard
	if ms == "" {
		ms = "0/1"
	}
	if ws == "" {
		ws = "0/1"
	}
	if ms != ws {
		diff("shard", ms, ws)
	}
	if want.Variants != nil && !slices.Equal(m.Variants, want.Variants) {
		diff("variants", m.Variants, want.Variants)
	}
	if want.Services != nil && !slices.Equal(m.Services, want.Services) {
		diff("services", m.Services, want.Services)
	}
	for _, k := range slices.Sorted(maps.Keys(union(m.Options, want.Options))) {
		hv, hok := m.Options[k]
		wv, wok := want.Options[k]
		if hv != wv || hok != wok {
			diff("option "+k, quoteOrUnset(hv, hok), quoteOrUnset(wv, wok))
		}
	}
	if len(diffs) == 0 {
		return nil
	}
	return fmt.Errorf("not the same run:\n\t%s", strings.Join(diffs, "\n\t"))
}

func orEmpty(s string) string {
	if s == "" {
		return "(empty)"
	}
	return s
}

func quoteOrUnset(v string, ok bool) string {
	if !ok {
		return "(unset)"
	}
	return fmt.Sprintf("%q", v)
}

func union(a, b map[string]string) map[string]string {
	u := make(map[string]string, len(a)+len(b))
	maps.Copy(u, a)
	maps.Copy(u, b)
	return u
}

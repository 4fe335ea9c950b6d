package results

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// Resumed is an interrupted run reloaded by OpenResume.
type Resumed struct {
	// Dir writes to the directory the interrupted run was writing to.
	Dir *Dir
	// Manifest is the interrupted run's last manifest.
	Manifest *Manifest
	// Collector holds the replications it finished; continue from
	// Collector.Next().
	Collector *Collector
}

// OpenResume finds the interrupted run whose output directory is final —
// its staging directory final+StagingSuffix, or final itself if that holds
// incomplete results — and reloads its manifest and replications.csv.
//
// It takes the staging directory's lock as Prepare does, and fails if
// another process holds it (the run is not interrupted, it is running).
//
// If replications.csv holds more replications than the manifest records
// (a kill between appending rows and writing the manifest), the extra rows
// are cut off: the manifest says what is durable. A staging directory whose
// manifest says complete (a crash before Commit) resumes with nothing
// left to run: call Finish to commit it.
func OpenResume(final string) (*Resumed, error) {
	final, err := cleanOut(final)
	if err != nil {
		return nil, err
	}
	if err := recoverCommit(final); err != nil {
		return nil, err
	}
	staging := final + StagingSuffix
	if exists(staging) {
		// A run still going holds the lock: say so rather than
		// "no checkpoint" while it has not written its first one.
		l, err := lockDir(staging)
		if err == errLocked {
			return nil, fmt.Errorf("resume %s: the run is still going: %s is locked by another dcsim process; wait for it, or stop it (Ctrl-C) and then resume", final, staging)
		}
		if l != nil {
			l.Close()
		}
	}
	dir := staging
	switch {
	case exists(filepath.Join(staging, ManifestFile)):
	case exists(filepath.Join(final, ManifestFile)):
		m, err := ReadManifest(filepath.Join(final, ManifestFile))
		if err != nil {
			return nil, fmt.Errorf("resume %s: %w", final, err)
		}
		if m.Complete {
			if exists(staging) {
				return nil, fmt.Errorf("resume %s: %s has no checkpoint (the run stopped before its first one) and %s holds an earlier complete run; start the run afresh", final, staging, final)
			}
			return nil, fmt.Errorf("resume %s: the run is complete (%d replications); nothing to resume", final, m.ReplicationsDone)
		}
		dir = final
	case exists(staging):
		return nil, fmt.Errorf("resume %s: %s has no checkpoint (the run stopped before its first one); start the run afresh", final, staging)
	default:
		return nil, fmt.Errorf("resume %s: no interrupted run (neither %s nor %s holds a dcsim checkpoint)", final, staging, final)
	}
	if !isResultsDir(dir) {
		return nil, fmt.Errorf("resume %s: %s has no %s: not a dcsim results directory", final, dir, MarkerFile)
	}
	lock, err := lockDir(dir)
	if err != nil {
		return nil, fmt.Errorf("resume %s: %s: %w", final, dir, err)
	}
	ok := false
	defer func() {
		if !ok && lock != nil {
			lock.Close()
		}
	}()
	removeStaleTemps(dir)
	m, err := ReadManifest(filepath.Join(dir, ManifestFile))
	if err != nil {
		return nil, fmt.Errorf("resume %s: %w", final, err)
	}
	c, csvFiles, err := loadCheckpoint(dir, m)
	if err != nil {
		return nil, fmt.Errorf("resume %s: %w", final, err)
	}
	ok = true
	return &Resumed{
		Dir:       &Dir{final: final, staging: dir, lastCkpt: time.Now(), lock: lock, csv: csvFiles, csvNext: c.Next()},
		Manifest:  m,
		Collector: c,
	}, nil
}

// loadCheckpoint reads the replications m records from dir's
// replications.csv and overall.csv into a new Collector and returns the
// files open for appending after them. Rows past them — appended after the
// last manifest, perhaps torn by a kill — are cut off: the manifest is the
// commit point, and those replications are simulated again.
func loadCheckpoint(dir string, m *Manifest) (*Collector, []*os.File, error) {
	c, err := NewCollector(m.Scenario, m.Variants, m.Services, m.FirstReplication)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", filepath.Join(dir, ManifestFile), err)
	}
	c.SetIncident(m.Incident)
	if err := c.SetGroups(m.Groups); err != nil {
		return nil, nil, fmt.Errorf("%s: %w", filepath.Join(dir, ManifestFile), err)
	}
	c.SpillTo(dir)
	want := m.EndReplication - m.FirstReplication
	var files []*os.File
	closeAll := func() {
		for _, f := range files {
			f.Close()
		}
	}
	var rs [2]io.Reader
	for k, t := range tables {
		f, err := os.OpenFile(filepath.Join(dir, t.file), os.O_RDWR, 0)
		if errors.Is(err, fs.ErrNotExist) && want == 0 {
			closeAll()
			return c, nil, nil
		}
		if err != nil {
			closeAll()
			return nil, nil, err
		}
		files = append(files, f)
		rs[k] = bufio.NewReaderSize(f, 256<<10)
	}
	svc, overall := filepath.Join(dir, ReplicationsFile), filepath.Join(dir, OverallFile)
	off, err := readTables(rs[0], svc, rs[1], overall, c, want)
	if err == nil && c.Len() < want {
		err = fmt.Errorf("%s holds replications [%d, %d) but %s says [%d, %d)", dir, c.First(), c.Next(), ManifestFile, m.FirstReplication, m.EndReplication)
	}
	for k, f := range files {
		if err == nil {
			err = f.Truncate(off[k])
		}
		if err == nil {
			_, err = f.Seek(off[k], io.SeekStart)
		}
	}
	if err != nil {
		closeAll()
		return nil, nil, err
	}
	return c, files, nil
}

// Continue checks that m, the manifest of the run about to continue, is
// the same run as the interrupted one (see Manifest.CheckSameRun; the
// caller must set m.ScenarioSHA256 from FileSHA256 of the scenario it
// loaded) and carries over what belongs to the original run: Started,
// ScenarioFile and Inputs. It also sets r.Dir.Parquet from parquet.
func (r *Resumed) Continue(m *Manifest, parquet bool) error {
	if m.ScenarioSHA256 == "" {
		return errors.New("results: Continue needs m.ScenarioSHA256 (FileSHA256 of the scenario) to check the scenario has not changed")
	}
	want := *m
	if want.Version == "" {
		want.Version = buildVersion()
	}
	if err := r.Manifest.CheckSameRun(&want); err != nil {
		return fmt.Errorf("cannot resume %s: %w", r.Dir.Path(), err)
	}
	m.Started = r.Manifest.Started
	m.ScenarioFile, m.Inputs = r.Manifest.ScenarioFile, r.Manifest.Inputs
	r.Dir.Parquet = parquet
	return nil
}

// loadCollector reads dir's replications.csv into a new Collector shaped
// by m. A missing CSV is an empty run if m records no replications.
func loadCollector(dir string, m *Manifest) (*Collector, error) {
	c, err := NewCollector(m.Scenario, m.Variants, m.Services, m.FirstReplication)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(dir, ManifestFile), err)
	}
	c.SetIncident(m.Incident)
	if err := c.SetGroups(m.Groups); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(dir, ManifestFile), err)
	}
	c.SpillTo(dir)
	err = ReadTables(dir, c)
	if errors.Is(err, fs.ErrNotExist) && m.ReplicationsDone == 0 {
		err = nil
	}
	return c, err
}

// Load reads a results directory — complete or not — into its manifest and
// a Collector, checking that replications.csv holds exactly the
// replications the manifest records.
func Load(dir string) (*Manifest, *Collector, error) {
	m, err := ReadManifest(filepath.Join(dir, ManifestFile))
	if err != nil {
		return nil, nil, err
	}
	c, err := loadCollector(dir, m)
	if err != nil {
		return nil, nil, err
	}
	if c.Next() != m.EndReplication {
		return nil, nil, fmt.Errorf("%s: holds replications [%d, %d) but %s says [%d, %d)",
			filepath.Join(dir, ReplicationsFile), c.First(), c.Next(), ManifestFile, m.FirstReplication, m.EndReplication)
	}
	return m, c, nil
}

package results

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

const markerText = "This directory was written by dcsim; see results/README.md in the dcsim repository.\n"

// Dir is an output directory being written: files go to a staging
// directory (Path) until Commit, which replaces the final directory with
// it. The previous contents of the final directory stay intact until then,
// so an interrupted or failed run never damages them.
//
// The life of a Dir:
//
//	d, err := results.Prepare(out, force)      // before any simulation work
//	sha, err := d.CopyInputs(&m, scenarioPath)  // fills m.ScenarioFile/SHA256
//	...                                         // run, c.Add per replication
//	err = d.CheckpointIfDue(&m, c, 5*time.Second) // now and then
//	err = d.Checkpoint(&m, c)                   // on interrupt: complete=false, stays in OUT.partial
//	err = d.Finish(&m, c)                       // at the end: complete=true, then Commit
type Dir struct {
	// Parquet, if set, makes Finish also write replications.parquet.
	Parquet bool

	final     string
	staging   string // == final when resuming an incomplete final in place
	committed bool
	lastCkpt  time.Time
	// syncCost is what the last checkpoint spent on fsync and the
	// manifest, the part of its cost that does not scale with its rows.
	syncCost time.Duration
	lock     *os.File   // holds the flock on staging; nil when released or unsupported
	csv      []*os.File // replications.csv and overall.csv open for appending; nil until the first write
	csvNext  int        // the replication csv's next row belongs to
}

// errLocked says another Dir holds a directory's lock.
var errLocked = errors.New("another dcsim process is writing it")

// Close releases the Dir's lock on its staging directory without
// committing: the staging directory and its checkpoints stay for a later
// OpenResume. Process exit does the same, so callers need not call it;
// Commit and Discard release the lock themselves.
func (d *Dir) Close() error {
	for _, f := range d.csv {
		f.Close()
	}
	d.csv = nil
	if d.lock == nil {
		return nil
	}
	err := d.lock.Close()
	d.lock = nil
	return err
}

// Path returns the directory the files are written to: the staging
// directory before Commit, the final one after.
func (d *Dir) Path() string { return d.staging }

// Final returns the output directory the results end up in.
func (d *Dir) Final() string { return d.final }

// Prepare claims the output directory final before any simulation work is
// done, so that a bad --out fails in milliseconds rather than after the
// run:
//
//   - final's parent is created if missing and must be writable (the error
//     names the path);
//   - final, if it exists, must be an empty directory or a dcsim results
//     directory (MarkerFile and ManifestFile in it) holding nothing but
//     files dcsim writes (see Owned) — force never changes this: dcsim
//     never replaces a directory holding anything it did not write;
//   - final must not be, or contain, the working directory or any path in
//     protect (the scenario file, say): replacing it would delete them;
//   - the staging directory final+StagingSuffix must not hold an
//     interrupted run (one with a manifest) unless force — resume it with
//     OpenResume instead; a staging directory without a manifest (a run that
//     died before its first checkpoint) is removed.
//
// Prepare then creates the staging directory with MarkerFile in it and
// takes an exclusive lock (flock) on it, held until Commit, Discard, Close
// or the end of the process: a second run, resume or merge into the same
// directory fails at once instead of mixing its files with this one's.
// final itself is not touched until Commit, which moves it aside and
// removes it only once the new results are in place. A leftover of a
// Commit that crashed (final+OldSuffix) is cleaned up first.
func Prepare(final string, force bool, protect ...string) (*Dir, error) {
	final, err := cleanOut(final)
	if err != nil {
		return nil, err
	}
	if err := checkProtected(final, protect); err != nil {
		return nil, err
	}
	parent := filepath.Dir(final)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return nil, fmt.Errorf("output directory %s: cannot create its parent: %w", final, err)
	}
	probe, err := os.CreateTemp(parent, ".dcsim-write-test-*")
	if err != nil {
		return nil, fmt.Errorf("output directory %s: parent %s is not writable: %w", final, parent, err)
	}
	probe.Close()
	os.Remove(probe.Name())

	if err := recoverCommit(final); err != nil {
		return nil, err
	}
	if fi, err := os.Stat(final); err == nil {
		if !fi.IsDir() {
			return nil, fmt.Errorf("output directory %s exists and is not a directory", final)
		}
		if err := checkReplaceable(final); err != nil {
			return nil, err
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("output directory %s: %w", final, err)
	}

	staging := final + StagingSuffix
	if fi, err := os.Lstat(staging); err == nil {
		if fi.IsDir() {
			l, err := lockDir(staging)
			if err == errLocked {
				return nil, fmt.Errorf("%s: %w", staging, err)
			}
			if l != nil {
				defer l.Close()
			}
		}
		if !force {
			if m, err := ReadManifest(filepath.Join(staging, ManifestFile)); err == nil {
				state := fmt.Sprintf("an interrupted run (%d of %d replications of shard %s done, started %s)",
					m.EndReplication-m.FirstReplication, shardSize(m), m.Shard, m.Started.Format(time.RFC3339))
				if m.Complete {
					state = "a finished run that was not committed"
				}
				return nil, fmt.Errorf("%s holds %s: resume it, or force discarding it", staging, state)
			} else if !isResultsDir(staging) {
				return nil, fmt.Errorf("%s exists but is not a dcsim staging directory: remove it, or force discarding it", staging)
			} else if !errors.Is(err, fs.ErrNotExist) {
				return nil, fmt.Errorf("%s holds an unreadable checkpoint (%v): force discarding it", staging, err)
			}
		}
		if err := os.RemoveAll(staging); err != nil {
			return nil, fmt.Errorf("remove old staging directory: %w", err)
		}
	}
	if err := os.Mkdir(staging, 0o755); err != nil {
		return nil, fmt.Errorf("output directory %s: %w", final, err)
	}
	lock, err := lockDir(staging)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", staging, err)
	}
	d := &Dir{final: final, staging: staging, lastCkpt: time.Now(), lock: lock}
	if err := WriteFileAtomic(filepath.Join(staging, MarkerFile), []byte(markerText)); err != nil {
		d.Discard()
		return nil, err
	}
	if err := syncDir(parent); err != nil {
		d.Discard()
		return nil, fmt.Errorf("output directory %s: %w", final, err)
	}
	return d, nil
}

// checkProtected refuses an output directory that is, or contains, the
// working directory or one of protect: Commit would move it aside and
// delete it.
func checkProtected(final string, protect []string) error {
	abs, err := filepath.Abs(final)
	if err != nil {
		return fmt.Errorf("output directory %s: %w", final, err)
	}
	abs = resolve(abs)
	inside := func(p string) bool {
		rel, err := filepath.Rel(abs, p)
		return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
	}
	if wd, err := os.Getwd(); err == nil && inside(resolve(wd)) {
		return fmt.Errorf("output directory %s is the working directory or contains it: name a directory of its own for the results", final)
	}
	for _, p := range protect {
		pa, err := filepath.Abs(p)
		if err != nil {
			continue
		}
		if inside(resolve(pa)) {
			return fmt.Errorf("output directory %s contains %s: name a directory of its own for the results", final, p)
		}
	}
	return nil
}

// resolve follows symbolic links in p as far as p exists, so that two
// names of one directory compare equal.
func resolve(p string) string {
	if r, err := filepath.EvalSymlinks(p); err == nil {
		return r
	}
	dir, base := filepath.Split(p)
	if dir == "" || filepath.Clean(dir) == p {
		return p
	}
	return filepath.Join(resolve(filepath.Clean(dir)), base)
}

// checkReplaceable accepts an existing output directory that is empty or
// a dcsim results directory holding only files dcsim writes, and refuses
// anything else with the foreign entries named.
func checkReplaceable(final string) error {
	ents, err := os.ReadDir(final)
	if err != nil {
		return fmt.Errorf("output directory %s: %w", final, err)
	}
	if len(ents) == 0 {
		return nil
	}
	if !isResultsDir(final) || !exists(filepath.Join(final, ManifestFile)) {
		return fmt.Errorf("output directory %s is not empty and is not a dcsim results directory (no %s and %s in it): "+
			"choose another output directory; dcsim never replaces a directory it did not write, even with force", final, MarkerFile, ManifestFile)
	}
	m, _ := ReadManifest(filepath.Join(final, ManifestFile))
	var foreign []string
	for _, e := range ents {
		if !Owned(e.Name(), m) || !e.Type().IsRegular() {
			foreign = append(foreign, e.Name())
		}
	}
	if len(foreign) == 0 {
		return nil
	}
	const show = 5
	list := strings.Join(foreign[:min(show, len(foreign))], ", ")
	if len(foreign) > show {
		list += fmt.Sprintf(" and %d more", len(foreign)-show)
	}
	return fmt.Errorf("output directory %s is a dcsim results directory but also holds %s, which dcsim did not write: "+
		"move them out or choose another output directory; dcsim never deletes what it did not write, even with force", final, list)
}

// DerivedFiles are the names, besides the data files, that commands write
// into a results directory (plots, the report, a comparison's tables).
// Plots are matched by extension (.png, .svg) instead.
var DerivedFiles = []string{"report.html", "timeline.txt", "compare.json", "compare.csv", "sweep.json", "sweep.csv"}

// Owned reports whether a file named name in a results directory whose
// manifest is m (nil if unreadable) is one dcsim writes there: the data
// files, the marker, the input copies m lists, derived files and plots,
// and WriteAtomic's temporary files.
func Owned(name string, m *Manifest) bool {
	switch {
	case slices.Contains([]string{MarkerFile, ManifestFile, SummaryFile, ReplicationsFile, OverallFile, ParquetFile, OverallParquetFile}, name),
		slices.Contains(DerivedFiles, name),
		strings.HasPrefix(name, ".") && strings.Contains(name, tmpInfix),
		filepath.Ext(name) == ".png" || filepath.Ext(name) == ".svg":
		return true
	}
	if m != nil {
		if name == m.ScenarioFile {
			return true
		}
		for _, in := range m.Inputs {
			if name == in.File {
				return true
			}
		}
	}
	return false
}

func shardSize(m *Manifest) int {
	lo, hi, err := m.ShardRange()
	if err != nil {
		return m.Replications
	}
	return hi - lo
}

// cleanOut cleans an output path and refuses ones that cannot be renamed.
func cleanOut(p string) (string, error) {
	if p == "" {
		return "", errors.New("output directory: empty path")
	}
	c := filepath.Clean(p)
	if b := filepath.Base(c); b == "." || b == ".." || b == string(filepath.Separator) {
		return "", fmt.Errorf("output directory %q: name a directory (it is replaced by rename)", p)
	}
	return c, nil
}

func isResultsDir(dir string) bool {
	fi, err := os.Lstat(filepath.Join(dir, MarkerFile))
	return err == nil && fi.Mode().IsRegular()
}

func exists(p string) bool {
	_, err := os.Lstat(p)
	return err == nil
}

// recoverCommit finishes or undoes a Commit that a crash interrupted. A
// dcsim directory at final+OldSuffix means Commit had moved the previous
// results aside: if final is missing the crash came before the new results
// moved in, so the old ones go back (the new ones are still complete in
// the staging directory); otherwise the new ones are in place and the old
// ones are deleted.
func recoverCommit(final string) error {
	old := final + OldSuffix
	if !isResultsDir(old) {
		return nil
	}
	if !exists(final) {
		if err := os.Rename(old, final); err != nil {
			return fmt.Errorf("restore %s after an interrupted commit: %w", final, err)
		}
		return syncDir(filepath.Dir(final))
	}
	if err := os.RemoveAll(old); err != nil {
		return fmt.Errorf("remove %s left by an interrupted commit: %w", old, err)
	}
	return nil
}

// Commit replaces the final directory with the staging directory, whose
// manifest must say complete. The steps, and what a crash after each
// leaves:
//
//  1. rename FINAL to FINAL.old (if FINAL exists) — crash: FINAL missing,
//     FINAL.old the previous results, FINAL.partial the new complete ones;
//     the next Prepare or OpenResume renames FINAL.old back, and resuming
//     commits FINAL.partial.
//  2. rename FINAL.partial to FINAL — crash: FINAL the new results,
//     FINAL.old the previous ones; the next Prepare or OpenResume deletes
//     FINAL.old.
//  3. delete FINAL.old.
//
// The parent directory is fsynced after each rename. At every moment
// FINAL is either absent, the previous complete results or the new
// complete ones — never a mix. When resuming an incomplete FINAL in place
// there is nothing to rename.
func (d *Dir) Commit() error {
	if d.committed {
		return nil
	}
	m, err := ReadManifest(filepath.Join(d.staging, ManifestFile))
	if err != nil {
		return fmt.Errorf("commit %s: %w", d.final, err)
	}
	if !m.Complete {
		return fmt.Errorf("commit %s: refusing to commit incomplete results (manifest complete=false)", d.final)
	}
	if d.staging == d.final {
		d.committed = true
		return d.Close()
	}
	parent := filepath.Dir(d.final)
	if err := recoverCommit(d.final); err != nil {
		return err
	}
	old := d.final + OldSuffix
	if exists(old) {
		return fmt.Errorf("commit %s: %s exists and is not a dcsim directory: move it away", d.final, old)
	}
	hadOld := exists(d.final)
	if hadOld {
		// Checked again: files may have been put there during the run.
		if err := checkReplaceable(d.final); err != nil {
			return fmt.Errorf("commit: %w", err)
		}
		if err := os.Rename(d.final, old); err != nil {
			return fmt.Errorf("commit %s: %w", d.final, err)
		}
		if err := syncDir(parent); err != nil {
			return fmt.Errorf("commit %s: %w", d.final, err)
		}
	}
	if err := os.Rename(d.staging, d.final); err != nil {
		if hadOld {
			os.Rename(old, d.final)
		}
		return fmt.Errorf("commit %s: %w", d.final, err)
	}
	if err := syncDir(parent); err != nil {
		return fmt.Errorf("commit %s: %w", d.final, err)
	}
	d.staging, d.committed = d.final, true
	d.Close()
	if hadOld {
		if err := os.RemoveAll(old); err != nil {
			return fmt.Errorf("commit %s: new results are in place, but removing the previous ones failed: %w", d.final, err)
		}
	}
	return nil
}

// Discard removes the staging directory of a run that produced nothing
// worth keeping (e.g. it failed before its first replication). It never
// touches the final directory, and does nothing after Commit or when
// resuming in place.
func (d *Dir) Discard() error {
	if d.committed || d.staging == d.final {
		return d.Close()
	}
	d.committed = true
	err := os.RemoveAll(d.staging)
	d.Close()
	return err
}

// CopyInputs copies the scenario file, and any other input files, into the
// staging directory under their base names (atomically), sets
// m.ScenarioFile, m.ScenarioSHA256 and m.Inputs, and returns the
// scenario's SHA-256 in hex.
func (d *Dir) CopyInputs(m *Manifest, scenario string, others ...string) (string, error) {
	if d.committed {
		return "", fmt.Errorf("copy inputs into %s: already committed", d.final)
	}
	reserved := []string{ManifestFile, SummaryFile, ReplicationsFile, OverallFile, ParquetFile, OverallParquetFile, MarkerFile}
	var inputs []Input
	var seen []string
	for _, src := range append([]string{scenario}, others...) {
		name := filepath.Base(src)
		if slices.Contains(reserved, name) || slices.Contains(seen, name) {
			return "", fmt.Errorf("copy input %s: the results directory already has a file named %s", src, name)
		}
		seen = append(seen, name)
		sum, err := copyFile(src, filepath.Join(d.staging, name))
		if err != nil {
			return "", err
		}
		inputs = append(inputs, Input{File: name, SHA256: sum})
	}
	m.ScenarioFile, m.ScenarioSHA256 = inputs[0].File, inputs[0].SHA256
	m.Inputs = nil
	if len(inputs) > 1 {
		m.Inputs = inputs[1:]
	}
	return m.ScenarioSHA256, nil
}

// copyFile copies src to dst atomically and returns the hex SHA-256 of
// what it copied.
func copyFile(src, dst string) (string, error) {
	f, err := os.Open(src)
	if err != nil {
		return "", fmt.Errorf("copy input: %w", err)
	}
	defer f.Close()
	h := sha256.New()
	err = WriteAtomic(dst, func(w io.Writer) error {
		_, err := io.Copy(io.MultiWriter(w, h), f)
		return err
	})
	if err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// FileSHA256 returns the hex SHA-256 of the file at path: what a resume
// compares with the manifest's scenario_sha256.
func FileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("%s: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

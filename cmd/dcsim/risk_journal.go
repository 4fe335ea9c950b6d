package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"

	"github.com/dcsim/dcsim/model/risk"
)

// journalName is the file in a risk result that keeps every finished
// evaluation of the uncertainty analysis, one JSON line each, so that an
// interrupted analysis loses only the evaluation in progress.
const journalName = "uncertainty_points.jsonl"

// journalRecord is one finished evaluation: the k-th of its stage ("lead",
// "tornado", "two_level", "sobol"), at input point x, giving y (the
// outputs; for two_level each option's AAL mean, CI ends and n).
type journalRecord struct {
	Stage string   `json:"stage"`
	K     int      `json:"k"`
	X     []jfloat `json:"x"`
	Y     []jfloat `json:"y"`
}

// jfloat is a float64 that survives JSON exactly: a number in its
// shortest round-tripping form, or "NaN", "+Inf", "-Inf".
type jfloat float64

func (f jfloat) MarshalJSON() ([]byte, error) {
	x := float64(f)
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return []byte(`"` + strconv.FormatFloat(x, 'g', -1, 64) + `"`), nil
	}
	return strconv.AppendFloat(nil, x, 'g', -1, 64), nil
}

func (f *jfloat) UnmarshalJSON(b []byte) error {
	s := string(bytes.Trim(b, `"`))
	x, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return fmt.Errorf("%s is not a number", b)
	}
	*f = jfloat(x)
	return nil
}

// journal is the journal of one uncertainty analysis. Its evaluations
// run in a fixed order — each stage's k-th evaluation is at the same
// point in every run of the same options and seed — so a resumed analysis
// takes the first evaluations of each stage from the journal and
// simulates the rest, and ends with the files an uninterrupted run writes.
type journal struct {
	f    *os.File
	done map[string][]journalRecord // each stage's finished evaluations, in order
	next map[string]int             // each stage's evaluations asked for so far
	fin  map[string]int             // each stage's evaluations finished (read or written)
	kept int                        // evaluations read from the file
}

// openJournal starts the journal in dir afresh, or, with resume, reads
// the finished evaluations it holds (cutting off a last line a kill left
// torn) and appends to it.
func openJournal(dir string, resume bool) (*journal, error) {
	path := filepath.Join(dir, journalName)
	j := &journal{done: map[string][]journalRecord{}, next: map[string]int{}, fin: map[string]int{}}
	if !resume {
		f, err := os.OpenFile(path, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o644)
		j.f = f
		return j, err
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, err
	}
	good, err := j.read(f, path)
	if err == nil {
		err = f.Truncate(good)
	}
	if err == nil {
		_, err = f.Seek(good, io.SeekStart)
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	j.f = f
	return j, nil
}

// read loads the records of f and returns the length of its whole lines.
func (j *journal) read(f *os.File, path string) (int64, error) {
	br := bufio.NewReader(f)
	var good int64
	for line := 1; ; line++ {
		b, err := br.ReadBytes('\n')
		if errors.Is(err, io.EOF) {
			return good, nil // a last line without its newline is torn: dropped
		}
		if err != nil {
			return 0, err
		}
		var r journalRecord
		if err := json.Unmarshal(b, &r); err != nil {
			return 0, badInputf("%s:%d: %v; it is not a dcsim journal, or was damaged: run again with --force", path, line, err)
		}
		if r.K != len(j.done[r.Stage]) {
			return 0, badInputf("%s:%d: evaluation %d of %s follows %d: run again with --force", path, line, r.K, r.Stage, len(j.done[r.Stage]))
		}
		j.done[r.Stage] = append(j.done[r.Stage], r)
		j.kept++
		good += int64(len(b))
	}
}

func (j *journal) Close() error { return j.f.Close() }

// eval returns the next evaluation of stage at x: from the journal when it
// holds it (at the same point, or the run is refused), else computed by f
// and appended to the journal before it is returned.
func (j *journal) eval(stage string, x []float64, f func() ([]float64, error)) ([]float64, error) {
	k := j.next[stage]
	j.next[stage]++
	if done := j.done[stage]; k < len(done) {
		r := done[k]
		same := len(r.X) == len(x)
		for i := 0; same && i < len(x); i++ {
			same = math.Float64bits(float64(r.X[i])) == math.Float64bits(x[i])
		}
		if !same {
			return nil, badInputf("%s: evaluation %d of %s was at another point of the inputs: the journal is not this run's; run again with --force", journalName, k, stage)
		}
		y := make([]float64, len(r.Y))
		for i, v := range r.Y {
			y[i] = float64(v)
		}
		j.fin[stage]++
		return y, nil
	}
	y, err := f()
	if err != nil {
		return nil, err
	}
	r := journalRecord{Stage: stage, K: k, X: jfloats(x), Y: jfloats(y)}
	b, err := json.Marshal(r)
	if err != nil {
		return nil, err
	}
	if _, err := j.f.Write(append(b, '\n')); err != nil {
		return nil, err
	}
	j.fin[stage]++
	return y, nil
}

func jfloats(x []float64) []jfloat {
	out := make([]jfloat, len(x))
	for i, v := range x {
		out[i] = jfloat(v)
	}
	return out
}

// count returns how many evaluations of stage are finished.
func (j *journal) count(stage string) int { return j.fin[stage] }

// total returns how many evaluations of every stage are finished.
func (j *journal) total() int {
	n := 0
	for _, k := range j.fin {
		n += k
	}
	return n
}

// model journals a sensitivity model's evaluations under stage.
func (j *journal) model(stage string, m risk.Model) risk.Model {
	return func(x []float64) ([]float64, error) {
		return j.eval(stage, x, func() ([]float64, error) { return m(x) })
	}
}

// inner journals a two-level run's inner evaluations: per option the
// AAL's mean, CI ends and n.
func (j *journal) inner(stage string, in risk.Inner) risk.Inner {
	return func(outer int, x []float64) ([]risk.Estimate, error) {
		y, err := j.eval(stage, x, func() ([]float64, error) {
			est, err := in(outer, x)
			if err != nil {
				return nil, err
			}
			y := make([]float64, 0, 4*len(est))
			for _, e := range est {
				y = append(y, e.Mean, e.CI95[0], e.CI95[1], float64(e.N))
			}
			return y, nil
		})
		if err != nil {
			return nil, err
		}
		if len(y)%4 != 0 {
			return nil, badInputf("%s: evaluation of %s holds %d numbers, not 4 per option: run again with --force", journalName, stage, len(y))
		}
		est := make([]risk.Estimate, len(y)/4)
		for o := range est {
			est[o] = risk.Estimate{Mean: y[4*o], CI95: risk.Interval{y[4*o+1], y[4*o+2]}, N: int(y[4*o+3])}
		}
		return est, nil
	}
}

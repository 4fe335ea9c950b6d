package risk

import (
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
)

// The year-loss table as CSV (ylt.csv): one row per simulated year and
// variant, variants one after another, with the columns
//
//	variant, year, stratum, stratum_probability, weight, design_weight,
//	loss, max_event_loss, incidents,
//	downtime_h.<service>…, loss.<incident>…
//
// year is the replication index (it fixes the year's random numbers),
// weight the likelihood ratio w_i and design_weight W_i = π_h w_i / m_h, so
// Σ design_weight·loss over a variant's rows is its AAL whatever the
// sampling method. Numbers are written in Go's shortest round-trip form.

// yltFixed are the leading columns.
var yltFixed = []string{"variant", "year", "stratum", "stratum_probability", "weight", "design_weight", "loss", "max_event_loss", "incidents"}

// WriteCSV writes the tables, which must share services and incidents.
func WriteCSV(w io.Writer, tabs []*YLT) error {
	if len(tabs) == 0 {
		return fmt.Errorf("risk: no year-loss tables to write")
	}
	t0 := tabs[0]
	for _, t := range tabs[1:] {
		if !slices.Equal(t.Services, t0.Services) || !slices.Equal(t.Incidents, t0.Incidents) {
			return fmt.Errorf("risk: variants %q and %q have different services or incidents", t0.Variant, t.Variant)
		}
	}
	cw := csv.NewWriter(w)
	head := slices.Clone(yltFixed)
	for _, s := range t0.Services {
		head = append(head, "downtime_h."+s)
	}
	for _, k := range t0.Incidents {
		head = append(head, "loss."+k)
	}
	if err := cw.Write(head); err != nil {
		return err
	}
	f := func(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }
	rec := make([]string, len(head))
	for _, t := range tabs {
		W := t.designWeights()
		pi := t.strata()
		nS, nK := len(t.Services), len(t.Incidents)
		for i := range t.Len() {
			rec = append(rec[:0], t.Variant, strconv.FormatUint(t.Rep[i], 10), strconv.Itoa(int(t.Stratum[i])),
				f(pi[t.Stratum[i]]), f(t.Weight[i]), f(W[i]), f(t.Loss[i]), f(t.MaxEvent[i]), strconv.Itoa(int(t.Events[i])))
			for _, x := range t.Downtime[i*nS : (i+1)*nS] {
				rec = append(rec, f(x))
			}
			for _, x := range t.ByIncident[i*nK : (i+1)*nK] {
				rec = append(rec, f(x))
			}
			if err := cw.Write(rec); err != nil {
				return err
			}
		}
	}
	cw.Flush()
	return cw.Error()
}

// ReadCSV reads what WriteCSV wrote, one table per variant in order of
// first appearance, with the method given (the CSV does not record it).
// name labels errors (a file name).
func ReadCSV(r io.Reader, name string, method Method) ([]*YLT, error) {
	cr := csv.NewReader(r)
	cr.ReuseRecord = true
	head, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	head = slices.Clone(head) // the reader reuses its record
	if len(head) < len(yltFixed) || !slices.Equal(head[:len(yltFixed)], yltFixed) {
		return nil, fmt.Errorf("%s: not a year-loss table (want columns %s first)", name, strings.Join(yltFixed, ", "))
	}
	var services, incidents []string
	for _, c := range head[len(yltFixed):] {
		switch {
		case strings.HasPrefix(c, "downtime_h.") && len(incidents) == 0:
			services = append(services, strings.TrimPrefix(c, "downtime_h."))
		case strings.HasPrefix(c, "loss."):
			incidents = append(incidents, strings.TrimPrefix(c, "loss."))
		default:
			return nil, fmt.Errorf("%s: unexpected column %q", name, c)
		}
	}
	var tabs []*YLT
	byName := map[string]*YLT{}
	line := 1
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		line++
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		bad := func(col int, e error) error {
			return fmt.Errorf("%s:%d: column %s: %v", name, line, head[col], e)
		}
		num := func(col int) (float64, error) {
			x, err := strconv.ParseFloat(rec[col], 64)
			if err != nil {
				return 0, bad(col, err)
			}
			return x, nil
		}
		t := byName[rec[0]]
		if t == nil {
			t = &YLT{Variant: rec[0], Method: method, Services: services, Incidents: incidents}
			byName[rec[0]] = t
			tabs = append(tabs, t)
		}
		var row Row
		if row.Rep, err = strconv.ParseUint(rec[1], 10, 64); err != nil {
			return nil, bad(1, err)
		}
		h, err := strconv.Atoi(rec[2])
		if err != nil || h < 0 || h > 1<<20 {
			return nil, bad(2, fmt.Errorf("stratum %q", rec[2]))
		}
		row.Stratum = h
		pi, err := num(3)
		if err != nil {
			return nil, err
		}
		for len(t.Strata) <= h {
			t.Strata = append(t.Strata, -1)
		}
		if t.Strata[h] >= 0 && t.Strata[h] != pi {
			return nil, bad(3, fmt.Errorf("stratum %d has probability %v here and %v above", h, pi, t.Strata[h]))
		}
		t.Strata[h] = pi
		vals := make([]float64, 0, 3)
		for _, col := range []int{4, 6, 7} {
			x, err := num(col)
			if err != nil {
				return nil, err
			}
			vals = append(vals, x)
		}
		row.Weight, row.Loss, row.MaxEvent = vals[0], vals[1], vals[2]
		if row.Events, err = strconv.Atoi(rec[8]); err != nil {
			return nil, bad(8, err)
		}
		rest := rec[len(yltFixed):]
		row.Downtime = make([]float64, len(services))
		row.ByIncident = make([]float64, len(incidents))
		for k := range rest {
			x, err := num(len(yltFixed) + k)
			if err != nil {
				return nil, err
			}
			if k < len(services) {
				row.Downtime[k] = x
			} else {
				row.ByIncident[k-len(services)] = x
			}
		}
		t.Append(row)
	}
	for _, t := range tabs {
		for h, p := range t.Strata {
			if p < 0 {
				return nil, fmt.Errorf("%s: variant %q has no rows in stratum %d", name, t.Variant, h)
			}
		}
		if len(t.Strata) == 1 && t.Strata[0] == 1 {
			t.Strata = nil
		}
		if err := t.Check(); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
	}
	return tabs, nil
}

package results

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// The results tables: two tidy tables, each row one observation and every
// cell filled.
//
// replications.csv, one row per (replication, option, incident, service):
//
//	replication,option,incident,service,<ServiceMetrics...>
//
// overall.csv, one row per (replication, option, incident), the whole fleet:
//
//	replication,option,incident,<OverallMetrics...>
//
// Rows are ordered by replication, then variant (Collector order), then
// service (scenario order). option and incident split the Collector's
// variant name "OPTION@INCIDENT" (compare); a variant without "@" (a plain
// run) is option NAME under the Collector's incident (SetIncident). Numbers
// are strconv.FormatFloat(x, 'g', -1, 64): the shortest text that parses
// back to the same float64 bits ("NaN", "+Inf" and "-Inf" for the
// specials).
var (
	keyColumns    = []string{"replication", "option", "incident"}
	serviceHeader = slices.Concat(keyColumns, []string{"service"}, ServiceMetrics)
	overallHeader = slices.Concat(keyColumns, OverallMetrics)
)

// ServiceHeader returns the column names of replications.csv in order.
func ServiceHeader() []string { return slices.Clone(serviceHeader) }

// OverallHeader returns the column names of overall.csv in order.
func OverallHeader() []string { return slices.Clone(overallHeader) }

// tableSpec describes one of the two tables over a Collector.
type tableSpec struct {
	file    string
	header  []string
	metrics []string
	// rows is the number of rows per (replication, variant); col is the
	// index in Collector.cols[v] of row r's metric m; name is row r's
	// service column, or "" for a table without one.
	rows func(c *Collector) int
	col  func(c *Collector, r, m int) int
	name func(c *Collector, r int) string
}

var (
	serviceTable = &tableSpec{
		file: ReplicationsFile, header: serviceHeader, metrics: ServiceMetrics,
		rows: func(c *Collector) int { return len(c.services) },
		col:  func(c *Collector, r, m int) int { return r*nService + m },
		name: func(c *Collector, r int) string { return c.services[r] },
	}
	overallTable = &tableSpec{
		file: OverallFile, header: overallHeader, metrics: OverallMetrics,
		rows: func(*Collector) int { return 1 },
		col:  func(c *Collector, _, m int) int { return len(c.services)*nService + m },
		name: func(*Collector, int) string { return "" },
	}
	tables = []*tableSpec{serviceTable, overallTable}
)

// SetIncident names the incident of the variants whose name has no "@"
// (a plain run's "baseline"): the incident column of their rows.
func (c *Collector) SetIncident(name string) { c.incident = name }

// Incident returns the name SetIncident gave.
func (c *Collector) Incident() string { return c.incident }

// VariantKey returns the option and incident columns of variant v: its
// name split at the first "@" (option names never contain one), or the
// whole name and the Collector's incident.
func (c *Collector) VariantKey(v int) (option, incident string) {
	if o, in, ok := strings.Cut(c.variants[v], "@"); ok {
		return o, in
	}
	return c.variants[v], c.incident
}

// csvField quotes s as encoding/csv would if it needs quoting.
func csvField(s string) string {
	if s == "" || !strings.ContainsAny(s, ",\"\r\n") && s[0] != ' ' && s[0] != '\t' {
		return s
	}
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

// WriteServiceCSV writes c's rows in the replications.csv layout to w.
func (c *Collector) WriteServiceCSV(w io.Writer) error { return c.writeCSV(w, serviceTable) }

// WriteOverallCSV writes c's rows in the overall.csv layout to w.
func (c *Collector) WriteOverallCSV(w io.Writer) error { return c.writeCSV(w, overallTable) }

func (c *Collector) writeCSV(w io.Writer, t *tableSpec) error {
	if _, err := io.WriteString(w, strings.Join(t.header, ",")+"\n"); err != nil {
		return err
	}
	return c.writeRows(context.Background(), w, t, c.first, c.Next())
}

// WriteTables writes c's replications.csv and overall.csv into dir,
// each atomically.
func WriteTables(dir string, c *Collector) error {
	for _, t := range tables {
		if err := WriteAtomic(filepath.Join(dir, t.file), func(w io.Writer) error { return c.writeCSV(w, t) }); err != nil {
			return err
		}
	}
	return nil
}

// ReadTables appends to c the replications that dir's replications.csv
// and overall.csv hold; see ReadTablesFrom. A missing file is an error
// wrapping fs.ErrNotExist.
func ReadTables(dir string, c *Collector) error {
	var rs [2]io.Reader
	for i, t := range tables {
		f, err := os.Open(filepath.Join(dir, t.file))
		if err != nil {
			return err
		}
		defer f.Close()
		rs[i] = f
	}
	return ReadTablesFrom(rs[0], filepath.Join(dir, ReplicationsFile), rs[1], filepath.Join(dir, OverallFile), c)
}

// ReadTablesFrom appends to c the replications held by svc (in the
// replications.csv layout) and overall (in the overall.csv layout), named
// svcName and overallName in errors. The tables must start at replication
// c.Next(), hold whole replications in order, and name c's variants and
// services in c's order; any deviation — a wrong header, a missing or
// extra row or cell, a number that does not parse, a file that ends inside
// a replication — is an error naming the file and line.
//
// Reading stops cleanly at the end of the shorter table: the two are
// written one after the other, and a crash between the two writes leaves
// one a replication or more ahead; every replication both hold is whole.
// On error c holds the replications read before the bad one.
func ReadTablesFrom(svc io.Reader, svcName string, overall io.Reader, overallName string, c *Collector) error {
	_, err := readTables(svc, svcName, overall, overallName, c, -1)
	return err
}

// readTables is ReadTablesFrom that stops after limit replications (limit
// < 0: no limit) and returns, per table, the byte offset just after the
// last replication read: where a checkpoint's files are cut back to.
func readTables(svc io.Reader, svcName string, overall io.Reader, overallName string, c *Collector, limit int) ([2]int64, error) {
	var off [2]int64
	rs, err := newTableReader(svc, svcName, serviceTable, c)
	if err != nil {
		return off, err
	}
	ro, err := newTableReader(overall, overallName, overallTable, c)
	if err != nil {
		return off, err
	}
	off = [2]int64{rs.cr.InputOffset(), ro.cr.InputOffset()}
	outs := make([]Outcome, len(c.variants))
	for v := range outs {
		outs[v].Services = make([]ServiceOutcome, len(c.services))
	}
	for read := 0; read != limit; read++ {
		rep := c.Next()
		for v := range c.variants {
			for _, tr := range []*tableReader{rs, ro} {
				eof, err := tr.readVariant(rep, v, &outs[v])
				if err != nil {
					return off, err
				}
				if eof {
					if v == 0 {
						return off, nil // a clean end: between replications
					}
					return off, fmt.Errorf("%s: file ends inside replication %d (truncated?)", tr.name, rep)
				}
			}
		}
		c.Add(rep, outs)
		off = [2]int64{rs.cr.InputOffset(), ro.cr.InputOffset()}
	}
	return off, nil
}

// tableReader reads one table's rows, checking them against the Collector.
type tableReader struct {
	cr   *csv.Reader
	name string
	t    *tableSpec
	c    *Collector
	keys [][2]string // option, incident per variant
	sv   [nService]float64
	ov   [nOverall]float64
}

func newTableReader(r io.Reader, name string, t *tableSpec, c *Collector) (*tableReader, error) {
	cr := csv.NewReader(r)
	cr.ReuseRecord = true
	header, err := cr.Read()
	want := strings.Join(t.header, ",")
	if err == io.EOF {
		return nil, fmt.Errorf("%s: empty file (want the header %s)", name, want)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if !slices.Equal(header, t.header) {
		old := ""
		if len(header) > 2 && header[0] == "variant" && header[2] == "service" {
			old = "\n(written by an older dcsim, whose one table mixed service and _overall rows: run it again)"
		}
		return nil, fmt.Errorf("%s:1: header is\n\t%s\nwant\n\t%s%s", name, strings.Join(header, ","), want, old)
	}
	cr.FieldsPerRecord = len(t.header)
	tr := &tableReader{cr: cr, name: name, t: t, c: c}
	for v := range c.variants {
		o, in := c.VariantKey(v)
		tr.keys = append(tr.keys, [2]string{o, in})
	}
	return tr, nil
}

// readVariant reads the rows of variant v in replication rep into out. It
// reports eof if the table ends before the block's first row.
func (tr *tableReader) readVariant(rep, v int, out *Outcome) (eof bool, err error) {
	c, t := tr.c, tr.t
	rows := t.rows(c)
	for r := range rows {
		rec, err := tr.cr.Read()
		if err == io.EOF {
			if r == 0 {
				return true, nil
			}
			return false, fmt.Errorf("%s: file ends inside replication %d (truncated?)", tr.name, rep)
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return false, fmt.Errorf("%s:%d: %w", tr.name, pe.Line, pe.Err)
			}
			return false, fmt.Errorf("%s: %w", tr.name, err)
		}
		line, _ := tr.cr.FieldPos(0)
		at := func(format string, args ...any) error {
			return fmt.Errorf("%s:%d: %s", tr.name, line, fmt.Sprintf(format, args...))
		}
		got, err := strconv.Atoi(rec[0])
		if err != nil {
			return false, at("replication %q is not an integer", rec[0])
		}
		if got != rep {
			if c.Len() == 0 && v == 0 && r == 0 {
				return false, at("file starts at replication %d, want %d", got, rep)
			}
			return false, at("replication %d, want %d (rows must be whole replications in order: replication, then option and incident, then service)", got, rep)
		}
		if k := tr.keys[v]; rec[1] != k[0] || rec[2] != k[1] {
			return false, at("replication %d: option %q incident %q, want %q and %q", rep, rec[1], rec[2], k[0], k[1])
		}
		first := len(keyColumns)
		if t == serviceTable {
			if want := c.services[r]; rec[first] != want {
				return false, at("replication %d option %q incident %q: service %q, want %q", rep, rec[1], rec[2], rec[first], want)
			}
			first++
		}
		for m, metric := range t.metrics {
			cell := rec[first+m]
			x, err := strconv.ParseFloat(cell, 64)
			if err != nil {
				if cell == "" {
					return false, at("column %s is empty", metric)
				}
				return false, at("column %s: %q is not a number", metric, cell)
			}
			if t == serviceTable {
				tr.sv[m] = x
			} else {
				tr.ov[m] = x
			}
		}
		if t == serviceTable {
			out.Services[r] = serviceFromValues(tr.sv)
		} else {
			out.setOverallValues(tr.ov)
		}
	}
	return false, nil
}

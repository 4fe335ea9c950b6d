package results

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
)

// The layout of replications.csv: one flat table whose every row has every
// column.
//
//	variant,replication,service,<ServiceMetrics...>,<OverallMetrics not in ServiceMetrics...>
//
// For each replication, for each variant in order, there is one row per
// service in scenario order, then one row with service OverallService.
// A service row fills the ServiceMetrics columns and leaves the rest
// empty; an OverallService row fills the OverallMetrics columns (a metric
// both lists name, such as user_hours_lost, shares one column: on the
// OverallService row it holds the whole-fleet value) and leaves
// time_to_recover_h and outage_h empty. Numbers are
// strconv.FormatFloat(x, 'g', -1, 64): the shortest text that parses back
// to the same float64 bits ("NaN", "+Inf" and "-Inf" for the specials).
var (
	csvMetrics = slices.Concat(ServiceMetrics, slices.DeleteFunc(slices.Clone(OverallMetrics),
		func(m string) bool { return slices.Contains(ServiceMetrics, m) }))
	csvHeader = slices.Concat([]string{"variant", "replication", "service"}, csvMetrics)
	// csvService[j] and csvOverall[j] are the index in ServiceMetrics and
	// OverallMetrics of metric column j, or -1 where it does not apply.
	csvService = metricIndex(ServiceMetrics)
	csvOverall = metricIndex(OverallMetrics)
)

func metricIndex(names []string) []int {
	idx := make([]int, len(csvMetrics))
	for j, m := range csvMetrics {
		idx[j] = slices.Index(names, m)
	}
	return idx
}

// CSVHeader returns the column names of replications.csv in order.
func CSVHeader() []string { return slices.Clone(csvHeader) }

// csvField quotes s as encoding/csv would if it needs quoting.
func csvField(s string) string {
	if s == "" || !strings.ContainsAny(s, ",\"\r\n") && s[0] != ' ' && s[0] != '\t' {
		return s
	}
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

// WriteCSV writes c's rows in the replications.csv layout (see CSVHeader
// and results/README.md) to w.
func (c *Collector) WriteCSV(w io.Writer) error {
	if _, err := io.WriteString(w, strings.Join(csvHeader, ",")+"\n"); err != nil {
		return err
	}
	return c.writeRows(w, c.first, c.Next())
}

// writeRows writes the rows of replications [from, to), which c must
// hold, without the header.
func (c *Collector) writeRows(w io.Writer, from, to int) error {
	b := make([]byte, 0, 64<<10)
	qv := make([]string, len(c.variants))
	for v, name := range c.variants {
		qv[v] = csvField(name)
	}
	qs := make([]string, len(c.services)+1)
	for s, name := range c.services {
		qs[s] = csvField(name)
	}
	qs[len(c.services)] = OverallService
	base := len(c.services) * nService
	src := c.rows()
	for i := from - c.first; i < to-c.first; i++ {
		rep := strconv.AppendInt(nil, int64(c.first+i), 10)
		all, at := src.at(i)
		for v := range c.variants {
			cols := all[v]
			for s := range qs {
				b = append(b, qv[v]...)
				b = append(b, ',')
				b = append(b, rep...)
				b = append(b, ',')
				b = append(b, qs[s]...)
				for j := range csvMetrics {
					b = append(b, ',')
					k := -1
					if s < len(c.services) {
						if m := csvService[j]; m >= 0 {
							k = s*nService + m
						}
					} else if m := csvOverall[j]; m >= 0 {
						k = base + m
					}
					if k >= 0 {
						b = strconv.AppendFloat(b, cols[k][at], 'g', -1, 64)
					}
				}
				b = append(b, '\n')
			}
		}
		if len(b) >= 48<<10 {
			if _, err := w.Write(b); err != nil {
				return err
			}
			b = b[:0]
		}
	}
	_, err := w.Write(b)
	return err
}

// WriteReplications writes c to path (a replications.csv) atomically.
func WriteReplications(path string, c *Collector) error {
	return WriteAtomic(path, c.WriteCSV)
}

// ReadReplications appends the replications in the replications.csv at
// path to c; see ReadCSV.
func ReadReplications(path string, c *Collector) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return ReadCSV(f, path, c)
}

// ReadCSV appends to c the replications that r holds in the
// replications.csv layout; name (the file name) prefixes errors. The file
// must start at replication c.Next(), hold whole replications in order,
// and name c's variants and services in c's order; any deviation — a
// wrong header, a missing or extra row or cell, a number that does not
// parse, a file that ends inside a replication — is an error naming the
// file and line. On error c holds the replications read before the bad
// one.
func ReadCSV(r io.Reader, name string, c *Collector) error {
	_, err := readCSV(r, name, c, -1)
	return err
}

// readCSV is ReadCSV that stops after limit replications (limit < 0: no
// limit) and returns the byte offset in r just after the last one read.
func readCSV(r io.Reader, name string, c *Collector, limit int) (int64, error) {
	cr := csv.NewReader(r)
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err == io.EOF {
		return 0, fmt.Errorf("%s: empty file (want the header %s)", name, strings.Join(csvHeader, ","))
	}
	if err != nil {
		return 0, fmt.Errorf("%s: %w", name, err)
	}
	if !slices.Equal(header, csvHeader) {
		return 0, fmt.Errorf("%s:1: header is\n\t%s\nwant\n\t%s", name, strings.Join(header, ","), strings.Join(csvHeader, ","))
	}
	cr.FieldsPerRecord = len(csvHeader)

	outs := make([]Outcome, len(c.variants))
	for v := range outs {
		outs[v].Services = make([]ServiceOutcome, len(c.services))
	}
	var sv [nService]float64
	var ov [nOverall]float64
	for read := 0; ; read++ {
		if read == limit {
			return cr.InputOffset(), nil
		}
		rep := c.Next()
		for v := range c.variants {
			for s := 0; s <= len(c.services); s++ {
				rec, err := cr.Read()
				if err == io.EOF {
					if v == 0 && s == 0 {
						return cr.InputOffset(), nil // a clean end: between replications
					}
					return 0, fmt.Errorf("%s: file ends inside replication %d (truncated?)", name, rep)
				}
				if err != nil {
					var pe *csv.ParseError
					if errors.As(err, &pe) {
						return 0, fmt.Errorf("%s:%d: %w", name, pe.Line, pe.Err)
					}
					return 0, fmt.Errorf("%s: %w", name, err)
				}
				line, _ := cr.FieldPos(0)
				at := func(format string, args ...any) error {
					return fmt.Errorf("%s:%d: %s", name, line, fmt.Sprintf(format, args...))
				}
				got, err := strconv.Atoi(rec[1])
				if err != nil {
					return 0, at("replication %q is not an integer", rec[1])
				}
				if got != rep {
					if c.Len() == 0 && v == 0 && s == 0 {
						return 0, at("file starts at replication %d, want %d", got, rep)
					}
					return 0, at("replication %d, want %d (rows must be whole replications in order: replication, then variant, then service)", got, rep)
				}
				if rec[0] != c.variants[v] {
					return 0, at("replication %d: variant %q, want %q", rep, rec[0], c.variants[v])
				}
				overall := s == len(c.services)
				wantSvc := OverallService
				if !overall {
					wantSvc = c.services[s]
				}
				if rec[2] != wantSvc {
					return 0, at("replication %d variant %q: service %q, want %q", rep, rec[0], rec[2], wantSvc)
				}
				for j, metric := range csvMetrics {
					cell := rec[3+j]
					m := csvService[j]
					if overall {
						m = csvOverall[j]
					}
					if m < 0 {
						if cell != "" {
							return 0, at("column %s must be empty on a %s row, got %q", metric, rowKind(overall), cell)
						}
						continue
					}
					if cell == "" {
						return 0, at("column %s is empty", metric)
					}
					x, err := strconv.ParseFloat(cell, 64)
					if err != nil {
						return 0, at("column %s: %q is not a number", metric, cell)
					}
					if overall {
						ov[m] = x
					} else {
						sv[m] = x
					}
				}
				if overall {
					outs[v].setOverallValues(ov)
				} else {
					outs[v].Services[s] = serviceFromValues(sv)
				}
			}
		}
		c.Add(rep, outs)
	}
}

func rowKind(overall bool) string {
	if overall {
		return OverallService
	}
	return "service"
}

package results

import (
	"math"
	"path/filepath"
	"slices"
	"testing"

	"github.com/parquet-go/parquet-go"
)

func TestParquetColumnsMatchCSV(t *testing.T) {
	var names []string
	for _, f := range parquet.SchemaOf(parquetRow{}).Fields() {
		names = append(names, f.Name())
	}
	if !slices.Equal(names, csvHeader) {
		t.Errorf("Parquet columns %q, CSV columns %q", names, csvHeader)
	}
	if n := len((&parquetRow{}).metricPtrs()); n != len(csvMetrics) {
		t.Errorf("metricPtrs has %d fields, want %d", n, len(csvMetrics))
	}
}

func TestParquetMatchesCSV(t *testing.T) {
	c := newTestCollector(t, 5)
	fill(t, c, 5, 40)
	p := filepath.Join(t.TempDir(), ParquetFile)
	if err := WriteParquet(p, c); err != nil {
		t.Fatal(err)
	}
	checkParquet(t, p, c)
}

// checkParquet reads the Parquet file at p back and checks it holds c's
// rows in the CSV's order, bit for bit, with nulls where the CSV is empty.
func checkParquet(t *testing.T, p string, c *Collector) {
	t.Helper()
	rows, err := parquet.ReadFile[parquetRow](p)
	if err != nil {
		t.Fatal(err)
	}
	if want := c.Len() * len(c.Variants()) * (len(c.Services()) + 1); len(rows) != want {
		t.Fatalf("%d rows, want %d", len(rows), want)
	}
	i := 0
	for rep := c.First(); rep < c.Next(); rep++ {
		for v, variant := range c.Variants() {
			o := c.Outcome(v, rep)
			for s := 0; s <= len(c.Services()); s++ {
				r := rows[i]
				i++
				svc := OverallService
				if s < len(c.Services()) {
					svc = c.Services()[s]
				}
				if r.Variant != variant || r.Replication != int64(rep) || r.Service != svc {
					t.Fatalf("row %d is (%s, %d, %s), want (%s, %d, %s)", i, r.Variant, r.Replication, r.Service, variant, rep, svc)
				}
				for j, ptr := range r.metricPtrs() {
					var want *float64
					if s < len(c.Services()) {
						if m := csvService[j]; m >= 0 {
							x := o.Services[s].Values()[m]
							want = &x
						}
					} else if m := csvOverall[j]; m >= 0 {
						x := o.OverallValues()[m]
						want = &x
					}
					got := *ptr
					if (got == nil) != (want == nil) || got != nil && math.Float64bits(*got) != math.Float64bits(*want) {
						t.Fatalf("row %d column %s = %v, want %v", i, csvMetrics[j], deref(got), deref(want))
					}
				}
			}
		}
	}
}

func deref(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}

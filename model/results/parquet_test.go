package results

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/parquet-go/parquet-go"
)

func TestParquetColumnsMatchCSV(t *testing.T) {
	for _, tc := range []struct {
		schema *parquet.Schema
		header []string
	}{
		{parquet.SchemaOf(serviceRow{}), serviceHeader},
		{parquet.SchemaOf(overallRow{}), overallHeader},
	} {
		var names []string
		for _, f := range tc.schema.Fields() {
			names = append(names, f.Name())
			if f.Optional() {
				t.Errorf("Parquet column %s is optional: every cell of the tables is filled", f.Name())
			}
		}
		if !slices.Equal(names, tc.header) {
			t.Errorf("Parquet columns %q, CSV columns %q", names, tc.header)
		}
	}
	if n := len((&serviceRow{}).metricPtrs()); n != len(ServiceMetrics) {
		t.Errorf("serviceRow.metricPtrs has %d fields, want %d", n, len(ServiceMetrics))
	}
	if n := len((&overallRow{}).metricPtrs()); n != len(OverallMetrics) {
		t.Errorf("overallRow.metricPtrs has %d fields, want %d", n, len(OverallMetrics))
	}
}

func TestParquetMatchesCSV(t *testing.T) {
	c := newTestCollector(t, 5)
	c.SetIncident("fire")
	fill(t, c, 5, 40)
	dir := t.TempDir()
	m := testManifest(40, "")
	m.Scenario, m.ScenarioSHA256, m.Currency = "test-scenario", "abc", "KRW"
	if err := WriteParquetTables(dir, c, &m); err != nil {
		t.Fatal(err)
	}
	checkParquet(t, dir, c)
	// The metadata says what the numbers are and where they came from.
	for _, tc := range []struct{ file, table string }{{ParquetFile, "replications"}, {OverallParquetFile, "overall"}} {
		f, err := os.Open(filepath.Join(dir, tc.file))
		if err != nil {
			t.Fatal(err)
		}
		st, _ := f.Stat()
		pf, err := parquet.OpenFile(f, st.Size())
		if err != nil {
			t.Fatal(err)
		}
		for k, want := range map[string]string{"dcsim.table": tc.table, "dcsim.currency": "KRW", "dcsim.seed": "42", "dcsim.scenario_sha256": "abc", "dcsim.version": "v0.0.0-test"} {
			if got, ok := pf.Lookup(k); !ok || got != want {
				t.Errorf("%s: metadata %s = %q, want %q", tc.file, k, got, want)
			}
		}
		js, _ := pf.Lookup("dcsim.columns")
		var cols []Column
		if err := json.Unmarshal([]byte(js), &cols); err != nil || len(cols) != len(pf.Schema().Fields()) {
			t.Errorf("%s: dcsim.columns %s: %v", tc.file, js, err)
		}
		for _, col := range cols {
			if col.Name == "loss" && col.Unit != "KRW" {
				t.Errorf("%s: loss unit %q", tc.file, col.Unit)
			}
		}
		f.Close()
	}
}

// checkParquet reads the Parquet tables in dir back and checks they hold
// c's rows in the CSV's order, bit for bit.
func checkParquet(t *testing.T, dir string, c *Collector) {
	t.Helper()
	srows, err := parquet.ReadFile[serviceRow](filepath.Join(dir, ParquetFile))
	if err != nil {
		t.Fatal(err)
	}
	orows, err := parquet.ReadFile[overallRow](filepath.Join(dir, OverallParquetFile))
	if err != nil {
		t.Fatal(err)
	}
	if want := c.Len() * len(c.Variants()) * len(c.Services()); len(srows) != want {
		t.Fatalf("%d service rows, want %d", len(srows), want)
	}
	if want := c.Len() * len(c.Variants()); len(orows) != want {
		t.Fatalf("%d overall rows, want %d", len(orows), want)
	}
	same := func(what string, got []*float64, want []float64) {
		t.Helper()
		for j := range got {
			if math.Float64bits(*got[j]) != math.Float64bits(want[j]) {
				t.Fatalf("%s metric %d = %v, want %v", what, j, *got[j], want[j])
			}
		}
	}
	i, k := 0, 0
	for rep := c.First(); rep < c.Next(); rep++ {
		for v := range c.Variants() {
			opt, inc := c.VariantKey(v)
			o := c.Outcome(v, rep)
			for s, svc := range c.Services() {
				r := srows[i]
				i++
				if r.Replication != int64(rep) || r.Option != opt || r.Incident != inc || r.Service != svc {
					t.Fatalf("service row %d is (%d, %s, %s, %s), want (%d, %s, %s, %s)", i, r.Replication, r.Option, r.Incident, r.Service, rep, opt, inc, svc)
				}
				vals := o.Services[s].Values()
				same("service row", r.metricPtrs(), vals[:])
			}
			r := orows[k]
			k++
			if r.Replication != int64(rep) || r.Option != opt || r.Incident != inc {
				t.Fatalf("overall row %d is (%d, %s, %s), want (%d, %s, %s)", k, r.Replication, r.Option, r.Incident, rep, opt, inc)
			}
			vals := o.OverallValues()
			same("overall row", r.metricPtrs(), vals[:])
		}
	}
}

package results

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// benchCollector holds 10,000 replications of 2 variants of a 15-service
// scenario: a mid-sized comparison.
func benchCollector(b *testing.B) *Collector {
	b.Helper()
	services := make([]string, 15)
	for i := range services {
		services[i] = fmt.Sprintf("service-%02d", i)
	}
	c, err := NewCollector("bench", []string{"baseline@fire", "second-site@fire"}, services, 0)
	if err != nil {
		b.Fatal(err)
	}
	fill(b, c, 0, 10000)
	return c
}

// BenchmarkWriteTables measures writing replications.csv and overall.csv;
// it reports their size and the time per replication.
func BenchmarkWriteTables(b *testing.B) {
	c := benchCollector(b)
	dir := b.TempDir()
	b.ResetTimer()
	for b.Loop() {
		if err := WriteTables(dir, c); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(c.Len()), "ns/replication")
	b.ReportMetric(float64(dirSize(b, dir))/1e6, "MB")
}

// BenchmarkReadTables measures reading them back (as resume, merge and
// report do).
func BenchmarkReadTables(b *testing.B) {
	c := benchCollector(b)
	dir := b.TempDir()
	if err := WriteTables(dir, c); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		d, _ := NewCollector("bench", c.Variants(), c.Services(), 0)
		if err := ReadTables(dir, d); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(c.Len()), "ns/replication")
}

func dirSize(b *testing.B, dir string) int64 {
	var n int64
	for _, f := range []string{ReplicationsFile, OverallFile} {
		st, err := os.Stat(filepath.Join(dir, f))
		if err != nil {
			b.Fatal(err)
		}
		n += st.Size()
	}
	return n
}

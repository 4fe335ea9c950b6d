package results

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"
)

// TestWriteRowsParallelSameBytes checks that the rows formatted block by
// block on several goroutines are those formatted one by one on one, in
// the same order — in memory and spilled, for a whole table and for a
// range that starts and ends inside blocks, as checkpoints append.
func TestWriteRowsParallelSameBytes(t *testing.T) {
	const first, n = 5, 3*rowBlock + 17
	mem := newTestCollector(t, first)
	fill(t, mem, first, first+n)
	sp := newTestCollector(t, first)
	sp.chunk = 100
	sp.SpillTo(t.TempDir())
	fill(t, sp, first, first+n)
	serial := func(c *Collector, tab *tableSpec, from, to int) []byte {
		var b bytes.Buffer
		f := c.rowFormatter(tab)
		src := &blockRows{c: c}
		for rep := from; rep < to; rep++ {
			b.Write(f.format(nil, src, rep, rep+1))
		}
		return b.Bytes()
	}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for _, procs := range []int{1, 2, 3, 8} {
		runtime.GOMAXPROCS(procs)
		for _, c := range []*Collector{mem, sp} {
			for _, tab := range tables {
				for _, r := range [][2]int{{first, first + n}, {first + 100, first + 2*rowBlock + 3}, {first + 7, first + 8}} {
					var got bytes.Buffer
					if err := c.writeRows(context.Background(), &got, tab, r[0], r[1]); err != nil {
						t.Fatal(err)
					}
					if want := serial(c, tab, r[0], r[1]); !bytes.Equal(got.Bytes(), want) {
						t.Fatalf("GOMAXPROCS %d, %s, replications %v, spilled %v: rows differ", procs, tab.file, r, c.spilled > 0)
					}
					lines := strings.Count(got.String(), "\n")
					if want := (r[1] - r[0]) * len(c.Variants()) * tab.rows(c); lines != want {
						t.Fatalf("%d lines, want %d", lines, want)
					}
				}
			}
		}
	}
}

type failAfter struct{ n int }

func (f *failAfter) Write(p []byte) (int, error) {
	if f.n--; f.n < 0 {
		return 0, errors.New("disk full")
	}
	return len(p), nil
}

// TestWriteRowsStopsOnError checks that a write error comes back and the
// formatting goroutines have stopped when writeRows returns.
func TestWriteRowsStopsOnError(t *testing.T) {
	c := newTestCollector(t, 0)
	fill(t, c, 0, 8*rowBlock)
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(4))
	before := runtime.NumGoroutine()
	for _, k := range []int{0, 1, 5} {
		if err := c.writeRows(context.Background(), &failAfter{n: k}, serviceTable, 0, 8*rowBlock); err == nil || err.Error() != "disk full" {
			t.Fatalf("after %d writes: got %v, want disk full", k, err)
		}
	}
	// A goroutine that has signalled its end may still be counted for
	// an instant.
	for i := 0; i < 1000 && runtime.NumGoroutine() > before; i++ {
		time.Sleep(time.Millisecond)
	}
	if runtime.NumGoroutine() > before {
		t.Errorf("%d goroutines left running, %d before", runtime.NumGoroutine(), before)
	}
}

// TestSummaryAnyProcs checks that the summary computed on one goroutine
// and on several is the same, spilled or not.
func TestSummaryAnyProcs(t *testing.T) {
	c := newTestCollector(t, 0)
	c.chunk = 100
	c.SpillTo(t.TempDir())
	fill(t, c, 0, 1000)
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	want, _ := json.Marshal(c.Summary())
	for _, procs := range []int{2, 3, 16} {
		runtime.GOMAXPROCS(procs)
		if got, _ := json.Marshal(c.Summary()); !bytes.Equal(got, want) {
			t.Errorf("GOMAXPROCS %d: the summary differs from one goroutine's", procs)
		}
	}
}

// TestBlocksStaySmall checks what a formatting goroutine holds for a wide
// run (1,000 services, spilled): a block of about blockRowTarget rows of
// replications.csv, and for overall.csv only the overall columns read
// back — reading every service's columns for 512 replications at a time
// held ~40 MB per goroutine and took a 1,000-service run to 430 MB.
func TestBlocksStaySmall(t *testing.T) {
	names := make([]string, 1000)
	for i := range names {
		names[i] = fmt.Sprintf("svc%d", i)
	}
	c, err := NewCollector("wide", []string{"baseline"}, names, 0)
	if err != nil {
		t.Fatal(err)
	}
	c.chunk = 50
	c.SpillTo(t.TempDir())
	fill(t, c, 0, 600)
	if got := c.blockReps(serviceTable); got != 8 {
		t.Errorf("replications.csv: %d replications per block of 1,000 services, want 8", got)
	}
	if got := c.blockReps(overallTable); got != rowBlock {
		t.Errorf("overall.csv: %d replications per block, want %d", got, rowBlock)
	}
	for _, tab := range tables {
		f := c.rowFormatter(tab)
		src := &blockRows{c: c}
		n := c.blockReps(tab)
		f.format(nil, src, 0, n)
		held := 0
		for v := range src.buf {
			for k, col := range src.buf[v] {
				if len(col) > 0 && (k < f.k0 || k >= f.k1) {
					t.Fatalf("%s: column %d read back, outside the table's [%d, %d)", tab.file, k, f.k0, f.k1)
				}
				held += 8 * len(col)
			}
		}
		if want := 8 * n * (f.k1 - f.k0); held != want {
			t.Errorf("%s: %d bytes read back for a block, want %d", tab.file, held, want)
		}
	}
}

package results

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
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

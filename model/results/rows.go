package results

import (
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"runtime"
	"strconv"
	"sync"
)

// rowBlock is the most replications one goroutine formats at a time when
// writeRows splits the work, and blockRowTarget the rows it aims at: a
// block is about a megabyte of text whatever the services (512
// replications of 15 services; 8 of 1,000).
const (
	rowBlock       = 512
	blockRowTarget = 8192
)

// blockReps is how many replications of table t make one block.
func (c *Collector) blockReps(t *tableSpec) int {
	perRep := max(1, t.rows(c)*len(c.variants))
	return max(1, min(rowBlock, blockRowTarget/perRep))
}

// writeRows writes table t's rows of replications [from, to), which c
// must hold, without the header: the rows a checkpoint appends. Turning
// the numbers into text is most of the cost of writing the results (a
// million numbers for 10,000 replications of 15 services), so blocks of
// about a megabyte (blockReps replications) are formatted on every core
// at once and written in order; at most two blocks per core are held at a
// time. Once ctx is
// cancelled it stops within a block and returns ctx's error.
func (c *Collector) writeRows(ctx context.Context, w io.Writer, t *tableSpec, from, to int) error {
	f := c.rowFormatter(t)
	block := c.blockReps(t)
	blocks := (to - from + block - 1) / block
	workers := min(runtime.GOMAXPROCS(0), blocks)
	if workers <= 1 {
		var b []byte
		src := &blockRows{c: c}
		for lo := from; lo < to; lo += block {
			if err := ctx.Err(); err != nil {
				return err
			}
			b = f.format(b[:0], src, lo, min(lo+block, to))
			if _, err := w.Write(b); err != nil {
				return err
			}
		}
		return nil
	}
	// Worker k formats blocks k, k+workers, …, each into a buffer sent on
	// its own channel; the writer takes them round-robin, so in order,
	// and hands each buffer back for reuse.
	out := make([]chan []byte, workers)
	free := make([]chan []byte, workers)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	// None outlives the call: the caller may add to c afterwards.
	defer wg.Wait()
	defer close(stop)
	for k := range workers {
		out[k], free[k] = make(chan []byte, 1), make(chan []byte, 2)
		free[k] <- nil
		free[k] <- nil
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer close(out[k])
			src := &blockRows{c: c}
			for i := k; i < blocks; i += workers {
				var b []byte
				select {
				case b = <-free[k]:
				case <-stop:
					return
				}
				lo := from + i*block
				b = f.format(b[:0], src, lo, min(lo+block, to))
				select {
				case out[k] <- b:
				case <-stop:
					return
				}
			}
		}()
	}
	for i := range blocks {
		if err := ctx.Err(); err != nil {
			return err
		}
		k := i % workers
		b := <-out[k]
		if _, err := w.Write(b); err != nil {
			return err
		}
		free[k] <- b
	}
	return nil
}

// rowFormatter formats one table's rows: the fixed parts of every row
// (variant keys, service names) quoted once.
type rowFormatter struct {
	c     *Collector
	t     *tableSpec
	keys  []string // per variant: option,incident
	names []string // per row of a (replication, variant)
	// k0, k1: the columns of each variant the table reads, [k0, k1)
	k0, k1 int
}

func (c *Collector) rowFormatter(t *tableSpec) *rowFormatter {
	f := &rowFormatter{c: c, t: t, keys: make([]string, len(c.variants)), names: make([]string, t.rows(c))}
	for v := range c.variants {
		o, in := c.VariantKey(v)
		f.keys[v] = csvField(o) + "," + csvField(in)
	}
	for r := range f.names {
		f.names[r] = csvField(t.name(c, r))
	}
	f.k0, f.k1 = t.col(c, 0, 0), t.col(c, len(f.names)-1, len(t.metrics)-1)+1
	return f
}

// format appends the rows of replications [from, to) to b, reading them
// through src.
func (f *rowFormatter) format(b []byte, src *blockRows, from, to int) []byte {
	c, t := f.c, f.t
	src.k0, src.k1 = f.k0, f.k1
	src.load(from-c.first, to-c.first)
	cols := make([]int, len(t.metrics))
	for i := from - c.first; i < to-c.first; i++ {
		rep := strconv.AppendInt(nil, int64(c.first+i), 10)
		all, at := src.at(i)
		for v := range c.variants {
			vc := all[v]
			for r := range f.names {
				for m := range cols {
					cols[m] = t.col(c, r, m)
				}
				b = append(b, rep...)
				b = append(b, ',')
				b = append(b, f.keys[v]...)
				if t == serviceTable {
					b = append(b, ',')
					b = append(b, f.names[r]...)
				}
				for _, k := range cols {
					if x := vc[k][at]; x == 0 && !math.Signbit(x) {
						b = append(b, ',', '0') // most numbers: what AppendFloat writes, 5x faster
					} else {
						b = append(b, ',')
						b = strconv.AppendFloat(b, x, 'g', -1, 64)
					}
				}
				b = append(b, '\n')
			}
		}
	}
	return b
}

// blockRows holds the replications of one block for formatting: those
// still in memory are read where they are; of those spilled, only the
// block's part of each column the table reads ([k0, k1)) is read back (a
// few kilobytes per column), so that each formatting goroutine holds a
// block, not a 16 MB chunk — nor, for overall.csv, every service's columns.
type blockRows struct {
	c      *Collector
	k0, k1 int           // the columns to read
	lo     int           // first replication (relative to First) in buf
	buf    [][][]float64 // [variant][column][replication - lo]
	raw    []byte
}

// load reads the spilled replications of [lo, hi) (relative to First).
func (b *blockRows) load(lo, hi int) {
	c := b.c
	hi = min(hi, c.spilled)
	if lo >= hi {
		return
	}
	if b.buf == nil {
		b.buf = make([][][]float64, len(c.variants))
		for v := range b.buf {
			b.buf[v] = make([][]float64, c.width)
		}
	}
	b.lo = lo
	for v := range b.buf {
		for k := b.k0; k < b.k1; k++ {
			b.buf[v][k] = b.buf[v][k][:0]
		}
	}
	for r0 := lo; r0 < hi; {
		ci := r0 / c.chunk
		r1 := min(hi, (ci+1)*c.chunk)
		n := r1 - r0
		if cap(b.raw) < 8*n {
			b.raw = make([]byte, 8*n)
		}
		raw := b.raw[:8*n]
		for v := range b.buf {
			for k := b.k0; k < b.k1; k++ {
				off := c.chunkOffset(ci) + (int64(v*c.width+k)*int64(c.chunk)+int64(r0-ci*c.chunk))*8
				if _, err := c.spill.ReadAt(raw, off); err != nil {
					panic(fmt.Sprintf("results: reading back spilled replications: %v", err))
				}
				col := b.buf[v][k]
				for j := 0; j < len(raw); j += 8 {
					col = append(col, math.Float64frombits(binary.LittleEndian.Uint64(raw[j:])))
				}
				b.buf[v][k] = col
			}
		}
		r0 = r1
	}
}

// at returns the columns holding replication i (relative to First), which
// the last load covered if it is spilled, and i's index in them.
func (b *blockRows) at(i int) ([][][]float64, int) {
	if c := b.c; i >= c.spilled {
		return c.cols, i - c.spilled
	}
	return b.buf, i - b.lo
}

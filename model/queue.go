package model

import "math/bits"

// fifo is a first-in, first-out queue that reuses its storage, so that a
// reused Replication's queues stop allocating once grown: a pop advances a
// head index (O(1)), and the live part is moved to the front only when an
// append would otherwise grow the slice (amortised O(1) per element).
type fifo[T any] struct {
	buf  []T
	head int
}

func (q *fifo[T]) len() int { return len(q.buf) - q.head }

func (q *fifo[T]) reset() { q.buf, q.head = q.buf[:0], 0 }

func (q *fifo[T]) push(x T) {
	if q.head > 0 && len(q.buf) == cap(q.buf) {
		n := copy(q.buf, q.buf[q.head:])
		q.buf, q.head = q.buf[:n], 0
	}
	q.buf = append(q.buf, x)
}

func (q *fifo[T]) pop() T {
	x := q.buf[q.head]
	q.head++
	if q.head == len(q.buf) {
		q.reset()
	}
	return x
}

// indexSet is a set of small non-negative integers with O(1) insertion and
// removal of its smallest member in O(1 + n/4096) word reads: a bitset with
// a summary bitset of its non-empty words. The services' dirty sets use it
// so that a refresh costs what was touched, not the number of services.
type indexSet struct {
	words []uint64
	sum   []uint64
}

func (x *indexSet) init(n int) {
	w := (n + 63) / 64
	x.words = make([]uint64, w)
	x.sum = make([]uint64, (w+63)/64)
}

func (x *indexSet) clear() {
	clear(x.words)
	clear(x.sum)
}

func (x *indexSet) add(i int) {
	w := i >> 6
	if x.words[w] == 0 {
		x.sum[w>>6] |= 1 << (w & 63)
	}
	x.words[w] |= 1 << (i & 63)
}

func (x *indexSet) remove(i int) {
	w := i >> 6
	x.words[w] &^= 1 << (i & 63)
	if x.words[w] == 0 {
		x.sum[w>>6] &^= 1 << (w & 63)
	}
}

// pop removes and returns the smallest member; ok is false if x is empty.
func (x *indexSet) pop() (i int, ok bool) {
	for k, s := range x.sum {
		if s == 0 {
			continue
		}
		w := k<<6 | bits.TrailingZeros64(s)
		b := x.words[w]
		x.words[w] = b & (b - 1)
		if x.words[w] == 0 {
			x.sum[k] &^= 1 << (w & 63)
		}
		return w<<6 | bits.TrailingZeros64(b), true
	}
	return 0, false
}

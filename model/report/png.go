package report

import (
	"bufio"
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/png"
	"io"
)

// writePNG encodes img as an 8-bit RGB PNG, every row with the Up filter,
// at zlib's fastest level (an image with a pixel that is not opaque goes
// to image/png). A chart
// is mostly rows that repeat the row above, which Up turns into zeros, so
// the files are about as small as image/png's adaptive filtering makes
// them in a fraction of its time: choosing a filter per row took most of
// the time of writing a run's charts.
func writePNG(w io.Writer, img *image.RGBA) error {
	b := img.Bounds()
	width, height := b.Dx(), b.Dy()
	// A row equal to the row above is opaque if that one is, and filters
	// to zeros: most rows of a chart are such repeats, and comparing them
	// is far cheaper than going through their pixels.
	row := func(y int) []byte { return img.Pix[y*img.Stride : y*img.Stride+4*width] }
	for y := range height {
		r := row(y)
		if y > 0 && bytes.Equal(r, row(y-1)) {
			continue
		}
		if !opaqueRow(r) {
			return png.Encode(w, img)
		}
	}
	const bpp, colorType = 3, 2
	bw := bufio.NewWriterSize(w, 64<<10)
	if _, err := bw.WriteString("\x89PNG\r\n\x1a\n"); err != nil {
		return err
	}
	var ihdr [13]byte
	binary.BigEndian.PutUint32(ihdr[0:], uint32(width))
	binary.BigEndian.PutUint32(ihdr[4:], uint32(height))
	ihdr[8], ihdr[9] = 8, colorType // bit depth; compression, filter and interlace methods 0
	if err := writeChunk(bw, "IHDR", ihdr[:]); err != nil {
		return err
	}
	idat := &chunkWriter{w: bw, name: "IDAT"}
	zw, err := zlib.NewWriterLevel(idat, zlib.BestSpeed)
	if err != nil {
		return err
	}
	n := bpp * width
	cur, prev, out := make([]byte, n), make([]byte, n), make([]byte, 1+n)
	out[0] = 2 // Up
	for y := range height {
		r := row(y)
		if y > 0 && bytes.Equal(r, row(y-1)) {
			clear(out[1:]) // cur equals prev
		} else {
			_ = cur[n-1] // the bounds check, once
			for x, j := 0, 0; j+2 < n; x, j = x+4, j+3 {
				cur[j], cur[j+1], cur[j+2] = r[x], r[x+1], r[x+2]
			}
			subBytes(out[1:], cur, prev)
			cur, prev = prev, cur
		}
		if _, err := zw.Write(out); err != nil {
			return err
		}
	}
	if err := zw.Close(); err != nil {
		return err
	}
	if err := idat.flush(); err != nil {
		return err
	}
	if err := writeChunk(bw, "IEND", nil); err != nil {
		return err
	}
	return bw.Flush()
}

// opaqueRow reports whether every pixel of a row of RGBA bytes has alpha
// 0xff, eight bytes at a time.
func opaqueRow(r []byte) bool {
	const alpha = 0xff000000ff000000
	i := 0
	for ; i+8 <= len(r); i += 8 {
		if binary.LittleEndian.Uint64(r[i:])&alpha != alpha {
			return false
		}
	}
	for i += 3; i < len(r); i += 4 {
		if r[i] != 0xff {
			return false
		}
	}
	return true
}

// subBytes sets d[i] = a[i] - b[i] (mod 256), eight bytes at a time: with
// the top bit of every byte of a set and of b cleared, no byte borrows
// from the next; the top bits are then put right, a⊕b⊕borrow.
func subBytes(d, a, b []byte) {
	const hi = 0x8080808080808080
	i := 0
	for ; i+8 <= len(d); i += 8 {
		x, y := binary.LittleEndian.Uint64(a[i:]), binary.LittleEndian.Uint64(b[i:])
		binary.LittleEndian.PutUint64(d[i:], ((x|hi)-(y&^hi))^((x^^y)&hi))
	}
	for ; i < len(d); i++ {
		d[i] = a[i] - b[i]
	}
}

func writeChunk(w io.Writer, name string, data []byte) error {
	var head [8]byte
	binary.BigEndian.PutUint32(head[:4], uint32(len(data)))
	copy(head[4:], name)
	crc := crc32.NewIEEE()
	crc.Write(head[4:])
	crc.Write(data)
	var tail [4]byte
	binary.BigEndian.PutUint32(tail[:], crc.Sum32())
	for _, b := range [][]byte{head[:], data, tail[:]} {
		if _, err := w.Write(b); err != nil {
			return err
		}
	}
	return nil
}

// chunkWriter buffers what zlib writes and emits it as chunks of at most
// 64 KB.
type chunkWriter struct {
	w    io.Writer
	name string
	buf  []byte
}

func (c *chunkWriter) Write(p []byte) (int, error) {
	c.buf = append(c.buf, p...)
	for len(c.buf) >= 64<<10 {
		if err := writeChunk(c.w, c.name, c.buf[:64<<10]); err != nil {
			return 0, err
		}
		c.buf = c.buf[64<<10:]
	}
	return len(p), nil
}

func (c *chunkWriter) flush() error {
	if len(c.buf) == 0 {
		return nil
	}
	err := writeChunk(c.w, c.name, c.buf)
	c.buf = nil
	return err
}

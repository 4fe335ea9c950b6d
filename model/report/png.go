package report

import (
	"bufio"
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
	opaque := true
	for y := 0; y < height && opaque; y++ {
		row := img.Pix[y*img.Stride : y*img.Stride+4*width]
		for i := 3; i < len(row); i += 4 {
			if row[i] != 0xff {
				opaque = false
				break
			}
		}
	}
	if !opaque {
		return png.Encode(w, img)
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
	for y := 0; y < height; y++ {
		row := img.Pix[y*img.Stride : y*img.Stride+4*width]
		for x, j := 0, 0; x < len(row); x, j = x+4, j+3 {
			cur[j], cur[j+1], cur[j+2] = row[x], row[x+1], row[x+2]
		}
		for i := range cur {
			out[1+i] = cur[i] - prev[i]
		}
		if _, err := zw.Write(out); err != nil {
			return err
		}
		cur, prev = prev, cur
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

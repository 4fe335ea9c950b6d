package results

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// tmpInfix marks the temporary files WriteAtomic creates: a file named
// "manifest.json" is first written as ".manifest.json.tmp-<random>" in the
// same directory. Only a crash between creating and renaming one leaves it
// behind; removeStaleTemps deletes such leftovers.
const tmpInfix = ".tmp-"

// WriteFileAtomic replaces the file at path with data so that no reader,
// and no crash, ever sees anything but the old contents or the new ones. It
// is WriteAtomic with a writer that writes data.
func WriteFileAtomic(path string, data []byte) error {
	return WriteAtomic(path, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// WriteAtomic replaces the file at path with what write writes, atomically:
//
//  1. create a temporary file ".<name>.tmp-<random>" in path's directory
//     (same directory, so same file system, so rename is atomic);
//  2. write through a buffer, flush, fsync the file, set mode 0644, close;
//  3. rename it over path (atomic on POSIX file systems: path names the old
//     file or the new one, never a mix or a truncated file);
//  4. fsync the directory so the rename itself survives a power loss.
//
// If write or any step fails the temporary file is removed, path is left
// as it was, and the error names path. A kill -9 during steps 1–3 leaves
// path untouched and at worst an orphaned temporary file.
func WriteAtomic(path string, write func(w io.Writer) error) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+tmpInfix+"*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
			err = fmt.Errorf("write %s: %w", path, err)
		}
	}()
	bw := bufio.NewWriterSize(f, 256<<10)
	if err = write(bw); err != nil {
		return err
	}
	if err = bw.Flush(); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Chmod(0o644); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	if err = os.Rename(tmp, path); err != nil {
		return err
	}
	return syncDir(dir)
}

// syncDir fsyncs a directory so that renames and creations in it are
// durable. File systems that cannot sync a directory (EINVAL) are accepted.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	if errors.Is(err, syscall.EINVAL) {
		return nil
	}
	return err
}

// RemoveStaleTemps deletes temporary files that a crashed or interrupted
// WriteAtomic left in dir. Call it before writing into an existing
// results directory.
func RemoveStaleTemps(dir string) { removeStaleTemps(dir) }

// removeStaleTemps deletes temporary files that a crashed WriteAtomic left
// in dir.
func removeStaleTemps(dir string) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range ents {
		if n := e.Name(); strings.HasPrefix(n, ".") && strings.Contains(n, tmpInfix) && e.Type().IsRegular() {
			os.Remove(filepath.Join(dir, n))
		}
	}
}

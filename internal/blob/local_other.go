//go:build !linux

package blob

import (
	"context"
	"io"
	"os"
	"path/filepath"
)

// createUnnamed is Linux's: elsewhere every object is written the
// portable way.
func createUnnamed(context.Context, string, io.Reader, int64, string) (bool, error) {
	return false, nil
}

// recordedSHA256 is Linux's: elsewhere the sidecar records it.
func recordedSHA256(string) (string, bool) { return "", false }

// noteWritten remembers an object for the next sync.
func (d *dir) noteWritten(p string) {
	d.mu.Lock()
	d.written = append(d.written, p)
	d.mu.Unlock()
}

// syncFiles flushes each file written since the last sync, its sidecar
// and their directories.
func (d *dir) syncFiles(ctx context.Context) error {
	d.mu.Lock()
	paths := d.written
	d.written = nil
	d.mu.Unlock()
	dirs := map[string]bool{}
	for i, p := range paths {
		if err := ctx.Err(); err != nil {
			d.requeue(paths[i:])
			return err
		}
		for _, f := range []string{p, p + sidecarExt} {
			if err := fsyncPath(f); err != nil && !os.IsNotExist(err) {
				d.requeue(paths[i:])
				return err
			}
		}
		dirs[filepath.Dir(p)] = true
	}
	for dir := range dirs {
		if err := fsyncPath(dir); err != nil {
			return err
		}
	}
	return nil
}

func (d *dir) requeue(paths []string) {
	d.mu.Lock()
	d.written = append(d.written, paths...)
	d.mu.Unlock()
}

func fsyncPath(p string) error {
	f, err := os.Open(p)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}

package blob

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
)

// dir is the local-directory backend. An object of up to packMax bytes is
// a row of the pack, the SQLite file .objects.db at root; a larger one is
// the file named by its key under root. A file's SHA-256 is recorded in its
// extended attribute user.vendorsync.sha256 where the platform and
// filesystem have them, or else beside it in "<key>.attrs", the JSON
// sidecar earlier versions wrote. Objects are looked for in the pack, then
// as files, so directories written by earlier versions (every object a
// file) read unchanged, and a key is taken wherever it is stored.
type dir struct {
	root string
	pack *pack
	// packMax is the largest object the pack takes (packMax; less in tests
	// of the file layout).
	packMax int64
	// filesDirty is set when a file was created since the last sync.
	filesDirty atomic.Bool
	// made holds the directories known to exist, so that a write does
	// not ask again.
	made sync.Map
	// portable is set once the filesystem turned out to lack what the
	// one-step create needs; writes then take the portable way.
	portable atomic.Bool
	// written lists the objects created since the last sync, where the
	// platform flushes file by file.
	mu      sync.Mutex
	written []string
}

// sidecar is the content of a ".attrs" file. Only the fields this store
// sets are listed; others, if present, are ignored.
type sidecar struct {
	ContentType string            `json:"user.content_type"`
	Metadata    map[string]string `json:"user.metadata"`
}

const sidecarExt = ".attrs"

func openDir(path string) (*Store, error) {
	root, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("blob store: %w", err)
	}
	if err := os.MkdirAll(root, 0o700); err != nil {
		return nil, fmt.Errorf("blob store: create %s: %w", root, err)
	}
	p, err := openPack(root)
	if err != nil {
		return nil, err
	}
	return &Store{objects: &dir{root: root, pack: p, packMax: packMax}, desc: "file://" + root}, nil
}

// path is where key lives; ValidKey has ruled out keys that could escape
// root or collide with a sidecar.
func (d *dir) path(key string) string { return filepath.Join(d.root, filepath.FromSlash(key)) }

func (d *dir) attrs(ctx context.Context, key string) (int64, string, error) {
	if size, sum, ok, err := d.pack.attrs(ctx, key); ok || err != nil {
		return size, sum, err
	}
	return d.fileAttrs(key)
}

func (d *dir) fileAttrs(key string) (int64, string, error) {
	p := d.path(key)
	fi, err := os.Stat(p)
	if err != nil {
		return 0, "", fileError(err)
	}
	if fi.IsDir() {
		return 0, "", fmt.Errorf("%w: %s is a directory", errNotExist, key)
	}
	if sum, ok := recordedSHA256(p); ok {
		return fi.Size(), sum, nil
	}
	b, err := os.ReadFile(p + sidecarExt)
	if errors.Is(err, fs.ErrNotExist) {
		return fi.Size(), "", nil // written by other means: Stat computes the SHA-256
	}
	if err != nil {
		return 0, "", err
	}
	var sc sidecar
	if err := json.Unmarshal(b, &sc); err != nil {
		return 0, "", fmt.Errorf("read %s%s: %w", key, sidecarExt, err)
	}
	return fi.Size(), sc.Metadata[metaSHA256], nil
}

func (d *dir) list(ctx context.Context, prefix string) ([]string, error) {
	keys, err := d.pack.list(ctx, prefix)
	if err != nil {
		return nil, err
	}
	files, err := d.listFiles(ctx, prefix)
	if err != nil {
		return nil, err
	}
	// A key is stored once, in the pack or as a file, but an old file and
	// a row could both exist if two versions raced: list it once.
	if len(files) > 0 {
		keys = append(keys, files...)
		slices.Sort(keys)
		keys = slices.Compact(keys)
	}
	return keys, nil
}

func (d *dir) listFiles(ctx context.Context, prefix string) ([]string, error) {
	var keys []string
	err := filepath.WalkDir(d.path(prefix), func(p string, de fs.DirEntry, err error) error {
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return nil
		case err != nil:
			return err
		case ctx.Err() != nil:
			return ctx.Err()
		case de.IsDir(), filepath.Ext(p) == sidecarExt, strings.HasSuffix(p, ".tmp"):
			return nil
		}
		rel, err := filepath.Rel(d.root, p)
		if err != nil {
			return err
		}
		keys = append(keys, filepath.ToSlash(rel))
		return nil
	})
	return keys, err
}

func (d *dir) open(ctx context.Context, key string) (io.ReadCloser, error) {
	if r, ok, err := d.pack.open(ctx, key); ok || err != nil {
		return r, err
	}
	f, err := os.Open(d.path(key))
	if err != nil {
		return nil, fileError(err)
	}
	if fi, err := f.Stat(); err != nil || fi.IsDir() {
		f.Close()
		if err != nil {
			return nil, err
		}
		return nil, fmt.Errorf("%w: %s is a directory", errNotExist, key)
	}
	return f, nil
}

// create stores an object of up to packMax bytes in the pack, unless a file
// of an earlier version holds the key; a larger one as a file, unless the
// pack holds the key.
func (d *dir) create(ctx context.Context, key string, src io.Reader, size int64, sha256Hex string) error {
	if size <= d.packMax {
		if _, _, err := d.fileAttrs(key); err == nil {
			return errExists
		}
		return d.pack.create(ctx, key, src, size, sha256Hex)
	}
	if _, _, ok, err := d.pack.attrs(ctx, key); err != nil {
		return err
	} else if ok {
		return errExists
	}
	if err := d.createFile(ctx, key, src, size, sha256Hex); err != nil {
		return err
	}
	d.filesDirty.Store(true)
	return nil
}

// createFile publishes the object with a hard link: link(2) fails when the
// name exists, so of several writers of a new key, in this process or
// another, exactly one succeeds, and readers never see a partial object.
// Where it can, it writes an unnamed file with the SHA-256 as its attribute
// and links that (one change to the directory); otherwise it writes a
// temporary file beside the object, links it, and the winner alone then
// writes the sidecar. Neither flushes to disk: sync does, for many objects
// at once.
func (d *dir) createFile(ctx context.Context, key string, src io.Reader, size int64, sha256Hex string) error {
	p := d.path(key)
	parent := filepath.Dir(p)
	if _, ok := d.made.Load(parent); !ok {
		if err := os.MkdirAll(parent, 0o700); err != nil {
			return err
		}
		d.made.Store(parent, true)
	}
	if !d.portable.Load() {
		done, err := createUnnamed(ctx, p, src, size, sha256Hex)
		if errors.Is(err, fs.ErrNotExist) {
			// The directory was removed since it was made: make it again.
			d.made.Delete(parent)
			if err := os.MkdirAll(parent, 0o700); err != nil {
				return err
			}
			done, err = createUnnamed(ctx, p, src, size, sha256Hex)
		}
		if done {
			if err == nil {
				d.noteWritten(p)
			}
			return err
		}
		d.portable.Store(true)
	}
	if err := d.createPortable(ctx, p, src, size, sha256Hex); err != nil {
		return err
	}
	d.noteWritten(p)
	return nil
}

// createPortable writes src to a temporary file beside p, links it to p
// and writes the sidecar.
func (d *dir) createPortable(ctx context.Context, p string, src io.Reader, size int64, sha256Hex string) error {
	tmp, err := os.CreateTemp(filepath.Dir(p), filepath.Base(p)+".*.tmp")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // the published object is the link; the temporary name always goes
	n, err := io.Copy(tmp, src)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	switch {
	case err != nil:
		return err
	case n != size:
		return fmt.Errorf("input changed while storing: %d bytes, %d expected", n, size)
	case ctx.Err() != nil:
		return ctx.Err()
	}
	if err := os.Link(tmp.Name(), p); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return errExists
		}
		return fmt.Errorf("publish: %w", err)
	}
	if err := writeSidecar(p, sha256Hex); err != nil {
		// The object is in place; without its sidecar Stat recomputes the
		// SHA-256, so a retry of this write succeeds.
		return fmt.Errorf("record SHA-256: %w", err)
	}
	return nil
}

// writeSidecar replaces p's sidecar in one rename, so that readers see the
// old one or the new one, never half of it.
func writeSidecar(p, sha256Hex string) error {
	b, err := json.Marshal(sidecar{ContentType: "application/octet-stream", Metadata: map[string]string{metaSHA256: sha256Hex}})
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(p), filepath.Base(p)+sidecarExt+".*.tmp")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // gone after the rename; on failure nothing else to do
	_, err = tmp.Write(append(b, '\n'))
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	return os.Rename(tmp.Name(), p+sidecarExt)
}

// exclusive is true: create publishes with link(2), which fails when the
// name is taken, in this process or another.
func (d *dir) exclusive() bool { return true }

// sync flushes the pack's log and, when files were written since the last
// sync, the files.
func (d *dir) sync(ctx context.Context) error {
	if err := d.pack.sync(ctx); err != nil {
		return err
	}
	if !d.filesDirty.Swap(false) {
		return nil
	}
	if err := d.syncFiles(ctx); err != nil {
		d.filesDirty.Store(true)
		return err
	}
	return nil
}

func (d *dir) close() error { return d.pack.close() }

// fileError marks the errors that mean "no such object": a missing file,
// or a path through what is a file rather than a directory.
func fileError(err error) error {
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) {
		return fmt.Errorf("%w: %w", errNotExist, err)
	}
	return err
}

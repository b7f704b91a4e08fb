// Package blob is VendorSync's write-once object storage for raw inputs and
// rendered outputs (raw emails, attachments, event payloads, vendor files,
// reports): a local directory by default, or any S3-compatible bucket. An
// object, once written, never changes: writing the same key again with the
// same bytes is a no-op, with different bytes a conflict. Each object's
// SHA-256 is computed while writing and kept with it.
package blob

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/url"
	"path/filepath"
	"slices"
	"strings"

	"github.com/vendorsync/vendorsync/internal/apperr"
)

// Object describes a stored object.
type Object struct {
	Key    string `json:"key"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"` // hex
}

// Store is an opened bucket.
type Store struct {
	objects backend
	desc    string // where it is, for errors and logs (no credentials)
}

// backend is where the objects live. Store owns the write-once rules and
// the hashing; a backend only stores, reads and creates-if-absent.
type backend interface {
	// attrs returns the size of the object at key and the SHA-256 recorded
	// with it ("" when none was recorded).
	attrs(ctx context.Context, key string) (size int64, sha256Hex string, err error)
	// open opens the object at key for reading.
	open(ctx context.Context, key string) (io.ReadCloser, error)
	// create stores the size bytes of src under key with their SHA-256, only
	// if key holds nothing yet (errExists otherwise). A failed create
	// publishes nothing.
	create(ctx context.Context, key string, src io.Reader, size int64, sha256Hex string) error
	// list returns the keys of the objects whose key starts with prefix.
	list(ctx context.Context, prefix string) ([]string, error)
	// sync makes every object created so far durable.
	sync(ctx context.Context) error
	// exclusive reports whether create's refusal of a taken key can be
	// relied on, so that Put need not look first.
	exclusive() bool
	close() error
}

var (
	// errNotExist is what backends wrap when key holds no object.
	errNotExist = errors.New("no such object")
	// errExists is what backends return when a create finds key taken.
	errExists = errors.New("object already exists")
)

// metaSHA256 is the metadata key holding an object's hex SHA-256.
const metaSHA256 = "sha256"

// Open opens the store at rawURL: empty for the directory <dataDir>/blobs,
// file:///abs/dir for another directory (both created if missing), or
// s3://bucket?endpoint=…&use_path_style=true&region=… for S3 and compatible
// servers (credentials from the usual AWS environment or profile).
func Open(ctx context.Context, rawURL, dataDir string) (*Store, error) {
	if rawURL == "" {
		return openDir(filepath.Join(dataDir, "blobs"))
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, apperr.Invalidf("blob URL is not a URL")
	}
	switch u.Scheme {
	case "file":
		if u.Host == "." {
			return openDir("." + u.Path)
		}
		return openDir(u.Path)
	case "s3":
		return openS3(u)
	}
	return nil, apperr.Invalidf("unsupported blob URL scheme %q: use file:// or s3://", u.Scheme)
}

// String says where the store is, without credentials.
func (s *Store) String() string { return s.desc }

// Close releases the bucket.
func (s *Store) Close() error { return s.objects.close() }

// Put stores r under key, once. When key already holds the same bytes, Put
// succeeds without writing and returns the stored object; when it holds
// other bytes, Put fails with apperr.Conflict and nothing changes.
//
// On S3 an existence check first keeps write-once on servers that ignore
// conditional writes; the race between two writers of a new key is closed
// by the conditional write (If-None-Match: *). The local directory
// publishes with a hard link, which fails when the name is taken, so there
// Put writes at once and compares only when the key turns out taken: one
// lookup less for every new object, the common case.
func (s *Store) Put(ctx context.Context, key string, r io.Reader) (Object, error) {
	if err := ValidKey(key); err != nil {
		return Object{}, err
	}
	if !s.objects.exclusive() {
		exists, err := s.Exists(ctx, key)
		if err != nil {
			return Object{}, err
		}
		if exists {
			sum, n, err := SHA256Reader(r)
			if err != nil {
				return Object{}, fmt.Errorf("blob put %s: read input: %w", key, err)
			}
			return s.sameOrConflict(ctx, key, Object{Key: key, Size: n, SHA256: sum})
		}
	}
	obj, err := s.write(ctx, key, r)
	if errors.Is(err, errExists) {
		// Someone wrote the key between our check and our write.
		return s.sameOrConflict(ctx, key, obj)
	}
	return obj, err
}

// write creates key from r, hashing it first. When key turns out to be
// taken the error is errExists and the returned Object still describes r.
func (s *Store) write(ctx context.Context, key string, r io.Reader) (Object, error) {
	// The SHA-256 is only known after reading r, but it is recorded with the
	// object as it is created; it is therefore computed on a first pass when
	// r is seekable, otherwise r is buffered through a temporary file.
	src, size, sum, cleanup, err := hashed(r, sha256.New())
	if err != nil {
		return Object{}, fmt.Errorf("blob put %s: read input: %w", key, err)
	}
	defer cleanup()
	obj := Object{Key: key, Size: size, SHA256: sum}
	if err := s.objects.create(ctx, key, src, size, sum); err != nil {
		if errors.Is(err, errExists) {
			return obj, errExists
		}
		return obj, fmt.Errorf("blob put %s: %w", key, err)
	}
	return obj, nil
}

// sameOrConflict compares what key holds with want.
func (s *Store) sameOrConflict(ctx context.Context, key string, want Object) (Object, error) {
	have, err := s.Stat(ctx, key)
	if err != nil {
		return Object{}, err
	}
	if have.SHA256 != want.SHA256 || have.Size != want.Size {
		return have, apperr.E(apperr.Conflict, "blob %s already exists with different content", key)
	}
	return have, nil
}

// Sync makes every object Put so far durable: once it returns, they
// survive a crash of the machine. A caller that writes many objects and
// then records that they are stored calls Sync once in between, instead
// of paying for a flush per object. S3 stores an object durably before
// answering its write, so there Sync has nothing to do.
func (s *Store) Sync(ctx context.Context) error {
	if err := s.objects.sync(ctx); err != nil {
		return apperr.Wrap(apperr.Unavailable, err, "blob store %s: flush to disk", s.desc)
	}
	return nil
}

// Stat describes the object at key. Its SHA-256 comes from the metadata
// written with it, or is computed from the content when that is missing.
func (s *Store) Stat(ctx context.Context, key string) (Object, error) {
	if err := ValidKey(key); err != nil {
		return Object{}, err
	}
	size, sum, err := s.objects.attrs(ctx, key)
	if err != nil {
		return Object{}, s.translate(err, key)
	}
	obj := Object{Key: key, Size: size, SHA256: sum}
	if obj.SHA256 == "" {
		rc, err := s.Get(ctx, key)
		if err != nil {
			return Object{}, err
		}
		defer rc.Close()
		h := sha256.New()
		if _, err := io.Copy(h, rc); err != nil {
			return Object{}, fmt.Errorf("blob stat %s: %w", key, err)
		}
		obj.SHA256 = hex.EncodeToString(h.Sum(nil))
	}
	return obj, nil
}

// Get opens the object at key for reading; the caller closes it.
func (s *Store) Get(ctx context.Context, key string) (io.ReadCloser, error) {
	if err := ValidKey(key); err != nil {
		return nil, err
	}
	r, err := s.objects.open(ctx, key)
	if err != nil {
		return nil, s.translate(err, key)
	}
	return r, nil
}

// List returns the keys of the objects under prefix (a folder path ending
// in "/"), sorted.
func (s *Store) List(ctx context.Context, prefix string) ([]string, error) {
	if err := ValidKey(strings.TrimSuffix(prefix, "/")); err != nil || !strings.HasSuffix(prefix, "/") {
		return nil, apperr.Invalidf("blob prefix %q is not a folder path ending in /", prefix)
	}
	keys, err := s.objects.list(ctx, prefix)
	if err != nil {
		return nil, s.translate(err, prefix)
	}
	slices.Sort(keys)
	return keys, nil
}

// Exists reports whether key holds an object.
func (s *Store) Exists(ctx context.Context, key string) (bool, error) {
	if err := ValidKey(key); err != nil {
		return false, err
	}
	_, _, err := s.objects.attrs(ctx, key)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, errNotExist):
		return false, nil
	}
	return false, s.translate(err, key)
}

// translate gives a backend error the application code callers act on: a
// missing object is not found, a cancelled call stays a cancellation, and
// anything else means the store cannot serve us right now.
func (s *Store) translate(err error, key string) error {
	switch {
	case errors.Is(err, errNotExist):
		return apperr.Wrap(apperr.NotFound, err, "blob %s not found", key)
	case errors.Is(err, context.Canceled):
		return fmt.Errorf("blob %s in %s: %w", key, s.desc, err)
	}
	return apperr.Wrap(apperr.Unavailable, err, "blob store %s unavailable", s.desc)
}

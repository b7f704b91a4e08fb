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
	"fmt"
	"hash"
	"io"
	"net/url"
	"os"
	"path/filepath"

	"gocloud.dev/blob"
	"gocloud.dev/blob/fileblob"
	_ "gocloud.dev/blob/s3blob" // registers s3://
	"gocloud.dev/gcerrors"

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
	bucket *blob.Bucket
	desc   string // where it is, for errors and logs (no credentials)
	// lockPath serialises the publishing step of local writes across
	// goroutines and processes (fileblob's own existence check is not
	// atomic); empty for S3, whose conditional write is.
	lockPath string
}

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
		desc := "s3://" + u.Host + u.Path
		b, err := blob.OpenBucket(ctx, u.String())
		if err != nil {
			return nil, fmt.Errorf("blob store %s: %w", desc, err)
		}
		return &Store{bucket: b, desc: desc}, nil
	}
	return nil, apperr.Invalidf("unsupported blob URL scheme %q: use file:// or s3://", u.Scheme)
}

func openDir(dir string) (*Store, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("blob store: %w", err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("blob store: create %s: %w", dir, err)
	}
	// Temporary files next to the final ones, so that the rename that
	// publishes an object never crosses file systems.
	b, err := fileblob.OpenBucket(dir, &fileblob.Options{NoTempDir: true, DirFileMode: 0o700})
	if err != nil {
		return nil, fmt.Errorf("blob store %s: %w", dir, err)
	}
	return &Store{bucket: b, desc: "file://" + dir, lockPath: dir + ".lock"}, nil
}

// String says where the store is, without credentials.
func (s *Store) String() string { return s.desc }

// Close releases the bucket.
func (s *Store) Close() error { return s.bucket.Close() }

// Put stores r under key, once. When key already holds the same bytes, Put
// succeeds without writing and returns the stored object; when it holds
// other bytes, Put fails with apperr.Conflict and nothing changes.
//
// The existence check first makes the common replay case cheap and keeps
// write-once on servers that ignore conditional writes. The race between two
// writers of a new key is closed by the conditional write (If-None-Match: *)
// on S3, and on the local directory by publishing under a file lock.
func (s *Store) Put(ctx context.Context, key string, r io.Reader) (Object, error) {
	if err := ValidKey(key); err != nil {
		return Object{}, err
	}
	exists, err := s.Exists(ctx, key)
	if err != nil {
		return Object{}, err
	}
	h := sha256.New()
	if exists {
		n, err := io.Copy(h, r)
		if err != nil {
			return Object{}, fmt.Errorf("blob put %s: read input: %w", key, err)
		}
		return s.sameOrConflict(ctx, key, Object{Key: key, Size: n, SHA256: hex.EncodeToString(h.Sum(nil))})
	}
	obj, err := s.write(ctx, key, r, h)
	if gcerrors.Code(err) == gcerrors.FailedPrecondition {
		// Someone wrote the key between our check and our write.
		return s.sameOrConflict(ctx, key, obj)
	}
	return obj, err
}

// write streams r to key with a conditional create, hashing as it goes. On
// a failed precondition the returned Object still describes r.
func (s *Store) write(ctx context.Context, key string, r io.Reader, h hash.Hash) (Object, error) {
	// The SHA-256 is only known after reading r, but metadata must be set
	// before the write; it is therefore computed on a first pass when r is
	// seekable, otherwise buffered through a temporary file.
	src, size, sum, cleanup, err := hashed(r, h)
	if err != nil {
		return Object{}, fmt.Errorf("blob put %s: read input: %w", key, err)
	}
	defer cleanup()
	obj := Object{Key: key, Size: size, SHA256: sum}
	// Cancelling the writer's context before Close aborts the write, so a
	// failed copy never publishes a truncated object.
	wctx, abort := context.WithCancel(ctx)
	defer abort()
	w, err := s.bucket.NewWriter(wctx, key, &blob.WriterOptions{
		IfNotExist:  true,
		ContentType: "application/octet-stream",
		Metadata:    map[string]string{metaSHA256: sum},
	})
	if err != nil {
		return obj, fmt.Errorf("blob put %s: %w", key, err)
	}
	if _, err := io.Copy(w, src); err != nil {
		abort()
		_ = w.Close() // reports the cancellation; the copy error is the one worth reporting
		return obj, fmt.Errorf("blob put %s: %w", key, err)
	}
	unlock, err := s.lock()
	if err != nil {
		abort()
		_ = w.Close() // reports the cancellation; the lock error is the one worth reporting
		return obj, err
	}
	err = w.Close() // checks that key is new and publishes the object
	unlock()
	if err != nil {
		if gcerrors.Code(err) == gcerrors.FailedPrecondition {
			return obj, err
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

// Stat describes the object at key. Its SHA-256 comes from the metadata
// written with it, or is computed from the content when that is missing.
func (s *Store) Stat(ctx context.Context, key string) (Object, error) {
	attrs, err := s.bucket.Attributes(ctx, key)
	if err != nil {
		return Object{}, s.translate(err, key)
	}
	obj := Object{Key: key, Size: attrs.Size, SHA256: attrs.Metadata[metaSHA256]}
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
	r, err := s.bucket.NewReader(ctx, key, nil)
	if err != nil {
		return nil, s.translate(err, key)
	}
	return r, nil
}

// Exists reports whether key holds an object.
func (s *Store) Exists(ctx context.Context, key string) (bool, error) {
	if err := ValidKey(key); err != nil {
		return false, err
	}
	ok, err := s.bucket.Exists(ctx, key)
	if err != nil {
		return false, s.translate(err, key)
	}
	return ok, nil
}

func (s *Store) translate(err error, key string) error {
	switch gcerrors.Code(err) {
	case gcerrors.NotFound:
		return apperr.Wrap(apperr.NotFound, err, "blob %s not found", key)
	case gcerrors.PermissionDenied, gcerrors.Unknown, gcerrors.Internal, gcerrors.ResourceExhausted, gcerrors.DeadlineExceeded:
		return apperr.Wrap(apperr.Unavailable, err, "blob store %s unavailable", s.desc)
	}
	return fmt.Errorf("blob %s in %s: %w", key, s.desc, err)
}

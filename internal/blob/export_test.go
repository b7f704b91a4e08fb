package blob

import (
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
)

// FakeS3 starts gofakes3's in-memory S3 server over HTTP with a bucket
// named "vendorsync", points the AWS_* credential variables at test values
// (and the shared files nowhere), and returns the server's URL and its
// backend, for looking at what was stored.
func FakeS3(t *testing.T) (endpoint string, backend *s3mem.Backend) {
	t.Helper()
	backend = s3mem.New()
	if err := backend.CreateBucket("vendorsync"); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(gofakes3.New(backend).Server())
	t.Cleanup(srv.Close)
	t.Setenv("AWS_ACCESS_KEY_ID", "test")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	return srv.URL, backend
}

// OpenPortable opens the directory store at path writing every object as
// a file, the portable way (temporary file, link, sidecar), as on
// filesystems without unnamed files or extended attributes.
func OpenPortable(t *testing.T, path string) *Store {
	t.Helper()
	s, err := openDir(path)
	if err != nil {
		t.Fatal(err)
	}
	s.objects.(*dir).portable.Store(true)
	s.objects.(*dir).packMax = -1
	return s
}

// OpenFiles opens the directory store at path keeping every object as a
// file, however small, as earlier versions did and as it does for objects
// larger than the pack takes.
func OpenFiles(t *testing.T, path string) *Store {
	t.Helper()
	s, err := openDir(path)
	if err != nil {
		t.Fatal(err)
	}
	s.objects.(*dir).packMax = -1
	return s
}

// PackMax is the largest object the directory store keeps in its pack.
const PackMax = packMax

// WritesPortably reports whether a directory store has fallen back to
// the portable way of writing.
func WritesPortably(s *Store) bool { return s.objects.(*dir).portable.Load() }

// RecordedSHA256 is the SHA-256 recorded in a file's extended attribute.
func RecordedSHA256(path string) (string, bool) { return recordedSHA256(path) }

package blob_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/blob"
)

// backends opens the same store kinds production uses: the default local
// directory (small objects in its pack), the same keeping objects as files
// (as it does large ones), the portable way of writing files, and an S3
// bucket (gofakes3's in-memory server over HTTP).
func backends(t *testing.T) map[string]func(t *testing.T) *blob.Store {
	return map[string]func(t *testing.T) *blob.Store{
		"file": func(t *testing.T) *blob.Store {
			return open(t, "", t.TempDir())
		},
		"file (files)": func(t *testing.T) *blob.Store {
			s := blob.OpenFiles(t, t.TempDir())
			t.Cleanup(func() { s.Close() })
			return s
		},
		"file (portable)": func(t *testing.T) *blob.Store {
			s := blob.OpenPortable(t, t.TempDir())
			t.Cleanup(func() { s.Close() })
			return s
		},
		"s3": func(t *testing.T) *blob.Store {
			endpoint, _ := blob.FakeS3(t)
			return open(t, "s3://vendorsync?endpoint="+endpoint+"&use_path_style=true&region=us-east-1", t.TempDir())
		},
	}
}

func open(t *testing.T, url, dataDir string) *blob.Store {
	t.Helper()
	s, err := blob.Open(context.Background(), url, dataDir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// failingReader fails like a dropped connection.
type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, io.ErrUnexpectedEOF }

// onlyReader hides Seek, as a network body would.
type onlyReader struct{ io.Reader }

func read(t *testing.T, s *blob.Store, key string) string {
	t.Helper()
	rc, err := s.Get(context.Background(), key)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestStore(t *testing.T) {
	for name, openStore := range backends(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			s := openStore(t)
			body := "From: vendor@example.com\r\nSubject: maintenance\r\n\r\nHello"
			key := blob.Key("tenant-1", blob.KindRawEmail, time.Date(2025, 3, 9, 0, 0, 0, 0, time.UTC), blob.SHA256([]byte(body)))

			t.Run("put stores the object with its size and SHA-256", func(t *testing.T) {
				obj, err := s.Put(ctx, key, strings.NewReader(body))
				if err != nil {
					t.Fatal(err)
				}
				want := blob.Object{Key: key, Size: int64(len(body)), SHA256: blob.SHA256([]byte(body))}
				if obj != want {
					t.Fatalf("put = %+v, want %+v", obj, want)
				}
				if got := read(t, s, key); got != body {
					t.Fatalf("get = %q", got)
				}
				if ok, err := s.Exists(ctx, key); err != nil || !ok {
					t.Fatalf("exists = %v, %v", ok, err)
				}
				if st, err := s.Stat(ctx, key); err != nil || st != want {
					t.Fatalf("stat = %+v, %v", st, err)
				}
			})

			t.Run("putting the same bytes again is a no-op", func(t *testing.T) {
				obj, err := s.Put(ctx, key, onlyReader{strings.NewReader(body)})
				if err != nil {
					t.Fatal(err)
				}
				if obj.SHA256 != blob.SHA256([]byte(body)) || obj.Size != int64(len(body)) {
					t.Fatalf("put again = %+v", obj)
				}
			})

			t.Run("putting other bytes under the key is a conflict", func(t *testing.T) {
				_, err := s.Put(ctx, key, strings.NewReader("tampered"))
				if !apperr.Is(err, apperr.Conflict) {
					t.Fatalf("err = %v, want conflict", err)
				}
				if got := read(t, s, key); got != body {
					t.Fatalf("content changed to %q", got)
				}
			})

			t.Run("missing keys are not found", func(t *testing.T) {
				if _, err := s.Get(ctx, "tenant-1/raw-email/2025/03/missing"); !apperr.Is(err, apperr.NotFound) {
					t.Fatalf("get: err = %v, want not found", err)
				}
				if ok, err := s.Exists(ctx, "tenant-1/raw-email/2025/03/missing"); err != nil || ok {
					t.Fatalf("exists = %v, %v", ok, err)
				}
			})

			t.Run("unsafe keys are refused", func(t *testing.T) {
				for _, k := range []string{"", "/abs", "a/../b", "a//b", "a/b.attrs", "sp ace", "a/"} {
					if _, err := s.Put(ctx, k, strings.NewReader("x")); !apperr.Is(err, apperr.Invalid) {
						t.Errorf("put %q: err = %v, want invalid", k, err)
					}
				}
			})

			t.Run("a failing input stores nothing", func(t *testing.T) {
				k := "tenant-1/vendor-file/2025/03/broken"
				_, err := s.Put(ctx, k, io.MultiReader(strings.NewReader("partial"), failingReader{}))
				if err == nil {
					t.Fatal("put of a failing reader succeeded")
				}
				if ok, err := s.Exists(ctx, k); err != nil || ok {
					t.Fatalf("exists after failed put = %v, %v", ok, err)
				}
			})

			t.Run("large non-seekable input", func(t *testing.T) {
				big := bytes.Repeat([]byte("0123456789abcdef"), 1<<16) // 1 MiB
				k := blob.Key("tenant-1", blob.KindAttachment, time.Now(), blob.SHA256(big))
				obj, err := s.Put(ctx, k, onlyReader{bytes.NewReader(big)})
				if err != nil {
					t.Fatal(err)
				}
				if obj.Size != int64(len(big)) || obj.SHA256 != blob.SHA256(big) {
					t.Fatalf("put = %+v", obj)
				}
				if got := read(t, s, k); got != string(big) {
					t.Fatal("content differs")
				}
			})

			t.Run("concurrent writers of a new key: one wins, the rest conflict", func(t *testing.T) {
				const writers = 6
				k := "tenant-1/report/2025/03/race"
				var wg sync.WaitGroup
				errs := make([]error, writers)
				for i := range writers {
					wg.Add(1)
					go func() {
						defer wg.Done()
						_, errs[i] = s.Put(ctx, k, strings.NewReader(fmt.Sprintf("writer %d", i)))
					}()
				}
				wg.Wait()
				winner := -1
				for i, err := range errs {
					switch {
					case err == nil && winner == -1:
						winner = i
					case err == nil:
						t.Errorf("writers %d and %d both succeeded", winner, i)
					case !apperr.Is(err, apperr.Conflict):
						t.Errorf("writer %d: %v", i, err)
					}
				}
				if winner == -1 {
					t.Fatal("no writer succeeded")
				}
				if got := read(t, s, k); got != fmt.Sprintf("writer %d", winner) {
					t.Fatalf("stored %q, but writer %d won", got, winner)
				}
			})
		})
	}
}

func TestOpen(t *testing.T) {
	t.Run("default is a blobs directory in the data dir", func(t *testing.T) {
		dir := t.TempDir()
		s := open(t, "", dir)
		if want := "file://" + filepath.Join(dir, "blobs"); s.String() != want {
			t.Fatalf("store = %s, want %s", s, want)
		}
	})
	t.Run("unknown schemes are refused", func(t *testing.T) {
		_, err := blob.Open(context.Background(), "ftp://example.com/x", t.TempDir())
		if !apperr.Is(err, apperr.Invalid) {
			t.Fatalf("err = %v, want invalid", err)
		}
	})
	t.Run("file URLs", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "elsewhere")
		s := open(t, "file://"+dir, t.TempDir())
		if _, err := s.Put(context.Background(), "k", strings.NewReader("v")); err != nil {
			t.Fatal(err)
		}
	})
}

func TestKey(t *testing.T) {
	got := blob.Key("t1", blob.KindReport, time.Date(2025, 12, 31, 23, 0, 0, 0, time.FixedZone("x", -3*3600)), "abc")
	if want := "t1/report/2026/01/abc"; got != want {
		t.Fatalf("key = %q, want %q", got, want)
	}
	if err := blob.ValidKey(got); err != nil {
		t.Fatal(err)
	}
}

func TestList(t *testing.T) {
	for name, openStore := range backends(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			s := openStore(t)
			for _, key := range []string{"audit/t1/0002.json", "audit/t1/0001.json", "audit/t2/0001.json", "other/x.json"} {
				if _, err := s.Put(ctx, key, strings.NewReader(key)); err != nil {
					t.Fatal(err)
				}
			}
			got, err := s.List(ctx, "audit/t1/")
			if err != nil {
				t.Fatal(err)
			}
			if want := []string{"audit/t1/0001.json", "audit/t1/0002.json"}; !slices.Equal(got, want) {
				t.Errorf("List(audit/t1/) = %q, want %q", got, want)
			}
			if got, err := s.List(ctx, "nothing/here/"); err != nil || len(got) != 0 {
				t.Errorf("List of an empty folder = %q, %v", got, err)
			}
			if _, err := s.List(ctx, "../"); err == nil {
				t.Error("a prefix outside the store was listed")
			}
		})
	}
}

package blob_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vendorsync/vendorsync/internal/blob"
)

// A blob directory written by earlier versions: objects as plain files,
// each with a JSON ".attrs" sidecar holding the SHA-256 in user.metadata.
func TestDirectoryLayout(t *testing.T) {
	ctx := context.Background()

	t.Run("files have their SHA-256 in an extended attribute, or else a .attrs sidecar", func(t *testing.T) {
		for name, openStore := range map[string]func(dir string) *blob.Store{
			"default": func(dir string) *blob.Store {
				s := blob.OpenFiles(t, dir)
				t.Cleanup(func() { s.Close() })
				return s
			},
			"portable": func(dir string) *blob.Store { return blob.OpenPortable(t, dir) },
		} {
			t.Run(name, func(t *testing.T) {
				dir := t.TempDir()
				s := openStore(dir)
				body := "Subject: maintenance\r\n\r\nHello"
				sum := blob.SHA256([]byte(body))
				key := blob.Key("tenant-1", blob.KindRawEmail, time.Date(2025, 3, 9, 0, 0, 0, 0, time.UTC), sum)
				if _, err := s.Put(ctx, key, strings.NewReader(body)); err != nil {
					t.Fatal(err)
				}
				if err := s.Sync(ctx); err != nil {
					t.Fatal(err)
				}
				file := filepath.Join(dir, key)
				b, err := os.ReadFile(file)
				if err != nil || string(b) != body {
					t.Fatalf("object file = %q, %v", b, err)
				}
				recorded, inAttribute := blob.RecordedSHA256(file)
				_, sidecarErr := os.Stat(file + ".attrs")
				if !blob.WritesPortably(s) {
					if !inAttribute || recorded != sum || sidecarErr == nil {
						t.Fatalf("attribute = %q (%v), sidecar: %v; want the SHA-256 in the attribute and no sidecar", recorded, inAttribute, sidecarErr)
					}
				} else {
					if name == "default" {
						t.Logf("this filesystem takes the portable way")
					}
					var attrs struct {
						Metadata map[string]string `json:"user.metadata"`
					}
					b, err = os.ReadFile(file + ".attrs")
					if err != nil {
						t.Fatal(err)
					}
					if err := json.Unmarshal(b, &attrs); err != nil || attrs.Metadata["sha256"] != sum || inAttribute {
						t.Fatalf("sidecar = %s, %v; attribute %v", b, err, inAttribute)
					}
				}
				leftovers, err := filepath.Glob(filepath.Join(filepath.Dir(file), "*.tmp"))
				if err != nil || len(leftovers) != 0 {
					t.Fatalf("temporary files left behind: %v, %v", leftovers, err)
				}
				// A store opened later reads either kind back.
				again := open(t, "file://"+dir, t.TempDir())
				if st, err := again.Stat(ctx, key); err != nil || st.SHA256 != sum || st.Size != int64(len(body)) {
					t.Fatalf("stat = %+v, %v", st, err)
				}
			})
		}
	})

	t.Run("a directory written by earlier versions reads unchanged", func(t *testing.T) {
		dir := t.TempDir()
		recorded := filepath.Join(dir, "tenant-1", "report", "2025", "01", "recorded")
		bare := filepath.Join(dir, "tenant-1", "report", "2025", "01", "bare")
		if err := os.MkdirAll(filepath.Dir(recorded), 0o700); err != nil {
			t.Fatal(err)
		}
		for path, content := range map[string]string{
			recorded: "report body",
			recorded + ".attrs": `{"user.cache_control":"","user.content_disposition":"","user.content_encoding":"",` +
				`"user.content_language":"","user.content_type":"application/octet-stream",` +
				`"user.metadata":{"sha256":"` + blob.SHA256([]byte("report body")) + `"},"md5":"ZHv/Yn7hs7+tu4HpBp9cGA=="}` + "\n",
			bare: "no sidecar",
		} {
			if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
				t.Fatal(err)
			}
		}
		s := open(t, "file://"+dir, t.TempDir())
		for key, body := range map[string]string{"tenant-1/report/2025/01/recorded": "report body", "tenant-1/report/2025/01/bare": "no sidecar"} {
			want := blob.Object{Key: key, Size: int64(len(body)), SHA256: blob.SHA256([]byte(body))}
			if st, err := s.Stat(ctx, key); err != nil || st != want {
				t.Errorf("stat %s = %+v, %v; want %+v", key, st, err, want)
			}
			if got := read(t, s, key); got != body {
				t.Errorf("get %s = %q", key, got)
			}
			if obj, err := s.Put(ctx, key, strings.NewReader(body)); err != nil || obj != want {
				t.Errorf("put again %s = %+v, %v", key, obj, err)
			}
		}
		if ok, err := s.Exists(ctx, "tenant-1/report/2025"); err != nil || ok {
			t.Errorf("a directory is not an object: exists = %v, %v", ok, err)
		}
	})
}

func TestBucketLayout(t *testing.T) {
	ctx := context.Background()
	endpoint, backend := blob.FakeS3(t)
	s := open(t, "s3://vendorsync?endpoint="+endpoint+"&use_path_style=true&region=us-east-1&prefix=vendorsync-prod/", t.TempDir())
	body := "vendor price file"
	key := blob.Key("tenant-1", blob.KindVendorFile, time.Date(2025, 3, 9, 0, 0, 0, 0, time.UTC), blob.SHA256([]byte(body)))
	if _, err := s.Put(ctx, key, strings.NewReader(body)); err != nil {
		t.Fatal(err)
	}
	obj, err := backend.HeadObject("vendorsync", "vendorsync-prod/"+key)
	if err != nil {
		t.Fatalf("object not under the prefix: %v", err)
	}
	var sum string
	for k, v := range obj.Metadata {
		if strings.EqualFold(k, "X-Amz-Meta-Sha256") {
			sum = v
		}
	}
	if obj.Size != int64(len(body)) || sum != blob.SHA256([]byte(body)) {
		t.Fatalf("stored size %d, x-amz-meta-sha256 %q; metadata %v", obj.Size, sum, obj.Metadata)
	}
}

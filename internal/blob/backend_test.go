package blob

import (
	"context"
	"errors"
	"io"
	"net/url"
	"strings"
	"testing"

	"github.com/minio/minio-go/v7"

	"github.com/vendorsync/vendorsync/internal/apperr"
)

// TestCreateOnlyOnce checks the primitive write-once stands on, without the
// existence check Put makes first: creating a taken key fails with
// errExists and leaves the first object as it was.
func TestCreateOnlyOnce(t *testing.T) {
	stores := map[string]func(t *testing.T) *Store{
		"file": func(t *testing.T) *Store {
			s, err := Open(context.Background(), "", t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			return s
		},
		"s3": func(t *testing.T) *Store {
			endpoint, _ := FakeS3(t)
			s, err := Open(context.Background(), "s3://vendorsync?endpoint="+endpoint+"&use_path_style=true&region=us-east-1", "")
			if err != nil {
				t.Fatal(err)
			}
			return s
		},
	}
	for name, open := range stores {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			s := open(t)
			const key = "tenant-1/report/2025/03/once"
			if err := s.objects.create(ctx, key, strings.NewReader("first"), 5, SHA256([]byte("first"))); err != nil {
				t.Fatal(err)
			}
			err := s.objects.create(ctx, key, strings.NewReader("second"), 6, SHA256([]byte("second")))
			if !errors.Is(err, errExists) {
				t.Fatalf("second create: err = %v, want errExists", err)
			}
			rc, err := s.Get(ctx, key)
			if err != nil {
				t.Fatal(err)
			}
			defer rc.Close()
			if b, err := io.ReadAll(rc); err != nil || string(b) != "first" {
				t.Fatalf("object = %q, %v; want the first write", b, err)
			}
			if st, err := s.Stat(ctx, key); err != nil || st.SHA256 != SHA256([]byte("first")) || st.Size != 5 {
				t.Fatalf("stat = %+v, %v", st, err)
			}
		})
	}
}

func TestS3Options(t *testing.T) {
	t.Setenv("AWS_REGION", "eu-west-1")
	tests := []struct {
		name, query string
		host        string
		secure      bool
		region      string
		lookup      minio.BucketLookupType
	}{
		{"AWS itself", "", "s3.amazonaws.com", true, "eu-west-1", minio.BucketLookupAuto},
		{"region in the URL wins", "region=us-east-2", "s3.amazonaws.com", true, "us-east-2", minio.BucketLookupAuto},
		{"compatible server, path style", "endpoint=https://minio:9000&use_path_style=true&region=us-east-1", "minio:9000", true, "us-east-1", minio.BucketLookupPath},
		{"plain HTTP endpoint", "endpoint=http://127.0.0.1:9000&use_path_style=true", "127.0.0.1:9000", false, "eu-west-1", minio.BucketLookupPath},
		{"endpoint without scheme", "endpoint=minio:9000&disable_https=true", "minio:9000", false, "eu-west-1", minio.BucketLookupDNS},
		{"legacy path-style name", "endpoint=https://ceph.internal&s3ForcePathStyle=true", "ceph.internal", true, "eu-west-1", minio.BucketLookupPath},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, err := url.ParseQuery(tt.query)
			if err != nil {
				t.Fatal(err)
			}
			host, opts, err := s3Options(q)
			if err != nil {
				t.Fatal(err)
			}
			if host != tt.host || opts.Secure != tt.secure || opts.Region != tt.region || opts.BucketLookup != tt.lookup {
				t.Fatalf("host %q secure %v region %q lookup %v; want %q %v %q %v",
					host, opts.Secure, opts.Region, opts.BucketLookup, tt.host, tt.secure, tt.region, tt.lookup)
			}
		})
	}
}

func TestOpenS3Refuses(t *testing.T) {
	for _, rawURL := range []string{
		"s3://vendorsync?endpoint=https://minio:9000&use_path_style=yes please",
		"s3://vendorsync?endpont=https://minio:9000",
		"s3://vendorsync?endpoint=ftp://minio:9000",
		"s3://vendorsync?endpoint=https://minio:9000/some/path",
		"s3:///no-bucket",
	} {
		if _, err := Open(context.Background(), rawURL, t.TempDir()); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("open %s: err = %v, want invalid", rawURL, err)
		}
	}
}

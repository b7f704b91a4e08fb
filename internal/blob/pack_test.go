package blob_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/blob"
)

// The local directory keeps small objects as rows of its pack and larger
// ones as files; a key is taken wherever it is stored, and the store reads
// both, as well as the files earlier versions wrote for every object.
func TestPack(t *testing.T) {
	ctx := context.Background()

	t.Run("small objects are rows of the pack, large ones files", func(t *testing.T) {
		dir := t.TempDir()
		s := open(t, "file://"+dir, t.TempDir())
		small := `{"sku":"A-1","qty":3}`
		large := strings.Repeat("x", blob.PackMax+1)
		for key, body := range map[string]string{"raw/acme/2026/12/07/01.json": small, "tenant-1/report/2026/12/big": large} {
			if _, err := s.Put(ctx, key, strings.NewReader(body)); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.Sync(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(filepath.Join(dir, "raw")); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("a small object made a file or folder: %v", err)
		}
		if b, err := os.ReadFile(filepath.Join(dir, "tenant-1/report/2026/12/big")); err != nil || string(b) != large {
			t.Errorf("the large object is not its file: %d bytes, %v", len(b), err)
		}
		if fi, err := os.Stat(filepath.Join(dir, ".objects.db")); err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("pack file: %v, %v", fi, err)
		}
		// Another store on the same directory (another process: a CLI
		// beside the server) sees both at once.
		again := blob.OpenFiles(t, dir)
		defer again.Close()
		for key, body := range map[string]string{"raw/acme/2026/12/07/01.json": small, "tenant-1/report/2026/12/big": large} {
			if got := read(t, again, key); got != body {
				t.Errorf("get %s = %d bytes, want %d", key, len(got), len(body))
			}
			want := blob.Object{Key: key, Size: int64(len(body)), SHA256: blob.SHA256([]byte(body))}
			if st, err := again.Stat(ctx, key); err != nil || st != want {
				t.Errorf("stat %s = %+v, %v", key, st, err)
			}
		}
		if keys, err := again.List(ctx, "raw/acme/"); err != nil || !slices.Equal(keys, []string{"raw/acme/2026/12/07/01.json"}) {
			t.Errorf("list = %q, %v", keys, err)
		}
	})

	t.Run("a key is taken wherever it is stored", func(t *testing.T) {
		dir := t.TempDir()
		old := blob.OpenFiles(t, dir) // as earlier versions wrote: every object a file
		defer old.Close()
		if _, err := old.Put(ctx, "raw/acme/old.json", strings.NewReader("old bytes")); err != nil {
			t.Fatal(err)
		}
		s := open(t, "file://"+dir, t.TempDir())
		if _, err := s.Put(ctx, "raw/acme/old.json", strings.NewReader("new bytes")); !apperr.Is(err, apperr.Conflict) {
			t.Errorf("other bytes under a key a file holds: err = %v, want conflict", err)
		}
		if obj, err := s.Put(ctx, "raw/acme/old.json", strings.NewReader("old bytes")); err != nil || obj.SHA256 != blob.SHA256([]byte("old bytes")) {
			t.Errorf("the same bytes again = %+v, %v", obj, err)
		}
		if keys, err := s.List(ctx, "raw/acme/"); err != nil || !slices.Equal(keys, []string{"raw/acme/old.json"}) {
			t.Errorf("list = %q, %v", keys, err)
		}
		if _, err := s.Put(ctx, "raw/acme/new.json", strings.NewReader("small")); err != nil {
			t.Fatal(err)
		}
		large := bytes.Repeat([]byte("y"), blob.PackMax+10)
		if _, err := s.Put(ctx, "raw/acme/new.json", bytes.NewReader(large)); !apperr.Is(err, apperr.Conflict) {
			t.Errorf("a large object under a key the pack holds: err = %v, want conflict", err)
		}
		if got := read(t, s, "raw/acme/new.json"); got != "small" {
			t.Errorf("object = %q after a refused write", got)
		}
		if _, err := os.Stat(filepath.Join(dir, "raw/acme/new.json")); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("the refused write left a file: %v", err)
		}
	})

	t.Run("concurrent writers of one key: one wins", func(t *testing.T) {
		s := open(t, "", t.TempDir())
		var wg sync.WaitGroup
		results := make([]error, 16)
		for i := range results {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, results[i] = s.Put(ctx, "raw/acme/race.json", strings.NewReader(strings.Repeat("z", i+1)))
			}()
		}
		wg.Wait()
		won := 0
		for _, err := range results {
			switch {
			case err == nil:
				won++
			case !apperr.Is(err, apperr.Conflict):
				t.Errorf("err = %v, want conflict", err)
			}
		}
		if won != 1 {
			t.Fatalf("%d writers won, want 1", won)
		}
	})

	t.Run("stores opened at once on a new directory all work", func(t *testing.T) {
		dir := t.TempDir()
		var wg sync.WaitGroup
		errs := make([]error, 8)
		for i := range errs {
			wg.Go(func() {
				s, err := blob.Open(ctx, "file://"+dir, "")
				if err == nil {
					_, err = s.Put(ctx, fmt.Sprintf("raw/acme/%d.json", i), strings.NewReader("{}"))
					err = errors.Join(err, s.Close())
				}
				errs[i] = err
			})
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Errorf("store %d: %v", i, err)
			}
		}
		if keys, err := open(t, "file://"+dir, "").List(ctx, "raw/acme/"); err != nil || len(keys) != 8 {
			t.Errorf("list = %q, %v", keys, err)
		}
	})

	t.Run("keys starting with a dot are reserved", func(t *testing.T) {
		s := open(t, "", t.TempDir())
		for _, key := range []string{".objects.db", ".objects.db-wal", ".hidden/x"} {
			if _, err := s.Put(ctx, key, strings.NewReader("x")); !apperr.Is(err, apperr.Invalid) {
				t.Errorf("put %s: err = %v, want invalid", key, err)
			}
		}
	})
}

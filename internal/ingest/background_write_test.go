package ingest_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vendorsync/vendorsync/internal/blob"
	"github.com/vendorsync/vendorsync/internal/ingest"
	"github.com/vendorsync/vendorsync/internal/jobargs"
	"github.com/vendorsync/vendorsync/internal/sqlstore"
	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
)

// sizeStore notes the most events each background write carried.
type sizeStore struct {
	ingest.Store
	mu      sync.Mutex
	largest map[string]int
}

func (s *sizeStore) note(what string, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.largest[what] = max(s.largest[what], n)
}

func (s *sizeStore) SaveOutcomes(ctx context.Context, tenantID string, outs []ingest.Outcome, jobs []jobargs.Args) error {
	s.note("SaveOutcomes", len(outs))
	return s.Store.SaveOutcomes(ctx, tenantID, outs, jobs)
}

func (s *sizeStore) MarkArchived(ctx context.Context, tenantID string, ids []string, at time.Time) error {
	s.note("MarkArchived", len(ids))
	return s.Store.MarkArchived(ctx, tenantID, ids, at)
}

func (s *sizeStore) MarkNormalizedArchived(ctx context.Context, tenantID string, evs []ingest.NormalizedEvent, at time.Time) error {
	s.note("MarkNormalizedArchived", len(evs))
	return s.Store.MarkNormalizedArchived(ctx, tenantID, evs, at)
}

// TestBackgroundWritesStayShort: normalizing and archiving a backlog
// writes it, on SQLite, in transactions of at most 100 events, so an
// accept waiting for the one writer waits for a short one; on PostgreSQL,
// where writers run side by side, each round in one transaction. The
// normalized events are archived before they are stored and stored
// archived (no archive record after). Every event still ends normalized
// and archived, raw and normalized.
func TestBackgroundWritesStayShort(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		f.setUpRules(t)
		v, err := f.svc.KeyVendor(ctx, f.sender)
		if err != nil {
			t.Fatal(err)
		}
		const backlog = 450
		for b := range backlog / 150 {
			items := make([]string, 150)
			for i := range items {
				items[i] = string(envelope("vendorA", fmt.Sprint("bg-", b, "-", i), `{"sku":"ABC-001","qty":12,"warehouse":"ROA"}`))
			}
			if _, err := f.svc.AcceptBatch(ctx, v, []byte(`{"events":[`+strings.Join(items, ",")+`]}`)); err != nil {
				t.Fatal(err)
			}
		}
		sizes := &sizeStore{Store: f.svc.Store, largest: map[string]int{}}
		f.svc.Store = sizes
		// The archiver first (no normalization pass runs), then the
		// normalizer, which finds the raw bytes archived.
		if n, err := f.svc.Archive(ctx, f.vendor.TenantID); err != nil || n != backlog {
			t.Fatalf("Archive = %d, %v; want %d", n, err, backlog)
		}
		if n, err := f.svc.Normalize(ctx, f.vendor.TenantID); err != nil || n != backlog {
			t.Fatalf("Normalize = %d, %v; want %d", n, err, backlog)
		}
		// The archiver reads 200 events a round; the backlog is one round
		// of normalization.
		want := map[string]int{"SaveOutcomes": 100, "MarkArchived": 100, "MarkNormalizedArchived": 0}
		if db.Dialect == sqlstore.Postgres {
			want["SaveOutcomes"], want["MarkArchived"] = backlog, 200
		}
		for what, n := range want {
			if got := sizes.largest[what]; got != n {
				t.Errorf("%s wrote at most %d events in one transaction, want %d", what, got, n)
			}
		}
		counts, err := db.CountIngestEvents(ctx, f.vendor.TenantID, f.vendor.VendorID)
		if err != nil || counts[ingest.Normalized] != backlog {
			t.Fatalf("counts %v, %v; want %d normalized", counts, err, backlog)
		}
		if left, err := db.UnarchivedEvents(ctx, f.vendor.TenantID, 10); err != nil || len(left) != 0 {
			t.Fatalf("%d raw events left unarchived, %v", len(left), err)
		}
		if left, err := db.UnarchivedNormalized(ctx, f.vendor.TenantID, 10); err != nil || len(left) != 0 {
			t.Fatalf("%d normalized events left unarchived, %v", len(left), err)
		}
	})
}

// rawDown is a blob store refusing raw objects, as a full disk would.
type rawDown struct{ ingest.Blobs }

func (b rawDown) Put(ctx context.Context, key string, r io.Reader) (blob.Object, error) {
	if strings.HasPrefix(key, "raw/") {
		return blob.Object{}, errors.New("no space left on device")
	}
	return b.Blobs.Put(ctx, key, r)
}

// TestNormalizeArchivesRawBytes: a normalization pass archives the raw
// bytes of the events it normalizes and records both in one write (no
// separate archive record); events whose bytes it could not archive are
// left to the archiver, which takes them once normalized.
func TestNormalizeArchivesRawBytes(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		f.setUpRules(t)
		var ids []string
		for i := range 3 {
			ids = append(ids, f.mustAccept(t, envelope("vendorA", fmt.Sprint("raw-", i), `{"sku":"ABC-001","qty":12,"warehouse":"ROA"}`)))
		}
		sizes := &sizeStore{Store: f.svc.Store, largest: map[string]int{}}
		f.svc.Store = sizes
		if n, err := f.svc.Normalize(ctx, f.vendor.TenantID); err != nil || n != 3 {
			t.Fatalf("Normalize = %d, %v; want 3", n, err)
		}
		if got := sizes.largest["MarkArchived"]; got != 0 {
			t.Errorf("MarkArchived recorded %d events; want the outcomes to record them", got)
		}
		for _, id := range ids {
			e := f.event(t, id)
			if e.Status != ingest.Normalized || e.ArchivedAt == nil {
				t.Fatalf("%s: status %s, archived %v; want NORMALIZED and archived", id, e.Status, e.ArchivedAt)
			}
			rc, err := f.blobs.Get(ctx, e.RawRef.Key)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(rc)
			rc.Close()
			if want := envelope("vendorA", e.ExternalEventID, `{"sku":"ABC-001","qty":12,"warehouse":"ROA"}`); string(b) != string(want) {
				t.Fatalf("%s archived as %s", id, b)
			}
		}

		// The blob store refuses raw objects: normalizing goes on, and
		// the archiver takes the normalized events once it can write.
		late := f.mustAccept(t, envelope("vendorA", "raw-late", `{"sku":"ABC-001","qty":12,"warehouse":"ROA"}`))
		f.svc.Blobs = rawDown{f.blobs}
		if n, err := f.svc.Normalize(ctx, f.vendor.TenantID); err != nil || n != 1 {
			t.Fatalf("Normalize with raw objects refused = %d, %v; want 1", n, err)
		}
		if e := f.event(t, late); e.Status != ingest.Normalized || e.ArchivedAt != nil {
			t.Fatalf("status %s, archived %v; want NORMALIZED, not archived", e.Status, e.ArchivedAt)
		}
		if taken, err := db.UnarchivedTaken(ctx, f.vendor.TenantID, 10); err != nil || len(taken) != 1 || taken[0].ID != late {
			t.Fatalf("UnarchivedTaken = %v, %v; want %s", taken, err, late)
		}
		f.svc.Blobs = f.blobs
		if n, err := f.svc.Archive(ctx, f.vendor.TenantID); err != nil || n != 1 {
			t.Fatalf("Archive = %d, %v; want 1", n, err)
		}
		if e := f.event(t, late); e.ArchivedAt == nil {
			t.Fatal("the archiver left the event unarchived")
		}
	})
}

// TestUnarchivedTakenLeavesReceived: the archiver's view while a
// normalization pass runs leaves out the events still RECEIVED.
func TestUnarchivedTakenLeavesReceived(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		id := f.mustAccept(t, envelope("vendorA", "recv-1", `{"sku":"ABC-001","qty":12,"warehouse":"ROA"}`))
		if taken, err := db.UnarchivedTaken(ctx, f.vendor.TenantID, 10); err != nil || len(taken) != 0 {
			t.Fatalf("UnarchivedTaken = %v, %v; want none (the event is RECEIVED)", taken, err)
		}
		if all, err := db.UnarchivedEvents(ctx, f.vendor.TenantID, 10); err != nil || len(all) != 1 || all[0].ID != id {
			t.Fatalf("UnarchivedEvents = %v, %v; want %s", all, err, id)
		}
	})
}

package ingest_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

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
// writes it in transactions of at most 100 events, so an accept waiting
// for SQLite's one writer waits for a short one; every event still ends
// normalized and archived, raw and normalized.
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
		if n, err := f.svc.Normalize(ctx, f.vendor.TenantID); err != nil || n != backlog {
			t.Fatalf("Normalize = %d, %v; want %d", n, err, backlog)
		}
		if n, err := f.svc.Archive(ctx, f.vendor.TenantID); err != nil || n != backlog {
			t.Fatalf("Archive = %d, %v; want %d", n, err, backlog)
		}
		for _, what := range []string{"SaveOutcomes", "MarkArchived", "MarkNormalizedArchived"} {
			if got := sizes.largest[what]; got == 0 || got > 100 {
				t.Errorf("%s wrote %d events in one transaction, want 1 to 100", what, got)
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

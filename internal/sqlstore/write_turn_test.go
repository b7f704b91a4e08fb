package sqlstore_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/oklog/ulid/v2"

	"github.com/vendorsync/vendorsync/internal/ingest"
	"github.com/vendorsync/vendorsync/internal/registry"
	"github.com/vendorsync/vendorsync/internal/sqlstore"
	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
)

// TestAcceptsWriteBeforeWaitingBackgroundWork: an accept waits for at most
// the background transaction under way. On SQLite (one writer) it commits
// before every background transaction that queued before it; on
// PostgreSQL it does not wait at all.
func TestAcceptsWriteBeforeWaitingBackgroundWork(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		f := newRegFixture(t, db)
		v := f.vendor(t, f.a, "Vendor A", registry.Tier2)
		now := time.Now().UTC().Truncate(time.Microsecond)
		for round := range 3 {
			ev := ingest.Event{ID: ulid.Make().String(), TenantID: f.a.TenantID, VendorID: v.ID, VendorKey: "vendorA",
				ExternalEventID: "ev-" + string(rune('a'+round)), EventType: "inventory_update", OccurredAt: now, ReceivedAt: now,
				Channel: ingest.ChannelAPI, PayloadSHA256: "p", RawRef: ingest.RawRef{Key: "raw/k", SHA256: "r"}, Raw: []byte(`{}`),
				Status: ingest.Received}
			holding, release := make(chan struct{}), make(chan struct{})
			var wg sync.WaitGroup
			wg.Go(func() {
				if err := db.InTx(ctx, func(*sqlstore.Tx) error { close(holding); <-release; return nil }); err != nil {
					t.Error(err)
				}
			})
			<-holding
			const background = 4
			saw := make([]int, background)
			for i := range background {
				wg.Go(func() {
					if err := db.InTx(ctx, func(tx *sqlstore.Tx) error {
						return tx.SQL().QueryRowContext(ctx, bind(db.Dialect, `SELECT count(*) FROM ingest_events WHERE id = ?`), ev.ID).Scan(&saw[i])
					}); err != nil {
						t.Error(err)
					}
				})
			}
			waitFor(t, db, background)
			accepted := make(chan error, 1)
			go func() {
				_, err := db.AcceptEvents(ctx, []ingest.Event{ev}, nil)
				accepted <- err
			}()
			if db.Dialect == sqlstore.Postgres {
				// Concurrent writers: the accept commits while the
				// background transaction is open.
				if err := <-accepted; err != nil {
					t.Fatal(err)
				}
				close(release)
				wg.Wait()
				continue
			}
			waitFor(t, db, background+1)
			close(release)
			wg.Wait()
			if err := <-accepted; err != nil {
				t.Fatal(err)
			}
			for i, n := range saw {
				if n != 1 {
					t.Fatalf("round %d: background transaction %d, queued before the accept, ran before it", round, i)
				}
			}
		}
	})
}

// waitFor waits until n transactions wait for SQLite's write connection
// (on PostgreSQL none ever waits).
func waitFor(t *testing.T, db *sqlstore.DB, n int) {
	t.Helper()
	if db.Dialect == sqlstore.Postgres {
		return
	}
	for db.WritesWaiting() < n {
		time.Sleep(time.Millisecond)
	}
}

package link_test

import (
	"context"
	"testing"

	"github.com/vendorsync/vendorsync/internal/sqlstore"
	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
	"github.com/vendorsync/vendorsync/internal/ticket"
	"github.com/vendorsync/vendorsync/internal/tracker/jira"
	"github.com/vendorsync/vendorsync/internal/tracker/jira/jiratest"
)

// failLinkWrites makes the database itself refuse every write to the link
// with id, as a full disk or a broken constraint would, until lift is
// called. It is a trigger, so the store's code runs unchanged.
func failLinkWrites(t testing.TB, db *sqlstore.DB, id string) (lift func()) {
	t.Helper()
	create := []string{`CREATE TRIGGER fail_link_write BEFORE UPDATE ON ticket_tracker_links WHEN OLD.id = '` + id +
		`' BEGIN SELECT RAISE(ABORT, 'injected write failure'); END`}
	drop := []string{`DROP TRIGGER fail_link_write`}
	if db.Dialect == sqlstore.Postgres {
		create = []string{
			`CREATE FUNCTION fail_link_write() RETURNS trigger LANGUAGE plpgsql AS $$
				BEGIN RAISE EXCEPTION 'injected write failure'; END $$`,
			`CREATE TRIGGER fail_link_write BEFORE UPDATE ON ticket_tracker_links FOR EACH ROW
				WHEN (OLD.id = '` + id + `') EXECUTE FUNCTION fail_link_write()`,
		}
		drop = []string{`DROP TRIGGER fail_link_write ON ticket_tracker_links`, `DROP FUNCTION fail_link_write()`}
	}
	exec := func(stmts []string) {
		t.Helper()
		for _, q := range stmts {
			if _, err := db.WritePool().ExecContext(context.Background(), q); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
	}
	exec(create)
	return func() { exec(drop) }
}

// syncedLinks counts the tickets' links a sync has written, by their ids.
func (f *fixture) syncedLinks(t testing.TB, tks []ticket.Ticket) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	for _, tk := range tks {
		links, err := f.db.TicketTrackerLinks(context.Background(), f.tenant, tk.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range links {
			if l.LastSyncedAt != nil {
				out[l.ID] = true
			}
		}
	}
	return out
}

// TestSyncStopsAtADatabaseError: once writing a chunk's answer fails, no
// further chunk is searched and no answer is written; the chunks written
// before stay written, and the next sync, with the database back, writes
// the rest.
func TestSyncStopsAtADatabaseError(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		f := newFixture(t, db, jira.Cloud)
		f.svc.SearchConcurrency = 1
		tks := f.linkedTickets(t, 40, 10) // 400 links: four chunks of 100
		items, err := db.TrackerSyncItems(ctx, f.tenant, "")
		if err != nil || len(items) != 400 {
			t.Fatalf("%d sync items, err %v", len(items), err)
		}
		lift := failLinkWrites(t, db, items[150].LinkID) // in the second chunk
		before := f.jira.Requests(jiratest.RouteSearch)
		res, err := f.svc.Sync(ctx, f.tenant)
		if err == nil {
			t.Fatalf("sync with a failing database: no error (%+v)", res)
		}
		if n := f.jira.Requests(jiratest.RouteSearch) - before; res.Searches != 2 || n != 2 {
			t.Errorf("%d searches counted, %d made; want 2: none after the failed write", res.Searches, n)
		}
		synced := f.syncedLinks(t, tks)
		if len(synced) != 100 {
			t.Errorf("%d links written, want the first chunk's 100", len(synced))
		}
		for _, it := range items[:100] {
			if !synced[it.LinkID] {
				t.Fatalf("link %s of the first chunk was not written", it.LinkID)
			}
		}

		lift()
		if res := f.sync(t); res.Links != 400 || res.Searches != 4 || res.Changed != 300 {
			t.Errorf("sync after the database is back: %+v", res)
		}
		if n := len(f.syncedLinks(t, tks)); n != 400 {
			t.Errorf("%d links written after the retry, want 400", n)
		}
	})
}

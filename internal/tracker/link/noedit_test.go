package link_test

import (
	"context"
	"strings"
	"testing"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/sqlstore"
	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
	"github.com/vendorsync/vendorsync/internal/tracker"
	"github.com/vendorsync/vendorsync/internal/tracker/gitea"
	"github.com/vendorsync/vendorsync/internal/tracker/link"
)

// readOnly is a provider without UpdateFields: a tracker that takes no
// edits from VendorSync.
type readOnly struct{ tracker.Provider }

// readOnlyRegistry is testRegistry whose kinds' providers take no edits.
func readOnlyRegistry() *tracker.Registry {
	r := testRegistry()
	var fs []tracker.Factory
	for _, k := range r.Kinds() {
		f, _ := r.Lookup(k)
		build := f.New
		f.New = func(s tracker.Settings) (tracker.Provider, error) {
			p, err := build(s)
			return readOnly{p}, err
		}
		fs = append(fs, f)
	}
	return tracker.NewRegistry(fs...)
}

// TestEditRefusedWhereTheTrackerTakesNone: an edit of an issue whose
// tracker's provider cannot update issues is refused as invalid before
// anything is written; the mirror and the outbox stay as they were.
func TestEditRefusedWhereTheTrackerTakesNone(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		f, _, linkID, _ := pollFixture(t, db, gitea.Kind, 0)
		conn := f.connID(t)
		if _, err := f.svc.Poll(ctx, f.tenant, conn); err != nil {
			t.Fatal(err)
		}
		ro := &link.Service{Store: db, Hooks: db, Tickets: f.tickets, Providers: readOnlyRegistry(), Now: f.clock.now}
		if !f.svc.AcceptsEdits(ctx, f.tenant, conn) || ro.AcceptsEdits(ctx, f.tenant, conn) {
			t.Fatal("AcceptsEdits does not follow the provider")
		}
		before, err := db.TrackerMirror(ctx, f.tenant, linkID)
		if err != nil {
			t.Fatal(err)
		}
		_, err = ro.EditIssue(ctx, f.admin, linkID, link.IssueEdit{Title: ptr("Ours")})
		if !apperr.Is(err, apperr.Invalid) || !strings.Contains(apperr.MessageOf(err), "does not accept edits from VendorSync") {
			t.Fatalf("edit: %v", err)
		}
		after, err := db.TrackerMirror(ctx, f.tenant, linkID)
		if err != nil || after.Revision != before.Revision || after.Title != before.Title {
			t.Errorf("mirror after the refused edit: %+v %v", after, err)
		}
		if ob, _, err := ro.Outbox(ctx, f.admin, link.OutboxFilter{LinkID: linkID, Limit: 10}); err != nil || len(ob) != 0 {
			t.Errorf("outbox: %+v %v", ob, err)
		}
		if _, err := f.svc.EditIssue(ctx, f.admin, linkID, link.IssueEdit{Title: ptr("Ours")}); err != nil {
			t.Errorf("edit where the tracker takes edits: %v", err)
		}
	})
}

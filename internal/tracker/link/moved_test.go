package link_test

import (
	"context"
	"testing"

	"github.com/vendorsync/vendorsync/internal/sqlstore"
	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
	"github.com/vendorsync/vendorsync/internal/tracker"
	"github.com/vendorsync/vendorsync/internal/tracker/jira"
)

// TestSyncFollowsMovedIssue: an issue moved to another Jira project keeps
// its link, which takes the new key (audited), instead of being reported
// missing; comments then go to the new key.
func TestSyncFollowsMovedIssue(t *testing.T) {
	for _, flavor := range []jira.Flavor{jira.Cloud, jira.Server} {
		t.Run(string(flavor), func(t *testing.T) {
			storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
				ctx := context.Background()
				f := newFixture(t, db, flavor)
				pay := f.app(t, "PaymentService "+string(flavor), true)
				tk := f.ticket(t, pay)
				old := f.jira.Seed("PAY", 1)[0]
				f.markCreated(t, tk, []string{old})
				moved := f.jira.Move(old, "OPS")
				res := f.sync(t)
				if res.Missing != 0 || res.Rekeyed != 1 {
					t.Fatalf("sync = %+v; want the moved issue followed, not missing", res)
				}
				l := f.link(t, tk, pay)
				if l.IssueKey != moved || l.IssueURL != f.jira.URL+"/browse/"+moved || l.LastError != "" || l.StatusName != "To Do" {
					t.Errorf("link after the move: key %q url %q error %q status %q; want %s", l.IssueKey, l.IssueURL, l.LastError, l.StatusName, moved)
				}
				if got := f.actions(t, "tracker_link.rekey"); len(got) != 1 {
					t.Errorf("rekey audit rows: %v", got)
				}
				if res := f.sync(t); res.Rekeyed != 0 || res.Missing != 0 {
					t.Errorf("second sync = %+v; want nothing left to re-key", res)
				}
				body := tracker.Document{Paragraphs: []tracker.Paragraph{{Text: "Effective in 7 days."}}}
				if err := f.svc.Comment(ctx, f.tenant, moved, body, "d7"); err != nil {
					t.Fatalf("comment on the new key: %v", err)
				}
				if n := len(f.jira.Comments(moved)); n != 1 {
					t.Errorf("%d comments on %s, want 1", n, moved)
				}
			})
		})
	}
}

package link_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/sqlstore"
	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
	"github.com/vendorsync/vendorsync/internal/tracker"
	"github.com/vendorsync/vendorsync/internal/tracker/jira"
	"github.com/vendorsync/vendorsync/internal/tracker/jira/jiratest"
	"github.com/vendorsync/vendorsync/internal/tracker/link"
)

// fields lists the fields an error names.
func fields(err error) []string {
	var out []string
	for _, fe := range apperr.FieldsOf(err) {
		out = append(out, fe.Field)
	}
	return out
}

// TestConnectionKinds: a connection is saved by kind, checked by its
// kind's rules, and keeps only the settings its kind signs in with.
func TestConnectionKinds(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		f := newFixture(t, db, jira.Cloud)
		c, err := f.svc.Connection(ctx, f.admin)
		if err != nil || c.Kind != jira.KindCloud || c.Provider != "jira" || c.Username != jiratest.Email || !c.TokenSet {
			t.Fatalf("saved connection: %+v %v", c, err)
		}
		cases := []struct {
			name string
			in   link.Input
			want []string
		}{
			{"no kind", link.Input{BaseURL: f.jira.URL, Token: "t"}, []string{"kind"}},
			{"a kind nobody registered", link.Input{Kind: "youtrack", BaseURL: f.jira.URL, Token: "t"}, []string{"kind"}},
			{"cloud without its account", link.Input{Kind: jira.KindCloud, BaseURL: f.jira.URL}, []string{"username"}},
			{"another kind needs the token again", link.Input{Kind: jira.KindServer, BaseURL: f.jira.URL}, []string{"token"}},
		}
		for _, tc := range cases {
			_, err := f.svc.SaveConnection(ctx, f.admin, tc.in)
			if diff := cmp.Diff(tc.want, fields(err)); diff != "" {
				t.Errorf("%s: fields (-want +got):\n%s", tc.name, diff)
			}
		}
		c, err = f.svc.SaveConnection(ctx, f.admin, link.Input{Kind: jira.KindServer, BaseURL: f.jira.URL,
			Username: "ignored@example.com", Token: jiratest.PAT})
		if err != nil || c.Kind != jira.KindServer || c.Username != "" {
			t.Fatalf("server connection: %+v %v (a personal access token signs in alone)", c, err)
		}
		if res, err := f.svc.TestConnection(ctx, f.admin, ""); err != nil || !res.OK {
			t.Errorf("test of the server connection: %+v %v", res, err)
		}
	})
}

// TestConnectionOfAnUnregisteredKind: a stored connection whose kind the
// program does not register (an older binary, say) is not connected:
// links wait, and the test says why.
func TestConnectionOfAnUnregisteredKind(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		f := newFixture(t, db, jira.Server)
		cloudOnly := &link.Service{Store: db, Tickets: f.tickets, Now: f.clock.now,
			Providers: tracker.NewRegistry(jira.Factories(jira.Options{})[0])}
		if _, err := cloudOnly.TestConnection(ctx, f.admin, ""); !apperr.Is(err, apperr.Conflict) ||
			!strings.Contains(apperr.MessageOf(err), `"jira_server"`) {
			t.Errorf("test: %v", err)
		}
		pay := f.app(t, "PaymentService", true)
		tk := f.ticket(t, pay)
		res, err := cloudOnly.CreateIssue(ctx, f.tenant, tk.ID, pay.ID)
		if err != nil || res.Link.SyncStatus != link.Pending || !strings.Contains(res.Link.LastError, "does not support") {
			t.Errorf("attempt: %+v %v", res.Link, err)
		}
		if n := len(f.jira.Received()); n != 0 {
			t.Errorf("%d requests reached Jira", n)
		}
	})
}

// TestLinksFollowTheConnection: a link written before any tracker is
// connected names none; connecting one gives it the tracker, and its issue
// is created there.
func TestLinksFollowTheConnection(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		f := newUnconnectedFixture(t, db, jira.Cloud)
		pay := f.app(t, "PaymentService", true)
		tk := f.ticket(t, pay)
		if l := f.link(t, tk, pay); l.Provider != "" {
			t.Errorf("link before connecting names %q", l.Provider)
		}
		if l := f.attempt(t, tk, pay).Link; l.SyncStatus != link.Pending || !strings.Contains(l.LastError, "no issue tracker is connected") {
			t.Errorf("attempt before connecting: %+v", l)
		}
		f.connect(t)
		if l := f.link(t, tk, pay); l.Provider != "jira" {
			t.Errorf("link after connecting names %q", l.Provider)
		}
		if l := f.attempt(t, tk, pay).Link; l.SyncStatus != link.Created || l.Provider != "jira" {
			t.Errorf("after connecting: %+v", l)
		}
	})
}

// TestCommentGoesThroughTheIssuesLink: a comment is posted on a linked
// issue by its link's tracker, once per reference even when Jira stored
// it but answered too late; an issue no link has is not found, and no
// request is made.
func TestCommentGoesThroughTheIssuesLink(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		f := newFixture(t, db, jira.Cloud)
		pay := f.app(t, "PaymentService", true)
		key := f.attempt(t, f.ticket(t, pay), pay).Link.IssueKey
		body := tracker.Document{Paragraphs: []tracker.Paragraph{{Text: "Effective in 7 days."}}}
		if err := f.svc.Comment(ctx, f.tenant, key, body, ""); err != nil {
			t.Fatal(err)
		}
		if n := len(f.jira.Comments(key)); n != 1 {
			t.Errorf("%d comments on %s, want 1", n, key)
		}
		// Jira stores a comment but answers too late: the retry finds it
		// by its reference and does not post it twice.
		f.jira.Inject(jiratest.RouteComment, jiratest.TimeoutAfterCommit(3*time.Second))
		ref := "t/d7/tracker_comment/" + key
		if err := f.svc.Comment(ctx, f.tenant, key, body, ref); err == nil {
			t.Fatal("the stalled comment succeeded; want a timeout")
		}
		if err := f.svc.Comment(ctx, f.tenant, key, body, ref); err != nil {
			t.Fatalf("retry of the stalled comment: %v", err)
		}
		if n := len(f.jira.Comments(key)); n != 2 {
			t.Errorf("%d comments on %s after a stalled comment and its retry, want 2", n, key)
		}
		before := len(f.jira.Received())
		if err := f.svc.Comment(ctx, f.tenant, "PAY-999", body, ""); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("comment on an issue no link has: %v", err)
		}
		if len(f.jira.Received()) != before {
			t.Error("a comment on an unlinked issue reached Jira")
		}
	})
}

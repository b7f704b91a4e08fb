package dispatch_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/httpx"
	"github.com/vendorsync/vendorsync/internal/jobargs"
	"github.com/vendorsync/vendorsync/internal/notify"
	"github.com/vendorsync/vendorsync/internal/notify/dispatch"
	"github.com/vendorsync/vendorsync/internal/notify/dispatch/dispatchtest"
	"github.com/vendorsync/vendorsync/internal/notify/email/smtptest"
	"github.com/vendorsync/vendorsync/internal/registry"
	"github.com/vendorsync/vendorsync/internal/sqlstore"
	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
	"github.com/vendorsync/vendorsync/internal/ticket"
)

// start is a Monday morning.
var start = time.Date(2027, 4, 5, 10, 0, 0, 0, time.UTC)

// targets lists the log's entries as "channel target", sorted.
func targets(es []dispatch.LogEntry) []string {
	var out []string
	for _, e := range es {
		out = append(out, string(e.Channel)+" "+e.Target)
	}
	slices.Sort(out)
	return out
}

// TestTicketCreatedFanOut plans a new ticket's notifications by severity
// from the job committed with it: the team's channel, the owners' DMs and
// emails (the team mailbox by email only) and PagerDuty for critical ones;
// planning again adds nothing; every delivery then reaches its fake.
func TestTicketCreatedFanOut(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		for _, tc := range []struct {
			sev  registry.Severity
			want []string
		}{
			{registry.SeverityLow, []string{"slack_channel #payments-changes"}},
			{registry.SeverityMedium, []string{"email olga@acme.test", "email payments@acme.test", "slack_channel #payments-changes"}},
			{registry.SeverityHigh, []string{"email olga@acme.test", "email payments@acme.test", "slack_channel #payments-changes",
				"slack_dm U0OLGA"}},
			{registry.SeverityCritical, []string{"email olga@acme.test", "email payments@acme.test", "pagerduty on-call",
				"slack_channel #payments-changes", "slack_dm U0OLGA"}},
		} {
			t.Run(string(tc.sev), func(t *testing.T) {
				f := dispatchtest.New(t, storetest.Open(t, db.Dialect), start)
				tk := f.Ticket(t, tc.sev, 14)
				if n := f.RunPlanJobs(t); n != 1 {
					t.Fatalf("%d plan jobs committed with the ticket, want 1", n)
				}
				if diff := cmp.Diff(tc.want, targets(f.Log(t))); diff != "" {
					t.Errorf("deliveries (-want +got):\n%s", diff)
				}
				// Planning the same event again (a retried plan job) adds nothing.
				n, err := f.Notify.PlanEvent(context.Background(), f.Tenant, notify.Event{Kind: notify.KindTicketCreated, Subject: tk.ID}, nil)
				if err != nil || n != 0 {
					t.Fatalf("second plan: %d added, %v", n, err)
				}
				for key, res := range f.DeliverQueued(t, false) {
					if res.Status != dispatch.Sent {
						t.Errorf("%s: %s %v", key, res.Status, res.Err)
					}
				}
				for _, e := range f.Log(t) {
					if e.Status != dispatch.Sent || e.Attempts != 1 || e.SentAt == nil || e.ProviderRef == "" || e.TicketKey != tk.Key() {
						t.Errorf("entry %+v", e)
					}
				}
				emails := 0
				for _, w := range tc.want {
					if strings.HasPrefix(w, "email ") {
						emails++
					}
				}
				if got, want := len(f.SMTP.Messages()), emails; got != want {
					t.Errorf("%d emails, want %d", got, want)
				}
				if tc.sev == registry.SeverityCritical && len(f.PD.Events()) != 1 {
					t.Errorf("%d pages, want 1", len(f.PD.Events()))
				}
			})
		}
	})
}

// TestOneChannelDown stops the mail server: Slack and PagerDuty deliver
// while the emails fail as retryable and stay queued; when the server is
// back, their retry delivers them. A Slack DM to someone Slack does not
// know fails for good and is not retried, until an admin replays it.
func TestOneChannelDown(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		f := dispatchtest.New(t, db, start)
		f.Ticket(t, registry.SeverityCritical, 14)
		f.RunPlanJobs(t)
		if err := f.SMTP.Close(); err != nil {
			t.Fatal(err)
		}
		for key, res := range f.DeliverQueued(t, false) {
			e := entry(t, f, key)
			switch {
			case e.Channel == notify.ChannelEmail:
				if res.Status != dispatch.Queued || res.Err == nil || !httpx.IsTemporary(res.Err) || e.LastError == "" {
					t.Errorf("%s with the mail server down: %s %v, entry %+v", key, res.Status, res.Err, e)
				}
			case res.Status != dispatch.Sent:
				t.Errorf("%s: %s %v while only mail is down", key, res.Status, res.Err)
			}
		}
		if len(f.PD.Events()) != 1 || len(f.Slack.Calls()) == 0 {
			t.Fatalf("other channels did not deliver: %d pages, %d slack calls", len(f.PD.Events()), len(f.Slack.Calls()))
		}
		back := smtptestAt(t, f)
		for key, res := range f.DeliverQueued(t, false) {
			if res.Status != dispatch.Sent {
				t.Errorf("%s after the mail server came back: %s %v", key, res.Status, res.Err)
			}
			if e := entry(t, f, key); e.Attempts != 2 || e.LastError != "" {
				t.Errorf("%s: %d attempts, last error %q", key, e.Attempts, e.LastError)
			}
		}
		if n := len(back.Messages()); n != 2 {
			t.Errorf("%d emails delivered after the retry, want 2", n)
		}

		t.Run("a permanent failure is not retried until replayed", func(t *testing.T) {
			snap := notify.NewTestSnapshot("", "", start)
			e := dispatch.LogEntry{ID: "01900000-0000-7000-8000-00000000dead", TenantID: f.Tenant, Kind: notify.KindTest,
				Subject: "x", Channel: notify.ChannelSlackDM, Target: "nobody@acme.test", DedupKey: "x/slack_dm/nobody",
				Status: dispatch.Queued, Snapshot: snap, CreatedAt: start, UpdatedAt: start}
			if _, err := f.DB.PlanNotifications(ctx, []dispatch.LogEntry{e}, func(dispatch.LogEntry) jobargs.Args { return nil }); err != nil {
				t.Fatal(err)
			}
			res, err := f.Notify.Deliver(ctx, f.Tenant, e.ID, false)
			if err != nil || res.Status != dispatch.Failed || httpx.IsTemporary(res.Err) {
				t.Fatalf("deliver: %+v, %v", res, err)
			}
			if _, err := f.Notify.Replay(ctx, f.Admin, e.ID); err != nil {
				t.Fatal(err)
			}
			if got := entry(t, f, e.DedupKey); got.Status != dispatch.Queued {
				t.Errorf("after replay: %s", got.Status)
			}
			if _, err := f.Notify.Replay(ctx, f.Admin, e.ID); err == nil {
				t.Error("a queued entry was replayed again")
			}
		})
	})
}

// smtptestAt brings the fixture's stopped mail server back on its address.
func smtptestAt(t *testing.T, f *dispatchtest.Fixture) *smtptest.Server {
	t.Helper()
	return smtptest.NewAt(t, smtptest.Plain, f.SMTP.Addr)
}

// entry returns the log entry with dedup key key.
func entry(t *testing.T, f *dispatchtest.Fixture, key string) dispatch.LogEntry {
	t.Helper()
	for _, e := range f.Log(t) {
		if e.DedupKey == key {
			return e
		}
	}
	t.Fatalf("no entry %s", key)
	return dispatch.LogEntry{}
}

// TestEveryAffectedTeamHears: a ticket that affects applications of two
// teams notifies the members of both, not only the owner team's.
func TestEveryAffectedTeamHears(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		f := dispatchtest.New(t, db, start)
		risk, err := f.Auth.CreateTeam(ctx, f.Admin, auth.TeamInput{Name: "Risk", ManagerEmail: "rita@acme.test"})
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := f.Auth.CreateUser(ctx, f.Admin, auth.NewUser{Email: "ray@acme.test", Name: "Ray", Role: auth.RoleOwner,
			TeamIDs: []string{risk.ID}, SlackUserID: "U0RAY"}); err != nil {
			t.Fatal(err)
		}
		app, err := (&registry.Service{Store: db}).CreateApplication(ctx, f.Admin, registry.Application{Name: "RiskEngine",
			Description: "Scores card payments.", OwnerTeamID: risk.ID})
		if err != nil {
			t.Fatal(err)
		}
		_, err = f.Tickets.Create(ctx, f.Admin, ticket.Draft{VendorID: f.Vendor.ID, Topic: "URL endpoint change",
			Summary: "Visa moves its authorization endpoint.", Severity: registry.SeverityHigh, SLADays: 14,
			OwnerTeamID: f.Team.ID, ApplicationIDs: []string{f.App.ID, app.ID}})
		if err != nil {
			t.Fatal(err)
		}
		f.RunPlanJobs(t)
		want := []string{"email olga@acme.test", "email payments@acme.test", "email ray@acme.test", "slack_channel #payments-changes",
			"slack_dm U0OLGA", "slack_dm U0RAY"}
		if diff := cmp.Diff(want, targets(f.Log(t))); diff != "" {
			t.Errorf("deliveries (-want +got):\n%s", diff)
		}
	})
}

// TestAffectedTeamMailboxIsEmailed: the mailbox of an affected
// application's team (not the owner team) is emailed and never looked up
// in Slack as if it were a person.
func TestAffectedTeamMailboxIsEmailed(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		f := dispatchtest.New(t, db, start)
		risk, err := f.Auth.CreateTeam(ctx, f.Admin, auth.TeamInput{Name: "Risk", Email: "risk@acme.test"})
		if err != nil {
			t.Fatal(err)
		}
		app, err := (&registry.Service{Store: db}).CreateApplication(ctx, f.Admin, registry.Application{Name: "RiskEngine",
			Description: "Scores card payments.", OwnerTeamID: risk.ID})
		if err != nil {
			t.Fatal(err)
		}
		_, err = f.Tickets.Create(ctx, f.Admin, ticket.Draft{VendorID: f.Vendor.ID, Topic: "URL endpoint change",
			Summary: "Visa moves its authorization endpoint.", Severity: registry.SeverityHigh, SLADays: 14,
			OwnerTeamID: f.Team.ID, ApplicationIDs: []string{f.App.ID, app.ID}})
		if err != nil {
			t.Fatal(err)
		}
		f.RunPlanJobs(t)
		want := []string{"email olga@acme.test", "email payments@acme.test", "email risk@acme.test",
			"slack_channel #payments-changes", "slack_dm U0OLGA"}
		if diff := cmp.Diff(want, targets(f.Log(t))); diff != "" {
			t.Errorf("deliveries (-want +got):\n%s", diff)
		}
	})
}

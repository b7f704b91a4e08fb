package dispatch_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/audit"
	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/ingest"
	"github.com/vendorsync/vendorsync/internal/notify"
	"github.com/vendorsync/vendorsync/internal/notify/dispatch"
	"github.com/vendorsync/vendorsync/internal/notify/dispatch/dispatchtest"
	"github.com/vendorsync/vendorsync/internal/registry"
	"github.com/vendorsync/vendorsync/internal/sqlstore"
	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
	"github.com/vendorsync/vendorsync/internal/tracker/jira/jiratest"
	"github.com/vendorsync/vendorsync/internal/tracker/link"
)

// TestAdminAlerts sends each kind of admin alert twice: a tracker alert,
// an email from an unknown vendor, an account created at its first SSO
// sign-in and an ingest subscription disabled by its endpoint's 410 (each a
// consequence in the program's table). Each reaches the admins, or the
// triage channel, exactly once.
func TestAdminAlerts(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		f := dispatchtest.New(t, db, start)

		a := link.Alert{Kind: "tracker.issue_failed", Subject: "Jira issue not created for VS-0001 / PaymentService",
			Message: "Jira answered 400: project PAY does not exist.", LinkID: "l1", TicketID: "t1"}
		for range 2 {
			if err := db.EnqueueJobs(ctx, f.Notify.TrackerAlert(f.Tenant, a)); err != nil {
				t.Fatal(err)
			}
		}
		email := notify.EmailFacts{ID: "e1", From: "Unknown Co <news@unknown.example>", Subject: "We changed our API",
			ReceivedAt: start}
		for range 2 {
			if err := db.EnqueueJobs(ctx, f.Notify.UnknownVendor(f.Tenant, email)); err != nil {
				t.Fatal(err)
			}
		}
		id := auth.Identity{Subject: "okta|new", Email: "newbie@acme.test", Name: "New Bie"}
		for range 2 {
			if _, err := f.Auth.OIDCLogin(ctx, f.Tenant, id, auth.ProvisionPolicy{AutoProvision: true, DefaultRole: auth.RoleViewer}); err != nil {
				t.Fatal(err)
			}
		}
		gone := ingest.Disabled{Subscription: ingest.Subscription{ID: "s1", TenantID: f.Tenant, URL: "https://erp.example/hooks"},
			DeliveryID: "d1", AttemptID: "a1", Reason: "the endpoint answered 410 Gone at 2026-01-30T10:00:00Z"}
		for range 2 {
			if err := db.EnqueueJobs(ctx, f.Notify.IngestSubscriptionDisabled(gone)); err != nil {
				t.Fatal(err)
			}
		}
		// Two tracker-alert jobs, two unknown-vendor jobs, one provisioning
		// (the second sign-in is no first), two subscription alerts.
		if n := f.RunPlanJobs(t); n != 7 {
			t.Errorf("%d plan jobs, want 7", n)
		}
		got := map[notify.Kind][]string{}
		for _, e := range f.Log(t) {
			got[e.Kind] = append(got[e.Kind], string(e.Channel)+" "+e.Target)
		}
		want := map[notify.Kind][]string{
			notify.KindTrackerAlert:    {"slack_dm " + dispatchtest.AdminSlack, "email " + dispatchtest.AdminEmail},
			notify.KindUnknownVendor:   {"slack_channel " + dispatchtest.Triage, "email " + dispatchtest.AdminEmail},
			notify.KindUserProvisioned: {"slack_dm " + dispatchtest.AdminSlack, "email " + dispatchtest.AdminEmail},
			notify.KindIngestAlert:     {"slack_dm " + dispatchtest.AdminSlack, "email " + dispatchtest.AdminEmail},
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("alerts (-want +got):\n%s", diff)
		}
		for key, res := range f.DeliverQueued(t, false) {
			if res.Status != dispatch.Sent {
				t.Errorf("%s: %s %v", key, res.Status, res.Err)
			}
		}
		var subjects []string
		for _, m := range f.SMTP.Messages() {
			for _, line := range strings.Split(string(m.Data), "\r\n") {
				if s, ok := strings.CutPrefix(line, "Subject: "); ok {
					subjects = append(subjects, s)
				}
			}
		}
		for _, w := range []string{"Issue tracker alert", "Email from an unknown vendor", "New user signed in",
			"Ingest: subscription to https://erp.example/hooks"} {
			if !strings.Contains(strings.Join(subjects, "\n"), w) {
				t.Errorf("no email about %q among %q", w, subjects)
			}
		}

		t.Run("Jira refusing an issue and then the credentials alerts the admins", func(t *testing.T) {
			before := len(f.Log(t))
			f.Jira.Inject(jiratest.RouteCreate, jiratest.StatusFault(http.StatusBadRequest, 1))
			tk := f.Ticket(t, registry.SeverityLow, 14)
			if _, err := f.Links.CreateIssue(ctx, f.Tenant, tk.ID, f.App.ID); err != nil {
				t.Fatal(err)
			}
			f.Jira.Inject(jiratest.RouteCreate, jiratest.StatusFault(http.StatusUnauthorized, 1))
			tk2 := f.Ticket(t, registry.SeverityLow, 14)
			if _, err := f.Links.CreateIssue(ctx, f.Tenant, tk2.ID, f.App.ID); err != nil {
				t.Fatal(err)
			}
			f.RunPlanJobs(t) // the alerts committed with the outcomes
			var got []string
			for _, e := range f.Log(t)[before:] {
				if e.Kind == notify.KindTrackerAlert {
					got = append(got, e.Snapshot.Alert.Kind+" "+string(e.Channel))
				}
			}
			want := []string{"tracker.issue_failed slack_dm", "tracker.issue_failed email",
				"tracker.unauthorized slack_dm", "tracker.unauthorized email"}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("tracker alerts (-want +got):\n%s", diff)
			}
		})

		t.Run("the same failure another day alerts again", func(t *testing.T) {
			f.Clock.Advance(24 * time.Hour)
			before := len(f.Log(t))
			if err := db.EnqueueJobs(ctx, f.Notify.TrackerAlert(f.Tenant, a)); err != nil {
				t.Fatal(err)
			}
			f.RunPlanJobs(t)
			if n := len(f.Log(t)) - before; n != 2 {
				t.Errorf("%d new deliveries, want 2", n)
			}
		})
	})
}

// TestSettings saves channel settings: secrets are write-only (never in
// the settings or the audit log, kept when left empty), and invalid
// values are reported by field.
func TestSettings(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		f := dispatchtest.New(t, db, start)
		st, err := f.Notify.GetSettings(ctx, f.Admin)
		if err != nil {
			t.Fatal(err)
		}
		if !st.SlackTokenSet || !st.SMTPPasswordSet || !st.PagerDutyKeySet || st.WarRoomChannel != dispatchtest.WarRoom {
			t.Fatalf("settings %+v", st)
		}
		// Saving without the secrets keeps them.
		st2, err := f.Notify.SaveSettings(ctx, f.Admin, dispatch.Input{SlackEnabled: true, EmailEnabled: true, SMTPHost: "127.0.0.1",
			SMTPPort: f.SMTP.Port, SMTPTLS: "none", SMTPUsername: "vendorsync", SMTPFrom: "vs@acme.test", PagerDutyEnabled: true})
		if err != nil {
			t.Fatal(err)
		}
		if !st2.SlackTokenSet || !st2.SMTPPasswordSet || !st2.PagerDutyKeySet {
			t.Errorf("secrets lost: %+v", st2)
		}
		tok, err := db.NotificationSecret(ctx, f.Tenant, dispatch.SecretSlackToken)
		if err != nil || string(tok) != "xoxb-test-token" {
			t.Errorf("stored token %q, %v", tok, err)
		}
		entries, _, err := db.ListAudit(ctx, f.Tenant, audit.Filter{Limit: 500})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			for _, s := range []string{"xoxb-test-token", dispatchtest.RoutingKey, "s3cret"} {
				if strings.Contains(e.Before+e.After, s) {
					t.Errorf("audit row %s holds a secret", e.Action)
				}
			}
		}

		_, err = f.Notify.SaveSettings(ctx, f.Admin, dispatch.Input{EmailEnabled: true, SMTPHost: "smtp.example.com",
			SMTPTLS: "none", SMTPFrom: "not an address", SMTPPort: 70000, PagerDutyBaseURL: "ftp://x",
			SeniorManagement: []string{"cfo"}, TriageChannel: "has space"})
		fields := map[string]bool{}
		for _, fe := range apperr.FieldsOf(err) {
			fields[fe.Field] = true
		}
		for _, want := range []string{"smtp_from", "smtp_port", "smtp_tls", "pagerduty_base_url", "senior_management_emails", "triage_channel"} {
			if !fields[want] {
				t.Errorf("no error for %s in %v", want, err)
			}
		}
		if _, err := f.Notify.GetSettings(ctx, auth.Principal{TenantID: f.Tenant, Role: auth.RoleChangeManager}); !apperr.Is(err, apperr.Forbidden) {
			t.Errorf("a change manager read the settings: %v", err)
		}
	})
}

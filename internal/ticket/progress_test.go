package ticket_test

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/registry"
	"github.com/vendorsync/vendorsync/internal/sqlstore"
	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
	"github.com/vendorsync/vendorsync/internal/ticket"
)

func TestProgressResolvesTicket(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		portal, batch := f.app(t, "Merchant portal", f.pay.ID, false), f.app(t, "Batch settlement", f.ops.ID, false)
		tk := f.ticket(t, portal, batch)

		_, err := f.svc.MarkProgress(ctx, f.stranger, tk.Number, portal.ID, ticket.ProgressComplete)
		wantCode(t, err, apperr.Forbidden)
		_, err = f.svc.MarkProgress(ctx, f.viewr, tk.Number, portal.ID, ticket.ProgressComplete)
		wantCode(t, err, apperr.Forbidden)
		_, err = f.svc.MarkProgress(ctx, f.owner, tk.Number, portal.ID, "done")
		wantCode(t, err, apperr.Invalid)
		_, err = f.svc.MarkProgress(ctx, f.owner, tk.Number, "no-such-app", ticket.ProgressComplete)
		wantCode(t, err, apperr.NotFound)

		got, err := f.svc.MarkProgress(ctx, f.owner, tk.Number, portal.ID, ticket.ProgressComplete)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != ticket.InProgress {
			t.Errorf("after the first application: %s, want in_progress", got.Status)
		}
		// The Ops application belongs to the stranger's team.
		got, err = f.svc.MarkProgress(ctx, f.stranger, tk.Number, batch.ID, ticket.ProgressComplete)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != ticket.Resolved || got.LastTransitionedBy != "system" {
			t.Errorf("after every application: %+v", got)
		}
		want := []string{
			"created →open by system",
			"progress by owner@acme.test",
			"transition open→in_progress by system",
			"progress by stranger@acme.test",
			"transition in_progress→resolved by system",
		}
		if diff := cmp.Diff(want, f.timeline(t, tk)); diff != "" {
			t.Errorf("timeline (-want +got):\n%s", diff)
		}
		// Resolution was the system's, so any change manager may confirm it.
		if _, err := f.svc.Transition(ctx, f.cm, tk.Number, ticket.Request{To: ticket.Closed}); err != nil {
			t.Fatal(err)
		}
		_, err = f.svc.MarkProgress(ctx, f.owner, tk.Number, portal.ID, ticket.ProgressPending)
		wantCode(t, err, apperr.Conflict)
	})
}

func TestProgressFromOpenResolvesInTwoSteps(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		f := newFixture(t, db)
		portal := f.app(t, "Merchant portal", f.pay.ID, false)
		tk := f.ticket(t, portal)
		got, err := f.svc.MarkProgress(context.Background(), f.owner, tk.Number, portal.ID, ticket.ProgressComplete)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != ticket.Resolved {
			t.Fatalf("status %s", got.Status)
		}
		want := []string{"created →open by system", "progress by owner@acme.test",
			"transition open→in_progress by system", "transition in_progress→resolved by system"}
		if diff := cmp.Diff(want, f.timeline(t, tk)); diff != "" {
			t.Errorf("timeline (-want +got):\n%s", diff)
		}
	})
}

func TestTrackerApplications(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		gw, portal := f.app(t, "Gateway", f.pay.ID, true), f.app(t, "Merchant portal", f.pay.ID, false)
		tk := f.ticket(t, gw, portal)
		_, err := f.svc.MarkProgress(ctx, f.owner, tk.Number, gw.ID, ticket.ProgressComplete)
		wantCode(t, err, apperr.Conflict)
		got, err := f.svc.MarkProgress(ctx, f.owner, tk.Number, portal.ID, ticket.ProgressComplete)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != ticket.Open {
			t.Errorf("a tracker-linked ticket moved by hand progress: %s", got.Status)
		}
		_, err = f.svc.Transition(ctx, f.cm, tk.Number, ticket.Request{To: ticket.Resolved})
		wantCode(t, err, apperr.Conflict)
		// The owner may start work by hand; the tracker sync (system) resolves.
		if _, err := f.svc.Transition(ctx, f.owner, tk.Number, ticket.Request{To: ticket.InProgress}); err != nil {
			t.Fatal(err)
		}
		_, err = f.svc.Transition(ctx, f.stranger, tk.Number, ticket.Request{To: ticket.Resolved})
		wantCode(t, err, apperr.Forbidden)
		if _, err := f.svc.Transition(ctx, f.sys, tk.Number, ticket.Request{To: ticket.Resolved}); err != nil {
			t.Fatal(err)
		}
	})
}

func TestNotesAndUpdates(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		tk := f.ticket(t)
		_, err := f.svc.AddNote(ctx, f.viewr, tk.Number, "Looks fine")
		wantCode(t, err, apperr.Forbidden)
		_, err = f.svc.AddNote(ctx, f.owner, tk.Number, "   ")
		wantCode(t, err, apperr.Invalid)
		_, err = f.svc.AddNote(ctx, f.owner, 999, "Nothing here")
		wantCode(t, err, apperr.NotFound)
		note, err := f.svc.AddNote(ctx, f.owner, tk.Number, "  Called the vendor; new endpoint confirmed.  ")
		if err != nil {
			t.Fatal(err)
		}
		if note.Body != "Called the vendor; new endpoint confirmed." || note.Kind != ticket.EventNote {
			t.Errorf("note = %+v", note)
		}
		_, err = f.svc.AddUpdate(ctx, f.owner, tk.Number, "email-1", "Reminder")
		wantCode(t, err, apperr.Forbidden)
		// The email must be the tenant's.
		_, err = f.svc.AddUpdate(ctx, f.sys, tk.Number, "no-such-email", "Reminder")
		wantCode(t, err, apperr.Invalid)
		want := []string{"created →open by system", "note by owner@acme.test"}
		if diff := cmp.Diff(want, f.timeline(t, tk)); diff != "" {
			t.Errorf("timeline (-want +got):\n%s", diff)
		}
		// Notes leave the state (and its version) alone.
		if _, err := f.svc.Transition(ctx, f.cm, tk.Number, ticket.Request{To: ticket.InProgress}); err != nil {
			t.Fatal(err)
		}
	})
}

func TestCreateValidates(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		_, err := f.svc.Create(ctx, f.owner, ticket.Draft{VendorID: f.vendor.ID, Topic: "x", Severity: registry.SeverityLow, SLADays: 1})
		wantCode(t, err, apperr.Forbidden)
		_, err = f.svc.Create(ctx, f.sys, ticket.Draft{VendorID: "nope", Topic: "", Severity: "urgent", SLADays: 0,
			EffectiveDate: "20.04.2027", ApplicationIDs: []string{"ghost"}, Decision: []byte("{")})
		var fields []string
		for _, fe := range apperr.FieldsOf(err) {
			fields = append(fields, fe.Field)
		}
		want := []string{"topic", "effective_date", "severity", "sla_days", "decision"}
		if diff := cmp.Diff(want, fields); diff != "" {
			t.Errorf("fields (-want +got):\n%s", diff)
		}
		_, err = f.svc.Create(ctx, f.sys, ticket.Draft{VendorID: "nope", Topic: "t", Severity: registry.SeverityLow, SLADays: 3,
			OwnerTeamID: "ghost-team", ApplicationIDs: []string{"ghost"}, MatchedRuleIDs: []string{"ghost-rule"}})
		fields = nil
		for _, fe := range apperr.FieldsOf(err) {
			fields = append(fields, fe.Field)
		}
		want = []string{"vendor_id", "owner_team_id", "matched_rule_ids", "application_ids"}
		if diff := cmp.Diff(want, fields); diff != "" {
			t.Errorf("reference fields (-want +got):\n%s", diff)
		}
		tk, err := f.svc.Create(ctx, f.sys, ticket.Draft{VendorID: f.vendor.ID, Topic: "Cert rotation", Severity: registry.SeverityHigh,
			SLADays: 30, EffectiveDate: "2027-04-10"})
		if err != nil {
			t.Fatal(err)
		}
		if want := "2027-04-10T23:59:59Z"; tk.DueAt.Format("2006-01-02T15:04:05Z07:00") != want {
			t.Errorf("due %v, want %s (the effective date caps the SLA)", tk.DueAt, want)
		}
	})
}

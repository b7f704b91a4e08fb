package ticket_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/audit"
	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/ident"
	"github.com/vendorsync/vendorsync/internal/registry"
	"github.com/vendorsync/vendorsync/internal/sqlstore"
	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
	"github.com/vendorsync/vendorsync/internal/ticket"
)

// fixture is the service on a real store with one tenant, a vendor, two
// teams, and principals for every role.
type fixture struct {
	db                     *sqlstore.DB
	svc                    *ticket.Service
	reg                    *registry.Service
	sys, admin, cm, cm2    auth.Principal
	owner, stranger, viewr auth.Principal
	vendor                 registry.Vendor
	pay, ops               auth.Team
}

func newFixture(t *testing.T, db *sqlstore.DB) *fixture {
	t.Helper()
	ctx := context.Background()
	b, err := (&auth.Service{Store: db, Keys: db.Keys}).CreateTenant(ctx, "acme", "Acme", "admin@acme.test")
	if err != nil {
		t.Fatal(err)
	}
	tid := b.Tenant.ID
	clock := time.Date(2027, 4, 1, 9, 0, 0, 0, time.UTC)
	f := &fixture{db: db, reg: &registry.Service{Store: db}, sys: auth.System(tid), admin: b.Admin.Principal()}
	f.svc = &ticket.Service{Store: db, Now: func() time.Time { clock = clock.Add(time.Second); return clock }}
	f.pay, f.ops = f.team(t, "Payments"), f.team(t, "Ops")
	user := func(id string, role auth.Role, teams ...string) auth.Principal {
		return auth.Principal{Kind: auth.KindUser, TenantID: tid, UserID: id, Label: id + "@acme.test", Role: role, TeamIDs: teams}
	}
	f.cm, f.cm2 = user("cm", auth.RoleChangeManager), user("cm2", auth.RoleChangeManager)
	f.owner, f.stranger = user("owner", auth.RoleOwner, f.pay.ID), user("stranger", auth.RoleOwner, f.ops.ID)
	f.viewr = user("viewer", auth.RoleViewer)
	if f.vendor, err = f.reg.CreateVendor(ctx, f.admin, registry.Vendor{Name: "Visa", Tier: registry.Tier1}); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *fixture) team(t *testing.T, name string) auth.Team {
	t.Helper()
	tm := auth.Team{ID: ident.New(), TenantID: f.sys.TenantID, Name: name, IsActive: true}
	if err := f.db.CreateTeam(context.Background(), tm, audit.Record(f.sys, "team.create", "team", tm.ID, nil, tm)); err != nil {
		t.Fatal(err)
	}
	return tm
}

// app creates an application owned by team, with or without a tracker.
func (f *fixture) app(t *testing.T, name, team string, tracker bool) registry.Application {
	t.Helper()
	a := registry.Application{Name: name, Description: name, OwnerTeamID: team, CreatesTrackerIssue: tracker}
	if tracker {
		a.TrackerProjectKey, a.TrackerIssueType = "PAY", "Task"
	}
	a, err := f.reg.CreateApplication(context.Background(), f.admin, a)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// ticket creates a ticket as the triage worker would, affecting apps.
func (f *fixture) ticket(t *testing.T, apps ...registry.Application) ticket.Ticket {
	t.Helper()
	d := ticket.Draft{VendorID: f.vendor.ID, Topic: "Visa — endpoint change", Severity: registry.SeverityCritical, SLADays: 14,
		OwnerTeamID: f.pay.ID, Decision: json.RawMessage(`{"vendor":"Visa"}`), Reasoning: "Matched the Visa rule."}
	for _, a := range apps {
		d.ApplicationIDs = append(d.ApplicationIDs, a.ID)
	}
	tk, err := f.svc.Create(context.Background(), f.sys, d)
	if err != nil {
		t.Fatal(err)
	}
	return tk
}

// timeline summarises a ticket's events as "kind from→to flags".
func (f *fixture) timeline(t *testing.T, tk ticket.Ticket) []string {
	t.Helper()
	evs, err := f.svc.Events(context.Background(), f.admin, tk)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range evs {
		s := string(e.Kind)
		if e.From != "" || e.To != "" {
			s += " " + string(e.From) + "→" + string(e.To)
		}
		if len(e.Flags) > 0 {
			s += " " + strings.Join(e.Flags, ",")
		}
		out = append(out, s+" by "+e.ActorLabel)
	}
	return out
}

func wantCode(t *testing.T, err error, code apperr.Code) {
	t.Helper()
	if err == nil || apperr.CodeOf(err) != code {
		t.Fatalf("err = %v, want code %s", err, code)
	}
}

func TestDoubleTransitionIsAtomic(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		f := newFixture(t, db)
		tk := f.ticket(t) // no applications: nothing blocks resolution
		got, err := f.svc.Transition(context.Background(), f.cm, tk.Number, ticket.Request{To: ticket.Resolved, Reason: "Done by phone"})
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != ticket.Resolved || got.ResolvedAt == nil || got.LastTransitionedBy != "cm" {
			t.Errorf("ticket = %+v", got)
		}
		want := []string{"created →open by system", "transition open→in_progress by cm@acme.test", "transition in_progress→resolved by cm@acme.test"}
		if diff := cmp.Diff(want, f.timeline(t, tk)); diff != "" {
			t.Errorf("timeline (-want +got):\n%s", diff)
		}
		rows, _, err := db.ListAudit(context.Background(), f.sys.TenantID, audit.Filter{EntityID: tk.ID})
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 3 || rows[0].Action != "ticket.transition" || rows[1].Action != "ticket.transition" {
			t.Errorf("audit rows = %+v", rows)
		}
		// The read ticket matches what Transition returned.
		read, err := f.svc.Get(context.Background(), f.viewr, tk.Number)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(got, read); diff != "" {
			t.Errorf("read back (-returned +read):\n%s", diff)
		}
	})
}

func TestTwoPersonClose(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		tk := f.ticket(t)
		if _, err := f.svc.Transition(ctx, f.cm, tk.Number, ticket.Request{To: ticket.Resolved}); err != nil {
			t.Fatal(err)
		}
		_, err := f.svc.Transition(ctx, f.cm, tk.Number, ticket.Request{To: ticket.Closed})
		wantCode(t, err, apperr.Forbidden)
		_, err = f.svc.Transition(ctx, f.owner, tk.Number, ticket.Request{To: ticket.Closed})
		wantCode(t, err, apperr.Forbidden)
		closed, err := f.svc.Transition(ctx, f.cm2, tk.Number, ticket.Request{To: ticket.Closed})
		if err != nil {
			t.Fatal(err)
		}
		if closed.Status != ticket.Closed || closed.ClosedAt == nil || closed.IsManualOverride {
			t.Errorf("closed = %+v", closed)
		}
		_, err = f.svc.Transition(ctx, f.admin, tk.Number, ticket.Request{To: ticket.Closed, Override: true, Reason: strings.Repeat("x", 30)})
		wantCode(t, err, apperr.Conflict)

		// An admin may confirm their own transition; the audit row says so.
		tk2 := f.ticket(t)
		if _, err := f.svc.Transition(ctx, f.admin, tk2.Number, ticket.Request{To: ticket.Resolved}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Transition(ctx, f.admin, tk2.Number, ticket.Request{To: ticket.Closed}); err != nil {
			t.Fatal(err)
		}
		tl := f.timeline(t, tk2)
		if last := tl[len(tl)-1]; last != "transition resolved→closed admin_self_close by admin@acme.test" {
			t.Errorf("last entry = %q", last)
		}
	})
}

func TestOverrideCloseLeavesSLAMetric(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		normal, forced := f.ticket(t), f.ticket(t)
		_, err := f.svc.Transition(ctx, f.cm, forced.Number, ticket.Request{To: ticket.Closed, Override: true, Reason: "too short"})
		wantCode(t, err, apperr.Invalid)
		_, err = f.svc.Transition(ctx, f.viewr, forced.Number, ticket.Request{To: ticket.Closed, Override: true, Reason: "Vendor withdrew the change notice."})
		wantCode(t, err, apperr.Forbidden)
		got, err := f.svc.Transition(ctx, f.cm, forced.Number, ticket.Request{To: ticket.Closed, Override: true, Reason: "  Vendor withdrew the change notice.  "})
		if err != nil {
			t.Fatal(err)
		}
		if !got.IsManualOverride || got.CloseReason != "Vendor withdrew the change notice." {
			t.Errorf("override = %+v", got)
		}
		if _, err := f.svc.Transition(ctx, f.cm, normal.Number, ticket.Request{To: ticket.Resolved}); err != nil {
			t.Fatal(err)
		}
		all, _, err := f.svc.List(ctx, f.viewr, ticket.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		stats := ticket.SLACompliance(all, time.Date(2027, 4, 2, 0, 0, 0, 0, time.UTC))
		if stats != (ticket.SLAStats{OnTime: 1, Excluded: 1}) {
			t.Errorf("stats = %+v", stats)
		}
		tl := f.timeline(t, forced)
		if last := tl[len(tl)-1]; last != "transition open→closed manual_override by cm@acme.test" {
			t.Errorf("last entry = %q", last)
		}
	})
}

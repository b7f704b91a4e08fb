package sqlstore_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/jobargs"
	"github.com/vendorsync/vendorsync/internal/registry"
	"github.com/vendorsync/vendorsync/internal/sqlstore"
	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
	"github.com/vendorsync/vendorsync/internal/ticket"
)

// ticketFixture is the registry fixture plus a ticket service, a vendor, a
// team and two applications (one with a tracker) in tenant A.
type ticketFixture struct {
	*regFixture
	tickets       *ticket.Service
	mu            sync.Mutex // guards clock: services run concurrently
	clock         time.Time
	visa          registry.Vendor
	pay           auth.Team
	portal, gwApp registry.Application
}

func newTicketFixture(t *testing.T, db *sqlstore.DB) *ticketFixture {
	t.Helper()
	f := &ticketFixture{regFixture: newRegFixture(t, db), clock: time.Date(2027, 4, 1, 9, 0, 0, 0, time.UTC)}
	f.tickets = &ticket.Service{Store: db, Now: func() time.Time {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.clock = f.clock.Add(time.Minute)
		return f.clock
	}}
	f.visa = f.vendor(t, f.a, "Visa", registry.Tier1)
	f.pay = f.team(t, f.a, "Payments")
	var err error
	f.portal, err = f.svc.CreateApplication(context.Background(), f.a, registry.Application{Name: "Merchant portal",
		Description: "Portal for merchants", OwnerTeamID: f.pay.ID})
	if err != nil {
		t.Fatal(err)
	}
	f.gwApp, err = f.svc.CreateApplication(context.Background(), f.a, registry.Application{Name: "Gateway",
		Description: "Card gateway", CreatesTrackerIssue: true, TrackerProjectKey: "PAY", TrackerIssueType: "Task"})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// draft is a valid draft for Visa in tenant A.
func (f *ticketFixture) draft(topic string) ticket.Draft {
	return ticket.Draft{VendorID: f.visa.ID, Topic: topic, Severity: registry.SeverityHigh, SLADays: 14,
		OwnerTeamID: f.pay.ID, ApplicationIDs: []string{f.portal.ID, f.gwApp.ID}}
}

func (f *ticketFixture) create(t *testing.T, p auth.Principal, d ticket.Draft) ticket.Ticket {
	t.Helper()
	tk, err := f.tickets.Create(context.Background(), p, d)
	if err != nil {
		t.Fatalf("create %q: %v", d.Topic, err)
	}
	return tk
}

func TestTicketCreateAndNumbering(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		f := newTicketFixture(t, db)
		var keys []string
		for i := range 3 {
			keys = append(keys, f.create(t, f.a, f.draft(fmt.Sprintf("Change %d", i))).Key())
		}
		if diff := cmp.Diff([]string{"VS-0001", "VS-0002", "VS-0003"}, keys); diff != "" {
			t.Errorf("keys (-want +got):\n%s", diff)
		}
		// Tenant B counts on its own.
		bVendor := f.vendor(t, f.b, "Stripe", registry.Tier2)
		b := f.create(t, f.b, ticket.Draft{VendorID: bVendor.ID, Topic: "B's change", Severity: registry.SeverityLow, SLADays: 30})
		if b.Key() != "VS-0001" {
			t.Errorf("tenant B's first ticket is %s", b.Key())
		}

		got, err := db.TicketByNumber(ctx, f.a.TenantID, 2)
		if err != nil {
			t.Fatal(err)
		}
		wantApps := []ticket.TicketApplication{
			{ApplicationID: f.gwApp.ID, Name: "Gateway", UsesTracker: true, Progress: ticket.ProgressPending},
			{ApplicationID: f.portal.ID, Name: "Merchant portal", OwnerTeamID: f.pay.ID, Progress: ticket.ProgressPending},
		}
		if diff := cmp.Diff(wantApps, got.Applications); diff != "" {
			t.Errorf("applications (-want +got):\n%s", diff)
		}
		if got.Status != ticket.Open || got.Topic != "Change 1" || got.SLADays != 14 || got.Version != 1 {
			t.Errorf("ticket = %+v", got)
		}
		if want := got.CreatedAt.Add(14 * 24 * time.Hour); !got.DueAt.Equal(want) {
			t.Errorf("due %v, want %v", got.DueAt, want)
		}
		evs, err := db.TicketEvents(ctx, f.a.TenantID, got.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(evs) != 1 || evs[0].Kind != ticket.EventCreated || evs[0].To != ticket.Open {
			t.Errorf("events = %+v", evs)
		}
		if diff := cmp.Diff([]string{"ticket.create"}, f.actions(t, f.a, got.ID)); diff != "" {
			t.Errorf("audit (-want +got):\n%s", diff)
		}
	})
}

func TestTicketConcurrentNumbers(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		f := newTicketFixture(t, db)
		const n = 12
		var wg sync.WaitGroup
		nums := make(chan int64, n)
		errs := make(chan error, n)
		for i := range n {
			wg.Go(func() {
				tk, err := f.tickets.Create(context.Background(), f.a, f.draft(fmt.Sprintf("Concurrent %d", i)))
				if err != nil {
					errs <- err
					return
				}
				nums <- tk.Number
			})
		}
		wg.Wait()
		close(nums)
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		var got []int64
		for n := range nums {
			got = append(got, n)
		}
		slices.Sort(got)
		want := make([]int64, n)
		for i := range want {
			want[i] = int64(i + 1)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("numbers (-want +got):\n%s", diff)
		}
	})
}

func TestTicketListFiltersAndPages(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		f := newTicketFixture(t, db)
		mc := f.vendor(t, f.a, "Mastercard", registry.Tier1)
		ops := f.team(t, f.a, "Ops")
		specs := []struct {
			topic string
			sev   registry.Severity
			sla   int
			other bool // Mastercard, owned by Ops
		}{
			{"TLS rotation", registry.SeverityCritical, 5, false},
			{"Endpoint move", registry.SeverityHigh, 20, true},
			{"Schema update", registry.SeverityLow, 60, false},
			{"Deprecation of v1", registry.SeverityHigh, 10, true},
			{"Rate limit change", registry.SeverityMedium, 30, false},
		}
		for _, s := range specs {
			d := f.draft(s.topic)
			d.Severity, d.SLADays = s.sev, s.sla
			if s.other {
				d.VendorID, d.OwnerTeamID = mc.ID, ops.ID
			}
			f.create(t, f.a, d)
		}
		f.create(t, f.b, ticket.Draft{VendorID: f.vendor(t, f.b, "Other", registry.Tier3).ID, Topic: "TLS elsewhere",
			Severity: registry.SeverityLow, SLADays: 1})

		topics := func(flt ticket.Filter) []string {
			t.Helper()
			ts, _, err := db.ListTickets(ctx, f.a.TenantID, flt)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, tk := range ts {
				out = append(out, tk.Topic)
				if len(tk.Applications) != 2 {
					t.Errorf("%s has %d applications", tk.Key(), len(tk.Applications))
				}
			}
			return out
		}
		due := f.clock.Add(25 * 24 * time.Hour)
		for _, tc := range []struct {
			name string
			flt  ticket.Filter
			want []string
		}{
			{"all by due date", ticket.Filter{}, []string{"TLS rotation", "Deprecation of v1", "Endpoint move", "Rate limit change", "Schema update"}},
			{"severity", ticket.Filter{Severity: registry.SeverityHigh}, []string{"Deprecation of v1", "Endpoint move"}},
			{"vendor", ticket.Filter{VendorID: mc.ID}, []string{"Deprecation of v1", "Endpoint move"}},
			{"team", ticket.Filter{OwnerTeamID: f.pay.ID}, []string{"TLS rotation", "Rate limit change", "Schema update"}},
			{"due before", ticket.Filter{DueBefore: due}, []string{"TLS rotation", "Deprecation of v1", "Endpoint move"}},
			{"status", ticket.Filter{Status: ticket.Closed}, nil},
			{"text", ticket.Filter{Query: "tls"}, []string{"TLS rotation"}},
			{"key", ticket.Filter{Query: "VS-0003"}, []string{"Schema update"}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				if diff := cmp.Diff(tc.want, topics(tc.flt)); diff != "" {
					t.Errorf("(-want +got):\n%s", diff)
				}
			})
		}

		var walked []string
		flt := ticket.Filter{Limit: 2}
		for pages := 0; ; pages++ {
			ts, next, err := db.ListTickets(ctx, f.a.TenantID, flt)
			if err != nil {
				t.Fatal(err)
			}
			for _, tk := range ts {
				walked = append(walked, tk.Topic)
			}
			if next == "" || pages > 5 {
				break
			}
			flt.Cursor = next
		}
		if diff := cmp.Diff(topics(ticket.Filter{}), walked); diff != "" {
			t.Errorf("pages (-want +got):\n%s", diff)
		}
		_, _, err := db.ListTickets(ctx, f.a.TenantID, ticket.Filter{Cursor: "garbage"})
		wantCode(t, err, apperr.Invalid)
	})
}

func TestTicketTenantWalls(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		f := newTicketFixture(t, db)
		a := f.create(t, f.a, f.draft("A's change"))

		_, err := db.TicketByNumber(ctx, f.b.TenantID, a.Number)
		wantCode(t, err, apperr.NotFound)
		_, err = db.TicketByID(ctx, f.b.TenantID, a.ID)
		wantCode(t, err, apperr.NotFound)
		if evs, err := db.TicketEvents(ctx, f.b.TenantID, a.ID); err != nil || len(evs) != 0 {
			t.Errorf("B sees A's events: %v %v", evs, err)
		}
		// Tenant B cannot create a ticket about A's vendor, team or applications.
		_, err = f.tickets.Create(ctx, f.b, f.draft("Stolen"))
		wantField(t, err, "vendor_id")
		// The store itself refuses a vendor, team or email of no row of
		// the tenant, whatever the service checked before.
		bVendor, bTeam := f.vendor(t, f.b, "Globex vendor", registry.Tier2), f.team(t, f.b, "Globex team")
		bApp, err := f.svc.CreateApplication(ctx, f.b, registry.Application{Name: "Globex app", Description: "B's own"})
		if err != nil {
			t.Fatal(err)
		}
		for field, set := range map[string]func(*ticket.Ticket){
			"vendor_id":     func(tk *ticket.Ticket) { tk.VendorID = bVendor.ID },
			"owner_team_id": func(tk *ticket.Ticket) { tk.OwnerTeamID = bTeam.ID },
			"email_id":      func(tk *ticket.Ticket) { tk.EmailID = "no-such-email" },
			// One of A's applications beside one of B's: none is written.
			"application_ids": func(tk *ticket.Ticket) {
				tk.Applications = append(tk.Applications, ticket.TicketApplication{ApplicationID: bApp.ID, UsesTracker: true})
			},
		} {
			cr, err := f.tickets.Prepare(ctx, f.a, f.draft("Crossed"))
			if err != nil {
				t.Fatal(err)
			}
			set(&cr.Ticket)
			_, err = db.CreateTicket(ctx, cr)
			wantField(t, err, field)
		}
		if n, err := db.TicketByNumber(ctx, f.a.TenantID, a.Number+1); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("a refused creation left ticket %+v (%v)", n, err)
		}
		// A change of another tenant's ticket matches no row.
		c := ticket.Change{Ticket: a, SaveState: true}
		c.Ticket.TenantID = f.b.TenantID
		wantCode(t, db.ApplyTicketChange(ctx, c), apperr.Conflict)
		// A change based on an outdated version is refused.
		stale := ticket.Change{Ticket: a, SaveState: true}
		stale.Ticket.Version = 0
		wantCode(t, db.ApplyTicketChange(ctx, stale), apperr.Conflict)
	})
}

// TestTicketBreakingCount: a vendor's breaking changes are the tickets
// whose decision says is_breaking, of that vendor and tenant, created in
// the window asked for; a ticket without a decision or one not breaking
// does not count.
func TestTicketBreakingCount(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		f := newTicketFixture(t, db)
		mc := f.vendor(t, f.a, "Mastercard", registry.Tier2)
		bv := f.vendor(t, f.b, "Visa B", registry.Tier1)
		draft := func(vendorID, decision string) ticket.Draft {
			d := ticket.Draft{VendorID: vendorID, Topic: "Change", Severity: registry.SeverityHigh, SLADays: 14}
			if decision != "" {
				d.Decision = []byte(decision)
			}
			return d
		}
		first := f.create(t, f.a, draft(f.visa.ID, `{"is_breaking":true}`))
		f.create(t, f.a, draft(f.visa.ID, `{"is_breaking":false}`))
		f.create(t, f.a, draft(f.visa.ID, ``))
		f.create(t, f.a, draft(f.visa.ID, `{"summary":"no word on breaking"}`))
		f.create(t, f.a, draft(mc.ID, `{"is_breaking":true}`))
		f.create(t, f.b, draft(bv.ID, `{"is_breaking":true}`))
		last := f.create(t, f.a, draft(f.visa.ID, `{"classification":"api_change","is_breaking":true}`))
		count := func(tenant, vendor string, since, until time.Time) int {
			t.Helper()
			var n int
			if err := db.InTx(ctx, func(tx *sqlstore.Tx) error {
				var err error
				n, err = tx.CountBreakingTickets(ctx, tenant, vendor, since, until)
				return err
			}); err != nil {
				t.Fatal(err)
			}
			return n
		}
		since, until := first.CreatedAt, last.CreatedAt
		for _, c := range []struct {
			name         string
			tenant, vdr  string
			since, until time.Time
			want         int
		}{
			{"Visa, whole window", f.a.TenantID, f.visa.ID, since, until, 2},
			{"Visa, after the first", f.a.TenantID, f.visa.ID, since.Add(time.Second), until, 1},
			{"Visa, before the last", f.a.TenantID, f.visa.ID, since, until.Add(-time.Second), 1},
			{"Mastercard", f.a.TenantID, mc.ID, since, until, 1},
			{"B's vendor from A", f.a.TenantID, bv.ID, since, until, 0},
			{"A's vendor from B", f.b.TenantID, f.visa.ID, since, until, 0},
		} {
			if got := count(c.tenant, c.vdr, c.since, c.until); got != c.want {
				t.Errorf("%s: %d breaking changes, want %d", c.name, got, c.want)
			}
		}
	})
}

// TestTicketBreakingJobsCount: a new breaking change's jobs are given how
// many breaking changes its vendor announced in the window, itself and the
// earlier tickets of its own transaction included, other vendors' and
// changes that are not breaking left out.
func TestTicketBreakingJobsCount(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		f := newTicketFixture(t, db)
		mc := f.vendor(t, f.a, "Mastercard", registry.Tier2)
		var got []string
		f.tickets.Consequences.Breaking = func(tk ticket.Ticket, recent int) []jobargs.Args {
			got = append(got, fmt.Sprintf("%s %d", tk.Topic, recent))
			return nil
		}
		draft := func(topic, vendorID, decision string) ticket.Draft {
			return ticket.Draft{VendorID: vendorID, Topic: topic, Severity: registry.SeverityHigh, SLADays: 14, Decision: []byte(decision)}
		}
		f.create(t, f.a, draft("first", f.visa.ID, `{"is_breaking":true}`))
		f.create(t, f.a, draft("not breaking", f.visa.ID, `{"is_breaking":false}`))
		f.create(t, f.a, draft("other vendor", mc.ID, `{"is_breaking":true}`))
		// Two in one transaction: the second counts the first.
		if err := db.InTx(ctx, func(tx *sqlstore.Tx) error {
			for _, topic := range []string{"shared one", "shared two"} {
				c, err := f.tickets.Prepare(ctx, f.a, draft(topic, f.visa.ID, `{"is_breaking":true,"summary":"x"}`))
				if err != nil {
					return err
				}
				if _, err := tx.CreateTicket(ctx, c); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		want := []string{"first 1", "other vendor 1", "shared one 2", "shared two 3"}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("breaking counts (-want +got):\n%s", diff)
		}
	})
}

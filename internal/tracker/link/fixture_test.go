package link_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/vendorsync/vendorsync/internal/audit"
	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/ident"
	"github.com/vendorsync/vendorsync/internal/jobargs"
	"github.com/vendorsync/vendorsync/internal/jobs"
	"github.com/vendorsync/vendorsync/internal/registry"
	"github.com/vendorsync/vendorsync/internal/sqlstore"
	"github.com/vendorsync/vendorsync/internal/ticket"
	"github.com/vendorsync/vendorsync/internal/tracker"
	"github.com/vendorsync/vendorsync/internal/tracker/jira"
	"github.com/vendorsync/vendorsync/internal/tracker/jira/jiratest"
	"github.com/vendorsync/vendorsync/internal/tracker/link"
)

var flavors = []jira.Flavor{jira.Cloud, jira.Server}

// alertJob is the job the fixture's Alert consequence enqueues, so the
// alerts a test sees are exactly those committed with their outcomes.
type alertJob struct {
	jobargs.Tenant
	Alert link.Alert `json:"alert"`
}

func (alertJob) Kind() string { return "link_test.alert" }

// troubleJob is the job the fixture's Troubled consequence enqueues.
type troubleJob struct {
	jobargs.Tenant
	Trouble link.Trouble `json:"trouble"`
}

func (troubleJob) Kind() string { return "link_test.trouble" }

func troubleJobOf(tr link.Trouble) []jobargs.Args {
	return []jobargs.Args{troubleJob{Tenant: jobargs.For(tr.TenantID), Trouble: tr}}
}

// troubles reads the troubles the service committed with its outcomes.
func troubles(t testing.TB, q *jobs.Queue) []link.Trouble {
	t.Helper()
	res, err := q.Client.JobList(context.Background(), river.NewJobListParams().Kinds(troubleJob{}.Kind()).First(1000))
	if err != nil {
		t.Fatal(err)
	}
	var out []link.Trouble
	for _, j := range res.Jobs {
		var tj troubleJob
		if err := json.Unmarshal(j.EncodedArgs, &tj); err != nil {
			t.Fatal(err)
		}
		out = append(out, tj.Trouble)
	}
	return out
}

// alerts reads the alerts the service committed for the admins.
type alerts struct {
	t     testing.TB
	queue *jobs.Queue
}

func (a *alerts) job(tenantID string, al link.Alert) []jobargs.Args {
	return []jobargs.Args{alertJob{Tenant: jobargs.For(tenantID), Alert: al}}
}

func (a *alerts) all() []link.Alert {
	a.t.Helper()
	res, err := a.queue.Client.JobList(context.Background(), river.NewJobListParams().Kinds(alertJob{}.Kind()).First(1000))
	if err != nil {
		a.t.Fatal(err)
	}
	var out []link.Alert
	for _, j := range res.Jobs {
		var aj alertJob
		if err := json.Unmarshal(j.EncodedArgs, &aj); err != nil {
			a.t.Fatal(err)
		}
		out = append(out, aj.Alert)
	}
	return out
}

// clock is a settable time source.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *clock) advance(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// fixture is the link service on a real store, with one tenant connected
// to an in-process tracker of one kind, a vendor and a team.
type fixture struct {
	db *sqlstore.DB
	// remote is the tracker the tenant is connected to; jira is it when
	// the kind is Jira's (nil otherwise).
	remote  remote
	jira    *jiratest.Server
	flavor  jira.Flavor
	svc     *link.Service
	tickets *ticket.Service
	reg     *registry.Service
	queue   *jobs.Queue
	alerts  *alerts
	clock   *clock
	tenant  string
	sys     auth.Principal
	admin   auth.Principal
	vendor  registry.Vendor
	team    auth.Team
}

func newFixture(t testing.TB, db *sqlstore.DB, flavor jira.Flavor) *fixture {
	t.Helper()
	return newKindFixture(t, db, flavor.Kind())
}

// newKindFixture is the fixture connected to a tracker of kind k.
func newKindFixture(t testing.TB, db *sqlstore.DB, k tracker.Kind) *fixture {
	t.Helper()
	f := newUnconnectedKindFixture(t, db, k)
	f.connect(t)
	return f
}

// newUnconnectedFixture is the fixture before an admin connects the tracker.
func newUnconnectedFixture(t testing.TB, db *sqlstore.DB, flavor jira.Flavor) *fixture {
	t.Helper()
	return newUnconnectedKindFixture(t, db, flavor.Kind())
}

func newUnconnectedKindFixture(t testing.TB, db *sqlstore.DB, k tracker.Kind) *fixture {
	t.Helper()
	ctx := context.Background()
	b, err := (&auth.Service{Store: db, Keys: db.Keys}).CreateTenant(ctx, "acme", "Acme", "admin@acme.test")
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{db: db, remote: newRemote(t, k), reg: &registry.Service{Store: db}, alerts: &alerts{t: t},
		clock: &clock{t: time.Now().UTC()}, tenant: b.Tenant.ID, sys: auth.System(b.Tenant.ID), admin: b.Admin.Principal()}
	if f.queue, err = jobs.New(db, jobs.Config{}); err != nil { // insert-only: tests run attempts themselves
		t.Fatal(err)
	}
	f.alerts.queue = f.queue
	f.tickets = &ticket.Service{Store: db, Consequences: ticket.Consequences{Created: link.IssueJobs, Rescheduled: link.DueDateJobs}}
	f.svc = &link.Service{Store: db, Tickets: f.tickets, BaseURL: "https://vs.example.com",
		Consequences: link.Consequences{Alert: f.alerts.job, Troubled: troubleJobOf}, Now: f.clock.now,
		Providers: testRegistry()}
	if j, ok := f.remote.(*jiraRemote); ok {
		f.jira, f.flavor = j.Server, j.flavor
	}
	if f.vendor, err = f.reg.CreateVendor(ctx, f.admin, registry.Vendor{Name: "Visa", Tier: registry.Tier1}); err != nil {
		t.Fatal(err)
	}
	f.team = auth.Team{ID: ident.New(), TenantID: f.tenant, Name: "Payments", IsActive: true}
	if err := db.CreateTeam(ctx, f.team, audit.Record(f.sys, "team.create", "team", f.team.ID, nil, f.team)); err != nil {
		t.Fatal(err)
	}
	return f
}

// connect saves the tenant's connection to the fake tracker.
func (f *fixture) connect(t testing.TB) {
	t.Helper()
	if _, err := f.svc.SaveConnection(context.Background(), f.admin, f.remote.input()); err != nil {
		t.Fatal(err)
	}
}

// app creates an application; tracker ones open Tasks in PAY.
func (f *fixture) app(t testing.TB, name string, tracker bool) registry.Application {
	t.Helper()
	a := registry.Application{Name: name, Description: name, OwnerTeamID: f.team.ID, CreatesTrackerIssue: tracker}
	if tracker {
		a.TrackerProjectKey, a.TrackerIssueType = f.remote.target()
		a.TrackerLabels = []string{"vendor-change", "payments"}
		a.TrackerDefaultAssignee = "maria"
	}
	a, err := f.reg.CreateApplication(context.Background(), f.admin, a)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// ticket creates a ticket as triage would, affecting apps.
func (f *fixture) ticket(t testing.TB, apps ...registry.Application) ticket.Ticket {
	t.Helper()
	d := ticket.Draft{VendorID: f.vendor.ID, Topic: "URL endpoint change", Severity: registry.SeverityHigh, SLADays: 14,
		EffectiveDate: ticket.Date(f.clock.now().AddDate(0, 0, 180).Format(time.DateOnly)), OwnerTeamID: f.team.ID,
		Summary: "Visa moves the authorization endpoint to v3.", Reasoning: "PaymentService calls the Visa authorization v2 endpoint."}
	for _, a := range apps {
		d.ApplicationIDs = append(d.ApplicationIDs, a.ID)
	}
	tk, err := f.tickets.Create(context.Background(), f.sys, d)
	if err != nil {
		t.Fatal(err)
	}
	return tk
}

// attempt runs one create attempt, as the job would.
func (f *fixture) attempt(t testing.TB, tk ticket.Ticket, a registry.Application) link.Result {
	t.Helper()
	res, err := f.svc.CreateIssue(context.Background(), f.tenant, tk.ID, a.ID)
	if err != nil {
		t.Fatalf("CreateIssue: %v", err)
	}
	return res
}

// link returns the link of one application of a ticket.
func (f *fixture) link(t testing.TB, tk ticket.Ticket, a registry.Application) link.Link {
	t.Helper()
	l, err := f.db.TrackerLinkFor(context.Background(), f.tenant, tk.ID, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// createJobs lists the enqueued create jobs' args.
func (f *fixture) createJobs(t testing.TB) []jobargs.TrackerCreate {
	t.Helper()
	res, err := f.queue.Client.JobList(context.Background(), river.NewJobListParams().Kinds("tracker.create_issue").First(1000))
	if err != nil {
		t.Fatal(err)
	}
	var out []jobargs.TrackerCreate
	for _, j := range res.Jobs {
		var a jobargs.TrackerCreate
		if err := json.Unmarshal(j.EncodedArgs, &a); err != nil {
			t.Fatal(err)
		}
		out = append(out, a)
	}
	return out
}

// actions lists the tenant's audit actions (with flags) that start with
// one of prefixes, oldest first.
func (f *fixture) actions(t testing.TB, prefixes ...string) []string {
	t.Helper()
	entries, _, err := f.db.ListAudit(context.Background(), f.tenant, audit.Filter{Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for i := len(entries) - 1; i >= 0; i-- {
		e := entries[i]
		if slices.ContainsFunc(prefixes, func(p string) bool { return strings.HasPrefix(e.Action, p) }) {
			s := e.Action
			if e.Flags != "" {
				s += " [" + e.Flags + "]"
			}
			out = append(out, s)
		}
	}
	return out
}

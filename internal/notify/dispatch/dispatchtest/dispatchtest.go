// Package dispatchtest builds, for tests, the whole notification system on
// a real store: one tenant with a vendor, an owner team and its people, a
// Jira application, and every channel pointed at an in-process fake that
// speaks the provider's protocol (slacktest, smtptest, pagerdutytest,
// jiratest). Its clock is settable, so the deadline monitor can be walked
// through days without sleeping.
package dispatchtest

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/vendorsync/vendorsync/internal/app/consequence"
	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/httpx"
	"github.com/vendorsync/vendorsync/internal/jobs"
	"github.com/vendorsync/vendorsync/internal/notify/dispatch"
	"github.com/vendorsync/vendorsync/internal/notify/email/smtptest"
	"github.com/vendorsync/vendorsync/internal/notify/pagerduty/pagerdutytest"
	"github.com/vendorsync/vendorsync/internal/notify/slack/slacktest"
	"github.com/vendorsync/vendorsync/internal/registry"
	"github.com/vendorsync/vendorsync/internal/score"
	"github.com/vendorsync/vendorsync/internal/setting"
	"github.com/vendorsync/vendorsync/internal/sqlstore"
	"github.com/vendorsync/vendorsync/internal/ticket"
	"github.com/vendorsync/vendorsync/internal/ticket/deadline"
	"github.com/vendorsync/vendorsync/internal/tracker"
	"github.com/vendorsync/vendorsync/internal/tracker/jira"
	"github.com/vendorsync/vendorsync/internal/tracker/jira/jiratest"
	"github.com/vendorsync/vendorsync/internal/tracker/link"
)

// Clock is a settable time source.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// Now reads the clock.
func (c *Clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

// Set moves the clock to t.
func (c *Clock) Set(t time.Time) { c.mu.Lock(); c.t = t.UTC(); c.mu.Unlock() }

// Advance moves the clock on by d.
func (c *Clock) Advance(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// The fixture's people and places.
const (
	OwnerEmail   = "olga@acme.test"
	OwnerSlack   = "U0OLGA"
	AdminEmail   = "admin@acme.test"
	AdminSlack   = "U0ADMIN"
	ManagerEmail = "manny@acme.test"
	TeamEmail    = "payments@acme.test"
	SeniorEmail  = "cfo@acme.test"
	TeamChannel  = "#payments-changes"
	WarRoom      = "#war-room"
	Triage       = "#vendor-triage"
	RoutingKey   = "R0UT1NGKEY0123456789ABCDEFGHIJKL"
)

// Fixture is the notification system of one tenant on a real store.
type Fixture struct {
	DB       *sqlstore.DB
	Clock    *Clock
	Tenant   string
	Admin    auth.Principal
	Auth     *auth.Service
	Settings *setting.Service
	Tickets  *ticket.Service
	Links    *link.Service
	Notify   *dispatch.Service
	Monitor  *deadline.Monitor
	Scores   *score.Service
	Queue    *jobs.Queue
	// Causes is the program's table of consequences, as the fixture wired it.
	Causes consequence.Table

	Slack *slacktest.Server
	SMTP  *smtptest.Server
	PD    *pagerdutytest.Server
	Jira  *jiratest.Server

	Vendor registry.Vendor
	Team   auth.Team
	App    registry.Application

	mu   sync.Mutex
	done map[int64]bool // plan jobs already run
}

// New builds the fixture on db with its clock at start. The queue only
// inserts: tests run the jobs' work themselves (RunPlanJobs, Deliver) or
// start a worker client of their own.
func New(t testing.TB, db *sqlstore.DB, start time.Time) *Fixture {
	t.Helper()
	ctx := context.Background()
	f := &Fixture{DB: db, Clock: &Clock{t: start.UTC()}, Settings: &setting.Service{Store: db}, Slack: slacktest.New(t),
		SMTP: smtptest.New(t, smtptest.Plain), PD: pagerdutytest.New(t), Jira: jiratest.New(t)}
	// The program's own table of consequences, with the fixture's clock.
	notices := dispatch.Notices{BaseURL: "https://vs.example.com", Now: f.Clock.Now}
	causes := consequence.Declare(notices)
	f.Causes = causes
	f.Auth = &auth.Service{Store: db, Keys: db.Keys, Consequences: causes.People}
	f.done = map[int64]bool{}
	b, err := f.Auth.CreateTenant(ctx, "acme", "Acme", AdminEmail)
	must(t, err)
	f.Tenant, f.Admin = b.Tenant.ID, b.Admin.Principal()
	slackID := AdminSlack
	_, _, err = f.Auth.UpdateUser(ctx, f.Admin, b.Admin.ID, auth.UserPatch{SlackUserID: &slackID})
	must(t, err)
	f.Queue, err = jobs.New(db, jobs.Config{})
	must(t, err)
	f.Tickets = &ticket.Service{Store: db, Now: f.Clock.Now, Location: f.Settings.Location, Consequences: causes.Tickets}
	f.Links = &link.Service{Store: db, Tickets: f.Tickets, BaseURL: "https://vs.example.com", Consequences: causes.Trackers,
		Now: f.Clock.Now, Providers: tracker.NewRegistry(jira.Factories(jira.Options{Timeout: 2 * time.Second,
			Resilience: httpx.Policy{RatePerSecond: -1, InitialBackoff: 5 * time.Millisecond, MaxBackoff: 20 * time.Millisecond}})...)}
	f.Notify = &dispatch.Service{Store: db, Settings: f.Settings, Trackers: f.Links, Notices: notices, Configure: f.configure}
	f.Monitor = &deadline.Monitor{Store: db, Tickets: f.Tickets, Settings: f.Settings, Notify: f.Notify, AtRisk: causes.Tickets.AtRisk,
		Now: f.Clock.Now}
	f.Scores = &score.Service{Store: db, Now: f.Clock.Now, Consequences: causes.Scores}

	f.Team, err = f.Auth.CreateTeam(ctx, f.Admin, auth.TeamInput{Name: "Payments", Email: TeamEmail,
		SlackChannel: TeamChannel, ManagerEmail: ManagerEmail})
	must(t, err)
	_, _, err = f.Auth.CreateUser(ctx, f.Admin, auth.NewUser{Email: OwnerEmail, Name: "Olga Owner", Role: auth.RoleOwner,
		TeamIDs: []string{f.Team.ID}, SlackUserID: OwnerSlack})
	must(t, err)
	reg := &registry.Service{Store: db}
	f.Vendor, err = reg.CreateVendor(ctx, f.Admin, registry.Vendor{Name: "Visa", Tier: registry.Tier1})
	must(t, err)
	f.App, err = reg.CreateApplication(ctx, f.Admin, registry.Application{Name: "PaymentService", Description: "Calls Visa.",
		OwnerTeamID: f.Team.ID, CreatesTrackerIssue: true, TrackerProjectKey: "PAY", TrackerIssueType: "Task"})
	must(t, err)
	_, err = f.Links.SaveConnection(ctx, f.Admin, link.Input{Kind: jira.KindCloud, BaseURL: f.Jira.URL, Username: jiratest.Email,
		Token: jiratest.APIToken})
	must(t, err)
	_, err = f.Notify.SaveSettings(ctx, f.Admin, dispatch.Input{SlackEnabled: true, SlackToken: slacktest.Token,
		WarRoomChannel: WarRoom, TriageChannel: Triage, EmailEnabled: true, SMTPHost: "127.0.0.1", SMTPPort: f.SMTP.Port,
		SMTPTLS: "none", SMTPUsername: smtptest.User, SMTPPassword: smtptest.Password, SMTPFrom: "VendorSync <vs@acme.test>",
		PagerDutyEnabled: true, PagerDutyRoutingKey: RoutingKey, PagerDutyBaseURL: f.PD.URL(),
		SeniorManagement: []string{SeniorEmail}})
	must(t, err)
	return f
}

// configure points the Slack and PagerDuty clients at their fakes'
// transports (the addresses are in the saved settings) and shortens the
// SMTP timeout.
func (f *Fixture) configure(c *dispatch.ChannelConfig) {
	if c.Slack != nil {
		c.Slack.APIURL, c.Slack.HTTPClient = f.Slack.APIURL(), f.Slack.HTTPClient()
	}
	if c.PagerDuty != nil {
		c.PagerDuty.HTTPClient = f.PD.HTTPClient()
	}
	if c.Email != nil {
		c.Email.Timeout = 3 * time.Second
	}
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

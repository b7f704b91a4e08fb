package deadline_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vendorsync/vendorsync/internal/notify"
	"github.com/vendorsync/vendorsync/internal/notify/dispatch"
	"github.com/vendorsync/vendorsync/internal/notify/dispatch/dispatchtest"
	"github.com/vendorsync/vendorsync/internal/registry"
	"github.com/vendorsync/vendorsync/internal/sqlstore"
	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
	"github.com/vendorsync/vendorsync/internal/ticket"
	"github.com/vendorsync/vendorsync/internal/tracker/jira/jiratest"
)

// start is Monday 5 April 2027, 10:00 UTC (the tenant's zone); working
// hours are 09:00–18:00, Monday to Friday. A 14-day ticket created then is
// due Monday 19 April, 10:00.
var start = time.Date(2027, 4, 5, 10, 0, 0, 0, time.UTC)

// fired is when each escalation kind was first planned, and what.
type fired struct {
	at      time.Time
	targets []string
}

// walk runs the monitor every 15 minutes from the fixture's clock until
// until, delivering what it plans, and records when each kind first
// appeared in the log.
func walk(t *testing.T, f *dispatchtest.Fixture, until time.Time, seen map[notify.Kind]*fired) {
	t.Helper()
	ctx := context.Background()
	for ; !f.Clock.Now().After(until); f.Clock.Advance(15 * time.Minute) {
		if _, err := f.Monitor.Run(ctx); err != nil {
			t.Fatalf("monitor at %s: %v", f.Clock.Now(), err)
		}
		f.RunPlanJobs(t) // the breach alerts committed with the transition
		for _, e := range f.Log(t) {
			if e.Kind == notify.KindTicketCreated {
				continue
			}
			k := seen[e.Kind]
			if k == nil {
				k = &fired{at: f.Clock.Now()}
				seen[e.Kind] = k
			}
			if k.at.Equal(f.Clock.Now()) && !slices.Contains(k.targets, string(e.Channel)+" "+e.Target) {
				k.targets = append(k.targets, string(e.Channel)+" "+e.Target)
			}
		}
		for key, res := range f.DeliverQueued(t, false) {
			if res.Status != dispatch.Sent && !strings.Contains(key, "/ticket_created/") {
				t.Errorf("%s at %s: %s %v", key, f.Clock.Now(), res.Status, res.Err)
			}
		}
	}
}

// TestEscalationTable walks a high ticket from creation past its deadline
// on a simulated clock. Every threshold fires exactly once with the seed's
// actions — D-7 and D-3 at the start of working hours, D-1 at once on a
// Sunday, the breach an hour after the deadline — and the ticket becomes
// breached with its alerts. Each delivery reaches its fake, the Jira
// comments are the seed's.
func TestEscalationTable(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		f := dispatchtest.New(t, db, start)
		tk := f.Ticket(t, registry.SeverityHigh, 14)
		f.CreateIssues(t, tk)
		issue := f.Jira.Issues()[0].Key
		seen := map[notify.Kind]*fired{}
		walk(t, f, start.Add(15*24*time.Hour), seen)

		day := func(d, h, m int) time.Time { return time.Date(2027, 4, d, h, m, 0, 0, time.UTC) }
		want := map[notify.Kind]fired{
			// Monday 12 April: 7 days left from midnight, sent at 09:00.
			notify.KindEscalationD7: {day(12, 9, 0), []string{"email " + dispatchtest.OwnerEmail, "email " + dispatchtest.TeamEmail,
				"slack_dm " + dispatchtest.OwnerSlack, "tracker_comment " + issue}},
			// Friday 16 April: 3 days left, sent at 09:00.
			notify.KindEscalationD3: {day(16, 9, 0), []string{"email " + dispatchtest.ManagerEmail,
				"slack_channel " + dispatchtest.TeamChannel, "tracker_comment " + issue}},
			// Sunday 18 April: 1 day left, sent at once (midnight).
			notify.KindEscalationD1: {day(18, 0, 0), []string{"pagerduty on-call", "slack_channel " + dispatchtest.WarRoom,
				"tracker_comment " + issue}},
			// Monday 19 April, 10:15: the first run after the deadline.
			notify.KindBreach: {day(19, 10, 15), []string{"email " + dispatchtest.AdminEmail, "email " + dispatchtest.SeniorEmail,
				"slack_dm " + dispatchtest.AdminSlack}},
		}
		for k, w := range want {
			got := seen[k]
			if got == nil {
				t.Errorf("%s never fired", k)
				continue
			}
			slices.Sort(got.targets)
			if !got.at.Equal(w.at) || !cmp.Equal(w.targets, got.targets) {
				t.Errorf("%s fired at %s to %q, want %s to %q", k, got.at, got.targets, w.at, w.targets)
			}
		}
		perKind := map[notify.Kind]int{}
		for _, e := range f.Log(t) {
			perKind[e.Kind]++
		}
		for k, w := range want {
			if perKind[k] != len(w.targets) {
				t.Errorf("%s: %d log entries, want %d (once per channel and target)", k, perKind[k], len(w.targets))
			}
		}
		got, err := f.Tickets.Get(context.Background(), f.Admin, tk.Number)
		if err != nil || got.Status != ticket.Breached || got.BreachedAt == nil {
			t.Fatalf("ticket after the deadline: %s %v, %v", got.Status, got.BreachedAt, err)
		}
		comments := f.Jira.Comments(issue)
		if len(comments) != 3 {
			t.Fatalf("%d Jira comments, want 3 (D-7, D-3, D-1)", len(comments))
		}
		for i, th := range []int{7, 3, 1} {
			text := string(comments[i].BodyADF)
			for _, s := range []string{fmt.Sprintf("VendorSync — D-%d reminder", th), "Vendor deadline approaching: April 19, 2027",
				"This Jira issue is linked to VendorSync ticket " + tk.Key(), "Vendor change: Visa — URL endpoint change",
				"please move this Jira issue to Done", "https://vs.example.com/tickets/" + tk.Key()} {
				if !strings.Contains(text, s) {
					t.Errorf("D-%d comment lacks %q:\n%s", th, s, text)
				}
			}
		}
		if n := len(f.PD.Events()); n != 1 {
			t.Errorf("%d pages, want 1 (D-1)", n)
		}
	})
}

// TestNothingAfterResolve resolves a ticket (its Jira issue done, synced)
// after its D-7 reminder was planned but before it went out: the reminder
// is not sent, and no later threshold or breach fires.
func TestNothingAfterResolve(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		f := dispatchtest.New(t, db, start)
		tk := f.Ticket(t, registry.SeverityCritical, 14)
		f.CreateIssues(t, tk)
		f.RunPlanJobs(t) // its ticket_created notifications
		f.Clock.Set(time.Date(2027, 4, 12, 9, 0, 0, 0, time.UTC))
		if _, err := f.Monitor.Run(ctx); err != nil {
			t.Fatal(err)
		}
		f.Jira.SetStatus(f.Jira.Issues()[0].Key, "Done", jiratest.CategoryDone)
		if _, err := f.Links.Sync(ctx, f.Tenant); err != nil {
			t.Fatal(err)
		}
		for key, res := range f.DeliverQueued(t, false) {
			if strings.Contains(key, "/d7/") && (res.Status != dispatch.Failed || !strings.Contains(res.Err.Error(), "resolved")) {
				t.Errorf("%s after resolve: %s %v", key, res.Status, res.Err)
			}
		}
		before := len(f.Log(t))
		seen := map[notify.Kind]*fired{}
		walk(t, f, start.Add(20*24*time.Hour), seen)
		if n := len(f.Log(t)); n != before {
			t.Errorf("%d notifications after the ticket was resolved", n-before)
		}
		if got, _ := f.Tickets.Get(ctx, f.Admin, tk.Number); got.Status != ticket.Resolved {
			t.Errorf("ticket is %s, want resolved", got.Status)
		}
		if len(f.Jira.Comments(f.Jira.Issues()[0].Key)) != 0 {
			t.Error("a reminder was posted on the resolved ticket's issue")
		}
	})
}

// TestMonitorTwice runs the monitor twice in a row and twice at once (two
// replicas) at each threshold: the log's unique key lets each delivery in
// once, and the ticket is breached once.
func TestMonitorTwice(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		f := dispatchtest.New(t, db, start)
		tk := f.Ticket(t, registry.SeverityHigh, 14)
		f.CreateIssues(t, tk)
		counts := map[string]int{}
		for _, at := range []time.Time{
			time.Date(2027, 4, 12, 9, 0, 0, 0, time.UTC), time.Date(2027, 4, 16, 9, 0, 0, 0, time.UTC),
			time.Date(2027, 4, 18, 0, 0, 0, 0, time.UTC), time.Date(2027, 4, 19, 10, 15, 0, 0, time.UTC),
		} {
			f.Clock.Set(at)
			if _, err := f.Monitor.Run(ctx); err != nil {
				t.Fatal(err)
			}
			var wg sync.WaitGroup
			errs := make(chan error, 2)
			for range 2 {
				wg.Go(func() {
					if _, err := f.Monitor.Run(ctx); err != nil {
						errs <- err
					}
				})
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Errorf("concurrent run at %s: %v", at, err)
			}
			f.RunPlanJobs(t)
			f.RunPlanJobs(t)
		}
		for _, e := range f.Log(t) {
			counts[e.DedupKey]++
		}
		n := 0
		for key, c := range counts {
			if c != 1 {
				t.Errorf("%s logged %d times", key, c)
			}
			if !strings.Contains(key, "/ticket_created/") {
				n++
			}
		}
		if n != 13 { // 4 (D-7) + 3 (D-3) + 3 (D-1) + 3 (breach)
			t.Errorf("%d escalation deliveries, want 13", n)
		}
		events, err := f.Tickets.Events(ctx, f.Admin, tk)
		if err != nil {
			t.Fatal(err)
		}
		breaches := 0
		for _, ev := range events {
			if ev.To == ticket.Breached {
				breaches++
			}
		}
		if breaches != 1 {
			t.Errorf("%d breach transitions, want 1", breaches)
		}
	})
}

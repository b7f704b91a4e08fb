package dispatchtest

import (
	"context"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/vendorsync/vendorsync/internal/notify"
	"github.com/vendorsync/vendorsync/internal/notify/dispatch"
	"github.com/vendorsync/vendorsync/internal/registry"
	"github.com/vendorsync/vendorsync/internal/ticket"
)

// Ticket creates a ticket of severity sev due in slaDays, owned by the
// Payments team and affecting PaymentService, as the system would.
func (f *Fixture) Ticket(t testing.TB, sev registry.Severity, slaDays int) ticket.Ticket {
	t.Helper()
	tk, err := f.Tickets.Create(context.Background(), f.Admin, ticket.Draft{VendorID: f.Vendor.ID, Topic: "URL endpoint change",
		Summary: "Visa moves its authorization endpoint.", Severity: sev, SLADays: slaDays, OwnerTeamID: f.Team.ID,
		ApplicationIDs: []string{f.App.ID}})
	must(t, err)
	return tk
}

// CreateIssues runs the ticket's tracker create jobs, so its Jira issues
// exist.
func (f *Fixture) CreateIssues(t testing.TB, tk ticket.Ticket) {
	t.Helper()
	if _, err := f.Links.CreateIssue(context.Background(), f.Tenant, tk.ID, f.App.ID); err != nil {
		t.Fatal(err)
	}
}

// RunPlanJobs runs, as their worker would, every notify.plan job enqueued
// since the last call, and returns how many it ran.
func (f *Fixture) RunPlanJobs(t testing.TB) int {
	t.Helper()
	ctx := context.Background()
	res, err := f.Queue.Client.JobList(ctx, river.NewJobListParams().Kinds("notify.plan").
		States(rivertype.JobStateAvailable).First(1000))
	must(t, err)
	n := 0
	for _, j := range res.Jobs {
		f.mu.Lock()
		seen := f.done[j.ID]
		f.done[j.ID] = true
		f.mu.Unlock()
		if seen {
			continue
		}
		var a notify.PlanJob
		must(t, json.Unmarshal(j.EncodedArgs, &a))
		if _, err := f.Notify.PlanEvent(ctx, a.TenantID, a.Event, a.Snapshot); err != nil {
			t.Fatalf("plan %s: %v", a.Event.Key(), err)
		}
		n++
	}
	return n
}

// Log returns the tenant's whole notification log, oldest first.
func (f *Fixture) Log(t testing.TB) []dispatch.LogEntry {
	t.Helper()
	var all []dispatch.LogEntry
	cursor := ""
	for {
		page, next, err := f.DB.ListNotifications(context.Background(), f.Tenant, dispatch.Filter{Cursor: cursor, Limit: 500})
		must(t, err)
		all = append(all, page...)
		if next == "" {
			break
		}
		cursor = next
	}
	slices.Reverse(all)
	return all
}

// DeliverQueued makes one attempt at every queued entry, as their jobs
// would (last says it is the job's last attempt), and returns the results
// by dedup key.
func (f *Fixture) DeliverQueued(t testing.TB, last bool) map[string]dispatch.Result {
	t.Helper()
	out := map[string]dispatch.Result{}
	for _, e := range f.Log(t) {
		if e.Status != dispatch.Queued {
			continue
		}
		res, err := f.Notify.Deliver(context.Background(), f.Tenant, e.ID, last)
		if err != nil {
			t.Fatalf("deliver %s: %v", e.DedupKey, err)
		}
		out[e.DedupKey] = res
	}
	return out
}

// Eventually polls cond until it holds or 20 seconds pass, for tests that
// run the real queue.
func Eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

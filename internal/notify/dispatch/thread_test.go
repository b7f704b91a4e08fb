package dispatch_test

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vendorsync/vendorsync/internal/notify"
	"github.com/vendorsync/vendorsync/internal/notify/dispatch"
	"github.com/vendorsync/vendorsync/internal/notify/dispatch/dispatchtest"
	"github.com/vendorsync/vendorsync/internal/registry"
	"github.com/vendorsync/vendorsync/internal/sqlstore"
	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
)

// TestThreadUpdate plans a vendor's reply on a critical ticket from its
// job, enqueued twice as a retried job would be: the ticket's channel, the
// owner's DM and the owners' emails (the team mailbox by email only) get
// one message each, and nobody is paged.
func TestThreadUpdate(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		f := dispatchtest.New(t, db, start)
		tk := f.Ticket(t, registry.SeverityCritical, 14)
		f.RunPlanJobs(t)
		f.DeliverQueued(t, false)
		mails, posts := len(f.SMTP.Messages()), len(f.Slack.Calls())

		em := notify.EmailFacts{ID: "e1", From: "Visa Developer <developer@visa.example>", Subject: "Re: [" + tk.Key() + "] endpoint",
			ReceivedAt: start, Excerpt: "The sandbox endpoint is live now.\n\n" + strings.Repeat("More detail. ", 60)}
		for range 2 {
			if err := db.EnqueueJobs(ctx, f.Notify.ThreadUpdate(f.Tenant, tk.ID, em)); err != nil {
				t.Fatal(err)
			}
		}
		if n := f.RunPlanJobs(t); n != 2 {
			t.Fatalf("%d plan jobs, want 2", n)
		}
		var got []dispatch.LogEntry
		for _, e := range f.Log(t) {
			if e.Kind == notify.KindThreadUpdate {
				got = append(got, e)
			}
		}
		want := []string{"email " + dispatchtest.OwnerEmail, "email " + dispatchtest.TeamEmail,
			"slack_channel " + dispatchtest.TeamChannel, "slack_dm " + dispatchtest.OwnerSlack}
		if diff := cmp.Diff(want, targets(got)); diff != "" {
			t.Fatalf("deliveries (-want +got):\n%s", diff)
		}
		for _, e := range got {
			if e.TicketID != tk.ID || e.TicketKey != tk.Key() || e.Snapshot.Email == nil || e.Snapshot.Ticket == nil ||
				len([]rune(e.Snapshot.Email.Excerpt)) > notify.ExcerptLength || !strings.HasPrefix(e.DedupKey, tk.ID+"/e1/thread_update/") {
				t.Errorf("entry %+v", e)
			}
		}
		for key, res := range f.DeliverQueued(t, false) {
			if res.Status != dispatch.Sent {
				t.Errorf("%s: %s %v", key, res.Status, res.Err)
			}
		}
		if n := len(f.SMTP.Messages()) - mails; n != 2 {
			t.Errorf("%d emails, want 2", n)
		}
		var texts []string
		for _, c := range f.Slack.Calls()[posts:] {
			if c.Method == "chat.postMessage" {
				texts = append(texts, c.Form["channel"]+" "+c.Form["text"])
			}
		}
		title := "Vendor update on " + tk.Key() + ": Re: [" + tk.Key() + "] endpoint"
		if diff := cmp.Diff([]string{dispatchtest.TeamChannel + " " + title, "D" + dispatchtest.OwnerSlack + " " + title}, trimLinks(texts)); diff != "" {
			t.Errorf("slack posts (-want +got):\n%s", diff)
		}
		if n := len(f.PD.Events()); n != 1 { // the ticket's own page only
			t.Errorf("%d pages, want 1", n)
		}
	})
}

// trimLinks drops the " — <link>" Slack's fallback texts end with.
func trimLinks(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i], _, _ = strings.Cut(s, " — <")
	}
	return out
}

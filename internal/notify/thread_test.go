package notify_test

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/vendorsync/vendorsync/internal/notify"
	"github.com/vendorsync/vendorsync/internal/notify/notifytest"
	"github.com/vendorsync/vendorsync/internal/registry"
	"github.com/vendorsync/vendorsync/internal/ticket"
)

func TestExcerpt(t *testing.T) {
	long := strings.Repeat("Grüße aus dem Sandbox-Team. ", 40) // > 500 characters, not all ASCII
	tests := []struct {
		name, in, want string
	}{
		{"short text is kept, folded to one paragraph", "Hello,\n\n  the sandbox is live.\r\n", "Hello, the sandbox is live."},
		{"blank is empty", " \n\t", ""},
		{"long text is cut to the limit with an ellipsis", long,
			strings.TrimRight(string([]rune(strings.TrimSpace(long))[:notify.ExcerptLength-1]), " ") + "…"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := notify.Excerpt(tt.in)
			if got != tt.want {
				t.Errorf("Excerpt = %q, want %q", got, tt.want)
			}
			if n := utf8.RuneCountInString(got); n > notify.ExcerptLength {
				t.Errorf("%d characters, more than %d", n, notify.ExcerptLength)
			}
			if again := notify.Excerpt(got); again != got {
				t.Errorf("Excerpt of the excerpt changed it: %q", again)
			}
		})
	}
}

func TestThreadUpdateEvent(t *testing.T) {
	e := notify.ThreadUpdateEvent("t1", "e1")
	if e.Kind != notify.KindThreadUpdate || e.Key() != "t1/e1/thread_update" || e.TicketID() != "t1" {
		t.Errorf("event %+v: key %q, ticket %q", e, e.Key(), e.TicketID())
	}
	for e, want := range map[notify.Event]string{
		{Kind: notify.KindTicketCreated, Subject: "t1"}:   "t1",
		notify.EscalationEvent("t1", 3):                   "t1",
		{Kind: notify.KindUnknownVendor, Subject: "e1"}:   "",
		{Kind: notify.KindUserProvisioned, Subject: "u1"}: "",
		{Kind: notify.KindThreadUpdate, Subject: "t2/e2"}: "t2",
	} {
		if got := e.TicketID(); got != want {
			t.Errorf("%s TicketID = %q, want %q", e.Key(), got, want)
		}
	}
}

// TestNewThreadUpdateSnapshot freezes a vendor's reply on the seed's
// ticket: the ticket as every ticket notification shows it, the email's
// arrival in the tenant's zone and an excerpt within the limit.
func TestNewThreadUpdateSnapshot(t *testing.T) {
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	due, _ := ticket.Date("2027-04-20").EndOf(loc)
	tk := ticket.Ticket{ID: notifytest.TicketID, Number: 2847, Topic: "URL endpoint change",
		Summary:  notifytest.Snapshot().Ticket.Summary,
		Severity: registry.SeverityHigh, Status: ticket.Open, EffectiveDate: "2027-04-20", SLADays: 14, DueAt: due,
		Applications: []ticket.TicketApplication{{Name: "PaymentService"}, {Name: "Checkout"}}}
	em := notify.EmailFacts{ID: "e1", From: "Visa Developer <developer@visa.example>", Subject: "Re: [VS-2847] URL endpoint change",
		ReceivedAt: time.Date(2027, 4, 13, 9, 12, 0, 0, loc), Excerpt: strings.Repeat("sandbox ", 100)}
	got := notify.NewThreadUpdateSnapshot(tk, "Visa", "Payments", em, loc, "https://vendorsync.company.com/", notifytest.Now)

	want := notifytest.Snapshot()
	want.Email = &notify.EmailFacts{ID: "e1", From: em.From, Subject: em.Subject, ReceivedAt: time.Date(2027, 4, 13, 7, 12, 0, 0, time.UTC),
		Received: "April 13, 2027 09:12 CEST", Excerpt: notify.Excerpt(em.Excerpt)}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("snapshot (-want +got):\n%s", diff)
	}
	m, err := notify.Compose(notify.ThreadUpdateEvent(tk.ID, em.ID), got)
	if err != nil {
		t.Fatal(err)
	}
	if m.Title != "Vendor update on VS-2847: Re: [VS-2847] URL endpoint change" || m.Link != notifytest.Link || m.Comment != "" {
		t.Errorf("message: title %q, link %q, comment %q", m.Title, m.Link, m.Comment)
	}
	if _, err := notify.Compose(notify.ThreadUpdateEvent(tk.ID, em.ID), notifytest.Snapshot()); err == nil {
		t.Error("a thread update without its email composed")
	}
}

// TestPlanThreadUpdate: whatever the ticket's severity, a vendor's reply
// goes to the ticket's channel and to every owner by Slack DM and email,
// never to PagerDuty, managers or admins; each delivery is keyed by the
// ticket, the email, the channel and the target.
func TestPlanThreadUpdate(t *testing.T) {
	want := []string{"slack_channel→#payments-changes", "slack_dm→U0OLGA", "slack_dm→otto@company.com",
		"email→olga@company.com", "email→otto@company.com"}
	for _, sev := range []registry.Severity{registry.SeverityCritical, registry.SeverityHigh, registry.SeverityMedium, registry.SeverityLow} {
		t.Run(string(sev), func(t *testing.T) {
			got := notify.Route(notify.ThreadUpdateEvent("t1", "e1"), sev, recipients)
			if diff := cmp.Diff(want, summary(got)); diff != "" {
				t.Errorf("deliveries (-want +got):\n%s", diff)
			}
		})
	}
	got := notify.Route(notify.ThreadUpdateEvent("t1", "e1"), registry.SeverityCritical, recipients)
	if got[0].DedupKey != "t1/e1/thread_update/slack_channel/#payments-changes" || got[3].DedupKey != "t1/e1/thread_update/email/olga@company.com" {
		t.Errorf("dedup keys %q, %q", got[0].DedupKey, got[3].DedupKey)
	}
	other := notify.Route(notify.ThreadUpdateEvent("t1", "e2"), registry.SeverityCritical, recipients)
	if other[0].DedupKey == got[0].DedupKey {
		t.Errorf("two emails on one ticket share the key %q", got[0].DedupKey)
	}
}

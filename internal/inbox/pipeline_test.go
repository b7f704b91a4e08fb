package inbox_test

import (
	"context"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vendorsync/vendorsync/internal/audit"
	"github.com/vendorsync/vendorsync/internal/inbox"
	"github.com/vendorsync/vendorsync/internal/mail"
	"github.com/vendorsync/vendorsync/internal/registry"
	"github.com/vendorsync/vendorsync/internal/sqlstore"
	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
	"github.com/vendorsync/vendorsync/internal/ticket"
)

// demo renders one demo email for the test's today.
func demo(t testing.TB, name string) []byte {
	t.Helper()
	raw, err := inbox.DemoEmail(time.Now(), name)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// receive uploads raw as the tenant's admin.
func (w *world) receive(t testing.TB, raw []byte) inbox.Email {
	t.Helper()
	e, err := w.svc.Receive(context.Background(), w.admin, raw, mail.SourceRef{Kind: mail.SourceUpload})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// process runs the email's job once, as its only attempt.
func (w *world) process(t testing.TB, e inbox.Email) inbox.Email {
	t.Helper()
	out, err := w.svc.Process(context.Background(), w.tenant.ID, e.ID, 1, 1)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// ticketOf reads the ticket an email opened or updated.
func (w *world) ticketOf(t testing.TB, e inbox.Email) ticket.Ticket {
	t.Helper()
	if e.TicketID == "" {
		t.Fatalf("email %q (%s) has no ticket", e.Subject, e.Status)
	}
	tk, err := w.tickets.ByID(context.Background(), w.sys, e.TicketID)
	if err != nil {
		t.Fatal(err)
	}
	return tk
}

// tickets lists every ticket of the tenant.
func (w *world) allTickets(t testing.TB) []ticket.Ticket {
	t.Helper()
	ts, _, err := w.tickets.List(context.Background(), w.sys, ticket.Filter{Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	return ts
}

// names maps registry ids to names, for readable assertions.
func (w *world) names(ids ...string) []string {
	var out []string
	for _, id := range ids {
		for _, v := range w.snap.Vendors {
			if v.ID == id {
				out = append(out, v.Name)
			}
		}
		for _, a := range w.snap.Applications {
			if a.ID == id {
				out = append(out, a.Name)
			}
		}
	}
	sort.Strings(out)
	return out
}

func TestPipeline(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		w := newWorld(t, db)
		t.Run("a vendor change becomes a ticket with the right vendor, applications and severity", func(t *testing.T) {
			e := w.process(t, w.receive(t, demo(t, "01_visa_endpoint.eml")))
			if e.Status != inbox.Triaged || e.DecisionSource != "offline" || e.Attempts != 1 {
				t.Fatalf("email = %s from %q after %d attempts: %s", e.Status, e.DecisionSource, e.Attempts, e.Error)
			}
			tk := w.ticketOf(t, e)
			var apps []string
			for _, a := range tk.Applications {
				apps = append(apps, a.ApplicationID)
			}
			got := []string{tk.Key(), string(tk.Severity), string(tk.Status), tk.EmailID}
			if diff := cmp.Diff([]string{"VS-0001", "critical", "open", e.ID}, got); diff != "" {
				t.Errorf("ticket (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff([]string{"PaymentService", "RiskEngine", "Visa"}, w.names(append(apps, tk.VendorID)...)); diff != "" {
				t.Errorf("routing (-want +got):\n%s", diff)
			}
			if tk.EffectiveDate.IsZero() || tk.SLADays != 14 || len(tk.Decision) == 0 || tk.Reasoning == "" {
				t.Errorf("ticket lacks its decision: date %q, SLA %d, reasoning %q", tk.EffectiveDate, tk.SLADays, tk.Reasoning)
			}
			// The offline triage's summary: the email's sentences on the
			// change, its date and its consequence, not the whole body.
			if !strings.HasPrefix(tk.Summary, "As announced in the VisaNet Business Enhancements release, Visa is moving") ||
				!strings.HasSuffix(tk.Summary, "The old URL will be decommissioned on that date and requests sent to it will be rejected.") ||
				contains(tk.Summary, "Dear Visa client") || contains(tk.Summary, "Regards") {
				t.Errorf("summary = %q", tk.Summary)
			}
		})
		t.Run("the same Message-ID twice is one ticket and a duplicate", func(t *testing.T) {
			dup := w.receive(t, demo(t, "01_visa_endpoint.eml"))
			if dup.Status != inbox.Duplicate || dup.DuplicateOf == "" {
				t.Fatalf("second arrival = %s of %q", dup.Status, dup.DuplicateOf)
			}
			if got := w.process(t, dup); got.Status != inbox.Duplicate {
				t.Errorf("processing a duplicate made it %s", got.Status)
			}
			if n := len(w.allTickets(t)); n != 1 {
				t.Errorf("%d tickets, want 1", n)
			}
		})
		t.Run("the same Message-ID with other headers but the same content is a duplicate", func(t *testing.T) {
			raw := "Received: from relay2.example by mx.acme.example; Fri, 4 Dec 2026 10:00:00 +0000\r\n" + string(demo(t, "01_visa_endpoint.eml"))
			if dup := w.receive(t, []byte(raw)); dup.Status != inbox.Duplicate {
				t.Fatalf("re-delivery through another relay = %s, want duplicate", dup.Status)
			}
		})
		t.Run("a reply attaches to the ticket of its original", func(t *testing.T) {
			e := w.process(t, w.receive(t, demo(t, "09_visa_endpoint_reply.eml")))
			if e.Status != inbox.Thread || w.ticketOf(t, e).Key() != "VS-0001" {
				t.Fatalf("reply = %s on %q", e.Status, e.TicketID)
			}
			evs, err := w.tickets.Events(context.Background(), w.sys, w.ticketOf(t, e))
			if err != nil {
				t.Fatal(err)
			}
			last := evs[len(evs)-1]
			if last.Kind != ticket.EventThreadUpdate || last.EmailID != e.ID || !contains(last.Body, "sandbox") || contains(last.Body, "> Effective") {
				t.Errorf("timeline ends with %+v", last)
			}
		})
		t.Run("a [VS-0001] subject tag threads mail from anyone", func(t *testing.T) {
			raw := []byte("From: ops@partner.example\r\nTo: changes@acme.test\r\nSubject: Re: [VS-0001] cut-over plan\r\n" +
				"Message-ID: <tag@partner.example>\r\n\r\nWe will switch on the morning of the cut-over.\r\n")
			e := w.process(t, w.receive(t, raw))
			if e.Status != inbox.Thread || w.ticketOf(t, e).Key() != "VS-0001" {
				t.Fatalf("tagged reply = %s on %q", e.Status, e.TicketID)
			}
			if n := len(w.allTickets(t)); n != 1 {
				t.Errorf("%d tickets, want 1", n)
			}
		})
		t.Run("an unknown sender waits for a person", func(t *testing.T) {
			e := w.process(t, w.receive(t, demo(t, "10_unknown_logistics.eml")))
			if e.Status != inbox.Unknown || e.TicketID != "" || !contains(e.Reason(), "no vendor in the registry") {
				t.Errorf("unknown sender = %s, ticket %q, reason %q", e.Status, e.TicketID, e.Reason())
			}
		})
		t.Run("a webinar is informational", func(t *testing.T) {
			e := w.process(t, w.receive(t, demo(t, "11_mastercard_webinar.eml")))
			if e.Status != inbox.Informational || e.TicketID != "" {
				t.Errorf("webinar = %s, ticket %q", e.Status, e.TicketID)
			}
		})
		t.Run("a forwarded notice is triaged by its original sender", func(t *testing.T) {
			e := w.process(t, w.receive(t, demo(t, "13_forwarded_reuters.eml")))
			if diff := cmp.Diff([]string{"client-notices@lseg.com"}, e.ForwardedSenders); diff != "" {
				t.Errorf("forwarded senders (-want +got):\n%s", diff)
			}
			if e.Status != inbox.Triaged || !slices.Contains(w.names(w.ticketOf(t, e).VendorID), "Thomson Reuters") {
				t.Errorf("forward = %s", e.Status)
			}
		})
		t.Run("the audit log records the decision", func(t *testing.T) {
			es, _, err := w.svc.List(context.Background(), w.admin, inbox.Filter{Query: "Refinitiv"})
			if err != nil || len(es) != 1 {
				t.Fatalf("%v %v", es, err)
			}
			rows, _, err := db.ListAudit(context.Background(), w.tenant.ID, audit.Filter{EntityType: "email", EntityID: es[0].ID})
			if err != nil {
				t.Fatal(err)
			}
			var actions []string
			for _, r := range rows {
				actions = append(actions, r.Action)
				if r.Action == "email.triage" && (!contains(r.After, `"overrides":[]`) || !contains(r.After, `"reasoning"`) || !contains(r.After, `"severity":"critical"`)) {
					t.Errorf("triage audit row lacks the decision or its overrides: %s", r.After)
				}
			}
			sort.Strings(actions)
			if diff := cmp.Diff([]string{"email.receive", "email.triage"}, actions); diff != "" {
				t.Errorf("audit actions (-want +got):\n%s", diff)
			}
		})
	})
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }

// TestLoadDemo loads the demo emails twice: the second time adds nothing.
func TestLoadDemo(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		w := newWorld(t, db)
		res, err := inbox.LoadDemo(ctx, w.svc, w.tenant.ID)
		if err != nil {
			t.Fatal(err)
		}
		want := map[inbox.Status]int{inbox.Triaged: 9, inbox.Thread: 1, inbox.Unknown: 1, inbox.Informational: 2}
		if diff := cmp.Diff(want, res.Statuses); diff != "" || !res.Loaded {
			t.Errorf("statuses (-want +got):\n%s", diff)
		}
		sev := map[registry.Severity]int{}
		for _, tk := range w.allTickets(t) {
			sev[tk.Severity]++
		}
		if len(sev) < 3 {
			t.Errorf("demo ticket severities %v: want at least three kinds", sev)
		}
		again, err := inbox.LoadDemo(ctx, w.svc, w.tenant.ID)
		if err != nil || again.Loaded {
			t.Fatalf("second load: %+v, %v", again, err)
		}
		es, _, err := w.svc.List(ctx, w.admin, inbox.Filter{Limit: 100})
		if err != nil || len(es) != 13 {
			t.Errorf("%d emails after loading twice (%v), want 13", len(es), err)
		}
	})
}

// TestReusedMessageID: a Message-ID reused for different content (a
// corrected notice re-sent under the old id) is a new email, flagged and
// triaged; the same content again is a duplicate.
func TestReusedMessageID(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		w := newWorld(t, db)
		first := w.process(t, w.receive(t, demo(t, "01_visa_endpoint.eml")))
		raw := strings.Replace(string(demo(t, "01_visa_endpoint.eml")), "Visa is moving", "Visa is now moving", 1)
		corrected := w.receive(t, []byte(raw))
		if corrected.Status != inbox.Received || corrected.ReusesMessageIDOf != first.ID {
			t.Fatalf("corrected notice = %s, reuses %q (first arrival %q)", corrected.Status, corrected.ReusesMessageIDOf, first.ID)
		}
		if got := w.process(t, corrected); got.Status != inbox.Triaged {
			t.Errorf("corrected notice processed to %s: %s", got.Status, got.Error)
		}
		// Sent again, the corrected notice is a duplicate of itself.
		if again := w.receive(t, []byte(raw)); again.Status != inbox.Duplicate || again.DuplicateOf != corrected.ID {
			t.Errorf("the corrected notice again = %s of %q, want duplicate of %q", again.Status, again.DuplicateOf, corrected.ID)
		}
	})
}

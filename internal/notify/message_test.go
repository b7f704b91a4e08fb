package notify_test

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"
	_ "time/tzdata" // snapshots are taken in Europe/Berlin

	"github.com/google/go-cmp/cmp"

	"github.com/vendorsync/vendorsync/internal/notify"
	"github.com/vendorsync/vendorsync/internal/notify/notifytest"
	"github.com/vendorsync/vendorsync/internal/registry"
	"github.com/vendorsync/vendorsync/internal/ticket"
)

var update = flag.Bool("update", false, "rewrite golden files")

// seedComment is the seed's Jira comment, word for word.
const seedComment = "🔔 VendorSync — D-7 reminder\n\n" +
	"Vendor deadline approaching: April 20, 2027 (in 7 days)\n\n" +
	"This Jira issue is linked to VendorSync ticket VS-2847.\n" +
	"Vendor change: Visa — URL endpoint change\n\n" +
	"If this change has been completed, please move this Jira issue to Done.\n\n" +
	"VendorSync ticket: https://vendorsync.company.com/tickets/VS-2847"

func TestTrackerCommentIsTheSeeds(t *testing.T) {
	s := notifytest.Snapshot()
	if got := notify.TrackerComment(*s.Ticket, 7, s.Link); got != seedComment {
		t.Errorf("TrackerComment:\n%s\nwant:\n%s", got, seedComment)
	}
	if got := notifytest.Message(t, notify.KindEscalationD7, 7).Comment; got != seedComment {
		t.Errorf("D-7 message comment:\n%s\nwant:\n%s", got, seedComment)
	}
	if got := notifytest.Message(t, notify.KindTicketCreated, 0).Comment; got != "" {
		t.Errorf("ticket_created has a tracker comment: %q", got)
	}
}

func TestNewTicketSnapshot(t *testing.T) {
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	due, _ := ticket.Date("2027-04-20").EndOf(loc)
	tk := ticket.Ticket{
		ID: notifytest.TicketID, Number: 2847, Topic: "URL endpoint change",
		Summary:  notifytest.Snapshot().Ticket.Summary,
		Severity: registry.SeverityHigh, Status: ticket.Open, EffectiveDate: "2027-04-20", SLADays: 14, DueAt: due,
		Applications: []ticket.TicketApplication{{Name: "PaymentService"}, {Name: "Checkout"}},
	}
	now := notifytest.Now.Add(123 * time.Millisecond)
	got := notify.NewTicketSnapshot(tk, "Visa", "Payments", loc, "https://vendorsync.company.com/", now)
	if diff := cmp.Diff(notifytest.Snapshot(), got); diff != "" {
		t.Errorf("snapshot (-want +got):\n%s", diff)
	}

	t.Run("stored and read back, it renders the same", func(t *testing.T) {
		b, err := json.Marshal(got)
		if err != nil {
			t.Fatal(err)
		}
		var back notify.Snapshot
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatal(err)
		}
		e := notify.EscalationEvent(tk.ID, 7)
		m1, err1 := notify.Compose(e, got)
		m2, err2 := notify.Compose(e, back)
		if err1 != nil || err2 != nil {
			t.Fatalf("Compose: %v, %v", err1, err2)
		}
		if diff := cmp.Diff(m1, m2); diff != "" {
			t.Errorf("re-rendered message differs (-first +again):\n%s", diff)
		}
	})
}

// TestCompose renders every kind and compares with testdata/messages.json
// (go test -update rewrites it).
func TestCompose(t *testing.T) {
	s := notifytest.Snapshot()
	received := time.Date(2027, 4, 13, 7, 12, 0, 0, time.UTC)
	loc, _ := time.LoadLocation("Europe/Berlin")
	thread := notifytest.Snapshot()
	thread.Email = &notify.EmailFacts{ID: "email-2", From: "Visa Developer <developer@visa.example>",
		Subject: "Re: [VS-2847] URL\n endpoint change", ReceivedAt: received, Received: "April 13, 2027 09:12 CEST",
		Excerpt: "The sandbox endpoint is live now; production follows on April 20."}
	cases := []struct {
		e notify.Event
		s notify.Snapshot
	}{
		{notify.Event{Kind: notify.KindTicketCreated, Subject: notifytest.TicketID}, s},
		{notify.EscalationEvent(notifytest.TicketID, 7), s},
		{notify.EscalationEvent(notifytest.TicketID, 3), s},
		{notify.EscalationEvent(notifytest.TicketID, 1), s},
		{notify.EscalationEvent(notifytest.TicketID, 0), s},
		{notify.ThreadUpdateEvent(notifytest.TicketID, "email-2"), thread},
		{notify.Event{Kind: notify.KindUnknownVendor, Subject: "email-1"}, notify.NewEmailSnapshot(notify.EmailFacts{
			ID: "email-1", From: "noreply@newvendor.example", Subject: "Important:\n API sunset", ReceivedAt: received,
		}, loc, "https://vendorsync.company.com/triage/email-1", notifytest.Now)},
		{notify.Event{Kind: notify.KindUserProvisioned, Subject: "user-1"}, notify.NewUserSnapshot(notify.UserFacts{
			ID: "user-1", Name: "Ada Lovelace", Email: "ada@company.com", Role: "viewer",
		}, "https://vendorsync.company.com/admin/users/user-1", notifytest.Now)},
		{notify.Event{Kind: notify.KindTest, Subject: "test-1"}, notify.NewTestSnapshot("", "https://vendorsync.company.com", notifytest.Now)},
	}
	var got []notify.Message
	for _, c := range cases {
		m, err := notify.Compose(c.e, c.s)
		if err != nil {
			t.Fatalf("Compose %s: %v", c.e.Kind, err)
		}
		again, _ := notify.Compose(c.e, c.s)
		if diff := cmp.Diff(m, again); diff != "" {
			t.Errorf("%s: Compose is not deterministic:\n%s", c.e.Kind, diff)
		}
		got = append(got, m)
	}
	golden(t, filepath.Join("testdata", "messages.json"), got)
}

func TestComposeRefusesMissingFacts(t *testing.T) {
	for _, k := range []notify.Kind{notify.KindTicketCreated, notify.KindBreach, notify.KindThreadUpdate, notify.KindUnknownVendor,
		notify.KindUserProvisioned, "nope"} {
		if _, err := notify.Compose(notify.Event{Kind: k, Subject: "x"}, notify.Snapshot{}); err == nil {
			t.Errorf("%s without facts: accepted", k)
		}
	}
}

func TestEscalationKind(t *testing.T) {
	for th, want := range map[int]notify.Kind{
		-1: notify.KindBreach, 0: notify.KindBreach, 1: notify.KindEscalationD1, 2: notify.KindEscalationD3,
		3: notify.KindEscalationD3, 4: notify.KindEscalationD7, 7: notify.KindEscalationD7, 14: notify.KindEscalationD7,
	} {
		if got := notify.EscalationKind(th); got != want {
			t.Errorf("EscalationKind(%d) = %s, want %s", th, got, want)
		}
	}
	if got := notify.EscalationEvent("t1", 14).Key(); got != "t1/d14" {
		t.Errorf("key of D-14 = %q", got)
	}
	if got := notify.EscalationEvent("t1", 0).Key(); got != "t1/breach" {
		t.Errorf("key of breach = %q", got)
	}
}

// golden compares v, as indented JSON, with the file at path.
func golden(t *testing.T, path string, v any) {
	t.Helper()
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	b = append(b, '\n')
	if *update {
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file (run with -update to create it): %v", err)
	}
	if diff := cmp.Diff(string(want), string(b)); diff != "" {
		t.Errorf("%s differs (-want +got):\n%s", path, diff)
	}
}

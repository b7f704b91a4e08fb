// Package notifytest holds the sample notifications the notify packages'
// tests render: the seed's own example ticket, VS-2847 "Visa — URL
// endpoint change", seven days before its deadline.
package notifytest

import (
	"testing"
	"time"

	"github.com/vendorsync/vendorsync/internal/notify"
	"github.com/vendorsync/vendorsync/internal/registry"
	"github.com/vendorsync/vendorsync/internal/ticket"
)

// TicketID is the sample ticket's id.
const TicketID = "0190f3a2-7c1e-7000-8000-000000002847"

// Link is the sample ticket's page, as in the seed.
const Link = "https://vendorsync.company.com/tickets/VS-2847"

// Now is when the sample snapshot is taken: 13 April 2027, 10:00 in Berlin.
var Now = time.Date(2027, 4, 13, 8, 0, 0, 0, time.UTC)

// Snapshot is the seed's example ticket, frozen at Now.
func Snapshot() notify.Snapshot {
	return notify.Snapshot{
		TakenAt:  Now,
		Timezone: "Europe/Berlin",
		Link:     Link,
		Ticket: &notify.TicketFacts{
			ID: TicketID, Key: "VS-2847", Vendor: "Visa", Topic: "URL endpoint change",
			Summary:  "Visa moves its authorization endpoint to a new host name. Clients must switch before the old one is retired.",
			Severity: registry.SeverityHigh, Status: ticket.Open, EffectiveDate: "2027-04-20", SLADays: 14,
			DueAt:    time.Date(2027, 4, 20, 21, 59, 59, 0, time.UTC),
			Deadline: "April 20, 2027", DaysLeft: 7,
			Applications: []string{"PaymentService", "Checkout"},
			Owner:        "Payments",
		},
	}
}

// Message composes the sample ticket's message for an event of kind k
// (with threshold for escalations).
func Message(t testing.TB, k notify.Kind, threshold int) notify.Message {
	t.Helper()
	m, err := notify.Compose(notify.Event{Kind: k, Subject: TicketID, Threshold: threshold}, Snapshot())
	if err != nil {
		t.Fatalf("compose %s: %v", k, err)
	}
	return m
}

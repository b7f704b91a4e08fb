package triage

import (
	"context"
	"testing"
	"time"

	"github.com/vendorsync/vendorsync/internal/registry"
)

// TestDateOfMailReadLate: an email read weeks after it was sent (a backlog,
// a re-run) still gives the day its change takes effect, even when that
// day is already past; only dates before it was sent are history.
func TestDateOfMailReadLate(t *testing.T) {
	sent := time.Date(2026, 11, 3, 16, 0, 0, 0, time.UTC)
	today := Date{2027, 3, 1}
	checkDates(t, "Notice", "notices@vendor.example", sent, today, []dateCase{
		{"a relative deadline that has passed since", "The token signing key of your tenant will be replaced in 30 days.", "2026-12-03"},
		{"a written deadline that has passed since", "Legacy API keys are refused from January 12, 2027.", "2027-01-12"},
		{"a date before the email was sent is history", "On October 20, 2026 we found the leak. Rotate the secrets by 15 December 2026.", "2026-12-15"},
		{"the sending day without a deadline word is the notice's own date", "This notice was published on 3 November 2026. Old ciphers are refused from 1 February 2027.", "2027-02-01"},
	})
}

// dateCase is a made-up email body and the effective date it gives.
type dateCase struct{ name, body, want string }

// checkDates reads each case's date as sent by from on sent, read today.
func checkDates(t *testing.T, subject, from string, sent time.Time, today Date, cases []dateCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fd, ok := extractDate(subject, c.body, from, "", sent, today, time.UTC)
			if !ok || fd.date.String() != c.want {
				t.Errorf("date %s from %q (%s), want %s", fd.date, fd.text, fd.note, c.want)
			}
		})
	}
}

// TestDeadlineOfMailReadLateCountsFromTheNotice: read after its deadline, a
// notice that gave 60 days is still a 30–90-day deadline, not an overdue
// one made critical by the reader's clock.
func TestDeadlineOfMailReadLateCountsFromTheNotice(t *testing.T) {
	sent := testNow.AddDate(0, 0, -100)
	e := Email{MessageID: "late@zendesk.com", FromAddress: "developers@zendesk.com", Date: sent,
		Subject: "Zendesk API: the legacy search endpoint will be removed",
		Body: "The legacy search endpoint will be removed on " + sent.AddDate(0, 0, 60).Format("January 2, 2006") +
			". Requests to it will return 410 after that date; move to the export search endpoint."}
	d, err := (&Agent{}).Decide(context.Background(), e, testRegistry(), testSettings())
	if err != nil {
		t.Fatal(err)
	}
	if want := DateOf(sent.AddDate(0, 0, 60), time.UTC); d.EffectiveDate != want || d.Severity != registry.SeverityHigh {
		t.Errorf("got %s %s, want %s high\n%s", d.EffectiveDate, d.Severity, want, d.Reasoning)
	}
}

package triage

import (
	"context"
	"testing"
	"time"
)

// TestDatesBesideTheChange: dates of the steps around a change — the
// replacement becoming available on a table row, the outgoing credential's
// remaining validity, a survey or a reply asked for — lose to the change's
// own date, and a reply-by date is never taken for one.
func TestDatesBesideTheChange(t *testing.T) {
	sent := time.Date(2027, 4, 6, 8, 0, 0, 0, time.UTC)
	checkDates(t, "Notice", "notices@vendor.example", sent, DateOf(sent, time.UTC), []dateCase{
		{"a table row of the replacement becoming available",
			"Milestone | Date\nNew token endpoint generally available | May 3, 2027\nCalls to the old token endpoint fail | Aug 31, 2027", "2027-08-31"},
		{"a table row of a registration opening",
			"Step | Date\nRegistration opens in the portal | 05/10/2027\nUnregistered traffic rejected | 09/30/2027", "2027-09-30"},
		{"a table row saying the old one is no longer available is the change",
			"Step | Date\nv1 will no longer be available | 2027-07-15\nv3 preview | 2027-09-01", "2027-07-15"},
		{"the outgoing key's remaining validity",
			"The signing key will be replaced in 20 days. The current signing key stays valid until June 30, 2027, but is no longer used after the replacement.", "2027-04-26"},
		{"the outgoing certificate's validity alone is still a date",
			"Your current certificate remains valid until 30 June 2027; upload the renewed one before then.", "2027-06-30"},
		{"a survey's closing date", "Please fill in our short survey by April 20, 2027. Legacy webhooks stop on July 1, 2027.", "2027-07-01"},
		{"a reply asked for elsewhere leaves the deadline", "If you have questions, reply to this email. TLS 1.0 is refused from 1 June 2027.", "2027-06-01"},
	})
	t.Run("a reply-by date alone is no effective date", func(t *testing.T) {
		if fd, ok := extractDate("How are we doing?", "Just reply to this email by May 2 with what works for your team.", "success@vendor.example", "",
			sent, DateOf(sent, time.UTC), time.UTC); ok {
			t.Errorf("date %s from %q, want none", fd.date, fd.text)
		}
	})
}

// TestFeeUpdateNoticeHasNoDate: an informational notice of fee or price
// updates says when new prices apply, not a change's effective date; an
// informational notice of a change keeps its "starting" date.
func TestFeeUpdateNoticeHasNoDate(t *testing.T) {
	snap := testRegistry()
	for _, c := range []struct{ name, subject, body, want string }{
		{"fee updates", "Scheme fee updates effective July 1, 2027",
			"Card scheme fee updates take effect on July 1, 2027 and pass through at cost. No action is required and nothing changes in your integration.", ""},
		{"a change starting a date", "Help center theme",
			"Starting July 1, 2027 the help center uses the new default theme. No action is required.", "2027-07-01"},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := Email{MessageID: c.name + "@zendesk.com", FromAddress: "billing@zendesk.com", Date: testNow, Subject: c.subject, Body: c.body}
			d, err := (&Agent{}).Decide(context.Background(), e, snap, testSettings())
			if err != nil {
				t.Fatal(err)
			}
			if d.Classification != Informational || d.EffectiveDate.String() != c.want {
				t.Errorf("got %s %q, want informational %q\n%s", d.Classification, d.EffectiveDate, c.want, d.Reasoning)
			}
		})
	}
}

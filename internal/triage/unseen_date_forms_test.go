package triage

import (
	"context"
	"testing"
	"time"
)

// TestMoreDateForms covers date forms a third held-out organisation's
// mail used: each is read as the day the change takes effect.
func TestMoreDateForms(t *testing.T) {
	sent := time.Date(2027, 6, 8, 13, 0, 0, 0, time.UTC) // a Tuesday
	cases := []struct{ name, body, want string }{
		{"a day of next month", "From the 1st of next month every webhook is signed only with the new secret.", "2027-07-01"},
		{"the first of next month", "Old tokens are refused from the first of next month.", "2027-07-01"},
		{"a half year", "The classic editor will be retired in H2 2027. Rebuild your plugins before the retirement.", "2027-12-31"},
		{"the first half of a year", "Version 3 is switched off in the first half of 2028.", "2028-06-30"},
		{"close of business on a weekday", "On 6 June 2027 we found the breach. Rotate every client secret by close of business Friday.", "2027-06-11"},
		{"the week of a day", "In the week of 12 July we will start connecting to your origins only from the new ranges.", "2027-07-12"},
		{"a written-out day", "We will replace the certificate on the third of August 2027 at 15:00 UTC.", "2027-08-03"},
		{"a written-out day without a year", "Old keys are refused from the twenty-first of September.", "2027-09-21"},
		{"a weekday before a day without a year", "On Monday 16 August we turn off plain RTMP ingest.", "2027-08-16"},
	}
	wantDates(t, sent, cases)
	t.Run("a table's column headed by a deadline word beats an earlier one", func(t *testing.T) {
		body := "API v1 is being retired. The schedule:\n\n  Environment | v1 read-only | v1 switched off\n  ------------+--------------+----------------\n" +
			"  Test        | 02 Aug 2027  | 06 Sep 2027\n  Live        | 04 Oct 2027  | 01 Nov 2027\n\nFrom the switch-off date, v1 calls fail with HTTP 410.\n"
		fd, ok := extractDate("API v1 sunset schedule", body, "platform@vendor.example", "", sent, DateOf(sent, time.UTC), time.UTC)
		if !ok || fd.date.String() != "2027-11-01" {
			t.Errorf("date %s from %q (%s), want 2027-11-01", fd.date, fd.text, fd.note)
		}
	})
	t.Run("a forwarded message's relative date counts from its own date line", func(t *testing.T) {
		forwarded := time.Date(2027, 6, 16, 12, 40, 0, 0, time.UTC)
		body := "Forwarding to the vendor inbox.\n\n---------- Forwarded message ---------\nFrom: Support <support@vendor.example>\n" +
			"Date: Tue, Jun 15, 2027 at 3:05 PM\nSubject: Minimum version\n\nApp versions older than 5.0 will stop syncing routes within two weeks.\n"
		fd, ok := extractDate("Fwd: Minimum version", body, "staff@customer.example", "", forwarded, DateOf(forwarded, time.UTC), time.UTC)
		if !ok || fd.date.String() != "2027-06-29" {
			t.Errorf("date %s from %q (%s), want 2027-06-29", fd.date, fd.text, fd.note)
		}
	})
}

// TestMoreDateFormsOnTheModelPath checks that a model's answer without a
// date gets the one the email gives in one of those forms.
func TestMoreDateFormsOnTheModelPath(t *testing.T) {
	agent, _ := openAIAgent(t, modelAnswer(t, map[string]any{"vendor_id": "v-mail", "affected_application_ids": []string{"app-news"},
		"matched_rule_ids": []string{}, "owner_team": "", "alert_channel": "", "effective_date": ""}))
	d, err := agent.Decide(context.Background(), Email{MessageID: "m@x", FromAddress: "compliance@postwick.example", Subject: "Sending domain keys",
		Body: "Your DKIM key must be replaced. From the 1st of next month we sign only with the new key; mail without the new record will fail DKIM.", Date: testNow},
		formsRegistry(), testSettings())
	if err != nil {
		t.Fatal(err)
	}
	if d.EffectiveDate.String() != "2027-04-01" {
		t.Errorf("date %s, want 2027-04-01", d.EffectiveDate)
	}
}

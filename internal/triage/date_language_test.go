package triage

import (
	"context"
	"strings"
	"testing"
	"time"
)

// TestContentLanguageOrdersNumericDates: the Content-Language header says
// how the sender writes numeric dates when the email itself does not show
// it (no day over 12): en-US month-first; en-GB, de-DE, fr-FR day-first;
// "en" alone says nothing, and the date stays flagged as ambiguous.
func TestContentLanguageOrdersNumericDates(t *testing.T) {
	sent := time.Date(2027, 3, 2, 9, 0, 0, 0, time.UTC)
	for _, c := range []struct{ name, lang, from, body, want, note string }{
		{"en-US month-first", "en-US", "notices@vendor.example", "Keys rotate on 04/05/2027.", "2027-04-05", "Content-Language is en-US"},
		{"en-GB day-first", "en-GB", "notices@vendor.example", "Keys rotate on 04/05/2027.", "2027-05-04", "Content-Language is en-GB"},
		{"de-DE day-first", "de-DE", "notices@vendor.example", "Die Schlüssel werden am 04/05/2027 getauscht.", "2027-05-04", "Content-Language is de-DE"},
		{"fr-FR day-first", "fr-FR", "notices@vendor.example", "Les clés changent le 04/05/2027.", "2027-05-04", "Content-Language is fr-FR"},
		{"the header beats the domain", "en-US", "notices@vendor.co.uk", "Keys rotate on 04/05/2027.", "2027-04-05", "Content-Language is en-US"},
		// Look-alikes: a language without a region, and an email that
		// shows its own order.
		{"en alone says nothing", "en", "notices@vendor.example", "Keys rotate on 04/05/2027.", "2027-05-04", "ambiguous"},
		{"the email's own order beats the header", "en-GB", "notices@vendor.example", "Maintenance 03/20/2027. Keys rotate on 04/05/2027.", "2027-04-05", "the email writes 03/20/2027 month-first"},
	} {
		t.Run(c.name, func(t *testing.T) {
			fd, ok := extractDate("Notice", c.body, c.from, c.lang, sent, DateOf(sent, time.UTC), time.UTC)
			if !ok || fd.date.String() != c.want || !strings.Contains(fd.note, c.note) {
				t.Errorf("date %s (%s), want %s (%s)", fd.date, fd.note, c.want, c.note)
			}
		})
	}
	t.Run("a decision reads the header", func(t *testing.T) {
		for lang, want := range map[string]string{"en-US": "2027-04-05", "en-GB": "2027-05-04"} {
			e := Email{MessageID: lang + "@zendesk.com", FromAddress: "developers@zendesk.com", Date: testNow, ContentLanguage: lang,
				Subject: "Basic authentication is being turned off",
				Body:    "Basic authentication for the API will be turned off on 04/05/2027. Requests that use it will be rejected."}
			d, err := (&Agent{}).Decide(context.Background(), e, testRegistry(), testSettings())
			if err != nil {
				t.Fatal(err)
			}
			if d.EffectiveDate.String() != want {
				t.Errorf("%s: effective date %s, want %s\n%s", lang, d.EffectiveDate, want, d.Reasoning)
			}
		}
	})
}

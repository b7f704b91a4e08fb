package triage

import (
	"testing"
	"time"
)

// TestUnseenMailDates covers the date forms found on unseen mail that the
// other tests do not.
func TestUnseenMailDates(t *testing.T) {
	t.Run("an offer's closing date is not the change's", func(t *testing.T) {
		sent := time.Date(2027, 3, 4, 15, 0, 0, 0, time.UTC)
		body := "After the end of support date, the terminals will stop accepting card payments. Action required: replace every terminal " +
			"before October 31, 2027. Customers on an active plan can order replacements at a trade-in discount until September 30, 2027."
		fd, ok := extractDate("Terminal end of support", body, "hardware@tillpoint.example", "", sent, DateOf(sent, time.UTC), time.UTC)
		if !ok || fd.date.String() != "2027-10-31" {
			t.Errorf("date %s from %q", fd.date, fd.text)
		}
	})
}

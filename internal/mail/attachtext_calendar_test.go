package mail

import (
	"strings"
	"testing"
)

// An iCalendar attachment reads as its events: summary, start and end,
// place and description, with folded lines joined and escapes undone.
func TestCalendarAttachmentText(t *testing.T) {
	ics := "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nDTSTART:20281107T050000Z\r\nDTEND;TZID=Europe/Amsterdam:20281107\r\n" +
		"SUMMARY:AS2 certificate rollover\\, station DK-AS2\r\nDESCRIPTION:The rollover takes place on Tuesday 7 November 2028.\\nImport the\r\n" +
		"  new certificate before then.\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
	got, err := AttachmentText("rollover.ics", "text/calendar", []byte(ics))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Starts: 2028-11-07 05:00 UTC", "Ends: 2028-11-07", "Event: AS2 certificate rollover, station DK-AS2",
		"The rollover takes place on Tuesday 7 November 2028.\nImport the new certificate before then."} {
		if !strings.Contains(got, want) {
			t.Errorf("calendar text lacks %q:\n%s", want, got)
		}
	}
}

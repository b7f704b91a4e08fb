package jira

import (
	"testing"
	"time"
	_ "time/tzdata" // the zones below, wherever the tests run
)

// TestChangedJQLStartsNoLaterThanSince: the JQL date, read as Jira reads
// it (a wall-clock minute in the account's zone), never names an instant
// after since — in a zone west or east of UTC, with no zone known, and
// across a daylight-saving change.
func TestChangedJQLStartsNoLaterThanSince(t *testing.T) {
	la, _ := time.LoadLocation("America/Los_Angeles")
	syd, _ := time.LoadLocation("Australia/Sydney")
	cases := []struct {
		name  string
		since time.Time
		zone  *time.Location // as the account has it
		told  *time.Location // as Jira told the client; nil: not told
		want  string
	}{
		{"west", time.Date(2026, 3, 1, 18, 30, 59, 0, time.UTC), la, la, `"2026-03-01 10:30"`},
		{"east", time.Date(2026, 3, 1, 18, 30, 59, 0, time.UTC), syd, syd, `"2026-03-02 05:30"`},
		{"unknown zone", time.Date(2026, 3, 1, 18, 30, 59, 0, time.UTC), la, nil, `"2026-03-01 06:30"`},
		// 01:30 PDT, an hour before clocks fall back: 01:30 names two instants.
		{"fall back", time.Date(2026, 11, 1, 8, 30, 0, 0, time.UTC), la, la, `"2026-11-01 00:30"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			jql := changedJQL("PAY", c.since, c.told)
			want := `project = "PAY" AND updated >= ` + c.want + ` ORDER BY updated DESC`
			if jql != want {
				t.Fatalf("got  %s\nwant %s", jql, want)
			}
			wall, err := time.ParseInLocation(`"2006-01-02 15:04"`, c.want, c.zone)
			if err != nil || wall.After(c.since) {
				t.Errorf("Jira reads %v, after since %v (%v)", wall, c.since, err)
			}
		})
	}
}

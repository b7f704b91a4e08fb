package ticket

import (
	"testing"
	"time"
)

func TestKeys(t *testing.T) {
	for n, want := range map[int64]string{1: "VS-0001", 42: "VS-0042", 9999: "VS-9999", 12345: "VS-12345"} {
		if got := Key(n); got != want {
			t.Errorf("Key(%d) = %q, want %q", n, got, want)
		}
	}
	for in, want := range map[string]int64{"VS-0042": 42, "vs-42": 42, "42": 42, " VS-12345 ": 12345} {
		got, err := ParseKey(in)
		if err != nil || got != want {
			t.Errorf("ParseKey(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "VS-", "VS-0", "-3", "+3", "00000000-0000-7000-8000-000000000000", "VS-99999999999999999999"} {
		if _, err := ParseKey(in); err == nil {
			t.Errorf("ParseKey(%q) accepted", in)
		}
	}
}

func TestDueAt(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Skipf("no time zone data: %v", err)
	}
	created := time.Date(2027, 4, 1, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		name      string
		sla       int
		effective Date
		loc       *time.Location
		want      time.Time
	}{
		{"SLA only", 14, "", nil, created.Add(14 * 24 * time.Hour)},
		{"effective date later than SLA", 14, "2027-06-01", berlin, created.Add(14 * 24 * time.Hour)},
		{"effective date caps the SLA (UTC)", 30, "2027-04-20", nil, time.Date(2027, 4, 20, 23, 59, 59, 0, time.UTC)},
		{"end of day in the tenant's zone", 30, "2027-04-20", berlin, time.Date(2027, 4, 20, 21, 59, 59, 0, time.UTC)},
		{"deadline already past", 14, "2027-03-01", nil, time.Date(2027, 3, 1, 23, 59, 59, 0, time.UTC)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := DueAt(created, tt.sla, tt.effective, tt.loc); !got.Equal(tt.want) {
				t.Errorf("DueAt = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestParseDate(t *testing.T) {
	for _, ok := range []string{"", "2027-04-20", "2028-02-29"} {
		if _, err := ParseDate(ok); err != nil {
			t.Errorf("ParseDate(%q): %v", ok, err)
		}
	}
	for _, bad := range []string{"2027-4-20", "2027-02-30", "20.04.2027", "2027-04-20T00:00:00Z"} {
		if _, err := ParseDate(bad); err == nil {
			t.Errorf("ParseDate(%q) accepted", bad)
		}
	}
}

func TestDaysLeft(t *testing.T) {
	now := time.Date(2027, 4, 10, 22, 30, 0, 0, time.UTC)
	for _, tt := range []struct {
		due  time.Time
		want int
	}{
		{time.Date(2027, 4, 15, 8, 0, 0, 0, time.UTC), 5},
		{time.Date(2027, 4, 10, 23, 59, 0, 0, time.UTC), 0},
		{time.Date(2027, 4, 7, 23, 59, 59, 0, time.UTC), -3},
	} {
		if got := DaysLeft(now, tt.due, time.UTC); got != tt.want {
			t.Errorf("DaysLeft(%v) = %d, want %d", tt.due, got, tt.want)
		}
	}
}

func TestSLACompliance(t *testing.T) {
	due := time.Date(2027, 4, 20, 0, 0, 0, 0, time.UTC)
	at := func(days int) *time.Time { v := due.AddDate(0, 0, days); return &v }
	ts := []Ticket{
		{Status: Closed, DueAt: due, ResolvedAt: at(-2), ClosedAt: at(1)},                               // on time: resolved before due
		{Status: Resolved, DueAt: due, ResolvedAt: at(0)},                                               // on time: exactly at due
		{Status: Closed, DueAt: due, ResolvedAt: at(3), ClosedAt: at(4)},                                // late
		{Status: Breached, DueAt: due, BreachedAt: at(1)},                                               // late
		{Status: Closed, DueAt: due, ClosedAt: at(5), IsManualOverride: true, CloseReason: "withdrawn"}, // excluded
		{Status: Closed, DueAt: due, ClosedAt: at(-1), IsManualOverride: true},                          // excluded, even on time
		{Status: InProgress, DueAt: due},                                                                // pending
		{Status: Open, DueAt: due.AddDate(0, 0, -30)},                                                   // late: overdue and open
	}
	got := SLACompliance(ts, due.AddDate(0, 0, -10))
	want := SLAStats{OnTime: 2, Late: 3, Pending: 1, Excluded: 2}
	if got != want {
		t.Fatalf("stats = %+v, want %+v", got, want)
	}
	if pct, ok := got.OnTimePercent(); !ok || pct != 40 {
		t.Errorf("on time = %v %v, want 40", pct, ok)
	}
	if _, ok := SLACompliance(ts[4:6], due).OnTimePercent(); ok {
		t.Error("only overrides: a rate was computed")
	}
}

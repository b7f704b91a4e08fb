package dashboard

import (
	"testing"
	"time"

	"github.com/vendorsync/vendorsync/internal/registry"
	"github.com/vendorsync/vendorsync/internal/ticket"
)

func TestCountdown(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Skip("no time zone data")
	}
	now := time.Date(2027, 4, 13, 22, 30, 0, 0, time.UTC) // 00:30 on the 14th in Berlin
	for _, tc := range []struct {
		due            time.Time
		status         ticket.Status
		when           string
		breached, risk bool
	}{
		{now.Add(10 * 24 * time.Hour), ticket.Open, "in 10 days", false, false},
		{time.Date(2027, 4, 17, 21, 59, 0, 0, time.UTC), ticket.Open, "in 3 days", false, true},
		{time.Date(2027, 4, 14, 21, 0, 0, 0, time.UTC), ticket.InProgress, "today", false, true},
		{now.Add(-10 * time.Minute), ticket.Open, "overdue", true, false}, // earlier the same local day
		{now.Add(-time.Hour), ticket.Open, "1 day overdue", true, false},  // 23:30 the day before, in Berlin
		{now.Add(-49 * time.Hour), ticket.Breached, "3 days overdue", true, false},
	} {
		c := countdown(Due{Number: 7, Status: tc.status, DueAt: tc.due}, now, berlin)
		if c.When != tc.when || c.Breached != tc.breached || c.AtRisk != tc.risk || c.Key != "VS-0007" {
			t.Errorf("due %s (%s): %q breached=%v risk=%v, want %q %v %v", tc.due, tc.status, c.When, c.Breached, c.AtRisk,
				tc.when, tc.breached, tc.risk)
		}
	}
}

func TestTimelineAndMatrix(t *testing.T) {
	now := time.Date(2027, 4, 1, 12, 0, 0, 0, time.UTC)
	tl := timeline([]Due{
		{Number: 1, Severity: registry.SeverityCritical, DueAt: now.Add(-48 * time.Hour)},
		{Number: 2, Severity: registry.SeverityHigh, DueAt: now.Add(30 * 24 * time.Hour)},
		{Number: 3, Severity: registry.SeverityLow, DueAt: now.Add(30 * 24 * time.Hour)},
	}, now, time.UTC)
	if tl.Overdue != 1 || len(tl.Marks) != 3 || tl.Marks[0].X != tl.Left || len(tl.Ticks) != 9 {
		t.Fatalf("timeline %+v", tl)
	}
	if mid := (tl.Left + tl.Right) / 2; tl.Marks[1].X != mid || tl.Marks[2].X != mid || tl.Marks[1].Y == tl.Marks[2].Y {
		t.Errorf("two tickets due on the same day: marks %+v %+v, want x %d in two lanes", tl.Marks[1], tl.Marks[2], mid)
	}
	m := matrix([]Count{{registry.SeverityHigh, ticket.Open, 2}, {registry.SeverityHigh, ticket.Breached, 1},
		{registry.SeverityLow, ticket.Resolved, 4}})
	if m.Total != 7 || m.Rows[1].Total != 3 || m.Rows[1].Counts[0] != 2 || m.Totals[3] != 4 {
		t.Errorf("matrix %+v", m)
	}
}

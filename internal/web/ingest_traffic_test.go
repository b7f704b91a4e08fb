package web

import (
	"testing"
	"time"

	"github.com/vendorsync/vendorsync/internal/ingest"
)

func TestTrafficChartWords(t *testing.T) {
	for n, want := range map[int]string{0: "0", 7: "7", 999: "999", 1204: "1,204", 1234567: "1,234,567", -4500: "-4,500"} {
		if got := thousands(n); got != want {
			t.Errorf("thousands(%d) = %q, want %q", n, got, want)
		}
	}
	since := time.Date(2026, 3, 9, 15, 0, 0, 0, time.UTC)
	tr := ingest.Traffic{Since: since, Hours: make([]ingest.HourCounts, ingest.TrafficHours),
		Total: ingest.HourCounts{Events: 1204, Quarantined: 3, Duplicates: 1, Conflicts: 2}}
	for i := range tr.Hours {
		tr.Hours[i].Hour = since.Add(time.Duration(i) * time.Hour)
	}
	tr.Hours[2] = ingest.HourCounts{Hour: tr.Hours[2].Hour, Events: 1200, Quarantined: 3}
	tr.Hours[23] = ingest.HourCounts{Hour: tr.Hours[23].Hour, Events: 4}
	c := newTrafficChart(tr)
	if c.Summary != "1,204 events, 3 quarantined, 0 failed normalize, 1 duplicate, 2 conflicts, 0 refused" {
		t.Errorf("summary = %q", c.Summary)
	}
	if c.Max != 1200 || len(c.Bars) != ingest.TrafficHours {
		t.Fatalf("max %d over %d bars", c.Max, len(c.Bars))
	}
	// The busiest hour fills the height; 3 of 1,200 still shows; 4 is a sliver.
	if b := c.Bars[2]; b.Y != trTop || b.H != trAxis-trTop || b.QH != 1 || b.QY != trAxis-1 || b.FH != 0 {
		t.Errorf("busiest bar = %+v", b)
	}
	if b := c.Bars[23]; b.H != 1 || b.X != trLeft+23*35+2 {
		t.Errorf("last bar = %+v", b)
	}
	if b := c.Bars[0]; b.H != 0 || b.DH != 0 || b.CH != 0 ||
		b.Title != "Mar 9 15:00–16:00 UTC: 0 events, 0 quarantined, 0 failed normalize, 0 duplicates, 0 conflicts, 0 refused" {
		t.Errorf("empty bar = %+v", b)
	}
	// Repeats sit on top of the hour's events and count toward the
	// largest hour; an hour of repeats alone starts at the axis.
	tr.Hours[5] = ingest.HourCounts{Hour: tr.Hours[5].Hour, Events: 600, Duplicates: 1200, Conflicts: 600}
	tr.Hours[6] = ingest.HourCounts{Hour: tr.Hours[6].Hour, Duplicates: 1}
	tr.Hours[7] = ingest.HourCounts{Hour: tr.Hours[7].Hour, Refused: 2400}
	c = newTrafficChart(tr)
	if c.Max != 2400 {
		t.Errorf("max = %d, want 2400 (events and repeats)", c.Max)
	}
	full := trAxis - trTop
	if b := c.Bars[5]; b.H != full/4 || b.DH != full/2 || b.DY != b.Y-b.DH || b.CH != full-b.H-b.DH || b.CY != trTop {
		t.Errorf("hour with repeats = %+v", b)
	}
	if b := c.Bars[6]; b.H != 0 || b.DH != 1 || b.DY != trAxis-1 {
		t.Errorf("hour of one duplicate = %+v", b)
	}
	if b := c.Bars[7]; b.H != 0 || b.RH != full || b.RY != trTop {
		t.Errorf("hour of refusals alone = %+v", b)
	}
	if len(c.Ticks) != 4 || c.Ticks[0].Label != "18:00" {
		t.Errorf("ticks = %+v", c.Ticks)
	}
}

package web

import (
	"fmt"
	"strconv"
	"time"

	"github.com/vendorsync/vendorsync/internal/dashboard"
	"github.com/vendorsync/vendorsync/internal/ingest"
)

// trafficChart is a vendor's events per hour as an SVG bar chart: one bar
// per hour, its quarantined and failed events stacked at its foot, the
// duplicates and conflicts resent that hour and the requests refused
// stacked on its top. The
// geometry is computed here; the template only draws it.
type trafficChart struct {
	ingest.Traffic
	Width, Height int
	// Left and Right bound the axis; Axis is its y.
	Left, Right, Axis int
	// TickEnd and LabelY place the hour labels under the axis.
	TickEnd, LabelY int
	// Max is the largest hour's count (events, repeats and refusals),
	// labelled at MaxY.
	Max, MaxY int
	Bars      []trafficBar
	Ticks     []dashboard.Tick
	// Summary is the totals in words.
	Summary string
}

// trafficBar is one hour: the events' bar from Y, with the quarantined
// (from QY) and failed (from FY) parts at its foot, and the duplicates
// (from DY), conflicts (from CY) and refusals (from RY) on its top.
type trafficBar struct {
	X, W           int
	Y, H           int
	QY, QH, FY, FH int
	DY, DH, CY, CH int
	RY, RH         int
	Title          string
}

// The chart's size in SVG units.
const (
	trWidth, trHeight = 900, 150
	trLeft, trRight   = 40, 880
	trAxis            = 120
	trTop             = 14
)

func newTrafficChart(t ingest.Traffic) trafficChart {
	c := trafficChart{Traffic: t, Width: trWidth, Height: trHeight, Left: trLeft, Right: trRight, Axis: trAxis,
		TickEnd: trAxis + 5, LabelY: trAxis + 20, MaxY: trTop - 2, Summary: trafficSummary(t.Total)}
	for _, h := range t.Hours {
		c.Max = max(c.Max, h.Events+h.Duplicates+h.Conflicts+h.Refused)
	}
	slot := (trRight - trLeft) / max(len(t.Hours), 1)
	height := func(n int) int {
		if c.Max == 0 || n == 0 {
			return 0
		}
		return max(1, n*(trAxis-trTop)/c.Max) // a single event stays visible
	}
	for i, h := range t.Hours {
		x := trLeft + i*slot
		b := trafficBar{X: x + 2, W: slot - 4, H: height(h.Events), FH: height(h.Failed), QH: height(h.Quarantined),
			Title: fmt.Sprintf("%s–%s UTC: %s", h.Hour.Format("Jan 2 15:04"), h.Hour.Add(time.Hour).Format("15:04"), trafficSummary(h))}
		b.DH = stacked(height(h.Events+h.Duplicates)-b.H, h.Duplicates)
		b.CH = stacked(height(h.Events+h.Duplicates+h.Conflicts)-b.H-b.DH, h.Conflicts)
		b.RH = stacked(height(h.Events+h.Duplicates+h.Conflicts+h.Refused)-b.H-b.DH-b.CH, h.Refused)
		b.Y, b.FY = trAxis-b.H, trAxis-b.FH
		b.QY = b.FY - b.QH
		b.DY = b.Y - b.DH
		b.CY = b.DY - b.CH
		b.RY = b.CY - b.RH
		c.Bars = append(c.Bars, b)
		if h.Hour.Hour()%6 == 0 {
			c.Ticks = append(c.Ticks, dashboard.Tick{X: x + slot/2, Label: h.Hour.Format("15:04")})
		}
	}
	return c
}

// stacked is the height of a part of n on top of others: h, but at least
// 1 when n is not 0, so a single repeat stays visible.
func stacked(h, n int) int {
	if n == 0 {
		return 0
	}
	return max(1, h)
}

// trafficSummary is counts in words: "1,204 events, 3 quarantined, 0
// failed normalize, 35 duplicates, 1 conflict, 0 refused".
func trafficSummary(h ingest.HourCounts) string {
	return fmt.Sprintf("%s, %s quarantined, %s failed normalize, %s, %s, %s refused", counted(h.Events, "event"),
		thousands(h.Quarantined), thousands(h.Failed), counted(h.Duplicates, "duplicate"), counted(h.Conflicts, "conflict"),
		thousands(h.Refused))
}

// counted is n and its noun: "1 event", "1,204 events".
func counted(n int, noun string) string {
	if n != 1 {
		noun += "s"
	}
	return thousands(n) + " " + noun
}

// thousands writes n with commas between groups of three digits.
func thousands(n int) string {
	s := strconv.Itoa(n)
	neg := n < 0
	if neg {
		s = s[1:]
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	if neg {
		s = "-" + s
	}
	return s
}

package dashboard

import (
	"fmt"
	"time"

	"github.com/vendorsync/vendorsync/internal/registry"
	"github.com/vendorsync/vendorsync/internal/ticket"
)

// Dashboard is everything the home page shows.
type Dashboard struct {
	Now    time.Time
	Matrix Matrix
	// Countdowns are the next unfinished tickets by deadline, overdue first.
	Countdowns []Countdown
	// Breached counts unfinished tickets past their deadline (breached or
	// about to be marked so), AtRisk those due within AtRiskDays.
	Breached, AtRisk int
	Timeline         Timeline
	// Health is nil for people who cannot act on it.
	Health *Health
}

// Matrix is the ticket counts by severity (rows) and status (columns).
type Matrix struct {
	Statuses []ticket.Status
	Rows     []MatrixRow
	// Totals are the column totals, in Statuses order, and Total their sum.
	Totals []int
	Total  int
}

// MatrixRow is one severity's counts, in Statuses order.
type MatrixRow struct {
	Severity registry.Severity
	Counts   []int
	Total    int
}

// shownStatuses are the matrix's columns: every status but closed.
var shownStatuses = []ticket.Status{ticket.Open, ticket.InProgress, ticket.Breached, ticket.Resolved}

func matrix(counts []Count) Matrix {
	m := Matrix{Statuses: shownStatuses, Totals: make([]int, len(shownStatuses))}
	for _, sev := range registry.Severities {
		row := MatrixRow{Severity: sev, Counts: make([]int, len(shownStatuses))}
		for _, c := range counts {
			if c.Severity != sev {
				continue
			}
			for i, st := range shownStatuses {
				if c.Status == st {
					row.Counts[i] += c.N
					row.Total += c.N
					m.Totals[i] += c.N
					m.Total += c.N
				}
			}
		}
		m.Rows = append(m.Rows, row)
	}
	return m
}

// Countdown is one ticket of the SLA countdown.
type Countdown struct {
	Due
	Key string
	// DaysLeft counts calendar days in the tenant's zone: 0 on the day,
	// negative once overdue.
	DaysLeft int
	// When is "in 5 days", "today", "3 days overdue".
	When     string
	Breached bool
	AtRisk   bool
}

func countdown(t Due, now time.Time, loc *time.Location) Countdown {
	c := Countdown{Due: t, Key: ticket.Key(t.Number), DaysLeft: ticket.DaysLeft(now, t.DueAt, loc)}
	c.Breached = t.Status == ticket.Breached || now.After(t.DueAt)
	c.AtRisk = !c.Breached && c.DaysLeft <= AtRiskDays
	switch {
	case c.Breached && c.DaysLeft >= 0:
		c.When = "overdue"
	case c.DaysLeft < 0:
		c.When = days(-c.DaysLeft) + " overdue"
	case c.DaysLeft == 0:
		c.When = "today"
	default:
		c.When = "in " + days(c.DaysLeft)
	}
	return c
}

func days(n int) string {
	if n == 1 {
		return "1 day"
	}
	return fmt.Sprintf("%d days", n)
}

// Timeline is the upcoming deadlines as an SVG chart: one mark per ticket
// at its deadline, coloured by severity, with a line for today. The
// geometry is computed here; the template only draws it.
type Timeline struct {
	Width, Height int
	// Left and Right bound the axis; Axis is its y.
	Left, Right, Axis int
	// TickEnd and LabelY place the ticks and their labels under the axis.
	TickEnd, LabelY int
	// Today is the x of today's line, TodayLabelX of its label.
	Today, TodayLabelX int
	Ticks              []Tick
	Marks              []Mark
	// Overdue counts marks clamped to the left edge.
	Overdue int
}

// Tick is a labelled date on the axis.
type Tick struct {
	X     int
	Label string
}

// Mark is one ticket on the timeline.
type Mark struct {
	X, Y     int
	Severity registry.Severity
	Key      string
	Title    string
}

// The timeline's size in SVG units.
const (
	tlWidth, tlHeight = 900, 150
	tlLeft, tlRight   = 40, 880
	tlAxis            = 120
	laneHeight        = 14
	lanes             = 7
)

func timeline(due []Due, now time.Time, loc *time.Location) Timeline {
	tl := Timeline{Width: tlWidth, Height: tlHeight, Left: tlLeft, Right: tlRight, Axis: tlAxis, Today: tlLeft,
		TickEnd: tlAxis + 5, LabelY: tlAxis + 20, TodayLabelX: tlLeft + 4}
	span := float64(TimelineDays * 24 * time.Hour)
	x := func(t time.Time) int {
		f := float64(t.Sub(now)) / span
		f = min(max(f, 0), 1)
		return tlLeft + int(f*float64(tlRight-tlLeft))
	}
	l := now.In(loc)
	for d := 0; d <= TimelineDays; d += 7 {
		day := time.Date(l.Year(), l.Month(), l.Day()+d, 0, 0, 0, 0, loc)
		tl.Ticks = append(tl.Ticks, Tick{X: x(day), Label: day.Format("Jan 2")})
	}
	used := map[int]int{} // marks per 8-unit column, to stack them in lanes
	for _, t := range due {
		mx := x(t.DueAt)
		if t.DueAt.Before(now) {
			tl.Overdue++
		}
		col := mx / 8
		lane := used[col] % lanes
		used[col]++
		tl.Marks = append(tl.Marks, Mark{X: mx, Y: tlAxis - 12 - lane*laneHeight, Severity: t.Severity, Key: ticket.Key(t.Number),
			Title: fmt.Sprintf("%s %s — %s, due %s", ticket.Key(t.Number), t.Vendor, t.Topic, t.DueAt.In(loc).Format("Jan 2, 2006"))})
	}
	return tl
}

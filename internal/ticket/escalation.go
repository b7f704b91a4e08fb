package ticket

import (
	"fmt"
	"slices"
	"time"
)

// BreachThreshold is the Threshold of the escalation that reports a passed
// deadline (the seed's "D-0").
const BreachThreshold = 0

// UrgentThreshold is the largest threshold that goes out at once, whatever
// the hour: D-1 pages someone, so it cannot wait for Monday. Larger ones
// (D-7, D-3) wait for the tenant's working hours.
const UrgentThreshold = 1

// Escalation is one escalation the deadline monitor should act on now or
// later. The policy only says what is due: that each threshold goes out at
// most once per ticket and channel is enforced by the unique key of the
// notification log, so asking again every 15 minutes is safe and expected.
type Escalation struct {
	// Threshold is the number of days before the deadline (7, 3, 1), or
	// BreachThreshold once the deadline has passed.
	Threshold int
	// DaysLeft counts calendar days in the tenant's time zone from now to
	// the deadline: 0 on the deadline's day, negative once overdue.
	DaysLeft int
	// Now reports whether the escalation may be sent at once.
	Now bool
	// SendAt is when it may be sent: now, or the start of the next working
	// hours for a threshold that waits for them.
	SendAt time.Time
	// Reason says in words why the escalation is due and why now or later,
	// for logs and the ticket timeline.
	Reason string
}

// Breach reports whether the escalation reports a passed deadline.
func (e Escalation) Breach() bool { return e.Threshold == BreachThreshold }

// EscalationPolicy decides which escalations a ticket is due for, from the
// tenant's time zone, working hours (Monday to Friday) and thresholds.
// It is pure: the clock is an argument, so it can be walked in tests.
type EscalationPolicy struct {
	loc        *time.Location
	start, end int // working hours, minutes after local midnight
	thresholds []int
}

// NewEscalationPolicy builds a policy for a tenant: loc is its time zone (UTC
// when nil), workStart and workEnd its working hours as "HH:MM", thresholds
// its escalation days (e.g. [7, 3, 1]; order does not matter).
func NewEscalationPolicy(loc *time.Location, workStart, workEnd string, thresholds []int) (EscalationPolicy, error) {
	start, okStart := minutesOf(workStart)
	end, okEnd := minutesOf(workEnd)
	if !okStart || !okEnd || end <= start {
		return EscalationPolicy{}, fmt.Errorf("ticket.NewEscalationPolicy: working hours %q–%q: want HH:MM with start before end", workStart, workEnd)
	}
	ts := slices.Clone(thresholds)
	slices.Sort(ts)
	ts = slices.Compact(ts)
	if len(ts) > 0 && ts[0] <= BreachThreshold {
		return EscalationPolicy{}, fmt.Errorf("ticket.NewEscalationPolicy: thresholds %v: every threshold must be at least 1 day", thresholds)
	}
	return EscalationPolicy{loc: orUTC(loc), start: start, end: end, thresholds: ts}, nil
}

// minutesOf parses "HH:MM" into minutes after midnight.
func minutesOf(s string) (int, bool) {
	t, err := time.Parse("15:04", s)
	if err != nil || len(s) != 5 {
		return 0, false
	}
	return t.Hour()*60 + t.Minute(), true
}

// Due returns the escalations ticket t is due for at now.
//
// The deadline is t.DueAt — what the product shows and counts down to, and
// what SLA compliance measures: the creation time plus the SLA days, but
// never after the end of the vendor's effective date in the tenant's time
// zone. Days left are counted by calendar days in that time zone, so D-7 is
// due from local midnight seven days before the deadline's day.
//
// The rules:
//   - resolved and closed tickets escalate no more; a breached ticket has had
//     its breach alert enqueued with its transition to breached, so nothing
//     more is due for it either;
//   - once now is past the deadline, only the breach is due, at once;
//   - before that, the due threshold is the tightest one not exceeded by the
//     days left (7 while 7…4 days are left, 3 while 3 or 2 are left, 1 on the
//     last day and on the deadline's day). A tighter threshold supersedes a
//     looser one that has not gone out yet — a ticket created 2 days before
//     its deadline gets the D-3 actions, not a stale D-7 reminder as well;
//   - thresholds above UrgentThreshold go out within working hours only
//     (Monday to Friday, start ≤ local time < end); outside them Now is false
//     and SendAt is the next start of working hours. D-1 and the breach go
//     out at once.
func (p EscalationPolicy) Due(t Ticket, now time.Time) []Escalation {
	if t.Status == Resolved || t.Status == Closed || t.Status == Breached || t.DueAt.IsZero() {
		return nil // a ticket without a deadline has nothing to escalate
	}
	loc := orUTC(p.loc)
	left := DaysLeft(now, t.DueAt, loc)
	if now.After(t.DueAt) {
		return []Escalation{{Threshold: BreachThreshold, DaysLeft: left, Now: true, SendAt: now,
			Reason: fmt.Sprintf("deadline %s passed", t.DueAt.In(loc).Format(time.DateTime+" MST"))}}
	}
	i, _ := slices.BinarySearch(p.thresholds, left)
	if i == len(p.thresholds) {
		return nil // more days left than the loosest threshold
	}
	th := p.thresholds[i]
	e := Escalation{Threshold: th, DaysLeft: left}
	what := fmt.Sprintf("D-%d: %s left until %s", th, dayCount(left), t.DueAt.In(loc).Format(time.DateOnly))
	switch {
	case th <= UrgentThreshold:
		e.Now, e.SendAt, e.Reason = true, now, what+"; urgent, sent at once"
	case p.working(now):
		e.Now, e.SendAt, e.Reason = true, now, what+"; within working hours"
	default:
		e.SendAt = p.nextWorkStart(now)
		e.Reason = fmt.Sprintf("%s; waits for working hours until %s", what, e.SendAt.In(loc).Format(time.DateTime+" MST"))
	}
	return []Escalation{e}
}

func dayCount(n int) string {
	if n == 1 {
		return "1 day"
	}
	return fmt.Sprintf("%d days", n)
}

// working reports whether now falls in working hours: Monday to Friday,
// start ≤ local time of day < end.
func (p EscalationPolicy) working(now time.Time) bool {
	l := now.In(orUTC(p.loc))
	if wd := l.Weekday(); wd == time.Saturday || wd == time.Sunday {
		return false
	}
	m := l.Hour()*60 + l.Minute()
	return m >= p.start && m < p.end
}

// nextWorkStart returns the first start of working hours after now. It is
// built with time.Date in the tenant's zone, so 09:00 stays 09:00 local on
// either side of a daylight-saving change.
func (p EscalationPolicy) nextWorkStart(now time.Time) time.Time {
	loc := orUTC(p.loc)
	l := now.In(loc)
	for d := 0; d <= 7; d++ {
		c := time.Date(l.Year(), l.Month(), l.Day()+d, p.start/60, p.start%60, 0, 0, loc)
		if wd := c.Weekday(); wd != time.Saturday && wd != time.Sunday && c.After(now) {
			return c
		}
	}
	// Unreachable: within any 8 consecutive days there is a weekday whose
	// start lies after now.
	return now
}

package ticket

import "time"

// SLAStats summarises how many tickets met their SLA.
type SLAStats struct {
	OnTime int
	Late   int
	// Pending tickets are still being worked and not yet due: they count
	// neither way.
	Pending int
	// Excluded tickets were force-closed by a manual override; the seed's
	// business rules keep them out of SLA compliance.
	Excluded int
}

// Counted is the number of tickets the on-time rate is computed over.
func (s SLAStats) Counted() int { return s.OnTime + s.Late }

// OnTimePercent is the share of counted tickets done on time, 0–100; ok is
// false when no ticket counts.
func (s SLAStats) OnTimePercent() (pct float64, ok bool) {
	if s.Counted() == 0 {
		return 0, false
	}
	return 100 * float64(s.OnTime) / float64(s.Counted()), true
}

// SLACompliance sorts tickets into on time, late, pending and excluded at
// time now. A ticket is on time when it was resolved (or, never resolved,
// closed) by its due time; late when it breached, finished after its due
// time, or is still open past it; manual-override closes are excluded.
func SLACompliance(ts []Ticket, now time.Time) SLAStats {
	var s SLAStats
	for _, t := range ts {
		done := t.ResolvedAt
		if done == nil && t.Status == Closed {
			done = t.ClosedAt
		}
		switch {
		case t.IsManualOverride:
			s.Excluded++
		case t.Status == Breached:
			s.Late++
		case done != nil && !done.After(t.DueAt):
			s.OnTime++
		case done != nil || now.After(t.DueAt):
			s.Late++
		default:
			s.Pending++
		}
	}
	return s
}

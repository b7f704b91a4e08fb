package tracker

import "time"

// Date is a civil date, "YYYY-MM-DD", with no time zone: the day an issue
// is due, as trackers store it. It has the same shape as ticket.Date, so a
// ticket's date converts with tracker.Date(d). The empty Date means none.
type Date string

// DateOf returns the civil date of t in loc (UTC when nil).
func DateOf(t time.Time, loc *time.Location) Date {
	if loc == nil {
		loc = time.UTC
	}
	return Date(t.In(loc).Format(time.DateOnly))
}

// IsZero reports whether no date is set.
func (d Date) IsZero() bool { return d == "" }

// Valid reports whether d is a real calendar day written as YYYY-MM-DD.
func (d Date) Valid() bool {
	t, err := time.Parse(time.DateOnly, string(d))
	return err == nil && t.Format(time.DateOnly) == string(d)
}

// String returns the date as YYYY-MM-DD.
func (d Date) String() string { return string(d) }

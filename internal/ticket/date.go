package ticket

import (
	"math"
	"time"

	"github.com/vendorsync/vendorsync/internal/apperr"
)

// Date is a civil date, "YYYY-MM-DD", with no time zone: a vendor's
// effective date means that day wherever the tenant is. The empty Date
// means the vendor gave none.
type Date string

const dateLayout = "2006-01-02"

// ParseDate reads "YYYY-MM-DD"; the empty string is the empty Date.
func ParseDate(s string) (Date, error) {
	if s == "" {
		return "", nil
	}
	t, err := time.Parse(dateLayout, s)
	if err != nil || t.Format(dateLayout) != s {
		return "", apperr.Invalidf("%.40q is not a date (YYYY-MM-DD)", s)
	}
	return Date(s), nil
}

// DateOf returns the civil date of t in loc.
func DateOf(t time.Time, loc *time.Location) Date {
	return Date(t.In(orUTC(loc)).Format(dateLayout))
}

// IsZero reports whether no date is set.
func (d Date) IsZero() bool { return d == "" }

// EndOf returns the last second of the day in loc; ok is false for the
// empty or a malformed Date.
func (d Date) EndOf(loc *time.Location) (end time.Time, ok bool) {
	t, err := time.Parse(dateLayout, string(d))
	if err != nil {
		return time.Time{}, false
	}
	return time.Date(t.Year(), t.Month(), t.Day(), 23, 59, 59, 0, orUTC(loc)).UTC(), true
}

func orUTC(loc *time.Location) *time.Location {
	if loc == nil {
		return time.UTC
	}
	return loc
}

// DueAt is when a ticket created at created with slaDays of SLA is due:
// created plus slaDays × 24 hours, but never after the vendor's effective
// date — the end of that day (23:59:59) in the tenant's time zone loc (UTC
// when nil). A deadline already past yields a due time in the past: the
// ticket is overdue from the start.
func DueAt(created time.Time, slaDays int, effective Date, loc *time.Location) time.Time {
	due := created.Add(time.Duration(slaDays) * 24 * time.Hour).UTC()
	if end, ok := effective.EndOf(loc); ok && end.Before(due) {
		return end
	}
	return due
}

// DaysLeft counts whole calendar days in loc from now until due: 0 on the
// due day, negative once overdue (-3 is "3 days overdue").
func DaysLeft(now, due time.Time, loc *time.Location) int {
	loc = orUTC(loc)
	day := func(t time.Time) time.Time {
		t = t.In(loc)
		return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	}
	return int(math.Round(day(due).Sub(day(now)).Hours() / 24))
}

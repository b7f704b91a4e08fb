package triage

import (
	"fmt"
	"time"
)

// Date is a calendar day without a time or zone: when a vendor change takes
// effect. The zero Date means "unknown". It reads and writes as YYYY-MM-DD.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// NewDate returns the date, or false when it does not exist (31 April).
func NewDate(year int, month time.Month, day int) (Date, bool) {
	t := time.Date(year, month, day, 0, 0, 0, 0, time.UTC)
	if t.Year() != year || t.Month() != month || t.Day() != day || year < 1 || year > 9999 {
		return Date{}, false
	}
	return Date{year, month, day}, true
}

// DateOf is the calendar day of t in loc.
func DateOf(t time.Time, loc *time.Location) Date {
	y, m, d := t.In(loc).Date()
	return Date{y, m, d}
}

// ParseDate reads YYYY-MM-DD.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, fmt.Errorf("triage.ParseDate %q: not YYYY-MM-DD: %w", s, err)
	}
	return DateOf(t, time.UTC), nil
}

// IsZero reports whether the date is unknown.
func (d Date) IsZero() bool { return d == Date{} }

// String is YYYY-MM-DD, or "" for the zero date.
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day)
}

// Time is the start of the day in loc.
func (d Date) Time(loc *time.Location) time.Time {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, loc)
}

// DaysAfter is how many days d is after o (negative when before).
func (d Date) DaysAfter(o Date) int {
	return int(d.Time(time.UTC).Sub(o.Time(time.UTC)).Hours() / 24)
}

// Before reports whether d is an earlier day than o.
func (d Date) Before(o Date) bool { return d.DaysAfter(o) < 0 }

// MarshalText implements encoding.TextMarshaler.
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler; "" is the zero date.
func (d *Date) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*d = Date{}
		return nil
	}
	v, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// endOfMonth is the last day of the month.
func endOfMonth(year int, month time.Month) Date {
	return DateOf(time.Date(year, month+1, 0, 0, 0, 0, 0, time.UTC), time.UTC)
}

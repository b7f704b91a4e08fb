package sqlstore

import (
	"fmt"
	"strings"
	"time"
)

// storedTime scans a timestamp column on either engine. PostgreSQL (and
// SQLite for a column read as declared) hands over a time.Time. On SQLite
// a column read as text (timeText) hands over the text the driver stored,
// and the form it writes, time.Time.String() of a UTC time such as
// "2026-12-07 05:19:06.442164 +0000 UTC", is read without time.Parse: the
// driver parses each declared timestamp with a general layout, which on
// lists such as vendors was a visible share of reading every row. Any
// other text is read with the layouts the driver itself accepts, in its
// order.
type storedTime struct{ t *time.Time }

// Scan implements sql.Scanner.
func (s storedTime) Scan(v any) error {
	switch v := v.(type) {
	case time.Time:
		*s.t = v
		return nil
	case string:
		t, err := parseStoredTime(v)
		*s.t = t
		return err
	case []byte:
		t, err := parseStoredTime(string(v))
		*s.t = t
		return err
	}
	return fmt.Errorf("timestamp: cannot read %T", v)
}

// timeText is col as the select list names it so that storedTime reads
// SQLite's stored text; PostgreSQL's column is read as it is.
func timeText(d Dialect, col string) string {
	if d == SQLite {
		return col + " || ''" // an expression has no declared type: the driver leaves the text alone
	}
	return col
}

// driverLayouts are the forms the SQLite driver reads a timestamp in,
// after its own (time.Time.String() without the monotonic reading), in its
// order, with a trailing Z taken off first: the forms SQLite's date
// functions and other writers produce.
var driverLayouts = []string{
	"2006-01-02 15:04:05.999999999-07:00",
	"2006-01-02T15:04:05.999999999-07:00",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04",
	"2006-01-02T15:04",
	"2006-01-02",
}

// parseStoredTime reads a timestamp as the SQLite driver would.
func parseStoredTime(s string) (time.Time, error) {
	if t, ok := parseUTCString(s); ok {
		return t, nil
	}
	str := s
	if i := strings.Index(str, "m="); i > 0 {
		str = str[:i]
	}
	if t, err := time.Parse("2006-01-02 15:04:05.999999999 -0700 MST", strings.TrimSpace(str)); err == nil {
		return t, nil
	}
	ts, _ := strings.CutSuffix(s, "Z")
	for _, layout := range driverLayouts {
		if t, err := time.Parse(layout, ts); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("timestamp: cannot read %q", s)
}

// parseUTCString reads "YYYY-MM-DD hh:mm:ss[.fraction] +0000 UTC", the
// driver's form for a UTC time; ok is false for anything else.
func parseUTCString(s string) (time.Time, bool) {
	const suffix = " +0000 UTC"
	if len(s) < 19+len(suffix) || s[len(s)-len(suffix):] != suffix {
		return time.Time{}, false
	}
	body := s[:len(s)-len(suffix)]
	if body[4] != '-' || body[7] != '-' || body[10] != ' ' || body[13] != ':' || body[16] != ':' {
		return time.Time{}, false
	}
	year, ok1 := digits(body[0:4])
	month, ok2 := digits(body[5:7])
	day, ok3 := digits(body[8:10])
	hour, ok4 := digits(body[11:13])
	minute, ok5 := digits(body[14:16])
	sec, ok6 := digits(body[17:19])
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6) || month < 1 || month > 12 || day < 1 || day > daysIn(month, year) ||
		hour > 23 || minute > 59 || sec > 59 {
		return time.Time{}, false
	}
	nsec := 0
	if frac := body[19:]; frac != "" {
		if frac[0] != '.' || len(frac) < 2 || len(frac) > 10 {
			return time.Time{}, false
		}
		n, ok := digits(frac[1:])
		if !ok {
			return time.Time{}, false
		}
		for range 10 - len(frac) {
			n *= 10
		}
		nsec = n
	}
	return time.Date(year, time.Month(month), day, hour, minute, sec, nsec, time.UTC), true
}

// digits reads a run of ASCII digits.
func digits(s string) (int, bool) {
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, len(s) > 0
}

// daysIn is the number of days of month in year.
func daysIn(month, year int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

package sheet

import (
	"errors"
	"strconv"
	"strings"
	"time"
)

// dateLayouts are the written date forms vendor files use, tried in
// order. Slash dates are month first (US) unless the first number
// cannot be a month; dotted dates are day first (European).
var dateLayouts = []string{
	"2006-01-02", "2006-1-2", "2006/01/02", "2006/1/2", "20060102",
	"01/02/2006", "1/2/2006", "01/02/06", "1/2/06",
	"02.01.2006", "2.1.2006", "02.01.06",
	"02-Jan-2006", "2-Jan-2006", "02-Jan-06", "2-Jan-06", "02 Jan 2006", "2 Jan 2006",
	"Jan 2, 2006", "Jan 2 2006", "January 2, 2006", "January 2 2006", "2 January 2006",
	"Mon, Jan 2, 2006", "Monday, January 2, 2006",
	time.RFC3339, "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02 15:04",
	"01/02/2006 15:04:05", "1/2/2006 15:04", "1/2/2006 3:04:05 PM", "1/2/2006 3:04 PM",
}

// dayFirstLayouts read slash dates whose first number is over 12.
var dayFirstLayouts = []string{"02/01/2006", "2/1/2006", "02/01/06", "2/1/06", "2/1/2006 15:04"}

// excelEpoch is day 0 of Excel's 1900 date system (1899-12-30, which
// absorbs Excel's phantom 29 February 1900).
var excelEpoch = time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)

// ParseDate reads a date in any of the common written forms or as an
// Excel serial number (45292 → 2024-01-01), as a UTC midnight.
func ParseDate(s string) (time.Time, error) {
	t := strings.TrimSpace(s)
	if t == "" {
		return time.Time{}, errors.New("the date is empty")
	}
	if serial, err := strconv.ParseFloat(t, 64); err == nil && !strings.ContainsAny(t, "eE") && len(t) != 8 {
		if serial < 1 || serial > 2958465 {
			return time.Time{}, errors.New("the date " + quote(s) + " is out of range")
		}
		return excelEpoch.AddDate(0, 0, int(serial)), nil
	}
	layouts := dateLayouts
	if i := strings.IndexByte(t, '/'); i > 0 && i < 3 {
		if n, err := strconv.Atoi(t[:i]); err == nil && n > 12 {
			layouts = dayFirstLayouts
		}
	}
	for _, l := range layouts {
		if d, err := time.Parse(l, t); err == nil {
			if d.Year() < 1900 || d.Year() > 9999 {
				return time.Time{}, errors.New("the date " + quote(s) + " is out of range")
			}
			return time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, time.UTC), nil
		}
	}
	return time.Time{}, errors.New("the date " + quote(s) + " is not a date this file's columns can read (use 2026-01-31, 01/31/2026 or 31.01.2026)")
}

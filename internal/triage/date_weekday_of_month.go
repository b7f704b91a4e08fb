package triage

import (
	"regexp"
	"strconv"
	"strings"
	"time"
)

// weekdayOfMonthRE is a weekday counted in a month: "the first Monday of
// July 2027", "the last Friday in March", "the 2nd Tuesday of June".
var weekdayOfMonthRE = regexp.MustCompile(`(?i)\b(first|second|third|fourth|last|1st|2nd|3rd|4th)\s+` +
	`(monday|tuesday|wednesday|thursday|friday|saturday|sunday)\s+(?:of|in)\s+` + monthRE + `(?:,?\s+(\d{4}))?\b`)

// weekdaysOfMonth reads the weekdays counted in a month in line; without
// a year, the next such day after the email's date.
func weekdaysOfMonth(line string, dc dateContext, g lineGates) []formDate {
	if !g.month || !(strings.Contains(g.lower, "day of ") || strings.Contains(g.lower, "day in ")) {
		return nil
	}
	var out []formDate
	for _, m := range weekdayOfMonthRE.FindAllStringSubmatchIndex(line, maxDatesPerLine) {
		nth := strings.ToLower(line[m[2]:m[3]])
		want, month := weekdayOf(line[m[4]:m[5]]), monthOf(line[m[6]:m[7]])
		if m[8] >= 0 {
			d, ok := nthWeekday(atoiDigits(line[m[8]:m[9]]), month, want, nth)
			out = append(out, formDate{m, d, ok, "the " + nth + " " + want.String() + " of " + month.String()})
			continue
		}
		if dc.sent.IsZero() {
			continue
		}
		d, ok := nthWeekday(dc.sent.Year, month, want, nth)
		if ok && d.Before(dc.sent) {
			d, ok = nthWeekday(dc.sent.Year+1, month, want, nth)
		}
		out = append(out, formDate{m, d, ok, "no year given: the next " + nth + " " + want.String() + " of " + month.String() + " after the email's date"})
	}
	return out
}

// nthWeekday is the nth ("first" … "fourth", "1st" … "4th") or the last
// given weekday of a month.
func nthWeekday(year int, month time.Month, want time.Weekday, nth string) (Date, bool) {
	if year <= 0 || month == 0 {
		return Date{}, false
	}
	if nth == "last" {
		t := time.Date(year, month+1, 0, 0, 0, 0, 0, time.UTC)
		for t.Weekday() != want {
			t = t.AddDate(0, 0, -1)
		}
		return DateOf(t, time.UTC), true
	}
	n := map[string]int{"first": 1, "second": 2, "third": 3, "fourth": 4}[nth]
	if n == 0 {
		n, _ = strconv.Atoi(nth[:1])
	}
	t := time.Date(year, month, 1, 0, 0, 0, 0, time.UTC)
	for t.Weekday() != want {
		t = t.AddDate(0, 0, 1)
	}
	return DateOf(t.AddDate(0, 0, 7*(n-1)), time.UTC), true
}

// businessDayOfMonthRE is the first or last business day of a month: "the
// last business day of October 2027", "the first working day of June".
var businessDayOfMonthRE = regexp.MustCompile(`(?i)\b(first|last)\s+(?:business|working|week)\s*day\s+(?:of|in)\s+` + monthRE + `(?:,?\s+(\d{4}))?\b`)

// businessDaysOfMonth reads the first and last business days of months in
// line (Monday to Friday; public holidays are not known); without a year,
// the next such day after the email's date.
func businessDaysOfMonth(line string, dc dateContext, g lineGates) []formDate {
	if !g.month || !strings.Contains(g.lower, "day ") {
		return nil
	}
	var out []formDate
	for _, m := range businessDayOfMonthRE.FindAllStringSubmatchIndex(line, maxDatesPerLine) {
		which, month := strings.ToLower(line[m[2]:m[3]]), monthOf(line[m[4]:m[5]])
		year, note := 0, "the "+which+" business day of "+month.String()
		switch {
		case m[6] >= 0:
			year = atoiDigits(line[m[6]:m[7]])
		case !dc.sent.IsZero():
			year, note = dc.sent.Year, "no year given: the next "+which+" business day of "+month.String()+" after the email's date"
		default:
			continue
		}
		d, ok := businessDay(year, month, which)
		if ok && m[6] < 0 && d.Before(dc.sent) {
			d, ok = businessDay(year+1, month, which)
		}
		out = append(out, formDate{m, d, ok, note})
	}
	return out
}

// businessDay is the first or last weekday from Monday to Friday of a
// month.
func businessDay(year int, month time.Month, which string) (Date, bool) {
	if year <= 0 || month == 0 {
		return Date{}, false
	}
	t, step := time.Date(year, month, 1, 0, 0, 0, 0, time.UTC), 1
	if which == "last" {
		t, step = time.Date(year, month+1, 0, 0, 0, 0, 0, time.UTC), -1
	}
	for t.Weekday() == time.Saturday || t.Weekday() == time.Sunday {
		t = t.AddDate(0, 0, step)
	}
	return DateOf(t, time.UTC), true
}

package triage

import (
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Dates as German mail writes them: "bis zum 31. März 2027", "ab dem 1.
// Februar 2027", "Dienstag, 3. November 2026" on a forwarded message's
// "Gesendet:" line, "innerhalb von 14 Tagen", "nächsten Montag".

// germanMonthRE is a month's name after a day written with a dot: the
// German names and their usual abbreviations, and the English ones a
// German writer uses in English ("1. February 2027").
const germanMonthRE = `(januar|jänner|jaenner|january|februar|february|feb|märz|maerz|march|mär|mrz|mar|april|apr|mai|may|juni|june|jun|juli|july|jul|august|aug|september|sept|sep|oktober|october|okt|oct|november|nov|dezember|december|dez|dec)\.?`

// germanWrittenRE is a day written with a dot before its month's name, with
// or without a year: "31. März 2027", "1. Februar", "3. Nov. 2026".
var germanWrittenRE = regexp.MustCompile(`(?i)\b(\d{1,2})\.\s?` + germanMonthRE + `(?:,?\s+(\d{4}))?(?:\b|$)`)

// germanMonthStems gate germanWrittenRE: every month it reads contains one.
var germanMonthStems = []string{"jan", "jän", "jae", "feb", "mär", "mae", "mrz", "mar", "apr", "mai", "may", "jun", "jul", "aug", "sep",
	"okt", "oct", "nov", "dez", "dec"}

// dottedDayDate is a date read by germanWrittenRE: year is 0 when the text
// gives none.
type dottedDayDate struct {
	loc       []int
	day, year int
	month     time.Month
	monthText string
}

// dottedDayDates reads the days written with a dot before a month's name
// in line. Without a year, only a month written out in full is read: "3.
// Mai" is a date, "Schritt 3. Apr" may not be.
func dottedDayDates(line string, g lineGates) []dottedDayDate {
	if !g.digit || !strings.Contains(line, ".") || !containsAny(g.lower, germanMonthStems) {
		return nil
	}
	var out []dottedDayDate
	for _, m := range germanWrittenRE.FindAllStringSubmatchIndex(line, maxDatesPerLine) {
		text := strings.TrimSuffix(line[m[4]:m[5]], ".")
		d := dottedDayDate{loc: m, day: atoiDigits(line[m[2]:m[3]]), month: germanMonthOf(text), monthText: text}
		if m[6] >= 0 {
			d.year = atoiDigits(line[m[6]:m[7]])
		} else if l := strings.ToLower(text); len([]rune(l)) <= 3 && l != "mai" && l != "may" {
			continue
		}
		out = append(out, d)
	}
	return out
}

// germanMonthOf is the month a German or English month name names.
func germanMonthOf(s string) time.Month {
	lower := strings.ToLower(s)
	for prefix, m := range map[string]time.Month{"jän": time.January, "jae": time.January, "mär": time.March, "mae": time.March,
		"mrz": time.March, "mai": time.May, "okt": time.October, "dez": time.December} {
		if strings.HasPrefix(lower, prefix) {
			return m
		}
	}
	return monthOf(s)
}

func containsAny(s string, subs []string) bool {
	for _, w := range subs {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

var (
	// germanRelativeRE is "in 45 Tagen", "innerhalb von 14 Tagen",
	// "binnen zwei Wochen", "nach 3 Monaten".
	germanRelativeRE = regexp.MustCompile(`(?i)\b(?:in|innerhalb(?:\s+von)?|binnen|nach)\s+(\d{1,3}|zwei|drei|vier|fünf|sechs|sieben|acht|neun|zehn|zwölf|vierzehn|dreißig|sechzig|neunzig)\s+(tag|woch|monat)(?:en|e|s)?\b`)
	// germanNextWeekdayRE is "nächsten Montag", "kommenden Freitag".
	germanNextWeekdayRE = regexp.MustCompile(`(?i)\b(?:nächsten|naechsten|kommenden)\s+(montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonntag)\b`)
)

// germanNumberWords are the spelled-out counts germanRelativeRE reads.
var germanNumberWords = map[string]int{"zwei": 2, "drei": 3, "vier": 4, "fünf": 5, "sechs": 6, "sieben": 7, "acht": 8, "neun": 9,
	"zehn": 10, "zwölf": 12, "vierzehn": 14, "dreißig": 30, "sechzig": 60, "neunzig": 90}

// germanWeekdays are the days of the week by their German names.
var germanWeekdays = map[string]time.Weekday{"sonntag": time.Sunday, "montag": time.Monday, "dienstag": time.Tuesday,
	"mittwoch": time.Wednesday, "donnerstag": time.Thursday, "freitag": time.Friday, "samstag": time.Saturday}

// germanRelative reads the German relative dates in line: they count from
// the email's date as their English forms do.
func germanRelative(line string, dc dateContext, g lineGates) []formDate {
	if dc.sent.IsZero() {
		return nil
	}
	var out []formDate
	note := "relative to the email's date " + dc.sent.String()
	if strings.Contains(g.lower, " tag") || strings.Contains(g.lower, " woch") || strings.Contains(g.lower, " monat") {
		for _, m := range germanRelativeRE.FindAllStringSubmatchIndex(line, maxDatesPerLine) {
			nText := strings.ToLower(line[m[2]:m[3]])
			n, err := strconv.Atoi(nText)
			if err != nil {
				n = germanNumberWords[nText]
			}
			unit := map[string]string{"tag": "day", "woch": "week", "monat": "month"}[strings.ToLower(line[m[4]:m[5]])]
			out = append(out, formDate{m, relativeDate(dc.sent, n, unit), n > 0, note})
		}
	}
	if strings.Contains(g.lower, "chsten") || strings.Contains(g.lower, "kommenden") {
		for _, m := range germanNextWeekdayRE.FindAllStringSubmatchIndex(line, maxDatesPerLine) {
			out = append(out, formDate{m, nextWeekday(dc.sent, germanWeekdays[strings.ToLower(line[m[2]:m[3]])]), true, note})
		}
	}
	return out
}

// relativeDate is n days, weeks, months or business days ("business
// day", "working day": Monday to Friday) after from.
func relativeDate(from Date, n int, unit string) Date {
	t := from.Time(time.UTC)
	if strings.HasSuffix(unit, " day") {
		for n > 0 {
			t = t.AddDate(0, 0, 1)
			if t.Weekday() != time.Saturday && t.Weekday() != time.Sunday {
				n--
			}
		}
		return DateOf(t, time.UTC)
	}
	switch unit {
	case "day":
		t = t.AddDate(0, 0, n)
	case "week":
		t = t.AddDate(0, 0, 7*n)
	case "month":
		t = t.AddDate(0, n, 0)
	}
	return DateOf(t, time.UTC)
}

// nextWeekday is the first day after from that falls on want.
func nextWeekday(from Date, want time.Weekday) Date {
	t := from.Time(time.UTC).AddDate(0, 0, 1)
	for t.Weekday() != want {
		t = t.AddDate(0, 0, 1)
	}
	return DateOf(t, time.UTC)
}

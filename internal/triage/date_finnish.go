package triage

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Finnish dates name the month by a stem and "kuu" in one of its cases:
// "toukokuun 2028 lopussa" (at the end of May 2028), "toukokuun loppuun
// mennessä" (by the end of May), "kesäkuussa 2028" (in June 2028), "15.
// toukokuuta 2028".

// finnishMonthStems are the months' stems, January first.
var finnishMonthStems = []string{"tammi", "helmi", "maalis", "huhti", "touko", "kesä", "heinä", "elo", "syys", "loka", "marras", "joulu"}

// finnishDateRE is a Finnish date: a day, the month and a year; the
// month's end, with or without a year; or the month and a year. The
// groups are the day, the month's stem, the year and the word for its
// end.
var finnishDateRE = regexp.MustCompile(`(?i)(?:\b(\d{1,2})\.\s*)?\b(` + strings.Join(finnishMonthStems, "|") + `)kuu(?:ta|n|ssa|hun|sta)?(?:\s+(\d{4}))?(?:\s+(lopussa|loppuun|lopulla|loppupuolella))?(?:\P{L}|$)`)

// finnishDates reads the Finnish dates of line; a month without a year
// is the next one after the email's date.
func finnishDates(line string, dc dateContext, g lineGates) []formDate {
	if !strings.Contains(g.lower, "kuu") {
		return nil
	}
	var out []formDate
	for _, m := range finnishDateRE.FindAllStringSubmatchIndex(line, maxDatesPerLine) {
		month := time.Month(slices.Index(finnishMonthStems, strings.ToLower(line[m[4]:m[5]])) + 1)
		day, year, end := 0, 0, m[8] >= 0
		if m[2] >= 0 {
			day, _ = strconv.Atoi(line[m[2]:m[3]])
		}
		if m[6] >= 0 {
			year, _ = strconv.Atoi(line[m[6]:m[7]])
		}
		if year == 0 && (day > 0 || !end) {
			continue // "15. toukokuuta" or "toukokuussa": too loose without a year
		}
		note := "no day given: the last day of the month is used"
		if year == 0 {
			if dc.sent.IsZero() {
				continue
			}
			year = dc.sent.Year
			if endOfMonth(year, month).Before(dc.sent) {
				year++
			}
			note = "the end of the next " + month.String() + " after the email's date " + dc.sent.String()
		}
		// The match ends at its last word, not at the character after it.
		loc := []int{m[0], max(m[3], m[5], m[7], m[9])}
		if day > 0 && !end {
			d, ok := NewDate(year, month, day)
			out = append(out, formDate{loc, d, ok, ""})
			continue
		}
		out = append(out, formDate{loc, endOfMonth(year, month), month > 0, note})
	}
	return out
}

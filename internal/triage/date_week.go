package triage

import (
	"regexp"
	"time"
)

// isoWeekRE is a week of a year by its ISO 8601 number, as planning
// notices write it: "week 36, 2027", "week 14 of 2028", "KW 14/2028",
// "Kalenderwoche 14 2028", "semaine 14 de 2028", "uke 36 2027", "uge 22 i
// 2028", "week 23 van 2028", "2028-W14".
var isoWeekRE = regexp.MustCompile(`(?i)\b(?:iso\s+|calendar\s+)?(?:week|wk|kw|kalenderwoche|semaine|semana|settimana|týden|tydzień|uke|uge|vecka|viikko|teden|tjedan)\s*(?:no\.?\s*|nr\.?\s*)?(\d{1,2})(?:\s*,\s*|\s*/\s*|\s+(?:of\s+|de\s+|del\s+|z\s+|i\s+|van\s+|im\s+|w\s+|en\s+|em\s+|di\s+)?)(\d{4})\b|\b(\d{4})-?W(\d{2})\b`)

// weekWords gate isoWeekRE: every week it reads contains one.
var weekWords = []string{"week", "wk", "kw", "woche", "semaine", "semana", "settimana", "týden", "tydzień", "uke", "uge",
	"vecka", "viikko", "teden", "tjedan", "-w"}

// isoWeeks reads the weeks of a year in line: a week takes effect on its
// Monday.
func isoWeeks(line string, g lineGates) []formDate {
	if !g.digit || !containsAny(g.lower, weekWords) {
		return nil
	}
	var out []formDate
	for _, m := range isoWeekRE.FindAllStringSubmatchIndex(line, maxDatesPerLine) {
		week, year := m[2:4], m[4:6]
		if m[2] < 0 {
			week, year = m[8:10], m[6:8]
		}
		w, y := atoiDigits(line[week[0]:week[1]]), atoiDigits(line[year[0]:year[1]])
		d, ok := isoWeekMonday(y, w)
		out = append(out, formDate{m, d, ok, "an ISO week: its Monday is used"})
	}
	return out
}

// isoWeekMonday is the Monday of ISO week w of year y: week 1 is the week
// with the year's first Thursday (the one that holds 4 January).
func isoWeekMonday(y, w int) (Date, bool) {
	if w < 1 || w > 53 || y < 1000 {
		return Date{}, false
	}
	jan4 := time.Date(y, time.January, 4, 0, 0, 0, 0, time.UTC)
	monday := jan4.AddDate(0, 0, -((int(jan4.Weekday())+6)%7)+7*(w-1))
	if _, iw := monday.ISOWeek(); iw != w {
		return Date{}, false // week 53 of a year that has 52
	}
	return DateOf(monday, time.UTC), true
}

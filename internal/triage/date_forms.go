package triage

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// More date forms: a day of next month, a half year, a weekday after
// "close of business", and the date line of a forwarded message.

// formDate is a date read in one of the forms below, with where it is in
// its line and how it was read.
type formDate struct {
	loc  []int
	date Date
	ok   bool
	note string
}

var (
	// nextMonthDayRE is "the 1st of next month", "the first of next
	// month".
	nextMonthDayRE = regexp.MustCompile(`(?i)\b(?:the\s+)?(\d{1,2}(?:st|nd|rd|th)|first)\s+(?:day\s+)?of\s+next\s+month\b`)
	// halfYearRE is "H2 2027", "2H 2027", "the second half of 2027".
	halfYearRE = regexp.MustCompile(`(?i)\b(?:H([12])|([12])H)\s*(?:FY\s*)?(\d{4})\b|\b(first|second)\s+half\s+of\s+(\d{4})\b`)
	// closeOfBusinessRE is "close of business Friday", "end of day on
	// Thursday", "COB Monday": that weekday, counted from the email's
	// date (the day itself when it is sent on that weekday).
	closeOfBusinessRE = regexp.MustCompile(`(?i)\b(?:close of business|end of (?:business|day)|cob|eod)\s*(?:on\s+)?(?:this\s+)?(monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b`)
	// thisWeekdayRE is "this Friday", "this coming Monday": that weekday
	// in the week the email is sent (the next one, the day itself when
	// it is sent on that weekday).
	thisWeekdayRE = regexp.MustCompile(`(?i)\bthis\s+(?:coming\s+)?(monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b`)
	// datedWeekdayRE is the date that follows a weekday and says which
	// one it is: "Friday 16 July 2027", "Friday, May 14", "Friday
	// 14.05.2027".
	datedWeekdayRE = regexp.MustCompile(`(?i)^,?\s+(?:the\s+)?(?:\d{1,2}(?:st|nd|rd|th)?\.?\s+(?:of\s+)?` + monthRE + `|` + monthRE + `\s+\d{1,2}\b|\d{1,2}[./-]\d{1,2}\b)`)
	// endOfThisMonthRE is "the end of the month", "the end of this month":
	// the last day of the month the email is sent in.
	endOfThisMonthRE = regexp.MustCompile(`(?i)\bend\s+of\s+(?:the|this)\s+(?:calendar\s+)?month\b`)
)

// ordinalWords are the days of a month written out, as in "the thirtieth
// of June 2027".
var ordinalWords = []string{"first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth",
	"eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth", "seventeenth", "eighteenth", "nineteenth",
	"twentieth", "twenty-first", "twenty-second", "twenty-third", "twenty-fourth", "twenty-fifth", "twenty-sixth",
	"twenty-seventh", "twenty-eighth", "twenty-ninth", "thirtieth", "thirty-first"}

// writtenDayRE is a written-out day of a month, with or without a year:
// "the thirtieth of June 2027", "the twenty first of May".
var writtenDayRE = regexp.MustCompile(`(?i)\b((?:twenty|thirty)[- ]?)?(first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth|thirteenth|fourteenth|fifteenth|sixteenth|seventeenth|eighteenth|nineteenth|twentieth|thirtieth)\s+(?:day\s+)?of\s+` +
	monthRE + `(?:,?\s+(\d{4}))?\b`)

// writtenDays reads the written-out days of a month in line.
func writtenDays(line string, dc dateContext, g lineGates) []formDate {
	if !g.month {
		return nil
	}
	lower := g.lower
	if !strings.Contains(lower, "th of") && !strings.Contains(lower, "st of") && !strings.Contains(lower, "nd of") &&
		!strings.Contains(lower, "rd of") && !strings.Contains(lower, "day of") {
		return nil // every written-out day ends so before "of"
	}
	var out []formDate
	for _, m := range writtenDayRE.FindAllStringSubmatchIndex(line, maxDatesPerLine) {
		word := strings.ToLower(line[m[4]:m[5]])
		if m[2] >= 0 {
			word = strings.ToLower(strings.TrimRight(line[m[2]:m[3]], " -")) + "-" + word
		}
		day := slices.Index(ordinalWords, word) + 1
		month := monthOf(line[m[6]:m[7]])
		if m[8] >= 0 {
			d, ok := NewDate(atoiDigits(line[m[8]:m[9]]), month, day)
			out = append(out, formDate{m, d, ok && day > 0, ""})
			continue
		}
		d, ok := nextOccurrence(dc.sent, month, day)
		out = append(out, formDate{m, d, ok && day > 0, "no year given: the next " + month.String() + " " + strconv.Itoa(day) + " after the email's date"})
	}
	return out
}

// otherDateForms reads the forms above in line.
func otherDateForms(line string, dc dateContext, g lineGates) []formDate {
	if dc.sent.IsZero() {
		return nil
	}
	var out []formDate
	lower := g.lower
	if g.next && strings.Contains(lower, "month") {
		for _, m := range nextMonthDayRE.FindAllStringSubmatchIndex(line, maxDatesPerLine) {
			day := 1
			if n := strings.ToLower(line[m[2]:m[3]]); n != "first" {
				day, _ = strconv.Atoi(n[:len(n)-2]) // "1st": the digits before the suffix
			}
			first := time.Date(dc.sent.Year, dc.sent.Month+1, 1, 0, 0, 0, 0, time.UTC)
			d, ok := NewDate(first.Year(), first.Month(), day)
			out = append(out, formDate{m, d, ok, "the next month after the email's date " + dc.sent.String()})
		}
	}
	if g.digit && (strings.Contains(lower, "half") || strings.Contains(lower, "h1") || strings.Contains(lower, "h2") ||
		strings.Contains(lower, "1h") || strings.Contains(lower, "2h")) {
		for _, m := range halfYearRE.FindAllStringSubmatchIndex(line, maxDatesPerLine) {
			second, y := false, 0
			switch {
			case m[2] >= 0:
				second, y = line[m[2]:m[3]] == "2", atoiDigits(line[m[6]:m[7]])
			case m[4] >= 0:
				second, y = line[m[4]:m[5]] == "2", atoiDigits(line[m[6]:m[7]])
			default:
				second, y = strings.EqualFold(line[m[8]:m[9]], "second"), atoiDigits(line[m[10]:m[11]])
			}
			month := time.June
			if second {
				month = time.December
			}
			out = append(out, formDate{m, endOfMonth(y, month), y > 0, "a half year: its last day is used"})
		}
	}
	weekdays := func(re *regexp.Regexp) {
		for _, m := range re.FindAllStringSubmatchIndex(line, maxDatesPerLine) {
			if datedWeekdayRE.MatchString(line[m[1]:]) {
				continue // "Friday 16 July 2027": the date says which Friday
			}
			want := weekdayOf(line[m[2]:m[3]])
			t := dc.sent.Time(time.UTC)
			for t.Weekday() != want {
				t = t.AddDate(0, 0, 1)
			}
			out = append(out, formDate{m, DateOf(t, time.UTC), true, "the " + want.String() + " after the email's date " + dc.sent.String()})
		}
	}
	if strings.Contains(lower, "close of business") || strings.Contains(lower, "end of") || strings.Contains(lower, "cob") || strings.Contains(lower, "eod") {
		weekdays(closeOfBusinessRE)
	}
	if strings.Contains(lower, "this ") && strings.Contains(lower, "day") {
		weekdays(thisWeekdayRE)
	}
	if strings.Contains(lower, "end of") && strings.Contains(lower, "month") {
		for _, m := range endOfThisMonthRE.FindAllStringIndex(line, maxDatesPerLine) {
			out = append(out, formDate{m, endOfMonth(dc.sent.Year, dc.sent.Month), true,
				"the last day of the month of the email's date " + dc.sent.String()})
		}
	}
	return out
}

// atoiDigits reads a run of digits a pattern matched.
func atoiDigits(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

// forwardedSent reads the day a forwarded message was sent from its date
// line ("Date: Tue, Jun 15, 2027 at 3:05 PM", "Sent: Thursday, June 10,
// 2027 6:30 PM"): relative dates in it count from that day.
func forwardedSent(line string) (Date, bool) {
	if !headerLineRE.MatchString(line) || !strings.ContainsAny(line, "0123456789") {
		return Date{}, false
	}
	for _, c := range datesInLine(inEnglish(line[strings.IndexByte(line, ':')+1:]), dateContext{}) {
		if !c.date.IsZero() {
			return c.date, true
		}
	}
	return Date{}, false
}

// columnCues reads the header of a plain-text table ("Environment | v1
// read-only | v1 switched off"): which of its columns a deadline word
// heads. A date in such a column, on the rows below, has that word as
// its cue, as it would in a sentence ("switched off on 1 November").
type columnCues struct {
	strong []bool // nil outside a table with such a header
}

// tableRuleRE is a line that only rules a table off ("----+----").
var tableRuleRE = regexp.MustCompile(`^[\s\-=+|:]*$`)

// read updates the header from line, whose dates are dates, and returns
// the days read in its cells under a column a deadline word heads.
func (cc *columnCues) read(line string, dates []foundDate, dc dateContext) map[Date]bool {
	if strings.TrimSpace(line) != "" && tableRuleRE.MatchString(line) {
		return nil // the rule under a header keeps it
	}
	if !isTableRow(line) {
		cc.strong = nil
		return nil
	}
	cells := tableCells(line)
	if len(dates) == 0 {
		cc.strong = nil
		if len(cells) < 2 {
			return nil
		}
		strong, any := make([]bool, len(cells)), false
		for i, c := range cells {
			strong[i] = cueBefore(c+" ") == strongCue
			any = any || strong[i]
		}
		if any {
			cc.strong = strong
		}
		return nil
	}
	if cc.strong == nil || len(cells) != len(cc.strong) {
		return nil
	}
	var out map[Date]bool
	for i, c := range cells {
		if !cc.strong[i] {
			continue
		}
		for _, f := range datesInLine(c, dc) {
			if out == nil {
				out = map[Date]bool{}
			}
			out[f.date] = true
		}
	}
	return out
}

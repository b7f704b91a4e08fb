package triage

import (
	"regexp"
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
)

// otherDateForms reads the forms above in line.
func otherDateForms(line string, dc dateContext, g lineGates) []formDate {
	if dc.sent.IsZero() {
		return nil
	}
	var out []formDate
	lower := strings.ToLower(line)
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
	if g.digit && strings.Contains(lower, "h") {
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
	if strings.Contains(lower, "day") || strings.Contains(lower, "business") || strings.Contains(lower, "cob") || strings.Contains(lower, "eod") {
		for _, m := range closeOfBusinessRE.FindAllStringSubmatchIndex(line, maxDatesPerLine) {
			want := weekdayOf(line[m[2]:m[3]])
			t := dc.sent.Time(time.UTC)
			for t.Weekday() != want {
				t = t.AddDate(0, 0, 1)
			}
			out = append(out, formDate{m, DateOf(t, time.UTC), true, "the " + want.String() + " after the email's date " + dc.sent.String()})
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
	for _, c := range datesInLine(line[strings.IndexByte(line, ':')+1:], dateContext{}) {
		if !c.date.IsZero() {
			return c.date, true
		}
	}
	return Date{}, false
}

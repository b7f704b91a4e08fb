package triage

import (
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Short date forms of business letters: a quarter of the vendor's fiscal
// year ("FY27 Q1"), the day of next month in commercial Latin ("the 1st
// prox.") and a day and month written with dots and no year ("by
// 30.09.").

// fiscalYear is the fiscal year an email says its sender keeps: the year
// it numbers and the day that year begins ("our fiscal year 2027 begins
// on 1 February 2027"). Zero when the email states none.
type fiscalYear struct {
	number int
	start  Date
}

var (
	// fiscalStatementRE finds the statement of when a fiscal year begins,
	// with its number when given: "fiscal year 2027 begins on 1 February
	// 2027", "our fiscal year starts February 1, 2027".
	fiscalStatementRE = regexp.MustCompile(`(?i)\bfiscal\s+year\s+(?:(?:FY\s?)?(\d{4})\s+)?(?:begins|starts|started|began|runs\s+from|commences)\s+(?:on\s+)?` +
		`(\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?` + monthRE + `,?\s+\d{4}|` + monthRE + `\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4})`)
	// fiscalQuarterRE is a quarter of a fiscal year: "FY27 Q1", "Q3
	// FY2027", "FY'27-Q2".
	fiscalQuarterRE = regexp.MustCompile(`(?i)\bFY\s?'?(\d{2}|\d{4})\s*[-/]?\s*Q([1-4])\b|\bQ([1-4])\s*[-/]?\s*FY\s?'?(\d{2}|\d{4})\b`)
	// proximoRE is "the 1st prox." (proximo: of next month) and "the 15th
	// inst." (instant: of this month).
	proximoRE = regexp.MustCompile(`(?i)\b(?:the\s+)?(\d{1,2})(?:st|nd|rd|th)?\s+(prox|proximo|inst|instant)\b\.?`)
	// dayMonthDotsRE is a day and a month written with two digits each
	// and dots, without a year: "30.09.". A version ("9.4.") has one digit.
	dayMonthDotsRE = regexp.MustCompile(`(?:^|[^\d.])([0-3]\d)\.([01]\d)\.(?:[^\d]|$)`)
)

// statedFiscalYear reads the fiscal year body states, and returns body
// with that statement's date taken out: the day a fiscal year begins is
// how the vendor counts, not when its change takes effect.
func statedFiscalYear(body string) (fiscalYear, string) {
	if !strings.Contains(strings.ToLower(body), "fiscal") {
		return fiscalYear{}, body
	}
	m := fiscalStatementRE.FindStringSubmatchIndex(body)
	if m == nil {
		return fiscalYear{}, body
	}
	dates := datesInLine(body[m[4]:m[5]], dateContext{})
	if len(dates) == 0 {
		return fiscalYear{}, body
	}
	fy := fiscalYear{start: dates[0].date, number: fiscalNumber(dates[0].date)}
	if m[2] >= 0 {
		fy.number = atoiDigits(body[m[2]:m[3]])
	}
	return fy, body[:m[4]] + "that day" + body[m[5]:]
}

// fiscalNumber is the number of the fiscal year that begins on start when
// the email does not give it: the calendar year it ends in.
func fiscalNumber(start Date) int {
	if start.Month == time.January && start.Day == 1 {
		return start.Year
	}
	return start.Year + 1
}

// shortForms reads the forms above in line.
func shortForms(line string, dc dateContext, g lineGates) []formDate {
	if !g.digit {
		return nil
	}
	var out []formDate
	if strings.Contains(g.lower, "fy") {
		for _, m := range fiscalQuarterRE.FindAllStringSubmatchIndex(line, maxDatesPerLine) {
			y, q := line[m[2]:max(m[3], 0)], line[max(m[4], 0):max(m[5], 0)]
			if m[2] < 0 {
				y, q = line[m[8]:m[9]], line[m[6]:m[7]]
			}
			year := atoiDigits(y)
			if year < 100 {
				year += 2000
			}
			start, note := time.Date(year, time.January, 1, 0, 0, 0, 0, time.UTC), "a fiscal quarter, the fiscal year read as the calendar year (the email states no other): its last day is used"
			if !dc.fiscal.start.IsZero() {
				s := dc.fiscal.start
				start = time.Date(s.Year+year-dc.fiscal.number, s.Month, s.Day, 0, 0, 0, 0, time.UTC)
				note = "a quarter of the fiscal year the email states: its last day is used"
			}
			end := start.AddDate(0, 3*atoiDigits(q), -1)
			out = append(out, formDate{m, DateOf(end, time.UTC), true, note})
		}
	}
	if dc.sent.IsZero() {
		return out
	}
	if strings.Contains(g.lower, "prox") || strings.Contains(g.lower, "inst") {
		for _, m := range proximoRE.FindAllStringSubmatchIndex(line, maxDatesPerLine) {
			month, note := dc.sent.Month+1, "proximo: that day of the month after the email's date "+dc.sent.String()
			if strings.HasPrefix(strings.ToLower(line[m[4]:m[5]]), "inst") {
				month, note = dc.sent.Month, "instant: that day of the month of the email's date "+dc.sent.String()
			}
			t := time.Date(dc.sent.Year, month, 1, 0, 0, 0, 0, time.UTC)
			d, ok := NewDate(t.Year(), t.Month(), atoiDigits(line[m[2]:m[3]]))
			out = append(out, formDate{m, d, ok, note})
		}
	}
	if strings.Contains(line, ".") {
		for _, m := range dayMonthDotsRE.FindAllStringSubmatchIndex(line, maxDatesPerLine) {
			month, day := time.Month(atoiDigits(line[m[4]:m[5]])), atoiDigits(line[m[2]:m[3]])
			if month < 1 || month > 12 {
				continue
			}
			d, ok := nextOccurrence(dc.sent, month, day)
			out = append(out, formDate{[]int{m[2], m[5] + 1}, d, ok && day > 0, "no year given: the next " + month.String() + " " + strconv.Itoa(day) + " after the email's date"})
		}
	}
	return out
}

package triage

import (
	"regexp"
	"strconv"
	"strings"
	"time"
)

// foundDate is an effective date read from an email, with the words it was
// read from and how (for the reasoning).
type foundDate struct {
	date Date
	text string // the words around it, e.g. "effective April 20, 2027"
	note string // how an incomplete or ambiguous date was read
	cue  int    // how strongly the words before it say "deadline"
}

const monthRE = `(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?`

var (
	isoDateRE     = regexp.MustCompile(`\b(\d{4})-(\d{1,2})-(\d{1,2})\b`)
	monthDayRE    = regexp.MustCompile(`(?i)\b` + monthRE + `\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})\b`)
	dayMonthRE    = regexp.MustCompile(`(?i)\b(\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?` + monthRE + `,?\s+(\d{4})\b`)
	numericDateRE = regexp.MustCompile(`\b(\d{1,2})[/.](\d{1,2})[/.](\d{4})\b`)
	monthYearRE   = regexp.MustCompile(`(?i)\b` + monthRE + `,?\s+(\d{4})\b`)
	quarterRE     = regexp.MustCompile(`(?i)\bQ([1-4])\s*(\d{4})\b`)
	// headerLineRE matches the date lines of a forwarded or quoted message.
	headerLineRE = regexp.MustCompile(`(?i)^\s*(>\s*)*(date|sent)\s*:|^\s*(>\s*)*on .{0,80}\bwrote:\s*$`)
)

// Cue words before a date say it is the deadline rather than, say, the
// date of a past announcement.
var (
	strongDateCues = []string{"effective", "deadline", "no later than", "by", "before", "cutoff", "cut-off",
		"sunset", "end of life", "end-of-life", "retire", "retired", "retirement", "retiring", "decommission",
		"decommissioned", "expire", "expires", "expiry", "expiration", "starting", "cut off", "beginning", "as of",
		"takes effect", "until", "mandatory", "enforced", "enforcement", "deprecated", "removed", "go-live", "go live"}
	weakDateCues = []string{"on", "from", "after", "scheduled", "date", "planned", "in"}
)

func monthOf(s string) time.Month {
	s = strings.ToLower(strings.TrimSuffix(s, "."))
	for m := time.January; m <= time.December; m++ {
		if strings.HasPrefix(strings.ToLower(m.String()), s[:3]) {
			return m
		}
	}
	return 0
}

// extractDate finds the most likely effective date in an email: dates in
// the past (before today) and the email's own date lines are ignored, and a
// date right after a word like "effective" or "by" beats one that is not;
// among equals the soonest wins, the conservative choice for a deadline.
func extractDate(subject, body string, sent time.Time, today Date, loc *time.Location) (foundDate, bool) {
	var sentDay Date
	if !sent.IsZero() {
		sentDay = DateOf(sent, loc)
	}
	var best foundDate
	found := false
	for _, line := range strings.Split(subject+"\n"+body, "\n") {
		if headerLineRE.MatchString(line) {
			continue
		}
		for _, c := range datesInLine(line) {
			if c.date.Before(today) || (c.date == sentDay && c.cue == 0) {
				continue
			}
			if !found || c.cue > best.cue || (c.cue == best.cue && c.date.Before(best.date)) {
				best, found = c, true
			}
		}
	}
	return best, found
}

// maxDatesPerLine bounds the dates read from one line (of each form): a
// line that lists more is a table, not a deadline.
const maxDatesPerLine = 20

// datesInLine reads the dates in one line of text.
func datesInLine(line string) []foundDate {
	var out []foundDate
	var taken [][2]int
	add := func(loc []int, d Date, ok bool, note string) {
		for _, t := range taken {
			if loc[0] < t[1] && t[0] < loc[1] {
				return // part of a longer date already read
			}
		}
		taken = append(taken, [2]int{loc[0], loc[1]})
		if ok {
			out = append(out, foundDate{date: d, text: snippet(line, loc[0], loc[1]), note: note, cue: cueBefore(line[:loc[0]])})
		}
	}
	atoi := func(s string) int { n, _ := strconv.Atoi(s); return n } // the regexps only match digits
	for _, m := range isoDateRE.FindAllStringSubmatchIndex(line, maxDatesPerLine) {
		d, ok := NewDate(atoi(line[m[2]:m[3]]), time.Month(atoi(line[m[4]:m[5]])), atoi(line[m[6]:m[7]]))
		add(m, d, ok, "")
	}
	for _, m := range monthDayRE.FindAllStringSubmatchIndex(line, maxDatesPerLine) {
		d, ok := NewDate(atoi(line[m[6]:m[7]]), monthOf(line[m[2]:m[3]]), atoi(line[m[4]:m[5]]))
		add(m, d, ok, "")
	}
	for _, m := range dayMonthRE.FindAllStringSubmatchIndex(line, maxDatesPerLine) {
		d, ok := NewDate(atoi(line[m[6]:m[7]]), monthOf(line[m[4]:m[5]]), atoi(line[m[2]:m[3]]))
		add(m, d, ok, "")
	}
	for _, m := range numericDateRE.FindAllStringSubmatchIndex(line, maxDatesPerLine) {
		a, b, y := atoi(line[m[2]:m[3]]), atoi(line[m[4]:m[5]]), atoi(line[m[6]:m[7]])
		day, month, note := a, b, ""
		switch {
		case a > 12:
		case b > 12:
			day, month = b, a
			note = "read month-first because " + strconv.Itoa(b) + " cannot be a month"
		case a != b:
			note = "ambiguous numeric date read day-first"
		}
		d, ok := NewDate(y, time.Month(month), day)
		add(m, d, ok, note)
	}
	for _, m := range monthYearRE.FindAllStringSubmatchIndex(line, maxDatesPerLine) {
		month, y := monthOf(line[m[2]:m[3]]), atoi(line[m[4]:m[5]])
		add(m, endOfMonth(y, month), month != 0 && y > 0, "no day given: the last day of the month is used")
	}
	for _, m := range quarterRE.FindAllStringSubmatchIndex(line, maxDatesPerLine) {
		q, y := atoi(line[m[2]:m[3]]), atoi(line[m[4]:m[5]])
		add(m, endOfMonth(y, time.Month(q*3)), y > 0, "a quarter: its last day is used")
	}
	return out
}

// strongCue is the score of a deadline word before a date.
const strongCue = 3

// cueBefore scores the words just before a date: strongCue for a deadline
// word, 1 for a weaker one, 0 for none.
func cueBefore(before string) int {
	if len(before) > 48 {
		before = before[len(before)-48:]
	}
	ws := words(before)
	if len(ws) > 6 {
		ws = ws[len(ws)-6:]
	}
	tail := " " + strings.Join(ws, " ") + " "
	score := 0
	for _, c := range strongDateCues {
		if strings.Contains(tail, " "+c+" ") {
			return strongCue
		}
	}
	if len(ws) > 0 {
		last := ws[len(ws)-1]
		for _, c := range weakDateCues {
			if last == c {
				score = 1
			}
		}
	}
	return score
}

// snippet is up to four words before a match and the match itself.
func snippet(line string, start, end int) string {
	before := strings.Fields(line[:start])
	if len(before) > 4 {
		before = before[len(before)-4:]
	}
	return strings.Join(append(before, strings.Fields(line[start:end])...), " ")
}

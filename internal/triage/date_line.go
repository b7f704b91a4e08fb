package triage

import (
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// Reading the dates in one line: written, numeric, partial and relative
// forms.

const monthRE = `(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?`

var (
	// isoDateRE is also the date of an ISO timestamp:
	// "2027-06-30T00:00:00Z".
	isoDateRE     = regexp.MustCompile(`\b(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:\b|T\d)`)
	monthDayRE    = regexp.MustCompile(`(?i)\b` + monthRE + `\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})\b`)
	dayMonthRE    = regexp.MustCompile(`(?i)\b(\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?` + monthRE + `,?\s+(\d{4})\b`)
	numericDateRE = regexp.MustCompile(`\b(\d{1,2})[/.](\d{1,2})[/.](\d{4}|\d{2})\b`)
	// spacedNumericRE is a numeric date with a space after each dot:
	// "15. 9. 2028".
	spacedNumericRE = regexp.MustCompile(`\b(\d{1,2})\.\s(\d{1,2})\.\s(\d{4})\b`)
	// dashedNumericRE is "04-06-2027", as Dutch and Danish senders write
	// dates; with a four-digit year only, so that codes and phone numbers
	// are not read as dates.
	dashedNumericRE = regexp.MustCompile(`\b(\d{1,2})-(\d{1,2})-(\d{4})\b`)
	// dashedDateRE is "15-Mar-2027" or "15-Mar-27".
	dashedDateRE = regexp.MustCompile(`(?i)\b(\d{1,2})[- ]` + monthRE + `[- ](\d{4}|\d{2})\b`)
	// Without a year: "March 15th", "on the 15th of March".
	monthDayNoYearRE = regexp.MustCompile(`(?i)\b` + monthRE + `\s+(\d{1,2})(st|nd|rd|th)?\b`)
	dayMonthNoYearRE = regexp.MustCompile(`(?i)\b(\d{1,2})(st|nd|rd|th)?\s+(?:of\s+)?` + monthRE + `\b`)
	// Relative to the email's date: "in 90 days", "within 30 days",
	// "6 weeks from now", "next Monday".
	relativeRE    = regexp.MustCompile(`(?i)\b(?:in|within|after)\s+(\d{1,3}|one|two|three|four|five|six|seven|eight|nine|ten|twelve|thirty|sixty|ninety)\s+((?:business\s+|working\s+)?day|week|month)s?\b|\b(\d{1,3}|one|two|three|four|five|six|seven|eight|nine|ten|twelve|thirty|sixty|ninety)\s+((?:business\s+|working\s+)?day|week|month)s?\s+(?:of\s+this\s+(?:email|notice|message|letter|notification)|from (?:now|today|the (?:date|day) of this (?:email|notice|message|letter|notification))|after (?:the date of )?this (?:email|notice|message|letter|notification))\b`)
	nextWeekdayRE = regexp.MustCompile(`(?i)\bnext\s+(monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b`)
	monthYearRE   = regexp.MustCompile(`(?i)\b` + monthRE + `,?\s+(\d{4})\b`)
	// rangeEndRE is the end of a range whose start has no year: " and
	// February 19, 2027", " to 19 March 2027".
	rangeEndRE = regexp.MustCompile(`(?i)^\s*(?:and|to|through|until|till|-|–|—)\s+(?:` + monthRE +
		`\s+)?\d{1,2}(?:st|nd|rd|th)?(?:\s+(?:of\s+)?` + monthRE + `)?,?\s+(\d{4})\b`)
	// endOfMonthNoYearRE is "the end of August" without a year.
	endOfMonthNoYearRE = regexp.MustCompile(`(?i)\bend\s+of\s+` + monthRE + `(?:\b|$)`)
	quarterRE          = regexp.MustCompile(`(?i)\bQ([1-4])\s*(\d{4})\b`)
	// headerLineRE matches the date lines of a forwarded or quoted message.
	// Mail programs name them in their own language: "Gesendet:",
	// "Envoyé :", "Enviado el:", "Sendt:" (Norwegian, Danish), "Skickat:", "Lähetetty:",
	// "Odesláno:", "Wysłano:", "Elküldve:", "Trimis:", "Poslano:".
	headerLineRE = regexp.MustCompile(`(?i)^\s*(>\s*)*(date|sent|gesendet|datum|envoyé|verzonden|enviado(?:\s+el)?|enviada|inviato|sendt|skickat|lähetetty|odesláno|wysłano|elküldve|trimis|poslano)\s*:|^\s*(>\s*)*on .{0,80}\bwrote:\s*$`)
	// quoteLineRE is the line a German or French mail program puts above
	// a quoted message ("Am 3. Juni 2027 um 10:15 schrieb …:", "Le … a
	// écrit :"), behind a gate on its verb.
	quoteLineRE = mustGated(`(?i)^\s*(?:>\s*)*(?:am .{0,80}\bschrieb\b.{0,120}|le .{0,80}\ba écrit\s*):\s*$`)
)

// Cue words before a date say it is the deadline rather than, say, the
// date of a past announcement.
var (
	strongDateCues = []string{"effective", "deadline", "no later than", "by", "before", "cutoff", "cut-off",
		"sunset", "end of life", "end-of-life", "retire", "retired", "retirement", "retiring", "decommission",
		"decommissioned", "expire", "expires", "expiry", "expiration", "starting", "cut off", "beginning", "as of",
		"takes effect", "until", "mandatory", "enforced", "enforcement", "deprecated", "removed", "go-live", "go live",
		"end of support", "end-of-support", "support ends", "turned off", "switched off", "shut down", "discontinued",
		// German: "bis (zum)", "spätestens", "Frist", "Stichtag"; "ab (dem)" is "from".
		"bis", "spätestens", "frist", "stichtag",
		// The day a credential or certificate is swapped: "the rollover on
		// March 3rd", "Cutover | 2027-05-01".
		"rollover", "roll-over", "cutover", "cut-over", "switchover", "switch-over", "begin", "begins"}
	weakDateCues = []string{"on", "from", "after", "scheduled", "date", "planned", "in", "am", "zum", "ab"}
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

// numberWords are the spelled-out counts of relative dates.
var numberWords = map[string]int{"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
	"nine": 9, "ten": 10, "twelve": 12, "thirty": 30, "sixty": 60, "ninety": 90}

// maxDatesPerLine bounds the dates read from one line (of each form): a
// line that lists more is a table, not a deadline.
const maxDatesPerLine = 20

// datesInLine reads the dates in one line of text.
func datesInLine(line string, dc dateContext) []foundDate {
	var out []foundDate
	var taken [][2]int
	ambiguous := false
	add := func(loc []int, d Date, ok bool, note string) {
		for _, t := range taken {
			if loc[0] < t[1] && t[0] < loc[1] {
				return // part of a longer date already read
			}
		}
		taken = append(taken, [2]int{loc[0], loc[1]})
		if ok && asksForFeedback(line[:loc[0]]) {
			return // when a survey closes or a reply is asked for: no change takes effect then
		}
		if ok {
			sentence := sentenceBefore(line, loc[0])
			whole := sentence + line[loc[1]:sentenceEnd(line, loc[1])]
			f := foundDate{date: d, text: snippet(line, loc[0], loc[1]), note: note, cue: dateCue(line, loc[0]), at: [2]int{loc[0], loc[1]},
				aside:    inParentheses(line[:loc[0]]) || outgoingValidityRE.MatchString(sentence),
				document: priceDocumentRE.MatchString(sentence) || dc.document && documentWordRE.MatchString(sentence), ambiguous: ambiguous,
				prep:  prepRE.MatchString(sentence) || rowStepBefore(line, loc[0]) || deprecationStep(whole),
				event: eventRE.MatchString(whole) || offerRE.MatchString(whole) || feedbackRE.MatchString(whole)}
			if replacementReadyRE.MatchString(sentence) {
				// "The new server is open from 19 June": the replacement
				// is ready then; the change is when the old one goes.
				f.prep, f.cue = true, 0
			}
			if f.cue < strongCue && strings.HasPrefix(note, "relative to") && hardStopRE.MatchString(sentence) {
				// "The old hostname will stop answering two weeks from
				// today": a relative date has no cue word before it; the
				// stop it is the day of is its cue.
				f.cue = strongCue
			}
			if cue, prep, ok := timelineCue(line, loc[0], loc[1]); ok && cue > f.cue {
				f.cue, f.prep = cue, prep
				f.text = snippet(line, loc[0], sentenceEnd(line, loc[1]))
			}
			out = append(out, f)
		}
	}
	atoi := func(s string) int { n, _ := strconv.Atoi(s); return n } // the regexps only match digits
	g := gatesOf(line)
	for _, m := range g.find(g.digit, isoDateRE, line) {
		if versionLike(line, m[0], m[1]) {
			continue // "rule package GRD-2028.03.1": a version, not a date
		}
		d, ok := NewDate(atoi(line[m[2]:m[3]]), time.Month(atoi(line[m[4]:m[5]])), atoi(line[m[6]:m[7]]))
		add(m, d, ok, "")
	}
	for _, m := range g.find(g.digit && g.month, monthDayRE, line) {
		d, ok := NewDate(atoi(line[m[6]:m[7]]), monthOf(line[m[2]:m[3]]), atoi(line[m[4]:m[5]]))
		add(m, d, ok, "")
	}
	for _, m := range g.find(g.digit && g.month, dayMonthRE, line) {
		d, ok := NewDate(atoi(line[m[6]:m[7]]), monthOf(line[m[4]:m[5]]), atoi(line[m[2]:m[3]]))
		add(m, d, ok, "")
	}
	dotted := dottedDayDates(line, g)
	for _, d := range dotted {
		if d.year > 0 {
			dt, ok := NewDate(d.year, d.month, d.day)
			add(d.loc, dt, ok, "")
		}
	}
	for _, f := range writtenDays(line, dc, g) {
		add(f.loc, f.date, f.ok, f.note)
	}
	for _, f := range weekdaysOfMonth(line, dc, g) {
		add(f.loc, f.date, f.ok, f.note)
	}
	for _, f := range businessDaysOfMonth(line, dc, g) {
		add(f.loc, f.date, f.ok, f.note)
	}
	for _, m := range g.find(g.digit && strings.Count(line, ". ") >= 2, spacedNumericRE, line) {
		// "15. 9. 2028", as Czech, Slovak and German write it: day first.
		d, ok := NewDate(atoi(line[m[6]:m[7]]), time.Month(atoi(line[m[4]:m[5]])), atoi(line[m[2]:m[3]]))
		add(m, d, ok, "")
	}
	for _, m := range append(g.find(g.digit, numericDateRE, line), g.find(g.digit && strings.Count(line, "-") >= 2, dashedNumericRE, line)...) {
		a, b, y := atoi(line[m[2]:m[3]]), atoi(line[m[4]:m[5]]), fullYear(line[m[6]:m[7]])
		day, month, note := a, b, ""
		switch {
		case a > 12:
		case b > 12:
			day, month = b, a
			note = "read month-first because " + strconv.Itoa(b) + " cannot be a month"
		case a != b && dc.order == orderMonthFirst:
			day, month, ambiguous = b, a, true
		case a != b && dc.order == orderUnknown && pastDayFirst(y, a, b, dc.sent):
			// Day-first it would be before the email was sent: an
			// effective date is not in the past.
			day, month = b, a
			note, ambiguous = "numeric date read month-first: day-first it would be before the email's date", true
		case a != b:
			note, ambiguous = "ambiguous numeric date read day-first: check it", true
		}
		d, ok := NewDate(y, time.Month(month), day)
		add(m, d, ok, note)
		ambiguous = false
	}
	for _, m := range g.find(g.digit && g.month, dashedDateRE, line) {
		d, ok := NewDate(fullYear(line[m[6]:m[7]]), monthOf(line[m[4]:m[5]]), atoi(line[m[2]:m[3]]))
		add(m, d, ok, "")
	}
	// Dates without a year come after every form with one, so that
	// "March 15, 2027" is read whole.
	noYear := func(m []int, month time.Month, day int, monthText string) {
		if strings.ToLower(monthText) == "may" && !strings.HasPrefix(monthText, "M") {
			return // "you may 2…": the verb, not the month
		}
		if r := rangeEndRE.FindStringSubmatch(line[m[1]:]); r != nil {
			// "between January 4 and February 19, 2027": the range's
			// year is the first date's too.
			d, ok := NewDate(atoi(r[len(r)-1]), month, day)
			add(m, d, ok, "year taken from the end of the range")
			return
		}
		d, ok := nextOccurrence(dc.sent, month, day)
		add(m, d, ok, "no year given: the next "+month.String()+" "+strconv.Itoa(day)+" after the email's date")
		if ok && len(out) > 0 && out[len(out)-1].date == d && d.Year > dc.sent.Year {
			if this, ok := NewDate(dc.sent.Year, month, day); ok && this.Before(dc.sent) && dc.sent.DaysAfter(this) <= recentPastDays {
				out[len(out)-1].rolled = true
			}
		}
	}
	for _, d := range dotted {
		if d.year == 0 {
			noYear(d.loc, d.month, d.day, d.monthText)
		}
	}
	for _, m := range g.find(g.digit && g.month, monthDayNoYearRE, line) {
		if end := m[1]; end < len(line) && strings.HasPrefix(strings.TrimLeft(line[end:], " ,"), "20") {
			continue // a year follows in a form not read above
		}
		noYear(m, monthOf(line[m[2]:m[3]]), atoi(line[m[4]:m[5]]), line[m[2]:m[3]])
	}
	for _, m := range g.find(g.digit && g.month, dayMonthNoYearRE, line) {
		if m[4] < 0 && !strings.Contains(strings.ToLower(line[m[0]:m[1]]), " of ") && cueBefore(line[:m[0]]) == 0 {
			continue // "3 May" is a date; "3 mar…" without a cue may be a count of something
		}
		noYear(m, monthOf(line[m[6]:m[7]]), atoi(line[m[2]:m[3]]), line[m[6]:m[7]])
	}
	for _, m := range g.find(g.month, endOfMonthNoYearRE, line) {
		if strings.HasPrefix(strings.TrimLeft(line[m[1]:], " ,"), "20") {
			continue // "end of June 2027" is read above
		}
		month := monthOf(line[m[2]:m[3]])
		d := endOfMonth(dc.sent.Year, month)
		if d.Before(dc.sent) {
			d = endOfMonth(dc.sent.Year+1, month)
		}
		add(m, d, month != 0, "no year given: the last day of the next "+month.String()+" after the email's date")
	}
	for _, m := range g.find(g.unit, relativeRE, line) {
		nText, unit := "", ""
		if m[2] >= 0 {
			nText, unit = line[m[2]:m[3]], line[m[4]:m[5]]
		} else {
			nText, unit = line[m[6]:m[7]], line[m[8]:m[9]]
		}
		n, err := strconv.Atoi(nText)
		if err != nil {
			n = numberWords[strings.ToLower(nText)]
		}
		if n <= 0 || dc.sent.IsZero() {
			continue
		}
		add(m, relativeDate(dc.sent, n, strings.Join(strings.Fields(strings.ToLower(unit)), " ")), true, "relative to the email's date "+dc.sent.String())
	}
	for _, m := range g.find(g.next, nextWeekdayRE, line) {
		if dc.sent.IsZero() {
			continue
		}
		add(m, nextWeekday(dc.sent, weekdayOf(line[m[2]:m[3]])), true, "relative to the email's date "+dc.sent.String())
	}
	for _, f := range germanRelative(line, dc, g) {
		add(f.loc, f.date, f.ok, f.note)
	}
	for _, f := range otherRelative(line, dc, g) {
		add(f.loc, f.date, f.ok, f.note)
	}
	for _, f := range monthEnds(line, dc, g) {
		add(f.loc, f.date, f.ok, f.note)
	}
	for _, f := range foreignMonthEnds(line, dc, g) {
		add(f.loc, f.date, f.ok, f.note)
	}
	for _, f := range finnishDates(line, dc, g) {
		add(f.loc, f.date, f.ok, f.note)
	}
	for _, f := range balticDates(line, g) {
		add(f.loc, f.date, f.ok, f.note)
	}
	for _, f := range foreignQuarters(line, g) {
		add(f.loc, f.date, f.ok, f.note)
	}
	for _, m := range g.find(g.digit && g.month, monthYearRE, line) {
		month, y := monthOf(line[m[2]:m[3]]), atoi(line[m[4]:m[5]])
		add(m, endOfMonth(y, month), month != 0 && y > 0, "no day given: the last day of the month is used")
	}
	for _, m := range g.find(g.digit && g.quarter, quarterRE, line) {
		q, y := atoi(line[m[2]:m[3]]), atoi(line[m[4]:m[5]])
		add(m, endOfMonth(y, time.Month(q*3)), y > 0, "a quarter: its last day is used")
	}
	for _, f := range isoWeeks(line, g) {
		add(f.loc, f.date, f.ok, f.note)
	}
	for _, f := range otherDateForms(line, dc, g) {
		add(f.loc, f.date, f.ok, f.note)
	}
	for _, f := range shortForms(line, dc, g) {
		add(f.loc, f.date, f.ok, f.note)
	}
	return out
}

// versionLike reports whether the dotted numbers at line[start:end] are
// part of a name or version: joined by a hyphen to a word before them
// ("GRD-2028.03.1"), or followed by another dotted number ("2028.03.1.4").
func versionLike(line string, start, end int) bool {
	if start >= 2 && line[start-1] == '-' && unicode.IsLetter(rune(line[start-2])) {
		return true
	}
	return end+1 < len(line) && line[end] == '.' && line[end+1] >= '0' && line[end+1] <= '9'
}

// lineGates are cheap facts about a line that every match of a date
// pattern needs: a line without a digit holds no numeric date, one without a
// month name no written date. Checking them first spares most lines of a
// long email the patterns, whose cost grows with the line.
type lineGates struct {
	digit, month, unit, next, quarter bool
	lower                             string // the line in lower case
}

var monthStems = []string{"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"}

func gatesOf(line string) lineGates {
	lower := strings.ToLower(line)
	g := lineGates{
		digit:   strings.ContainsAny(line, "0123456789"),
		unit:    strings.Contains(lower, "day") || strings.Contains(lower, "week") || strings.Contains(lower, "month"),
		next:    strings.Contains(lower, "next"),
		quarter: strings.Contains(lower, "q"),
		lower:   lower,
	}
	for _, m := range monthStems {
		if strings.Contains(lower, m) {
			g.month = true
			break
		}
	}
	return g
}

// find is re's matches in line when the gate holds, else none.
func (lineGates) find(gate bool, re *regexp.Regexp, line string) [][]int {
	if !gate {
		return nil
	}
	return re.FindAllStringSubmatchIndex(line, maxDatesPerLine)
}

// recentPastDays: a day and month without a year up to this many days
// before the email was sent is more likely the recent past than next
// year's (see foundDate.rolled).
const recentPastDays = 90

// nextOccurrence is the first month/day on or after from.
func nextOccurrence(from Date, month time.Month, day int) (Date, bool) {
	if from.IsZero() || month == 0 {
		return Date{}, false
	}
	for y := from.Year; y <= from.Year+1; y++ {
		if d, ok := NewDate(y, month, day); ok && !d.Before(from) {
			return d, true
		}
	}
	return Date{}, false
}

func weekdayOf(s string) time.Weekday {
	s = strings.ToLower(s)
	for d := time.Sunday; d <= time.Saturday; d++ {
		if strings.ToLower(d.String()) == s {
			return d
		}
	}
	return time.Monday
}

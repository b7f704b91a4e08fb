package triage

import (
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/vendorsync/vendorsync/internal/registry"
)

// foundDate is an effective date read from an email, with the words it was
// read from and how (for the reasoning).
type foundDate struct {
	date Date
	text string // the words around it, e.g. "effective April 20, 2027"
	note string // how an incomplete or ambiguous date was read
	cue  int    // how strongly the words before it say "deadline"
	// ambiguous is a numeric date whose day and month could be swapped.
	ambiguous bool
	// trial is a date on a line about a test environment (sandbox,
	// staging): the change reaches production later.
	trial bool
	// prep is the date of a step before the change that the vendor takes
	// ("new credentials will be sent to you on …"), advises ("we
	// recommend upgrading before …") or of the replacement becoming
	// available, not the change's.
	prep bool
	// event is a date in a sentence about an event (a webinar, a
	// conference) or an offer ("a trade-in discount until …"): a
	// notice of a change outranks it.
	event bool
	// past is a date before the email was sent: what already happened
	// (when an incident was found, which keys were issued before it), not
	// when the change takes effect.
	past bool
	// rolled is a day and month without a year that fell shortly before
	// the email was sent, read as next year's: most likely the recent
	// past ("a defect introduced on March 30"), so any other date beats
	// it.
	rolled bool
	// aside is a date in parentheses ("(CN=host, valid until
	// 30.11.2027)"): a detail of something the sentence names, not the
	// date the sentence says the change takes effect.
	aside bool
	// document is a date a price list, fee schedule or contract year
	// applies from: when an informational notice's document applies, not
	// a change it announces.
	document bool
	// fit is 2 for a date on a table row about the version the email says
	// the customer runs, 1 for the version the registry says it runs, -1
	// for one on a row about another version.
	fit int
}

// better reports whether f is a likelier effective date than g: one on or
// after the day the email was sent beats an earlier one, one for
// production beats one for a test environment, a stronger cue beats a
// weaker one, and among equals the soonest wins, the conservative choice
// for a deadline.
func (f foundDate) better(g foundDate) bool {
	switch {
	case f.past != g.past:
		return !f.past
	case f.rolled != g.rolled:
		return !f.rolled
	case f.trial != g.trial:
		return !f.trial
	case f.fit != g.fit:
		return f.fit > g.fit
	case f.aside != g.aside:
		return !f.aside
	case f.event != g.event:
		return !f.event
	case f.cue == g.cue && f.prep != g.prep:
		return !f.prep
	case f.cue != g.cue:
		return f.cue > g.cue
	}
	return f.date.Before(g.date)
}

// trialRE finds a line about a test environment.
var trialRE = regexp.MustCompile(`(?i)\b(sandbox|staging|test(ing)? environment|uat|pilot environment|demo (?:accounts?|environments?|tenants?|sites?|instances?))\b`)

// unwrapped splits text into lines with hard-wrapped paragraphs joined
// again, so that a cue and its date ("supported as of" / "1 August 2027")
// or a relative date ("within 14" / "days") split by the wrap are read
// together. A line is joined to the one before when that one is long
// prose and it continues it (no indent, list mark or header field).
func unwrapped(text string) []string {
	var out []string
	for _, line := range strings.Split(text, "\n") {
		if n := len(out); n > 0 && continues(out[n-1], line) {
			out[n-1] = strings.TrimRight(out[n-1], " \t\r") + " " + strings.TrimSpace(line)
			continue
		}
		out = append(out, line)
	}
	return out
}

// wrapWidth is the length from which a line is taken to be wrapped
// prose rather than a short line of its own.
const wrapWidth = 50

func continues(prev, line string) bool {
	p, l := strings.TrimRight(prev, " \t\r"), strings.TrimRight(line, " \t\r")
	if len(p) < wrapWidth || l == "" || strings.HasSuffix(p, ":") || isHeaderLine(p) || isHeaderLine(l) ||
		isTableRow(p) || isTableRow(l) {
		// Short lines, header fields and table rows stand alone.
		return false
	}
	if c := l[0]; c == ' ' || c == '\t' || c == '-' || c == '*' || c == '>' || c == '|' || (c >= '0' && c <= '9' && listItemRE.MatchString(l)) {
		return false
	}
	return !strings.HasPrefix(l, "•")
}

var listItemRE = regexp.MustCompile(`^\d{1,2}[.)]\s`)

const monthRE = `(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?`

var (
	isoDateRE     = regexp.MustCompile(`\b(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})\b`)
	monthDayRE    = regexp.MustCompile(`(?i)\b` + monthRE + `\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})\b`)
	dayMonthRE    = regexp.MustCompile(`(?i)\b(\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?` + monthRE + `,?\s+(\d{4})\b`)
	numericDateRE = regexp.MustCompile(`\b(\d{1,2})[/.](\d{1,2})[/.](\d{4}|\d{2})\b`)
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
	relativeRE    = regexp.MustCompile(`(?i)\b(?:in|within|after)\s+(\d{1,3}|one|two|three|four|five|six|seven|eight|nine|ten|twelve|thirty|sixty|ninety)\s+(day|week|month)s?\b|\b(\d{1,3}|one|two|three|four|five|six|seven|eight|nine|ten|twelve|thirty|sixty|ninety)\s+(day|week|month)s?\s+(?:from (?:now|today|the (?:date|day) of this (?:email|notice|message|letter|notification))|after (?:the date of )?this (?:email|notice|message|letter|notification))\b`)
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
	headerLineRE = regexp.MustCompile(`(?i)^\s*(>\s*)*(date|sent)\s*:|^\s*(>\s*)*on .{0,80}\bwrote:\s*$`)
)

// Cue words before a date say it is the deadline rather than, say, the
// date of a past announcement.
var (
	strongDateCues = []string{"effective", "deadline", "no later than", "by", "before", "cutoff", "cut-off",
		"sunset", "end of life", "end-of-life", "retire", "retired", "retirement", "retiring", "decommission",
		"decommissioned", "expire", "expires", "expiry", "expiration", "starting", "cut off", "beginning", "as of",
		"takes effect", "until", "mandatory", "enforced", "enforcement", "deprecated", "removed", "go-live", "go live",
		"end of support", "end-of-support", "support ends", "turned off", "switched off", "shut down", "discontinued"}
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

// numberWords are the spelled-out counts of relative dates.
var numberWords = map[string]int{"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
	"nine": 9, "ten": 10, "twelve": 12, "thirty": 30, "sixty": 60, "ninety": 90}

// dateContext is what reading a date needs beyond its line: the day the
// email was sent (relative dates and dates without a year count from it)
// and the order numeric dates are written in, when the email shows it.
type dateContext struct {
	sent  Date
	order numericOrder
}

// numericOrder is how an email writes numeric dates.
type numericOrder int

const (
	orderUnknown numericOrder = iota
	orderDayFirst
	orderMonthFirst
)

// dayFirstTLDs are country domains whose senders write day-first.
var dayFirstTLDs = map[string]bool{"uk": true, "de": true, "fr": true, "it": true, "es": true, "nl": true, "be": true,
	"at": true, "ch": true, "ie": true, "au": true, "nz": true, "in": true, "br": true, "pt": true, "pl": true, "se": true,
	"no": true, "dk": true, "fi": true, "eu": true, "za": true, "sg": true, "mx": true, "ar": true, "cz": true}

// orderOf reads how an email writes numeric dates: from an unambiguous
// numeric date in it (a day over 12 shows the order), else from the
// sender's country domain (.us month-first; .uk, .de… day-first), else
// from the sender's postal address.
func orderOf(text, from string) (numericOrder, string) {
	numeric := append(numericDateRE.FindAllStringSubmatch(text, maxDatesPerLine), dashedNumericRE.FindAllStringSubmatch(text, maxDatesPerLine)...)
	if len(numeric) == 0 {
		return orderUnknown, "" // no numeric date to read
	}
	for _, m := range numeric {
		a, _ := strconv.Atoi(m[1])
		b, _ := strconv.Atoi(m[2])
		switch {
		case a > 12 && b <= 12:
			return orderDayFirst, "the email writes " + m[0] + " day-first"
		case b > 12 && a <= 12:
			return orderMonthFirst, "the email writes " + m[0] + " month-first"
		}
	}
	d := domainOf(from)
	tld := d[strings.LastIndexByte(d, '.')+1:]
	switch {
	case tld == "us":
		return orderMonthFirst, "the sender's domain " + d + " is American"
	case dayFirstTLDs[tld]:
		return orderDayFirst, "the sender's domain " + d + " writes dates day-first"
	}
	return orderOfAddress(text)
}

// usAddressRE finds an American postal address (a state and a ZIP code)
// or country name; dayFirstCountryRE a country that writes dates
// day-first. A sender's own address, in the footer of most notices, says
// how it writes dates when its domain does not.
var (
	usAddressRE       = regexp.MustCompile(`\b(?:A[KLRZ]|C[AOT]|D[CE]|FL|GA|HI|I[ADLN]|K[SY]|LA|M[ADEINOST]|N[CDEHJMVY]|O[HKR]|PA|RI|S[CD]|T[NX]|UT|V[AT]|W[AIVY])\s+\d{5}(?:-\d{4})?\b|\b(?:United States|USA)\b|\bU\.S\.A\.`)
	dayFirstCountryRE = mustGated(`\b(?:United Kingdom|England|Scotland|Ireland|Germany|Deutschland|France|Switzerland|Schweiz|Suisse|Austria|Österreich|Netherlands|Nederland|Belgium|België|Belgique|Spain|España|Italy|Italia|Portugal|Poland|Sweden|Norway|Denmark|Finland|Australia|New Zealand|India|Brazil|Brasil|South Africa|Singapore)\b`)
)

// orderOfAddress reads the order from the postal addresses in the email:
// only when they all point the same way.
func orderOfAddress(text string) (numericOrder, string) {
	us, other := usAddressRE.FindString(text), dayFirstCountryRE.FindString(text)
	switch {
	case us != "" && other == "":
		return orderMonthFirst, "the sender's address (" + us + ") is American"
	case other != "" && us == "":
		return orderDayFirst, "the sender's address (" + other + ") writes dates day-first"
	}
	return orderUnknown, ""
}

// extractDate finds the most likely effective date in an email: dates in
// the past (before today) and the email's own date lines are ignored, and a
// date right after a word like "effective" or "by" beats one that is not;
// among equals the soonest wins, the conservative choice for a deadline.
//
// known are the versions of the sender's products the registry says the
// customer runs (see registryVersions): on a table of releases, the row of
// the version the email says the customer runs wins, then the row of one
// the registry names, and rows of other versions lose.
func extractDate(subject, body, from string, sent time.Time, today Date, loc *time.Location, known ...string) (foundDate, bool) {
	k := dateKey{subject: subject, body: body, from: from, sent: sent, today: today, loc: loc, known: strings.Join(known, "\x00")}
	r := recentDates.get(k, func() dateResult {
		fd, ok := readDate(subject, body, from, sent, today, loc, known)
		return dateResult{fd, ok}
	})
	return r.date, r.ok
}

// dateKey is everything extractDate reads.
type dateKey struct {
	subject, body, from string
	sent                time.Time
	today               Date
	loc                 *time.Location
	known               string
}

type dateResult struct {
	date foundDate
	ok   bool
}

// recentDates are the dates read from the emails of the last decisions.
var recentDates memo[dateKey, dateResult]

// readDate is extractDate without the memo.
func readDate(subject, body, from string, sent time.Time, today Date, loc *time.Location, known []string) (foundDate, bool) {
	var sentDay Date
	if !sent.IsZero() {
		sentDay = DateOf(sent, loc)
	}
	dc := dateContext{sent: sentDay}
	if dc.sent.IsZero() {
		dc.sent = today
	}
	order, why := orderOf(subject+"\n"+body, from)
	dc.order = order
	var running []string
	runningRead := false
	var best foundDate
	found := false
	var trialCols []bool // the columns of the table being read that are about a test environment
	var cols columnCues  // the columns of the table being read that a deadline word heads
	for _, line := range unwrapped(subject + "\n" + body) {
		if isHeaderLine(line) {
			// A forwarded message's date line: what follows was sent
			// that day, and its relative dates count from it.
			if fwd, ok := forwardedSent(line); ok && !sentDay.IsZero() && !sentDay.Before(fwd) && sentDay.DaysAfter(fwd) <= maxForwardDays {
				dc.sent = fwd
			}
			continue
		}
		switch cols := trialColumns(line); {
		case cols != nil:
			trialCols = cols
		case trialCols != nil && isTableRow(line):
			line = withoutTrialCells(line, trialCols)
		default:
			trialCols = nil
		}
		trial := isTrialLine(line) || hasTrialCell(line)
		fit := 0
		if isVersionRow(line) {
			if !runningRead {
				running, runningRead = runningVersions(body), true
			}
			fit = versionFit(line, running, known)
		}
		dates := datesInLine(line, dc)
		headed := cols.read(line, dates, dc)
		for _, c := range dates {
			c.trial, c.fit = trial, fit
			if headed[c.date] && c.cue < strongCue {
				c.cue = strongCue
				c.note = strings.TrimPrefix(c.note+"; ", "; ") + "the table's column for it says when the change takes effect"
			}
			switch fit {
			case 2:
				c.note = strings.TrimPrefix(c.note+"; ", "; ") + "the row of the version the email says you run"
			case 1:
				c.note = strings.TrimPrefix(c.note+"; ", "; ") + "the row of the version the registry says you run"
			}
			if c.ambiguous && order != orderUnknown {
				c.note = "numeric date read " + map[numericOrder]string{orderDayFirst: "day-first", orderMonthFirst: "month-first"}[order] + ": " + why
			}
			if c.date.Before(today) || (c.date == sentDay && c.cue == 0) {
				continue
			}
			c.past = !sentDay.IsZero() && c.date.Before(sentDay)
			if !found || c.better(best) {
				best, found = c, true
			}
		}
	}
	return best, found
}

// pastDayFirst reports whether a/b/y read day-first is before sent while
// read month-first it is not.
func pastDayFirst(y, a, b int, sent Date) bool {
	df, ok1 := NewDate(y, time.Month(b), a)
	mf, ok2 := NewDate(y, time.Month(a), b)
	return ok1 && ok2 && !sent.IsZero() && df.Before(sent) && !mf.Before(sent)
}

// maxForwardDays bounds how long before it was forwarded a message may
// have been sent for its date line to be read as its sending day.
const maxForwardDays = 92

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
		if ok {
			sentence := sentenceBefore(line, loc[0])
			f := foundDate{date: d, text: snippet(line, loc[0], loc[1]), note: note, cue: dateCue(line, loc[0]), aside: inParentheses(line[:loc[0]]), document: priceDocumentRE.MatchString(sentence),
				ambiguous: ambiguous, prep: prepRE.MatchString(sentence),
				event: eventRE.MatchString(sentence+line[loc[1]:sentenceEnd(line, loc[1])]) ||
					offerRE.MatchString(sentence+line[loc[1]:sentenceEnd(line, loc[1])])}
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
	for _, f := range writtenDays(line, dc, g) {
		add(f.loc, f.date, f.ok, f.note)
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
		t := dc.sent.Time(time.UTC)
		switch strings.ToLower(unit) {
		case "day":
			t = t.AddDate(0, 0, n)
		case "week":
			t = t.AddDate(0, 0, 7*n)
		case "month":
			t = t.AddDate(0, n, 0)
		}
		d := DateOf(t, time.UTC)
		add(m, d, true, "relative to the email's date "+dc.sent.String())
	}
	for _, m := range g.find(g.next, nextWeekdayRE, line) {
		if dc.sent.IsZero() {
			continue
		}
		want := weekdayOf(line[m[2]:m[3]])
		t := dc.sent.Time(time.UTC).AddDate(0, 0, 1)
		for t.Weekday() != want {
			t = t.AddDate(0, 0, 1)
		}
		add(m, DateOf(t, time.UTC), true, "relative to the email's date "+dc.sent.String())
	}
	for _, m := range g.find(g.digit && g.month, monthYearRE, line) {
		month, y := monthOf(line[m[2]:m[3]]), atoi(line[m[4]:m[5]])
		add(m, endOfMonth(y, month), month != 0 && y > 0, "no day given: the last day of the month is used")
	}
	for _, m := range g.find(g.digit && g.quarter, quarterRE, line) {
		q, y := atoi(line[m[2]:m[3]]), atoi(line[m[4]:m[5]])
		add(m, endOfMonth(y, time.Month(q*3)), y > 0, "a quarter: its last day is used")
	}
	for _, f := range otherDateForms(line, dc, g) {
		add(f.loc, f.date, f.ok, f.note)
	}
	return out
}

// isHeaderLine reports whether line is a date line of a forwarded or quoted
// message; every such line has a colon.
func isHeaderLine(line string) bool {
	return strings.IndexByte(line, ':') >= 0 && headerLineRE.MatchString(line)
}

// trialWords are what every match of trialRE contains.
var trialWords = []string{"sandbox", "staging", "test", "uat", "pilot", "demo"}

// isTrialLine reports whether line is about a test environment.
func isTrialLine(line string) bool {
	lower := strings.ToLower(line)
	for _, w := range trialWords {
		if strings.Contains(lower, w) {
			return trialRE.MatchString(line)
		}
	}
	return false
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

// prepRE finds a step before the change: the sentence tells when the
// customers will be sent, told or reminded of something, or advises when
// to start preparing ("we recommend booking your upgrade before …").
var prepRE = mustGated(`(?i)\b(?:will be (?:sent|emailed|mailed|notified|contacted|reminded|invited)|(?:we|you) will (?:send|email|receive|be sent|be notified|notify)|reminder|(?:we|i)\s+(?:strongly\s+)?(?:recommend|suggest|encourage|advise)|(?:is|are)\s+(?:strongly\s+)?(?:recommended|encouraged|advised))\b`)

// offerRE finds a sentence about an offer: its date is when the offer
// ends, not when a change takes effect.
var offerRE = mustGated(`(?i)\b(?:discounts?|discounted|special (?:offer|pricing|price)|promotions?|promotional|promo codes?|coupons?|rebates?|trade-in|early[- ]bird)\b`)

// eventRE finds a sentence about an event the vendor invites to.
var eventRE = mustGated(`(?i)\b(?:webinars?|conferences?|summit|meetups?|user group|workshops?|office hours|livestream|keynote|join (?:us|our)|register(?:ing)? (?:now|today)|save your (?:seat|spot))\b`)

// sentenceEnd is the end of the sentence that goes on at position i.
func sentenceEnd(line string, i int) int {
	for j := i; j < len(line); j++ {
		if c := line[j]; (c == '.' || c == '!' || c == '?' || c == ';') && (j+1 == len(line) || line[j+1] == ' ') {
			return j
		}
	}
	return len(line)
}

// runningVersionRE finds the version the email says the customer runs:
// "your site runs Munis 2021.6", "you are on 9.4".
var runningVersionRE = regexp.MustCompile(`(?i)\b(?:you|your\s+[\w-]+(?:\s+[\w-]+)?)(?:\s*\([^()]{0,40}\))?\s+(?:runs?|is running|are running|are on|is on|are using|is using|uses|use|have installed|has installed)\s+(?:[A-Za-z][\w-]*\s+){0,3}?v?(\d+(?:\.\d+)+)\b`)

// versionRE is a release number in a table row: "2021.x", "9.4", "v3.2".
var versionRE = regexp.MustCompile(`(?i)\bv?(\d+(?:\.(?:\d+|x))+)\b`)

// runningVersions are the versions the email says the customer runs.
func runningVersions(body string) []string {
	if !strings.Contains(body, ".") {
		return nil
	}
	var out []string
	for _, m := range runningVersionRE.FindAllStringSubmatch(body, 4) {
		out = append(out, m[1])
	}
	return out
}

// isVersionRow reports whether line is a table row with a version in it.
func isVersionRow(line string) bool {
	return strings.Contains(line, ".") && isTableRow(line) && versionRE.MatchString(line)
}

// isTableRow reports whether line is a row of a table: cells apart by
// "|", a tab, or the run of spaces a plain-text or PDF table lines its
// columns up with.
func isTableRow(line string) bool {
	return strings.ContainsAny(line, "|\t") || strings.Contains(strings.TrimSpace(line), cellSpaces)
}

// cellSpaces is the run of spaces that sets a plain-text table's cells
// apart (prose has at most two in a row).
const cellSpaces = "   "

// cellSepRE sets the cells of a table row apart.
var cellSepRE = regexp.MustCompile(`\s*(?:\||\t|` + cellSpaces + `)\s*`)

// tableCells are the cells of a table row.
func tableCells(line string) []string {
	return cellSepRE.Split(strings.Trim(strings.TrimSpace(line), "|"), -1)
}

// trialCellRE is a table cell that names a test environment alone
// ("Development", "Pre-production"): the row is about that environment.
var trialCellRE = regexp.MustCompile(`(?i)^(?:dev|development|demo|test|testing|qa|uat|sandbox|staging|pre-?prod(?:uction)?|non-?prod(?:uction)?)$`)

// hasTrialCell reports whether line is a table row with a cell that names
// a test environment.
func hasTrialCell(line string) bool {
	if !isTableRow(line) {
		return false
	}
	for _, c := range tableCells(line) {
		if trialCellRE.MatchString(c) {
			return true
		}
	}
	return false
}

// trialColumns reads a table's header row: which of its cells head a
// column about a test environment ("Sandbox | Production"). It is nil
// for a line that is no header of such a table.
func trialColumns(line string) []bool {
	if !isTableRow(line) || strings.ContainsAny(line, "0123456789") || !isTrialLine(line) {
		return nil
	}
	cells := tableCells(line)
	cols := make([]bool, len(cells))
	trial, other := false, false
	for i, c := range cells {
		cols[i] = isTrialLine(c)
		trial, other = trial || cols[i], other || !cols[i]
	}
	if len(cells) < 2 || !trial || !other {
		return nil
	}
	return cols
}

// withoutTrialCells is a row of a table whose header is cols with the
// cells of the test-environment columns left empty: the dates of the
// other columns are the change's. A row with other cells is kept whole.
func withoutTrialCells(line string, cols []bool) string {
	cells := tableCells(line)
	if len(cells) == len(cols)+1 {
		// The header leaves the cell above the rows' labels empty
		// ("            Sandbox      Production").
		cols = append([]bool{false}, cols...)
	}
	if len(cells) != len(cols) {
		return line
	}
	for i := range cells {
		if cols[i] {
			cells[i] = ""
		}
	}
	return strings.Join(cells, " | ")
}

// versionFit tells whether a table row is about the version the email
// says the customer runs (2), the one the registry says it runs (1),
// another version (-1), or none (0). Rows are lines with cells ("|" or
// tabs, as tables are turned into text).
func versionFit(line string, running, known []string) int {
	if len(running)+len(known) == 0 || !isTableRow(line) {
		return 0
	}
	registered, other := false, false
	for _, m := range versionRE.FindAllStringSubmatch(line, 4) {
		if isoDateRE.MatchString(m[0]) || numericDateRE.MatchString(m[0]) || dashedNumericRE.MatchString(m[0]) {
			continue
		}
		for _, r := range running {
			if versionCovers(m[1], r) {
				return 2
			}
		}
		other = true
		for _, r := range known {
			if versionCovers(m[1], r) {
				registered = true
			}
		}
	}
	switch {
	case registered:
		return 1
	case other:
		return -1
	}
	return 0
}

// registryVersionRE is a version number right after a product's name, up
// to two words later: "Munis 2021.6", "OnCall Dispatch 9.4".
var registryVersionRE = regexp.MustCompile(`^(?:\s+[A-Za-z][\w|-]*){0,2}?\s+v?(\d+(?:\.\d+)+)\b`)

// registryVersions are the versions of the vendor's products that the
// descriptions of the applications linked to it name: a version number
// that follows the vendor's name or an alias.
func registryVersions(snap registry.Snapshot, v registry.Vendor) []string {
	var out []string
	for _, a := range snap.Applications {
		if !a.IsActive || !linked(a, v.ID) || !strings.Contains(a.Description, ".") {
			continue
		}
		lower := strings.ToLower(a.Description)
		for _, n := range vendorNames(v) {
			n = strings.ToLower(n)
			for from := 0; from < len(lower); {
				i := indexWord(lower[from:], n)
				if i < 0 {
					break
				}
				from += i + len(n)
				if m := registryVersionRE.FindStringSubmatch(a.Description[from:min(len(lower), from+60)]); m != nil && len(lower) == len(a.Description) {
					out = append(out, m[1])
				}
			}
		}
	}
	return out
}

// versionCovers reports whether a row's version ("2021.x", "9.4") covers
// the running one ("2021.6", "9.4.2"): equal parts up to an "x" or the
// row's last part.
func versionCovers(row, running string) bool {
	rp, vp := strings.Split(strings.ToLower(row), "."), strings.Split(running, ".")
	for i, p := range rp {
		if p == "x" {
			return i > 0
		}
		if i >= len(vp) || vp[i] != p {
			return false
		}
	}
	return true
}

// sentenceBefore is the part of line's sentence before position i.
func sentenceBefore(line string, i int) string {
	before := line[:i]
	if j := strings.LastIndexAny(before, ".!?"); j >= 0 && j+1 < len(before) && before[j+1] == ' ' {
		return before[j+1:]
	}
	return before
}

// inParentheses reports whether a parenthesis opened in before is still
// open at its end.
func inParentheses(before string) bool {
	return strings.Count(before, "(") > strings.Count(before, ")")
}

// snippet is up to four words before a match and the match itself.
func snippet(line string, start, end int) string {
	before := strings.Fields(line[:start])
	if len(before) > 4 {
		before = before[len(before)-4:]
	}
	return strings.Join(append(before, strings.Fields(line[start:end])...), " ")
}

// fullYear reads a four-digit year, or a two-digit one as 20yy.
func fullYear(s string) int {
	y, _ := strconv.Atoi(s)
	if len(s) == 2 {
		y += 2000
	}
	return y
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

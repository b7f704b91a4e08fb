package triage

import (
	"regexp"
	"slices"
	"strings"
	"time"
)

// Choosing an email's effective date among the dates read from its lines.

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
	// effects is how many different dates of the email words like
	// "effective" or "starting" introduce: several are the items of a
	// digest ("rule 5.2, effective February 1; rule 17, effective
	// February 15"), none of them the day one change takes effect.
	effects int
	// fit is 2 for a date on a table row about the version the email says
	// the customer runs, 1 for the version the registry says it runs, -1
	// for one on a row about another version.
	fit int
	// namedStep is a date on the timeline step the email's deadline
	// names ("must move to v3 before v2 is retired": the row "11/30/2027
	// v2 retired").
	namedStep bool
	// at is where the date is in its line (start and end).
	at [2]int
	// repeated is a date the email gives again after a deadline word:
	// the day of a timeline's last step that its "what to do" repeats
	// ("On 31 January v1 is switched off … move before 31 January"),
	// against the start of an earlier step given once.
	repeated bool
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
	case f.namedStep != g.namedStep:
		return f.namedStep
	case f.aside != g.aside:
		return !f.aside
	case f.event != g.event:
		return !f.event
	case f.cue == g.cue && f.prep != g.prep:
		return !f.prep
	case f.cue != g.cue:
		return f.cue > g.cue
	case f.repeated != g.repeated:
		return f.repeated
	}
	return f.date.Before(g.date)
}

// extractDate finds the most likely effective date in an email: dates in
// the past (before today) and the email's own date lines are ignored, and a
// date right after a word like "effective" or "by" beats one that is not;
// among equals the soonest wins, the conservative choice for a deadline.
//
// lang is the email's Content-Language header: a hint of how it writes
// numeric dates (see orderOf).
//
// known are the versions of the sender's products the registry says the
// customer runs (see registryVersions): on a table of releases, the row of
// the version the email says the customer runs wins, then the row of one
// the registry names, and rows of other versions lose.
func extractDate(subject, body, from, lang string, sent time.Time, today Date, loc *time.Location, known ...string) (foundDate, bool) {
	k := dateKey{subject: subject, body: body, from: from, lang: lang, sent: sent, today: today, loc: loc, known: strings.Join(known, "\x00")}
	r := recentDates.get(k, func() dateResult {
		fd, ok := readDate(subject, body, from, lang, sent, today, loc, known)
		return dateResult{fd, ok}
	})
	return r.date, r.ok
}

// dateKey is everything extractDate reads.
type dateKey struct {
	subject, body, from, lang string
	sent                      time.Time
	today                     Date
	loc                       *time.Location
	known                     string
}

type dateResult struct {
	date foundDate
	ok   bool
}

// recentDates are the dates read from the emails of the last decisions.
var recentDates memo[dateKey, dateResult]

// readDate is extractDate without the memo.
func readDate(subject, body, from, lang string, sent time.Time, today Date, loc *time.Location, known []string) (foundDate, bool) {
	var sentDay Date
	if !sent.IsZero() {
		sentDay = DateOf(sent, loc)
	}
	dc := dateContext{sent: sentDay, document: priceDocumentRE.MatchString(subject)}
	dc.fiscal, body = statedFiscalYear(body)
	if dc.sent.IsZero() {
		dc.sent = today
	}
	// Dates before the email was sent are what already happened; a date
	// between then and today is still the change's when the email is read
	// late (a backlog, a forward found weeks later): its deadline has
	// passed, which makes it the more urgent, not void.
	earliest := today
	if !sentDay.IsZero() && sentDay.Before(today) {
		earliest = sentDay
	}
	order, why := orderOf(subject+"\n"+body, from, lang)
	dc.order = order
	var running []string
	runningRead := false
	var cands []foundDate
	var effects []Date   // the different dates effect words introduce
	var trialCols []bool // the columns of the table being read that are about a test environment
	var cols columnCues  // the columns of the table being read that a deadline word heads
	step := deadlineStep(body)
	for _, line := range unwrapped(subject + "\n" + body) {
		if isHeaderLine(line) {
			// A forwarded message's date line: what follows was sent
			// that day, and its relative dates count from it.
			if fwd, ok := forwardedSentBefore(line, sentDay); ok {
				dc.sent = fwd
			}
			continue
		}
		line = inEnglish(line)
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
		if step != "" {
			// The date's words name the step, or it is the one date of
			// a table row that does ("Wed 1 Dec 2027 | All gateways are
			// moved to the new addresses").
			row := len(dates) == 1 && isTableRow(line) && strings.Contains(strings.ToLower(line), step)
			for i := range dates {
				dates[i].namedStep = row || strings.Contains(strings.ToLower(dates[i].text), step)
			}
		}
		headed := cols.read(line, dates, dc)
		takeOver := nearestDate(dates, takeOverRE.FindStringIndex(line))
		for i, c := range dates {
			c.trial, c.fit = trial, fit
			if i == takeOver {
				// The new credential takes over on this row's day.
				c.namedStep = true
			}
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
			if c.date.Before(earliest) || (c.date == sentDay && c.cue < strongCue) {
				continue
			}
			c.past = !sentDay.IsZero() && c.date.Before(sentDay)
			if c.saysEffect() && !c.past && !slices.Contains(effects, c.date) {
				effects = append(effects, c.date)
			}
			cands = append(cands, c)
		}
	}
	if !sentDay.IsZero() && !slices.ContainsFunc(cands, func(c foundDate) bool { return !c.past }) && immediateRE.MatchString(subject+"\n"+body) {
		// "Revoked, effective immediately", and no date to come: the
		// change takes effect the day the email was sent ("ab sofort
		// verfügbar" beside a deadline is only when something is ready).
		cands = append(cands, foundDate{date: sentDay, text: immediateRE.FindString(subject + "\n" + body), cue: strongCue,
			note: "effective immediately: the email's date"})
	}
	// A date given twice, once after a deadline word, is repeated.
	for i, c := range cands {
		for j, o := range cands {
			if i != j && o.date == c.date && max(o.cue, c.cue) >= strongCue {
				cands[i].repeated = true
				break
			}
		}
	}
	var best foundDate
	found := false
	for _, c := range cands {
		if !found || c.better(best) {
			best, found = c, true
		}
	}
	best.effects = len(effects)
	return best, found
}

// nearestDate is the index of the date nearest to the span at (the one
// the span's words are about, in a line that may hold several rows of a
// table), or -1 when at is nil.
func nearestDate(dates []foundDate, at []int) int {
	if at == nil {
		return -1
	}
	best, bestGap := -1, 0
	for i, d := range dates {
		gap := 0
		switch {
		case d.at[1] <= at[0]:
			gap = at[0] - d.at[1]
		case d.at[0] >= at[1]:
			gap = d.at[0] - at[1]
		}
		if best < 0 || gap < bestGap {
			best, bestGap = i, gap
		}
	}
	return best
}

// immediateRE finds a change that takes effect when the email is sent.
var immediateRE = regexp.MustCompile(`(?i)\b(?:effective\s+immediately|with\s+immediate\s+effect|takes\s+effect\s+immediately|ab\s+sofort|mit\s+sofortiger\s+wirkung|avec\s+effet\s+immédiat|con\s+effetto\s+immediato|con\s+efecto\s+inmediato|met\s+onmiddellijke\s+ingang|med\s+omedelbar\s+verkan|med\s+øjeblikkelig\s+virkning)\b`)

// forwardedSentBefore is the day a forwarded message's date line gives,
// when it is at most maxForwardDays before sent, the day of the forward.
func forwardedSentBefore(line string, sent Date) (Date, bool) {
	fwd, ok := forwardedSent(line)
	if !ok || sent.IsZero() || sent.Before(fwd) || sent.DaysAfter(fwd) > maxForwardDays {
		return Date{}, false
	}
	return fwd, true
}

// maxForwardDays bounds how long before it was forwarded a message may
// have been sent for its date line to be read as its sending day.
const maxForwardDays = 92

// deadlineStepRE finds a deadline that names a step of a timeline rather
// than its date: "every integration must move to v3 before v2 is
// retired", "Allow outbound TCP 8883 to the new ranges before your
// gateways are moved". The group is the step.
var deadlineStepRE = mustGated(`(?i)\b(?:must|need\s+to|needs\s+to|have\s+to|has\s+to|should|please|allow|update|upgrade|add|open|configure|install)\b[^.;]{0,120}?\bbefore\s+(?:[\w.-]+\s+){0,3}?(?:is|are|gets?|becomes?)\s+(retired|turned\s+off|switched\s+off|shut\s+down|removed|decommissioned|disabled|moved|migrated|switched\s+over|cut\s+over|enforced)\b`)

// deadlineStep is the lower-case step a deadline names (deadlineStepRE),
// or "".
func deadlineStep(body string) string {
	if m := deadlineStepRE.FindStringSubmatch(body); m != nil {
		return strings.Join(strings.Fields(strings.ToLower(m[1])), " ")
	}
	return ""
}

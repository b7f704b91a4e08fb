package triage

import (
	"regexp"
	"slices"
	"strings"
)

// The words around a date that say whether it is when a change takes
// effect.

// timelineMarkRE is what may precede a date that starts a timeline item:
// indentation, a list mark or a table's first cell border.
var timelineMarkRE = regexp.MustCompile(`^[\s\-*•>|]*$`)

// availableRE finds the replacement becoming available: a step before the
// change.
var availableRE = mustGated(`(?i)\b(?:available|availability|opens?|released|launch(?:es|ed)?|introduced|preview|beta|begin (?:to )?offer)\b`)

// timelineCue reads a date that starts a timeline item ("- 08/02/2027:
// basic authentication is turned off.", a table row "2027-08-02 |
// basic authentication turned off", or a row aligned with spaces): the rest of the item says what
// happens then. Breaking-change language makes it a strong cue; the
// replacement becoming available makes it a step before the change.
func timelineCue(line string, start, end int) (cue int, prep, ok bool) {
	if !timelineMarkRE.MatchString(line[:start]) {
		return 0, false, false
	}
	// A column of dates aligned with spaces ("11/30/2027  v2
	// deprecated") is a timeline too.
	aligned := strings.HasPrefix(line[end:], "  ") || strings.HasPrefix(line[end:], "\t")
	rest := strings.TrimLeft(line[end:], " \t")
	if rest == "" || !aligned && !strings.ContainsAny(rest[:1], ":-–—|") {
		return 0, false, false
	}
	switch {
	case look(rest, breakingPhrases).strong() || hardStopRE.MatchString(rest):
		// A deprecation that breaks nothing yet is a step before the
		// item that turns the old version off.
		return strongCue, deprecationStep(rest), true
	case availableRE.MatchString(rest):
		return strongCue, true, true
	}
	return 0, false, false
}

// effectCues are the deadline words that say when a change takes effect,
// as opposed to when an offer or a registration closes ("until", "by").
var effectCues = []string{"effective", "starting", "beginning", "as of", "takes effect", "go-live", "go live"}

// documentWordRE finds a sentence about a document: "The updated list is
// attached and takes effect on 4 May 2028".
var documentWordRE = regexp.MustCompile(`(?i)\b(?:list|schedule|version|document|terms|policy|agreement|addendum)\b`)

// priceDocumentRE finds a document of prices that applies from a date:
// "our 2028 price list takes effect on …", "your pricing schedule,
// effective …", "for the contract year starting …".
//
// Updates to fees and prices ("network fee updates that take effect on
// …", "interchange updates effective …", "changes to ACH pricing,
// effective …") are such documents too: a notice
// of them says when new prices apply, not a change to act on.
var priceDocumentRE = mustGated(`(?i)\b(?:price\s+lists?|pricing\s+schedules?|fee\s+schedules?|rate\s+cards?|list\s+prices|contract\s+year|` +
	// Legal documents that apply from a day: "the updated sub-processor
	// list takes effect on 4 May 2028", terms of service, privacy policy.
	`sub-?processors?(?:\s+list)?|terms\s+of\s+(?:service|use)|terms\s+and\s+conditions|privacy\s+(?:policy|notice)|data\s+processing\s+(?:agreement|addendum)|` +
	`(?:fee|fees|price|pricing|rate|interchange)\s+(?:updates?|changes?|increases?|adjustments?|revisions?)|` +
	`(?:updates?|changes?|increases?|adjustments?|revisions?)\s+to\s+(?:(?:your|our|the)\s+)?(?:[\w-]+\s+){0,2}?(?:fees|prices|pricing|rates))\b`)

// outgoingValidityRE finds a sentence about how long the current
// credential stays valid ("the current certificate stays valid until …",
// "remains technically valid until …"):
// the outgoing one's remaining life, a detail beside the day the change
// (the rotation, the switch to the new one) takes effect.
//
// Servers and addresses the old way goes to likewise: "the old relays stay
// reachable until …", "Die bisherigen Relays (…) bleiben bis zum 06.12.2027
// für bestehende Verbindungen erreichbar".
var outgoingValidityRE = mustGated(`(?i)\b(?:current|old|existing|previous|outgoing)\s+(?:[\w-]+\s+){0,2}?(?:certificates?|keys?|secrets?|tokens?)\s+(?:stays?|remains?|is still|will (?:stay|remain|still be))\s+(?:\w+ly\s+)?valid\b|` +
	`\b(?:current|old|existing|previous|outgoing|legacy)\s+(?:[\w-]+\s+){0,2}?(?:relays?|servers?|hosts?|addresses|ranges|endpoints?)\s+(?:\([^)]*\)\s+)?(?:stay|stays|remain|remains|will\s+(?:stay|remain))\s+(?:\w+ly\s+)?(?:reachable|available|online|in\s+service)\b|` +
	`\b(?:bisherigen?|alten?)\s+(?:[\p{L}-]+\s+){0,2}?(?:\([^)]*\)\s+)?bleib(?:t|en)\s+(?:noch\s+)?(?:bis\b|(?:[^.]|\.\d){0,80}?\b(?:erreichbar|gültig|verfügbar|in\s+betrieb))`)

// takeOverRE finds the step of a rotation at which the new credential
// takes over: "New certificate becomes primary: every SAML response is
// signed with it", "signing switches to the new key", "Authvero signs
// every SAML response with the successor certificate", "edge servers
// fetch from the new ranges only". Its day is the
// change's, rather than the day the old one expires.
var takeOverRE = mustGated(`(?i)\bnew\s+(?:signing\s+)?(?:certificate|key)\s+(?:becomes|is\s+made|will\s+become)\s+(?:the\s+)?(?:primary|active)\b|\bsigning\s+switches\s+to\s+the\s+new\b|\b(?:is|are)\s+signed\s+with\s+(?:it|the\s+(?:new|successor|replacement)\s+(?:signing\s+)?(?:certificate|key))\b|` +
	// "Authvero signs every SAML response with the successor
	// certificate"; "Edge servers fetch from your origins from the new
	// ranges only".
	`\bsigns\s+(?:[\w.-]+\s+){0,6}?with\s+the\s+(?:new|successor|replacement)\s+(?:signing\s+)?(?:certificate|key)\b|\bfrom\s+the\s+new\s+(?:ip\s+)?(?:ranges?|addresses|hosts?|servers?|endpoints?)\s+only\b`)

// rowStepBefore reports whether the label of the table row a date is in
// names the replacement becoming available ("Case API v2 generally
// available | Dec 1, 2026", "Registration opens | 11/16/2026"): a step
// before the change, as a timeline item of the same words is.
func rowStepBefore(line string, start int) bool {
	if !isTableRow(line) {
		return false
	}
	label := line[:start]
	if len(label) > maxRowLabel {
		label = label[len(label)-maxRowLabel:]
	}
	return availableRE.MatchString(label) && !look(label, breakingPhrases).strong()
}

// saysEffect reports whether a found date's words name when a change takes
// effect.
func (f foundDate) saysEffect() bool {
	lower := " " + strings.ToLower(f.text) + " "
	for _, c := range effectCues {
		if strings.Contains(lower, " "+c+" ") {
			return true
		}
	}
	return false
}

// dateCue scores the words before the date at start of line: those just
// before it (cueBefore) and, on a table row, the whole of the cells before
// it, whose label may be longer than a sentence's few words ("Deadline to
// install firmware 5.8.3 on every encoder | 04-06-2027").
func dateCue(line string, start int) int {
	cue := cueBefore(line[:start])
	if cue < strongCue && isTableRow(line) {
		label := line[:start]
		if len(label) > maxRowLabel {
			label = label[len(label)-maxRowLabel:]
		}
		tail := " " + strings.Join(words(label), " ") + " "
		for _, c := range strongCueWords {
			if strings.Contains(tail, c) {
				return strongCue
			}
		}
	}
	return cue
}

// maxRowLabel bounds the text of a table row read for a date's cue.
const maxRowLabel = 160

// strongCue is the score of a deadline word before a date.
const strongCue = 3

// cueBefore scores the words just before a date: strongCue for a deadline
// word, 1 for a weaker one, 0 for none.
func cueBefore(before string) int {
	if len(before) > 48 {
		before = before[len(before)-48:]
	}
	ws := words(before)
	if n := len(ws); n > 1 && isWeekday(ws[n-1]) {
		// "on Monday 16 August": the weekday belongs to the date.
		ws = ws[:n-1]
	}
	if len(ws) > 6 {
		ws = ws[len(ws)-6:]
	}
	tail := " " + strings.Join(ws, " ") + " "
	score := 0
	for _, c := range strongCueWords {
		if strings.Contains(tail, c) {
			return strongCue
		}
	}
	for _, c := range foreignCueWords {
		if strings.Contains(tail, c) {
			return strongCue
		}
	}
	if strings.HasSuffix(tail, " week of ") {
		// "in the week of 12 July": the change starts that week.
		return 1
	}
	if strings.HasSuffix(tail, " end of ") {
		// "at the end of April 2027": the last day of the month.
		return 1
	}
	if len(ws) > 0 {
		last := ws[len(ws)-1]
		if slices.Contains(foreignDeadlineWords, last) {
			return strongCue
		}
		if slices.Contains(weakDateCues, last) || slices.Contains(foreignFromCues, last) {
			score = 1
		}
	}
	return score
}

// strongCueWords and foreignCueWords are the deadline cues as words
// splits text, between spaces: "cut-over" is " cut over ", "au plus tard"
// stays as it is. A cue is compared with the words before a date in that
// form, or one written with a hyphen would never match.
var strongCueWords, foreignCueWords = asWords(strongDateCues), asWords(foreignDeadlineCues)

func asWords(cues []string) []string {
	out := make([]string, len(cues))
	for i, c := range cues {
		out[i] = " " + strings.Join(words(c), " ") + " "
	}
	return out
}

// isWeekday reports whether w (in lower case) names a day of the week.
func isWeekday(w string) bool {
	switch w {
	case "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday":
		return true
	}
	return false
}

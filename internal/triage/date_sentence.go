package triage

import (
	"regexp"
	"strings"
)

// The text around a date: paragraphs joined again, the sentence a date is
// in and what that sentence is about.

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
	if c := l[0]; c == ' ' || c == '\t' || c == '-' || c == '*' || c == '>' || c == '|' || (c >= '0' && c <= '9' && listItemRE.MatchString(l) && !startsWithDottedDay(l)) {
		return false
	}
	return !strings.HasPrefix(l, "•")
}

var listItemRE = regexp.MustCompile(`^\d{1,2}[.)]\s`)

// dottedDayStartRE is a line that starts with a day and a word: "15.
// März 2028 auf …" continues "… bis zum", it is no list item.
var dottedDayStartRE = regexp.MustCompile(`^(\d{1,2})\.\s+(\p{L}+)`)

// startsWithDottedDay reports whether a line starts with a day written
// with a dot before a month's name, in English, German or another
// language the triage reads.
func startsWithDottedDay(l string) bool {
	m := dottedDayStartRE.FindStringSubmatch(l)
	if m == nil {
		return false
	}
	w := strings.ToLower(m[2])
	return monthNameRE.MatchString(w) || germanMonths[w] || foreignMonths[w] != ""
}

// monthNameRE is a whole English month's name or its abbreviation.
var monthNameRE = regexp.MustCompile(`^` + monthRE + `$`)

// germanMonths are the German months' names the English ones do not
// spell.
var germanMonths = map[string]bool{"januar": true, "jänner": true, "februar": true, "märz": true, "mai": true,
	"juni": true, "juli": true, "oktober": true, "dezember": true}

// isHeaderLine reports whether line is a date line of a forwarded or quoted
// message; every such line has a colon.
func isHeaderLine(line string) bool {
	return strings.IndexByte(line, ':') >= 0 && (headerLineRE.MatchString(line) || quoteLineRE.MatchString(line))
}

// prepRE finds a step before the change: the sentence tells when the
// customers will be sent, told or reminded of something, or advises when
// to start preparing ("we recommend booking your upgrade before …").
var prepRE = mustGated(`(?i)\b(?:will be (?:sent|emailed|mailed|notified|contacted|reminded|invited)|(?:we|you) will (?:send|email|receive|be sent|be notified|notify)|reminder|(?:we|i)\s+(?:strongly\s+)?(?:recommend|suggest|encourage|advise)|(?:is|are)\s+(?:strongly\s+)?(?:recommended|encouraged|advised))\b`)

// deprecationStepRE finds a sentence about a step of a retirement that
// breaks nothing yet: the retirement is announced, the version is
// deprecated, no new keys or accounts are issued for it. hardStopRE finds one about the step that breaks
// what still uses it. A deprecation step is a step before the change
// when the sentence names no such stop.
var (
	deprecationStepRE = mustGated(`(?i)\bdeprecat(?:ed|ion|es)\b|\bannounce(?:d|ment)\b|\bno\s+new\s+(?:api\s+keys|keys|accounts|integrations|apps|sign-?ups|customers|tokens)\b`)
	hardStopRE        = mustGated(`(?i)\b(?:turned|switched|shut)\s+(?:off|down)|\bremoved\b|\brejected\b|\brefused\b|\bretired\b|\bend[- ]of[- ]life\b|\bno\s+longer\s+(?:work|accept|respond|available)|\bstop(?:s|ped)?\s+(?:working|accepting|responding|answering)|\b4\d\d\b`)
)

// deprecationStep reports whether a sentence is about a deprecation step
// (deprecationStepRE) and no hard stop (hardStopRE).
func deprecationStep(sentence string) bool {
	return deprecationStepRE.MatchString(sentence) && !hardStopRE.MatchString(sentence)
}

// replacementReadyRE finds a sentence saying the replacement is ready:
// "The new server is open from 19 June", "Den nya servern är öppen från
// och med", "Der neue Endpunkt ist ab 1. Mai verfügbar".
var replacementReadyRE = mustGated(`(?i)\b(?:new|nya|nye|neue[nrs]?|nieuwe|nouveaux?|nouvelles?|nuev[oa]s?|nuov[oi]|nuov[ae]|nov[oa]s?|uusi|uudet)\s+(?:[\p{L}\d.-]+\s+){0,4}?` +
	`(?:is|are|will\s+be|är|blir|er|bliver|blir|ist|sind|wird|wordt|is|est|sera|es|está|estará|è|sarà|é|está|on)\s+(?:[\p{L}\d.-]+\s+){0,3}?` +
	`(?:open|öppen|öppet|åben|åpen|available|tillgänglig|tilgængelig|tilgjengelig|verfügbar|beschikbaar|disponibles?|disponibili?|disponíve(?:l|is)|saatavilla|live)\b`)

// offerRE finds a sentence about an offer: its date is when the offer
// ends, not when a change takes effect.
var offerRE = mustGated(`(?i)\b(?:discounts?|discounted|special (?:offer|pricing|price)|promotions?|promotional|promo codes?|coupons?|rebates?|trade-in|early[- ]bird)\b`)

// eventRE finds a sentence about an event the vendor invites to.
var eventRE = mustGated(`(?i)\b(?:webinars?|conferences?|summit|meetups?|user group|workshops?|office hours|livestream|keynote|walk-?throughs?|live (?:demos?|sessions?|q&a)|(?:demo|q&a|info(?:rmation)?|training|drop-in) sessions?|masterclass(?:es)?|roundtables?|open house|join (?:us|our)|register(?:ing)? (?:now|today)|save your (?:seat|spot)|maintenance)\b|` +
	// The same events in French, German, Italian, Spanish, Portuguese and
	// Dutch: "lors d'un webinaire le 9 novembre", "Webinar am …",
	// "Kundentag", "sessione di formazione", "jornada".
	`\bverkkokoulutu\p{L}*|\bkoulutuks\p{L}*|\bwebinaari\p{L}*|\butbildning(?:en|ar)?\b|\bkursus\b|\b(?:webinaires?|webinari[oa]s?|webinarie|konferenz|kundentag|anwendertag|schulung(?:en)?|sessioni?\s+(?:di\s+formazione|online)|formazione|jornadas?|sesi[óo]n\s+(?:informativa|en\s+l[íi]nea)|formation|séance\s+(?:d['’]information|de\s+formation)|bijeenkomst|gebruikersdag)\b`)

// feedbackRE finds a request for the reader's opinion: its date is when a
// survey or a feedback request closes, not when a change takes effect.
var feedbackRE = mustGated(`(?i)\b(?:surveys?|questionnaires?|feedback|reply to this (?:email|message)|share your (?:thoughts|views|experience))\b`)

// asksForFeedback reports whether the words just before a date, in its
// clause, ask for the reader's opinion by then ("reply to this email by",
// "the survey closes on").
func asksForFeedback(before string) bool {
	if len(before) > 48 {
		before = before[len(before)-48:]
	}
	if i := strings.LastIndexAny(before, ";.!?"); i >= 0 {
		before = before[i+1:]
	}
	return feedbackRE.MatchString(before)
}

// sentenceEnd is the end of the sentence that goes on at position i.
func sentenceEnd(line string, i int) int {
	for j := i; j < len(line); j++ {
		if c := line[j]; (c == '.' || c == '!' || c == '?' || c == ';') && (j+1 == len(line) || line[j+1] == ' ') {
			return j
		}
	}
	return len(line)
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

package triage

import (
	"strings"
	"unicode/utf8"
)

// MaxSummary bounds a decision's summary, in characters: two or three
// sentences for the ticket and the Jira description, not the email again.
const MaxSummary = 600

// maxSummarySentences is how many sentences an extractive summary takes.
const maxSummarySentences = 3

// Summarize is the extractive summary of an email, for decisions without a
// model's summary (the offline triage, a model that gave none) and for
// tickets an operator classifies: two or three of the email's own
// sentences in their original order. They are the first sentence that
// states the change, then those giving the effective date, the required
// action and the breaking-change terms the offline triage looks for.
// Greetings, signatures, mail headers, marketing footers and quoted text
// are skipped (quoted text is read only when the rest says nothing, as in
// a forward quoted with ">"). Without any such sentence it is the subject.
// The result has no control characters and at most MaxSummary characters.
func Summarize(e Email, s Settings) string {
	s = s.normalized()
	body := truncateBytes(e.Body, maxAnalysedBody)
	var effective Date
	if fd, ok := extractDate(e.Subject, body, e.FromAddress, e.ContentLanguage, e.Date, s.today(), s.Timezone); ok {
		effective = fd.date
	}
	return summarize(e, body, effective, s)
}

// summarize is Summarize with the effective date known: the offline
// triage gives its decision's, and the email's dates are not read twice.
func summarize(e Email, body string, effective Date, s Settings) string {
	sents := summarySentences(body, false)
	if leadOf(sents, s.today()) < 0 {
		if quoted := summarySentences(body, true); leadOf(quoted, s.today()) >= 0 {
			sents = quoted
		}
	}
	if len(sents) == 0 {
		out, _ := limitSummary(cleanSummary(topicOf(e.Subject)))
		return out
	}
	return pickSentences(sents, effective, s.today())
}

// sentence is one candidate sentence of an email and what it says.
type sentence struct {
	text                   string
	dates                  []Date
	breaking, action, info bool
	change                 bool // a verb or word that announces a change
}

func newSentence(text string) sentence {
	st := sentence{text: text}
	for _, fd := range datesInLine(text, dateContext{}) {
		st.dates = append(st.dates, fd.date)
	}
	lower := strings.ToLower(text)
	st.breaking = look(lower, breakingPhrases).score > 0
	st.info = look(lower, informationalPhrases).score > 0
	for _, p := range actionPhrases {
		if n := countWord(lower, p); n > countWord(lower, "no "+p) {
			st.action = true
		}
	}
	for _, w := range words(lower) {
		if changeWords[w] {
			st.change = true
		}
	}
	return st
}

// actionPhrases say the recipient has to do something.
var actionPhrases = []string{"must", "need to", "needs to", "have to", "has to", "required to", "action required",
	"action is required", "make sure", "ensure", "to prepare", "we recommend", "recommend that", "should",
	"update your", "upgrade your", "migrate your", "review your", "replace", "renew", "re-register",
	"before that date", "no later than"}

// changeWords announce a change; a sentence with one of them (or a date,
// or a breaking or informational cue) can open a summary.
var changeWords = setOf(`will change changes changing changed moving moves move new replaced replacing introduce
introduces introducing rotate rotates rotating launch launches launched lowers raises reduced reduces increases
effective starting beginning scheduled upcoming announce announces announcing require requires consolidating
retiring deprecating removing ending`)

// has reports whether the sentence gives date d.
func (st sentence) has(d Date) bool {
	for _, x := range st.dates {
		if !d.IsZero() && x == d {
			return true
		}
	}
	return false
}

// states reports whether the sentence announces something: a change, a
// date not in the past, an action, a breaking or informational cue.
func (st sentence) states(today Date) bool {
	if st.change || st.breaking || st.action || st.info {
		return true
	}
	for _, d := range st.dates {
		if !d.Before(today) {
			return true
		}
	}
	return false
}

// leadOf is the index of the first sentence that states the change, or -1.
func leadOf(sents []sentence, today Date) int {
	for i, st := range sents {
		if st.states(today) {
			return i
		}
	}
	return -1
}

// pickSentences chooses the lead (the first sentence stating the change,
// else the first) and adds, while they fit: the effective date's sentence,
// an action, a breaking cue, each unless a chosen sentence has it already;
// then further action or breaking sentences, and at least one neighbour.
// A sentence that would make the summary too long is passed over.
func pickSentences(sents []sentence, effective, today Date) string {
	lead := max(leadOf(sents, today), 0)
	chosen := map[int]bool{}
	size := 0
	fits := func(i int) bool {
		if i < 0 || i >= len(sents) || chosen[i] || len(chosen) >= maxSummarySentences {
			return false
		}
		return len(chosen) == 0 || size+1+utf8.RuneCountInString(sents[i].text) <= MaxSummary
	}
	add := func(i int) bool {
		if !fits(i) {
			return false
		}
		if len(chosen) > 0 {
			size++ // the space before it
		}
		chosen[i], size = true, size+utf8.RuneCountInString(sents[i].text)
		return true
	}
	covered := func(f func(sentence) bool) bool {
		for i := range chosen {
			if f(sents[i]) {
				return true
			}
		}
		return false
	}
	first := func(f func(sentence) bool) int {
		for i := lead; i < len(sents); i++ {
			if fits(i) && f(sents[i]) {
				return i
			}
		}
		return -1
	}
	add(lead)
	for _, f := range []func(sentence) bool{
		func(st sentence) bool { return st.has(effective) },
		func(st sentence) bool { return st.action },
		func(st sentence) bool { return st.breaking },
	} {
		if !covered(f) {
			add(first(f))
		}
	}
	for more := true; more; {
		more = add(first(func(st sentence) bool { return st.action || st.breaking }))
	}
	if len(chosen) < 2 && !add(lead+1) {
		add(lead - 1)
	}
	var out []string
	for i, st := range sents {
		if chosen[i] {
			out = append(out, st.text)
		}
	}
	text, _ := limitSummary(strings.Join(out, " "))
	return text
}

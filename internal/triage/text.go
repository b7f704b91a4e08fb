package triage

import (
	"strings"
	"unicode"
)

// token is one significant word: its stem for matching and the surface
// form first seen, for explanations.
type token struct {
	stem, word string
	pos        int // index among the text's words
}

// words splits text into lower-case words of letters and digits; a dot or
// hyphen inside a word ("v2.1", "end-of-life") splits it.
func words(text string) []string {
	return strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
}

// terms returns the significant tokens of text: no stopwords, no pure
// numbers, no one-letter words, stemmed.
func terms(text string) []token {
	var out []token
	for i, w := range words(text) {
		if len(w) < 2 || stopwords[w] || isNumber(w) {
			continue
		}
		s := stem(w)
		if stopwords[s] {
			continue
		}
		out = append(out, token{stem: s, word: w, pos: i})
	}
	return out
}

// termSet is the set of stems of text's significant tokens.
func termSet(text string) map[string]string {
	set := map[string]string{}
	for _, t := range terms(text) {
		if _, ok := set[t.stem]; !ok {
			set[t.stem] = t.word
		}
	}
	return set
}

func isNumber(w string) bool {
	for _, r := range w {
		if !unicode.IsDigit(r) {
			return false
		}
	}
	return true
}

// stemRules rewrite common English suffixes so that "authorization",
// "authorized" and "authorize" meet at "authoriz". It is a deliberately
// small stemmer: good enough to match a vendor's wording against an
// application description, and easy to explain.
var stemRules = []struct{ suffix, repl string }{
	{"izations", "ize"}, {"ization", "ize"}, {"ational", "ate"}, {"ations", "ate"}, {"ation", "ate"},
	{"izing", "ize"}, {"ized", "ize"}, {"ments", ""}, {"ment", ""}, {"ings", ""}, {"ing", ""},
	{"sses", "ss"}, {"ies", "y"}, {"ied", "y"}, {"ed", ""}, {"es", ""},
}

func stem(w string) string {
	for _, r := range stemRules {
		if base, ok := strings.CutSuffix(w, r.suffix); ok && len(base)+len(r.repl) >= 3 {
			w = base + r.repl
			break
		}
	}
	if len(w) > 3 && strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "ss") && !strings.HasSuffix(w, "us") {
		w = w[:len(w)-1]
	}
	if len(w) > 3 && strings.HasSuffix(w, "e") {
		w = w[:len(w)-1]
	}
	return w
}

// stopwords are words that say nothing about what a change is about:
// English function words, and the vocabulary every vendor notice and every
// application description shares ("change", "customer", "please").
var stopwords = setOf(`a about above after again against all also am an and any are as at be because been
before being below between both but by can could did do does doing down during each few for from further
had has have having he her here hers him his how i if in into is it its itself just me more most my no nor
not now of off on once only or other our ours out over own same she should so some such than that the their
theirs them then there these they this those through to too under until up very was we were what when where
which while who whom why will with would you your yours us may might must shall upon via per within without
etc eg ie re fw fwd hello hi dear regards thanks thank sincerely best team teams please note kindly
inc ltd llc co com www http https email emails mail subject sent date today yesterday
tomorrow week weeks month months year years day days time january february march april june july august
september october november december jan feb mar apr jun jul aug sep sept oct nov dec monday tuesday
wednesday thursday friday saturday sunday customer customers client clients partner partners user users
information info update updates updated change changes changed changing new one two first next use used
guide guides
using make made see learn read visit find get know want need needs needed help support contact questions
question account accounts service services company business product products platform application
applications app apps system systems vendor vendors affect affects affected impact following include
includes including well like available provide provides provided ensure sure team's action actions required
require requires further details detail more additional here's we're you're it's don't can't won't`)

func setOf(s string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(s) {
		m[w] = true
	}
	return m
}

// containsWord reports whether text contains phrase as whole words,
// ignoring case; phrase may span several words.
func containsWord(text, phrase string) bool {
	return indexWord(strings.ToLower(text), strings.ToLower(phrase)) >= 0
}

// indexWord is the byte offset of the first whole-word occurrence of phrase
// in text, or -1. Both must already be lower case.
func indexWord(text, phrase string) int {
	if phrase == "" {
		return -1
	}
	for from := 0; from < len(text); {
		i := strings.Index(text[from:], phrase)
		if i < 0 {
			return -1
		}
		i += from
		if boundary(text, i-1) && boundary(text, i+len(phrase)) {
			return i
		}
		from = i + 1
	}
	return -1
}

func boundary(s string, i int) bool {
	if i < 0 || i >= len(s) {
		return true
	}
	c := s[i]
	return !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c >= 0x80)
}

package triage

import (
	"regexp"
	"regexp/syntax"
	"slices"
	"strings"
	"unicode"
)

// gatedRE is a regular expression that first checks, with plain substring
// searches, for the words every match of it contains: most text holds
// none of them, and a pattern with many alternatives, case folding and no
// literal prefix costs far more than those searches. The words are read
// from the pattern itself (see requiredWords), so a pattern can change
// without its gate going stale; the answers are the pattern's own.
type gatedRE struct {
	*regexp.Regexp
	// words are in lower case: text whose lower case holds none of them
	// has no match. Nil when the pattern has no such words.
	words []string
}

// mustGated compiles expr, as regexp.MustCompile does, with its gate.
func mustGated(expr string) gatedRE {
	re := regexp.MustCompile(expr)
	parsed, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		panic(err) // regexp.MustCompile accepted it
	}
	return gatedRE{Regexp: re, words: requiredWords(parsed)}
}

// mayMatch reports whether text can hold a match: false only when it holds
// none of the required words. The long s (ſ) folds to "s" in a
// case-insensitive pattern but is its own lower case, so text with one is
// always searched.
func (g gatedRE) mayMatch(text string) bool {
	if g.words == nil || strings.Contains(text, "ſ") {
		return true
	}
	return g.mayMatchLower(strings.ToLower(text))
}

// mayMatchLower is mayMatch for text already in lower case: a caller that
// gates many patterns on one text lowers it once.
func (g gatedRE) mayMatchLower(lower string) bool {
	if g.words == nil || strings.Contains(lower, "ſ") {
		return true
	}
	for _, w := range g.words {
		if strings.Contains(lower, w) {
			return true
		}
	}
	return false
}

// gateText is a text in lower case with the pairs of bytes that follow
// each other in it, for gating many patterns on one text: a required word
// with a pair of bytes the text never holds is not in it, and is not
// searched for.
type gateText struct {
	lower string
	longS bool // the text holds a long s (see mayMatch)
	pairs [1024]uint64
}

func newGateText(lower string) *gateText {
	t := &gateText{lower: lower, longS: strings.Contains(lower, "ſ")}
	for i := 0; i+1 < len(lower); i++ {
		p := uint16(lower[i])<<8 | uint16(lower[i+1])
		t.pairs[p>>6] |= 1 << (p & 63)
	}
	return t
}

// has reports whether the text holds w.
func (t *gateText) has(w string) bool {
	for i := 0; i+1 < len(w); i++ {
		p := uint16(w[i])<<8 | uint16(w[i+1])
		if t.pairs[p>>6]&(1<<(p&63)) == 0 {
			return false
		}
	}
	return strings.Contains(t.lower, w)
}

// mayMatchText is mayMatch for a gateText.
func (g gatedRE) mayMatchText(t *gateText) bool {
	if g.words == nil || t.longS {
		return true
	}
	for _, w := range g.words {
		if t.has(w) {
			return true
		}
	}
	return false
}

// MatchString is regexp's, behind the gate.
func (g gatedRE) MatchString(s string) bool { return g.mayMatch(s) && g.Regexp.MatchString(s) }

// FindString is regexp's, behind the gate.
func (g gatedRE) FindString(s string) string {
	if !g.mayMatch(s) {
		return ""
	}
	return g.Regexp.FindString(s)
}

// FindStringSubmatch is regexp's, behind the gate.
func (g gatedRE) FindStringSubmatch(s string) []string {
	if !g.mayMatch(s) {
		return nil
	}
	return g.Regexp.FindStringSubmatch(s)
}

// FindAllStringIndex is regexp's, behind the gate.
func (g gatedRE) FindAllStringIndex(s string, n int) [][]int {
	if !g.mayMatch(s) {
		return nil
	}
	return g.Regexp.FindAllStringIndex(s, n)
}

// FindAllStringSubmatch is regexp's, behind the gate.
func (g gatedRE) FindAllStringSubmatch(s string, n int) [][]string {
	if !g.mayMatch(s) {
		return nil
	}
	return g.Regexp.FindAllStringSubmatch(s, n)
}

// FindAllStringSubmatchIndex is regexp's, behind the gate.
func (g gatedRE) FindAllStringSubmatchIndex(s string, n int) [][]int {
	if !g.mayMatch(s) {
		return nil
	}
	return g.Regexp.FindAllStringSubmatchIndex(s, n)
}

// ReplaceAllString is regexp's, behind the gate.
func (g gatedRE) ReplaceAllString(src, repl string) string {
	if !g.mayMatch(src) {
		return src
	}
	return g.Regexp.ReplaceAllString(src, repl)
}

// Bounds of the word sets read from a pattern: a set that would grow past
// them is given up (it gates nothing then, which is always right).
const (
	maxWordSet   = 64 // strings in a set
	maxClassSize = 8  // characters of a class spelled out
)

// wordsOf is what a part of a pattern says about the text it matches, in
// lower case: exact lists every string it can match (when they are few);
// otherwise each match contains one of contains (nil: nothing known).
type wordsOf struct {
	exact    []string
	isExact  bool
	contains []string
}

// requiredWords are words (lower case) one of which every match of re
// contains; nil when there are none to rely on.
func requiredWords(re *syntax.Regexp) []string {
	w := required(readWords(re))
	if w == nil {
		return nil
	}
	// A word that contains another adds nothing: the shorter is found
	// wherever the longer is.
	slices.SortFunc(w, func(a, b string) int { return len(a) - len(b) })
	var out []string
	for _, s := range w {
		if !slices.ContainsFunc(out, func(o string) bool { return strings.Contains(s, o) }) {
			out = append(out, s)
		}
	}
	return out
}

// required is the set of words one of which every match contains: the
// exact strings, or the contained words; nil when one of them is empty
// (every text contains the empty string).
func required(w wordsOf) []string {
	set := w.contains
	if w.isExact {
		set = w.exact
	}
	if len(set) == 0 || slices.Contains(set, "") {
		return nil
	}
	return set
}

func exactly(s ...string) wordsOf { return wordsOf{exact: s, isExact: true} }

func readWords(re *syntax.Regexp) wordsOf {
	switch re.Op {
	case syntax.OpEmptyMatch, syntax.OpBeginLine, syntax.OpEndLine, syntax.OpBeginText, syntax.OpEndText,
		syntax.OpWordBoundary, syntax.OpNoWordBoundary:
		return exactly("")
	case syntax.OpLiteral:
		if re.Flags&syntax.FoldCase != 0 {
			for _, r := range re.Rune {
				if !foldsToOneLower(r) {
					return wordsOf{}
				}
			}
		}
		return exactly(strings.ToLower(string(re.Rune)))
	case syntax.OpCharClass:
		var set []string
		for i := 0; i+1 < len(re.Rune); i += 2 {
			if re.Rune[i+1]-re.Rune[i] >= maxClassSize {
				return wordsOf{}
			}
			for r := re.Rune[i]; r <= re.Rune[i+1]; r++ {
				if r == 'ſ' {
					continue // text with it is never gated (see mayMatch)
				}
				if s := strings.ToLower(string(r)); !slices.Contains(set, s) {
					set = append(set, s)
				}
			}
			if len(set) > maxClassSize {
				return wordsOf{}
			}
		}
		return exactly(set...)
	case syntax.OpCapture:
		return readWords(re.Sub[0])
	case syntax.OpQuest:
		if sub := readWords(re.Sub[0]); sub.isExact && len(sub.exact) < maxWordSet {
			return exactly(append(slices.Clone(sub.exact), "")...)
		}
		return wordsOf{}
	case syntax.OpPlus:
		return wordsOf{contains: required(readWords(re.Sub[0]))}
	case syntax.OpRepeat:
		switch {
		case re.Min == 1 && re.Max == 1:
			return readWords(re.Sub[0])
		case re.Min >= 1:
			return wordsOf{contains: required(readWords(re.Sub[0]))}
		}
		return wordsOf{}
	case syntax.OpConcat:
		return concatWords(re.Sub)
	case syntax.OpAlternate:
		var exact, contains []string
		allExact, allContain := true, true
		for _, sub := range re.Sub {
			w := readWords(sub)
			if allExact = allExact && w.isExact && len(exact)+len(w.exact) <= maxWordSet; allExact {
				exact = append(exact, w.exact...)
			}
			if r := required(w); allContain && r != nil {
				contains = append(contains, r...)
			} else {
				allContain = false
			}
		}
		switch {
		case allExact:
			return exactly(exact...)
		case allContain:
			return wordsOf{contains: contains}
		}
		return wordsOf{}
	}
	return wordsOf{} // any character, repetitions that may be empty
}

// foldsToOneLower reports whether every character a case-insensitive
// pattern matches for r has the same lower case (the long s aside, see
// mayMatch): "k" matches K, k and the Kelvin sign, all "k" in lower case;
// "σ" matches the final sigma, whose lower case is itself.
func foldsToOneLower(r rune) bool {
	lower := unicode.ToLower(r)
	for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
		if f != 'ſ' && unicode.ToLower(f) != lower {
			return false
		}
	}
	return true
}

// concatWords reads a sequence: its exact strings when each part has few,
// else the best of the words its parts require, where consecutive exact
// parts are joined into longer words.
func concatWords(subs []*syntax.Regexp) wordsOf {
	var best []string
	consider := func(set []string) {
		if set == nil || slices.Contains(set, "") {
			return
		}
		if best == nil || shortest(set) > shortest(best) || shortest(set) == shortest(best) && len(set) < len(best) {
			best = set
		}
	}
	run := []string{""} // the exact strings of the parts since the last inexact one
	allExact := true
	for _, sub := range subs {
		w := readWords(sub)
		if w.isExact && len(run)*len(w.exact) <= maxWordSet {
			run = product(run, w.exact)
			continue
		}
		allExact = false
		consider(run)
		run = []string{""}
		if w.isExact {
			run = slices.Clone(w.exact)
		} else {
			consider(w.contains)
		}
	}
	if allExact {
		return exactly(run...)
	}
	consider(run)
	return wordsOf{contains: best}
}

func product(a, b []string) []string {
	var out []string
	for _, x := range a {
		for _, y := range b {
			if s := x + y; !slices.Contains(out, s) {
				out = append(out, s)
			}
		}
	}
	return out
}

func shortest(set []string) int {
	n := -1
	for _, s := range set {
		if n < 0 || len(s) < n {
			n = len(s)
		}
	}
	return n
}

package triage

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

var (
	// greetingRE matches a salutation line ("Dear customer,", "Hello Admin,").
	greetingRE = regexp.MustCompile(`(?i)^(dear|hi|hello|hey|greetings|good (morning|afternoon|evening)|to whom it may concern)\b[^.!?]{0,60}$`)
	// signoffRE matches the line a signature starts with ("Regards,", "--").
	signoffRE = regexp.MustCompile(`(?i)^(--|((best|kind|warm|many)\s+)?(regards|wishes|thanks)|sincerely|thank you|cheers|best|respectfully|yours (truly|sincerely|faithfully))[\s,.!]*$`)
	// mailHeaderRE matches the header lines of a forwarded or quoted message.
	mailHeaderRE = regexp.MustCompile(`(?i)^(from|to|cc|bcc|date|sent|subject|reply-to)\s*:|^begin forwarded message`)
	// wroteRE is the line above a quoted original ("On …, X wrote:").
	wroteRE = regexp.MustCompile(`(?i)^on\s.{0,120}\bwrote:$`)
	// bulletRE matches the marker of a list item.
	bulletRE = regexp.MustCompile(`^([-*•–]|\d{1,2}[.)])\s+`)
	// boilerplateRE matches the footers of bulk mail.
	boilerplateRE = mustGated(`(?i)(you('re| are) receiving this|receiving this (e-?mail|message|newsletter)|unsubscribe|` +
		`view (this (e-?mail|message) )?in (your )?browser|manage (your )?(e-?mail )?preferences|privacy (policy|statement)|` +
		`all rights reserved|©|do not reply to this|this (e-?mail|message) was sent)`)
)

// summarySentences splits a body into candidate sentences. Without quoted,
// lines quoted with ">" and everything after an "On … wrote:" line are
// skipped; with it, they are read without their ">".
func summarySentences(body string, quoted bool) []sentence {
	var paras []string
	var cur []string
	flush := func() {
		if len(cur) > 0 {
			paras = append(paras, strings.Join(cur, " "))
			cur = nil
		}
	}
	inQuote, inSignature, wasQuoted := false, false, false
	for _, line := range strings.Split(body, "\n") {
		line = strings.TrimSpace(line)
		isQuoted := strings.HasPrefix(line, ">")
		if isQuoted {
			if !quoted {
				flush()
				continue
			}
			line = strings.TrimSpace(strings.TrimLeft(line, "> "))
		} else if inQuote && !quoted {
			continue
		}
		if isQuoted != wasQuoted {
			// The quoted message has its own greeting and signature.
			flush()
			inSignature, wasQuoted = false, isQuoted
		}
		switch {
		case wroteRE.MatchString(line):
			flush()
			inQuote, inSignature = true, false
			continue
		case separatorRE.MatchString(line) || mailHeaderRE.MatchString(line):
			flush()
			inSignature = false
			continue
		case line == "" || inSignature:
			flush()
			continue
		case signoffRE.MatchString(line):
			flush()
			inSignature = true
			continue
		case greetingRE.MatchString(line):
			flush()
			continue
		case bulletRE.MatchString(line):
			flush()
			line = bulletRE.ReplaceAllString(line, "")
		}
		cur = append(cur, line)
	}
	flush()
	var out []sentence
	for _, p := range paras {
		for _, text := range splitSentences(cleanSummary(p)) {
			if keepSentence(text) {
				out = append(out, newSentence(text))
			}
			if len(out) == maxSummaryCandidates {
				return out
			}
		}
	}
	return out
}

// maxSummaryCandidates bounds the sentences read for a summary: what a
// notice has to say comes long before.
const maxSummaryCandidates = 200

// keepSentence drops footers and the fragments that are no sentence: a
// heading ("What you need to do:"), a title or a signature without a full
// stop, short of six words.
func keepSentence(text string) bool {
	if boilerplateRE.MatchString(text) || strings.HasSuffix(text, ":") {
		return false
	}
	last, _ := utf8.DecodeLastRuneInString(strings.TrimRight(text, `"')”’`))
	return strings.ContainsRune(".!?", last) || len(strings.Fields(text)) >= 6
}

// abbreviations end with a full stop that does not end a sentence.
var abbreviations = setOf(`no nos e.g i.e eg ie etc inc ltd co corp vs approx mr mrs ms dr st jan feb mar apr jun jul aug sep sept oct nov dec`)

// splitSentences splits text at a full stop, question or exclamation mark
// followed by a space and a capital letter or digit, except after an
// abbreviation.
func splitSentences(text string) []string {
	var out []string
	start := 0
	for i := 0; i < len(text); i++ {
		if c := text[i]; c != '.' && c != '!' && c != '?' {
			continue
		}
		j := i + 1
		for j < len(text) && strings.IndexByte(`"')`, text[j]) >= 0 {
			j++
		}
		if j+1 >= len(text) || text[j] != ' ' {
			continue
		}
		next, _ := utf8.DecodeRuneInString(text[j+1:])
		if !unicode.IsUpper(next) && !unicode.IsDigit(next) && next != '"' && next != '(' {
			continue
		}
		if text[i] == '.' {
			ws := strings.Fields(text[start:i])
			if len(ws) > 0 && abbreviations[strings.ToLower(strings.TrimLeft(ws[len(ws)-1], `"'(`))] {
				continue
			}
		}
		out = append(out, strings.TrimSpace(text[start:j]))
		start = j + 1
	}
	if rest := strings.TrimSpace(text[start:]); rest != "" {
		out = append(out, rest)
	}
	return out
}

// cleanSummary makes untrusted text one plain line: control and format
// characters (bidi overrides, zero-width) become spaces, runs of white
// space one space; invalid UTF-8 becomes U+FFFD.
func cleanSummary(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == '\u2028' || r == '\u2029' {
			return ' '
		}
		return r
	}, s)
	return strings.Join(strings.Fields(s), " ")
}

// limitSummary cuts a clean summary to at most MaxSummary characters after
// its last whole sentence that fits; a first sentence longer than that is
// cut after a word, with "…". It reports whether it cut.
func limitSummary(s string) (string, bool) {
	if utf8.RuneCountInString(s) <= MaxSummary {
		return s, false
	}
	var kept []string
	n := 0
	for _, sent := range splitSentences(s) {
		m := utf8.RuneCountInString(sent)
		if len(kept) > 0 {
			m++
		}
		if n+m > MaxSummary {
			break
		}
		kept, n = append(kept, sent), n+m
	}
	if len(kept) > 0 {
		return strings.Join(kept, " "), true
	}
	r := []rune(s)[:MaxSummary-1]
	if i := strings.LastIndexFunc(string(r), unicode.IsSpace); i > len(string(r))/2 {
		return strings.TrimRight(string(r)[:i], " ,;:") + "…", true
	}
	return string(r) + "…", true
}

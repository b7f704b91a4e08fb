package triage

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxConciseTopic bounds the topic the offline triage derives: a tracker
// issue's summary reads "Vendor — topic [VS-0042]", as the seed's do.
const maxConciseTopic = 80

var (
	// leadInRE is a label a vendor puts before the subject proper.
	leadInRE = regexp.MustCompile(`(?i)^\s*(action required|action needed|important|urgent|reminder|final reminder|last reminder|` +
		`notice|final notice|update|heads[- ]up|attention|fyi|[a-z0-9]+( [a-z0-9]+){0,2} (event|notification|announcement|advisory))\s*[:\-–—|]\s*`)
	// dateClauseRE is a trailing clause that only dates the change: the
	// ticket carries the date on its own.
	dateClauseRE = regexp.MustCompile(`(?i)\s*[,\-–—(]?\s*\b(effective|on|before|by|from|starting|as of|until|beginning|no later than|due)\s+` +
		`(\d{4}-\d{2}-\d{2}|\d{1,2}[./]\d{1,2}[./]\d{2,4}|` +
		`(mon|tue|wed|thu|fri|sat|sun)[a-z]*,?\s+|` +
		`\d{1,2}(st|nd|rd|th)?\s+(of\s+)?(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*|` +
		`(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d{1,2}|` +
		`(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\s+\d{4}|` +
		`(the\s+)?(end|start|beginning) of\s+)[^)]*\)?\s*$`)
	// actionTailRE is a trailing " - do this" clause: what to do, not what
	// changes.
	actionTailRE = regexp.MustCompile(`(?i)\s+[-–—]\s+(new|reissue|renew|update|upgrade|migrate|rotate|act|register|review|replace|action|please|re-?verify|verify)\b.*$`)
	// ownerRE is a leading "your" or "our".
	ownerRE = regexp.MustCompile(`(?i)^(your|our)\s+`)
)

// conciseTopic is what changes, in a few words, from an email's subject:
// without reply prefixes and tags, lead-in labels ("Action required:"),
// the vendor's own name, a trailing date clause ("effective March 1,
// 2027") and a trailing call to action ("- reissue certificates").
func conciseTopic(subject, vendor string) string {
	t := topicOf(subject)
	for {
		s := leadInRE.ReplaceAllString(t, "")
		s = dateClauseRE.ReplaceAllString(s, "")
		s = actionTailRE.ReplaceAllString(s, "")
		s = strings.TrimSpace(ownerRE.ReplaceAllString(strings.TrimSpace(s), ""))
		if vendor != "" && len(s) > len(vendor)+1 && strings.EqualFold(s[:len(vendor)], vendor) && s[len(vendor)] == ' ' {
			s = strings.TrimSpace(s[len(vendor):])
		}
		if s == t || len(strings.Fields(s)) < 2 {
			break
		}
		t = s
	}
	t = strings.TrimRight(t, " .,;:-–—")
	if utf8.RuneCountInString(t) > maxConciseTopic {
		r := []rune(t)[:maxConciseTopic]
		if i := strings.LastIndexByte(string(r), ' '); i > maxConciseTopic/2 {
			t = string(r)[:i]
		} else {
			t = string(r)
		}
		t = strings.TrimRight(t, " .,;:-–—") + "…"
	}
	if r, n := utf8.DecodeRuneInString(t); n > 0 && unicode.IsLower(r) {
		t = string(unicode.ToUpper(r)) + t[n:]
	}
	return t
}

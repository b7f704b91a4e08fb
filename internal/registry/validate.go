package registry

import (
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/vendorsync/vendorsync/internal/apperr"
)

// Input limits. They are generous for people and bound what a script can store.
const (
	MaxName        = 200
	MaxDescription = 10000
	MaxRuleText    = 5000
	MaxNotes       = 5000
	MaxShort       = 200 // website parts, tracker fields, alert channels
	MaxListItems   = 50
	MaxVendorLinks = 200
	MinSLADays     = 1
	MaxSLADays     = 3650
)

// checkName trims a required single-line name and records what is wrong.
func checkName(v *apperr.Validation, field string, s *string) {
	*s = strings.TrimSpace(*s)
	switch {
	case *s == "":
		v.Add(field, "is required")
	case utf8.RuneCountInString(*s) > MaxName:
		v.Add(field, "must be at most %d characters", MaxName)
	case strings.ContainsFunc(*s, unicode.IsControl):
		v.Add(field, "must be a single line without control characters")
	}
}

// checkText trims free text and checks its length; required text may not be
// empty.
func checkText(v *apperr.Validation, field string, s *string, max int, required bool) {
	*s = strings.TrimSpace(*s)
	switch {
	case required && *s == "":
		v.Add(field, "is required")
	case utf8.RuneCountInString(*s) > max:
		v.Add(field, "must be at most %d characters", max)
	}
}

// checkShort trims an optional single-line value such as a project key.
func checkShort(v *apperr.Validation, field string, s *string) {
	*s = strings.TrimSpace(*s)
	switch {
	case utf8.RuneCountInString(*s) > MaxShort:
		v.Add(field, "must be at most %d characters", MaxShort)
	case strings.ContainsFunc(*s, unicode.IsControl):
		v.Add(field, "must be a single line without control characters")
	}
}

// cleanList trims items, drops empty ones and duplicates (case-insensitively
// when fold is set), keeping the first spelling and the order given.
func cleanList(in []string, fold bool) []string {
	out := make([]string, 0, len(in))
	seen := map[string]bool{}
	for _, s := range in {
		s = strings.TrimSpace(s)
		key := s
		if fold {
			key = strings.ToLower(s)
		}
		if s == "" || seen[key] {
			continue
		}
		seen[key] = true
		out = append(out, s)
	}
	return out
}

// checkList cleans a list of short single-line values and checks its size.
func checkList(v *apperr.Validation, field string, in []string, fold bool) []string {
	out := cleanList(in, fold)
	if len(out) > MaxListItems {
		v.Add(field, "must have at most %d entries", MaxListItems)
		return out
	}
	for _, s := range out {
		if utf8.RuneCountInString(s) > MaxShort || strings.ContainsFunc(s, unicode.IsControl) {
			v.Add(field, "entries must be single lines of at most %d characters", MaxShort)
			break
		}
	}
	return out
}

// checkDomains lower-cases email domains, drops a leading "@" and duplicates,
// and names every entry that is not a domain in one message.
func checkDomains(v *apperr.Validation, field string, in []string) []string {
	out := make([]string, 0, len(in))
	for _, d := range in {
		d = strings.TrimSuffix(strings.TrimPrefix(strings.ToLower(strings.TrimSpace(d)), "@"), ".")
		out = append(out, d)
	}
	out = cleanList(out, false)
	if len(out) > MaxListItems {
		v.Add(field, "must have at most %d entries", MaxListItems)
		return out
	}
	var bad []string
	for _, d := range out {
		if !ValidDomain(d) {
			bad = append(bad, d)
		}
	}
	if len(bad) > 0 {
		v.Add(field, "not a domain (use the part after @, e.g. visa.com): %s", strings.Join(bad, ", "))
	}
	return out
}

// ValidDomain reports whether d is a lower-case DNS name with at least two
// labels, such as "visa.com" or "mail.stripe.com".
func ValidDomain(d string) bool {
	if len(d) > 253 || !strings.Contains(d, ".") {
		return false
	}
	labels := strings.Split(d, ".")
	for _, l := range labels {
		if len(l) == 0 || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for i := 0; i < len(l); i++ {
			c := l[i]
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
				return false
			}
		}
	}
	tld := labels[len(labels)-1]
	return strings.ContainsFunc(tld, func(r rune) bool { return r >= 'a' && r <= 'z' })
}

// checkWebsite accepts an http(s) URL, adding https:// when the scheme is
// left out ("visa.com").
func checkWebsite(v *apperr.Validation, field string, s *string) {
	*s = strings.TrimSpace(*s)
	if *s == "" {
		return
	}
	if !strings.Contains(*s, "://") {
		*s = "https://" + *s
	}
	u, err := url.Parse(*s)
	switch {
	case len(*s) > 500:
		v.Add(field, "must be at most 500 characters")
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || strings.ContainsAny(*s, " \t\r\n"):
		v.Add(field, "must be a web address such as https://www.visa.com")
	}
}

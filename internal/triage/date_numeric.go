package triage

import (
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Numeric dates and the order an email writes them in (day or month
// first), read from the email itself, the sender's domain or address.

// dateContext is what reading a date needs beyond its line: the day the
// email was sent (relative dates and dates without a year count from it)
// and the order numeric dates are written in, when the email shows it.
type dateContext struct {
	sent  Date
	order numericOrder
	// fiscal is the fiscal year the email says its sender keeps.
	fiscal fiscalYear
	// document is set when the subject names a document that applies
	// from a day (a price list, a sub-processor list): a sentence about
	// "the updated list" is about it.
	document bool
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
// numeric date in it (a day over 12 shows the order), else from its
// Content-Language header lang (en-US month-first; en-GB, de-DE, fr-FR…
// day-first), else from the sender's country domain (.us month-first;
// .uk, .de… day-first), else from the sender's postal address.
func orderOf(text, from, lang string) (numericOrder, string) {
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
	if order := orderOfLanguage(lang); order != orderUnknown {
		return order, "the email's Content-Language is " + lang
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

// pastDayFirst reports whether a/b/y read day-first is before sent while
// read month-first it is not.
func pastDayFirst(y, a, b int, sent Date) bool {
	df, ok1 := NewDate(y, time.Month(b), a)
	mf, ok2 := NewDate(y, time.Month(a), b)
	return ok1 && ok2 && !sent.IsZero() && df.Before(sent) && !mf.Before(sent)
}

// fullYear reads a four-digit year, or a two-digit one as 20yy.
func fullYear(s string) int {
	y, _ := strconv.Atoi(s)
	if len(s) == 2 {
		y += 2000
	}
	return y
}

// monthFirstRegions are the countries whose English writes numeric dates
// month-first; uncertainRegions write them both ways (Canada).
var (
	monthFirstRegions = map[string]bool{"us": true, "ph": true, "um": true, "as": true, "gu": true, "pr": true, "vi": true}
	uncertainRegions  = map[string]bool{"ca": true}
)

// dayFirstLanguages are the languages whose numeric dates put the day
// first whatever the region.
var dayFirstLanguages = map[string]bool{"de": true, "fr": true, "it": true, "es": true, "nl": true, "pt": true, "pl": true, "sv": true,
	"da": true, "nb": true, "nn": true, "no": true, "fi": true, "cs": true, "sk": true, "ru": true, "uk": true, "tr": true, "el": true,
	"ro": true, "ca": true, "ga": true, "is": true, "et": true, "sl": true, "hr": true, "sr": true, "bg": true}

// orderOfLanguage reads the order of numeric dates from a language tag:
// English by its region (en-US month-first, en-GB, en-AU, en-IE… day-first,
// "en" alone unknown), the languages above day-first, others unknown.
func orderOfLanguage(lang string) numericOrder {
	parts := strings.Split(strings.ToLower(lang), "-")
	region := ""
	for _, p := range parts[1:] {
		if len(p) == 2 {
			region = p
		}
	}
	switch {
	case parts[0] == "en" && (region == "" || uncertainRegions[region]):
		return orderUnknown
	case parts[0] == "en" && monthFirstRegions[region]:
		return orderMonthFirst
	case parts[0] == "en", dayFirstLanguages[parts[0]] && !monthFirstRegions[region]:
		return orderDayFirst
	}
	return orderUnknown
}

package score

import (
	"strconv"
	"strings"
	"time"
)

// ReportSettings are the tenant settings reports are written in: the
// legal name on every page, the locale of numbers and dates, the currency
// and the time zone. They are read once, when a report's context is
// frozen.
type ReportSettings struct {
	LegalName string
	Locale    string
	Currency  string
	Timezone  string
}

// Locale is how a report writes numbers and dates.
type Locale struct {
	Tag      string
	Decimal  string
	Group    string
	Date     string // time layout of a day
	DateTime string // time layout of a moment
	Percent  string // between a number and "%"
	// Delimiter separates CSV fields: ";" where the decimal mark is a
	// comma, so spreadsheets of that locale open the file as columns.
	Delimiter rune
}

// Locales lists the report locales by tag.
var Locales = map[string]Locale{
	"en-US": {Tag: "en-US", Decimal: ".", Group: ",", Date: "01/02/2006", DateTime: "01/02/2006 3:04 PM", Percent: "", Delimiter: ','},
	"en-GB": {Tag: "en-GB", Decimal: ".", Group: ",", Date: "02/01/2006", DateTime: "02/01/2006 15:04", Percent: "", Delimiter: ','},
	"de-DE": {Tag: "de-DE", Decimal: ",", Group: ".", Date: "02.01.2006", DateTime: "02.01.2006 15:04", Percent: "\u00a0", Delimiter: ';'},
	"fr-FR": {Tag: "fr-FR", Decimal: ",", Group: "\u00a0", Date: "02/01/2006", DateTime: "02/01/2006 15:04", Percent: "\u00a0", Delimiter: ';'},
}

// LocaleTags lists the supported locale tags in display order.
var LocaleTags = []string{"de-DE", "en-GB", "en-US", "fr-FR"}

// LookupLocale returns the locale of tag, en-US when unknown.
func LookupLocale(tag string) Locale {
	if l, ok := Locales[tag]; ok {
		return l
	}
	return Locales["en-US"]
}

// Number writes v with the given decimals, grouping thousands.
func (l Locale) Number(v float64, decimals int) string {
	s := strconv.FormatFloat(v, 'f', decimals, 64)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	whole, frac, _ := strings.Cut(s, ".")
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, r := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteString(l.Group)
		}
		b.WriteRune(r)
	}
	if frac != "" {
		b.WriteString(l.Decimal)
		b.WriteString(frac)
	}
	return b.String()
}

// Score writes a score to one decimal, or "no data".
func (l Locale) Score(s *float64) string {
	if s == nil {
		return "no data"
	}
	return l.Number(*s, 1)
}

// Share writes a 0–1 share as whole percent.
func (l Locale) Share(v float64) string { return l.Number(v*100, 0) + l.Percent + "%" }

// Day writes the day of t in loc.
func (l Locale) Day(t time.Time, loc *time.Location) string { return t.In(loc).Format(l.Date) }

// Moment writes t in loc to the minute.
func (l Locale) Moment(t time.Time, loc *time.Location) string { return t.In(loc).Format(l.DateTime) }

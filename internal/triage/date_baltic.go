package triage

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Dates in Latvian ("2028. gada 30. jūnijā"), Lithuanian ("2028 m.
// gegužės 2 d.") and Estonian ("14. märtsil 2028"): each names the month
// by a stem in one of its cases.

var (
	latvianMonths    = []string{"janvār", "februār", "mart", "aprīl", "maij", "jūnij", "jūlij", "august", "septembr", "oktobr", "novembr", "decembr"}
	lithuanianMonths = []string{"sausio", "vasario", "kovo", "balandžio", "gegužės", "birželio", "liepos", "rugpjūčio", "rugsėjo", "spalio", "lapkričio", "gruodžio"}
	estonianMonths   = []string{"jaanuar", "veebruar", "märts", "aprill", "mai", "juuni", "juuli", "august", "september", "oktoober", "november", "detsember"}

	// latvianDateRE: the year, the day and the month's stem.
	latvianDateRE = regexp.MustCompile(`(?i)\b(\d{4})\.\s*gad(?:a|ā)\s+(\d{1,2})\.\s*(` + strings.Join(latvianMonths, "|") + `)\p{L}*`)
	// lithuanianDateRE: the year, the month and the day.
	lithuanianDateRE = regexp.MustCompile(`(?i)\b(\d{4})\s*m\.\s*(` + strings.Join(lithuanianMonths, "|") + `)\s+(\d{1,2})\s*d\.?`)
	// estonianDateRE: the day, the month's stem and the year.
	estonianDateRE = regexp.MustCompile(`(?i)\b(\d{1,2})\.\s*(` + strings.Join(estonianMonths, "|") + `)\p{L}*\s+(\d{4})\b`)
)

// balticDates reads the Latvian, Lithuanian and Estonian dates of line.
func balticDates(line string, g lineGates) []formDate {
	if !g.digit || !strings.Contains(line, ".") {
		return nil
	}
	var out []formDate
	add := func(m []int, y, mo, d string, months []string) {
		year, _ := strconv.Atoi(y)
		day, _ := strconv.Atoi(d)
		month := time.Month(slices.Index(months, strings.ToLower(mo)) + 1)
		date, ok := NewDate(year, month, day)
		out = append(out, formDate{[]int{m[0], m[1]}, date, ok && month > 0, ""})
	}
	if strings.Contains(g.lower, "gad") {
		for _, m := range latvianDateRE.FindAllStringSubmatchIndex(line, maxDatesPerLine) {
			add(m, line[m[2]:m[3]], line[m[6]:m[7]], line[m[4]:m[5]], latvianMonths)
		}
	}
	if strings.Contains(g.lower, "m.") {
		for _, m := range lithuanianDateRE.FindAllStringSubmatchIndex(line, maxDatesPerLine) {
			add(m, line[m[2]:m[3]], line[m[4]:m[5]], line[m[6]:m[7]], lithuanianMonths)
		}
	}
	for _, m := range estonianDateRE.FindAllStringSubmatchIndex(line, maxDatesPerLine) {
		add(m, line[m[6]:m[7]], line[m[4]:m[5]], line[m[2]:m[3]], estonianMonths)
	}
	return out
}

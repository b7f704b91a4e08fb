package triage

import (
	"cmp"
	"maps"
	"regexp"
	"slices"
	"strings"
	"unicode"
)

// Dates as Dutch, French, Spanish, Italian, Portuguese, Polish, Swedish,
// Czech and Turkish mail writes them: "vóór 1 juni 2027", "avant la fin
// juin 2027", "a partir del 1 de abril de 2027", "entro il 30 giugno
// 2027", "até 30 de junho de 2027", "do 31 maja 2027 r.", "den 1 augusti
// 2027", "do 1. července 2027", "15 Eylül 2027'ye kadar". A line that writes one is read as if it
// said the same in English ("before 1 June 2027", "before the end of June
// 2027"), so that every English form and cue applies to it.

// foreignMonths are the months' names in Dutch, French, Spanish,
// Italian, Portuguese, Polish, Swedish, Czech and Turkish (in the genitive
// a date uses), and those of moreForeignMonths, by the English name they
// stand for.
var foreignMonths = withMoreMonths(map[string]string{
	// Swedish (the others are written as in Dutch or English), Czech and
	// Turkish.
	"maj": "May", "augusti": "August",
	"ledna": "January", "února": "February", "března": "March", "dubna": "April", "května": "May", "června": "June",
	"července": "July", "srpna": "August", "září": "September", "října": "October", "listopadu": "November", "prosince": "December",
	"ocak": "January", "şubat": "February", "mart": "March", "nisan": "April", "mayıs": "May", "haziran": "June",
	"temmuz": "July", "ağustos": "August", "eylül": "September", "ekim": "October", "kasım": "November", "aralık": "December",
	"januari": "January", "janvier": "January", "enero": "January", "gennaio": "January", "janeiro": "January", "stycznia": "January",
	"februari": "February", "février": "February", "fevrier": "February", "febrero": "February", "febbraio": "February", "fevereiro": "February", "lutego": "February",
	"maart": "March", "mars": "March", "marzo": "March", "março": "March", "marco": "March", "marca": "March",
	"avril": "April", "abril": "April", "aprile": "April", "kwietnia": "April",
	"mei": "May", "mai": "May", "mayo": "May", "maggio": "May", "maio": "May", "maja": "May",
	"juni": "June", "juin": "June", "junio": "June", "giugno": "June", "junho": "June", "czerwca": "June",
	"juli": "July", "juillet": "July", "julio": "July", "luglio": "July", "julho": "July", "lipca": "July",
	"augustus": "August", "août": "August", "aout": "August", "agosto": "August", "sierpnia": "August",
	"septembre": "September", "septiembre": "September", "setiembre": "September", "settembre": "September", "setembro": "September", "września": "September", "wrzesnia": "September",
	"oktober": "October", "octobre": "October", "octubre": "October", "ottobre": "October", "outubro": "October", "października": "October", "pazdziernika": "October",
	"novembre": "November", "noviembre": "November", "listopada": "November",
	"décembre": "December", "decembre": "December", "diciembre": "December", "dicembre": "December", "dezembro": "December", "grudnia": "December",
})

// foreignMonthNames are foreignMonths' names, longer ones first, so that
// the alternation below never reads "juillet" as "juil…".
var foreignMonthNames = func() []string {
	names := slices.Collect(maps.Keys(foreignMonths))
	slices.SortFunc(names, func(a, b string) int { return cmp.Or(len(b)-len(a), strings.Compare(a, b)) })
	return names
}()

// foreignDateRE is a foreign month's name with a year, after a day ("1
// juni 2027", "1er avril 2027", "1 de abril de 2027") or after the words
// for its end ("fin juin 2027", "finales de junio de 2027", "eind juni
// 2027", "fine giugno 2027").
var foreignDateRE = regexp.MustCompile(`(?i)\b(?:(fin|finales|final|fine|eind|einde|slutet|slutningen|udgangen|slutten|utgangen)\s+(?:de\s+|d'|van\s+|di\s+|av\s+|af\s+)?)?(?:(\d{1,2}|premier|primo)(?:er|e|º|°|\.)?\s+(?:de\s+)?)?(` +
	quotedAlternation(foreignMonthNames) + `)\s+(?:de\s+|del\s+)?(\d{4})\b`)

func quotedAlternation(names []string) string {
	quoted := make([]string, len(names))
	for i, n := range names {
		quoted[i] = regexp.QuoteMeta(n)
	}
	return strings.Join(quoted, "|")
}

// foreignDeadlineCues are the words before a date in those languages that
// say it is a deadline or when a change takes effect, as "before", "no
// later than", "until" and "starting" do.
var foreignDeadlineCues = append([]string{"vóór", "uiterlijk", "avant", "au plus tard", "d ici", "jusqu au", "à partir du", "à partir de",
	"dès le", "antes del", "antes de", "a más tardar", "a partir del", "a partir de", "hasta el", "entro il", "entro la", "a partire dal",
	"até", "até ao", "até à", "a partir do", "przed", "najpóźniej do", "od dnia",
	"senast", "före", "från och med", "nejpozději do", "nejpozději", "počínaje", "en geç"}, moreDeadlineCues...)

// foreignDeadlineWords are deadline words short enough to be English
// words too (Polish "do", by): a cue only right before the date.
var foreignDeadlineWords = []string{"do"}

// foreignFromCues say "from" or "on" in those languages: a weak cue.
var foreignFromCues = append([]string{"vanaf", "per", "op", "na", "desde", "el", "le", "dal", "il", "em", "od", "dnia"}, moreFromCues...)

// nordicMonthEndRE is "at the end of" before a month and a year in
// Swedish, Danish and Norwegian.
var nordicMonthEndRE = regexp.MustCompile(`(?i)\b(?:i\s+)?(?:slutet|slutningen|udgangen|slutten|utgangen)\s+a[fv]\s+`)

// inEnglish is line with its foreign dates written in English: "1 juni
// 2027" as "1 June 2027", "fin juin 2027" as "end of June 2027". A line
// without one is returned as it is.
func inEnglish(line string) string {
	if !strings.ContainsAny(line, "0123456789") {
		return line
	}
	lower := strings.ToLower(line)
	line = inEnglishHungarian(line, lower)
	if strings.Contains(lower, "slut") || strings.Contains(lower, "udgangen") || strings.Contains(lower, "utgangen") {
		// "i slutet av september 2028", "udgangen af marts 2028": the
		// end of an English-named month too.
		line = nordicMonthEndRE.ReplaceAllString(line, "end of ")
	}
	if !hasForeignMonth(lower) {
		return line
	}
	return foreignDateRE.ReplaceAllStringFunc(line, func(m string) string {
		s := foreignDateRE.FindStringSubmatch(m)
		out := ""
		if s[1] != "" {
			out = "end of "
		}
		switch day := strings.ToLower(s[2]); day {
		case "":
		case "premier", "primo":
			out += "1 " // "le premier avril 2028", "il primo marzo"
		default:
			out += day + " "
		}
		return out + foreignMonths[strings.ToLower(s[3])] + " " + s[4]
	})
}

// hasForeignMonth reports whether lower (a line in lower case) has a word
// that is one of foreignMonths' names: it gates foreignDateRE, as every
// date it reads has one. A lookup by word costs far less than searching
// the line for each of the names.
func hasForeignMonth(lower string) bool {
	start := -1
	for i, r := range lower {
		switch {
		case unicode.IsLetter(r):
			if start < 0 {
				start = i
			}
		case start >= 0:
			if _, ok := foreignMonths[lower[start:i]]; ok {
				return true
			}
			start = -1
		}
	}
	if start < 0 {
		return false
	}
	_, ok := foreignMonths[lower[start:]]
	return ok
}

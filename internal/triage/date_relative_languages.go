package triage

import (
	"cmp"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Relative dates in the other languages vendors write in ("over 60
// dagen", "dans 30 jours", "dentro de 45 días", "entro 30 giorni", "om 14
// dagar", "w ciągu 30 dni", "do 30 dnů"): they count from the email's
// date as their English and German forms do.

// otherRelativeRE is a preposition of time, a count in digits and a unit
// of days, weeks or months in Dutch, French, Spanish, Portuguese, Italian,
// the Nordic languages, Polish or Czech. A unit that ends with an accented
// letter is followed by a non-letter, since a word boundary never matches
// after one.
var otherRelativeRE = regexp.MustCompile(`(?i)\b(?:over|binnen|dans\s+un\s+délai\s+de|en\s+(?:un|el)\s+plazo\s+de|nel\s+giro\s+di|dans|sous|d['’]ici|en|dentro\s+de|em|no\s+prazo\s+de|tra|fra|entro|om|inom|inden\s+for|innen|za|w\s+ciągu|během|do)\s+(\d{1,3}|` +
	foreignNumberAlternation + `)\s+` +
	// Business days first: "10 jours ouvrés", "5 días hábiles", "10
	// giorni lavorativi", "5 dias úteis", "10 werkdagen", "10
	// arbetsdagar", "10 arbejdsdage", "10 virkedager", "10 dni roboczych".
	`(jours\s+ouvr(?:és|ables)|días\s+(?:hábiles|laborables)|giorni\s+lavorativi|dias\s+úteis|werkdagen|arbetsdagar|arbejdsdage|virkedager|arbeidsdager|dni\s+roboczych|` +
	`dagen|dagar|dage|dager|dag|jours|días|dias|giorni|dni|dní|dnů|dny|weken|veckor|uger|uker|semaines|semanas|settimane|tygodni|tygodnie|týdnů|týdny|týdne|` +
	`maanden|maand|månader|måneder|mois|meses|mesi|miesięcy|miesiące|měsíců|měsíce)(?:\P{L}|$)`)

// foreignNumberWords are the counts written out in the languages of
// otherRelativeRE: "inom två veckor", "dans deux semaines", "binnen
// twee weken", "entro due settimane".
var foreignNumberWords = map[string]int{
	"ett": 1, "en": 1, "et": 1, "ein": 1, "un": 1, "une": 1, "uno": 1, "una": 1, "um": 1, "uma": 1, "een": 1,
	"två": 2, "to": 2, "zwei": 2, "deux": 2, "dos": 2, "due": 2, "dois": 2, "duas": 2, "twee": 2, "dwa": 2, "dwóch": 2,
	"tre": 3, "drei": 3, "trois": 3, "tres": 3, "três": 3, "drie": 3, "trzy": 3, "trzech": 3,
	"fyra": 4, "fire": 4, "vier": 4, "quatre": 4, "cuatro": 4, "quattro": 4, "quatro": 4, "cztery": 4, "czterech": 4,
	"fem": 5, "fünf": 5, "cinq": 5, "cinco": 5, "cinque": 5, "vijf": 5, "pięć": 5, "pięciu": 5,
	"sex": 6, "seks": 6, "sechs": 6, "six": 6, "seis": 6, "sei": 6, "zes": 6, "sześć": 6,
	"sju": 7, "syv": 7, "sieben": 7, "sept": 7, "siete": 7, "sette": 7, "sete": 7, "zeven": 7, "siedem": 7,
	"åtta": 8, "otte": 8, "åtte": 8, "acht": 8, "huit": 8, "ocho": 8, "otto": 8, "oito": 8, "osiem": 8,
	"nio": 9, "ni": 9, "neun": 9, "neuf": 9, "nueve": 9, "nove": 9, "negen": 9, "dziewięć": 9,
	"tio": 10, "ti": 10, "zehn": 10, "dix": 10, "diez": 10, "dieci": 10, "dez": 10, "tien": 10, "dziesięć": 10, "dziesięciu": 10,
	"fjorton": 14, "fjorten": 14, "vierzehn": 14, "quatorze": 14, "catorce": 14, "quattordici": 14, "catorze": 14, "veertien": 14, "czternaście": 14,
	"femton": 15, "femten": 15, "fünfzehn": 15, "quinze": 15, "quince": 15, "quindici": 15, "vijftien": 15, "piętnaście": 15,
	"trettio": 30, "tredive": 30, "tretti": 30, "dreißig": 30, "trente": 30, "treinta": 30, "trenta": 30, "trinta": 30, "dertig": 30, "trzydzieści": 30,
}

// foreignNumberAlternation matches the keys of foreignNumberWords, longest first.
var foreignNumberAlternation = func() string {
	words := make([]string, 0, len(foreignNumberWords))
	for w := range foreignNumberWords {
		words = append(words, regexp.QuoteMeta(w))
	}
	slices.SortFunc(words, func(a, b string) int { return cmp.Or(len(b)-len(a), strings.Compare(a, b)) })
	return strings.Join(words, "|")
}()

// otherRelativeUnits are the stems that gate otherRelativeRE, each with
// its unit.
var otherRelativeUnits = []struct{ stem, unit string }{
	{"dag", "day"}, {"jour", "day"}, {"días", "day"}, {"dias", "day"}, {"giorn", "day"}, {"dni", "day"}, {"dní", "day"},
	{"dnů", "day"}, {"dny", "day"}, {"weken", "week"}, {"veckor", "week"}, {"uger", "week"}, {"uker", "week"},
	{"semaine", "week"}, {"semana", "week"}, {"settiman", "week"}, {"tygod", "week"}, {"týdn", "week"},
	{"maand", "month"}, {"månad", "month"}, {"måned", "month"}, {"mois", "month"}, {"meses", "month"}, {"mesi", "month"},
	{"miesi", "month"}, {"měsí", "month"},
}

// otherRelative reads the relative dates of the other languages in line.
func otherRelative(line string, dc dateContext, g lineGates) []formDate {
	if dc.sent.IsZero() || !otherRelativeGate(g.lower) {
		return nil
	}
	var out []formDate
	for _, m := range otherRelativeRE.FindAllStringSubmatchIndex(line, maxDatesPerLine) {
		count := strings.ToLower(line[m[2]:m[3]])
		n, err := strconv.Atoi(count)
		if err != nil {
			n, err = foreignNumberWords[count], nil
		}
		unit := relativeUnitOf(strings.ToLower(line[m[4]:m[5]]))
		if n <= 0 || unit == "" {
			continue
		}
		// The match ends at the unit, not at the letter after it.
		loc := []int{m[0], m[5]}
		out = append(out, formDate{loc, relativeDate(dc.sent, n, unit), true, "relative to the email's date " + dc.sent.String()})
	}
	return out
}

func otherRelativeGate(lower string) bool {
	for _, u := range otherRelativeUnits {
		if strings.Contains(lower, u.stem) {
			return true
		}
	}
	return false
}

// relativeUnitOf is the unit ("day", "week", "month", "business day") of
// a unit word.
func relativeUnitOf(word string) string {
	if strings.ContainsAny(word, " \t\n") || strings.Contains(word, "werkdag") || strings.Contains(word, "arbe") || strings.Contains(word, "virke") {
		return "business day" // "jours ouvrés", "werkdagen", "arbetsdagar", "arbejdsdage", "virkedager"
	}
	for _, u := range otherRelativeUnits {
		if strings.HasPrefix(word, u.stem) {
			return u.unit
		}
	}
	return ""
}

// monthEndRE is the end of a month named relative to the email's date:
// "by the end of next month", "before the end of this month", "end of
// the following month". The group is which month.
var monthEndRE = regexp.MustCompile(`(?i)\bend\s+of\s+(next|this|the\s+following|the\s+current)\s+month\b`)

// monthEnds reads the ends of months named relative to the email's date
// in line.
func monthEnds(line string, dc dateContext, g lineGates) []formDate {
	if dc.sent.IsZero() || !strings.Contains(g.lower, "month") {
		return nil
	}
	var out []formDate
	for _, m := range monthEndRE.FindAllStringSubmatchIndex(line, maxDatesPerLine) {
		which := strings.ToLower(line[m[2]:m[3]])
		y, mo := dc.sent.Year, dc.sent.Month
		if which == "next" || strings.HasSuffix(which, "following") {
			if mo++; mo > 12 {
				y, mo = y+1, 1
			}
		}
		out = append(out, formDate{m, endOfMonth(y, mo), true, "the end of " + which + " month after the email's date " + dc.sent.String()})
	}
	return out
}

// foreignNextMonthEndRE and foreignThisMonthEndRE are the end of next
// month and of this month in Portuguese, Spanish, French, Italian,
// German, Dutch, the Nordic languages and Polish: "a partir do final do
// próximo mês", "a finales del mes que viene", "fin du mois prochain",
// "entro la fine del prossimo mese", "Ende nächsten Monats", "eind
// volgende maand", "i slutet av nästa månad", "do końca przyszłego
// miesiąca", "ensi kuun loppuun"; "até ao final deste mês", "Ende dieses
// Monats".
var (
	foreignNextMonthEndRE = regexp.MustCompile(`(?i)\b(?:(?:final|fim)\s+do\s+(?:próximo\s+mês|mês\s+(?:que\s+vem|seguinte))|` +
		`(?:finales|final|fin)\s+del?\s+(?:próximo\s+mes|mes\s+(?:que\s+viene|siguiente|próximo))|fin\s+du\s+mois\s+(?:prochain|suivant)|` +
		`fine\s+(?:del\s+)?(?:prossimo\s+mese|mese\s+(?:prossimo|successivo))|ende\s+(?:des\s+)?(?:nächsten|kommenden|folgenden)\s+monats|` +
		`einde?\s+(?:van\s+)?(?:de\s+)?volgende\s+maand|slutet\s+av\s+nästa\s+månad|(?:slutningen|udgangen|utgangen|slutten)\s+av?\s+(?:næste|neste)\s+måned|` +
		`końc[aue]\s+(?:przyszłego|następnego)\s+miesiąca|ensi\s+kuun\s+(?:loppuun|lopussa|lopulla))`)
	foreignThisMonthEndRE = regexp.MustCompile(`(?i)\b(?:(?:final|fim)\s+(?:deste|do\s+corrente)\s+mês|(?:finales|final|fin)\s+de\s+este\s+mes|` +
		`fin\s+de\s+ce\s+mois|fine\s+di\s+questo\s+mese|ende\s+(?:dieses|des\s+laufenden)\s+monats|einde?\s+(?:van\s+)?deze\s+maand|` +
		`slutet\s+av\s+(?:denna|den\s+här)\s+månad|końc[aue]\s+(?:tego|bieżącego)\s+miesiąca|tämän\s+kuun\s+(?:loppuun|lopussa|lopulla))`)
)

// foreignMonthStems gate foreignNextMonthEndRE and foreignThisMonthEndRE.
var foreignMonthStems = []string{"mês", "mes", "mois", "monats", "maand", "månad", "måned", "miesiąca", "kuun"}

// foreignMonthEnds reads the ends of next month and this month of the
// other languages in line, as monthEnds reads them in English.
func foreignMonthEnds(line string, dc dateContext, g lineGates) []formDate {
	if dc.sent.IsZero() || !containsAny(g.lower, foreignMonthStems) {
		return nil
	}
	var out []formDate
	for _, m := range foreignNextMonthEndRE.FindAllStringIndex(line, maxDatesPerLine) {
		y, mo := dc.sent.Year, dc.sent.Month+1
		if mo > 12 {
			y, mo = y+1, 1
		}
		out = append(out, formDate{m, endOfMonth(y, mo), true, "the end of next month after the email's date " + dc.sent.String()})
	}
	for _, m := range foreignThisMonthEndRE.FindAllStringIndex(line, maxDatesPerLine) {
		out = append(out, formDate{m, endOfMonth(dc.sent.Year, dc.sent.Month), true, "the end of the month of the email's date " + dc.sent.String()})
	}
	return out
}

// foreignQuarterRE is a quarter in Italian, French, Spanish, Portuguese
// and German: "fine del primo trimestre 2028", "deuxième trimestre 2028",
// "segundo trimestre de 2028", "1. Quartal 2028". The groups are the
// ordinal and the year.
var foreignQuarterRE = regexp.MustCompile(`(?i)\b(primo|secondo|terzo|quarto|premier|1er|deuxième|2e|troisième|3e|quatrième|4e|primer|segundo|tercer|cuarto|primeiro|terceiro|quarto|[1-4]\.)\s+(?:trimestre|quartal)\s+(?:de\s+|del\s+|do\s+)?(\d{4})\b`)

// quarterOrdinals are the quarters foreignQuarterRE's ordinals name.
var quarterOrdinals = map[string]int{"primo": 1, "premier": 1, "1er": 1, "primer": 1, "primeiro": 1, "1.": 1,
	"secondo": 2, "deuxième": 2, "2e": 2, "segundo": 2, "2.": 2, "terzo": 3, "troisième": 3, "3e": 3, "tercer": 3, "terceiro": 3, "3.": 3,
	"quarto": 4, "quatrième": 4, "4e": 4, "cuarto": 4, "4.": 4}

// foreignQuarters reads the quarters of the other languages in line: a
// quarter's last day, as "Q2 2027" is read.
func foreignQuarters(line string, g lineGates) []formDate {
	if !g.digit || !strings.Contains(g.lower, "trimestre") && !strings.Contains(g.lower, "quartal") {
		return nil
	}
	var out []formDate
	for _, m := range foreignQuarterRE.FindAllStringSubmatchIndex(line, maxDatesPerLine) {
		q := quarterOrdinals[strings.ToLower(line[m[2]:m[3]])]
		y, err := strconv.Atoi(line[m[4]:m[5]])
		out = append(out, formDate{m, endOfMonth(y, time.Month(q*3)), q > 0 && err == nil, "a quarter: its last day is used"})
	}
	return out
}

package triage

import (
	"maps"
	"regexp"
	"slices"
	"strings"
	"time"
)

// Dates as Hungarian, Romanian, Finnish, Slovenian, Croatian, Slovak,
// Estonian, Norwegian and Danish mail writes them: "2027. szeptember
// 30-án", "înainte de 1 noiembrie 2027", "31. lokakuuta 2027", "do 15.
// oktobra 2027", "od 15. rujna 2027.", "do 30. novembra 2027", "alates 1.
// detsembrist 2027", "innen 1. desember 2027", "senest 1. marts 2027".
// inEnglish reads them as it reads the Dutch or French ones.

// moreForeignMonths are those languages' month names in the forms a date
// uses (the genitive, the partitive, Estonian's cases), by the English
// name they stand for. Names already in foreignMonths, or written as in
// English, are left out. Croatian "listopada" (October) is left out too:
// Polish "listopada" is November, and foreignMonths reads it so.
var moreForeignMonths = map[string]string{
	// Hungarian.
	"január": "January", "február": "February", "március": "March", "április": "April", "május": "May", "június": "June",
	"július": "July", "augusztus": "August", "szeptember": "September", "október": "October",
	// Romanian ("mai", "august", "noiembrie"... "mai" is already May).
	"ianuarie": "January", "februarie": "February", "martie": "March", "aprilie": "April", "iunie": "June", "iulie": "July",
	"septembrie": "September", "octombrie": "October", "noiembrie": "November", "decembrie": "December",
	// Finnish, the partitive of a day ("31. lokakuuta 2027") and the
	// inessive of a month ("lokakuussa 2027").
	"tammikuuta": "January", "helmikuuta": "February", "maaliskuuta": "March", "huhtikuuta": "April", "toukokuuta": "May",
	"kesäkuuta": "June", "heinäkuuta": "July", "elokuuta": "August", "syyskuuta": "September", "lokakuuta": "October",
	"marraskuuta": "November", "joulukuuta": "December",
	"tammikuussa": "January", "helmikuussa": "February", "maaliskuussa": "March", "huhtikuussa": "April", "toukokuussa": "May",
	"kesäkuussa": "June", "heinäkuussa": "July", "elokuussa": "August", "syyskuussa": "September", "lokakuussa": "October",
	"marraskuussa": "November", "joulukuussa": "December",
	// Slovenian and Slovak genitives ("marca" and "maja" are already
	// March and May, as in Polish).
	"januarja": "January", "februarja": "February", "aprila": "April", "junija": "June", "julija": "July", "avgusta": "August",
	"januára": "January", "februára": "February", "apríla": "April", "mája": "May", "júna": "June", "júla": "July",
	"augusta": "August", "septembra": "September", "oktobra": "October", "októbra": "October", "novembra": "November",
	"decembra": "December",
	// Croatian genitives, without "listopada" (see above).
	"siječnja": "January", "veljače": "February", "ožujka": "March", "travnja": "April", "svibnja": "May", "lipnja": "June",
	"srpnja": "July", "kolovoza": "August", "rujna": "September", "studenoga": "November", "studenog": "November",
	"prosinca": "December",
	// Estonian: the name, its adessive ("1. detsembril", on), elative
	// ("1. detsembrist", from), partitive ("enne 1. detsembrit", before)
	// and terminative ("1. detsembrini", until). May's adessive and
	// partitive are left out: "mail" and "maid" are English words.
	"jaanuar": "January", "jaanuaril": "January", "jaanuarist": "January", "jaanuari": "January", "jaanuarini": "January",
	"veebruar": "February", "veebruaril": "February", "veebruarist": "February", "veebruari": "February", "veebruarini": "February",
	"märts": "March", "märtsil": "March", "märtsist": "March", "märtsi": "March", "märtsini": "March",
	"aprill": "April", "aprillil": "April", "aprillist": "April", "aprilli": "April", "aprillini": "April",
	"maist": "May", "maini": "May",
	"juuni": "June", "juunil": "June", "juunist": "June", "juunit": "June", "juunini": "June",
	"juuli": "July", "juulil": "July", "juulist": "July", "juulit": "July", "juulini": "July",
	"augustil": "August", "augustist": "August", "augusti": "August", "augustini": "August",
	"septembril": "September", "septembrist": "September", "septembrit": "September", "septembrini": "September",
	"oktoober": "October", "oktoobril": "October", "oktoobrist": "October", "oktoobrit": "October", "oktoobrini": "October",
	"novembril": "November", "novembrist": "November", "novembrit": "November", "novembrini": "November",
	"detsember": "December", "detsembril": "December", "detsembrist": "December", "detsembrit": "December", "detsembrini": "December",
	// Norwegian and Danish (the other months are written as in English,
	// Swedish or German).
	"januar": "January", "februar": "February", "marts": "March", "desember": "December",
}

// withMoreMonths is months with moreForeignMonths added.
func withMoreMonths(months map[string]string) map[string]string {
	maps.Copy(months, moreForeignMonths)
	return months
}

// hungarianMonths are the Hungarian names of hungarianDateRE, January
// first.
var hungarianMonths = []string{"január", "február", "március", "április", "május", "június", "július", "augusztus",
	"szeptember", "október", "november", "december"}

// hungarianDateRE is a Hungarian date, its year first: "2027. szeptember
// 30.", "2027. szeptember 30-án" (on), "2027. október 1-jétől" (from),
// "2027. szeptember 30-ig" (until), "2027. szeptember 30. előtt" (before).
var hungarianDateRE = regexp.MustCompile(`(?i)\b(\d{4})\.\s*(` + strings.Join(hungarianMonths, "|") +
	`)\s+(\d{1,2})(?:\.|-(\p{L}+))?(\s+előtt)?`)

// inEnglishHungarian is line with its year-first Hungarian dates written
// in English, with the case ending that says "until" or "from", or the
// "előtt" after them, as the English word before them: "2027. szeptember
// 30-ig" is "by 30 September 2027".
func inEnglishHungarian(line, lower string) string {
	if !strings.Contains(line, ".") || !containsAny(lower, hungarianMonths) {
		return line
	}
	return hungarianDateRE.ReplaceAllStringFunc(line, func(m string) string {
		s := hungarianDateRE.FindStringSubmatch(m)
		cue, ending := "", strings.ToLower(s[4])
		switch {
		case s[5] != "":
			cue = "before "
		case strings.HasSuffix(ending, "ig"):
			cue = "by "
		case strings.HasSuffix(ending, "tól"), strings.HasSuffix(ending, "től"):
			cue = "from "
		}
		return cue + s[3] + " " + time.Month(slices.Index(hungarianMonths, strings.ToLower(s[2]))+1).String() + " " + s[1]
	})
}

// moreDeadlineCues are the words for "before", "by", "until", "at the
// latest" and "starting" before a date in those languages (Hungarian puts
// them after it: inEnglishHungarian reads those).
var moreDeadlineCues = []string{"legkésőbb", "înainte de", "inainte de", "până la", "până pe", "pana la", "începând cu",
	"începând de la", "incepand cu", "cel târziu", "ennen", "viimeistään", "najkasneje do", "najpozneje do", "pred",
	"najkasnije do", "prije", "počevši od", "najneskôr do", "počnúc", "enne", "alates", "hiljemalt", "kuni", "innen",
	"inden", "senest", "før", "fra og med", "fra den",
	// Lithuanian and Latvian: "Iki 2028 m. gegužės 2 d.", "ne vėliau kaip",
	// "nuo", "līdz", "vēlākais līdz", "sākot ar".
	"iki", "ne vėliau kaip", "nuo", "līdz", "vēlākais līdz", "sākot ar", "ne vēlāk kā"}

// moreFromCues say "from" or "on" in those languages: a weak cue.
var moreFromCues = []string{"din", "dňa", "fra"}

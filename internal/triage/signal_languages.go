package triage

import "strings"

// Swedish, Czech and Turkish mail says in its own words what the English
// cues of signal.go and incident_status.go say: that something will stop
// working, that no action is needed, that it is a webinar or scheduled
// maintenance, and where an incident stands.

// moreNoLongerRE finds "will no longer" and "will be refused" in Swedish,
// Danish, Norwegian, Finnish, Czech and Turkish mail: "lukkes i uge 22",
// "tuki päättyy" (not "ilmoittautuminen päättyy", registration closes),
// "upphör den 1 september", "avvisas med HTTP
// 401", "tar inte längre emot", "ukončíme provoz", "budou odmítány",
// "přestanou nahrávat", "kullanılamayacaktır", "sona erecek".
var moreNoLongerRE = mustGated(`(?i)\bupphör\b|\blukkes\b|\blukker\s+ned\b|\budfases\b|\bfases\s+ud\b|\bopp?hører\b|\bikke\s+(?:længere|lenger)\b|\bstenges\b|\blegges\s+ned\b|\bslutter\s+(?:at|å)\s+virke\b|` +
	// Finnish "tuki päättyy", "lopettaa", "eivät enää voi", "poistetaan käytöstä".
	`\b(?:tuki|tuen|palvelu|rajapinta|rajapinnan|voimassaolo|ylläpito)\s+(?:[\p{L}\d.-]+\s+){0,2}?päättyy\b|\blopettaa\b|\bei(?:vät)?\s+enää\b|\bpoistetaan\s+käytöstä\b|\bsuljetaan\b|\b(?:kommer\s+att\s+)?avvisas\b|\binte\s+längre\b|\bslutar\s+(?:[\p{L}\d-]+\s+|\([^()]{0,60}\)\s+){0,4}?(?:att\s+)?(?:fungera|gälla|ta\s+emot)\b|` +
	// Swedish "nu avvecklar vi v1", "stängs v1 av helt"; the Nordic
	// "mandatory" ("bliver obligatorisk"); Polish "będą blokowane",
	// "zostaną zablokowane", "obowiązkową rejestrację".
	`\bavveckl(?:ar|as|ades)\b|\bstängs\s+(?:[\p{L}\d/.-]+\s+){0,2}?av\b|\bobligatorisk[at]?\b|` +
	`\bbęd(?:ą|zie)\s+(?:[\p{L}/-]+\s+){0,2}?(?:blokowan|odrzucan|wyłączon)\p{L}*|\bzostan(?:ą|ie)\s+(?:[\p{L}/-]+\s+){0,2}?(?:zablokowan|odrzucon|wyłączon)\p{L}*|\bobowiązkow\p{L}*|` +
	`\bukonč(?:íme|í|uje(?:me)?)\s+(?:provoz|podporu)|\bbud(?:e|ou)\s+(?:[\p{L}/-]+\s+){0,3}?odmít(?:nut|án)[aiyé]?|\bpřestan(?:e|ou)\s+(?:[\p{L}\d.-]+\s+){0,8}?(?:fungovat|nahrávat|stahovat|přijímat|odesílat)|\bnebud(?:e|ou)\s+moci\b|` +
	`\bkullanılamayacak|\bsona\s+erecek|\breddedilecek|\bdurdurulacak|\bkapatılacak|\bdesteklenmeyecek`)

// moreNoActionRE finds "no action is required" in Swedish, Czech,
// Turkish, Norwegian, Danish, Finnish, Hungarian and Romanian mail: "Ingen åtgärd krävs", "není nutná žádná akce", "herhangi
// bir işlem yapılması gerekmemektedir".
var moreNoActionRE = mustGated(`(?i)\bingen\s+åtgärd\s+(?:krävs|behövs)|\bni\s+behöver\s+inte\s+göra\s+något\b|` +
	`\bnení\s+(?:nutná|potřeba|třeba)\s+žádná\s+(?:akce|změna)|\bnemusíte\s+nic\s+(?:dělat|měnit)\b|` +
	`\b(?:herhangi\s+bir\s+)?işlem\s+(?:yapılması|yapmanız|yapmanıza)\s+(?:gerekmemektedir|gerekmiyor|gerek\s+yok)|` +
	// Norwegian "dere trenger ikke gjøre noe", Danish "I behøver ikke
	// gøre noget", Finnish "teidän ei tarvitse tehdä mitään", Hungarian
	// "nincs teendője", Romanian "nu este necesară nicio acțiune".
	`\b(?:du|dere|de|i)\s+(?:trenger|behøver|skal|må)\s+ikke\s+(?:å\s+|at\s+)?(?:gjøre|gøre|foreta\s+dere|foretage\s+jer|foretage\s+dig)\s+(?:noe|noget)\b|` +
	`\bingen\s+handling\s+(?:er\s+)?(?:nødvendig|påkrævet|kreves|kræves)\b|` +
	`\bei\s+tarvitse\s+tehdä\s+mitään\b|\bei\s+vaadi\s+toimenpiteitä|\bnincs\s+(?:teendő(?:je|jük)?|szükség\s+beavatkozásra)|` +
	`\bnu\s+este\s+necesar[ăa]\s+nicio\s+ac[țţt]iune\b|\bnu\s+trebuie\s+s[ăa]\s+face[țţt]i\s+nimic\b`)

// moreInformational are the words Swedish, Czech, Turkish, Norwegian,
// Danish, Finnish, Hungarian and Romanian mail uses for a webinar, a
// newsletter, a survey, registering and scheduled maintenance.
var moreInformational = []struct {
	re      gatedRE
	english string
}{
	{mustGated(`(?i)\bwebinář\w*|\bwebinarium\b|\bweb\s+semineri`), "webinar"},
	{mustGated(`(?i)\bnyhetsbrev\b|\bzpravodaj\b|\bbülten`), "newsletter"},
	{mustGated(`(?i)\bregistrace\b|\bregistrera\s+dig\b|\bkayıt\s+ol`), "register"},
	{mustGated(`(?i)\bplanerat\s+underhåll|\bplánovaná\s+údržba\b|\bplanlı\s+bakım`), "scheduled maintenance"},
	// Norwegian, Danish, Finnish, Hungarian and Romanian.
	{mustGated(`(?i)\bplanlagt\s+vedlike(?:hold|holdelse)\b|\bhuoltokatko\b|\bsuunniteltu\s+huolto\b|\btervezett\s+karbantartás\b|\bmentenan[țţ][ăa]\s+planificat[ăa]`), "scheduled maintenance"},
	{mustGated(`(?i)\bnyhedsbrev\b|\buutiskirje\b|\bhírlevél\b|\bbuletin\s+informativ\b`), "newsletter"},
	{mustGated(`(?i)\bspørreundersøkelse\b|\bspørgeskema\b|\bkyselyyn?\b|\bkérdőív\b|\bsondaj\b`), "survey"},
}

// foreignStatusRE finds the Swedish, Czech and Turkish words of a status
// update: the incident ("Störning", "výpadek", "kesinti") and where it
// stands ("vi undersöker", "prošetřujeme", "çözüldü").
var foreignStatusRE = mustGated(`(?i)\b(?:drift)?störning\b|\bvýpadek\b|\bporucha\b|\bkesinti(?:si)?\b|\barıza\b|` +
	`\bvi\s+undersöker\b|\bprošetřujeme\b|\binceliyoruz\b|çözüldü|åtgärdat\b|\bvyřešeno\b|` +
	// French, German, Italian, Spanish, Portuguese and Dutch status pages:
	// "Incident en cours", "Investigation en cours", "Störung", "Ursache
	// identifiziert", "in analisi", "resuelto", "em investigação",
	// "storing", "opgelost".
	`\bincident\s+en\s+cours\b|\b(?:investigation|enquête)\s+en\s+cours\b|\bcause\s+identifiée|\brésolu\b|` +
	`\bstörung\b|\bursache\s+identifiziert\b|\bwir\s+untersuchen\b|\bbehoben\b|` +
	`\bin\s+analisi\b|\bcausa\s+individuata\b|\brisolto\b|\bdisservizio\b|` +
	`\ben\s+investigación\b|\binvestigando\b|\bresuelto\b|\bincidencia\b|` +
	`\bem\s+investigação|\ba\s+investigar\b|\bresolvido\b|` +
	`\bstoring\b|\bin\s+onderzoek\b|\bopgelost\b|` +
	// Latvian, Lithuanian, Estonian and Finnish status pages:
	// "Izmeklējam", "Tiriame", "Uurime", "Tutkimme", and what is
	// resolved.
	`\bizmeklējam\b|\btiriame\b|\buurime\b|\btutkimme\b|\bselvitämme\b|\batrisināts\b|\bišspręsta\b|\blahendatud\b|\bratkaistu\b`)

// foreignStatusWords are those words in English.
var foreignStatusWords = map[string]string{"störning": "incident", "driftstörning": "incident", "výpadek": "incident",
	"porucha": "incident", "kesinti": "incident", "kesintisi": "incident", "arıza": "incident",
	"vi undersöker": "investigating", "prošetřujeme": "investigating", "inceliyoruz": "investigating",
	"çözüldü": "resolved", "åtgärdat": "resolved", "vyřešeno": "resolved",
	"incident en cours": "incident", "investigation en cours": "investigating", "enquête en cours": "investigating",
	"cause identifiée": "identified", "résolu": "resolved", "störung": "incident", "ursache identifiziert": "identified",
	"wir untersuchen": "investigating", "behoben": "resolved", "in analisi": "investigating", "causa individuata": "identified",
	"risolto": "resolved", "disservizio": "incident", "en investigación": "investigating", "investigando": "investigating",
	"resuelto": "resolved", "incidencia": "incident", "em investigação": "investigating", "a investigar": "investigating",
	"resolvido": "resolved", "storing": "incident", "in onderzoek": "investigating", "opgelost": "resolved",
	"izmeklējam": "investigating", "tiriame": "investigating", "uurime": "investigating", "tutkimme": "investigating",
	"selvitämme": "investigating", "atrisināts": "resolved", "išspręsta": "resolved", "lahendatud": "resolved", "ratkaistu": "resolved"}

// inEnglishStatus is text with those words written in English.
func inEnglishStatus(text string) string {
	if !foreignStatusRE.mayMatch(text) {
		return text
	}
	return foreignStatusRE.ReplaceAllStringFunc(text, func(m string) string {
		if w, ok := foreignStatusWords[strings.Join(strings.Fields(strings.ToLower(m)), " ")]; ok {
			return w
		}
		return m
	})
}

// lossRE finds what the reader loses when it does not act, said of its
// account: "accounts that have not accepted them will have payment
// processing suspended", "will have its API access revoked".
var lossRE = mustGated(`(?i)\bwill have\s+(?:(?:its|their|your)\s+)?(?:[\p{L}-]+\s+){0,3}?(?:suspended|disabled|revoked|blocked|paused|terminated|cut\s+off)\b`)

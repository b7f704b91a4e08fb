package triage

import "strings"

// A rule is written in the registry's language, English, while vendors
// write in theirs: "Avisora changes to sender IDs … are high" applies to
// "todos os remetentes alfanuméricos têm de estar inscritos". The words
// of other languages for what rules are about count as their English
// words when rules are matched.

// ruleGlossary maps the other languages' words for a change's subject to
// the English words a rule uses for it.
var ruleGlossary = []struct {
	re      gatedRE
	english string
}{
	// Sender IDs of SMS and mail: Portuguese, Spanish, Italian, French,
	// German, the Nordic languages, Polish and Czech.
	{mustGated(`(?i)\b(?:remetente|remitente|mittent[ei]|expéditeur|absender(?:kennung|name)?|afsender|avsändar|avsender|nadawc|odesílatel)\p{L}*`), "sender ID"},
	{mustGated(`(?i)\b(?:certificad|certificat|zertifikat|certifikat|certyfikat|certifikát|certificaat)\p{L}*`), "certificate"},
	{mustGated(`(?i)\b(?:chaves?|claves?|chiav[ei]|clés?|schlüssel|nøgle|nøkkel|nøkler|nyckel|nycklar|sleutels?|klucz\p{L}*|klíč\p{L}*)(?:\P{L}|$)`), "key"},
	{mustGated(`(?i)\b(?:incidente|störung|storing|störning|awaria|awarii|výpadek|hændelse|driftsforstyrrelse|interruzione|interrupción|interrupção)\p{L}*`), "incident"},
	{mustGated(`(?i)\b(?:manutenção|mantenimiento|manutenzione|wartung|onderhoud|underhåll|vedligehold\p{L}*|konserwacj\p{L}*|údržb\p{L}*)`), "maintenance"},
}

// withEnglishTerms is text followed by the English words of ruleGlossary
// for the other languages' words it holds.
func withEnglishTerms(text string) string {
	gt := newGateText(strings.ToLower(text))
	var add []string
	for _, g := range ruleGlossary {
		// One gate check: MatchString would check it again.
		if g.re.mayMatchText(gt) && g.re.Regexp.MatchString(text) {
			add = append(add, g.english)
		}
	}
	if len(add) == 0 {
		return text
	}
	return text + "\n" + strings.Join(add, ". ")
}

package triage

import (
	"regexp"
	"slices"
	"strings"

	"github.com/vendorsync/vendorsync/internal/registry"
)

// unaffectedRE finds a sentence that says what the change leaves alone:
// "Not affected: the GraphQL Storefront API", "Out of scope for this
// change: …", "Personal tokens keep
// working; no new credentials are needed", "Integrations built with our
// apps don't need any change", and, after an incident, "SAML signing keys
// were not accessed". What it names is not what the email is about.
var unaffectedRE = anyGated{
	mustGated(`(?i)\b(?:(?:is|are|be|remains?|stays?)\s+(?:not|un)(?:\s+(?:be|being))?\s*(?:affected|impacted|changed)|(?:was|were|(?:has|have)\s+been)\s+not\s+(?:accessed|exposed|compromised|involved)|not\s+affected|out\s+of\s+scope|outside\s+(?:the\s+)?scope|(?:has|have|had)\s+not\s+been\s+(?:affected|impacted)|unaffected|not\s+impacted|keeps?\s+working|continues?\s+to\s+work|no\s+(?:new\s+|further\s+)?(?:credentials|keys|changes?|action)\s+(?:are|is)\s+(?:needed|required)|(?:do|does|don't|doesn't)\s+(?:not\s+)?need\s+(?:any|to\s+change|to\s+do)|need\s+no\s+change|` +
		// "The Payments API is working normally".
		`(?:is|are)\s+(?:working|operating|running|functioning)\s+(?:normally|as\s+(?:usual|expected))|` +
		// A status page's field of what is spared: "Operating normally:
		// Rentaxis Reservations, the Reservations API".
		`(?m:^\s*(?:operating|working|functioning|running)\s+(?:normally|as\s+(?:usual|expected))\s*:)|` +
		// "OpenID Connect apps … are not touched by this change".
		`(?:is|are|remains?|stay|stays)\s+(?:not\s+touched|untouched|not\s+concerned))`),
	// The same in German, French, Spanish, Portuguese, Italian, Dutch, the
	// Nordic languages and Polish, apart: English mail is not searched
	// for them.
	mustGated(`(?i)\b(?:nicht\s+betroffen|funktionier(?:t|en)\s+(?:weiterhin\s+)?(?:normal|wie\s+gewohnt)|` +
		`(?:n['’]est|ne\s+sont)\s+pas\s+(?:concerné|affecté|impacté)e?s?|fonctionnent?\s+normalement|` +
		`no\s+(?:se\s+ven?|est[áa]n?)\s+afectad[oa]s?|funcionan?\s+(?:con\s+normalidad|normalmente)|n[ãa]o\s+(?:é|são|foi|foram)\s+afetad[oa]s?|` +
		`non\s+(?:è|sono)\s+(?:interessat|coinvolt)[oaie]|funzionan?o?\s+regolarmente|niet\s+(?:getroffen|geraakt)|werk(?:t|en)\s+normaal|` +
		`(?:er|är)\s+ikke\s+(?:berørt|påvirket)|påverkas\s+inte|(?:virker|fungerer|fungerar)\s+(?:som\s+normalt|normalt)|` +
		// What does not change: "La Payments API e i terminali Smart POS non
		// cambiano", "ne sont pas modifiés", "restent inchangés", "no cambian", "não mudam", "ändern
		// sich nicht", "bleiben unverändert", "veranderen niet", "ändras inte",
		// "ændres ikke", "endres ikke".
		`non\s+cambia(?:no)?\b|(?:restano|rimangono)\s+invariat[ie]|ne\s+(?:sont|est)\s+pas\s+modifi[ée]e?s?|rest(?:e|ent)\s+inchang[ée]e?s?|\bno\s+cambia(?:n)?\b|n[ãa]o\s+muda(?:m)?\b|` +
		`(?:ändert|ändern)\s+sich\s+nicht|bleib(?:t|en)\s+unverändert|(?:verandert|veranderen)\s+niet|blijf(?:t|en)\s+ongewijzigd|ändras\s+inte|ændres\s+ikke|endres\s+ikke|` +
		// Estonian "ei muutu", "töötab tavapäraselt"; Latvian "netiek
		// ietekmēts", "darbojas normāli"; Lithuanian "nepaveikta", "veikia
		// kaip anksčiau"; Finnish "eivät muutu", "toimii normaalisti".
		`ei(?:vät)?\s+muutu\b|(?:ei\s+ole|pole)\s+(?:\p{L}+\s+)?mõjutatud|jää(?:b|vad)\s+samaks|tööta(?:b|vad)\s+(?:tavapäraselt|normaalselt)|` +
		`(?:netiek|nav)\s+ietekmēt\p{L}*|darbojas\s+normāli|nemainās|nepaveikt\p{L}*|veikia\s+(?:įprastai|normaliai|kaip\s+anksčiau)|nesikeičia|` +
		`toimi(?:i|vat)\s+normaalisti|ei\s+vaikuta\b|` +
		// Polish "Nie trzeba zmieniać klientów Connect API", "działają
		// normalnie", "nie wymagają zmian".
		`nie\s+trzeba\s+(?:nic\s+)?zmieniać|nie\s+wymaga(?:ją)?\s+(?:żadnych\s+)?zmian|działa(?:ją)?\s+normalnie|nie\s+(?:jest|są)\s+(?:objęt|dotknięt)\p{L}*)`),
}

// sentenceEndRE ends a sentence of an email: a full stop, question or
// exclamation mark before a space, a blank line, or a list item.
var sentenceEndRE = regexp.MustCompile(`[.!?;](?:\s+|$)|\n\s*\n|\n\s*(?:[-*•]|\d+[.)])\s`)

// withoutUnaffected is text without the sentences that say what the change
// leaves alone.
func withoutUnaffected(text string) string { return withoutSentences(text, unaffectedRE) }

// sentenceMatcher says whether a sentence is one a pattern finds.
type sentenceMatcher interface{ MatchString(string) bool }

// anyGated matches where any of its patterns does: one pattern for each
// group of languages, so that mail in one is not searched with the words
// of all the others.
type anyGated []gatedRE

func (a anyGated) MatchString(s string) bool {
	for _, g := range a {
		if g.MatchString(s) {
			return true
		}
	}
	return false
}

// withoutSentences is text without the sentences re matches, and without
// the items of a list such a sentence heads ("Not affected:" and the
// items under it).
func withoutSentences(text string, re sentenceMatcher) string {
	if !re.MatchString(text) {
		return text
	}
	var b strings.Builder
	eachSentence(text, re, func(s string, matched bool) {
		if matched {
			b.WriteString(" ")
		} else {
			b.WriteString(s)
		}
	})
	return b.String()
}

// eachSentence calls f with each sentence of text in order, and whether
// re matches it or it is an item of a list whose heading re matched (a
// sentence that ends with a colon), up to the blank line after the list.
func eachSentence(text string, re sentenceMatcher, f func(s string, matched bool)) {
	start, list := 0, false
	ends := append(sentenceEndRE.FindAllStringIndex(text, -1), []int{len(text), len(text)})
	for i, m := range ends {
		if i == len(ends)-1 && start >= len(text) {
			break
		}
		s := text[start:m[1]]
		item := list && (listMarkEndRE.MatchString(text[:start]) || listMarkStartRE.MatchString(s))
		matched := re.MatchString(s) || item
		f(s, matched)
		sep := text[m[0]:m[1]]
		list = matched && (item || listHeading(s)) && strings.Count(sep, "\n") < 2
		start = m[1]
	}
}

var (
	// listMarkEndRE and listMarkStartRE find the mark of a list item
	// ("- ", "• ", "2. ") at the end of the text before a sentence or at
	// its start.
	listMarkEndRE   = regexp.MustCompile(`\n\s*(?:[-*•]|\d+[.)])\s$`)
	listMarkStartRE = regexp.MustCompile(`^\s*(?:[-*•]|\d+[.)])\s`)
)

// listHeading reports whether a sentence heads a list of what it says: it
// ends with a colon, before the mark of the first item, and turns to
// nothing else ("… is not affected, but the following must change:"
// heads what is).
func listHeading(s string) bool {
	s = strings.TrimSpace(s)
	if m := listMarkEndRE.FindStringIndex("\n" + s + " "); m != nil {
		s = strings.TrimSpace(s[:max(0, m[0]-1)])
	}
	return strings.HasSuffix(s, ":") && !turnRE.MatchString(s)
}

// turnRE finds a sentence that turns from what it first says: "but",
// "however", what must or needs to be done.
var turnRE = regexp.MustCompile(`(?i)\b(?:but|however|whereas|while|except|must|needs?|required|affected\s+are)\b[^:]*:$`)

// signInUnaffected reports whether text says that signing in is not
// affected ("Sign-in for your users has not been affected"): a change
// at the identity provider then reaches what holds its credentials, not
// every application that signs in through it.
func signInUnaffected(text string) bool {
	if !unaffectedRE.MatchString(text) {
		return false
	}
	// A status page's "Not affected" heading starts a sentence of its own:
	// the affected component above it ("sign-in with push approval") is
	// not what it says is spared.
	text = statusApart(text)
	start := 0
	for _, m := range append(sentenceEndRE.FindAllStringIndex(text, -1), []int{len(text), len(text)}) {
		if s := text[start:m[1]]; unaffectedRE.MatchString(s) && userSignInRE.MatchString(s) {
			return true
		}
		start = m[1]
	}
	return false
}

// statusHeadingRE finds a heading of a status page or advisory alone on
// its line: "Not affected", "Affected components".
var statusHeadingRE = regexp.MustCompile(`(?im)^[ \t]*(?:not\s+affected|affected(?:\s+(?:components?|products?|services?|regions?|systems?))?)[ \t]*:?[ \t]*$`)

// statusFieldRE finds such a heading as a field, with its value on its
// line: "Affected: Nimbarra CDN - Stockholm (ARN)", and in a bilingual
// update "Non touchés / Not affected: Avisalto Mail".
var statusFieldRE = regexp.MustCompile(`(?i)^[ \t]*(?:[\p{L} ]{2,20}/[ \t]*)?(?:not\s+)?affected(?:\s+(?:components?|products?|services?|regions?|systems?))?[ \t]*:[ \t]*\S[^\n]*$`)

// statusApart is text with each status heading and field starting a
// sentence of its own (fieldsApart).
func statusApart(text string) string {
	return fieldsApart(statusHeadingRE.ReplaceAllString(text, "\n\n$0"))
}

// withoutSpared is text without what it says is not affected: its
// sentences (withoutUnaffected), the items under a "Not affected"
// heading alone on its line, up to the blank line after them, and the
// components a status page lists as operational.
func withoutSpared(text string) string {
	lines := strings.Split(fieldsApart(text), "\n")
	out := lines[:0]
	spared := false
	for _, l := range lines {
		t := strings.TrimSpace(l)
		switch {
		case notAffectedLineRE.MatchString(t):
			spared = true
			continue
		case componentOperationalRE.MatchString(t):
			// "Launchpad OpenID Connect sign-in ...... Operational": a
			// component of a status page that works.
			continue
		case t == "":
			spared = false
		case spared:
			continue
		}
		out = append(out, l)
	}
	return withoutUnaffected(strings.Join(out, "\n"))
}

// componentOperationalRE is a status page's line for a component that
// works: "Tessavo Verify ........ Operational", "Admin console: Operational".
var componentOperationalRE = regexp.MustCompile(`(?i)^\S.{1,80}?(?:\s*\.{2,}\s*|\s*:\s*|\s{2,})(?:operational|no\s+issues)$`)

// notAffectedLineRE is a status page's heading of what is spared, alone
// on its line: "Not affected", "Not affected:".
var notAffectedLineRE = regexp.MustCompile(`(?i)^(?:not\s+affected|unaffected)(?:\s+(?:components?|products?|services?|regions?))?\s*:?$`)

// fieldsApart is text with each status field a sentence of its own: an
// "Affected: Nimbarra CDN" line is not part of the "working normally"
// sentence after it.
// A line that starts with "affected:" after one that does not end a
// sentence ("… are not\naffected: API requests are processed normally")
// is the sentence going on, not a field.
func fieldsApart(text string) string {
	if !strings.Contains(strings.ToLower(text), "affected") {
		return text
	}
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		if !statusFieldRE.MatchString(l) {
			continue
		}
		prev := ""
		if i > 0 {
			prev = strings.TrimSpace(lines[i-1])
		}
		if prev == "" || strings.ContainsAny(prev[len(prev)-1:], ".!?:)") || fieldLineRE.MatchString(prev) {
			next := ""
			if i+1 < len(lines) {
				next = strings.TrimSpace(lines[i+1])
			}
			if t := strings.TrimSpace(l); next != "" && !strings.ContainsAny(t[len(t)-1:], ".!?:)") && !fieldLineRE.MatchString(next) && !statusFieldRE.MatchString(lines[i+1]) {
				// "Not affected: Smart POS terminals (card-present
				// payments and deposit" goes on to the next line, as
				// does "… Paylisse\nTerminals and webhook delivery.":
				// a line that ends no sentence, before one that is no
				// field of its own.
				lines[i] = "\n" + l
				continue
			}
			if end := strings.Index(l, ". "); end >= 0 {
				// "Affected: Entravia Gate (EU). Entravia Tickets and
				// Entravia Pass sales" goes on to the next line: only
				// the field is apart.
				lines[i] = "\n" + l[:end+1] + "\n\n" + l[end+2:]
				continue
			}
			lines[i] = "\n" + l + "\n"
		}
	}
	return strings.Join(lines, "\n")
}

// fieldLineRE is a line of a status page's fields: "Status: Investigating".
var fieldLineRE = regexp.MustCompile(`^[\p{L} ]{2,30}:\s*\S`)

// signsInWith reports whether every sentence of an application's
// description that names the vendor is about signing in: the application
// uses the vendor for nothing else.
func signsInWith(desc string, v registry.Vendor) bool {
	named := false
	for _, s := range sentences(desc) {
		if namesVendor(strings.ToLower(s), v) {
			if !userSignInRE.MatchString(s) {
				return false
			}
			named = true
		}
	}
	return named
}

// unaffectedText is the lower-case text of the sentences that say what
// the change leaves alone, with the items of a list they head.
func unaffectedText(text string) string { return strings.ToLower(unaffectedCased(text)) }

// unaffectedCased is unaffectedText in the email's own case.
func unaffectedCased(text string) string {
	if !unaffectedRE.MatchString(text) {
		return ""
	}
	text = fieldsApart(text)
	var b strings.Builder
	eachSentence(text, unaffectedRE, func(s string, matched bool) {
		if matched {
			b.WriteString(strings.Join(strings.Fields(s), " "))
			b.WriteByte('\n')
		}
	})
	return b.String()
}

// usesOnlyUnaffected reports whether every one of the vendor's products
// an application's description names is one the email says is not
// affected ("CCC ONE Estimating mobile is not affected"). A product is the
// vendor's name or alias with the capitalised words after it; a bare
// name tells nothing.
//
// cased is the unaffected text in the email's case: a product the
// registry names with one word after the vendor's name ("Debitra
// Checkout") is spared when that word is written as the registry writes
// it ("Not affected: Checkout, Payouts"), not as a common word
// ("checkout and online payments").
func usesOnlyUnaffected(desc string, ids []appIdentifier, v registry.Vendor, unaffected, cased, affected string) bool {
	if unaffected == "" {
		return false
	}
	if hostsUnaffected(ids, v, unaffected) {
		return true
	}
	products := namedProducts(desc, v)
	if len(products) == 0 || usesAffectedPart(desc, v, unaffected, affected) {
		return false
	}
	bare := len(bareMentions(desc, v)) > 0
	for _, p := range products {
		if !productUnaffected(unaffected, affected, p, v) && (bare || !namesProductAlone(unaffected, p, v)) && !aliasWordSpared(cased, p, v) {
			return false
		}
	}
	return len(products) > 0
}

// productUnaffected reports whether lower-case unaffected text names a
// product, or the product it is part of: "Entravia Pass sales are
// working normally" leaves the "Entravia Pass API" alone too, unless the
// email (lower-case text) names the API itself ("the Corvanta Core API v1
// is retired … Corvanta Core itself is not affected"). The vendor's name
// alone (or a part of it) is no product.
func productUnaffected(unaffected, text, product string, v registry.Vendor) bool {
	if indexWord(unaffected, product) >= 0 {
		return true
	}
	if indexWord(text, product) >= 0 {
		return false
	}
	words := strings.Fields(product)
	name := strings.ToLower(v.Name)
	for k := len(words) - 1; k >= 2; k-- {
		part := strings.Join(words[:k], " ")
		if strings.HasPrefix(name, part) {
			break
		}
		if indexWord(unaffected, part) >= 0 {
			return true
		}
	}
	return false
}

// namesProductAlone reports whether lower-case text names a product
// without the vendor's name before it ("the Filing API" for "Acme Filing
// API"): two words at least, not all generic, so that a product is told
// from a common word.
func namesProductAlone(text, product string, v registry.Vendor) bool {
	for _, n := range vendorNames(v) {
		rest, ok := strings.CutPrefix(product, strings.ToLower(n)+" ")
		if !ok {
			continue
		}
		words := strings.Fields(rest)
		if len(words) >= 2 && slices.ContainsFunc(words, func(w string) bool { return !genericProductWords[w] }) &&
			indexWord(text, rest) >= 0 {
			return true
		}
	}
	return false
}

// aliasWordSpared reports whether product is an alias of the vendor's of
// one word after its name that cased text writes as the alias does, and
// not at the start of a sentence.
func aliasWordSpared(cased, product string, v registry.Vendor) bool {
	for _, a := range v.Aliases {
		if !strings.EqualFold(a, product) {
			continue
		}
		rest, ok := strings.CutPrefix(a, v.Name+" ")
		if !ok || strings.Contains(rest, " ") || genericProductWords[strings.ToLower(rest)] || strings.ToUpper(rest) == rest {
			continue // several words, a common one, or an acronym ("SMS")
		}
		for _, line := range strings.Split(cased, "\n") {
			// Not where a sentence starts, where any word is capitalised.
			if i := indexWord(line, rest); i > 0 {
				return true
			}
		}
	}
	return false
}

// hostsUnaffected reports whether the description gives hosts of the
// vendor's for its use of it (a tenant such as "acme-customers.idp.com")
// and the email says every one of them is not affected.
func hostsUnaffected(ids []appIdentifier, v registry.Vendor, unaffected string) bool {
	n := 0
	for _, a := range ids {
		if !a.host || !vendorHost(a.id, v) {
			continue
		}
		if indexWord(unaffected, a.id) < 0 {
			return false
		}
		n++
	}
	return n > 0
}

// productsUsed are the vendor's products an application's description
// names ("Loyalis Member API") that lower-case email text names too, with
// or without the vendor's name ("the Member API"): two words at least, so
// that a product is told from a common word.
func productsUsed(desc string, v registry.Vendor, email string) []string {
	var out []string
	names := vendorNames(v)
	for _, p := range namedProducts(desc, v) {
		if strings.HasPrefix(strings.ToLower(v.Name), p) {
			// The vendor's own name ("Acme Risk Solutions"); an alias
			// that names a product ("Acme Confirm ID") is a product.
			continue
		}
		for _, n := range names {
			if rest, ok := strings.CutPrefix(p, strings.ToLower(n)+" "); ok {
				p = rest
				break
			}
		}
		words := strings.Fields(p)
		if len(words) >= 2 && !slices.ContainsFunc(words, func(w string) bool { return !genericProductWords[w] }) {
			continue // "Cloud API": any of the vendor's products
		}
		if len(words) >= 2 && indexWord(email, p) >= 0 && !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	return out
}

// genericProductWords name no product of their own: a product named with
// these alone ("Cloud API") could be any of the vendor's.
var genericProductWords = map[string]bool{"api": true, "apis": true, "cloud": true, "platform": true, "service": true,
	"services": true, "portal": true, "console": true, "app": true, "apps": true, "online": true, "suite": true}

// productWordsRE is the capitalised words after a vendor's name that
// name one of its products.
var productWordsRE = regexp.MustCompile(`^(?:[ \t]+\p{Lu}[\w-]*){1,3}`)

// callsWithCredentials reports whether a clause of an application's
// description that names the vendor says it calls the vendor's API or
// holds its credentials. A clause, not the whole sentence: in "it loads
// the vendor's files every night, and statistics from another API with an
// OAuth client", the credentials are the other API's.
func callsWithCredentials(desc string, v registry.Vendor) bool {
	for _, s := range sentences(desc) {
		for _, c := range clauseSepRE.Split(s, -1) {
			if credentialUseRE.MatchString(c) && namesVendor(strings.ToLower(c), v) {
				return true
			}
		}
	}
	return false
}

// clauseSepRE sets the clauses of a sentence apart: a semicolon, or a
// comma before "and", "while" or "but".
var clauseSepRE = regexp.MustCompile(`;\s+|,\s+(?:and|while|but|whereas)\s+`)

// credentialUseRE finds the words of calling an API with credentials.
var credentialUseRE = regexp.MustCompile(`(?i)\b(?:api|apis|tokens?|keys?|credentials?|secrets?|oauth|client certificates?)\b`)

// usesSeparateTenant reports whether a sentence of an application's
// description that names the vendor says it uses a tenant, account or
// instance of its own ("a separate agent tenant").
func usesSeparateTenant(desc string, v registry.Vendor) bool {
	for _, s := range sentences(desc) {
		if separateTenantRE.MatchString(s) && namesVendor(strings.ToLower(s), v) {
			return true
		}
	}
	return false
}

// otherTenant reports whether the description gives host names of the
// vendor's for the application's own tenant ("acme-staff.idp.example")
// and the email names none of them: mail about one tenant is not about
// another.
func (t appText) otherTenant(v registry.Vendor, email map[string]bool) bool {
	n := 0
	for _, a := range t.ids {
		if a.host && vendorHost(a.id, v) {
			if email[a.id] {
				return false
			}
			n++
		}
	}
	return n > 0
}

// goesThroughApp reports whether access targets name another application
// of the registry than the one with id self.
func goesThroughApp(targets []string, apps []registry.Application, self string) bool {
	for _, a := range apps {
		if a.ID != self && a.IsActive && goesThrough(targets, a.Name) {
			return true
		}
	}
	return false
}

// separateTenantRE finds a tenant, account or instance apart from the
// organisation's main one.
var separateTenantRE = regexp.MustCompile(`(?i)\b(?:separate|another|different|second|dedicated)\s+(?:[\w-]+\s+)?(?:tenant|account|instance|org|organi[sz]ation|subscription)\b`)

// userSignInRE finds words about users signing in (not a protocol:
// "OIDC applications are not affected" leaves the SAML ones).
var userSignInRE = regexp.MustCompile(`(?i)\b(?:sign[- ]?ins?|log[- ]?ins?|sign-on|single sign-on)\b`)

// affectedPart is the email as routing to applications reads it: without
// the sentences that say what is not affected.
func affectedPart(e Email) Email {
	e.Body = withoutSpared(e.Body)
	return e
}

// identifierRE finds what identifies one integration rather than the
// vendor's product as a whole: a version ("API 0.9", "Orders API v2",
// "revision 2024-02-15", "OnBase 23.1") and a host name with a sub-domain
// ("news.example.com").
var identifierRE = regexp.MustCompile(`(?i)\b(?:v\d+(?:\.\d+)*|\d+\.\d+(?:\.\d+)?|\d{4}-\d{2}-\d{2})\b|\b(?:[a-z0-9-]+\.){2,}[a-z]{2,}\b`)

// identifiersOf are the identifiers in lower-case text, with "v" dropped
// from versions ("v2" and "2" differ, "v2.1" and "2.1" do not).
func identifiersOf(lower string) map[string]bool {
	out := map[string]bool{}
	for _, id := range identifierRE.FindAllString(lower, -1) {
		out[id] = true
	}
	return out
}

// appIdentifier is an identifier in an application's description and the
// sentence it is in (lower case).
type appIdentifier struct {
	id, sentence string
	host         bool
}

// identifiersIn are the identifiers of a description, read once per
// registry.
func identifiersIn(desc string) []appIdentifier {
	var out []appIdentifier
	for _, part := range splitSentences(desc) {
		lower := strings.ToLower(part)
		for _, id := range identifierRE.FindAllString(lower, -1) {
			out = append(out, appIdentifier{id: id, sentence: lower, host: strings.Count(id, ".") >= 2 && !isVersion(id)})
		}
	}
	return out
}

// sharedIdentifiers are the identifiers an application's description
// gives for its use of the vendor (in a sentence that names it, or a host
// name of its own) that the email names too.
func (t appText) sharedIdentifiers(v registry.Vendor, email map[string]bool) []string {
	var out []string
	for _, a := range t.ids {
		if !email[a.id] || slices.Contains(out, a.id) {
			continue
		}
		if a.host && !vendorHost(a.id, v) || !a.host && namesVendor(a.sentence, v) {
			out = append(out, a.id)
		}
	}
	return out
}

// namesHostOf reports whether the description gives a host name the
// email names (a tenant such as "acme.okta.com", the vendor's or not).
func (t appText) namesHostOf(email map[string]bool) bool {
	for _, a := range t.ids {
		if a.host && email[a.id] {
			return true
		}
	}
	return false
}

// identifiesUse reports whether the description gives a version for its
// use of the vendor, or a host name of its own.
func (t appText) identifiesUse(v registry.Vendor) bool {
	for _, a := range t.ids {
		if a.host && !vendorHost(a.id, v) || !a.host && namesVendor(a.sentence, v) {
			return true
		}
	}
	return false
}

func isVersion(id string) bool {
	return strings.Trim(id, "v0123456789.-") == ""
}

// vendorHost reports whether a host name is the vendor's own (one of its
// email domains or under one): it names the vendor, not the integration.
func vendorHost(host string, v registry.Vendor) bool {
	for _, d := range v.EmailDomains {
		d = strings.ToLower(d)
		if host == d || strings.HasSuffix(host, "."+d) {
			return true
		}
	}
	return false
}

// sameTenantRE finds an application's use of another one's tenant at
// the vendor: "the same reader tenant as CourierWeb". The group is the
// other application's name and what follows it.
var sameTenantRE = regexp.MustCompile(`(?i)\bthe\s+same\s+(?:[\w-]+\s+){0,2}?(?:tenant|account|instance|organi[sz]ation)\s+as\s+(\S` + targetText + `)`)

// sharesUnaffectedTenant reports whether the description says the
// application uses the same tenant as another application whose hosts at
// the vendor the email all says are not affected.
func sharesUnaffectedTenant(desc string, v registry.Vendor, unaffected string, ix *appIndex) bool {
	if unaffected == "" {
		return false
	}
	for _, m := range sameTenantRE.FindAllStringSubmatch(desc, -1) {
		for i, a := range ix.apps {
			if a.IsActive && a.Description != desc && goesThrough([]string{strings.ToLower(m[1])}, a.Name) &&
				hostsUnaffected(ix.text[i].ids, v, unaffected) {
				return true
			}
		}
	}
	return false
}

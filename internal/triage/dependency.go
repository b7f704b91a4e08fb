package triage

import (
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/vendorsync/vendorsync/internal/registry"
)

// minIntegrationTerms is how many distinctive terms the sentences of a
// description that name the vendor must share with the email.
const minIntegrationTerms = 2

// integrationTerms are the distinctive terms an email shares with the
// sentences of an application's description that name the vendor. An
// application linked to other vendors that says how it uses this one
// token") is affected when the email is about that use; words the email
// shares with the rest of its description do not count, nor do words of
// the descriptions of the applications linked to the vendor (product:
// they name the vendor's product, not this application's use of it).
func integrationTerms(a registry.Application, v registry.Vendor, query map[string]float64, df registryDF, skip, product map[string]bool) []string {
	var shared []string
	seen := map[string]bool{}
	for _, s := range sentences(a.Description) {
		if !namesVendor(strings.ToLower(s), v) {
			continue
		}
		for _, t := range describedTerms(s) {
			if skip[t.stem] || product[t.stem] || seen[t.stem] || query[t.stem] == 0 || !df.distinctive(t.stem) {
				continue
			}
			seen[t.stem] = true
			shared = append(shared, t.word)
		}
	}
	return shared
}

// clausesShareTerms reports whether the clauses of an application's
// description that name the vendor share minIntegrationTerms distinctive
// terms with the email: an application that mentions the vendor in
// passing ("it loads the vendor's files every night, and statistics from
// another API with an OAuth client") shares words with a notice about the
// vendor's OAuth clients through the other API's clause only.
func clausesShareTerms(desc string, v registry.Vendor, query map[string]float64, df registryDF, skip map[string]bool) bool {
	shared := map[string]bool{}
	for _, s := range sentences(desc) {
		for _, c := range clauseSepRE.Split(s, -1) {
			if !namesVendor(strings.ToLower(c), v) {
				continue
			}
			for _, t := range describedTerms(c) {
				if !skip[t.stem] && query[t.stem] > 0 && df.distinctive(t.stem) {
					shared[t.stem] = true
				}
			}
		}
	}
	return len(shared) >= minIntegrationTerms
}

// partnersNamed are the other vendors of the registry that the email
// names, as they are written (a vendor's name is a proper noun: "Epic" is
// one, "an epic sale" is not), each as the names it goes by.
func partnersNamed(text string, v registry.Vendor, snap registry.Snapshot) map[string][]string {
	out := map[string][]string{}
	for _, o := range snap.Vendors {
		if o.ID == v.ID || !o.IsActive {
			continue
		}
		for _, n := range vendorNames(o) {
			if !strings.Contains(n, ".") && indexWord(text, n) >= 0 {
				out[o.Name] = lowerNames(o)
				break
			}
		}
	}
	return out
}

// partnerIntegrations are the vendors among partners that a sentence of
// an application's description names together with the vendor: "tax is
// calculated by Vertex through the Vertex Lightspeed connector" uses
// Vertex's integration with Lightspeed.
func partnerIntegrations(desc string, v registry.Vendor, partners map[string][]string) []string {
	if len(partners) == 0 {
		return nil
	}
	var out []string
	for _, s := range sentences(desc) {
		lower := strings.ToLower(s)
		if !namesVendor(lower, v) {
			continue
		}
		for name, names := range partners {
			if namesAny(lower, names) && !slices.Contains(out, name) {
				out = append(out, name)
			}
		}
	}
	sort.Strings(out)
	return out
}

// productTerms are the terms of the descriptions of the applications
// linked to the vendor.
func productTerms(apps []registry.Application, v registry.Vendor) map[string]bool {
	out := map[string]bool{}
	for _, a := range apps {
		if linked(a, v.ID) {
			for s := range termSet(a.Description) {
				out[s] = true
			}
		}
	}
	return out
}

// namesVendor reports whether lower-case text names the vendor or one of
// its aliases.
func namesVendor(lower string, v registry.Vendor) bool { return namesAny(lower, lowerNames(v)) }

// lowerNames are the vendor's names (vendorNames) in lower case: read once
// for a decision, not once for each application it looks at.
func lowerNames(v registry.Vendor) []string {
	names := vendorNames(v)
	for i, n := range names {
		names[i] = strings.ToLower(n)
	}
	return names
}

// namesAny reports whether lower-case text names one of the lower-case
// names.
func namesAny(lower string, names []string) bool {
	for _, n := range names {
		if indexWord(lower, n) >= 0 {
			return true
		}
	}
	return false
}

// targetText is the rest of a name a description says something goes
// through, up to the end of its clause; a dot inside a word is part of the
// name ("Bunny.net CDN", "Checkout.com").
const targetText = `(?:[^.;:,()]|\.[^\s.;:,()]){0,60}`

// accessRE finds the words that say an application's access or delivery
// goes through what follows: "staff sign in through CampusSSO", "served
// through the EdgeProxy", "tokens from AuthService", "engineers sign in to
// the lock server console with CampusSSO" (up to five words between),
// "staff authenticate against CampusSSO", "staff get in with CampusSSO",
// "staff search the archive after signing in with CampusSSO", "the desk
// opens the Telemotiv Cloud console with StrydaleID".
// The group is the text after
// them.
var accessRE = regexp.MustCompile(`(?i)\b(?:sign(?:s|ed|ing)?[- ]?in|log(?:s|ged|ging)?[- ]?in|gets?\s+in|sign-on|authenticat\w*|served|published|delivered|fronted|tokens?|` +
	`open(?:s|ed)?(?:\s+\S+){0,4}?\s+(?:console|dashboard|portal|back[- ]?office))` +
	`(?:\s+\S+){0,5}?\s+(?:through|with|via|using|uses|from|behind|against)\s+(?:the\s+)?(\S` + targetText + `)`)

// accessTargets are the lower-case texts an application's description
// says its access goes through (each the start of a name).
func accessTargets(desc string) []string {
	var out []string
	for _, m := range accessRE.FindAllStringSubmatch(desc, -1) {
		if transferRE.MatchString(m[0]) {
			continue
		}
		out = append(out, strings.ToLower(m[1]))
	}
	return out
}

// transferRE finds data handed from one application to another: "sign-in
// events are exported from CampusSSO" is a copy of its data, not access
// through it.
var transferRE = regexp.MustCompile(`(?i)\b(?:export(?:s|ed)?|import(?:s|ed)?|cop(?:y|ies|ied)|sent|sends|arrive[sd]?|pulled|pushed|synced|uploaded|downloaded|loaded|reconcil(?:e|es|ed|ing))\b`)

// goesThrough reports whether one of the targets starts with the name,
// as a whole word.
func goesThrough(targets []string, name string) bool {
	n := strings.ToLower(name)
	for _, t := range targets {
		if strings.HasPrefix(t, n) && (len(t) == len(n) || !isWordByte(t[len(n)])) {
			return true
		}
	}
	return false
}

func isWordByte(c byte) bool {
	return c == '_' || c == '-' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 0x80
}

// reachedThrough extends an incident's reach from the applications it
// reaches to those whose access goes through one of them, until no more
// are added: an incident at the identity provider behind the single
// sign-on reaches every application that signs in through the single
// sign-on. It returns each added application with the one it goes through.
func reachedThrough(ix *appIndex, reached map[string]bool) []dependent {
	return through(ix, reached, func(t appText) []string { return t.access })
}

// paidThrough extends a change's reach to the applications whose
// payments go through one it reaches: a change to the payment gateway
// behind the payment service reaches every checkout that pays through
// that service.
func paidThrough(ix *appIndex, reached map[string]bool) []dependent {
	return through(ix, reached, func(t appText) []string { return t.payment })
}

// through adds to reached, until no more are added, the applications
// whose targets (what their description says something of theirs goes
// through) name one already reached, and returns each with the one it
// goes through.
func through(ix *appIndex, reached map[string]bool, targetsOf func(appText) []string) []dependent {
	apps := ix.apps
	targets := map[string][]string{}
	for i, a := range apps {
		if a.IsActive && !reached[a.ID] {
			if t := targetsOf(ix.text[i]); len(t) > 0 {
				targets[a.ID] = t
			}
		}
	}
	var out []dependent
	for added := len(targets) > 0; added; {
		added = false
		for _, a := range apps {
			if targets[a.ID] == nil || reached[a.ID] {
				continue
			}
			for _, b := range apps {
				if reached[b.ID] && b.ID != a.ID && goesThrough(targets[a.ID], b.Name) {
					reached[a.ID], added = true, true
					out = append(out, dependent{app: a, via: b.Name})
					break
				}
			}
		}
	}
	return out
}

// dependent is an application an incident reaches through another one.
type dependent struct {
	app registry.Application
	via string
}

// appsByID are the applications whose ids are in ids, in registry order.
func appsByID(apps []registry.Application, ids map[string]bool) []registry.Application {
	var out []registry.Application
	for _, a := range apps {
		if ids[a.ID] {
			out = append(out, a)
		}
	}
	return out
}

// paymentRE finds the words that say an application's payments go
// through what follows: "takes card payments through PayHub", "pays
// through the payment service", "fees are paid via Billing", "card
// payments at the table go through PayHub", "loan payments with a card
// from another bank go through PayHub" (up to eight words between),
// "payments taken by phone settle via PayHub", "withdrawals are
// authorised through CardHub". The group is the text after them.
var paymentRE = regexp.MustCompile(`(?i)\b(?:pay|pays|paid|payments?|charges?|charged|refunds?|refunded|settles?|settled|authori[sz]ed)` +
	`(?:\s+\S+){0,8}?\s+(?:through|via|using|by way of)\s+(?:the\s+)?(\S` + targetText + `)`)

// paymentTargets are the lower-case texts an application's description
// says its payments go through (each the start of a name).
func paymentTargets(desc string) []string {
	var out []string
	for _, m := range paymentRE.FindAllStringSubmatch(desc, -1) {
		out = append(out, strings.ToLower(m[1]))
	}
	return out
}

// exchangeRE finds the words that say an application's messages are
// exchanged through what follows: "exchanging EDI through the VAN via
// EDIGate", "orders are transmitted via MsgHub" (up to eight words
// between). The group is the text after them.
var exchangeRE = regexp.MustCompile(`(?i)\b(?:exchang(?:e|es|ed|ing)|transmit(?:s|ted|ting)?|relay(?:s|ed|ing)?)` +
	`(?:\s+\S+){0,8}?\s+(?:through|via)\s+(?:the\s+)?(\S` + targetText + `)`)

// hopRE sets apart the hops of a path: "the VAN via EDIGate" goes through
// the VAN and EDIGate.
var hopRE = regexp.MustCompile(`(?i)\s+(?:through|via)\s+(?:the\s+)?`)

// exchangeTargets are the lower-case texts an application's description
// says its messages are exchanged through, each hop of a path apart.
func exchangeTargets(desc string) []string {
	var out []string
	for _, m := range exchangeRE.FindAllStringSubmatch(desc, -1) {
		for _, hop := range hopRE.Split(m[1], -1) {
			out = append(out, strings.ToLower(hop))
		}
	}
	return out
}

// exchangeWordRE finds an email about the messages an application
// exchanges.
var exchangeWordRE = mustGated(`(?i)\b(?:exchang(?:e|es|ed|ing)|messages?|transmissions?)\b`)

// exchangedThrough extends a change's reach from the applications in ids
// to those whose messages are exchanged through one of them, when the
// email is about messages: a change to the EDI translator's connection
// reaches every application that exchanges its EDI through it. An
// application that only sends data to it ("confirmations are sent to
// EDIGate") is not reached.
func exchangedThrough(ix *appIndex, ids []string, email string) []dependent {
	if len(ids) == 0 || !exchangeWordRE.MatchString(email) {
		return nil
	}
	reached := map[string]bool{}
	for _, id := range ids {
		reached[id] = true
	}
	return through(ix, reached, func(t appText) []string { return t.exchange })
}

// paymentWordRE finds an email about payments or card authorisations.
var paymentWordRE = mustGated(`(?i)\b(?:payments?|charges?|refunds?|checkout|card payments?|authori[sz]ations?)\b`)

// vendorFeatures are the stems of the common nouns that follow the
// vendor's name or aliases in text: "Paymentus webhooks" gives webhook. A
// capitalised word after the name is one of its products ("Imprivata
// OneSign", "ArcGIS Online"), which the applications linked to the vendor
// run; a common noun is what an application that uses the vendor relies
// on.
func vendorFeatures(text string, v registry.Vendor) map[string]string {
	lower := strings.ToLower(text)
	sameBytes := len(lower) == len(text)
	out := map[string]string{}
	for _, n := range vendorNames(v) {
		n = strings.ToLower(n)
		if strings.Contains(n, ".") {
			continue // a domain
		}
		for from := 0; from < len(lower); {
			i := indexWord(lower[from:], n)
			if i < 0 {
				break
			}
			from += i + len(n)
			rest := lower[from:min(len(lower), from+40)]
			if !strings.HasPrefix(rest, " ") {
				continue // "Paymentus's", "Paymentus," or the end of a line
			}
			if sameBytes {
				after := strings.TrimLeft(text[from:], " ")
				if after == "" {
					break // the name ends the text, with spaces after it
				}
				if strings.ToLower(after[:1]) != after[:1] {
					continue // a product name
				}
			}
			if ws := terms(rest); len(ws) > 0 && ws[0].pos == 0 {
				out[ws[0].stem] = n + " " + ws[0].word
			}
		}
	}
	return out
}

// sharedFeatures are the vendor's features ("Paymentus webhooks") that
// both the email and an application's description name: the application
// uses what the email is about. Vendor names are no feature.
func sharedFeatures(desc string, v registry.Vendor, email map[string]string, skip map[string]bool) []string {
	if len(email) == 0 {
		return nil
	}
	var out []string
	for stem := range vendorFeatures(desc, v) {
		if f, ok := email[stem]; ok && !skip[stem] {
			out = append(out, f)
		}
	}
	sort.Strings(out)
	return out
}

// payWithRE finds the words that say an application pays with or through
// what follows, up to eight words apart ("advertisers pay at the end of
// the booking with Quillpay Checkout"). The group is the text after them.
var payWithRE = regexp.MustCompile(`(?i)\b(?:pay|pays|paid)\b(?:\s+\S+){0,8}?\s+(?:with|through|via|using|by way of)\s+(?:the\s+)?(\S` + targetText + `)`)

// payWithTargets are the lower-case texts an application's description
// says it pays with or through (payWithRE).
func payWithTargets(desc string) []string {
	var out []string
	for _, m := range payWithRE.FindAllStringSubmatch(desc, -1) {
		out = append(out, strings.ToLower(m[1]))
	}
	return out
}

// paidWithVendor are the applications, not yet in reached, whose
// description says they pay with or through the vendor itself: a change
// to the vendor's payments reaches them, linked to it or not. An email
// that says what the change leaves alone ("Frames for Web is not
// affected") is about one part of the vendor's payments: it reaches only
// the applications that use that part, found from their descriptions.
func paidWithVendor(ix *appIndex, v registry.Vendor, reached map[string]bool, email string) []registry.Application {
	if unaffectedRE.MatchString(email) {
		return nil
	}
	var out []registry.Application
	var vnames []string
	for i, a := range ix.apps {
		if !a.IsActive || reached[a.ID] || len(ix.text[i].payWith) == 0 {
			continue
		}
		if vnames == nil {
			vnames = vendorNames(v)
		}
		for _, n := range vnames {
			if goesThrough(ix.text[i].payWith, n) {
				out = append(out, a)
				break
			}
		}
	}
	return out
}

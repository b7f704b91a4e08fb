package triage

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/vendorsync/vendorsync/internal/registry"
)

// Which applications an email affects: the offline triage's routing.

// Thresholds of application routing: an application linked to the vendor
// is affected when its score is at least minAppScore and at least
// relAppScore of the best linked application's.
const (
	minAppScore = 1.5
	relAppScore = 0.5
)

// selectApps decides the affected applications and returns the most
// relevant one. An application is affected when the email names it, a
// matched rule names it, or it is linked to the vendor and its description
// shares enough of the email's terms; when none is, every application
// linked to the vendor is, as a precaution.
func (o *offline) selectApps(ix *appIndex, df registryDF, skip map[string]bool, v registry.Vendor, rules []ruleMatch, query map[string]float64) *registry.Application {
	ranked := ix.rank(query)
	best := 0.0
	for _, r := range ranked {
		if linked(r.app, v.ID) && r.score > best {
			best = r.score
		}
	}
	var top *registry.Application
	// What the email says is not affected neither names nor reaches an
	// application.
	e := o.routing
	lower := strings.ToLower(e.Subject + "\n" + e.Body)
	ids := identifiersOf(lower)
	reach := reachSignal(e)
	if o.underWay {
		// An incident under way at the vendor reaches what uses it,
		// whatever words the update uses for what is down.
		reach.score += 2
		reach.found = append(reach.found, "an incident under way")
	}
	type candidate struct {
		app       registry.Application
		evidence  []string
		named     bool // the email names it
		wordsOnly bool // shared words are its only evidence
		// otherIdentifiers: its description gives versions or host
		// names for its use of the vendor, and the email names none.
		otherIdentifiers bool
		// runsProduct: it runs the vendor's product the subject names.
		runsProduct bool
		// ruleOnly: a matched rule naming it is its only evidence
		// besides shared words. A rule that lists the applications of
		// each of the vendor's products ("every card authorisation
		// through CardPath and every loan payment through LoanPay")
		// does not say which product the email is about: one whose
		// description names only other products of the vendor than
		// the one the subject names is not reached.
		ruleOnly bool
		// throughApp: it is reached through another application it
		// signs in or goes through, not through the vendor directly.
		throughApp bool
	}
	vnames := lowerNames(v)
	var cands []candidate
	anyNamed, anyIdentified := false, false
	reached := map[string]bool{}
	var product map[string]bool // terms of the vendor's linked applications, read once
	network := networkSignal(e)
	features := vendorFeatures(e.Subject+"\n"+e.Body, v)
	// An incident that leaves signing in alone does not reach an
	// application that only signs in with the vendor.
	signInAlone := reach.strong() && signInUnaffected(o.e.Subject+"\n"+o.e.Body)
	// A change that only names credentials or tokens (how the vendor's
	// API is called), with signing in left alone, reaches what calls the
	// API with them, not what runs on or signs in to the vendor.
	credentialsOnly := onlyCredentialNouns(reach)
	// API keys are how an API is called: a change to them reaches what
	// calls the API with them, not what signs in to the vendor.
	apiKeysNamed := slices.Contains(reach.found, `"api keys"`)
	// API keys or tokens revoked or rotated on a schedule (no incident)
	// reach what calls the API with them, not what uses the vendor
	// otherwise (its clocks, its payroll runs, its file transfers).
	apiTokensRevoked := !o.underWay && apiTokensSubjectRE.MatchString(e.Subject) && !secretExposureRE.MatchString(lower) &&
		!slices.ContainsFunc(reach.found, func(f string) bool {
			return strings.Contains(f, "incident") || strings.Contains(f, "compromis") || strings.Contains(f, "breach")
		})
	// Webhook signing secrets rotated on a schedule (no incident) are
	// what an application that receives the vendor's webhooks verifies
	// them with: the change reaches those, not what calls its API.
	webhookSecrets := !o.underWay && webhookSecretRE.MatchString(lower) && !secretExposureRE.MatchString(lower)
	// Mail about the tenant (account, host) it names does not reach an
	// application that uses a separate one.
	tenantNamed := false
	for i, a := range ix.apps {
		if (linked(a, v.ID) || namesAny(ix.text[i].lower, vnames)) && ix.text[i].namesHostOf(ids) {
			tenantNamed = true
			break
		}
	}
	subjectProducts := productsNamed(strings.ToLower(e.Subject), v, ix)
	// The vendor's products the email names that tell its applications
	// apart (some use them, others not).
	used := usedAliases(ix, v)
	emailProducts := productsNamed(lower, v, ix)
	// An incident whose subject names the credentials of one of the
	// vendor's products ("Share API keys"), in an email that says what is
	// not affected, reaches what uses that product.
	unaffectedInCase := unaffectedCased(o.e.Subject + "\n" + o.e.Body)
	unaffected := strings.ToLower(unaffectedInCase)
	var credentialProducts []string
	if unaffected != "" {
		credentialProducts = productsWithCredentials(strings.ToLower(e.Subject), subjectProducts)
	}
	partners := partnersNamed(e.Subject+"\n"+e.Body, v, o.snap)
	for _, r := range ranked {
		text := ix.text[r.at]
		isLinked := linked(r.app, v.ID)
		uses := !isLinked && namesAny(text.lower, vnames) && !onlyCopiesData(r.app.Description, vnames)
		c := candidate{app: r.app}
		if (isLinked || uses) && reach.strong() && !(uses && signInAlone && signsInWith(r.app.Description, v)) &&
			!(credentialsOnly && (signInAlone || apiKeysNamed) && !callsWithCredentials(r.app.Description, v)) &&
			!(apiTokensRevoked && !callsWithCredentials(r.app.Description, v)) &&
			!(webhookSecrets && !receivesWebhooks(text.lower, v)) &&
			!(tenantNamed && (usesSeparateTenant(r.app.Description, v) || text.otherTenant(v, ids))) &&
			!(isLinked && !text.mentions(v) && goesThroughApp(text.access, ix.apps, r.app.ID)) &&
			!(len(credentialProducts) > 0 && len(productsIn(text.lower, credentialProducts)) == 0) {
			// An incident or a credential change at the vendor reaches
			// everything that signs in with, takes tokens from or is
			// served through it, named in the email or not. An
			// application linked to the vendor that names it nowhere
			// and signs in through another application uses the vendor
			// through that one: it is reached when that one is.
			c.evidence = append(c.evidence, "an incident or credential change ("+reach.String()+") reaches every application that uses "+v.Name)
			reached[r.app.ID] = true
		}
		if (isLinked || uses) && network.strong() && text.servedThrough(v) {
			// A change to the network in front of the applications (its
			// IP ranges, the origin it connects to) reaches every one
			// whose traffic it carries.
			c.evidence = append(c.evidence, "its traffic is served through "+v.Name+", whose network changes ("+network.String()+")")
		}
		if uses {
			if f := sharedFeatures(r.app.Description, v, features, skip); len(f) > 0 {
				c.evidence = append(c.evidence, "the email is about "+strings.Join(f, ", ")+", which its description says it uses")
			}
		}
		if isLinked || uses {
			if p := productsUsed(r.app.Description, v, lower); len(p) > 0 {
				c.evidence = append(c.evidence, "the email is about "+strings.Join(p, ", ")+", which its description says it uses")
			}
		}
		if isLinked {
			if p := productsIn(text.lower, subjectProducts); len(p) > 0 {
				c.evidence = append(c.evidence, "it runs "+strings.Join(p, ", ")+", the product the subject names")
				c.runsProduct = true
			} else if p := productsInWords(r.app.Description, v, subjectProducts); len(p) > 0 {
				c.evidence = append(c.evidence, "it uses "+strings.Join(p, ", ")+", the product the subject names, in other words")
				c.runsProduct = true
			}
		}
		if isLinked && len(subjectProducts) > 0 && !c.runsProduct {
			if p := endpointsUsed(r.app.Description, v, e.Body); len(p) > 0 {
				c.evidence = append(c.evidence, "the email names the endpoints "+strings.Join(p, ", ")+", which its description says it uses")
				c.runsProduct = true
			}
		}
		if isLinked || uses {
			if p := partnerIntegrations(r.app.Description, v, partners); len(p) > 0 {
				// The email names the integration of the vendor with
				// another vendor's product ("Connector for Lightspeed
				// Retail") that its description says it uses.
				c.evidence = append(c.evidence, "the email names "+v.Name+"'s integration with "+strings.Join(p, ", ")+", which its description says it uses")
			}
		}
		if uses && len(r.app.VendorIDs) > 0 {
			if product == nil {
				product = productTerms(o.snap.Applications, v)
			}
			if shared := integrationTerms(r.app, v, query, df, skip, product); len(shared) >= minIntegrationTerms {
				c.evidence = append(c.evidence, "the email is about how it uses "+v.Name+" ("+strings.Join(shared, ", ")+")")
			}
		}
		if isLinked || uses {
			if shared := text.sharedIdentifiers(v, ids); len(shared) > 0 {
				// The email names the version or host its description
				// gives for its use of the vendor: the vendor saw it.
				c.evidence = append(c.evidence, "the email names "+strings.Join(shared, ", ")+", which its description gives")
				anyIdentified = true
			} else {
				c.otherIdentifiers = text.identifiesUse(v)
			}
		}
		if text.namedIn(lower) {
			// A name counts only for an application that depends on
			// the vendor: an email cannot pull in applications that
			// have nothing to do with its sender by naming them.
			if isLinked || uses {
				c.evidence = append(c.evidence, "named in the email")
				c.named, anyNamed = true, true
			} else {
				o.note("%s: named in the email, but it does not use %s: not added", r.app.Name, v.Name)
			}
		}
		before := len(c.evidence)
		for _, m := range rules {
			if containsApp(m.apps, r.app.ID) && (isLinked || m.rule.VendorID == v.ID) {
				c.evidence = append(c.evidence, fmt.Sprintf("named by rule %q", m.rule.Name))
			}
		}
		c.ruleOnly = before == 0 && len(c.evidence) > 0
		// Shared words count for an application linked to the vendor, or
		// one that mentions it and is linked to no vendor at all (its
		// links were never filled in). One linked to other vendors that
		// mentions this one (an integration, the product it delivers) is
		// reached by an incident, its name or a rule, not by vocabulary.
		if (isLinked || (uses && len(r.app.VendorIDs) == 0 && clausesShareTerms(r.app.Description, v, query, df, skip))) &&
			r.score >= minAppScore && r.score >= relAppScore*best {
			c.wordsOnly = len(c.evidence) == 0
			c.evidence = append(c.evidence, fmt.Sprintf("description mentions %s (score %.1f)", strings.Join(r.matched, ", "), r.score))
		}
		if len(c.evidence) == 0 {
			continue
		}
		switch {
		case isLinked:
			c.evidence = append([]string{"linked to " + v.Name}, c.evidence...)
		case uses:
			c.evidence = append([]string{"its description says it uses " + v.Name}, c.evidence...)
		}
		cands = append(cands, c)
	}
	for _, d := range signInCertReach(ix, v, lower, func(a registry.Application) bool {
		return tenantNamed && ix.textOf(a.ID).otherTenant(v, ids)
	}) {
		// The certificates sign-ins are signed with change: every
		// application that signs in through the vendor over that
		// protocol must trust the new one.
		cands = append(cands, candidate{app: d.app, throughApp: d.via != v.Name, evidence: []string{"it signs in through " + d.via +
			", whose sign-in certificates or scopes the email says change"}})
	}
	if len(reached) > 0 && !o.underWay && !serviceWideSignal(e).strong() {
		o.note("the credentials the email is about are its API's (%s): applications that only go through %s are not reached",
			reach, names(appsByID(o.snap.Applications, reached)))
	} else if len(reached) > 0 && signInAlone {
		o.note("the email says signing in is not affected: applications that only sign in through %s are not reached",
			names(appsByID(o.snap.Applications, reached)))
	} else if len(reached) > 0 && !o.underWay && !signInTopicRE.MatchString(lower) {
		o.note("the email is about neither signing in nor an incident: applications that only sign in through %s are not reached",
			names(appsByID(o.snap.Applications, reached)))
	} else if len(reached) > 0 {
		otherLeftAlone := protocolLeftAlone(lower, strings.ToLower(o.e.Subject+"\n"+o.e.Body))
		// Only an application the vendor signs users in to, or runs on,
		// passes the change on to what signs in through it: one that
		// only reads data from the vendor's API does not.
		seeds := map[string]bool{}
		for _, a := range appsByID(o.snap.Applications, reached) {
			if signsInOrRunsOn(a.Description, v) {
				seeds[a.ID] = true
			} else {
				o.note("%s: uses %s for neither signing in nor running on it: what signs in through it is not reached", a.Name, v.Name)
			}
		}
		for _, d := range reachedThrough(ix, seeds) {
			if (signInCertRE.MatchString(lower) || otherLeftAlone) && signsInOverOther(ix.textOf(d.app.ID).lower, d.via, lower) {
				// The certificates sign-ins over one protocol are signed
				// with change (signInCertReach), or the email says what
				// it reaches of the other protocol is not affected.
				o.note("%s: signs in through %s over a protocol the email does not name: not added", d.app.Name, d.via)
				continue
			}
			cands = append(cands, candidate{app: d.app, throughApp: true, evidence: []string{"its access goes through " + d.via +
				", which the incident or credential change reaches"}})
		}
	}
	reachedApps := appsByID(o.snap.Applications, reached)
	// What the email names outside what it says is not affected, read
	// when needed.
	affectedLower := sync.OnceValue(func() string { return strings.ToLower(withoutUnaffected(e.Subject + "\n" + e.Body)) })
	for _, c := range cands {
		if !c.throughApp && (usesOnlyUnaffected(c.app.Description, ix.textOf(c.app.ID).ids, v, unaffected, unaffectedInCase, lower) || sharesUnaffectedTenant(c.app.Description, v, unaffected, ix) ||
			variantUnaffected(c.app.Description, v, unaffected)) {
			// Every product of the vendor it uses is one the email
			// says is not affected.
			o.note("%s: the email says what it uses of %s is not affected: not added", c.app.Name, v.Name)
			continue
		}
		if tenantNamed && !c.named && ix.textOf(c.app.ID).otherTenant(v, ids) {
			o.note("%s: its tenant at %s is not the one the email names: not added", c.app.Name, v.Name)
			continue
		}
		if anyNamed && c.wordsOnly {
			// The email lists the applications (or resources) it is
			// about: a description that only shares words with it is
			// not one of them.
			o.note("%s: shares words with the email (%s), but the email names the applications it is about: not added",
				c.app.Name, c.evidence[len(c.evidence)-1])
			continue
		}
		if len(subjectProducts) > 0 && (c.wordsOnly || c.ruleOnly && len(namedProducts(c.app.Description, v)) > 0) && !c.runsProduct {
			// The subject names the vendor's product the email is
			// about, and this application runs others of the vendor's.
			o.note("%s: shares words with the email, but it does not run %s, the product the subject names: not added",
				c.app.Name, strings.Join(subjectProducts, ", "))
			continue
		}
		// Some of its users sign in through an application the change
		// reaches: what else it uses of the vendor does not matter.
		throughReached := c.throughApp || goesThroughApp(ix.textOf(c.app.ID).access, reachedApps, c.app.ID)
		if !c.named && !throughReached && signsInWithOtherProduct(strings.ToLower(c.app.Description), used, lower) {
			// The email is about other products of the vendor than the
			// one its users sign in with (and no other of its users sign
			// in through an application the change reaches).
			o.note("%s: its users sign in with another product of %s than the email names (%s): not added",
				c.app.Name, v.Name, strings.Join(productsIn(lower, used), ", "))
			continue
		}
		if o.underWay && len(distinctProducts(subjectProducts, v, e.Subject)) > 0 && !c.runsProduct && !c.named && !throughReached && len(namedProducts(c.app.Description, v)) > 0 &&
			len(bareMentions(c.app.Description, v)) == 0 && len(productsUsed(c.app.Description, v, affectedLower())) == 0 {
			// An incident at the product the subject names does not
			// reach an application that uses only other products of the
			// vendor, unless the email names one of those as failing
			// too ("retrieving images through the DICOMweb API … time
			// out").
			o.note("%s: uses %s, not %s, the product of the incident: not added",
				c.app.Name, strings.Join(namedProducts(c.app.Description, v), ", "), strings.Join(subjectProducts, ", "))
			continue
		}
		if o.underWay && !c.named && !throughReached && onlyFetchesReports(c.app.Description, v) && !reportWordRE.MatchString(affectedLower()) {
			// An incident at what takes payments or serves users does
			// not reach an application that only downloads the vendor's
			// reports, unless the email says reports are hit too.
			o.note("%s: only downloads %s's reports, which the incident does not name: not added", c.app.Name, v.Name)
			continue
		}
		if c.ruleOnly && !c.named && len(emailProducts) > 0 &&
			(len(namedProducts(c.app.Description, v)) > 0 || len(productsIn(ix.textOf(c.app.ID).lower, vendorNamedProducts(used, v))) > 0) &&
			len(productsIn(ix.textOf(c.app.ID).lower, emailProducts)) == 0 {
			// A rule names it, but the email is about another of the
			// vendor's products than the ones it uses.
			o.note("%s: named by a rule, but it does not use %s, the product the email is about: not added",
				c.app.Name, strings.Join(emailProducts, ", "))
			continue
		}
		if anyIdentified && c.wordsOnly && c.otherIdentifiers {
			// The email names the versions or hosts it is about, and
			// this application's use of the vendor is another.
			o.note("%s: shares words with the email, but the versions or hosts its description gives are not the ones the email names: not added",
				c.app.Name)
			continue
		}
		if containsID(o.d.AffectedApplicationIDs, c.app.ID) {
			continue
		}
		o.addApp(c.app, c.evidence, &top)
	}
	if len(o.d.AffectedApplicationIDs) > 0 && paymentWordRE.MatchString(lower) {
		// A change to the payments of an application reaches the ones
		// whose payments go through it, and a change to the vendor's
		// payments the ones that pay through the vendor itself.
		paying := map[string]bool{}
		for _, id := range o.d.AffectedApplicationIDs {
			paying[id] = true
		}
		for _, a := range paidWithVendor(ix, v, paying, o.e.Subject+"\n"+o.e.Body) {
			paying[a.ID] = true
			o.addApp(a, []string{"its payments go through " + v.Name + ", whose payments the change is about"}, &top)
		}
		for _, d := range paidThrough(ix, paying) {
			o.addApp(d.app, []string{"its payments go through " + d.via + ", which the change reaches"}, &top)
		}
	}
	for _, d := range exchangedThrough(ix, o.d.AffectedApplicationIDs, lower) {
		o.addApp(d.app, []string{"its messages are exchanged through " + d.via + ", which the change reaches"}, &top)
	}
	if top == nil {
		var all []registry.Application
		for _, r := range ranked {
			if linked(r.app, v.ID) {
				o.d.AffectedApplicationIDs = append(o.d.AffectedApplicationIDs, r.app.ID)
				all = append(all, r.app)
				if top == nil {
					a := r.app
					top = &a
				}
			}
		}
		if len(all) > 0 {
			o.note("no application description matches the email: all %d applications linked to %s included as a precaution (%s)",
				len(all), v.Name, names(all))
		} else {
			o.note("no application is linked to %s or matches the email", v.Name)
		}
	}
	return top
}

// onlyFetchesReports reports whether every sentence of an application's
// description that names the vendor is about downloading its reports or
// statements ("settlement reports are downloaded every night from the
// Paylisse reporting SFTP").
func onlyFetchesReports(desc string, v registry.Vendor) bool {
	named := false
	for _, s := range sentences(desc) {
		if !namesVendor(strings.ToLower(s), v) {
			continue
		}
		if !reportWordRE.MatchString(s) || !fetchWordRE.MatchString(s) {
			return false
		}
		named = true
	}
	return named
}

var (
	// reportWordRE finds a vendor's reports and statements.
	reportWordRE = regexp.MustCompile(`(?i)\b(?:reports?|reporting|settlements?|statements?|payout\s+files?)\b`)
	// fetchWordRE finds their being fetched.
	fetchWordRE = regexp.MustCompile(`(?i)\b(?:download\w*|fetch\w*|pull\w*|retriev\w*|collect\w*|import\w*)\b`)
)

// apiTokensSubjectRE finds a subject about the credentials of an API:
// "Lohnquell API: unscoped API tokens will be revoked".
var apiTokensSubjectRE = regexp.MustCompile(`(?i)\bapi\s+(?:client\s+)?(?:keys?|tokens?|credentials?|secrets?)\b`)

// distinctProducts are the products of the vendor among products (named
// in subject) that tell themselves from common words: with the vendor's
// name ("Telemo KeyShare"), or written in the subject in camel case or
// with a digit ("KeyShare", "TB-7").
func distinctProducts(products []string, v registry.Vendor, subject string) []string {
	out := vendorNamedProducts(products, v)
	for _, p := range products {
		if slices.Contains(out, p) {
			continue
		}
		for _, w := range strings.Fields(subject) {
			if strings.EqualFold(strings.Trim(w, ":,.()[]"), p) && (camelCaseRE.MatchString(w) || strings.ContainsAny(w, "0123456789")) {
				out = append(out, p)
				break
			}
		}
	}
	return out
}

// camelCaseRE finds a lower-case letter followed by an upper-case one.
var camelCaseRE = regexp.MustCompile(`\p{Ll}\p{Lu}`)

// signInTopicRE finds what makes a change at a vendor reach the
// applications that sign in through another application using it: signing
// in, its certificates, keys and factors, or a breach. Provisioning tokens
// revoked ("Directory Sync bearer tokens without an expiry") leave the
// sign-ins as they were.
var signInTopicRE = regexp.MustCompile(`(?i)\b(?:sign(?:s|ed|ing)?[- ]?(?:in|on)s?|log(?:s|ged|ging)?[- ]?(?:in|on)s?|sso|saml|oidc|openid|authenticat\w*|mfa|2fa|multi-factor|two-factor|passkeys?|passwords?|sessions?|identity provider|idp|federat\w*|jwks|signing (?:keys?|certificates?)|breach\w*|compromised?|unauthori[sz]ed|security incident)\b`)

// signsInOrRunsOn reports whether a sentence of an application's
// description that names the vendor says the vendor signs its users in
// (or gives a factor of signing in), or that it is built on, runs on or is
// hosted on the vendor.
func signsInOrRunsOn(desc string, v registry.Vendor) bool {
	for _, s := range sentences(desc) {
		if namesVendor(strings.ToLower(s), v) && (signInRE.MatchString(s) || runsOnRE.MatchString(s) || factorRE.MatchString(s)) {
			return true
		}
	}
	return false
}

// factorRE finds a factor of signing in: "the second factor comes from
// Duo", "approved by push".
var factorRE = regexp.MustCompile(`(?i)\b(?:second factor|two-factor|2fa|mfa|multi-factor|authenticat\w*|one-time (?:codes?|passwords?)|otp|by push|push (?:prompts?|approvals?|notifications?)|passkeys?)\b`)

// runsOnRE finds an application's platform: "built on", "runs on".
var runsOnRE = regexp.MustCompile(`(?i)\b(?:built|runs?|running|based|hosted|deployed)\s+(?:on|in|with)\b|\bon top of\b|\bpowered by\b`)

// mentionsVendor reports whether an application's description names the
// vendor (by name or alias): it uses the vendor without being linked.
func mentionsVendor(a registry.Application, v registry.Vendor) bool {
	return namesVendor(strings.ToLower(a.Description), v)
}

func (o *offline) addApp(a registry.Application, why []string, top **registry.Application) {
	o.d.AffectedApplicationIDs = append(o.d.AffectedApplicationIDs, a.ID)
	o.note("%s: %s", a.Name, strings.Join(why, "; "))
	if *top == nil {
		*top = &a
	}
}

// onlyCopiesData reports whether every sentence of an application's
// description that names the vendor is about data copied from or to it
// ("recovery requests are checked against the vendor's data exported
// nightly"): such an application holds a copy, and neither signs in with
// nor calls the vendor. Data fetched through the vendor's API or with its
// credentials ("grades are pulled nightly through the REST API with a
// token") is a call.
func onlyCopiesData(desc string, names []string) bool {
	named := false
	for _, s := range sentences(desc) {
		if !namesAny(strings.ToLower(s), names) {
			continue
		}
		if !transferRE.MatchString(s) || callRE.MatchString(s) {
			return false
		}
		named = true
	}
	return named
}

// callRE finds the words of a call to a vendor's interface.
var callRE = regexp.MustCompile(`(?i)\b(?:apis?|tokens?|keys?|secrets?|credentials?|oauth|sftp|webhooks?)\b`)

package triage

import (
	"regexp"
	"slices"
	"sort"
	"strings"
)

// phrase is a cue in an email and how much it weighs.
type phrase struct {
	text   string
	weight int
}

// breakingPhrases say that something will stop working unless the
// recipient acts. Weight 2 is decisive alone; weight 1 needs company.
var breakingPhrases = []phrase{
	{"breaking change", 2}, {"breaking changes", 2}, {"deprecate", 2}, {"deprecated", 2}, {"deprecating", 2},
	{"deprecation", 2}, {"will be removed", 2}, {"will be deleted", 2}, {"removal of", 2}, {"remove support", 2},
	{"removing support", 2}, {"sunset", 2}, {"sunsetting", 2}, {"end of life", 2}, {"end-of-life", 2}, {"eol", 1},
	{"end of support", 2}, {"end-of-support", 2}, {"no longer be supported", 2}, {"no longer supported", 2},
	{"no longer be available", 2}, {"will no longer", 2}, {"will stop working", 2}, {"stop working", 1},
	{"will be rejected", 2}, {"will be declined", 2}, {"will fail", 2}, {"mandatory", 1}, {"must migrate", 2},
	{"must upgrade", 2}, {"must update", 2}, {"required to migrate", 2}, {"required to upgrade", 2},
	{"required to update", 2}, {"action required", 2}, {"action is required", 2}, {"decommission", 2},
	{"decommissioned", 2}, {"decommissioning", 2}, {"retire", 2}, {"retired", 2}, {"retirement", 2},
	{"retiring", 2}, {"retires", 2}, {"discontinue", 2}, {"discontinued", 2}, {"shut down", 1}, {"shutdown", 1},
	{"certificate expiry", 2}, {"certificate expiration", 2}, {"certificate will expire", 2},
	{"certificates will expire", 2}, {"expire", 1}, {"expires", 1}, {"revoke", 2}, {"revoked", 2},
	{"revocation", 2}, {"distrust", 2}, {"migrate", 1}, {"migration", 1}, {"upgrade", 1},
	{"enforce", 1}, {"enforcement", 1}, {"replace", 1}, {"new endpoint", 1}, {"url change", 1},
	{"endpoint change", 1}, {"disable", 1}, {"disabled", 1},
	{"will block", 2}, {"will be blocked", 2}, {"block", 1}, {"blocked", 1}, {"will reject", 2},
	{"will no longer accept", 2}, {"will refuse", 2}, {"will be refused", 2}, {"will be throttled", 2},
	{"will be suspended", 2}, {"will be disabled", 2},
	// Limits that lose data: "events beyond the allocation are dropped".
	{"will be dropped", 2}, {"are dropped", 2}, {"is dropped", 2}, {"dropped", 1}, {"will be lost", 2},
	{"reduced to", 1}, {"lowered to", 1},
	// Service that ends for the old way: "will stop accepting uploads",
	// "will stop being able to join", "will be turned off".
	{"stop accepting", 2}, {"stop being able", 2}, {"stops working", 2}, {"will be turned off", 2},
	{"will be switched off", 2}, {"turned off", 1}, {"switched off", 1}, {"new hostname", 1}, {"old hostname", 1}, {"410 gone", 1}, {"certificate errors", 1},
	{"must renew", 2}, {"must replace", 2}, {"must rotate", 2}, {"must upload", 2}, {"must install", 2},
	{"will be quarantined", 2}, {"will stop loading", 2}, {"will stop sending", 2}, {"will stop syncing", 2},
	{"will stop delivering", 2}, {"will stop receiving", 2}, {"will be paused", 1},
	// What the old way can no longer do once the change is made: "units
	// that are not updated can no longer encode key cards".
	{"can no longer", 2},
	// Support taken away from what is not updated: "servers on older
	// releases lose support after the deadline".
	{"lose support", 2}, {"loses support", 2},
	// A host, service or product taken away for good: "the import host
	// will be shut down in Q3".
	{"will be shut down", 2},
	// What the reader's side must become: "must be updated to 9.4",
	// "agents must be configured to check their licence at the new host".
	{"must be updated", 2}, {"must be upgraded", 2}, {"must be migrated", 2}, {"must be configured", 2},
	{"must be reconfigured", 2}, {"must be replaced", 2}, {"must be rotated", 2},
	// A service that ends for the old way: "stops answering for your
	// account", "agents stop taking jobs".
	{"stops answering", 2}, {"stop answering", 2}, {"stop taking", 2}, {"stops taking", 2},
	// The vendor's own act, in the active voice: "we will switch off
	// version 1 of the API"; and what stops for the old way: "connections
	// that still use v1 will stop importing statements".
	{"will switch off", 2}, {"switch off", 1}, {"will turn off", 2}, {"will stop importing", 2}, {"stops importing", 2},
	// What is no longer done for the old way: "plain HTTP callback URLs
	// are no longer called".
	{"are no longer called", 2}, {"is no longer called", 2}, {"are no longer accepted", 2}, {"is no longer accepted", 2},
	// "the current addresses … are withdrawn at the same time".
	{"are withdrawn", 2}, {"will be withdrawn", 2}, {"action needed", 2},
	// Legal drafting: "the Schedule shall terminate with effect from …",
	// "files shall no longer be transmitted".
	{"shall no longer", 2}, {"shall terminate", 2}, {"shall cease", 2},
	{"will stop updating", 2}, {"will stop processing", 2},
}

// onlyDeprecation reports whether a breaking signal rests only on the word
// "deprecated" and its kin: no removal, refusal or consequence.
func onlyDeprecation(s signal) bool {
	for _, f := range s.found {
		if !strings.HasPrefix(f, `"deprecat`) {
			return false
		}
	}
	return len(s.found) > 0
}

// saysNoAction reports whether an informational signal holds an explicit
// statement that the reader need not act ("No action required"), not
// only the marks of a newsletter.
func saysNoAction(s signal) bool {
	for _, f := range s.found {
		if noActionFoundRE.MatchString(f) {
			return true
		}
	}
	return false
}

var noActionFoundRE = regexp.MustCompile(`^"(?:no action|no changes are|nothing (?:you|for you|to do)|you (?:do not|don't) need to do)`)

// informationalPhrases say that an email needs no action.
var informationalPhrases = []phrase{
	{"webinar", 2}, {"newsletter", 2}, {"register now", 1}, {"register today", 1}, {"save your seat", 2},
	{"reserve your spot", 2}, {"join us", 1}, {"unsubscribe", 1}, {"marketing", 1}, {"no action required", 2},
	{"no action is required", 2}, {"no action needed", 2}, {"no action is needed", 2},
	{"no changes are required", 2}, {"no impact", 1}, {"no expected impact", 1}, {"no customer impact", 1},
	{"for your information", 1}, {"case study", 1}, {"ebook", 1}, {"e-book", 1}, {"conference", 1},
	{"summit", 1}, {"special offer", 2}, {"promotion", 1}, {"invitation", 1}, {"invite you", 1},
	{"digest", 1}, {"view in browser", 1}, {"view this email in your browser", 1}, {"manage your preferences", 1},
	{"scheduled maintenance", 1}, {"maintenance window", 1}, {"product roundup", 2}, {"what's new", 1},
	{"customer story", 1}, {"on-demand", 1}, {"office hours", 1},
	{"survey", 2}, {"take our survey", 2}, {"short survey", 2}, {"share your feedback", 2}, {"your feedback", 1},
	{"tell us what you think", 2}, {"how did we do", 2}, {"rate your experience", 2}, {"feedback request", 2},
	{"price list", 1}, {"updated price list", 2}, {"pricing update", 1}, {"no action is necessary", 2},
	{"no action necessary", 2}, {"nothing you need to do", 2}, {"you don't need to do anything", 2},
	{"you do not need to do anything", 2}, {"no changes are needed", 2}, {"no downtime", 1}, {"trade show", 2},
	{"meet us at", 2}, {"visit our booth", 2}, {"early bird", 1}, {"keynote", 1}, {"livestream", 1},
	{"limited time", 1}, {"discount", 1}, {"promo code", 2}, {"register", 1}, {"registration is open", 2},
	{"seats are limited", 2}, {"book your seat", 2}, {"% off", 2}, {"save %", 2},
	// Satisfaction and net-promoter surveys.
	{"likely are you to recommend", 2}, {"likely to recommend", 2}, {"net promoter", 2}, {"nps", 1},
	{"what we could do better", 2}, {"how we can improve", 2}, {"help us improve", 1}, {"rate us", 2},
	// Feedback requests: "We'd like to hear what works for your team".
	{"we'd like to hear", 2}, {"we would like to hear", 2}, {"we'd love to hear", 2}, {"we would love to hear", 2},
	// Content marketing and fee schedules.
	{"read the full guide", 1}, {"on our blog", 1}, {"pricing schedule", 1}, {"fee schedule", 1},
	{"in this issue", 2}, {"nothing you need to change", 2}, {"nothing for you to do", 2}, {"nothing you have to do", 2},
	{"nothing to do on your side", 2}, {"nothing to do on your end", 2},
	// A renewal that keeps everything as it is: "nothing changes on our
	// side", "renew at the same price", "nothing for you to sign".
	{"nothing changes", 1}, {"the same price", 1}, {"unchanged", 1}, {"nothing for you to sign", 2},
	// An exhibitor's news: "Meet our team at Gamescom".
	{"meet our team at", 2}, {"meet the team at", 2},
	// "Nothing is needed from your side"; a support case closed as
	// resolved; a renewal "on the same terms"; "answer three quick
	// questions".
	{"nothing is needed", 2}, {"nothing needs to change", 2}, {"nothing needs to be done", 2},
	{"closing the case", 1}, {"closing this case", 1}, {"on the same terms", 1}, {"nothing is required", 2},
	{"case as resolved", 2}, {"ticket as resolved", 2}, {"case as solved", 2}, {"case as closed", 2},
	{"quick questions", 2}, {"help us plan", 1}, {"tip of the month", 2}, {"customer day", 1},
	// A vendor's conference: "our user conference", "Early-bird
	// registration", "See you in Lisbon".
	{"user conference", 2}, {"early-bird", 1}, {"see you in", 1}, {"see you there", 1},
	// A fee schedule: "nothing to sign and nothing to change in your
	// integration", "the following list prices apply"; a renewal "at the
	// same price, and there is no paperwork to sign"; release notes.
	{"nothing to sign", 2}, {"nothing to change", 2}, {"list prices", 1}, {"same price", 1},
	{"no paperwork to sign", 2}, {"release notes", 1},
	// "Nothing needs to be changed on your side", "nothing else changes",
	// a renewal "with nothing changing" and "no paperwork".
	{"nothing needs to be changed", 2}, {"nothing else changes", 2}, {"nothing changing", 2}, {"no paperwork", 2},
}

// reachPhrases say that something everyone who relies on the vendor
// depends on is affected — an incident, compromised or rotated
// credentials, signing keys, certificates — rather than one product's API.
var reachPhrases = []phrase{
	{"security incident", 2}, {"incident", 1}, {"breach", 2}, {"compromised", 2}, {"compromise", 2},
	{"unauthorized access", 2}, {"unauthorised access", 2}, {"outage", 2}, {"service disruption", 2},
	{"degraded", 1}, {"credentials", 1}, {"credential", 1}, {"rotate", 1}, {"rotation", 1}, {"signing key", 2},
	{"signing keys", 2}, {"tokens", 1}, {"session tokens", 2}, {"api keys", 1}, {"reset your", 1},
	{"revoke", 1}, {"revoked", 1}, {"revocation", 1}, {"root certificate", 2}, {"intermediate certificate", 2},
	{"certificate authority", 1}, {"security advisory", 1}, {"vulnerability", 1},
}

// reachSignal: the change reaches every application that uses the vendor.
func reachSignal(e Email) signal { return look(withoutTeamNames(e.Subject+"\n"+e.Body), reachPhrases) }

// teamNameRE finds the name of a team whose name says what it handles:
// "Product Security Incident Response Team" signs many an advisory, but
// names no incident.
var teamNameRE = mustGated(`(?i)\b(?:(?:product\s+)?security\s+)?incident\s+response\s+team\b`)

// withoutTeamNames is text without the names of such teams.
func withoutTeamNames(text string) string { return teamNameRE.ReplaceAllString(text, "team") }

// apiCredentialRE finds credentials of an API integration: "API
// credentials", "API keys", "client secret", "access tokens".
var apiCredentialRE = mustGated(`(?i)\b(?:api|client|integration|service account|oauth(?: 2\.0)?)\s+(?:credential|key|token|secret)s?\b|\baccess tokens?\b|\bcredential types?\b`)

// serviceWideSignal: the change reaches the vendor's service as a whole
// (an incident, signing keys, certificates), not only the credentials of
// its API. Only such a change reaches, through them, the applications that
// sign in with or are served through an application that uses the vendor:
// new API credentials for a directory's provisioning script leave the
// sign-in every other application goes through as it was.
func serviceWideSignal(e Email) signal {
	return look(apiCredentialRE.ReplaceAllString(withoutTeamNames(e.Subject+"\n"+e.Body), " "), reachPhrases)
}

// onlyCredentialNouns reports whether the reach cues found only name
// credentials ("credentials", "tokens"), with nothing done to them (no
// incident, rotation or revocation).
func onlyCredentialNouns(s signal) bool {
	for _, f := range s.found {
		if !credentialNouns[f] {
			return false
		}
	}
	return len(s.found) > 0
}

// credentialNouns are the reach phrases that only name credentials, as
// look lists them.
var credentialNouns = map[string]bool{`"credentials"`: true, `"credential"`: true, `"tokens"`: true, `"api keys"`: true}

// signal is the outcome of looking for one kind of cue.
type signal struct {
	score int
	found []string
}

// strong reports whether the cues are enough on their own.
func (s signal) strong() bool { return s.score >= 2 }

// String lists the phrases found.
func (s signal) String() string { return strings.Join(s.found, ", ") }

// look finds the phrases in text. A phrase counts once, except that
// repeated "unsubscribe" links count up to twice (marketing mail repeats
// them); "no action required" cancels "action required", which it contains.
func look(text string, phrases []phrase) signal {
	var s signal
	// Hard-wrapped text splits phrases over lines: "will\nfail" is "will fail".
	lower := strings.Join(strings.Fields(strings.ToLower(text)), " ")
	// "You don’t need to do anything" is written with a typographic
	// apostrophe as often as with a straight one.
	lower = strings.ReplaceAll(lower, "’", "'")
	if strings.Contains(lower, " no ") || strings.Contains(lower, " any ") {
		// "These changes require no action" and "none of these changes
		// require any action" say "no action is required".
		lower = requiresNoActionRE.ReplaceAllString(lower, "no action is required")
	}
	// "No customer action is required" and "no further action is needed"
	// say what "no action is required" says.
	if strings.Contains(lower, " action") {
		lower = qualifiedNoActionRE.ReplaceAllString(lower, "no $1")
	}
	if strings.Contains(lower, "none") {
		// "Action required: none" is "no action required".
		lower = actionNoneRE.ReplaceAllString(lower, "no action required")
	}
	if strings.Contains(lower, "shut") {
		// A stop for a while is no change: "will be paused", not "will
		// be shut down".
		lower = temporaryStopRE.ReplaceAllString(lower, "will be paused ")
	}
	if strings.Contains(lower, " not ") || strings.Contains(lower, "n't ") || strings.Contains(lower, "by default") {
		// What is denied or left for the reader to choose is no loss:
		// "calls in progress will not be dropped", "features are
		// switched off by default".
		lower = deniedLossRE.ReplaceAllString(lower, "kept")
	}
	for _, p := range phrases {
		n := countWord(lower, p.text)
		if p.text == "action required" || p.text == "action is required" || p.text == "action needed" {
			n -= countWord(lower, "no "+p.text)
		}
		if strings.HasPrefix(p.text, "no ") || strings.HasPrefix(p.text, "nothing ") {
			// "No action is required unless your applications rely on
			// the old default" says that some must act.
			n -= countConditional(lower, p.text)
		}
		if n <= 0 {
			continue
		}
		w := p.weight
		if p.text == "unsubscribe" && n > 1 {
			w *= 2
		}
		s.score += w
		s.found = append(s.found, `"`+p.text+`"`)
	}
	sort.Strings(s.found)
	return s
}

// deniedLossRE finds a loss the email denies ("will not be dropped",
// "won't be lost") and what is off only until the reader turns it on
// ("switched off by default").
var deniedLossRE = mustGated(`\b(?:(?:will|would|shall)\s+not\s+be|(?:won't|wouldn't)\s+be|(?:are|is)\s+not|aren't|isn't)\s+(?:dropped|lost|interrupted|disconnected|blocked|rejected|disabled|deleted)\b|` +
	`\b(?:switched|turned)\s+off\s+by\s+default\b|\b(?:disabled|off)\s+by\s+default\b`)

// qualifiedNoActionRE finds "no" and one word before a statement that no
// action is needed ("no customer action is required"); the group is the
// statement.
var qualifiedNoActionRE = mustGated(`\bno (?:[a-z-]+ ){1,2}(?:or )?(action (?:is |are )?(?:required|needed|necessary))\b`)

// actionNoneRE finds a notice's field saying that the action it asks
// for is none: "Action required: none", "Action needed: None.".
var actionNoneRE = mustGated(`\baction (?:required|needed)\s*:\s*none\b`)

// requiresNoActionRE finds a notice saying that it requires no action:
// "these changes require no action or change to your integration".
var requiresNoActionRE = mustGated(`\b(?:require|requires|need|needs)\s+no\s+(?:further\s+)?action\b|` +
	// "None of these changes require any action", "does not require any
	// action".
	`\bnone\s+of\s+(?:these|the|this|them)(?:\s+[a-z]+)?\s+(?:require|requires|need|needs)\s+any\s+action\b|` +
	`\b(?:do|does|did)(?:\s+not|n't)\s+(?:require|need)\s+any\s+(?:further\s+)?action\b|` +
	// "Customers who do not run it need to take no action".
	`\b(?:need|needs)\s+to\s+take\s+no\s+(?:further\s+)?action\b`)

// countConditional counts the occurrences of phrase that a condition
// follows ("unless …", "if you …", "except …").
func countConditional(lower, phrase string) int {
	return countWordWhere(lower, phrase, func(rest string) bool {
		rest = strings.TrimLeft(rest, " ,;")
		for _, c := range []string{"unless ", "if you ", "if your ", "except ", "provided that "} {
			if strings.HasPrefix(rest, c) {
				return true
			}
		}
		return false
	})
}

// countWord counts whole-word occurrences of phrase in lower-case text.
func countWord(lower, phrase string) int { return countWordWhere(lower, phrase, nil) }

// countWordWhere counts whole-word occurrences of phrase in lower-case
// text whose following text satisfies keep (all when keep is nil).
func countWordWhere(lower, phrase string, keep func(rest string) bool) int {
	n := 0
	for from := 0; from < len(lower); {
		i := indexWord(lower[from:], phrase)
		if i < 0 {
			break
		}
		from += i + len(phrase)
		if keep == nil || keep(lower[from:]) {
			n++
		}
	}
	return n
}

// breakingSignal and informationalSignal read an email's subject and body.
// What happens to a recipient who does not act ("otherwise receiving
// servers may reject your mail") is breaking-change language too. A
// sentence that invites to an event is about the event: "Webinar: how
// airlines are retiring passwords" announces no change.
func breakingSignal(e Email) signal {
	// The offline triage and the guardrails both read it: once per email.
	k := signalKey{e.Subject, e.Body, e.FromAddress}
	return recentBreaking.get(k, func() signal { return readBreaking(e) })
}

// signalKey is what breakingSignal and informationalSignal read of an
// email.
type signalKey struct{ subject, body, from string }

// recentBreaking and recentInformational are the signals of the emails of
// the last decisions. Their found lists are shared: they must not be
// changed.
var recentBreaking, recentInformational memo[signalKey, signal]

// readBreaking is breakingSignal without the memo.
func readBreaking(e Email) signal {
	text := withoutSentences(e.Subject+"\n"+e.Body, invitationRE)
	if strings.Contains(text, "?") {
		// A question asks; it announces nothing: "Could your organisation
		// retire passwords for good?"
		text = questionRE.ReplaceAllString(text, " ")
	}
	gt := newGateText(strings.ToLower(text))
	if romanceStopRE.mayMatchText(gt) {
		// "Nessuna azione richiesta" says no action is required: its
		// "azione richiesta" asks for none.
		changed := false
		for _, re := range []gatedRE{foreignNoActionRE, otherNoActionRE, moreNoActionRE, europeanNoActionRE} {
			if re.mayMatchText(gt) {
				text, changed = re.Regexp.ReplaceAllString(text, " "), true
			}
		}
		if changed {
			gt = newGateText(strings.ToLower(text))
		}
	}
	s := look(text, breakingPhrases)
	for _, re := range []gatedRE{consequenceRE, staleUseRE, refusalRE, otherwiseFailsRE, mustOrFailsRE, cannotReadRE, foreignNoLongerRE, moreNoLongerRE, northEastNoLongerRE, romanceStopRE, lossRE, failureAheadRE, mandatoryRE, rejectionRE} {
		if !re.mayMatchText(gt) {
			continue
		}
		if m := re.Regexp.FindString(text); m != "" {
			s.score += 2
			s.found = append(s.found, `"`+strings.Join(strings.Fields(m), " ")+`"`)
		}
	}
	if s.strong() && postIncidentReport(e, informationalSignal(e)) {
		// A report on an incident that is over tells what broke,
		// expired or was disabled then: no change to act on.
		return signal{}
	}
	if s.strong() && onlyDeprecation(s) && saysNoAction(informationalSignal(e)) {
		// "Deprecated (nothing changes yet)" in a digest that says no
		// action is required: a deprecation announced, no change to act on.
		return signal{}
	}
	return s
}

// rejectionRE finds calls the vendor will refuse: "uploads from SDK 4.x
// are refused with HTTP 426", "sessions … are refused with the error
// return_url_not_registered", "will start refusing requests that use an
// unrestricted key", "Anrop med en sådan nyckel besvaras då med HTTP
// 401".
var rejectionRE = mustGated(`(?i)\b(?:are|is|get|gets)\s+(?:refused|rejected|blocked|denied)\s+with\s+(?:an?\s+|the\s+)?(?:(?:http\s+)?(?:status\s+)?4\d\d\b|error\b)|` +
	`\b(?:start|begin|starts|begins)\s+(?:refusing|rejecting|blocking|denying)\b|` +
	// "From 2028-09-01 the Push API stops delivering notifications".
	`\bstops\s+(?:delivering|accepting|sending|serving|responding\s+to|processing|supporting)\b|` +
	`\b(?:besvaras|beantwortet|répondu|answered)\s+(?:\S+\s+){0,2}?(?:med|mit|par|with)\s+(?:an?\s+)?(?:http\s+)?4\d\d\b`)

// temporaryStopRE finds a stop for a while ("will be shut down for two
// hours during maintenance"), which is no change: the service comes back.
var temporaryStopRE = mustGated(`(?i)\bwill be (?:temporarily\s+)?shut\s*down\s+(?:for|during|between|while|until|from\s+\d)\b|\bwill be temporarily shut\s*down\b`)

// refusalRE finds requests the vendor says it will refuse from a date:
// "will return 403", "will receive 401 Unauthorized", "will fail with
// 410", "after the switch, v1 calls return HTTP 410". A client error
// (4xx) is the old way no longer accepted; a server error during
// maintenance is not.
var refusalRE = mustGated(`(?i)(?:\bwill|\b(?:calls?|requests?)(?:\s+\S+){0,3}?)\s+(?:now\s+)?(?:return|receive|get|respond with|fail with|be answered with)\s+(?:an?\s+|http\s+|status\s+|error\s+|the\s+)*4\d\d\b`)

// consequenceRE finds what fails when the recipient does not act:
// "otherwise … may reject", "if you do not … will stop", "origins that do
// not accept them will answer with errors", "collectors with an expired
// certificate receive no updates", "domains without the new records are
// more likely to land in spam".
var consequenceRE = mustGated(`(?i)(?:\b(?:otherwise|or else|failure to|if you (?:do not|don't)|if this is not done)|\b(?:that|which|who)\s+(?:do|does|did)\s+not|\bwithout\s+the\s+new|\bwith\s+an?\s+expired)\b[^.;]{0,100}?` +
	`(?:\b(?:may|might|will|can|could)\s+(?:be\s+)?(?:reject(?:ed)?|fail(?:s|ed|ing)?|block(?:ed)?|quarantined?|stop (?:working|receiving|sending|accepting|delivering|syncing|reaching)|not\s+be\s+able\s+to|break|broken|refused?|bounced?|suspended|disabled|interrupted|answer\w*(?:\s+\S+){0,3}?\s+with\s+errors?|see\s+(?:an?\s+)?(?:5\d\d|5xx|errors?)|sent\s+unsigned)\b|\breceive\s+no\b|\b(?:are|is)\s+(?:much\s+)?more\s+likely\s+to\s+(?:land|end\s+up|go)\s+in\s+(?:the\s+)?(?:spam|junk))`)

// mustOrFailsRE finds what the reader must do, "or" what fails if not:
// "must add the new key before then, or their users will not be able to
// sign in".
var mustOrFailsRE = mustGated(`(?i)\b(?:must|need\s+to|have\s+to|has\s+to)\b[^.;]{0,120}?\bor\s+(?:else\s+)?(?:[\p{L}-]+\s+){0,3}?(?:will|would|may|might|can)\s+(?:not\s+be\s+able\s+to|no\s+longer\s+be\s+able\s+to|fail\b|stop\s+working|be\s+(?:rejected|refused|blocked|locked\s+out))`)

// cannotReadRE finds what the old version cannot do with the new one:
// "Player 2.x cannot read it", "clients before 4.2 can no longer parse
// the new format".
var cannotReadRE = mustGated(`(?i)\b(?:cannot|can't|can\s+no\s+longer|will\s+not\s+be\s+able\s+to|won't\s+be\s+able\s+to)\s+(?:read|open|process|parse|load|play|display|decode|import)\b`)

// otherwiseFailsRE finds what fails, said in the present tense, when the
// recipient does not act: "must trust the new root by then; otherwise
// the TLS handshake fails and calls on those trunks stop", "calls
// routed through the new ranges will otherwise fail".
var otherwiseFailsRE = mustGated(`(?i)\b(?:otherwise|or else)\b[^.;]{0,100}?\b(?:fails|stop|stops|breaks|(?:is|are)\s+(?:rejected|refused|blocked|dropped))\b|` +
	`\b(?:will|would|may|can)\s+otherwise\s+(?:fail|break|stop|be\s+(?:rejected|refused|blocked|dropped))\b`)

// foreignNoLongerRE finds "will no longer" in German, French, Spanish and Dutch
// mail: "erhalten keine Push-Freigaben mehr", "können sich nicht mehr
// anmelden", "ne seront plus acceptées", "ya no se aceptarán". "Nicht
// mehr als" (not more than) is no such thing.
var foreignNoLongerRE = mustGated(`(?i)\b(?:nicht|keine[nmrs]?)\s+(?:[\p{L}-]+\s+){0,3}?mehr(?:\s*[.,;:!)]|\s+(?:[^a\s]|a[^l])|\s*$)|\bne\s+(?:[\p{L}-]+\s+){0,2}?plus\s+(?:aucun\s+)?(?:accept|autoris|support|disponible|possible|valide|fonctionn|reçu|recev|envoy|en\s+charge|distribu|trait)|\bya\s+no\s+(?:se\s+)?(?:acept|admit|podr|funcion|estar|ser(?:án?|an?))|` +
	// Dutch "niet meer", "geen … meer" ("not … any more", but not "niet
	// meer dan", "not more than"); Spanish "dejará(n) de funcionar";
	// French "ne pourront plus", "sera désactivé(e)", "sera refusée", "ne
	// prendra plus en charge".
	`\b(?:niet|geen)\s+(?:[\p{L}-]+\s+){0,4}?meer(?:\s*[.,;:!)]|\s+(?:[^d\s]|d[^a])|\s*$)|\bdejar(?:á|a)n?\s+de\s+(?:funcionar|estar\s+disponibles?|ser\s+v[áa]lid[oa]s?|acept)|` +
	`\bne\s+pourr\w*\s+plus\b|\bne\s+(?:recevr|fonctionner|accepter|envoyer|répondr|servir)\p{L}*\s+plus\b|` +
	// French elided "n'accepteront plus", "n'afficheront plus"; Italian
	// "non potranno più", "scarterà le fatture".
	`\bn['’](?:accepter|afficher|fonctionner|envoyer|autoriser|sera|seront)\p{L}*\s+plus\b|\bnon\s+potr(?:à|anno)\s+più|\bscarter(?:anno\b|à)|\bser(?:a|ont)\s+(?:d[ée]sactiv[ée]|refusé|rejet[ée])e?s?|` +
	// Portuguese "deixarão de conseguir", "só aceitará"; Italian "sarà
	// dismessa", "non sarà più"; Polish "zostanie wyłączony", "przestanie
	// działać", "nie będą już przyjmowane", "odrzucą".
	`\bdeixar(?:á|a|ão|ao)\s+de\s+(?:funcionar|conseguir|ser|aceitar|estar)\b|\bs[óo]\s+aceitar(?:á|a|ão|ao)\b|` +
	`\bsar(?:à|a|anno)\s+dismess[aoie]\b|\bnon\s+(?:sarà|saranno|funzioner(?:à|anno))\s+più|` +
	`\bzostan(?:ie|ą)\s+wyłączon[yaeą]|\bprzestan(?:ie|ą)\s+działać|\bnie\s+będ(?:zie|ą)\s+(?:już\s+)?(?:działać|akceptowan|przyjmowan|obsługiwan)\w*|\bodrzuc(?:i|ą)`)

// staleUseRE finds what fails for a recipient still on the old way, in
// words found on unseen mail: "devices that expect the old key will
// abort the connection", "uploads with an old token are rejected", "…
// before the move, or new episodes may not appear". Its gate is the
// failure words, which few emails hold, so that the long pattern runs
// only on mail that may say so.
var staleUseRE = gatedRE{Regexp: regexp.MustCompile(`(?i)(?:\b(?:otherwise|or else|failure to|if you (?:do not|don't)|if this is not done)|` +
	`\b(?:that|which|who)\s+(?:do|does|did)\s+not|\bwithout\s+the\s+new|\bwith\s+an?\s+(?:expired|old|previous|legacy)|` +
	`\b(?:that|which|who)\s+(?:still\s+)?(?:expect|use|trust)\s+(?:only\s+)?the\s+(?:old|current|previous|legacy)|` +
	`\bbefore\s+(?:the\s+(?:move|switch|change|cut-?over|migration)|then|that\s+date)\s*,?\s+or)\b[^.;]{0,100}?` +
	`(?:\b(?:are|is)\s+rejected\b|\babort\w*\s+the\s+connection\b|\b(?:may|might|will)\s+not\s+(?:appear|arrive|load|work|play|be\s+(?:delivered|shown|listed))\b)`),
	words: []string{"rejected", "abort", "not appear", "not arrive", "not load", "not work", "not play", "not be delivered", "not be shown", "not be listed"}}

// questionRE finds a question: a sentence that ends with a question mark.
var questionRE = regexp.MustCompile(`[^.!?\n]*(?:\n[^.!?\n]+)*\?`)

// mandatoryRE finds a change made mandatory: "TLS 1.3 becomes mandatory",
// "mandatory from 1 March", "a mandatory upgrade"; not a product used for
// mandatory records ("Corran Learning for mandatory training records").
var mandatoryRE = mustGated(`(?i)\b(?:becomes?|become|is\s+now|are\s+now|will\s+be(?:come)?|made|making|now)\s+mandatory\b|` +
	`\bmandatory\s+(?:from|on|as\s+of|starting|by|for\s+(?:all|every|each)|versions?|fields?|for\s+your)\b|` +
	// "mandatory operating system maintenance", "a mandatory security
	// update".
	`\bmandatory\s+(?:[\w-]+\s+){0,2}?(?:maintenance|updates?|upgrades?|patch\w*|migrations?|rotations?|re-?registrations?|registrations?|renewals?|changes?)\b|` +
	`\b(?:is|are)\s+mandatory\b|^\s*mandatory\b|\[mandatory\]|mandatory\s*:`)

// failureAheadRE finds what will fail for a reader who does not act, in
// words found on unseen mail: "requests … will reach your visitors as
// HTTP 502 errors", "or your system will stop learning when a patient has
// signed".
var failureAheadRE = mustGated(`(?i)\bwill\s+(?:reach|be\s+shown\s+to)\s+(?:your\s+)?(?:visitors|users|customers|clients|players|guests)\s+as\s+(?:http\s+)?[45]\d\d\b|` +
	`\bor\s+(?:your|the)\s+(?:[\w-]+\s+){0,4}?will\s+stop\s+\w+ing\b|` +
	// "statements from these accounts will stop arriving".
	`\bwill\s+stop\s+(?:arriving|working|loading|syncing|updating|flowing|coming\s+in)\b|\bwill\s+stop\s+(?:if|unless)\s+(?:nobody|no\s+one|you)\b`)

// invitationRE finds a sentence that invites to an event: "Webinar: …",
// "Join us on May 13", "Save your seat". An event named in passing
// ("apps that join meetings and webinars") is no invitation.
var invitationRE = mustGated(`(?i)\b(?:webinars?|conferences?|summit|workshops?|keynote|livestream|masterclass)\s*:|\b(?:join (?:us|our (?:webinar|live|product|team|experts))|register (?:now|today|here|for (?:the|our|this) (?:webinar|event|session))|save (?:your|my) (?:seat|spot)|reserve (?:your|my) (?:seat|spot))\b`)

func informationalSignal(e Email) signal {
	k := signalKey{e.Subject, e.Body, e.FromAddress}
	return recentInformational.get(k, func() signal { return readInformational(e) })
}

// readInformational is informationalSignal without the memo.
func readInformational(e Email) signal {
	text := hostRE.ReplaceAllString(e.Subject+"\n"+e.Body, " ")
	// "Service messages about your account cannot be unsubscribed": a
	// service message, whose footer's word is no newsletter's.
	if strings.Contains(text, "nsubscri") {
		text = serviceMessageRE.ReplaceAllString(text, " ")
	}
	// Mail in another language says "unsubscribe" and "no action is
	// required" in its own words.
	text = foreignUnsubscribeRE.ReplaceAllString(text, "unsubscribe")
	// A link to manage one's mail preferences is the way to unsubscribe.
	text = preferencesRE.ReplaceAllString(text, "unsubscribe")
	// The patterns below read words of other languages, and each
	// replaces its match with English: the text's lower case, read once,
	// gates them all.
	// "Enquête en cours" is an investigation under way, not a survey.
	lower := strings.ToLower(text)
	if strings.Contains(lower, "enqu") {
		text = investigationUnderWayRE.ReplaceAllString(text, "investigation en cours")
		lower = strings.ToLower(text)
	}
	gt := newGateText(lower)
	for _, re := range []gatedRE{foreignNoActionRE, moreNoActionRE, otherNoActionRE, europeanNoActionRE} {
		if re.mayMatchText(gt) {
			text = re.Regexp.ReplaceAllString(text, "no action is required")
		}
	}
	for _, list := range [][]struct {
		re      gatedRE
		english string
	}{foreignInformational, moreInformational, otherInformational, europeanInformational} {
		for _, f := range list {
			if f.re.mayMatchText(gt) {
				text = f.re.Regexp.ReplaceAllString(text, f.english)
			}
		}
	}
	s := look(percentRE.ReplaceAllString(text, " %"), informationalPhrases)
	if m := noChangeNeededRE.FindStringSubmatch(text); m != nil && m[1] == "" {
		s.score += 2
		s.found = append(s.found, `"`+strings.Join(strings.Fields(m[0]), " ")+`"`)
	}
	if m := closedCaseRE.FindString(text); m != "" && caseSubjectRE.MatchString(e.Subject) {
		// A vendor's answer to a support case that closes it: "we are
		// closing case DN-48213", in a reply or under the case's number.
		s.score += 2
		s.found = append(s.found, `"`+strings.Join(strings.Fields(m), " ")+`"`)
	}
	if m := newsIssueRE.FindString(e.Subject); m != "" {
		// "Moorly news: summer 2027" is an issue of the vendor's news.
		s.score += 2
		s.found = append(s.found, `"`+m+`"`)
	}
	if slices.Contains(s.found, `"unsubscribe"`) && !asksActionRE.MatchString(text) {
		// Mail one can unsubscribe from that asks nothing of its reader
		// is a newsletter, whatever it calls itself.
		s.score++
		s.found = append(s.found, "nothing asked of the reader")
	}
	return s
}

// closedCaseRE finds a vendor closing a support case: "we are closing
// case DN-48213", "we have closed your ticket", "this case is now closed"
// (the other languages' forms become "closing the case").
var closedCaseRE = mustGated(`(?i)\b(?:(?:we\s+(?:are|have|will|'re|’re|'ve|’ve)\s+(?:now\s+)?(?:be\s+)?)?clos(?:ing|ed)|(?:we|i)\s+(?:will|can)\s+(?:now\s+)?close|(?:we|i)(?:'ll|’ll)\s+(?:now\s+)?close)\s+(?:the\s+|this\s+|your\s+)?(?:support\s+)?(?:case|ticket|request)\b|` +
	`\b(?:case|ticket|request)\s+(?:#?[\w-]+\s+)?(?:is|has\s+been|was)\s+(?:now\s+)?closed\b|` +
	// "I'm marking ticket #BAL-77120 as solved".
	`\bmark(?:ing|ed)?\s+(?:the\s+|this\s+|your\s+)?(?:case|ticket|request)\s+(?:#?[\w-]+\s+)?as\s+(?:solved|resolved|closed)\b`)

// caseSubjectRE finds the subject of a support case's mail: a reply, or
// one that names a case, ticket or request by its number.
var caseSubjectRE = regexp.MustCompile(`(?i)^\s*(?:re|aw|sv|odp|rv|r|antw)\s*:|\b(?:case|ticket|request|incident|sr)\s*(?:#|no\.?|number)?\s*[a-z]{0,5}-?\d{3,}`)

// newsIssueRE finds a subject that names an issue of a vendor's news by
// its season or month: "Moorly news: summer 2027", "Veilpoint Monthly -
// July 2027", "Prodara Insider - June 2027", "June 2027 news".
var newsIssueRE = regexp.MustCompile(`(?i)\b(?:news|monthly|digest|roundup|recap|insider|insights|bulletin|briefing|edition)\s*[:|–—-]\s*` + seasonOrMonth + `(?:\s+\d{4})?\b|\b` + seasonOrMonth + `\s+\d{4}\s+news\b`)

const seasonOrMonth = `(?:spring|summer|autumn|fall|winter|january|february|march|april|may|june|july|august|september|october|november|december)`

// foreignInformational are the words French, Spanish, Dutch and Italian
// mail uses for what informationalPhrases name in English: a newsletter,
// a webinar, a survey, registering for an event.
var foreignInformational = []struct {
	re      gatedRE
	english string
}{
	{mustGated(`(?i)\b(?:nieuwsbrief|lettre d['’]information|bolet[íi]n(?: informativo)?|notiziario)\b`), "newsletter"},
	{mustGated(`(?i)\b(?:webinaire|webinario|webinarie)s?\b`), "webinar"},
	{mustGated(`(?i)\b(?:encuesta|enqu[êe]te|sondaggio)s?\b`), "survey"},
	{mustGated(`(?i)\b(?:inscription|inscrivez-vous|inscr[íi]b(?:a|e)se|reg[íi]strese|iscriviti)\b`), "register"},
	// Portuguese, Italian and Polish.
	{mustGated(`(?i)\b(?:ankieta|ankiety|ankiecie|inqu[ée]rito|question[áa]rio de satisfa[çc][ãa]o)\b`), "survey"},
	{mustGated(`(?i)\b(?:inscri[çc][ãa]o|zapisz\s+si[ęe]|rejestracja)\b`), "register"},
	{mustGated(`(?i)\b(?:manutenzione programmata|manuten[çc][ãa]o programada|planowane prace serwisowe|prace serwisowe)\b`), "scheduled maintenance"},
	{mustGated(`(?i)\b(?:cennik|cenniku|listino prezzi|tabela de pre[çc]os|tabela de tarifas)\b`), "price list"},
}

// investigationUnderWayRE finds the French "investigation under way" of
// a status page, whose "enquête" is no survey.
var investigationUnderWayRE = regexp.MustCompile(`(?i)\benqu[êe]te\s+en\s+cours\b|\bnous\s+enquêtons\b`)

// serviceMessageRE finds a footer saying the mail is a service message
// one cannot unsubscribe from.
var serviceMessageRE = regexp.MustCompile(`(?i)\b(?:service|account|transactional|operational)\s+(?:messages?|e-?mails?|notices?|notifications?)\b[^.]{0,80}?\b(?:cannot|can't|can\s+not)\s+be\s+unsubscribed\b|\byou\s+(?:cannot|can't|can\s+not)\s+unsubscribe\b[^.]{0,40}`)

// foreignUnsubscribeRE finds "unsubscribe" in French, German, Spanish,
// Italian and Dutch mail.
var foreignUnsubscribeRE = mustGated(`(?i)\b(?:se\s+)?d[ée]sabonner\b|\bd[ée]sinscri(?:re|ption)\b|\b(?:newsletter\s+)?abbestellen\b|\bdarse de baja\b|\bcancelar (?:la )?suscripci[óo]n\b|\bannulla(?:re)? (?:l'|la )?iscrizione\b|\buitschrijven\b|\bafmelden\b`)

// preferencesRE finds the link a mailing offers to choose what one
// receives from it: "Manage preferences", "Email preferences",
// "Notification settings", "Manage subscriptions".
var preferencesRE = mustGated(`(?i)\bmanage\s+(?:your\s+)?(?:email\s+|mail\s+|subscription\s+|notification\s+)?(?:preferences|subscriptions)\b|\b(?:email|mail|subscription|notification)\s+(?:preferences|settings)\b`)

// foreignNoActionRE finds "no action is required" in French, German,
// Spanish, Italian and Dutch mail: "Es sind keine Maßnahmen Ihrerseits
// erforderlich", "Sie müssen nichts unternehmen", "aucune action n'est
// requise de votre part".
var foreignNoActionRE = mustGated(`(?i)\bkeine\s+(?:ma(?:ß|ss)nahmen?|aktion|handlung)(?:en)?\s+(?:ihrerseits\s+|von\s+ihnen\s+|Ihrer\s+seite\s+)?(?:erforderlich|notwendig|nötig)|\bkein\s+handlungsbedarf\b|\b(?:sie\s+)?m(?:ü|ue)ssen\s+nichts\s+(?:unternehmen|tun|ändern|veranlassen)\b|\bvous\s+n(?:'|’)avez\s+rien\s+à\s+faire\b|\bno\s+(?:tiene|necesita)\s+(?:que\s+)?hacer\s+nada\b|\baucune\s+(?:action|intervention|démarche)\s+(?:n'est\s+|n’est\s+)?(?:requise|nécessaire)|\bno\s+se\s+requiere\s+(?:ninguna\s+)?acci[óo]n\b|\bnessuna\s+azione\s+(?:è\s+)?richiesta\b|\bgeen\s+actie\s+(?:is\s+)?(?:nodig|vereist)\b|\b(?:u|je)\s+hoeft\s+niets\s+te\s+(?:doen|wijzigen)\b|\bhoeft\s+(?:u|je)\s+niets\s+te\s+(?:doen|wijzigen)\b|` +
	// Italian "non è richiesta alcuna azione", Portuguese "não é necessária
	// qualquer ação", Polish "nie jest wymagane żadne działanie"; and the
	// "Customer action: none" of an advisory.
	`\bnon\s+(?:è|e)\s+(?:richiest[ao]|necessari[ao])\s+alcun[ao]?\s+(?:azione|intervento)\b|\bnon\s+deve\s+fare\s+nulla\b|` +
	`\bn[ãa]o\s+(?:é|e)\s+necess[áa]ri[ao]\s+(?:qualquer|nenhuma)\s+a[çc][ãa]o\b|\bnenhuma\s+a[çc][ãa]o\s+(?:é\s+)?necess[áa]ria\b|\bn[ãa]o\s+precisa\s+de\s+fazer\s+nada\b|` +
	`\bnie\s+jest\s+wymagane\s+(?:żadne\s+)?działanie\b|\bnie\s+wymaga\s+(?:to\s+)?żadnych\s+działań|\bnie\s+musz[ąa]\s+Państwo\s+nic\s+robić|` +
	`\b(?:customer|required|your)\s+action\s*:\s*none\b`)

// asksActionRE finds words that ask the reader to do something or name
// a requirement or a deadline, in English, French, German and Spanish.
var asksActionRE = mustGated(`(?i)\b(?:veuillez|merci de|vous devez|avant le|bitte|(?:sie )?müssen|spätestens|por favor|debe(?:n|rá|rán)?|antes del|please|you (?:must|need to|should|have to|will need to|are required to)|what (?:you need|to do)|action|required|requires?|requirements?|make sure|ensure|update your|deadline|no later than|before (?:then|that date|the))\b`)

// noChangeNeededRE finds a notice saying that nothing of the reader's has
// to change: "No change to your integration, API keys or webhooks is
// needed". The group is a condition after it ("unless …"), which makes
// some readers act.
var noChangeNeededRE = regexp.MustCompile(`(?i)\bno\s+(?:change|changes|action|update|updates)\s+(?:to|on|in|for)\s+your\b[^.;]{0,80}?\b(?:is|are)\s+(?:needed|required|necessary)\b(\s*,?\s*(?:unless|if|except)\b)?`)

// hostRE matches links and host names: their words are addresses, not
// what the email says ("survey.example.com" is no survey).
var hostRE = regexp.MustCompile(`(?i)\b(?:https?://\S+|[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:com|net|org|edu|io|us|co|gov)\b\S*)`)

// percentRE folds "30 %", "30%" and "30 percent" to " %", so offers read as
// "save %" and "% off".
var percentRE = mustGated(`(?i)\s*\b\d{1,3}(?:[.,]\d+)?\s*(?:%|percent\b)`)

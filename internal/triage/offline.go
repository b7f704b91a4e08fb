package triage

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/vendorsync/vendorsync/internal/registry"
)

// Offline triages an email without a language model: deterministic and
// explainable, every conclusion listed in Reasoning with its evidence. It is
// what a tenant gets out of the box; the result still goes through
// Validate, defaults and guardrails in Agent.Decide.
func Offline(e Email, snap registry.Snapshot, s Settings) Decision {
	s = s.normalized()
	body, steering := withoutSteering(truncateBytes(e.Body, maxAnalysedBody), snap)
	e.Body = body
	whole := e
	e.Body = withoutSeparators(e.Body)
	o := &offline{e: e, snap: snap, s: s, lower: strings.ToLower(e.Subject + "\n" + e.Body)}
	o.d = Decision{Source: SourceOffline, Topic: topicOf(e.Subject), Severity: registry.SeverityLow,
		AffectedApplicationIDs: []string{}, MatchedRuleIDs: []string{}, Overrides: []Override{}}
	for _, p := range steering {
		o.note("ignored as an instruction or a claim about how to triage it, not the vendor's notice: %q", truncateBytes(p, 200))
	}
	o.run()
	// The summary leads with the sentence of the decision's effective
	// date, read once.
	o.d.Summary = summarize(whole, whole.Body, o.d.EffectiveDate, s)
	o.d.Reasoning = "- " + strings.Join(o.why, "\n- ")
	return o.d
}

// maxAnalysedBody bounds the part of a body the offline triage reads; a
// vendor notice says what it has to say long before.
const maxAnalysedBody = 256 << 10

type offline struct {
	e     Email
	lower string // subject and body in lower case
	// routing is the email as routing to applications reads it: without
	// what it says is not affected, and a newsletter's other items.
	routing Email
	snap    registry.Snapshot
	s       Settings
	d       Decision
	why     []string
	// underWay: the email is an update on an incident not resolved yet.
	underWay bool
}

func (o *offline) note(format string, args ...any) {
	o.why = append(o.why, fmt.Sprintf(format, args...))
}

func (o *offline) run() {
	if imp, ok := impersonation(o.e, o.snap); ok {
		o.d.Classification, o.d.Impersonation = UnknownVendor, &imp
		o.note("%s; treated as an unknown vendor, whatever the email says", imp)
		return
	}
	vm, ok := matchVendor(o.e, o.snap)
	if !ok {
		o.d.Classification = UnknownVendor
		o.note("no vendor in the registry matches the sender %q, the forwarded senders or the vendors mentioned", o.e.FromAddress)
		return
	}
	v := vm.vendor
	o.d.VendorID = v.ID
	o.d.Topic = conciseTopic(o.e.Subject, v.Name)
	o.note("%s", vm.reason)

	brk, info := breakingSignal(o.e), informationalSignal(o.e)
	o.d.IsBreaking = brk.strong()
	o.d.Classification = Actionable
	o.underWay = incidentUnderWay(o.e)
	others, forOthers := actionOnlyForOthers(o.e, o.snap, v)
	switch {
	case forOthers && !o.underWay:
		o.d.IsBreaking, o.d.Classification = false, Informational
		o.note("informational: the email asks action only of customers who run %s, which no application uses", others)
	case postIncidentReport(o.e, info):
		o.d.IsBreaking, o.d.Classification = false, Informational
		o.note("informational: a report on an incident that is over, which asks nothing of the reader")
	case o.d.IsBreaking:
		o.note("breaking-change language: %s", brk)
	case info.strong() && o.underWay:
		o.note("actionable: an incident still under way, which affects what uses the vendor although the update (%s) asks nothing", info)
	case info.strong():
		o.d.Classification = Informational
		o.note("informational: %s, and no breaking-change language", info)
	default:
		o.note("actionable: no breaking-change language and not a newsletter or notice")
	}

	// An informational email's dates are mostly events (a webinar on …)
	// and offers (… until April 30); only one after a word like "starting"
	// or "effective" is kept, and only from the message itself and not
	// the day a price list or fee schedule applies from: an attached or
	// announced price list's "Effective 1 July" is when the document
	// applies, not a change the notice announces. A digest that gives
	// several such dates, one per item, has no one effective date.
	body := o.e.Body
	if o.d.Classification == Informational {
		body = messageText(body)
	}
	if fd, ok := extractDate(o.e.Subject, body, o.e.FromAddress, o.e.ContentLanguage, o.e.Date, o.s.today(), o.s.Timezone, registryVersions(o.snap, v)...); ok &&
		(o.d.Classification != Informational || fd.saysEffect() && !fd.document && fd.effects < 2) {
		o.d.EffectiveDate = fd.date
		msg := fmt.Sprintf("effective date %s from %q", fd.date, fd.text)
		if fd.note != "" {
			msg += " (" + fd.note + ")"
		}
		o.note("%s", msg)
	}

	skip := vendorTerms(o.snap)
	ix, df := indexesOf(o.snap)
	rules := matchRules(o.snap, df, v, termSet(withEnglishTerms(o.e.Subject+"\n"+o.e.Body)), skip,
		productsIn(strings.ToLower(o.e.Subject+"\n"+o.e.Body), productPhrases(ix, v)))
	if o.underWay && o.d.Classification == Actionable {
		rules = incidentRules(o.snap, v, rules)
		sort.SliceStable(rules, func(i, j int) bool { return rules[i].rule.Severity.Rank() > rules[j].rule.Severity.Rank() })
	}
	if o.d.Classification == Informational {
		rules = o.keepInformationalRules(rules)
	} else if o.d.IsBreaking {
		rules = o.dropInformationalRules(rules)
	}
	for _, m := range rules {
		o.d.MatchedRuleIDs = append(o.d.MatchedRuleIDs, m.rule.ID)
		o.note("rule %q matched on terms %s", m.rule.Name, strings.Join(m.matched, ", "))
	}
	var top *registry.Application
	if o.d.Classification == Actionable {
		o.routing = affectedPart(o.e)
		if info.strong() {
			// A newsletter that also announces a change: its other items
			// reach nothing.
			o.routing = actionPart(o.routing)
		}
		top = o.selectApps(ix, df, skip, v, rules, emailQuery(o.routing, skip))
		if len(o.d.AffectedApplicationIDs) == 0 {
			if pv, ok := passedOnVendor(o.routing, o.snap, v); ok {
				o.note("no application uses %s; the email passes on a notice of %s, whose applications it reaches", v.Name, pv.Name)
				top = o.selectApps(ix, df, skip, pv, nil, emailQuery(o.routing, skip))
			}
		}
	}
	o.decideSeverity(v, rules)
	o.decideOwner(v, rules, top)
}

// keepInformationalRules drops rules that would make an informational
// email urgent: only low-severity rules (about newsletters and the like)
// apply to it.
func (o *offline) keepInformationalRules(rules []ruleMatch) []ruleMatch {
	var kept []ruleMatch
	for _, m := range rules {
		if m.rule.Severity == registry.SeverityLow {
			kept = append(kept, m)
		} else {
			o.note("rule %q not applied: the email is informational", m.rule.Name)
		}
	}
	return kept
}

// dropInformationalRules drops, from a breaking change, the low rules
// that say which mail is informational ("newsletters, webinars and
// maintenance notices that need no action are informational"): the words
// such a rule shares with the email ("maintenance", "requests") do not
// make the change one.
func (o *offline) dropInformationalRules(rules []ruleMatch) []ruleMatch {
	var kept []ruleMatch
	for _, m := range rules {
		if m.rule.Severity == registry.SeverityLow && indexWord(strings.ToLower(m.rule.Text), "informational") >= 0 {
			o.note("rule %q not applied: it is about informational mail, and the email announces a breaking change", m.rule.Name)
			continue
		}
		kept = append(kept, m)
	}
	return kept
}

// decideSeverity is the most severe of the matched rules and the severity
// table.
func (o *offline) decideSeverity(v registry.Vendor, rules []ruleMatch) {
	sev := registry.SeverityLow
	for _, m := range rules {
		sev = maxSeverity(sev, m.rule.Severity)
	}
	if len(rules) > 0 {
		o.note("severity %s from rule %q", rules[0].rule.Severity, rules[0].rule.Name)
	}
	floor, why := severityFloor(o.facts(v))
	if floor.Rank() > sev.Rank() {
		o.note("severity %s: %s", floor, why)
		sev = floor
	}
	o.d.Severity = sev
}

func (o *offline) facts(v registry.Vendor) facts {
	f := facts{classification: o.d.Classification, tier: v.Tier, breaking: o.d.IsBreaking, incident: o.underWay, apps: len(o.d.AffectedApplicationIDs)}
	if !o.d.EffectiveDate.IsZero() {
		f.deadline, f.days = true, o.d.EffectiveDate.DaysAfter(countFrom(o.e, o.s.today(), o.s.Timezone))
	}
	for _, a := range o.snap.Applications {
		if a.IsCritical && containsID(o.d.AffectedApplicationIDs, a.ID) {
			f.criticalApps = append(f.criticalApps, a.Name)
			if onPaymentPath(a.Description, v) {
				f.paymentApps = append(f.paymentApps, a.Name)
			}
		}
	}
	return f
}

// decideOwner takes SLA, owner team and alert channel from the matched
// rules (smallest SLA; owner and channel of the most severe rule that has
// them), else from the vendor tier and the most relevant application.
func (o *offline) decideOwner(v registry.Vendor, rules []ruleMatch, top *registry.Application) {
	for _, m := range rules {
		if m.rule.SLADays != nil && (o.d.SLADays == 0 || *m.rule.SLADays < o.d.SLADays) {
			o.d.SLADays = *m.rule.SLADays
		}
		if o.d.OwnerTeam == "" && m.rule.OwnerTeamID != "" {
			o.d.OwnerTeam = m.rule.OwnerTeamID
			o.d.AlertChannel = m.rule.AlertChannel
			o.note("owner team and alert channel from rule %q", m.rule.Name)
		}
	}
	if o.d.SLADays == 0 {
		o.d.SLADays = o.s.slaDays(v.Tier)
		o.note("SLA %d days: default for %s vendors", o.d.SLADays, v.Tier)
	}
	if o.d.OwnerTeam == "" && top != nil && top.OwnerTeamID != "" {
		o.d.OwnerTeam = top.OwnerTeamID
		o.note("owner team from %s, the most relevant application", top.Name)
	}
}

// separatorRE matches the lines mail clients put around forwarded and
// quoted messages; their words ("message") are not the vendor's.
var separatorRE = mustGated(`(?im)^[\s>]*-{2,}\s*(forwarded message|original message|begin forwarded message)\s*-*\s*$`)

func withoutSeparators(body string) string { return separatorRE.ReplaceAllString(body, "") }

var subjectPrefixRE = regexp.MustCompile(`(?i)^\s*((re|fw|fwd|aw|wg)\s*:|\[[^\]]{1,40}\])\s*`)

// topicOf is the subject without reply/forward prefixes and tags.
func topicOf(subject string) string {
	for {
		s := subjectPrefixRE.ReplaceAllString(subject, "")
		if s == subject {
			break
		}
		subject = s
	}
	subject = strings.Join(strings.Fields(subject), " ")
	if r := []rune(subject); len(r) > 200 {
		subject = string(r[:200])
	}
	return subject
}

// truncateBytes cuts s to at most n bytes, at a character boundary.
func truncateBytes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

func linked(a registry.Application, vendorID string) bool { return containsID(a.VendorIDs, vendorID) }

func containsID(ids []string, id string) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

func containsApp(apps []registry.Application, id string) bool {
	for _, a := range apps {
		if a.ID == id {
			return true
		}
	}
	return false
}

package triage

import (
	"regexp"
	"strings"

	"github.com/vendorsync/vendorsync/internal/registry"
)

// A status page's incident update labels where the incident stands:
// "Investigating", "Identified" or "Monitoring" while it is under way,
// "Resolved" once it is over ("[Identified] Sign-in failures", "== Resolved
// ==", "Current status: Investigating", "03:22 UTC - Identified"). An
// incident still under way at a vendor that applications sign in with or
// are served through affects them now, even when the update asks nothing
// of the reader ("No action is needed on your side"); a resolved one that
// asks nothing is a report.

// incidentStatusRE finds a status label: the word at the start of a line,
// in brackets, between "==", after "status:" or "update:", or after a dash,
// and followed by the end of the label.
var incidentStatusRE = regexp.MustCompile(`(?im)(?:^|\[|==\s*|\b(?:status|statuss|statusas|olek|stav|tila|tilanne|update)\s*:\s*|\s[-–]\s+)(investigating|identified|monitoring|resolved)\s*(?:$|\]|==|:|[-–]\s)`)

// incidentWordRE says the email is about an incident or an outage.
var incidentWordRE = regexp.MustCompile(`(?i)\b(?:incidents?|outage|status|statuss|statusas)\b`)

// incidentUnderWay reports whether the email is an update on an incident
// that is not resolved yet: a status label says it is under way and none
// says it is resolved.
func incidentUnderWay(e Email) bool {
	text := inEnglishStatus(e.Subject + "\n" + e.Body)
	if !incidentStatusRE.MatchString(text) || !incidentWordRE.MatchString(text) && !statusSender(e.FromAddress) {
		return false
	}
	underWay := false
	for _, m := range incidentStatusRE.FindAllStringSubmatch(text, -1) {
		if strings.EqualFold(m[1], "resolved") {
			return false
		}
		underWay = true
	}
	return underWay
}

// statusSender reports whether an address is a status page's
// ("status@vendor.example", "noreply@status.vendor.example"): its updates
// are about incidents whether or not they use the word.
func statusSender(addr string) bool {
	local, host, ok := strings.Cut(strings.ToLower(addr), "@")
	return ok && (local == "status" || local == "statuss" || strings.HasPrefix(host, "status.") || strings.Contains(host, ".status."))
}

// anyIncidentRE finds a rule's words that cover every incident at its
// vendor: "and any Fastmoor incident, are high".
var anyIncidentRE = regexp.MustCompile(`(?i)\bany\s+(?:[\p{L}\d.&-]+\s+){0,2}?incidents?\b`)

// incidentRules adds to rules the active rules of the vendor that cover
// any incident of theirs, for an email about an incident under way: the
// rule is about the incident, whatever words the update uses.
func incidentRules(snap registry.Snapshot, v registry.Vendor, rules []ruleMatch) []ruleMatch {
	for _, r := range snap.Rules {
		if !r.IsActive || r.VendorID != v.ID || !anyIncidentRE.MatchString(r.Text) {
			continue
		}
		if strings.Contains(strings.ToLower(anyIncidentRE.FindString(r.Text)), "security") {
			// "any security incident" is not about an outage.
			continue
		}
		have := false
		for _, m := range rules {
			have = have || m.rule.ID == r.ID
		}
		if have {
			continue
		}
		m := ruleMatch{rule: r, matched: []string{"an incident under way"}}
		for _, a := range snap.Applications {
			if containsWord(r.Text, a.Name) {
				m.apps = append(m.apps, a)
			}
		}
		rules = append(rules, m)
	}
	return rules
}

// postIncidentRE finds a report on an incident that is over, as its
// subject or first line names it: "Post-incident report: …", "Incident
// review", "Postmortem", "Root cause analysis".
var postIncidentRE = regexp.MustCompile(`(?i)\b(?:post[- ]?incident\s+(?:report|review|summary)|post[- ]?mortem|incident\s+(?:report|review|summary)|root[- ]cause\s+analysis|rca)\b`)

// postIncidentReport reports whether the email is a report on a past
// incident, or a status update that labels it resolved, that asks nothing
// of the reader (info is its informational
// signal): what it says broke, expired or was disabled is the story of
// the incident, not a change to act on.
func postIncidentReport(e Email, info signal) bool {
	head := e.Subject + "\n" + e.Body[:min(len(e.Body), 300)]
	if !postIncidentRE.MatchString(head) && !incidentResolved(e) {
		return false
	}
	return (saysNoAction(info) || !asksActionRE.MatchString(e.Body)) && !incidentUnderWay(e)
}

// incidentResolved reports whether the email is a status update that
// labels an incident resolved ("[Resolved] …", "Resolved - 10:32 UTC").
func incidentResolved(e Email) bool {
	raw := e.Subject + "\n" + e.Body
	if !strings.Contains(strings.ToLower(raw), "resolved") && !foreignStatusRE.mayMatch(raw) {
		return false // no label can say so
	}
	text := inEnglishStatus(raw)
	if !incidentWordRE.MatchString(text) && !statusSender(e.FromAddress) {
		return false
	}
	for _, m := range incidentStatusRE.FindAllStringSubmatch(text, -1) {
		if strings.EqualFold(m[1], "resolved") {
			return true
		}
	}
	return false
}

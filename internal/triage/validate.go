package triage

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/vendorsync/vendorsync/internal/registry"
)

// ErrInvalidDecision marks a proposed decision that cannot be repaired by
// dropping parts of it: an unknown classification or severity.
var ErrInvalidDecision = errors.New("triage: invalid decision")

// Limits on the free text of a decision.
const (
	maxTopic     = 200
	maxReasoning = 8000
)

// Validate checks a proposed decision against the tenant's registry, after
// any triage. Only ids of the snapshot survive: an unknown vendor makes the
// email unknown_vendor, unknown applications and rules are dropped, a rule
// about another vendor is dropped, an owner team no application or rule
// names is dropped, an alert channel no rule names is dropped, and an SLA
// outside 1..3650 days is cleared for the defaults to fill; a summary loses
// its control characters and is cut at a sentence boundary to MaxSummary
// characters. Each change is recorded as an Override. An out-of-enum
// classification or severity is an error wrapping ErrInvalidDecision: there
// is nothing safe to replace it with.
func Validate(d Decision, snap registry.Snapshot) (Decision, error) {
	if !d.Classification.Valid() {
		return d, fmt.Errorf("%w: classification %q is not one of actionable, informational, unknown_vendor", ErrInvalidDecision, d.Classification)
	}
	if !d.Severity.Valid() {
		return d, fmt.Errorf("%w: severity %q is not one of critical, high, medium, low", ErrInvalidDecision, d.Severity)
	}
	d.Overrides = append([]Override{}, d.Overrides...)
	vendors := map[string]registry.Vendor{}
	for _, v := range snap.Vendors {
		vendors[v.ID] = v
	}
	_, known := vendors[d.VendorID]
	switch {
	case d.VendorID != "" && !known:
		d.override("vendor_id", d.VendorID, "", "not a vendor of this tenant")
		d.VendorID = ""
		if d.Classification != UnknownVendor {
			d.override("classification", string(d.Classification), string(UnknownVendor), "no known vendor")
			d.Classification = UnknownVendor
		}
	case d.VendorID == "" && d.Classification != UnknownVendor:
		d.override("classification", string(d.Classification), string(UnknownVendor), "no vendor given")
		d.Classification = UnknownVendor
	case known && d.Classification == UnknownVendor:
		d.override("classification", string(UnknownVendor), string(Actionable), "vendor "+vendors[d.VendorID].Name+" was identified")
		d.Classification = Actionable
	}

	apps := map[string]bool{}
	teams := map[string]bool{}
	for _, a := range snap.Applications {
		apps[a.ID] = true
		teams[a.OwnerTeamID] = a.OwnerTeamID != ""
	}
	rules := map[string]registry.Rule{}
	channels := map[string]bool{}
	for _, r := range snap.Rules {
		rules[r.ID] = r
		teams[r.OwnerTeamID] = teams[r.OwnerTeamID] || r.OwnerTeamID != ""
		channels[r.AlertChannel] = r.AlertChannel != ""
	}
	d.AffectedApplicationIDs = keepIDs(&d, "affected_application_ids", d.AffectedApplicationIDs, func(id string) string {
		if !apps[id] {
			return "not an application of this tenant"
		}
		return ""
	})
	d.MatchedRuleIDs = keepIDs(&d, "matched_rule_ids", d.MatchedRuleIDs, func(id string) string {
		r, ok := rules[id]
		switch {
		case !ok:
			return "not a rule of this tenant"
		case r.VendorID != "" && r.VendorID != d.VendorID:
			return "rule " + r.Name + " is about another vendor"
		}
		return ""
	})
	if d.OwnerTeam != "" && !teams[d.OwnerTeam] {
		d.override("owner_team", d.OwnerTeam, "", "no application or rule of this tenant is owned by this team")
		d.OwnerTeam = ""
	}
	if d.AlertChannel != "" && !channels[d.AlertChannel] {
		d.override("alert_channel", d.AlertChannel, "", "no rule of this tenant alerts this channel")
		d.AlertChannel = ""
	}
	if d.SLADays != 0 && (d.SLADays < MinSLADays || d.SLADays > MaxSLADays) {
		d.override("sla_days", fmt.Sprint(d.SLADays), "", fmt.Sprintf("outside %d..%d days", MinSLADays, MaxSLADays))
		d.SLADays = 0
	}
	d.Topic = truncate(strings.TrimSpace(d.Topic), maxTopic)
	d.Reasoning = truncate(strings.TrimSpace(d.Reasoning), maxReasoning)
	d.Summary = cleanSummary(d.Summary)
	if s, cut := limitSummary(d.Summary); cut {
		d.override("summary", fmt.Sprintf("%d characters", utf8.RuneCountInString(d.Summary)),
			fmt.Sprintf("%d characters", utf8.RuneCountInString(s)),
			fmt.Sprintf("longer than %d characters: cut at a sentence boundary", MaxSummary))
		d.Summary = s
	}
	return d, nil
}

// keepIDs drops duplicate ids and those reject has a reason against,
// recording an Override for each rejected one.
func keepIDs(d *Decision, field string, ids []string, reject func(string) string) []string {
	out := []string{}
	seen := map[string]bool{}
	for _, id := range ids {
		if seen[id] {
			continue
		}
		seen[id] = true
		if why := reject(id); why != "" {
			d.override(field, id, "", why)
			continue
		}
		out = append(out, id)
	}
	return out
}

func truncate(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

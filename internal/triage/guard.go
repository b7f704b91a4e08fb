package triage

import (
	"fmt"
	"slices"
	"strings"

	"github.com/vendorsync/vendorsync/internal/registry"
)

// fillDefaults completes a validated decision from the registry: the SLA
// from the matched rules (smallest) or the vendor tier, the owner team and
// alert channel from the most severe matched rule that has them, else the
// owner of the first affected application. Each filled field is recorded.
func fillDefaults(d Decision, snap registry.Snapshot, s Settings) Decision {
	v, ok := vendorByID(snap, d.VendorID)
	if !ok {
		return d
	}
	var matched []registry.Rule
	for _, r := range snap.Rules {
		if containsID(d.MatchedRuleIDs, r.ID) {
			matched = append(matched, r)
		}
	}
	mostSevereFirst(matched)
	if d.SLADays == 0 {
		sla, why := 0, ""
		for _, r := range matched {
			if r.SLADays != nil && (sla == 0 || *r.SLADays < sla) {
				sla, why = *r.SLADays, "smallest SLA of the matched rules (rule "+r.Name+")"
			}
		}
		if sla == 0 {
			sla, why = s.slaDays(v.Tier), "default for "+string(v.Tier)+" vendors"
		}
		d.override("sla_days", "", fmt.Sprint(sla), why)
		d.SLADays = sla
	}
	for _, r := range matched {
		if d.OwnerTeam == "" && r.OwnerTeamID != "" {
			d.override("owner_team", "", r.OwnerTeamID, "from rule "+r.Name)
			d.OwnerTeam = r.OwnerTeamID
		}
		if d.AlertChannel == "" && r.AlertChannel != "" {
			d.override("alert_channel", "", r.AlertChannel, "from rule "+r.Name)
			d.AlertChannel = r.AlertChannel
		}
	}
	if d.OwnerTeam == "" {
		for _, a := range snap.Applications {
			if a.OwnerTeamID != "" && len(d.AffectedApplicationIDs) > 0 && a.ID == d.AffectedApplicationIDs[0] {
				d.override("owner_team", "", a.OwnerTeamID, "owner of "+a.Name)
				d.OwnerTeam = a.OwnerTeamID
			}
		}
	}
	return d
}

// ApplyGuardrails raises what the email's own words and the registry
// demand, whatever the model said; it never lowers anything, and every
// change is an Override. It cannot be talked out of anything by the email:
// it reads the email only for evidence that makes a change more urgent.
//
//   - a sender (or forwarded sender) domain of a registry vendor fills in a
//     missing vendor;
//   - breaking-change language makes the change breaking, and an
//     informational email with it actionable;
//   - a date in the email sooner than the decision's counts as the deadline;
//   - the severity table (see severityFloor) raises severity; it covers the
//     seed's rule tier_1 vendor + breaking + low/medium → high, since its
//     table makes a tier_1 vendor's breaking change critical.
func ApplyGuardrails(d Decision, e Email, snap registry.Snapshot, s Settings) Decision {
	s = s.normalized()
	e.Body, _ = withoutSteering(truncateBytes(e.Body, maxAnalysedBody), snap)
	d.Overrides = append([]Override{}, d.Overrides...)
	if d.Impersonation != nil {
		return d // no vendor, no ticket: nothing to raise
	}
	if d.VendorID == "" {
		if vm, ok := vendorBySender(e, snap); ok {
			d.override("vendor_id", "", vm.vendor.ID, vm.reason)
			d.VendorID = vm.vendor.ID
			class := Actionable
			if info := informationalSignal(e); info.strong() && !breakingSignal(e).strong() {
				class = Informational
			}
			d.override("classification", string(d.Classification), string(class), "a known vendor sent it")
			d.Classification = class
		}
	}
	v, ok := vendorByID(snap, d.VendorID)
	if !ok {
		return d
	}
	if _, forOthers := actionOnlyForOthers(e, snap, v); forOthers && d.Classification == Informational {
		// The email asks action only of customers who run what no
		// application uses: its breaking words are not for us.
	} else if brk := breakingSignal(e); brk.strong() {
		if !d.IsBreaking {
			d.override("is_breaking", "false", "true", "the email says "+brk.String())
			d.IsBreaking = true
		}
		if d.Classification == Informational {
			d.override("classification", string(Informational), string(Actionable), "breaking-change language in the email")
			d.Classification = Actionable
		}
	}
	if d.Classification == Actionable && len(d.AffectedApplicationIDs) > 0 && paymentWordRE.MatchString(e.Subject+"\n"+e.Body) {
		// A change to the payments of an application the model chose
		// reaches the applications whose payments go through it, and
		// the ones that pay through the vendor itself.
		ix, _ := indexesOf(snap)
		paying := map[string]bool{}
		for _, id := range d.AffectedApplicationIDs {
			paying[id] = true
		}
		for _, a := range paidWithVendor(ix, v, paying, e.Subject+"\n"+e.Body) {
			before := strings.Join(d.AffectedApplicationIDs, ",")
			d.AffectedApplicationIDs = append(d.AffectedApplicationIDs, a.ID)
			paying[a.ID] = true
			d.override("affected_application_ids", before, strings.Join(d.AffectedApplicationIDs, ","),
				a.Name+": its payments go through "+v.Name+", whose payments the change is about")
		}
		for _, dep := range paidThrough(ix, paying) {
			before := strings.Join(d.AffectedApplicationIDs, ",")
			d.AffectedApplicationIDs = append(d.AffectedApplicationIDs, dep.app.ID)
			d.override("affected_application_ids", before, strings.Join(d.AffectedApplicationIDs, ","),
				dep.app.Name+": its payments go through "+dep.via+", which the change reaches")
		}
	}
	if d.Classification == Actionable {
		// The applications whose messages are exchanged through one the
		// model chose.
		ix, _ := indexesOf(snap)
		for _, dep := range exchangedThrough(ix, d.AffectedApplicationIDs, strings.ToLower(e.Subject+"\n"+e.Body)) {
			before := strings.Join(d.AffectedApplicationIDs, ",")
			d.AffectedApplicationIDs = append(d.AffectedApplicationIDs, dep.app.ID)
			d.override("affected_application_ids", before, strings.Join(d.AffectedApplicationIDs, ","),
				dep.app.Name+": its messages are exchanged through "+dep.via+", which the change reaches")
		}
	}
	today := s.today()
	from := countFrom(e, today, s.Timezone)
	f := facts{classification: d.Classification, tier: v.Tier, breaking: d.IsBreaking, apps: len(d.AffectedApplicationIDs)}
	if !d.EffectiveDate.IsZero() && !d.EffectiveDate.Before(from) {
		f.deadline, f.days = true, d.EffectiveDate.DaysAfter(from)
	}
	if fd, ok := extractDate(e.Subject, e.Body, e.FromAddress, e.ContentLanguage, e.Date, today, s.Timezone, registryVersions(snap, v)...); ok && d.Classification == Actionable &&
		(!f.deadline || fd.date.DaysAfter(from) < f.days) {
		f.deadline, f.days = true, fd.date.DaysAfter(from)
		if d.EffectiveDate.IsZero() {
			d.override("effective_date", "", fd.date.String(), fmt.Sprintf("read from %q", fd.text))
			d.EffectiveDate = fd.date
		}
	}
	for _, a := range snap.Applications {
		if a.IsCritical && containsID(d.AffectedApplicationIDs, a.ID) {
			f.criticalApps = append(f.criticalApps, a.Name)
			if onPaymentPath(a.Description, v) {
				f.paymentApps = append(f.paymentApps, a.Name)
			}
		}
	}
	if floor, why := severityFloor(f); floor.Rank() > d.Severity.Rank() {
		d.override("severity", string(d.Severity), string(floor), why)
		d.Severity = floor
	}
	return d
}

// vendorBySender is vendor matching on the sender and forwarded-sender
// domains only: evidence the email's text cannot fake by mentioning names.
func vendorBySender(e Email, snap registry.Snapshot) (vendorMatch, bool) {
	vm, ok := matchVendor(Email{FromAddress: e.FromAddress, ForwardedSenders: e.ForwardedSenders}, snap)
	return vm, ok
}

func vendorByID(snap registry.Snapshot, id string) (registry.Vendor, bool) {
	for _, v := range snap.Vendors {
		if id != "" && v.ID == id {
			return v, true
		}
	}
	return registry.Vendor{}, false
}

func mostSevereFirst(rules []registry.Rule) {
	slices.SortStableFunc(rules, func(a, b registry.Rule) int { return b.Severity.Rank() - a.Severity.Rank() })
}

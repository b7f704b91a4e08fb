package triage

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/vendorsync/vendorsync/internal/registry"
)

// facts are what the severity table ("Business Rules Reference") looks at.
type facts struct {
	classification Classification
	tier           registry.Tier
	breaking       bool
	// incident: an incident is under way, which breaks what uses the
	// vendor now.
	incident     bool
	deadline     bool // an effective date is known
	days         int  // days from today to the effective date
	criticalApps []string
	// paymentApps are the critical applications among them that process
	// payments (the seed's "payment-critical apps").
	paymentApps []string
	apps        int
}

// severityFloor applies the seed's severity table to a change and returns
// the least severity it allows with the reason. The table's triggers are
// read as applying to actionable changes: "vendor tier_1 → critical" alone
// would make every Visa newsletter critical, so vendor tier and critical
// applications raise severity for breaking changes, and the deadline
// thresholds (< 30 days critical, 30–90 days high) decide the rest. A
// tier_1 vendor's breaking change is critical whichever applications it
// reaches, as the table says (the seed's guardrail, tier_1 + breaking →
// at least high, is met by it).
//
//	critical  breaking, effective in < 30 days
//	critical  breaking, affects a payment-critical application
//	critical  breaking, tier_1 vendor
//	high      breaking, effective in 30–90 days
//	high      breaking, tier_2 vendor
//	high      breaking, affects two or more critical applications
//	medium    any other breaking change
//	          (an incident under way is read as a breaking change)
//	medium    a non-breaking actionable change from a tier_1 or tier_2 vendor
//	low       informational, unknown vendor, or a non-breaking tier_3 change
func severityFloor(f facts) (registry.Severity, string) {
	if f.classification != Actionable {
		return registry.SeverityLow, ""
	}
	if f.breaking || f.incident {
		what := "breaking change"
		if !f.breaking {
			what = "incident under way"
		}
		switch {
		case f.deadline && f.days < 30:
			return registry.SeverityCritical, fmt.Sprintf("%s effective in %d days (< 30)", what, f.days)
		case len(f.paymentApps) > 0:
			return registry.SeverityCritical, what + " affecting payment-critical applications " + strings.Join(f.paymentApps, ", ")
		case f.tier == registry.Tier1:
			return registry.SeverityCritical, what + " from a tier_1 vendor"
		case f.deadline && f.days <= 90:
			return registry.SeverityHigh, fmt.Sprintf("%s effective in %d days (30–90)", what, f.days)
		case f.tier == registry.Tier2:
			return registry.SeverityHigh, what + " from a tier_2 vendor"
		case len(f.criticalApps) >= 2:
			return registry.SeverityHigh, what + " affecting several critical applications (" +
				strings.Join(f.criticalApps, ", ") + ")"
		}
		return registry.SeverityMedium, what
	}
	switch {
	case f.deadline && f.days < 30:
		// A deadline set by the vendor is one, breaking words or not:
		// "the consents expire within two weeks".
		return registry.SeverityCritical, fmt.Sprintf("action needed within %d days (< 30)", f.days)
	case f.deadline && f.days <= 90:
		return registry.SeverityHigh, fmt.Sprintf("action needed within %d days (30–90)", f.days)
	}
	if f.tier == registry.Tier1 || f.tier == registry.Tier2 {
		return registry.SeverityMedium, "actionable change from a " + string(f.tier) + " vendor"
	}
	return registry.SeverityLow, ""
}

// deadlineFrom is the day a deadline's days are counted from: the day the
// email was sent, as the notice counts them whatever the reader's clock
// says (a notice giving 60 days is a 30–90-day deadline, read the same day
// or weeks later); today when the email has no date.
func deadlineFrom(today Date, sent time.Time, loc *time.Location) Date {
	if sent.IsZero() {
		return today
	}
	return DateOf(sent, loc)
}

// countFrom is the day an email's deadlines count from: the day it was
// sent or, for a forward, the day the forwarded message was (its header
// line inside the body, at most maxForwardDays before the forward).
func countFrom(e Email, today Date, loc *time.Location) Date {
	from := deadlineFrom(today, e.Date, loc)
	if e.Date.IsZero() {
		return from
	}
	for _, line := range unwrapped(e.Body) {
		if !isHeaderLine(line) {
			continue
		}
		if fwd, ok := forwardedSentBefore(line, from); ok {
			return fwd
		}
	}
	return from
}

// maxSeverity is the more urgent of a and b.
func maxSeverity(a, b registry.Severity) registry.Severity {
	if b.Rank() > a.Rank() {
		return b
	}
	return a
}

// onPaymentPath reports whether an application processes payments (a
// payment service or gateway, one that authorises or processes card
// payments itself) and uses the vendor for a step of a payment: a clause
// of its description names the vendor with a payment, a capture, an
// authorisation, a refund or a charge ("every order is screened by the
// vendor before capture"). A feed it reads beside its payments ("polls
// the rates feed every 2 hours, and processes card payments") is not on
// the payment path.
func onPaymentPath(desc string, v registry.Vendor) bool {
	if !paymentProcessorRE.MatchString(desc) {
		return false
	}
	for _, s := range sentences(desc) {
		for _, c := range clauseSepRE.Split(s, -1) {
			if paymentStepRE.MatchString(c) && namesVendor(strings.ToLower(c), v) {
				return true
			}
		}
	}
	return false
}

var (
	paymentProcessorRE = regexp.MustCompile(`(?i)\bpayment (?:service|gateway|hub|processing)\b|\b(?:authoris|authoriz)(?:es|e|ing)\b[^.]{0,40}\b(?:cards?|payments?)\b|\bprocesses (?:card )?payments\b`)
	paymentStepRE      = regexp.MustCompile(`(?i)\b(?:payments?|captures?|captured|authori[sz](?:es|e|ed|ing|ations?)|refunds?|refunded|charges?|charged|checkout|3-d secure)\b`)
)

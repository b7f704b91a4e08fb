// Package setting holds a tenant's system settings (time zone, working
// hours, escalation thresholds, SLA fallbacks, audit retention, SSO
// provisioning) and its stored secrets. Settings are typed here and stored as
// one JSON value per key; a key never written reads as its default.
package setting

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/auth"
)

// The setting keys, as stored and as named in the API.
const (
	KeyTimezone           = "defaults.timezone"
	KeyWorkingHours       = "defaults.working_hours"
	KeyThresholdsDays     = "escalation.thresholds_days"
	KeySLADaysByTier      = "defaults.sla_days_by_tier"
	KeyAuditRetentionDays = "audit.retention_days"
	KeyAutoProvision      = "auth.auto_provision"
	KeyDefaultRole        = "auth.default_role"
	KeyMinConfidence      = "triage.min_confidence_percent"
	KeyLegalName          = "reports.legal_name"
	KeyLocale             = "reports.locale"
	KeyCurrency           = "reports.currency"
)

// Keys lists every setting key in display order.
var Keys = []string{KeyTimezone, KeyWorkingHours, KeyThresholdsDays, KeySLADaysByTier,
	KeyAuditRetentionDays, KeyAutoProvision, KeyDefaultRole, KeyMinConfidence, KeyLegalName, KeyLocale, KeyCurrency}

// ReportLocales lists the locales reports can be written in.
var ReportLocales = []string{"de-DE", "en-GB", "en-US", "fr-FR"}

// WorkingHours are the business hours escalations are scheduled in, as
// 24-hour "HH:MM" local times in the tenant's time zone.
type WorkingHours struct {
	Start string `json:"start" example:"09:00" doc:"Start of the working day, HH:MM."`
	End   string `json:"end" example:"18:00" doc:"End of the working day, HH:MM; after start."`
}

// SLADays is the fallback SLA, in days, by vendor tier.
type SLADays struct {
	Tier1 int `json:"tier_1" example:"14" doc:"Days for tier 1 (critical) vendors."`
	Tier2 int `json:"tier_2" example:"30" doc:"Days for tier 2 vendors."`
	Tier3 int `json:"tier_3" example:"60" doc:"Days for tier 3 vendors."`
}

// Settings is a tenant's whole configuration, defaults filled in.
type Settings struct {
	Timezone                 string       `json:"defaults.timezone" doc:"IANA time zone used to read effective dates, e.g. Europe/Berlin."`
	WorkingHours             WorkingHours `json:"defaults.working_hours" doc:"Business hours for escalation scheduling."`
	EscalationThresholdsDays []int        `json:"escalation.thresholds_days" doc:"Days before a deadline at which to escalate, strictly descending."`
	SLADaysByTier            SLADays      `json:"defaults.sla_days_by_tier" doc:"Fallback SLA by vendor tier when no rule sets one."`
	AuditRetentionDays       int          `json:"audit.retention_days" doc:"How long audit rows are kept, in days."`
	AutoProvision            bool         `json:"auth.auto_provision" doc:"Create an account at a person's first SSO sign-in."`
	DefaultRole              auth.Role    `json:"auth.default_role" enum:"change_manager,procurement_analyst,owner,viewer" doc:"Role given to auto-provisioned accounts."`
	MinConfidencePercent     int          `json:"triage.min_confidence_percent" doc:"Triage confidence (0-100) below which an email waits in the triage queue for a person instead of opening a ticket; 0 never waits."`
	LegalName                string       `json:"reports.legal_name" doc:"The organisation's legal name on reports; empty uses the organisation's name."`
	Locale                   string       `json:"reports.locale" enum:"de-DE,en-GB,en-US,fr-FR" doc:"How reports write numbers and dates (de-DE: decimal comma, day first)."`
	Currency                 string       `json:"reports.currency" doc:"ISO 4217 code of the reporting currency, e.g. EUR."`
}

// Defaults returns the settings of a tenant that has changed nothing.
func Defaults() Settings {
	return Settings{
		Timezone:                 "UTC",
		WorkingHours:             WorkingHours{Start: "09:00", End: "18:00"},
		EscalationThresholdsDays: []int{7, 3, 1},
		SLADaysByTier:            SLADays{Tier1: 14, Tier2: 30, Tier3: 60},
		AuditRetentionDays:       1825,
		AutoProvision:            true,
		DefaultRole:              auth.RoleViewer,
		MinConfidencePercent:     50,
		Locale:                   "en-US",
		Currency:                 "USD",
	}
}

// Limits of the numeric settings.
const (
	MinAuditRetentionDays = 30
	MaxAuditRetentionDays = 36500
	MaxSLADays            = 3650
	MaxThresholds         = 10
	MaxLegalName          = 200
)

// currency reports whether c looks like an ISO 4217 code.
func currency(c string) bool {
	if len(c) != 3 {
		return false
	}
	for _, r := range c {
		if r < 'A' || r > 'Z' {
			return false
		}
	}
	return true
}

// fields maps each key to the field holding its value, for storage.
func (s *Settings) fields() map[string]any {
	return map[string]any{
		KeyTimezone:           &s.Timezone,
		KeyWorkingHours:       &s.WorkingHours,
		KeyThresholdsDays:     &s.EscalationThresholdsDays,
		KeySLADaysByTier:      &s.SLADaysByTier,
		KeyAuditRetentionDays: &s.AuditRetentionDays,
		KeyAutoProvision:      &s.AutoProvision,
		KeyDefaultRole:        &s.DefaultRole,
		KeyMinConfidence:      &s.MinConfidencePercent,
		KeyLegalName:          &s.LegalName,
		KeyLocale:             &s.Locale,
		KeyCurrency:           &s.Currency,
	}
}

// Validate reports every invalid setting at once, by key.
func (s Settings) Validate() error {
	var v apperr.Validation
	if s.Timezone == "" || s.Timezone == "Local" {
		v.Add(KeyTimezone, "must be an IANA time zone such as UTC or Europe/Berlin")
	} else if _, err := time.LoadLocation(s.Timezone); err != nil {
		v.Add(KeyTimezone, "%q is not a known IANA time zone", s.Timezone)
	}
	start, okStart := clock(s.WorkingHours.Start)
	end, okEnd := clock(s.WorkingHours.End)
	switch {
	case !okStart:
		v.Add(KeyWorkingHours+".start", "must be a time HH:MM, e.g. 09:00")
	case !okEnd:
		v.Add(KeyWorkingHours+".end", "must be a time HH:MM, e.g. 18:00")
	case end <= start:
		v.Add(KeyWorkingHours+".end", "must be after the start")
	}
	v.Check(len(s.EscalationThresholdsDays) <= MaxThresholds, KeyThresholdsDays, "at most %d thresholds", MaxThresholds)
	for i, d := range s.EscalationThresholdsDays {
		if d <= 0 || d > MaxSLADays {
			v.Add(KeyThresholdsDays, "every threshold must be between 1 and %d days", MaxSLADays)
			break
		}
		if i > 0 && d >= s.EscalationThresholdsDays[i-1] {
			v.Add(KeyThresholdsDays, "thresholds must be strictly descending, e.g. [7, 3, 1]")
			break
		}
	}
	for _, t := range []struct {
		name string
		days int
	}{{"tier_1", s.SLADaysByTier.Tier1}, {"tier_2", s.SLADaysByTier.Tier2}, {"tier_3", s.SLADaysByTier.Tier3}} {
		v.Check(t.days >= 1 && t.days <= MaxSLADays, KeySLADaysByTier+"."+t.name, "must be between 1 and %d days", MaxSLADays)
	}
	v.Check(s.AuditRetentionDays >= MinAuditRetentionDays && s.AuditRetentionDays <= MaxAuditRetentionDays,
		KeyAuditRetentionDays, "must be between %d and %d days", MinAuditRetentionDays, MaxAuditRetentionDays)
	v.Check(s.MinConfidencePercent >= 0 && s.MinConfidencePercent <= 100, KeyMinConfidence, "must be between 0 and 100 (percent)")
	v.Check(len(s.LegalName) <= MaxLegalName && !strings.ContainsAny(s.LegalName, "\r\n"), KeyLegalName,
		"must be one line of at most %d characters", MaxLegalName)
	v.Check(slices.Contains(ReportLocales, s.Locale), KeyLocale, "must be one of %s", strings.Join(ReportLocales, ", "))
	v.Check(currency(s.Currency), KeyCurrency, "must be an ISO 4217 code of three capital letters, e.g. EUR")
	switch {
	case !s.DefaultRole.Valid():
		v.Add(KeyDefaultRole, "must be one of change_manager, procurement_analyst, owner, viewer")
	case s.DefaultRole == auth.RoleAdmin:
		v.Add(KeyDefaultRole, "accounts created at sign-in cannot be admins; list admins in VENDORSYNC_BOOTSTRAP_ADMINS instead")
	}
	return v.Err()
}

// clock parses "HH:MM" into minutes after midnight.
func clock(s string) (int, bool) {
	t, err := time.Parse("15:04", s)
	if err != nil || len(s) != 5 {
		return 0, false
	}
	return t.Hour()*60 + t.Minute(), true
}

// Location returns the tenant's time zone (UTC if it cannot be loaded,
// which validation prevents).
func (s Settings) Location() *time.Location {
	loc, err := time.LoadLocation(s.Timezone)
	if err != nil {
		return time.UTC
	}
	return loc
}

// Provisioning returns the SSO provisioning policy these settings describe.
func (s Settings) Provisioning() auth.ProvisionPolicy {
	return auth.ProvisionPolicy{AutoProvision: s.AutoProvision, DefaultRole: s.DefaultRole}
}

// SLADaysFor returns the fallback SLA for a vendor tier ("tier_1"…).
func (s Settings) SLADaysFor(tier string) (int, error) {
	switch tier {
	case "tier_1":
		return s.SLADaysByTier.Tier1, nil
	case "tier_2":
		return s.SLADaysByTier.Tier2, nil
	case "tier_3":
		return s.SLADaysByTier.Tier3, nil
	}
	return 0, fmt.Errorf("setting.SLADaysFor: unknown vendor tier %q", tier)
}

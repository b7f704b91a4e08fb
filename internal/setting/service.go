package setting

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/audit"
	"github.com/vendorsync/vendorsync/internal/auth"
)

// Store keeps settings as JSON text per key and tenant.
type Store interface {
	// Settings returns the stored values of a tenant, by key.
	Settings(ctx context.Context, tenantID string) (map[string]string, error)
	// SaveSettings writes values (key → JSON) and the audit event in one transaction.
	SaveSettings(ctx context.Context, tenantID string, values map[string]string, updatedBy string, ev audit.Event) error
}

// Service reads and changes a tenant's settings.
type Service struct {
	Store Store
}

// Patch is a partial update: only the keys present change. Each value is
// replaced whole (the working hours, tiers and thresholds included).
type Patch struct {
	Timezone                 *string       `json:"defaults.timezone,omitempty" doc:"IANA time zone, e.g. Europe/Berlin."`
	WorkingHours             *WorkingHours `json:"defaults.working_hours,omitempty" doc:"Business hours, both start and end."`
	EscalationThresholdsDays *[]int        `json:"escalation.thresholds_days,omitempty" doc:"Days before a deadline, strictly descending, e.g. [7, 3, 1]."`
	SLADaysByTier            *SLADays      `json:"defaults.sla_days_by_tier,omitempty" doc:"Fallback SLA for every tier."`
	AuditRetentionDays       *int          `json:"audit.retention_days,omitempty" doc:"Days to keep audit rows (30 to 36500)."`
	AutoProvision            *bool         `json:"auth.auto_provision,omitempty" doc:"Create accounts at first SSO sign-in."`
	DefaultRole              *auth.Role    `json:"auth.default_role,omitempty" doc:"Role of auto-provisioned accounts: change_manager, owner or viewer."`
	MinConfidencePercent     *int          `json:"triage.min_confidence_percent,omitempty" doc:"Triage confidence (0-100) below which an email waits for a person; 0 never waits."`
	LegalName                *string       `json:"reports.legal_name,omitempty" maxLength:"200" doc:"Legal name on reports; empty uses the organisation's name."`
	Locale                   *string       `json:"reports.locale,omitempty" doc:"Locale of reports: de-DE, en-GB, en-US or fr-FR."`
	Currency                 *string       `json:"reports.currency,omitempty" doc:"ISO 4217 reporting currency, e.g. EUR."`
}

// apply copies the patch's values onto s and returns the keys it set.
func (p Patch) apply(s *Settings) []string {
	var keys []string
	set := func(key string, ok bool, do func()) {
		if ok {
			do()
			keys = append(keys, key)
		}
	}
	set(KeyTimezone, p.Timezone != nil, func() { s.Timezone = *p.Timezone })
	set(KeyWorkingHours, p.WorkingHours != nil, func() { s.WorkingHours = *p.WorkingHours })
	set(KeyThresholdsDays, p.EscalationThresholdsDays != nil, func() {
		s.EscalationThresholdsDays = append([]int{}, *p.EscalationThresholdsDays...)
	})
	set(KeySLADaysByTier, p.SLADaysByTier != nil, func() { s.SLADaysByTier = *p.SLADaysByTier })
	set(KeyAuditRetentionDays, p.AuditRetentionDays != nil, func() { s.AuditRetentionDays = *p.AuditRetentionDays })
	set(KeyAutoProvision, p.AutoProvision != nil, func() { s.AutoProvision = *p.AutoProvision })
	set(KeyDefaultRole, p.DefaultRole != nil, func() { s.DefaultRole = *p.DefaultRole })
	set(KeyMinConfidence, p.MinConfidencePercent != nil, func() { s.MinConfidencePercent = *p.MinConfidencePercent })
	set(KeyLegalName, p.LegalName != nil, func() { s.LegalName = strings.TrimSpace(*p.LegalName) })
	set(KeyLocale, p.Locale != nil, func() { s.Locale = *p.Locale })
	set(KeyCurrency, p.Currency != nil, func() { s.Currency = strings.ToUpper(strings.TrimSpace(*p.Currency)) })
	return keys
}

// Get returns a tenant's settings: the defaults overlaid with stored values.
// Stored keys this version does not know are ignored (a newer replica may
// have written them).
func (s *Service) Get(ctx context.Context, tenantID string) (Settings, error) {
	stored, err := s.Store.Settings(ctx, tenantID)
	if err != nil {
		return Settings{}, fmt.Errorf("setting.Get: %w", err)
	}
	st := Defaults()
	fields := st.fields()
	for key, raw := range stored {
		dst, ok := fields[key]
		if !ok {
			continue
		}
		if err := json.Unmarshal([]byte(raw), dst); err != nil {
			return Settings{}, apperr.Wrap(apperr.Internal, err, "stored setting %s is not valid JSON", key)
		}
	}
	return st, nil
}

// Location returns a tenant's time zone, which decides when dates end and
// how times are shown; tickets and the dashboard take it.
func (s *Service) Location(ctx context.Context, tenantID string) (*time.Location, error) {
	st, err := s.Get(ctx, tenantID)
	return st.Location(), err
}

// Update validates and saves the keys present in the patch, recording the
// old and new value of each changed key in the audit log.
func (s *Service) Update(ctx context.Context, p auth.Principal, patch Patch) (Settings, error) {
	if err := p.Require(auth.PermManageSettings); err != nil {
		return Settings{}, err
	}
	cur, err := s.Get(ctx, p.TenantID)
	if err != nil {
		return Settings{}, err
	}
	next := cur
	next.EscalationThresholdsDays = append([]int{}, cur.EscalationThresholdsDays...)
	keys := patch.apply(&next)
	if err := next.Validate(); err != nil {
		return Settings{}, err
	}
	before, after := map[string]any{}, map[string]any{}
	values := map[string]string{}
	curFields, nextFields := cur.fields(), next.fields()
	for _, k := range keys {
		b, err := json.Marshal(nextFields[k])
		if err != nil {
			return Settings{}, fmt.Errorf("setting.Update %s: %w", k, err)
		}
		old, err := json.Marshal(curFields[k])
		if err != nil {
			return Settings{}, fmt.Errorf("setting.Update %s: %w", k, err)
		}
		if string(old) == string(b) {
			continue
		}
		values[k] = string(b)
		before[k], after[k] = json.RawMessage(old), json.RawMessage(b)
	}
	if len(values) == 0 {
		return cur, nil
	}
	ev := audit.Record(p, "settings.update", "settings", p.TenantID, before, after)
	if err := s.Store.SaveSettings(ctx, p.TenantID, values, p.Label, ev); err != nil {
		return Settings{}, fmt.Errorf("setting.Update: %w", err)
	}
	return next, nil
}

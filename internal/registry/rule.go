package registry

import (
	"context"
	"fmt"
	"reflect"
	"strings"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/audit"
	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/ident"
)

// validateRule normalizes r and checks its fields and that its vendor and
// owner team belong to the tenant, reporting every problem at once.
func (s *Service) validateRule(ctx context.Context, r *Rule) error {
	var val apperr.Validation
	checkName(&val, "name", &r.Name)
	checkText(&val, "text", &r.Text, MaxRuleText, true)
	val.Check(r.Severity.Valid(), "severity", "must be one of critical, high, medium, low")
	if r.SLADays != nil {
		val.Check(*r.SLADays >= MinSLADays && *r.SLADays <= MaxSLADays, "sla_days", "must be between %d and %d days", MinSLADays, MaxSLADays)
	}
	checkShort(&val, "alert_channel", &r.AlertChannel)
	r.VendorID = strings.TrimSpace(r.VendorID)
	r.OwnerTeamID = strings.TrimSpace(r.OwnerTeamID)
	if r.VendorID != "" {
		if err := s.checkVendors(ctx, &val, r.TenantID, "vendor_id", []string{r.VendorID}); err != nil {
			return err
		}
	}
	if err := s.checkTeam(ctx, &val, r.TenantID, "owner_team_id", r.OwnerTeamID); err != nil {
		return err
	}
	return val.Err()
}

func cloneRule(r Rule) Rule {
	if r.SLADays != nil {
		d := *r.SLADays
		r.SLADays = &d
	}
	return r
}

// CreateRule adds an active rule. Only the descriptive fields of in are used.
func (s *Service) CreateRule(ctx context.Context, p auth.Principal, in Rule) (Rule, error) {
	if err := p.Require(auth.PermEditRules); err != nil {
		return Rule{}, err
	}
	r := cloneRule(in)
	r.ID, r.TenantID, r.IsActive = ident.New(), p.TenantID, true
	r.CreatedAt = s.now()
	r.UpdatedAt = r.CreatedAt
	if err := s.validateRule(ctx, &r); err != nil {
		return Rule{}, fmt.Errorf("registry.CreateRule %q: %w", r.Name, err)
	}
	ev := audit.Record(p, "rule.create", "rule", r.ID, nil, r)
	if err := s.Store.CreateRule(ctx, r, ev); err != nil {
		return Rule{}, fmt.Errorf("registry.CreateRule %q: %w", r.Name, err)
	}
	return r, nil
}

// UpdateRule applies change to the rule and saves it; an update that changes
// nothing writes nothing.
func (s *Service) UpdateRule(ctx context.Context, p auth.Principal, id string, change func(*Rule)) (Rule, error) {
	if err := p.Require(auth.PermEditRules); err != nil {
		return Rule{}, err
	}
	before, err := s.Store.Rule(ctx, p.TenantID, id)
	if err != nil {
		return Rule{}, fmt.Errorf("registry.UpdateRule %s: %w", id, err)
	}
	after := cloneRule(before)
	change(&after)
	after.ID, after.TenantID, after.CreatedAt, after.UpdatedAt = before.ID, before.TenantID, before.CreatedAt, before.UpdatedAt
	if err := s.validateRule(ctx, &after); err != nil {
		return Rule{}, fmt.Errorf("registry.UpdateRule %s: %w", id, err)
	}
	if reflect.DeepEqual(before, after) {
		return before, nil
	}
	after.UpdatedAt = s.now()
	ev := audit.Record(p, changeAction("rule", before.IsActive, after.IsActive), "rule", id, before, after)
	if err := s.Store.UpdateRule(ctx, after, ev); err != nil {
		return Rule{}, fmt.Errorf("registry.UpdateRule %s: %w", id, err)
	}
	return after, nil
}

// DeactivateRule soft-deletes a rule: triage stops reading it, and an update
// can reactivate it.
func (s *Service) DeactivateRule(ctx context.Context, p auth.Principal, id string) (Rule, error) {
	return s.UpdateRule(ctx, p, id, func(r *Rule) { r.IsActive = false })
}

// Rule returns one rule of the principal's tenant.
func (s *Service) Rule(ctx context.Context, p auth.Principal, id string) (Rule, error) {
	if err := p.Require(auth.PermView); err != nil {
		return Rule{}, err
	}
	r, err := s.Store.Rule(ctx, p.TenantID, id)
	if err != nil {
		return Rule{}, fmt.Errorf("registry.Rule %s: %w", id, err)
	}
	return r, nil
}

// ListRules pages through the tenant's rules by name.
func (s *Service) ListRules(ctx context.Context, p auth.Principal, f RuleFilter) ([]Rule, string, error) {
	if err := p.Require(auth.PermView); err != nil {
		return nil, "", err
	}
	var val apperr.Validation
	checkQuery(&val, &f.Query)
	val.Check(f.Severity == "" || f.Severity.Valid(), "severity", "must be one of critical, high, medium, low")
	if err := val.Err(); err != nil {
		return nil, "", err
	}
	out, next, err := s.Store.ListRules(ctx, p.TenantID, f)
	if err != nil {
		return nil, "", fmt.Errorf("registry.ListRules: %w", err)
	}
	return out, next, nil
}

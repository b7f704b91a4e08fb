package registry

import (
	"context"
	"fmt"
	"time"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/auth"
)

// Service holds the registry's rules. Every method takes the calling
// principal: its tenant scopes every read and write, and it is the actor of
// every audit row.
type Service struct {
	Store Store
	// Now is the clock; tests replace it.
	Now func() time.Time
}

// now returns UTC time truncated to microseconds, which both engines store
// exactly, so that what a method returns equals what a later read returns.
func (s *Service) now() time.Time {
	t := time.Now()
	if s.Now != nil {
		t = s.Now()
	}
	return t.UTC().Truncate(time.Microsecond)
}

// changeAction names an update in the audit log: a change of is_active is a
// deactivation or reactivation, anything else an update.
func changeAction(entity string, wasActive, isActive bool) string {
	switch {
	case wasActive && !isActive:
		return entity + ".deactivate"
	case !wasActive && isActive:
		return entity + ".reactivate"
	}
	return entity + ".update"
}

// checkTeam records a field error unless teamID is empty or a team of the
// tenant.
func (s *Service) checkTeam(ctx context.Context, v *apperr.Validation, tenantID, field, teamID string) error {
	if teamID == "" {
		return nil
	}
	_, err := s.Store.Team(ctx, tenantID, teamID)
	switch {
	case apperr.Is(err, apperr.NotFound):
		v.Add(field, "no such team: %s", teamID)
	case err != nil:
		return fmt.Errorf("check team %s: %w", teamID, err)
	}
	return nil
}

// checkVendors records one field error naming every id that is not a vendor
// of the tenant.
func (s *Service) checkVendors(ctx context.Context, v *apperr.Validation, tenantID, field string, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	found, err := s.Store.ExistingVendors(ctx, tenantID, ids)
	if err != nil {
		return fmt.Errorf("check vendors: %w", err)
	}
	var missing []string
	for _, id := range ids {
		if !found[id] {
			missing = append(missing, id)
		}
	}
	if len(missing) > 0 {
		v.Add(field, "no such vendor: %s", joinIDs(missing))
	}
	return nil
}

func joinIDs(ids []string) string {
	out := ""
	for i, id := range ids {
		if i > 0 {
			out += ", "
		}
		if len(id) > 40 {
			id = id[:40] + "…"
		}
		out += id
	}
	return out
}

// Counts returns how many vendors, applications and rules are active.
func (s *Service) Counts(ctx context.Context, p auth.Principal) (Counts, error) {
	if err := p.Require(auth.PermView); err != nil {
		return Counts{}, err
	}
	c, err := s.Store.CountRegistry(ctx, p.TenantID)
	if err != nil {
		return Counts{}, fmt.Errorf("registry.Counts: %w", err)
	}
	return c, nil
}

// ActiveRegistry returns every active vendor, application and rule of the
// principal's tenant, as triage reads them.
func (s *Service) ActiveRegistry(ctx context.Context, p auth.Principal) (Snapshot, error) {
	if err := p.Require(auth.PermView); err != nil {
		return Snapshot{}, err
	}
	snap, err := s.Store.ActiveRegistry(ctx, p.TenantID)
	if err != nil {
		return Snapshot{}, fmt.Errorf("registry.ActiveRegistry: %w", err)
	}
	return snap, nil
}

// checkQuery trims a list's search text and bounds its length.
func checkQuery(v *apperr.Validation, q *string) {
	checkText(v, "q", q, MaxName, false)
}

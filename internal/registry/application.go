package registry

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"unicode"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/audit"
	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/ident"
)

// normalizeApplication cleans a in place and records every problem in val;
// references are checked separately, against the store.
func normalizeApplication(val *apperr.Validation, a *Application) {
	checkName(val, "name", &a.Name)
	checkText(val, "description", &a.Description, MaxDescription, true)
	a.OwnerTeamID = strings.TrimSpace(a.OwnerTeamID)
	a.VendorIDs = cleanList(a.VendorIDs, false)
	val.Check(len(a.VendorIDs) <= MaxVendorLinks, "vendor_ids", "must have at most %d entries", MaxVendorLinks)
	a.TrackerConnectionID = strings.TrimSpace(a.TrackerConnectionID)
	checkShort(val, "tracker_project_key", &a.TrackerProjectKey)
	if strings.ContainsFunc(a.TrackerProjectKey, unicode.IsSpace) {
		val.Add("tracker_project_key", "must not contain spaces (e.g. PAY, or owner/repo)")
	}
	checkShort(val, "tracker_issue_type", &a.TrackerIssueType)
	a.TrackerLabels = checkList(val, "tracker_labels", a.TrackerLabels, false)
	checkShort(val, "tracker_default_assignee", &a.TrackerDefaultAssignee)
	if a.CreatesTrackerIssue {
		val.Check(a.TrackerProjectKey != "", "tracker_project_key", "is required when the application creates tracker issues")
		val.Check(a.TrackerIssueType != "", "tracker_issue_type", "is required when the application creates tracker issues")
	}
}

// validateApplication normalizes a and checks that its owner team and
// vendors belong to the tenant, reporting every problem at once.
func (s *Service) validateApplication(ctx context.Context, a *Application) error {
	var val apperr.Validation
	normalizeApplication(&val, a)
	if err := s.checkTeam(ctx, &val, a.TenantID, "owner_team_id", a.OwnerTeamID); err != nil {
		return err
	}
	if len(a.VendorIDs) <= MaxVendorLinks {
		if err := s.checkVendors(ctx, &val, a.TenantID, "vendor_ids", a.VendorIDs); err != nil {
			return err
		}
	}
	return val.Err()
}

func cloneApplication(a Application) Application {
	a.VendorIDs = slices.Clone(a.VendorIDs)
	a.TrackerLabels = slices.Clone(a.TrackerLabels)
	return a
}

// CreateApplication adds an active application linked to its vendors. Only
// the descriptive fields of in are used.
func (s *Service) CreateApplication(ctx context.Context, p auth.Principal, in Application) (Application, error) {
	if err := p.Require(auth.PermEditApplications); err != nil {
		return Application{}, err
	}
	a := cloneApplication(in)
	a.ID, a.TenantID, a.IsActive = ident.New(), p.TenantID, true
	a.CreatedAt = s.now()
	a.UpdatedAt = a.CreatedAt
	if err := s.validateApplication(ctx, &a); err != nil {
		return Application{}, fmt.Errorf("registry.CreateApplication %q: %w", a.Name, err)
	}
	ev := audit.Record(p, "application.create", "application", a.ID, nil, a)
	if err := s.Store.CreateApplication(ctx, a, ev); err != nil {
		return Application{}, fmt.Errorf("registry.CreateApplication %q: %w", a.Name, err)
	}
	return a, nil
}

// UpdateApplication applies change to the application and saves it, vendor
// links included; an update that changes nothing writes nothing.
func (s *Service) UpdateApplication(ctx context.Context, p auth.Principal, id string, change func(*Application)) (Application, error) {
	if err := p.Require(auth.PermEditApplications); err != nil {
		return Application{}, err
	}
	before, err := s.Store.Application(ctx, p.TenantID, id)
	if err != nil {
		return Application{}, fmt.Errorf("registry.UpdateApplication %s: %w", id, err)
	}
	after := cloneApplication(before)
	change(&after)
	after.ID, after.TenantID, after.CreatedAt, after.UpdatedAt = before.ID, before.TenantID, before.CreatedAt, before.UpdatedAt
	if err := s.validateApplication(ctx, &after); err != nil {
		return Application{}, fmt.Errorf("registry.UpdateApplication %s: %w", id, err)
	}
	if sameApplication(before, after) {
		return before, nil
	}
	after.UpdatedAt = s.now()
	ev := audit.Record(p, changeAction("application", before.IsActive, after.IsActive), "application", id, before, after)
	if err := s.Store.UpdateApplication(ctx, after, ev); err != nil {
		return Application{}, fmt.Errorf("registry.UpdateApplication %s: %w", id, err)
	}
	return after, nil
}

// sameApplication compares two versions, ignoring the order of vendor links.
func sameApplication(a, b Application) bool {
	a, b = cloneApplication(a), cloneApplication(b)
	slices.Sort(a.VendorIDs)
	slices.Sort(b.VendorIDs)
	return reflect.DeepEqual(a, b)
}

// DeactivateApplication soft-deletes an application: it leaves triage but
// stays readable, and an update can reactivate it.
func (s *Service) DeactivateApplication(ctx context.Context, p auth.Principal, id string) (Application, error) {
	return s.UpdateApplication(ctx, p, id, func(a *Application) { a.IsActive = false })
}

// Application returns one application of the principal's tenant.
func (s *Service) Application(ctx context.Context, p auth.Principal, id string) (Application, error) {
	if err := p.Require(auth.PermView); err != nil {
		return Application{}, err
	}
	a, err := s.Store.Application(ctx, p.TenantID, id)
	if err != nil {
		return Application{}, fmt.Errorf("registry.Application %s: %w", id, err)
	}
	return a, nil
}

// ListApplications pages through the tenant's applications by name.
func (s *Service) ListApplications(ctx context.Context, p auth.Principal, f ApplicationFilter) ([]Application, string, error) {
	if err := p.Require(auth.PermView); err != nil {
		return nil, "", err
	}
	var val apperr.Validation
	checkQuery(&val, &f.Query)
	if err := val.Err(); err != nil {
		return nil, "", err
	}
	out, next, err := s.Store.ListApplications(ctx, p.TenantID, f)
	if err != nil {
		return nil, "", fmt.Errorf("registry.ListApplications: %w", err)
	}
	return out, next, nil
}

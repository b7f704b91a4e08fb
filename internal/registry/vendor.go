package registry

import (
	"context"
	"fmt"
	"reflect"
	"slices"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/audit"
	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/ident"
)

// normalizeVendor cleans v in place and reports every problem at once.
func normalizeVendor(v *Vendor) error {
	var val apperr.Validation
	checkName(&val, "name", &v.Name)
	val.Check(v.Tier.Valid(), "tier", "must be one of tier_1, tier_2, tier_3")
	v.EmailDomains = checkDomains(&val, "email_domains", v.EmailDomains)
	v.Aliases = checkList(&val, "aliases", v.Aliases, true)
	checkWebsite(&val, "website", &v.Website)
	checkText(&val, "notes", &v.Notes, MaxNotes, false)
	return val.Err()
}

func cloneVendor(v Vendor) Vendor {
	v.EmailDomains = slices.Clone(v.EmailDomains)
	v.Aliases = slices.Clone(v.Aliases)
	return v
}

// CreateVendor adds an active vendor. Only the descriptive fields of in are
// used; id, tenant, state and timestamps are set here.
func (s *Service) CreateVendor(ctx context.Context, p auth.Principal, in Vendor) (Vendor, error) {
	if err := p.Require(auth.PermEditVendors); err != nil {
		return Vendor{}, err
	}
	v := cloneVendor(in)
	v.ID, v.TenantID, v.IsActive = ident.New(), p.TenantID, true
	v.CreatedAt = s.now()
	v.UpdatedAt = v.CreatedAt
	if err := normalizeVendor(&v); err != nil {
		return Vendor{}, err
	}
	ev := audit.Record(p, "vendor.create", "vendor", v.ID, nil, v)
	if err := s.Store.CreateVendor(ctx, v, ev); err != nil {
		return Vendor{}, fmt.Errorf("registry.CreateVendor %q: %w", v.Name, err)
	}
	return v, nil
}

// UpdateVendor applies change to the vendor and saves it. change may set any
// descriptive field and is_active (reactivation is an update); an update
// that changes nothing writes nothing.
func (s *Service) UpdateVendor(ctx context.Context, p auth.Principal, id string, change func(*Vendor)) (Vendor, error) {
	if err := p.Require(auth.PermEditVendors); err != nil {
		return Vendor{}, err
	}
	before, err := s.Store.Vendor(ctx, p.TenantID, id)
	if err != nil {
		return Vendor{}, fmt.Errorf("registry.UpdateVendor %s: %w", id, err)
	}
	after := cloneVendor(before)
	change(&after)
	after.ID, after.TenantID, after.CreatedAt, after.UpdatedAt = before.ID, before.TenantID, before.CreatedAt, before.UpdatedAt
	if err := normalizeVendor(&after); err != nil {
		return Vendor{}, err
	}
	if reflect.DeepEqual(before, after) {
		return before, nil
	}
	after.UpdatedAt = s.now()
	ev := audit.Record(p, changeAction("vendor", before.IsActive, after.IsActive), "vendor", id, before, after)
	if err := s.Store.UpdateVendor(ctx, after, ev); err != nil {
		return Vendor{}, fmt.Errorf("registry.UpdateVendor %s: %w", id, err)
	}
	return after, nil
}

// DeactivateVendor soft-deletes a vendor: it stays readable, leaves triage,
// and can be reactivated by an update.
func (s *Service) DeactivateVendor(ctx context.Context, p auth.Principal, id string) (Vendor, error) {
	return s.UpdateVendor(ctx, p, id, func(v *Vendor) { v.IsActive = false })
}

// Vendor returns one vendor of the principal's tenant.
func (s *Service) Vendor(ctx context.Context, p auth.Principal, id string) (Vendor, error) {
	if err := p.Require(auth.PermView); err != nil {
		return Vendor{}, err
	}
	v, err := s.Store.Vendor(ctx, p.TenantID, id)
	if err != nil {
		return Vendor{}, fmt.Errorf("registry.Vendor %s: %w", id, err)
	}
	return v, nil
}

// ListVendors pages through the tenant's vendors by name.
func (s *Service) ListVendors(ctx context.Context, p auth.Principal, f VendorFilter) ([]Vendor, string, error) {
	if err := p.Require(auth.PermView); err != nil {
		return nil, "", err
	}
	var val apperr.Validation
	checkQuery(&val, &f.Query)
	val.Check(f.Tier == "" || f.Tier.Valid(), "tier", "must be one of tier_1, tier_2, tier_3")
	if err := val.Err(); err != nil {
		return nil, "", err
	}
	out, next, err := s.Store.ListVendors(ctx, p.TenantID, f)
	if err != nil {
		return nil, "", fmt.Errorf("registry.ListVendors: %w", err)
	}
	return out, next, nil
}

// AllVendors returns every vendor of the tenant (active ones only unless
// includeInactive), for pickers and name lookups.
func (s *Service) AllVendors(ctx context.Context, p auth.Principal, includeInactive bool) ([]Vendor, error) {
	var all []Vendor
	f := VendorFilter{IncludeInactive: includeInactive, Limit: 500}
	for {
		page, next, err := s.ListVendors(ctx, p, f)
		if err != nil {
			return nil, err
		}
		all = append(all, page...)
		if next == "" {
			return all, nil
		}
		f.Cursor = next
	}
}

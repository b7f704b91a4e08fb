package contract

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/audit"
	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/ident"
)

// MappingService links vendor items to ERP items: suggestions with their
// confidence and evidence, approval (one by one, by hand or in bulk above
// a threshold), rejection, and the unmapped queue.
type MappingService struct {
	Store ReconStore
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

func (s *MappingService) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

// MappingInput is a person's choice of ERP item for a vendor item.
type MappingInput struct {
	ItemKey
	ERPItemID string
	// ERPUOM is the ERP unit the vendor unit maps to; by default the
	// vendor unit when the item has it, else the item's base unit.
	ERPUOM string
	// FromSuggestion says the person approved a suggestion rather than
	// searching for the item.
	FromSuggestion bool
}

// BulkResult is what a bulk approval did.
type BulkResult struct {
	Approved int `json:"approved"`
	// Skipped are items whose best suggestion is below the threshold or
	// tied with another item.
	Skipped int `json:"skipped"`
}

// Unmapped lists the unmapped queue with each item's suggestions.
func (s *MappingService) Unmapped(ctx context.Context, p auth.Principal, f UnmappedFilter) ([]Suggested, string, error) {
	if err := p.Require(auth.PermView); err != nil {
		return nil, "", err
	}
	items, next, err := s.Store.UnmappedItems(ctx, p.TenantID, f)
	if err != nil {
		return nil, "", fmt.Errorf("contract.Unmapped: %w", err)
	}
	out, err := s.suggest(ctx, p.TenantID, items)
	return out, next, err
}

func (s *MappingService) suggest(ctx context.Context, tenantID string, items []VendorItem) ([]Suggested, error) {
	out := make([]Suggested, 0, len(items))
	if len(items) == 0 {
		return out, nil
	}
	cat, err := s.Store.MatchCatalog(ctx, tenantID)
	if err != nil {
		return nil, fmt.Errorf("contract.suggest catalog: %w", err)
	}
	rejected, err := s.Store.MappingRejections(ctx, tenantID)
	if err != nil {
		return nil, fmt.Errorf("contract.suggest rejections: %w", err)
	}
	m := NewMatcher(cat)
	prefixes := map[string][]string{}
	for _, v := range items {
		pre, ok := prefixes[v.VendorID]
		if !ok {
			pre = s.prefixes(ctx, tenantID, v.VendorID)
			prefixes[v.VendorID] = pre
		}
		out = append(out, Suggested{VendorItem: v, Suggestions: m.Suggest(v, pre, rejected[v.ItemKey])})
	}
	return out, nil
}

// prefixes are the vendor prefixes its part numbers may carry: the first
// word of its name ("ACME" for "Acme Industrial").
func (s *MappingService) prefixes(ctx context.Context, tenantID, vendorID string) []string {
	v, err := s.Store.Vendor(ctx, tenantID, vendorID)
	if err != nil {
		// A vendor gone from the registry only costs the prefix evidence.
		return nil
	}
	if w := strings.Fields(v.Name); len(w) > 0 {
		return []string{w[0]}
	}
	return nil
}

// Approve maps a vendor item to an ERP item, replacing its mapping if it
// had one; the confidence and evidence stored are the item's score.
func (s *MappingService) Approve(ctx context.Context, p auth.Principal, in MappingInput) (ItemMapping, error) {
	if err := p.Require(auth.PermMapItems); err != nil {
		return ItemMapping{}, err
	}
	in.ItemNumber, in.UOM, in.ERPUOM = strings.TrimSpace(in.ItemNumber), upper(in.UOM), upper(in.ERPUOM)
	var v apperr.Validation
	v.Check(in.ItemNumber != "" && len(in.ItemNumber) <= 200, "vendor_item_number", "must be 1 to 200 characters")
	v.Check(in.UOM != "" && len(in.UOM) <= 20, "vendor_uom", "must be 1 to 20 characters")
	v.Check(in.ERPItemID != "", "erp_item_id", "is required")
	v.Check(len(in.ERPUOM) <= 20, "erp_uom", "must be at most 20 characters")
	if err := v.Err(); err != nil {
		return ItemMapping{}, err
	}
	vi, err := s.Store.VendorItem(ctx, p.TenantID, in.ItemKey)
	if err != nil {
		if apperr.Is(err, apperr.NotFound) {
			return ItemMapping{}, apperr.Invalidf("no contract line prices %s in %s", in.ItemNumber, in.UOM)
		}
		return ItemMapping{}, fmt.Errorf("contract.Approve: %w", err)
	}
	it, err := s.Store.CatalogItem(ctx, p.TenantID, in.ERPItemID)
	if err != nil {
		if apperr.Is(err, apperr.NotFound) {
			return ItemMapping{}, apperr.Invalidf("ERP item %s is not in the item store", in.ERPItemID)
		}
		return ItemMapping{}, fmt.Errorf("contract.Approve: %w", err)
	}
	sg := NewMatcher(nil).Score(it, vi, s.prefixes(ctx, p.TenantID, vi.VendorID))
	if in.ERPUOM != "" {
		if _, ok := unitFactor(it, in.ERPUOM); !ok {
			return ItemMapping{}, apperr.Invalidf("ERP item %s has no unit %s", it.Number, in.ERPUOM)
		}
		sg.ERPUOM = in.ERPUOM
	}
	method := MappedManual
	if in.FromSuggestion {
		method = MappedSuggestion
	}
	mp := s.mapping(p, vi, sg, method)
	if _, err := s.Store.SaveMappings(ctx, p.TenantID, []ItemMapping{mp}, true,
		[]audit.Event{audit.Record(p, "item_mapping.approve", "item_mapping", mp.ID, nil, mp)}); err != nil {
		return ItemMapping{}, err
	}
	return mp, nil
}

func (s *MappingService) mapping(p auth.Principal, vi VendorItem, sg Suggestion, method MappingMethod) ItemMapping {
	return ItemMapping{ID: ident.New(), TenantID: p.TenantID, ItemKey: vi.ItemKey, VendorID: vi.VendorID, ERPItemID: sg.ERPItemID,
		ERPItemNumber: sg.ERPItemNumber, ERPUOM: sg.ERPUOM, Confidence: sg.Confidence, Evidence: sg.Evidence, Method: method,
		ApprovedBy: p.Label, ApprovedAt: s.now()}
}

// BulkApprove approves, for every unmapped item (of one vendor, or all),
// its best suggestion when its confidence is at least threshold and no
// other ERP item scores as high.
func (s *MappingService) BulkApprove(ctx context.Context, p auth.Principal, vendorID string, threshold float64) (BulkResult, error) {
	if err := p.Require(auth.PermMapItems); err != nil {
		return BulkResult{}, err
	}
	if threshold < 0.5 || threshold > 1 {
		return BulkResult{}, apperr.Invalidf("threshold must be between 0.5 and 1")
	}
	var res BulkResult
	cursor := ""
	for {
		items, next, err := s.Store.UnmappedItems(ctx, p.TenantID, UnmappedFilter{VendorID: vendorID, Cursor: cursor, Limit: 500})
		if err != nil {
			return res, fmt.Errorf("contract.BulkApprove: %w", err)
		}
		sugg, err := s.suggest(ctx, p.TenantID, items)
		if err != nil {
			return res, err
		}
		var ms []ItemMapping
		var evs []audit.Event
		for _, it := range sugg {
			sg := it.Suggestions
			if len(sg) == 0 || sg[0].Confidence < threshold || (len(sg) > 1 && sg[1].Confidence == sg[0].Confidence) {
				res.Skipped++
				continue
			}
			mp := s.mapping(p, it.VendorItem, sg[0], MappedBulk)
			ms = append(ms, mp)
			evs = append(evs, audit.Record(p, "item_mapping.approve", "item_mapping", mp.ID, nil, mp, "bulk"))
		}
		n, err := s.Store.SaveMappings(ctx, p.TenantID, ms, false, evs)
		if err != nil {
			return res, err
		}
		res.Approved += n
		res.Skipped += len(ms) - n
		if next == "" {
			return res, nil
		}
		cursor = next
	}
}

// Reject turns down a suggestion: the ERP item is not proposed for the
// vendor item again.
func (s *MappingService) Reject(ctx context.Context, p auth.Principal, k ItemKey, erpItemID string) error {
	if err := p.Require(auth.PermMapItems); err != nil {
		return err
	}
	k.ItemNumber, k.UOM = strings.TrimSpace(k.ItemNumber), upper(k.UOM)
	var v apperr.Validation
	v.Check(k.ItemNumber != "" && len(k.ItemNumber) <= 200, "vendor_item_number", "must be 1 to 200 characters")
	v.Check(k.UOM != "" && len(k.UOM) <= 20, "vendor_uom", "must be 1 to 20 characters")
	v.Check(erpItemID != "", "erp_item_id", "is required")
	if err := v.Err(); err != nil {
		return err
	}
	ev := audit.Record(p, "item_mapping.reject", "item_mapping", k.ItemNumber+"/"+k.UOM, nil, map[string]string{"erp_item_id": erpItemID})
	return s.Store.RejectSuggestion(ctx, p.TenantID, k, erpItemID, p.Label, s.now(), ev)
}

// Mappings lists approved mappings by vendor item.
func (s *MappingService) Mappings(ctx context.Context, p auth.Principal, f MappingFilter) ([]ItemMapping, string, error) {
	if err := p.Require(auth.PermView); err != nil {
		return nil, "", err
	}
	return s.Store.ListMappings(ctx, p.TenantID, f)
}

// Unmap removes an approved mapping; the vendor item returns to the
// unmapped queue.
func (s *MappingService) Unmap(ctx context.Context, p auth.Principal, id string) error {
	if err := p.Require(auth.PermMapItems); err != nil {
		return err
	}
	m, err := s.Store.ItemMapping(ctx, p.TenantID, id)
	if err != nil {
		return err
	}
	return s.Store.DeleteMapping(ctx, p.TenantID, id, audit.Record(p, "item_mapping.delete", "item_mapping", id, m, nil))
}

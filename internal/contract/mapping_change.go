package contract

import (
	"context"
	"fmt"
	"strings"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/audit"
	"github.com/vendorsync/vendorsync/internal/auth"
)

// MappingChange is a person's correction of an approved mapping: another
// ERP item, or another ERP unit (and with it the conversion factor the
// ERP holds for that unit). A nil field stays as it is.
type MappingChange struct {
	ERPItemID *string
	ERPUOM    *string
}

// Change corrects an approved mapping in place: it keeps its id and its
// vendor item, is scored again against the ERP item it now names and
// counts as chosen by hand. Every later run reads the new mapping.
func (s *MappingService) Change(ctx context.Context, p auth.Principal, id string, ch MappingChange) (ItemMapping, error) {
	if err := p.Require(auth.PermMapItems); err != nil {
		return ItemMapping{}, err
	}
	// The mapping first: another tenant's id answers not found whatever
	// the body says.
	before, err := s.Store.ItemMapping(ctx, p.TenantID, id)
	if err != nil {
		return ItemMapping{}, err
	}
	var v apperr.Validation
	v.Check(ch.ERPItemID != nil || ch.ERPUOM != nil, "erp_item_id", "give erp_item_id, erp_uom or both")
	itemID, unit := before.ERPItemID, ""
	if ch.ERPItemID != nil {
		itemID = strings.TrimSpace(*ch.ERPItemID)
		v.Check(itemID != "", "erp_item_id", "must not be empty")
	}
	if ch.ERPUOM != nil {
		unit = upper(*ch.ERPUOM)
		v.Check(unit != "" && len(unit) <= 20, "erp_uom", "must be 1 to 20 characters")
	} else if itemID == before.ERPItemID {
		unit = before.ERPUOM // only the unit changes the unit
	}
	if err := v.Err(); err != nil {
		return ItemMapping{}, err
	}
	it, err := s.Store.CatalogItem(ctx, p.TenantID, itemID)
	if err != nil {
		if apperr.Is(err, apperr.NotFound) {
			return ItemMapping{}, fieldErr("erp_item_id", "no ERP item %s in the item store", itemID)
		}
		return ItemMapping{}, fmt.Errorf("contract.Change mapping %s: %w", id, err)
	}
	vi, err := s.Store.VendorItem(ctx, p.TenantID, before.ItemKey)
	switch {
	case apperr.Is(err, apperr.NotFound):
		// No line prices the item any more; the mapping still stands for
		// the next file that does.
		vi = VendorItem{ItemKey: before.ItemKey, VendorID: before.VendorID}
	case err != nil:
		return ItemMapping{}, fmt.Errorf("contract.Change mapping %s: %w", id, err)
	}
	sg := NewMatcher(nil).Score(it, vi, s.prefixes(ctx, p.TenantID, vi.VendorID))
	if unit != "" {
		if _, ok := unitFactor(it, unit); !ok {
			return ItemMapping{}, fieldErr("erp_uom", "ERP item %s has no unit %s", it.Number, unit)
		}
		sg.ERPUOM = unit
	}
	m := s.mapping(p, vi, sg, MappedManual)
	m.ID = before.ID
	ev := audit.Record(p, "item_mapping.update", "item_mapping", m.ID, before, m)
	if err := s.Store.UpdateMapping(ctx, p.TenantID, m, ev); err != nil {
		return ItemMapping{}, err
	}
	return m, nil
}

// fieldErr is a validation error of one field.
func fieldErr(field, format string, args ...any) error {
	var v apperr.Validation
	v.Add(field, format, args...)
	return v.Err()
}

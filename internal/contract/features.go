package contract

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/shopspring/decimal"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/audit"
	"github.com/vendorsync/vendorsync/internal/auth"
)

// Features are a tenant's optional contract features, both off until an
// admin turns them on: Writeback exports the price changes people
// approved in the ERP's import layout; AdvancedRules adds the rules
// beyond the seed's five (AdvancedRuleSet) to every later run.
type Features struct {
	Writeback     bool `json:"writeback" doc:"Export approved price changes (overridden PRICE_MISMATCH and COST_MISMATCH exceptions) as a CSV in P21's purchase pricing page layout."`
	AdvancedRules bool `json:"advanced_rules" doc:"Runs also check COST_MISMATCH (contract price against the ERP supplier cost) and DUPLICATE_LINE (one vendor item priced twice in a contract)."`
	// P21CompanyID and P21PricingBookID fill the export's company_id and
	// purchase_pricing_book_id columns, which P21 requires.
	P21CompanyID     string `json:"p21_company_id" maxLength:"40" doc:"P21 company_id written on every exported row."`
	P21PricingBookID string `json:"p21_pricing_book_id" maxLength:"40" doc:"P21 purchase_pricing_book_id the exported pages belong to."`
	// P21LocationID and P21TotalingBasis fill location_id (optional in
	// P21: a page without one applies at every location) and
	// totaling_basis (required; DefaultP21TotalingBasis when unset).
	P21LocationID    string    `json:"p21_location_id" maxLength:"20" doc:"P21 location_id (a number) written on every exported row; empty: the pages apply at every location."`
	P21TotalingBasis string    `json:"p21_totaling_basis" maxLength:"40" doc:"P21 totaling_basis written on every exported row (the display value of the site's dropdown); empty means Supplier List Price."`
	UpdatedBy        string    `json:"updated_by,omitempty"`
	UpdatedAt        time.Time `json:"updated_at"`
}

// Features returns the tenant's contract features.
func (s *ReconciliationService) Features(ctx context.Context, p auth.Principal) (Features, error) {
	if err := p.Require(auth.PermView); err != nil {
		return Features{}, err
	}
	return s.Store.Features(ctx, p.TenantID)
}

// SetFeatures replaces the tenant's contract features, audited with the
// before and after.
func (s *ReconciliationService) SetFeatures(ctx context.Context, p auth.Principal, f Features) (Features, error) {
	if err := p.Require(auth.PermManageSettings); err != nil {
		return Features{}, err
	}
	f.P21CompanyID, f.P21PricingBookID = strings.TrimSpace(f.P21CompanyID), strings.TrimSpace(f.P21PricingBookID)
	f.P21LocationID, f.P21TotalingBasis = strings.TrimSpace(f.P21LocationID), strings.TrimSpace(f.P21TotalingBasis)
	var v apperr.Validation
	v.Check(utf8.RuneCountInString(f.P21CompanyID) <= 40, "p21_company_id", "must be at most 40 characters")
	v.Check(utf8.RuneCountInString(f.P21PricingBookID) <= 40, "p21_pricing_book_id", "must be at most 40 characters")
	v.Check(len(f.P21LocationID) <= 20 && strings.Trim(f.P21LocationID, "0123456789") == "", "p21_location_id",
		"must be a P21 location number (digits only), or empty for every location")
	v.Check(utf8.RuneCountInString(f.P21TotalingBasis) <= 40, "p21_totaling_basis", "must be at most 40 characters")
	if err := v.Err(); err != nil {
		return Features{}, err
	}
	before, err := s.Store.Features(ctx, p.TenantID)
	if err != nil {
		return Features{}, err
	}
	f.UpdatedBy, f.UpdatedAt = p.Label, s.now()
	ev := audit.Record(p, "contract_features.set", "contract_features", p.TenantID, before, f)
	return f, s.Store.SaveFeatures(ctx, p.TenantID, f, ev)
}

// PriceChange is a price change a person approved: an overridden price
// or cost exception, the contract price in the ERP unit it was compared
// in, ready to be written back to the ERP.
type PriceChange struct {
	ExceptionID    string          `json:"exception_id"`
	Rule           Rule            `json:"rule_code"`
	ContractNumber string          `json:"contract_number"`
	LineNumber     int             `json:"line_number"`
	VendorItem     string          `json:"vendor_item_number"`
	Description    string          `json:"vendor_description"`
	ERPItemNumber  string          `json:"erp_item_number"`
	SupplierID     string          `json:"supplier_id" doc:"The ERP supplier whose part number is the vendor item, or the item's only supplier; empty when unknown."`
	UOM            string          `json:"uom"`
	Price          decimal.Decimal `json:"price"`
	EffectiveStart *time.Time      `json:"effective_start,omitempty"`
	EffectiveEnd   *time.Time      `json:"effective_end,omitempty"`
	ApprovedAt     time.Time       `json:"approved_at"`
	ExportID       string          `json:"export_id,omitempty" doc:"The price export holding this change; empty until it is exported."`
}

// errWritebackOff is the answer when the tenant has not turned writeback
// on: not found, as a feature that is off has nothing to show (a 403 is
// kept for what a role may not do).
var errWritebackOff = apperr.E(apperr.NotFound, "price writeback is turned off for this organisation; an admin can turn it on under Contracts → Settings")

// PriceChanges lists the approved price changes, oldest first, when the
// tenant has writeback on (not found otherwise).
func (s *WorkflowService) PriceChanges(ctx context.Context, p auth.Principal, cursor string, limit int) ([]PriceChange, string, error) {
	if _, err := s.writebackOn(ctx, p); err != nil {
		return nil, "", err
	}
	return s.Store.PriceChanges(ctx, p.TenantID, cursor, limit)
}

// P21PriceHeader is the header of the writeback export: field names of
// P21's purchase pricing page for a supplier item
// (PurchasePricingPageSupplierItem, table purchase_pricing_page), in the
// order of its form.
var P21PriceHeader = []string{"company_id", "purchase_pricing_book_id", "supplier_id", "inv_mast_item_id", "location_id", "effective_date",
	"expiration_date", "pricing_description", "contract_number", "pricing_method", "price", "totaling_basis", "purchase_pricing_unit"}

// DefaultP21TotalingBasis is the totaling basis of exported pages when the
// tenant sets none: P21 requires one, and a fixed price per unit needs no
// break totals, so the basis the community P21 notes pair with an item
// page is as good as any.
const DefaultP21TotalingBasis = "Supplier List Price"

// P21PriceRow is one price change in the export layout: a fixed price
// (pricing_method Price) per ERP unit, dated like the contract line.
func P21PriceRow(f Features, c PriceChange) []string {
	date := func(t *time.Time) string {
		if t == nil {
			return ""
		}
		return t.Format(time.DateOnly)
	}
	start := date(c.EffectiveStart)
	if start == "" {
		start = c.ApprovedAt.Format(time.DateOnly)
	}
	desc := strings.TrimSpace(c.Description)
	if desc == "" {
		desc = c.VendorItem
	}
	if utf8.RuneCountInString(desc) > 40 {
		desc = string([]rune(desc)[:40])
	}
	basis := f.P21TotalingBasis
	if basis == "" {
		basis = DefaultP21TotalingBasis
	}
	return []string{f.P21CompanyID, f.P21PricingBookID, c.SupplierID, c.ERPItemNumber, f.P21LocationID, start, date(c.EffectiveEnd), desc,
		c.ContractNumber, "Price", c.Price.StringFixed(4), basis, c.UOM}
}

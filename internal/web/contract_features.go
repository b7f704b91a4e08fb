package web

import (
	"context"
	"net/http"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/contract"
)

type featuresOut struct {
	Body contract.Features
}

func (s *Server) apiGetFeatures(ctx context.Context, _ *struct{}) (*featuresOut, error) {
	f, err := s.Reconciliation.Features(ctx, principal(ctx))
	if err != nil {
		return nil, err
	}
	return &featuresOut{Body: f}, nil
}

// featuresBody is the whole set of contract features; both flags are
// required, so a stray {} never turns features off.
type featuresBody struct {
	Writeback        *bool  `json:"writeback"`
	AdvancedRules    *bool  `json:"advanced_rules"`
	P21CompanyID     string `json:"p21_company_id,omitempty"`
	P21PricingBookID string `json:"p21_pricing_book_id,omitempty"`
	P21LocationID    string `json:"p21_location_id,omitempty"`
	P21TotalingBasis string `json:"p21_totaling_basis,omitempty"`
}

type featuresIn struct {
	Body strictBody[featuresBody]
}

func (s *Server) apiPutFeatures(ctx context.Context, in *featuresIn) (*featuresOut, error) {
	b := in.Body.Value
	var v apperr.Validation
	v.Check(b.Writeback != nil, "writeback", "is required (true or false)")
	v.Check(b.AdvancedRules != nil, "advanced_rules", "is required (true or false)")
	if err := v.Err(); err != nil {
		return nil, err
	}
	f, err := s.Reconciliation.SetFeatures(ctx, principal(ctx), contract.Features{Writeback: *b.Writeback, AdvancedRules: *b.AdvancedRules,
		P21CompanyID: b.P21CompanyID, P21PricingBookID: b.P21PricingBookID, P21LocationID: b.P21LocationID, P21TotalingBasis: b.P21TotalingBasis})
	if err != nil {
		return nil, err
	}
	return &featuresOut{Body: f}, nil
}

type vendorPath struct {
	VendorID string `path:"vendor_id" maxLength:"100"`
}

func (s *Server) apiDeleteTolerance(ctx context.Context, in *vendorPath) (*struct{}, error) {
	return nil, s.Reconciliation.DeleteTolerance(ctx, principal(ctx), strings.TrimSpace(in.VendorID))
}

func (s *Server) apiListPriceChanges(ctx context.Context, in *PageQuery) (*PageOut[contract.PriceChange], error) {
	out, next, err := s.Workflow.PriceChanges(ctx, principal(ctx), in.Cursor, in.Limit)
	if err != nil {
		return nil, err
	}
	return pageOf(out, next), nil
}

// Operations of the contract features API; routes.go registers them.
var (
	docGetFeatures = readDoc("Get contract features", "The tenant's optional contract features: writeback (export approved price "+
		"changes in P21's layout) and advanced_rules (COST_MISMATCH and DUPLICATE_LINE in every later run), with the P21 ids the export writes.")
	docPutFeatures = huma.Operation{Summary: "Set contract features", SkipValidateBody: true,
		Description: "Replaces the features; writeback and advanced_rules are both required. Audited with the before and after."}
	docDeleteTolerance  = deactivateDoc("Remove a vendor's price tolerance", "The tenant's default tolerance applies to the vendor again.")
	docListPriceChanges = featureDoc("List approved price changes", "Overridden PRICE_MISMATCH and COST_MISMATCH exceptions as price "+
		"changes: the contract price in the ERP unit, the P21 item and supplier, the dates, and the export holding it (POST /api/v1/price-exports "+
		"exports the ones no export holds). 404 while the writeback feature is off.")
)

// featureDoc describes a read that answers 404 while its feature is off.
func featureDoc(summary, description string) huma.Operation {
	o := readDoc(summary, description)
	o.Errors = []int{http.StatusNotFound}
	return o
}

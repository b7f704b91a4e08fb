package web

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/danielgtaylor/huma/v2"
	"github.com/shopspring/decimal"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/contract"
)

type unmappedIn struct {
	PageQuery
	VendorID string `query:"vendor_id" maxLength:"100" doc:"Only this vendor's items."`
}

func (s *Server) apiListUnmapped(ctx context.Context, in *unmappedIn) (*PageOut[contract.Suggested], error) {
	out, next, err := s.Mappings.Unmapped(ctx, principal(ctx), contract.UnmappedFilter{VendorID: in.VendorID, Cursor: in.Cursor, Limit: in.Limit})
	if err != nil {
		return nil, err
	}
	return pageOf(out, next), nil
}

type mappingListIn struct {
	PageQuery
	VendorID string `query:"vendor_id" maxLength:"100" doc:"Only this vendor's items."`
	Q        string `query:"q" maxLength:"200" doc:"Matches the vendor or the ERP item number."`
}

func (s *Server) apiListMappings(ctx context.Context, in *mappingListIn) (*PageOut[contract.ItemMapping], error) {
	out, next, err := s.Mappings.Mappings(ctx, principal(ctx), contract.MappingFilter{VendorID: in.VendorID, Query: in.Q,
		Cursor: in.Cursor, Limit: in.Limit})
	if err != nil {
		return nil, err
	}
	return pageOf(out, next), nil
}

// mappingBody maps a vendor item to an ERP item.
type mappingBody struct {
	VendorItemNumber string `json:"vendor_item_number" doc:"The vendor's item number, as its files have it."`
	VendorUOM        string `json:"vendor_uom" doc:"The unit the vendor prices the item in."`
	ERPItemID        string `json:"erp_item_id" doc:"The ERP item (from the suggestions, or GET /api/v1/erp-items?q=…)."`
	ERPUOM           string `json:"erp_uom,omitempty" doc:"The ERP unit the vendor unit maps to; by default the vendor unit when the item has it, else its base unit."`
	FromSuggestion   bool   `json:"from_suggestion,omitempty" doc:"The person approved a suggestion (rather than searching)."`
}

type mappingIn struct {
	Body strictBody[mappingBody]
}

type mappingOut struct {
	Body contract.ItemMapping
}

func (s *Server) apiCreateMapping(ctx context.Context, in *mappingIn) (*mappingOut, error) {
	b := in.Body.Value
	m, err := s.Mappings.Approve(ctx, principal(ctx), contract.MappingInput{ItemKey: contract.ItemKey{ItemNumber: b.VendorItemNumber,
		UOM: b.VendorUOM}, ERPItemID: b.ERPItemID, ERPUOM: b.ERPUOM, FromSuggestion: b.FromSuggestion})
	if err != nil {
		return nil, err
	}
	return &mappingOut{Body: m}, nil
}

// bulkApproveBody approves the best suggestions at or above a confidence.
type bulkApproveBody struct {
	VendorID  string  `json:"vendor_id,omitempty" doc:"Only this vendor's items."`
	Threshold float64 `json:"threshold" doc:"The lowest confidence approved, from 0.5 to 1."`
}

type bulkApproveIn struct {
	Body strictBody[bulkApproveBody]
}

type bulkApproveOut struct {
	Body contract.BulkResult
}

func (s *Server) apiBulkApprove(ctx context.Context, in *bulkApproveIn) (*bulkApproveOut, error) {
	r, err := s.Mappings.BulkApprove(ctx, principal(ctx), in.Body.Value.VendorID, in.Body.Value.Threshold)
	if err != nil {
		return nil, err
	}
	return &bulkApproveOut{Body: r}, nil
}

// rejectBody turns down a suggestion.
type rejectBody struct {
	VendorItemNumber string `json:"vendor_item_number"`
	VendorUOM        string `json:"vendor_uom"`
	ERPItemID        string `json:"erp_item_id"`
}

type rejectIn struct {
	Body strictBody[rejectBody]
}

func (s *Server) apiRejectSuggestion(ctx context.Context, in *rejectIn) (*struct{}, error) {
	b := in.Body.Value
	return nil, s.Mappings.Reject(ctx, principal(ctx), contract.ItemKey{ItemNumber: b.VendorItemNumber, UOM: b.VendorUOM}, b.ERPItemID)
}

func (s *Server) apiDeleteMapping(ctx context.Context, in *IDPath) (*struct{}, error) {
	return nil, s.Mappings.Unmap(ctx, principal(ctx), in.ID)
}

type tolerancesOut struct {
	Body struct {
		Items []contract.Tolerance `json:"items" nullable:"false"`
	}
}

func (s *Server) apiListTolerances(ctx context.Context, _ *struct{}) (*tolerancesOut, error) {
	ts, err := s.Reconciliation.Tolerances(ctx, principal(ctx))
	if err != nil {
		return nil, err
	}
	out := &tolerancesOut{}
	out.Body.Items = ts
	return out, nil
}

// toleranceBody is a price tolerance; absent bounds mean none.
type toleranceBody struct {
	VendorID string `json:"vendor_id,omitempty" doc:"The vendor it applies to; absent for the tenant's default."`
	Absolute string `json:"absolute,omitempty" doc:"Accepted difference in currency units, e.g. \"0.05\"."`
	Percent  string `json:"percent,omitempty" doc:"Accepted difference in percent of the ERP price, e.g. \"2\"."`
}

type toleranceIn struct {
	Body strictBody[toleranceBody]
}

type toleranceOut struct {
	Body contract.Tolerance
}

func (s *Server) apiPutTolerance(ctx context.Context, in *toleranceIn) (*toleranceOut, error) {
	b := in.Body.Value
	t, err := parseTolerance(b.VendorID, b.Absolute, b.Percent)
	if err != nil {
		return nil, err
	}
	if t, err = s.Reconciliation.SetTolerance(ctx, principal(ctx), t); err != nil {
		return nil, err
	}
	return &toleranceOut{Body: t}, nil
}

// parseTolerance reads a tolerance as the API and the settings form
// give it: decimal texts, blank for an absent bound.
func parseTolerance(vendorID, absolute, percent string) (contract.Tolerance, error) {
	t := contract.Tolerance{VendorID: strings.TrimSpace(vendorID)}
	var v apperr.Validation
	for _, f := range []struct {
		name, text string
		dst        **decimal.Decimal
	}{{"absolute", absolute, &t.Absolute}, {"percent", percent, &t.Percent}} {
		if strings.TrimSpace(f.text) == "" {
			continue
		}
		d, err := decimal.NewFromString(strings.TrimSpace(f.text))
		v.Check(err == nil, f.name, "must be a decimal number such as 0.05")
		*f.dst = &d
	}
	// Neither would silently replace a stored tolerance with nothing.
	v.Check(t.Absolute != nil || t.Percent != nil, "percent", "give absolute, percent or both (0 for an exact match)")
	return t, v.Err()
}

type runOut struct {
	Status int
	Body   contract.Run
}

func (s *Server) apiStartRun(ctx context.Context, in *IDPath) (*runOut, error) {
	r, err := s.Reconciliation.Start(ctx, principal(ctx), in.ID)
	if err != nil {
		return nil, err
	}
	return &runOut{Status: http.StatusAccepted, Body: r}, nil
}

type runListIn struct {
	PageQuery
	ContractID string `query:"contract_id" maxLength:"100" doc:"Only this contract's runs."`
	Status     string `query:"status" enum:"queued,running,completed,failed" doc:"Only runs in this status."`
}

func (s *Server) apiListRuns(ctx context.Context, in *runListIn) (*PageOut[contract.Run], error) {
	out, next, err := s.Reconciliation.Runs(ctx, principal(ctx), contract.RunFilter{ContractID: in.ContractID,
		Status: contract.RunStatus(in.Status), Cursor: in.Cursor, Limit: in.Limit})
	if err != nil {
		return nil, err
	}
	return pageOf(out, next), nil
}

func (s *Server) apiGetRun(ctx context.Context, in *IDPath) (*runOut, error) {
	r, err := s.Reconciliation.GetRun(ctx, principal(ctx), in.ID)
	if err != nil {
		return nil, err
	}
	return &runOut{Status: http.StatusOK, Body: r}, nil
}

type exceptionListIn struct {
	PageQuery
	Rule       string `query:"rule_code" enum:"MISSING_MAPPING,UOM_MISMATCH,PRICE_MISMATCH,EXPIRED_CONTRACT,INACTIVE_ITEM,COST_MISMATCH,DUPLICATE_LINE" doc:"Only this rule's exceptions."`
	Severity   string `query:"severity" enum:"low,medium,high"`
	Status     string `query:"status" enum:"open,resolved,overridden"`
	VendorID   string `query:"vendor_id" maxLength:"100"`
	AssignedTo string `query:"assigned_to" maxLength:"100" doc:"A user id."`
	ContractID string `query:"contract_id" maxLength:"100"`
}

func (in *exceptionListIn) filter() contract.ExceptionFilter {
	return contract.ExceptionFilter{Rule: contract.Rule(in.Rule), Severity: contract.Severity(in.Severity),
		Status: contract.ExceptionStatus(in.Status), VendorID: in.VendorID, AssignedTo: in.AssignedTo, ContractID: in.ContractID,
		Cursor: in.Cursor, Limit: in.Limit}
}

func (s *Server) apiListExceptions(ctx context.Context, in *exceptionListIn) (*PageOut[contract.Exception], error) {
	out, next, err := s.Workflow.Exceptions(ctx, principal(ctx), in.filter())
	if err != nil {
		return nil, err
	}
	return pageOf(out, next), nil
}

type exceptionOut struct {
	Body contract.ExceptionDetail
}

func (s *Server) apiGetException(ctx context.Context, in *IDPath) (*exceptionOut, error) {
	d, err := s.Workflow.Exception(ctx, principal(ctx), in.ID)
	if err != nil {
		return nil, err
	}
	return &exceptionOut{Body: d}, nil
}

// actionBody is what a person does to an exception. The assignee is
// assigned_to, as in the exception and its PATCH; assign_to, its former
// name, is still read.
type actionBody struct {
	Type       string `json:"action_type" doc:"comment, assign, resolve or override (override needs override_exceptions)."`
	Note       string `json:"note,omitempty" doc:"The comment, the resolution note, or the override's reason (at least 20 characters)."`
	AssignedTo string `json:"assigned_to,omitempty" maxLength:"100" doc:"For assign: the user id; empty unassigns."`
	AssignTo   string `json:"assign_to,omitempty" maxLength:"100" deprecated:"true" doc:"The former name of assigned_to, still accepted."`
}

// input is the action the body asks for, and the name the client gave
// the assignee, which errors about it use.
func (b actionBody) input() (contract.ActionInput, string, error) {
	in := contract.ActionInput{Type: contract.ActionType(b.Type), Note: b.Note, AssignTo: b.AssignedTo}
	if b.AssignTo == "" {
		return in, "assigned_to", nil
	}
	if b.AssignedTo != "" {
		var v apperr.Validation
		v.Add("assign_to", "is the former name of assigned_to; give only assigned_to")
		return in, "assigned_to", v.Err()
	}
	in.AssignTo = b.AssignTo
	return in, "assign_to", nil
}

// asSent renames the assignee field of err's problems to the name the
// client sent.
func asSent(err error, name string) error {
	var ae *apperr.Error
	if name != "assigned_to" && errors.As(err, &ae) {
		for i := range ae.Fields {
			if ae.Fields[i].Field == "assigned_to" {
				ae.Fields[i].Field = name
			}
		}
	}
	return err
}

type actionIn struct {
	IDPath
	Body strictBody[actionBody]
}

type exceptionOnlyOut struct {
	Body contract.Exception
}

func (s *Server) apiExceptionAction(ctx context.Context, in *actionIn) (*exceptionOnlyOut, error) {
	act, name, err := in.Body.Value.input()
	if err != nil {
		return nil, err
	}
	e, err := s.Workflow.Act(ctx, principal(ctx), in.ID, act)
	if err != nil {
		return nil, asSent(err, name)
	}
	return &exceptionOnlyOut{Body: e}, nil
}

// bulkActionBody applies one action to many exceptions.
type bulkActionBody struct {
	IDs []string `json:"ids" doc:"1 to 500 exception ids."`
	actionBody
}

type bulkActionIn struct {
	Body strictBody[bulkActionBody]
}

type bulkActionOut struct {
	Body struct {
		Items []contract.BulkOutcome `json:"items" nullable:"false"`
	}
}

func (s *Server) apiBulkExceptionAction(ctx context.Context, in *bulkActionIn) (*bulkActionOut, error) {
	act, name, err := in.Body.Value.input()
	if err != nil {
		return nil, err
	}
	res, err := s.Workflow.BulkAct(ctx, principal(ctx), in.Body.Value.IDs, act)
	if err != nil {
		return nil, asSent(err, name)
	}
	out := &bulkActionOut{}
	out.Body.Items = res
	return out, nil
}

// Operations of the item mapping, reconciliation and exception API;
// routes.go registers them.
var (
	docListUnmapped = readDoc("List unmapped vendor items", "Vendor items of imported contracts with no approved mapping, "+
		"each with up to five ERP item suggestions, best first: a confidence from 0 to 1 and the evidence (exact supplier part number, "+
		"normalized part number, description similarity, unit conversion).")
	docListMappings   = readDoc("List item mappings", "Approved vendor item → ERP item mappings, by vendor item number; every later file and run reuses them.")
	docCreateMapping  = huma.Operation{Summary: "Map a vendor item", SkipValidateBody: true, Description: "Approves a suggestion or maps by hand; replaces the item's mapping if it had one. The stored confidence and evidence are the pair's score."}
	docBulkApprove    = huma.Operation{Summary: "Approve suggestions in bulk", SkipValidateBody: true, Description: "Approves, for every unmapped item, its best suggestion when its confidence is at least the threshold and no other ERP item scores as high."}
	docRejectMapping  = huma.Operation{Summary: "Reject a suggestion", SkipValidateBody: true, DefaultStatus: http.StatusNoContent, Description: "The ERP item is not suggested for the vendor item again."}
	docDeleteMapping  = deactivateDoc("Remove an item mapping", "The vendor item returns to the unmapped queue.")
	docListTolerances = readDoc("List price tolerances", "The tenant's default (vendor_id empty) and each vendor's own.")
	docPutTolerance   = huma.Operation{Summary: "Set a price tolerance", SkipValidateBody: true, Description: "A contract price within the absolute amount or the percent of the ERP price is not a PRICE_MISMATCH; with 0, prices must be equal. A body with neither is refused, so a stray {} never replaces a tolerance. A vendor's own tolerance overrides the default."}
	docStartRun       = huma.Operation{Summary: "Reconcile a contract", DefaultStatus: http.StatusAccepted, Description: "Queues a manual run of the five rules over the contract's lines; follow it with GET /api/v1/reconciliation-runs/{id}."}
	docListRuns       = readDoc("List reconciliation runs", "Newest first, with status, progress and counts per rule.")
	docGetRun         = readDoc("Get a reconciliation run", "Status (queued, running, completed, failed), progress, exceptions opened, reopened and cleared, and counts per rule.")
	docListExceptions = readDoc("List reconciliation exceptions", "The exception queue, newest first, filtered by rule, severity, status, vendor, assignee or contract.")
	docGetException   = readDoc("Get a reconciliation exception", "With its contract line, both prices and the evidence, and its action log.")
	docExceptionAct   = huma.Operation{Summary: "Act on an exception", SkipValidateBody: true, Description: "comment, assign, resolve, or override (accepts the deviation for good; needs override_exceptions and a reason of at least 20 characters). Each action is in the action log and the audit log."}
	docBulkExceptions = huma.Operation{Summary: "Act on many exceptions", SkipValidateBody: true, Description: "One action on up to 500 exceptions, each on its own: the answer says which succeeded."}
)

package web

import (
	"context"

	"github.com/danielgtaylor/huma/v2"

	"github.com/vendorsync/vendorsync/internal/contract"
)

// mappingPatch corrects an approved mapping; a field left out stays.
type mappingPatch struct {
	ERPItemID PatchField[string] `json:"erp_item_id,omitempty" maxLength:"100" doc:"Another ERP item for the vendor item."`
	ERPUOM    PatchField[string] `json:"erp_uom,omitempty" maxLength:"20" doc:"The ERP unit the vendor unit maps to, and with it the ERP's conversion factor; left out, the new item's best unit (or the unchanged item's current one)."`
}

type mappingPatchIn struct {
	IDPath
	Body strictBody[mappingPatch]
}

func (s *Server) apiPatchMapping(ctx context.Context, in *mappingPatchIn) (*mappingOut, error) {
	b := in.Body.Value
	m, err := s.Mappings.Change(ctx, principal(ctx), in.ID, contract.MappingChange{ERPItemID: b.ERPItemID.ptr(), ERPUOM: b.ERPUOM.ptr()})
	if err != nil {
		return nil, err
	}
	return &mappingOut{Body: m}, nil
}

// exceptionPatch changes an exception's assignee, status or note; each
// change is the action it stands for, under the same rules.
type exceptionPatch struct {
	AssignedTo PatchField[string] `json:"assigned_to,omitempty" maxLength:"100" doc:"A user id; null or empty unassigns."`
	Status     string             `json:"status,omitempty" doc:"resolved, or overridden (needs override_exceptions and a note of at least 20 characters)."`
	Note       string             `json:"note,omitempty" maxLength:"4000" doc:"The resolution note or the override's reason; alone, a comment."`
}

type exceptionPatchIn struct {
	IDPath
	Body strictBody[exceptionPatch]
}

func (s *Server) apiPatchException(ctx context.Context, in *exceptionPatchIn) (*exceptionOnlyOut, error) {
	b := in.Body.Value
	e, err := s.Workflow.Change(ctx, principal(ctx), in.ID, contract.ExceptionChange{AssignTo: b.AssignedTo.ptr(),
		Status: contract.ExceptionStatus(b.Status), Note: b.Note})
	if err != nil {
		return nil, err
	}
	return &exceptionOnlyOut{Body: e}, nil
}

type exceptionActionsIn struct {
	IDPath
	PageQuery
}

func (s *Server) apiListExceptionActions(ctx context.Context, in *exceptionActionsIn) (*PageOut[contract.Action], error) {
	out, next, err := s.Workflow.Actions(ctx, principal(ctx), in.ID, in.Cursor, in.Limit)
	if err != nil {
		return nil, err
	}
	return pageOf(out, next), nil
}

// Operations of the field changes and the action log; routes.go registers
// them.
var (
	docPatchMapping = huma.Operation{Summary: "Change an item mapping", SkipValidateBody: true, Description: "Points an approved " +
		"mapping at another ERP item or ERP unit (the ERP's conversion factor for that unit then applies). The mapping keeps its id, " +
		"is scored again and counts as chosen by hand; the change is in the audit log and every later run uses it."}
	docPatchException = huma.Operation{Summary: "Change an exception", SkipValidateBody: true, Description: "assigned_to assigns " +
		"(null or empty unassigns); status resolved or overridden closes an open exception with note as the resolution note or " +
		"the override's reason; a note alone is a comment. Each change is the action of POST …/actions it stands for, with the " +
		"same rules and permissions, and all are saved together or none."}
	docListExceptionActions = readDoc("List an exception's actions", "Its action log, oldest first: comments, assignments, "+
		"resolutions, overrides, and the runs' reopenings and clearings.")
)

package contract

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/audit"
	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/ident"
)

// MinOverrideReason is the shortest reason an override takes: accepting
// a price the rules flagged must say why, for whoever audits it later.
const MinOverrideReason = 20

// maxBulk bounds one bulk action.
const maxBulk = 500

// WorkflowService is the exception queue and what people do with its
// exceptions: comment, assign, resolve, override (each in the action log
// and the audit log).
type WorkflowService struct {
	Store ReconStore
	// Blobs keeps price exports write-once.
	Blobs Blobs
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

func (s *WorkflowService) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

// ExceptionDetail is an exception with its contract line and action log.
type ExceptionDetail struct {
	Exception
	Line    Line     `json:"line"`
	Actions []Action `json:"actions" nullable:"false"`
}

// ActionInput is what a person does to an exception: Note is the
// comment, the resolution note or the override's reason; AssignTo the
// user (by id) an assignment goes to, "" to unassign.
type ActionInput struct {
	Type     ActionType
	Note     string
	AssignTo string
}

// BulkOutcome is one exception's result in a bulk action.
type BulkOutcome struct {
	ID    string `json:"id"`
	OK    bool   `json:"ok"`
	Error string `json:"error,omitempty"`
}

// Exceptions lists the queue, newest first.
func (s *WorkflowService) Exceptions(ctx context.Context, p auth.Principal, f ExceptionFilter) ([]Exception, string, error) {
	if err := p.Require(auth.PermView); err != nil {
		return nil, "", err
	}
	return s.Store.ListExceptions(ctx, p.TenantID, f)
}

// Exception returns an exception with its line and action log.
func (s *WorkflowService) Exception(ctx context.Context, p auth.Principal, id string) (ExceptionDetail, error) {
	if err := p.Require(auth.PermView); err != nil {
		return ExceptionDetail{}, err
	}
	e, err := s.Store.Exception(ctx, p.TenantID, id)
	if err != nil {
		return ExceptionDetail{}, err
	}
	d := ExceptionDetail{Exception: e}
	if d.Line, err = s.Store.ContractLine(ctx, p.TenantID, e.LineID); err != nil {
		return ExceptionDetail{}, err
	}
	if d.Actions, err = s.Store.ExceptionActions(ctx, p.TenantID, id); err != nil {
		return ExceptionDetail{}, err
	}
	return d, nil
}

// Act applies one action to an exception. Comments and assignments
// leave the status; resolving closes an open exception; overriding (a
// permission of its own, with a reason of at least MinOverrideReason
// characters) accepts the deviation, so later runs leave it be.
func (s *WorkflowService) Act(ctx context.Context, p auth.Principal, id string, in ActionInput) (Exception, error) {
	return s.apply(ctx, p, id, []ActionInput{in}, nil)
}

// ExceptionChange is a change of an exception's fields, as a PATCH says
// it: AssignTo (nil leaves the assignee, "" unassigns), Status (resolved
// or overridden; "" leaves it) and Note (the resolution note or the
// override's reason; alone, a comment).
type ExceptionChange struct {
	AssignTo *string
	Status   ExceptionStatus
	Note     string
}

// Change applies a field change as the actions it stands for (assign,
// then resolve, override or comment), under the same rules as Act and in
// one transaction: all of it is saved or none.
func (s *WorkflowService) Change(ctx context.Context, p auth.Principal, id string, ch ExceptionChange) (Exception, error) {
	var ins []ActionInput
	var badStatus func(*apperr.Validation)
	if ch.AssignTo != nil {
		ins = append(ins, ActionInput{Type: ActionAssign, AssignTo: *ch.AssignTo})
	}
	switch ch.Status {
	case "":
		if strings.TrimSpace(ch.Note) != "" {
			ins = append(ins, ActionInput{Type: ActionComment, Note: ch.Note})
		}
	case ExceptionResolved:
		ins = append(ins, ActionInput{Type: ActionResolve, Note: ch.Note})
	case ExceptionOverridden:
		ins = append(ins, ActionInput{Type: ActionOverride, Note: ch.Note})
	default:
		badStatus = func(v *apperr.Validation) {
			v.Add("status", "must be resolved or overridden, not %q (a run reopens an exception whose condition returns)", ch.Status)
		}
	}
	return s.apply(ctx, p, id, ins, badStatus)
}

// apply checks every action against the exception's rules (and check,
// when given, after the exception is found), then saves them together.
func (s *WorkflowService) apply(ctx context.Context, p auth.Principal, id string, ins []ActionInput, check func(*apperr.Validation)) (Exception, error) {
	if err := p.Require(auth.PermResolveExceptions); err != nil {
		return Exception{}, err
	}
	for _, in := range ins {
		if in.Type == ActionOverride {
			if err := p.Require(auth.PermOverrideExceptions); err != nil {
				return Exception{}, err
			}
		}
	}
	// The exception first: another tenant's id answers not found whatever
	// the body says.
	e, err := s.Store.Exception(ctx, p.TenantID, id)
	if err != nil {
		return Exception{}, err
	}
	var v apperr.Validation
	if check != nil {
		check(&v)
	} else if len(ins) == 0 {
		v.Add("status", "give assigned_to, status or note")
	}
	for i := range ins {
		in := &ins[i]
		in.Note, in.AssignTo = strings.TrimSpace(in.Note), strings.TrimSpace(in.AssignTo)
		v.Check(utf8.RuneCountInString(in.Note) <= 4000, "note", "must be at most 4000 characters")
		switch in.Type {
		case ActionComment:
			v.Check(in.Note != "", "note", "is required for a comment")
		case ActionOverride:
			v.Check(utf8.RuneCountInString(in.Note) >= MinOverrideReason, "note", "an override needs a reason of at least %d characters", MinOverrideReason)
		case ActionAssign, ActionResolve:
		default:
			v.Add("action_type", "must be one of comment, assign, resolve, override")
		}
	}
	if err := v.Err(); err != nil {
		return Exception{}, err
	}
	from, now := e.Status, s.now()
	as := make([]Action, 0, len(ins))
	evs := make([]audit.Event, 0, len(ins))
	for _, in := range ins {
		before := e
		switch in.Type {
		case ActionResolve, ActionOverride:
			if e.Status != ExceptionOpen {
				return Exception{}, apperr.E(apperr.Conflict, "the exception is %s, not open", e.Status)
			}
			e.Status = ExceptionResolved
			if in.Type == ActionOverride {
				e.Status = ExceptionOverridden
			}
		case ActionAssign:
			e.AssignedTo = in.AssignTo
		}
		e.UpdatedAt = now
		as = append(as, Action{ID: ident.New(), ExceptionID: e.ID, Type: in.Type, Note: in.Note, AssignedTo: in.AssignTo, CreatedBy: p.Label, CreatedAt: now})
		evs = append(evs, audit.Record(p, "reconciliation_exception."+string(in.Type), "reconciliation_exception", e.ID,
			map[string]string{"status": string(before.Status), "assigned_to": before.AssignedTo},
			map[string]string{"status": string(e.Status), "assigned_to": e.AssignedTo, "note": in.Note}))
	}
	if err := s.Store.ApplyActions(ctx, e, from, as, evs); err != nil {
		return Exception{}, err
	}
	return e, nil
}

// Actions pages through an exception's action log, oldest first.
func (s *WorkflowService) Actions(ctx context.Context, p auth.Principal, id, cursor string, limit int) ([]Action, string, error) {
	if err := p.Require(auth.PermView); err != nil {
		return nil, "", err
	}
	if _, err := s.Store.Exception(ctx, p.TenantID, id); err != nil {
		return nil, "", err
	}
	return s.Store.ListExceptionActions(ctx, p.TenantID, id, cursor, limit)
}

// BulkAct applies one action to many exceptions, each on its own: one
// that fails (not found, not open) does not stop the others.
func (s *WorkflowService) BulkAct(ctx context.Context, p auth.Principal, ids []string, in ActionInput) ([]BulkOutcome, error) {
	if len(ids) == 0 || len(ids) > maxBulk {
		return nil, apperr.Invalidf("select 1 to %d exceptions", maxBulk)
	}
	out := make([]BulkOutcome, 0, len(ids))
	for _, id := range ids {
		_, err := s.Act(ctx, p, id, in)
		switch {
		case err == nil:
			out = append(out, BulkOutcome{ID: id, OK: true})
		case apperr.Is(err, apperr.Forbidden), apperr.Is(err, apperr.Invalid):
			return nil, err // the same for every exception: say it once
		case apperr.Is(err, apperr.Internal), apperr.Is(err, apperr.Unavailable):
			return out, err
		default:
			out = append(out, BulkOutcome{ID: id, Error: apperr.MessageOf(err)})
		}
	}
	return out, nil
}

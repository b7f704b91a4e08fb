package link

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/audit"
	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/ident"
	"github.com/vendorsync/vendorsync/internal/jobargs"
	"github.com/vendorsync/vendorsync/internal/tracker"
)

// IssueEdit is a change a person makes to a linked issue in VendorSync;
// nil fields are left as they are.
type IssueEdit struct {
	Title     *string   `json:"title,omitempty" maxLength:"255"`
	Body      *string   `json:"body,omitempty" maxLength:"65536"`
	State     *string   `json:"state,omitempty" enum:"open,closed"`
	Labels    *[]string `json:"labels,omitempty" maxItems:"50"`
	Assignees *[]string `json:"assignees,omitempty" maxItems:"20"`
	DueDate   *string   `json:"due_date,omitempty" doc:"YYYY-MM-DD; empty clears it."`
}

// apply returns f with the edit's fields set, and the problems found.
func (e IssueEdit) apply(f tracker.IssueFields) (tracker.IssueFields, []string) {
	var probs []string
	out := cloneFields(f)
	if e.Title != nil {
		t := strings.TrimSpace(*e.Title)
		switch {
		case t == "":
			probs = append(probs, "title is required")
		case utf8.RuneCountInString(t) > tracker.MaxSummaryLen, strings.ContainsAny(t, "\r\n"):
			probs = append(probs, "title must be one line of at most 255 characters")
		}
		out.Title = t
	}
	if e.Body != nil {
		out.Body = *e.Body
	}
	if e.State != nil {
		if *e.State != "open" && *e.State != "closed" {
			probs = append(probs, "state must be open or closed")
		}
		out.State = *e.State
	}
	list := func(name string, in []string) []string {
		out := []string{}
		for _, v := range in {
			v = strings.TrimSpace(v)
			if v == "" || slices.Contains(out, v) {
				continue
			}
			if len(v) > 255 || strings.ContainsAny(v, "\r\n,") {
				probs = append(probs, name+" must be single names without commas")
				continue
			}
			out = append(out, v)
		}
		return out
	}
	if e.Labels != nil {
		// The idempotency marker stays, whatever the edit: it is how a
		// retried create finds the issue.
		out.Labels = list("labels", *e.Labels)
		for _, l := range f.Labels {
			if strings.HasPrefix(strings.ToLower(l), tracker.IdempotencyLabelPrefix) && !slices.Contains(out.Labels, l) {
				out.Labels = append(out.Labels, l)
			}
		}
	}
	if e.Assignees != nil {
		out.Assignees = list("assignees", *e.Assignees)
	}
	if e.DueDate != nil {
		d := strings.TrimSpace(*e.DueDate)
		if d != "" && !tracker.Date(d).Valid() {
			probs = append(probs, "due date is not YYYY-MM-DD")
		}
		out.DueDate = d
	}
	return out, probs
}

// Sides a conflict resolution can take.
const (
	TakeOurs   = "ours"
	TakeTheirs = "theirs"
	TakeValue  = "value"
)

// Resolution settles a linked issue's conflict: for Fields (every field
// in conflict when empty) take ours, theirs, or Value's.
type Resolution struct {
	Fields []string            `json:"fields,omitempty"`
	Take   string              `json:"take,omitempty" enum:"ours,theirs,value" doc:"Required."`
	Value  tracker.IssueFields `json:"value,omitzero"`
}

// EditIssue changes fields of a linked issue in VendorSync: the mirror
// takes the values at once, and the change is queued in the outbox, in
// the same transaction, to be pushed to the tracker. A field in conflict
// that is edited is settled with the edited value.
func (s *Service) EditIssue(ctx context.Context, p auth.Principal, linkID string, e IssueEdit) (Mirror, error) {
	if err := p.Require(auth.PermWorkTickets); err != nil {
		return Mirror{}, err
	}
	return s.changeMirror(ctx, p, linkID, mirrorChange{auditAction: "tracker.issue.edit", logAction: SyncEdit,
		source: SourceUser, reason: "edited in VendorSync", change: e.change})
}

// change is the edit as a change of a mirror.
func (e IssueEdit) change(cur Mirror) (Mirror, []string, error) {
	next, probs := e.apply(cur.IssueFields)
	if len(probs) > 0 {
		return Mirror{}, nil, apperr.E(apperr.Invalid, "%s", strings.Join(probs, "; "))
	}
	fields := changedFields(cur.IssueFields, next)
	m := cur
	m.IssueFields = next
	if c := cur.SyncConflict; c != nil {
		var picked []string
		for _, f := range fields {
			if slices.Contains(c.Fields, f) {
				picked = append(picked, f)
			}
		}
		m = settle(m, picked, TakeValue, next)
	}
	return m, fields, nil
}

// ResolveConflict settles a linked issue's conflict as r says; what
// VendorSync keeps that the tracker does not have is queued to be pushed.
func (s *Service) ResolveConflict(ctx context.Context, p auth.Principal, linkID string, r Resolution) (Mirror, error) {
	if err := p.Require(auth.PermWorkTickets); err != nil {
		return Mirror{}, err
	}
	if _, err := s.Store.TrackerLink(ctx, p.TenantID, linkID); err != nil {
		return Mirror{}, fmt.Errorf("link %s: %w", linkID, err)
	}
	if r.Take != TakeOurs && r.Take != TakeTheirs && r.Take != TakeValue {
		return Mirror{}, apperr.E(apperr.Invalid, "take must be ours, theirs or value")
	}
	for _, f := range r.Fields {
		if !ValidField(f) {
			return Mirror{}, apperr.E(apperr.Invalid, "unknown field %q", f)
		}
	}
	resolve := func(cur Mirror) (Mirror, []string, error) {
		c := cur.SyncConflict
		if c == nil {
			return Mirror{}, nil, apperr.E(apperr.Conflict, "the issue has no conflict to resolve")
		}
		fields := r.Fields
		if len(fields) == 0 {
			fields = c.Fields
		}
		var picked []string
		for _, f := range fields {
			if slices.Contains(c.Fields, f) {
				picked = append(picked, f)
			}
		}
		if len(picked) == 0 && !c.Deleted {
			return Mirror{}, nil, apperr.E(apperr.Invalid, "none of the fields is in conflict")
		}
		value := cur.IssueFields
		if r.Take == TakeValue {
			var probs []string
			value, probs = valueEdit(r.Value, picked).apply(cur.IssueFields)
			if len(probs) > 0 {
				return Mirror{}, nil, apperr.E(apperr.Invalid, "%s", strings.Join(probs, "; "))
			}
		}
		m := settle(cur, picked, r.Take, value)
		if c.Deleted && m.SyncConflict == nil && r.Take == TakeTheirs {
			m.SyncStatus = MirrorDeleted
		}
		return m, picked, nil
	}
	return s.changeMirror(ctx, p, linkID, mirrorChange{auditAction: "tracker.conflict.resolve", logAction: SyncResolve,
		source: SourceUser, reason: "conflict resolved", change: resolve})
}

// valueEdit is the edit that writes fields of v.
func valueEdit(v tracker.IssueFields, fields []string) IssueEdit {
	var e IssueEdit
	for _, f := range fields {
		switch f {
		case FieldTitle:
			e.Title = &v.Title
		case FieldBody:
			e.Body = &v.Body
		case FieldState:
			e.State = &v.State
		case FieldLabels:
			e.Labels = &v.Labels
		case FieldAssignees:
			e.Assignees = &v.Assignees
		case FieldDueDate:
			e.DueDate = &v.DueDate
		}
	}
	return e
}

// settle ends the conflict of m on fields: the tracker holds theirs, so
// theirs becomes the snapshot, and ours becomes theirs, stays, or takes
// value's; what then differs from the snapshot is pushed. A deletion
// conflict ends with it (ours: the changes stay to be pushed).
func settle(m Mirror, fields []string, take string, value tracker.IssueFields) Mirror {
	c := m.SyncConflict
	if c == nil {
		return m
	}
	m.IssueFields, m.LastSynced = cloneFields(m.IssueFields), cloneFields(m.LastSynced)
	for _, f := range fields {
		copyField(&m.LastSynced, c.Theirs, f)
		switch take {
		case TakeTheirs:
			copyField(&m.IssueFields, c.Theirs, f)
		case TakeValue:
			copyField(&m.IssueFields, value, f)
		}
	}
	rest := slices.DeleteFunc(slices.Clone(c.Fields), func(f string) bool { return slices.Contains(fields, f) })
	m.SyncConflict = nil
	if len(rest) > 0 {
		nc := *c
		nc.Fields, nc.Deleted = rest, false
		m.SyncConflict = &nc
	}
	m.SyncStatus = syncStatus(m)
	return m
}

// mirrorChange is a change of a link's mirror made in VendorSync: what it
// does (change returns the new mirror and the fields it changed) and how
// its audit row, sync log entry and outbox row name it.
type mirrorChange struct {
	auditAction, logAction, source, reason string
	change                                 func(Mirror) (Mirror, []string, error)
}

// changeMirror applies ch to a link's mirror on behalf of p: the new
// mirror, a sync log entry and an audit row of the changed fields, and —
// for what now differs from the snapshot — an outbox row and its push
// job, all in one write (merged again when another write came first).
func (s *Service) changeMirror(ctx context.Context, p auth.Principal, linkID string, ch mirrorChange) (Mirror, error) {
	ms, err := s.mirrors()
	if err != nil {
		return Mirror{}, err
	}
	l, err := s.Store.TrackerLink(ctx, p.TenantID, linkID)
	if err != nil {
		return Mirror{}, fmt.Errorf("link %s: %w", linkID, err)
	}
	for range mergeAttempts {
		cur, err := ms.TrackerMirror(ctx, p.TenantID, l.ID)
		if apperr.Is(err, apperr.NotFound) {
			return Mirror{}, apperr.E(apperr.Conflict, "the issue has not been read from its tracker yet; try again after the next sync")
		}
		if err != nil {
			return Mirror{}, fmt.Errorf("mirror of link %s: %w", l.ID, err)
		}
		w, next, err := s.mirrorWrite(ctx, p, l, cur, ch)
		if err != nil || w == nil {
			return next, err
		}
		err = ms.WriteTrackerMirror(ctx, *w)
		if apperr.Is(err, apperr.Conflict) {
			continue
		}
		if err != nil {
			return Mirror{}, fmt.Errorf("link %s: %w", l.ID, err)
		}
		next.Revision++
		return next, nil
	}
	return Mirror{}, apperr.E(apperr.Unavailable, "the issue kept changing; try again")
}

// mirrorWrite is the write of ch to link l's mirror cur, and the mirror it
// writes; no write (and cur) when ch changes nothing.
func (s *Service) mirrorWrite(ctx context.Context, p auth.Principal, l Link, cur Mirror, ch mirrorChange) (*MirrorWrite, Mirror, error) {
	if cur.SyncStatus == MirrorDeleted {
		return nil, Mirror{}, apperr.E(apperr.Conflict, "the issue was deleted in its tracker")
	}
	next, fields, err := ch.change(cur)
	if err != nil {
		return nil, Mirror{}, err
	}
	if _, f, err := s.connection(ctx, l.TenantID, cur.ConnectionID); err == nil && f.NoDueDates && slices.Contains(fields, FieldDueDate) {
		return nil, Mirror{}, apperr.E(apperr.Invalid, "%s issues have no due date", f.Name)
	}
	if len(fields) == 0 && next.SyncStatus == cur.SyncStatus {
		return nil, cur, nil
	}
	now := s.now()
	next.LocalUpdatedAt = now
	next.SyncStatus = syncStatus(next)
	w := MirrorWrite{Mirror: next, Revision: cur.Revision, At: now, SettleOutbox: next.SyncStatus == MirrorDeleted}
	w.Log = []SyncLogEntry{logEntry(next, l.Provider, Outbound, ch.logAction, ch.source, fields,
		fieldValues(cur.IssueFields, fields), fieldValues(next.IssueFields, fields), now)}
	w.Events = []audit.Event{audit.Record(p, ch.auditAction, "tracker_link", l.ID,
		fieldValues(cur.IssueFields, fields), fieldValues(next.IssueFields, fields))}
	push := changedFields(next.LastSynced, next.IssueFields)
	if len(push) > 0 && next.SyncStatus != MirrorDeleted {
		if f, ok := s.editsAccepted(ctx, l.TenantID, next.ConnectionID); !ok {
			return nil, Mirror{}, errNoEdits(f)
		}
		w.Outbox = []OutboxItem{{ID: ident.New(), TenantID: l.TenantID, LinkID: l.ID, ConnectionID: next.ConnectionID,
			IssueKey: next.IssueKey, Fields: push, Change: next.IssueFields, Reason: ch.reason, Status: OutboxPending,
			NextAttempt: now, CreatedBy: p.Label, CreatedAt: now, UpdatedAt: now}}
		w.Jobs = []jobargs.Args{jobargs.TrackerPush{Tenant: jobargs.For(l.TenantID), LinkID: l.ID}}
	}
	return &w, next, nil
}

// AcceptsEdits says whether the tracker of a mirror's connection takes
// edits from VendorSync: whether its provider is a tracker.FieldUpdater.
// A connection that cannot be reached now (disabled, no token) is judged
// by a provider built from its stored settings; one this server cannot
// build at all is not refused here, its push reports why.
func (s *Service) AcceptsEdits(ctx context.Context, tenantID, connectionID string) bool {
	_, ok := s.editsAccepted(ctx, tenantID, connectionID)
	return ok
}

// editsAccepted is AcceptsEdits with the connection's kind.
func (s *Service) editsAccepted(ctx context.Context, tenantID, connectionID string) (tracker.Factory, bool) {
	if cl, err := s.provider(ctx, tenantID, connectionID); err == nil {
		_, ok := cl.tracker.(tracker.FieldUpdater)
		return cl.kind, ok
	}
	c, f, err := s.connection(ctx, tenantID, connectionID)
	if err != nil || f.New == nil {
		return f, true
	}
	// No request is made: the token only has to be present.
	p, err := f.New(tracker.Settings{BaseURL: c.BaseURL, Username: c.Username, Token: "unused"})
	if err != nil {
		return f, true
	}
	_, ok := p.(tracker.FieldUpdater)
	return f, ok
}

// errNoEdits is the refusal of a change that would be pushed to a tracker
// that does not take edits.
func errNoEdits(f tracker.Factory) error {
	name := f.Name
	if name == "" {
		name = "this"
	}
	return apperr.E(apperr.Invalid, "the %s tracker does not accept edits from VendorSync: change the issue there", name)
}

package web

import (
	"context"

	"github.com/danielgtaylor/huma/v2"

	"github.com/vendorsync/vendorsync/internal/apperr"

	"github.com/vendorsync/vendorsync/internal/tracker/link"
)

type issueEditIn struct {
	ID   string `path:"id" doc:"The link's id."`
	Body strictBody[link.IssueEdit]
}

type resolveIn struct {
	ID   string `path:"id" doc:"The link's id."`
	Body strictBody[link.Resolution]
}

type syncLogIn struct {
	ID string `path:"id" doc:"The link's id."`
	PageQuery
}

type conflictsOut struct {
	Body Page[link.Mirror]
}

type syncSettingsIn struct {
	ID   string `path:"id" doc:"The connection's id."`
	Body strictBody[syncSettingsBody]
}

type syncSettingsBody struct {
	DeletePolicy           *link.DeletePolicy `json:"delete_policy,omitempty" enum:"delete_wins,update_wins" doc:"Which side wins when an issue deleted on one side was changed on the other since the last sync; absent keeps it."`
	CloseWithTicket        *bool              `json:"close_with_ticket,omitempty" doc:"Close the ticket's issues in this tracker when the ticket is closed; absent keeps it."`
	InProgressLabels       *[]string          `json:"in_progress_labels,omitempty" maxItems:"20" doc:"GitHub, GitLab and Gitea: the labels that put an open issue in progress (case ignored); [] for none; absent keeps them."`
	InProgressWhenAssigned *bool              `json:"in_progress_when_assigned,omitempty" doc:"GitHub, GitLab and Gitea: an open issue with an assignee is in progress; absent keeps it."`
}

type syncSettingsOut struct {
	Body link.SyncSettings
}

func (s *Server) apiEditIssue(ctx context.Context, in *issueEditIn) (*mirrorOut, error) {
	svc, err := s.trackers()
	if err != nil {
		return nil, err
	}
	m, err := svc.EditIssue(ctx, principal(ctx), in.ID, in.Body.Value)
	if err != nil {
		return nil, err
	}
	return &mirrorOut{Body: m}, nil
}

func (s *Server) apiResolveConflict(ctx context.Context, in *resolveIn) (*mirrorOut, error) {
	svc, err := s.trackers()
	if err != nil {
		return nil, err
	}
	m, err := svc.ResolveConflict(ctx, principal(ctx), in.ID, in.Body.Value)
	if err != nil {
		return nil, err
	}
	return &mirrorOut{Body: m}, nil
}

func (s *Server) apiLinkSyncLog(ctx context.Context, in *syncLogIn) (*PageOut[link.SyncLogEntry], error) {
	return s.syncLog(ctx, link.SyncLogFilter{LinkID: in.ID, Cursor: in.Cursor, Limit: in.Limit})
}

func (s *Server) apiSyncLog(ctx context.Context, in *PageQuery) (*PageOut[link.SyncLogEntry], error) {
	return s.syncLog(ctx, link.SyncLogFilter{Cursor: in.Cursor, Limit: in.Limit})
}

func (s *Server) syncLog(ctx context.Context, f link.SyncLogFilter) (*PageOut[link.SyncLogEntry], error) {
	svc, err := s.trackers()
	if err != nil {
		return nil, err
	}
	out, next, err := svc.SyncLog(ctx, principal(ctx), f)
	if err != nil {
		return nil, err
	}
	return pageOf(out, next), nil
}

func (s *Server) apiListConflicts(ctx context.Context, _ *struct{}) (*conflictsOut, error) {
	svc, err := s.trackers()
	if err != nil {
		return nil, err
	}
	out, err := svc.Conflicts(ctx, principal(ctx), 500)
	if err != nil {
		return nil, err
	}
	return &conflictsOut{Body: pageOf(out, "").Body}, nil
}

func (s *Server) apiGetSyncSettings(ctx context.Context, in *IDPath) (*syncSettingsOut, error) {
	svc, err := s.trackers()
	if err != nil {
		return nil, err
	}
	st, err := svc.SyncSettings(ctx, principal(ctx), in.ID)
	if err != nil {
		return nil, err
	}
	return &syncSettingsOut{Body: st}, nil
}

func (s *Server) apiPutSyncSettings(ctx context.Context, in *syncSettingsIn) (*syncSettingsOut, error) {
	svc, err := s.trackers()
	if err != nil {
		return nil, err
	}
	b := in.Body.Value
	p := principal(ctx)
	st, err := svc.SyncSettings(ctx, p, in.ID)
	if err != nil {
		return nil, err
	}
	if b.DeletePolicy == nil && b.CloseWithTicket == nil && b.InProgressLabels == nil && b.InProgressWhenAssigned == nil {
		return nil, apperr.E(apperr.Invalid, "give delete_policy, close_with_ticket, in_progress_labels or in_progress_when_assigned")
	}
	if b.DeletePolicy != nil {
		st.DeletePolicy = *b.DeletePolicy
		if st.DeletePolicy == "" {
			return nil, apperr.E(apperr.Invalid, "delete policy must be delete_wins or update_wins")
		}
	}
	if b.CloseWithTicket != nil {
		st.CloseWithTicket = *b.CloseWithTicket
	}
	if b.InProgressLabels != nil {
		st.InProgressLabels = *b.InProgressLabels
	}
	if b.InProgressWhenAssigned != nil {
		st.InProgressWhenAssigned = *b.InProgressWhenAssigned
	}
	st, err = svc.SaveSyncSettings(ctx, p, st)
	if err != nil {
		return nil, err
	}
	return &syncSettingsOut{Body: st}, nil
}

// Operations of the two-way sync API; routes.go registers them.
var (
	docEditIssue = huma.Operation{Summary: "Edit a linked issue", SkipValidateBody: true,
		Description: "Changes the given fields of the linked issue in VendorSync at once and queues them to be pushed to " +
			"its tracker (the outbox). A field in conflict that is edited is settled with the edited value. 409 while the " +
			"issue was never read from its tracker, or after it was deleted there; 422 when its tracker does not accept edits " +
			"from VendorSync."}
	docResolveConflict = huma.Operation{Summary: "Resolve a linked issue's conflict", SkipValidateBody: true,
		Description: "For the given fields (every field in conflict when none is given) take ours (VendorSync's value, " +
			"pushed), theirs (the tracker's), or value (written here, pushed). 409 when there is no conflict; 422 when " +
			"something would be pushed to a tracker that does not accept edits from VendorSync."}
	docLinkSyncLog = huma.Operation{Summary: "List a linked issue's sync log",
		Description: "Every change of the linked issue, inbound (from its tracker: a webhook delivery's id or poll) and " +
			"outbound (edits, resolutions and pushes), with the fields' values before and after, newest first."}
	docSyncLog = huma.Operation{Summary: "List the tenant's tracker sync log",
		Description: "Every inbound and outbound change of every linked issue, newest first."}
	docListConflicts = huma.Operation{Summary: "List linked issues in conflict",
		Description: "The linked issues with fields changed both in VendorSync and in their tracker since the last " +
			"sync, with both values, oldest conflict first (at most 500)."}
	docGetSyncSettings = huma.Operation{Summary: "Get a connection's sync settings",
		Description: "The delete policy (delete_wins by default), whether closing a ticket closes its issues (off by default), " +
			"and on GitHub, GitLab and Gitea what puts an open issue in progress: its labels (\"in progress\", \"doing\" " +
			"and the like by default) and, when switched on, an assignee. Jira's status category says it there instead."}
	docPutSyncSettings = huma.Operation{Summary: "Save a connection's sync settings", SkipValidateBody: true,
		Description: "Sets the fields given; an absent field keeps its value. 422 when none is given, or a label is " +
			"longer than 255 characters or holds a comma, or there are more than 20. The new rule applies from the next sync."}
)

type outboxIn struct {
	Status string `query:"status" enum:"pending,pushed,failed,cancelled," doc:"Only changes in this status."`
	LinkID string `query:"link_id" doc:"Only changes of this linked issue."`
	PageQuery
}

type retryPushOut struct {
	Body Page[link.OutboxItem]
}

func (s *Server) apiListOutbox(ctx context.Context, in *outboxIn) (*PageOut[link.OutboxItem], error) {
	svc, err := s.trackers()
	if err != nil {
		return nil, err
	}
	out, next, err := svc.Outbox(ctx, principal(ctx), link.OutboxFilter{Status: in.Status, LinkID: in.LinkID, Cursor: in.Cursor,
		Limit: in.Limit})
	if err != nil {
		return nil, err
	}
	return pageOf(out, next), nil
}

func (s *Server) apiRetryPush(ctx context.Context, in *IDPath) (*retryPushOut, error) {
	svc, err := s.trackers()
	if err != nil {
		return nil, err
	}
	out, err := svc.RetryPush(ctx, principal(ctx), in.ID)
	if err != nil {
		return nil, err
	}
	return &retryPushOut{Body: pageOf(out, "").Body}, nil
}

// Operations of the outbox API; routes.go registers them.
var (
	docListOutbox = huma.Operation{Summary: "List the tracker outbox",
		Description: "Changes made in VendorSync to linked issues and their push to the tracker: pending (with the next " +
			"attempt; a failed push is tried again after 2^n minutes), pushed, failed (after 5 attempts) or cancelled " +
			"(the issue was deleted), newest first."}
	docRetryPush = huma.Operation{Summary: "Push a linked issue's failed changes again",
		Description: "Puts the linked issue's failed outbox changes back to be pushed now, attempts reset. 409 when none failed."}
)

package link

import (
	"context"
	"fmt"
	"time"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/ticket"
)

// LinkedChangeStore writes a change to a ticket with the writes of its
// issues' mirrors it causes, in one transaction: apperr.Conflict (nothing
// written) when the ticket or a mirror changed since they were computed.
type LinkedChangeStore interface {
	ApplyTicketChangeWithMirrors(ctx context.Context, c ticket.Change, ws []MirrorWrite) error
}

// The service writes the tracker side of ticket changes.
var _ ticket.Linked = (*Service)(nil)

// ApplyLinkedChange writes a change to a ticket, made by p, together with
// what it causes at the ticket's linked issues, in one transaction. A
// moved effective date gives every linked issue the ticket's new due date
// (IssueDueDate, as at creation): the mirror takes it and an outbox row
// and its push job are queued, as for an edit on the ticket page. A
// tracker without due dates (GitHub), or one that takes no edits from
// VendorSync, is left alone and its sync log says why; nothing fails and
// nothing is pushed. Issues not read from their tracker yet, or deleted
// there, are skipped: an issue created later takes the ticket's dates.
func (s *Service) ApplyLinkedChange(ctx context.Context, p auth.Principal, c ticket.Change) error {
	ls, ok := s.Hooks.(LinkedChangeStore)
	if !ok {
		// Webhooks off: no issue has a mirror to write.
		if s.Tickets == nil {
			return apperr.E(apperr.Unavailable, "tickets are not set up on this server")
		}
		return s.Tickets.Store.ApplyTicketChange(ctx, c)
	}
	var ws []MirrorWrite
	if c.SaveSchedule {
		var err error
		if ws, err = s.dueDateWrites(ctx, p, c.Ticket); err != nil {
			return err
		}
	}
	return ls.ApplyTicketChangeWithMirrors(ctx, c, ws)
}

// dueDateWrites are the mirror writes that give t's linked issues its due
// date.
func (s *Service) dueDateWrites(ctx context.Context, p auth.Principal, t ticket.Ticket) ([]MirrorWrite, error) {
	ms, ok := s.Hooks.(MirrorStore)
	if !ok {
		return nil, nil
	}
	links, err := s.Store.TicketTrackerLinks(ctx, t.TenantID, t.ID)
	if err != nil {
		return nil, fmt.Errorf("links of %s: %w", t.Key(), err)
	}
	loc := time.UTC
	if s.Tickets != nil {
		if loc, err = s.Tickets.TenantLocation(ctx, auth.System(t.TenantID)); err != nil {
			return nil, err
		}
	}
	due := string(IssueDueDate(t, loc))
	var out []MirrorWrite
	for _, l := range links {
		if l.IssueKey == "" || l.ConnectionID == "" {
			continue
		}
		cur, err := ms.TrackerMirror(ctx, t.TenantID, l.ID)
		if apperr.Is(err, apperr.NotFound) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("mirror of link %s: %w", l.ID, err)
		}
		if cur.SyncStatus == MirrorDeleted || cur.DueDate == due {
			continue
		}
		if why := s.noDueDates(ctx, t.TenantID, cur.ConnectionID); why != "" {
			now := s.now()
			out = append(out, MirrorWrite{Mirror: cur, Revision: cur.Revision, At: now, Log: []SyncLogEntry{
				logEntry(cur, l.Provider, Outbound, SyncSkipped, SourceTicket, []string{FieldDueDate},
					map[string]any{FieldDueDate: cur.DueDate}, map[string]any{FieldDueDate: due, "reason": why}, now)}})
			continue
		}
		w, _, err := s.mirrorWrite(ctx, p, l, cur, mirrorChange{auditAction: "tracker.issue.edit", logAction: SyncEdit,
			source: SourceTicket, reason: "effective date of " + t.Key() + " moved", change: IssueEdit{DueDate: &due}.change})
		if err != nil {
			return nil, fmt.Errorf("due date of %s: %w", cur.IssueKey, err)
		}
		if w != nil {
			out = append(out, *w)
		}
	}
	return out, nil
}

// noDueDates says why the issues of a connection cannot take a due date
// from VendorSync, or "" when they can.
func (s *Service) noDueDates(ctx context.Context, tenantID, connectionID string) string {
	f, ok := s.editsAccepted(ctx, tenantID, connectionID)
	name := f.Name
	if name == "" {
		name = "this"
	}
	switch {
	case f.NoDueDates:
		return name + " issues have no due date"
	case !ok:
		return "the " + name + " tracker does not accept edits from VendorSync"
	}
	return ""
}

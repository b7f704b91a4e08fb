package link

import (
	"context"
	"fmt"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/jobargs"
	"github.com/vendorsync/vendorsync/internal/ticket"
)

// DueDateJobs are the jobs of a moved effective date: one that gives the
// ticket's linked issues its new due date. The table of consequences gives
// them to every move, so the job commits with the new date.
func DueDateJobs(t ticket.Ticket) []jobargs.Args {
	return []jobargs.Args{jobargs.TrackerDueDates{Tenant: jobargs.For(t.TenantID), TicketID: t.ID}}
}

// MoveDueDates gives, as the system, every linked issue of a ticket the
// ticket's due date as it is now (IssueDueDate, as at creation): the
// mirror takes it and an outbox row and its push job are queued, as for
// an edit on the ticket page. A tracker without due dates (GitHub), or one
// that takes no edits from VendorSync, is left alone and its sync log says
// why; nothing fails and nothing is pushed. Issues not read from their
// tracker yet, or deleted there, are skipped: an issue created later takes
// the ticket's dates. An issue that has the date already is left alone, so
// running it again changes nothing. It returns how many issues took the
// date.
func (s *Service) MoveDueDates(ctx context.Context, tenantID, ticketID string) (int, error) {
	ms, ok := s.Hooks.(MirrorStore)
	if !ok || s.Tickets == nil {
		return 0, nil // webhooks off: no issue has a mirror to write
	}
	sys := auth.System(tenantID)
	t, err := s.Tickets.ByID(ctx, sys, ticketID)
	if apperr.Is(err, apperr.NotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("link.MoveDueDates %s: %w", ticketID, err)
	}
	loc, err := s.Tickets.TenantLocation(ctx, sys)
	if err != nil {
		return 0, err
	}
	links, err := s.Store.TicketTrackerLinks(ctx, tenantID, ticketID)
	if err != nil {
		return 0, fmt.Errorf("link.MoveDueDates: links of %s: %w", t.Key(), err)
	}
	due := string(IssueDueDate(t, loc))
	n := 0
	for _, l := range links {
		if l.IssueKey == "" || l.ConnectionID == "" {
			continue
		}
		moved, err := s.moveDueDate(ctx, ms, sys, t, l, due)
		if err != nil {
			return n, fmt.Errorf("link.MoveDueDates %s: %w", t.Key(), err)
		}
		if moved {
			n++
		}
	}
	return n, nil
}

// moveDueDate gives link l's issue the due date due, merged again when
// another write to its mirror came first.
func (s *Service) moveDueDate(ctx context.Context, ms MirrorStore, p auth.Principal, t ticket.Ticket, l Link, due string) (bool, error) {
	for range mergeAttempts {
		cur, err := ms.TrackerMirror(ctx, l.TenantID, l.ID)
		if apperr.Is(err, apperr.NotFound) {
			return false, nil
		}
		if err != nil {
			return false, fmt.Errorf("mirror of link %s: %w", l.ID, err)
		}
		if cur.SyncStatus == MirrorDeleted || cur.DueDate == due {
			return false, nil
		}
		var w *MirrorWrite
		if why := s.noDueDates(ctx, l.TenantID, cur.ConnectionID); why != "" {
			now := s.now()
			w = &MirrorWrite{Mirror: cur, Revision: cur.Revision, At: now, Log: []SyncLogEntry{
				logEntry(cur, l.Provider, Outbound, SyncSkipped, SourceTicket, []string{FieldDueDate},
					map[string]any{FieldDueDate: cur.DueDate}, map[string]any{FieldDueDate: due, "reason": why}, now)}}
		} else if w, _, err = s.mirrorWrite(ctx, p, l, cur, mirrorChange{auditAction: "tracker.issue.edit", logAction: SyncEdit,
			source: SourceTicket, reason: "effective date of " + t.Key() + " moved", change: IssueEdit{DueDate: &due}.change}); err != nil {
			return false, fmt.Errorf("due date of %s: %w", cur.IssueKey, err)
		}
		if w == nil {
			return false, nil
		}
		err = ms.WriteTrackerMirror(ctx, *w)
		if apperr.Is(err, apperr.Conflict) {
			continue
		}
		if err != nil {
			return false, fmt.Errorf("due date of %s: %w", cur.IssueKey, err)
		}
		return len(w.Outbox) > 0, nil
	}
	return false, apperr.E(apperr.Unavailable, "the issue of link %s kept changing; the due date will be tried again", l.ID)
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

package link

import (
	"context"
	"fmt"
	"slices"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/jobargs"
	"github.com/vendorsync/vendorsync/internal/ticket"
)

// CloseJobs are the jobs of a ticket's transitions that close its issues:
// one when a step closed the ticket. The table of consequences gives them
// to every transition, so the job commits with the closure.
func CloseJobs(t ticket.Ticket, steps []ticket.Step) []jobargs.Args {
	if !slices.ContainsFunc(steps, func(st ticket.Step) bool { return st.To == ticket.Closed }) {
		return nil
	}
	return []jobargs.Args{jobargs.TrackerCloseIssues{Tenant: jobargs.For(t.TenantID), TicketID: t.ID}}
}

// CloseTicketIssues closes, as the system, the open linked issues of a
// closed ticket whose connection closes issues with their ticket (off by
// default): each is an edit of its state, pushed through the outbox. It
// returns how many it closed.
func (s *Service) CloseTicketIssues(ctx context.Context, tenantID, ticketID string) (int, error) {
	ms, ok := s.Hooks.(MirrorStore)
	if !ok {
		return 0, nil
	}
	links, err := s.Store.TicketTrackerLinks(ctx, tenantID, ticketID)
	if err != nil {
		return 0, fmt.Errorf("link.CloseTicketIssues %s: %w", ticketID, err)
	}
	closed := "closed"
	n := 0
	for _, l := range links {
		if l.IssueKey == "" || l.ConnectionID == "" {
			continue
		}
		st, err := ms.TrackerSyncSettings(ctx, tenantID, l.ConnectionID)
		if err != nil {
			return n, fmt.Errorf("link.CloseTicketIssues %s: %w", ticketID, err)
		}
		if !st.CloseWithTicket {
			continue
		}
		m, err := s.EditIssue(ctx, auth.System(tenantID), l.ID, IssueEdit{State: &closed})
		switch {
		case apperr.Is(err, apperr.Conflict):
			continue // never read from its tracker, or deleted there: nothing to close
		case err != nil:
			return n, fmt.Errorf("link.CloseTicketIssues %s: %w", ticketID, err)
		case m.State == closed:
			n++
		}
	}
	return n, nil
}

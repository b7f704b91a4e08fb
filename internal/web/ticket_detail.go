package web

import (
	"context"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/ticket"
	"github.com/vendorsync/vendorsync/internal/tracker/link"
)

// ticketDetail is one ticket with its timeline and what the caller may do.
type ticketDetail struct {
	Key string `json:"key" doc:"The human key, VS-0042."`
	TicketFields
	VendorName         string               `json:"vendor_name"`
	OwnerTeamName      string               `json:"owner_team_name,omitempty"`
	Events             []ticket.TicketEvent `json:"events" nullable:"false" doc:"The timeline, oldest first."`
	AllowedTransitions []ticket.Status      `json:"allowed_transitions" nullable:"false" doc:"States the caller may move the ticket to now."`
	CanOverride        bool                 `json:"can_override" doc:"Whether the caller may force-close the ticket with a reason."`
	TrackerLinks       []link.Link          `json:"tracker_links" nullable:"false" doc:"The ticket's tracker issues, one per application that uses a tracker, with their last synced status."`
}

type ticketDetailOut struct {
	Body ticketDetail
}

// ticketDetailOf assembles what both the API and the ticket page show of one
// ticket for p: its timeline, the names of its vendor and owner team, the
// transitions p may make now and its tracker issues. A vendor or team that
// no longer exists shows without a name.
func (s *Server) ticketDetailOf(ctx context.Context, p auth.Principal, t ticket.Ticket) (ticketDetail, error) {
	d := ticketDetail{Key: t.Key(), TicketFields: TicketFields(t), AllowedTransitions: []ticket.Status{}, TrackerLinks: []link.Link{}}
	var err error
	if d.Events, err = s.Tickets.Events(ctx, p, t); err != nil {
		return ticketDetail{}, err
	}
	if v, err := s.Registry.Vendor(ctx, p, t.VendorID); err == nil {
		d.VendorName = v.Name
	} else if !apperr.Is(err, apperr.NotFound) {
		return ticketDetail{}, err
	}
	if t.OwnerTeamID != "" {
		if tm, err := s.Auth.Team(ctx, p, t.OwnerTeamID); err == nil {
			d.OwnerTeamName = tm.Name
		} else if !apperr.Is(err, apperr.NotFound) {
			return ticketDetail{}, err
		}
	}
	targets, override := ticket.Options(p, t)
	d.AllowedTransitions, d.CanOverride = append(d.AllowedTransitions, targets...), override
	if s.Trackers != nil {
		// Without a tracker integration the ticket has no tracker issues.
		if d.TrackerLinks, err = s.Trackers.TicketLinks(ctx, p, t.ID); err != nil {
			return ticketDetail{}, err
		}
	}
	return d, nil
}

// canSyncTicket reports whether p may ask for the ticket's tracker issues to
// be synced now: it has some, and is not closed.
func canSyncTicket(p auth.Principal, t ticket.Ticket, links []link.Link) bool {
	return len(links) > 0 && p.Can(auth.PermTriggerSync) && t.Status != ticket.Closed
}

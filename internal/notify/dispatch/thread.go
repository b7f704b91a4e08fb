package dispatch

import (
	"context"
	"fmt"

	"github.com/vendorsync/vendorsync/internal/notify"
)

// ThreadUpdateJob is the job, committed with a vendor email attached to
// ticket ticketID as an update, that tells the ticket's owners about it;
// keyed by the ticket and the email, so each update notifies once however
// often the job runs. The email's facts (with f.Excerpt cut to
// notify.ExcerptLength) are frozen now; the ticket, its recipients and the
// tenant's time zone are read when the deliveries are planned.
func (s *Service) ThreadUpdateJob(tenantID, ticketID string, f notify.EmailFacts) Job {
	if s.PlanJob == nil {
		return nil
	}
	f.Excerpt = notify.Excerpt(f.Excerpt)
	snap := notify.NewEmailSnapshot(f, nil, "", s.now())
	return s.PlanJob(tenantID, notify.ThreadUpdateEvent(ticketID, f.ID), &snap)
}

// planThreadUpdate plans a thread update like the ticket's other events —
// its channel, its owners' DMs and emails — with the email its job froze.
// It goes out whatever the ticket's status: a vendor writing about a
// resolved change is news to its owners.
func (s *Service) planThreadUpdate(ctx context.Context, st ChannelSettings, e notify.Event, snap *notify.Snapshot) (int, error) {
	if snap == nil || snap.Email == nil {
		return 0, fmt.Errorf("plan %s: no email in the snapshot", e.Key())
	}
	t, err := s.Store.TicketByID(ctx, st.TenantID, e.TicketID())
	if err != nil {
		return 0, fmt.Errorf("plan %s: %w", e.Key(), err)
	}
	return s.planTicket(ctx, st, t, e, snap.Email)
}

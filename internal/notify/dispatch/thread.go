package dispatch

import (
	"context"
	"fmt"

	"github.com/vendorsync/vendorsync/internal/notify"
)

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

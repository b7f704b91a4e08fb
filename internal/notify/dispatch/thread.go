package dispatch

import (
	"context"
	"fmt"

	"github.com/vendorsync/vendorsync/internal/notify"
)

// planThreadUpdate plans a thread update like the ticket's other events —
// its channel, its owners' DMs and emails — with the email its job froze;
// a sync conflict the same way, with the conflict its job froze. Either
// goes out whatever the ticket's status: a vendor writing about a resolved
// change is news to its owners, and so is a linked issue edited on both
// sides.
func (s *Service) planThreadUpdate(ctx context.Context, st ChannelSettings, e notify.Event, snap *notify.Snapshot) (int, error) {
	if snap == nil || (snap.Email == nil && e.Kind == notify.KindThreadUpdate) || (snap.Alert == nil && e.Kind == notify.KindSyncConflict) {
		return 0, fmt.Errorf("plan %s: the snapshot lacks what the event is about", e.Key())
	}
	t, err := s.Store.TicketByID(ctx, st.TenantID, e.TicketID())
	if err != nil {
		return 0, fmt.Errorf("plan %s: %w", e.Key(), err)
	}
	if e.Kind == notify.KindSyncConflict {
		snapshot, team, err := s.ticketSnapshot(ctx, t, nil)
		if err != nil {
			return 0, fmt.Errorf("plan %s: %w", e.Key(), err)
		}
		snapshot.Alert = snap.Alert
		return s.planTicketSnapshot(ctx, st, t, e, snapshot, team)
	}
	return s.planTicket(ctx, st, t, e, snap.Email)
}

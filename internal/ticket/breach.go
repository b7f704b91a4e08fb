package ticket

import (
	"context"
	"fmt"
	"time"

	"github.com/vendorsync/vendorsync/internal/auth"
)

// Breach moves a ticket whose deadline passed before now to breached, as
// the system, with its timeline entry, audit row and follow-up jobs (the
// breach alerts) in one transaction. Unlike Transition it acts only on a
// ticket still open or in progress and past its deadline, as read in the
// same version it writes: a ticket resolved meanwhile is left alone. It
// reports whether the ticket moved.
func (s *Service) Breach(ctx context.Context, tenantID string, number int64, now time.Time) (Ticket, bool, error) {
	t, err := s.Store.TicketByNumber(ctx, tenantID, number)
	if err != nil {
		return Ticket{}, false, fmt.Errorf("ticket.Breach %s: %w", Key(number), err)
	}
	if (t.Status != Open && t.Status != InProgress) || t.DueAt.IsZero() || !now.After(t.DueAt) {
		return t, false, nil
	}
	sys := auth.System(tenantID)
	req := Request{To: Breached, Reason: "The deadline passed before the change was resolved."}
	steps, err := Steps(sys, t.Facts(), req)
	if err != nil {
		return Ticket{}, false, fmt.Errorf("ticket.Breach %s: %w", t.Key(), err)
	}
	c := Change{Ticket: t, SaveState: true}
	s.record(&c, sys, steps, req)
	if err := s.Store.ApplyTicketChange(ctx, c); err != nil {
		return Ticket{}, false, fmt.Errorf("ticket.Breach %s: %w", t.Key(), err)
	}
	c.Ticket.Version++
	return c.Ticket, true, nil
}

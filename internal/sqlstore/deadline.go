package sqlstore

import (
	"context"
	"time"

	"github.com/vendorsync/vendorsync/internal/ticket"
	"github.com/vendorsync/vendorsync/internal/ticket/deadline"
)

// The store feeds the deadline monitor.
var _ deadline.Store = (*DB)(nil)

// UnfinishedTickets returns every tenant's open and in-progress tickets due
// before before, by tenant then deadline, in one query on
// tickets_monitor_idx (status, due_at). Applications are not loaded: the
// monitor needs the status and the deadline, and loads a ticket in full
// only when it acts on it.
func (db *DB) UnfinishedTickets(ctx context.Context, before time.Time) ([]ticket.Ticket, error) {
	return queryAll(ctx, db.reader(), "tickets", scanTicket, `SELECT `+ticketColumns+` FROM tickets
		WHERE status IN (?, ?) AND due_at < ? ORDER BY tenant_id, due_at, number`,
		string(ticket.Open), string(ticket.InProgress), before.UTC())
}

package sqlstore

import (
	"context"
	"database/sql"
	"strings"

	"github.com/vendorsync/vendorsync/internal/ticket"
)

// insertTicketEvent appends one entry to a ticket's timeline; an email it
// names must be the tenant's.
func (tx *Tx) insertTicketEvent(ctx context.Context, ev ticket.TicketEvent) error {
	if err := tx.requireRef(ctx, refEmails, "email_id", ev.TenantID, ev.EmailID); err != nil {
		return err
	}
	return tx.writeTicketEvent(ctx, ev)
}

// writeTicketEvent appends ev to a ticket's timeline without checking its
// email: for callers that proved in tx that the email is the tenant's (a
// ticket's references, a claimed email), saving a round trip.
func (tx *Tx) writeTicketEvent(ctx context.Context, ev ticket.TicketEvent) error {
	_, err := tx.exec(ctx, `INSERT INTO ticket_events (`+ticketEventColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		ticketEventArgs(ev)...)
	return translate(err, "ticket event")
}

// ticketEventColumns are the columns ticketEventArgs gives, in order.
const ticketEventColumns = `id, tenant_id, ticket_id, kind, from_status, to_status, actor_id, actor_label, body, flags, email_id, created_at`

// ticketEventArgs are the values of ev's row.
func ticketEventArgs(ev ticket.TicketEvent) []any {
	return []any{ev.ID, ev.TenantID, ev.TicketID, string(ev.Kind), string(ev.From), string(ev.To), ev.ActorID, ev.ActorLabel,
		ev.Body, strings.Join(ev.Flags, ","), optionalRef(ev.EmailID), ev.CreatedAt.UTC()}
}

// TicketEvents returns a ticket's timeline, oldest first (entries of one
// transaction share a time; their time-ordered ids keep them in order).
func (db *DB) TicketEvents(ctx context.Context, tenantID, ticketID string) ([]ticket.TicketEvent, error) {
	rows, err := db.reader().query(ctx, `SELECT id, tenant_id, ticket_id, kind, from_status, to_status, actor_id, actor_label,
		body, flags, email_id, created_at FROM ticket_events WHERE tenant_id = ? AND ticket_id = ? ORDER BY created_at, id`,
		tenantID, ticketID)
	if err != nil {
		return nil, translate(err, "ticket events")
	}
	return registryRows(rows, func(r interface{ Scan(...any) error }) (ticket.TicketEvent, error) {
		var ev ticket.TicketEvent
		var flags string
		var email sql.NullString
		err := r.Scan(&ev.ID, &ev.TenantID, &ev.TicketID, &ev.Kind, &ev.From, &ev.To, &ev.ActorID, &ev.ActorLabel,
			&ev.Body, &flags, &email, &ev.CreatedAt)
		if flags != "" {
			ev.Flags = strings.Split(flags, ",")
		}
		ev.EmailID, ev.CreatedAt = email.String, ev.CreatedAt.UTC()
		return ev, err
	}, "ticket events")
}

// loadTicketApps fills the applications of tickets (all of one tenant) in
// one query, with each application's current name and owner team.
func (db *DB) loadTicketApps(ctx context.Context, ts []ticket.Ticket) error {
	if len(ts) == 0 {
		return nil
	}
	idx := make(map[string]int, len(ts))
	args := make([]any, 0, len(ts)+1)
	args = append(args, ts[0].TenantID)
	for i, t := range ts {
		idx[t.ID] = i
		args = append(args, t.ID)
	}
	rows, err := db.reader().query(ctx, `SELECT ta.ticket_id, ta.application_id, a.name, a.owner_team_id, ta.uses_tracker,
		ta.progress, ta.progress_updated_by, ta.progress_updated_at
		FROM ticket_applications ta JOIN applications a ON a.tenant_id = ta.tenant_id AND a.id = ta.application_id
		WHERE ta.tenant_id = ? AND ta.ticket_id IN (`+placeholders(len(ts))+`) ORDER BY a.name, a.id`, args...)
	if err != nil {
		return translate(err, "ticket applications")
	}
	defer rows.Close()
	for rows.Next() {
		var tid string
		var a ticket.TicketApplication
		var team sql.NullString
		var at sql.NullTime
		if err := rows.Scan(&tid, &a.ApplicationID, &a.Name, &team, &a.UsesTracker, &a.Progress, &a.ProgressUpdatedBy, &at); err != nil {
			return translate(err, "ticket applications")
		}
		a.OwnerTeamID, a.ProgressUpdatedAt = team.String, nullTime(at)
		i := idx[tid]
		ts[i].Applications = append(ts[i].Applications, a)
	}
	return translate(rows.Err(), "ticket applications")
}

package sqlstore

import (
	"context"
	"time"

	"github.com/vendorsync/vendorsync/internal/ticket"
)

// rider is a statement that writes with a new ticket: an UPDATE or
// INSERT that returns nothing, its "?" placeholders and its arguments.
type rider struct {
	sql  string
	args []any
}

// insertNumberedTicket takes the tenant's next ticket number and writes t
// with it, its "created" entry ev and also (if any); on PostgreSQL all in
// one statement. The entry's email is the ticket's, checked with its
// references.
func (tx *Tx) insertNumberedTicket(ctx context.Context, t ticket.Ticket, ev ticket.TicketEvent, also rider) (int64, ticket.BreakingCounter, error) {
	args := []any{t.ID, t.TenantID, 0, t.VendorID, t.Topic, t.Summary, string(t.EffectiveDate), string(t.Severity), string(t.Status),
		optionalRef(t.OwnerTeamID), t.SLADays, t.DueAt.UTC(), t.AlertChannel, optionalRef(t.EmailID), jsonList(t.MatchedRuleIDs),
		t.Reasoning, string(t.Decision), t.IsManualOverride, t.CloseReason, t.LastTransitionedBy, timeOrNil(t.LastTransitionedAt),
		timeOrNil(t.ResolvedAt), timeOrNil(t.ClosedAt), timeOrNil(t.BreachedAt), t.CreatedAt, t.UpdatedAt, t.Version}
	if tx.db.Dialect == Postgres {
		// The counter's upsert feeds the insert: the ticket's number
		// column is the counter's new value, not a parameter.
		var n int64
		evArgs, alsoSQL := ticketEventArgs(ev), ""
		if also.sql != "" {
			alsoSQL = `, r AS (` + also.sql + `)`
		}
		// A breaking change's count of its vendor's breaking changes is
		// read in the same statement: the tickets before it (the
		// statement's snapshot) and itself if its decision says so.
		counted, count := &countedBreaking{Tx: tx, tenantID: t.TenantID, vendorID: t.VendorID, until: t.CreatedAt}, "-1"
		if t.Breaking() {
			count = `(SELECT COUNT(*) FROM tickets WHERE tenant_id = ? AND vendor_id = ? AND created_at >= ? AND created_at <= ?
				AND ` + breakingSQL(Postgres) + `) + (SELECT COUNT(*) FROM t WHERE ` + breakingSQL(Postgres) + `)`
			also.args = append(also.args[:len(also.args):len(also.args)], t.TenantID, t.VendorID,
				t.CreatedAt.Add(-ticket.BreakingWindow).UTC(), t.CreatedAt.UTC())
		}
		err := tx.queryRow(ctx, `WITH n AS (INSERT INTO counters (tenant_id, name, value) VALUES (?, 'ticket', 1)
			ON CONFLICT (tenant_id, name) DO UPDATE SET value = counters.value + 1 RETURNING value),
			t AS (INSERT INTO tickets (`+ticketColumns+`) SELECT ?, ?, n.value, `+placeholders(len(args)-3)+` FROM n RETURNING number, decision),
			e AS (INSERT INTO ticket_events (`+ticketEventColumns+`) SELECT `+placeholders(len(evArgs))+` FROM t)`+alsoSQL+`
			SELECT number, `+count+` FROM t`,
			append(append(append([]any{t.TenantID, args[0], args[1]}, args[3:]...), evArgs...), also.args...)...).Scan(&n, &counted.n)
		if err != nil {
			return 0, nil, translate(err, "ticket")
		}
		return n, counted, nil
	}
	n, err := tx.nextNumber(ctx, t.TenantID, "ticket")
	if err != nil {
		return 0, nil, err
	}
	args[2] = n
	if _, err := tx.exec(ctx, `INSERT INTO tickets (`+ticketColumns+`) VALUES (`+placeholders(len(args))+`)`, args...); err != nil {
		return 0, nil, translate(err, "ticket "+ticket.Key(n))
	}
	if err := tx.writeTicketEvent(ctx, ev); err != nil {
		return 0, nil, err
	}
	if also.sql != "" {
		if _, err := tx.exec(ctx, also.sql, also.args...); err != nil {
			return 0, nil, translate(err, "ticket "+ticket.Key(n))
		}
	}
	return n, tx, nil
}

// countedBreaking answers the count of its ticket's vendor's breaking
// changes that insertNumberedTicket read (n, -1 when none was read), and
// asks tx for any other.
type countedBreaking struct {
	*Tx
	tenantID, vendorID string
	until              time.Time
	n                  int
}

// CountBreakingTickets implements ticket.BreakingCounter.
func (c *countedBreaking) CountBreakingTickets(ctx context.Context, tenantID, vendorID string, since, until time.Time) (int, error) {
	if c.n >= 0 && tenantID == c.tenantID && vendorID == c.vendorID && until.Equal(c.until) &&
		since.Equal(c.until.Add(-ticket.BreakingWindow)) {
		return c.n, nil
	}
	return c.Tx.CountBreakingTickets(ctx, tenantID, vendorID, since, until)
}

// breakingSQL is the condition that a ticket row's decision says its
// change is breaking.
func breakingSQL(d Dialect) string {
	if d == SQLite {
		return `CASE WHEN json_valid(decision) THEN json_extract(decision, '$.is_breaking') END = 1`
	}
	return `CASE WHEN decision = '' THEN false ELSE (decision::jsonb -> 'is_breaking') = 'true'::jsonb END`
}

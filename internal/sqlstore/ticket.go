package sqlstore

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"time"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/jobargs"
	"github.com/vendorsync/vendorsync/internal/ticket"
)

// The store implements the ticket domain's store interface.
var _ ticket.Store = (*DB)(nil)

// refEmails is the table ticket rows refer to for their source email.
const refEmails refTable = "source_emails"

const ticketColumns = `id, tenant_id, number, vendor_id, topic, summary, effective_date, severity, status, owner_team_id,
	sla_days, due_at, alert_channel, email_id, matched_rule_ids, reasoning, decision, is_manual_override, close_reason,
	last_transitioned_by, last_transitioned_at, resolved_at, closed_at, breached_at, created_at, updated_at, version`

func scanTicket(r interface{ Scan(...any) error }) (ticket.Ticket, error) {
	var t ticket.Ticket
	var team, email sql.NullString
	var rules, decision string
	var lastAt, resolvedAt, closedAt, breachedAt sql.NullTime
	err := r.Scan(&t.ID, &t.TenantID, &t.Number, &t.VendorID, &t.Topic, &t.Summary, &t.EffectiveDate, &t.Severity, &t.Status,
		&team, &t.SLADays, &t.DueAt, &t.AlertChannel, &email, &rules, &t.Reasoning, &decision, &t.IsManualOverride,
		&t.CloseReason, &t.LastTransitionedBy, &lastAt, &resolvedAt, &closedAt, &breachedAt, &t.CreatedAt, &t.UpdatedAt, &t.Version)
	t.OwnerTeamID, t.EmailID, t.MatchedRuleIDs = team.String, email.String, parseList(rules)
	if decision != "" {
		t.Decision = []byte(decision)
	}
	t.LastTransitionedAt, t.ResolvedAt, t.ClosedAt, t.BreachedAt = nullTime(lastAt), nullTime(resolvedAt), nullTime(closedAt), nullTime(breachedAt)
	t.DueAt, t.CreatedAt, t.UpdatedAt = t.DueAt.UTC(), t.CreatedAt.UTC(), t.UpdatedAt.UTC()
	t.Applications = []ticket.TicketApplication{}
	return t, err
}

// CreateTicket writes a new ticket in its own transaction.
func (db *DB) CreateTicket(ctx context.Context, c *ticket.Creation) (ticket.Ticket, error) {
	var out ticket.Ticket
	err := db.inTx(ctx, func(tx *Tx) error {
		var err error
		out, err = tx.CreateTicket(ctx, c)
		return err
	})
	return out, err
}

// CreateTicket allocates the tenant's next ticket number and writes the
// ticket, its applications, their tracker links, its "created" entry, its
// audit row and its jobs inside tx, so that callers (the email pipeline) can commit their own rows
// with it. The counter is an ordinary row: a rolled-back creation gives its
// number back, a committed one is never handed out again.
func (tx *Tx) CreateTicket(ctx context.Context, c *ticket.Creation) (ticket.Ticket, error) {
	t, jobs, err := tx.createTicket(ctx, c, rider{})
	if err != nil {
		return ticket.Ticket{}, err
	}
	if err := tx.EnqueueAll(ctx, jobs); err != nil {
		return ticket.Ticket{}, err
	}
	return t, nil
}

// createTicket is CreateTicket but returns the jobs the creation causes
// instead of inserting them, so that a caller writing many changes in tx
// inserts all their jobs in one call, and runs also (if any) once the
// ticket is written.
func (tx *Tx) createTicket(ctx context.Context, c *ticket.Creation, also rider) (ticket.Ticket, []jobargs.Args, error) {
	tenant, d := c.Ticket.TenantID, c.Ticket
	// Checked before the number is taken: on PostgreSQL the counter's row
	// lock is held from then until the commit.
	if err := tx.requireRefs(ctx, tenant, tenantRef{refVendors, "vendor_id", d.VendorID},
		tenantRef{refTeams, "owner_team_id", d.OwnerTeamID}, tenantRef{refEmails, "email_id", d.EmailID}); err != nil {
		return ticket.Ticket{}, nil, err
	}
	number, counted, err := tx.insertNumberedTicket(ctx, d, c.Event(), also)
	if err != nil {
		return ticket.Ticket{}, nil, err
	}
	t, _, rec, jobs := c.Numbered(number)
	if err := tx.insertTicketApps(ctx, t); err != nil {
		return ticket.Ticket{}, nil, err
	}
	if err := tx.Audit(ctx, rec); err != nil {
		return ticket.Ticket{}, nil, err
	}
	more, err := c.BreakingJobs(ctx, t, counted)
	if err != nil {
		return ticket.Ticket{}, nil, err
	}
	return t, append(jobs, more...), nil
}

// CountBreakingTickets counts the tickets of a vendor created from since to
// until whose triage decision says the change is breaking (is_breaking
// true), those of tx included.
func (tx *Tx) CountBreakingTickets(ctx context.Context, tenantID, vendorID string, since, until time.Time) (int, error) {
	breaking := breakingSQL(tx.db.Dialect)
	var n int
	err := tx.queryRow(ctx, `SELECT COUNT(*) FROM tickets WHERE tenant_id = ? AND vendor_id = ? AND created_at >= ? AND created_at <= ?
		AND `+breaking, tenantID, vendorID, since.UTC(), until.UTC()).Scan(&n)
	return n, translate(err, "breaking changes")
}

// nextNumber increments and returns a tenant's named counter. The upsert
// takes the counter row's lock, so concurrent PostgreSQL transactions get
// distinct numbers in commit order.
func (tx *Tx) nextNumber(ctx context.Context, tenantID, name string) (int64, error) {
	var n int64
	err := tx.queryRow(ctx, `INSERT INTO counters (tenant_id, name, value) VALUES (?, ?, 1)
		ON CONFLICT (tenant_id, name) DO UPDATE SET value = counters.value + 1 RETURNING value`, tenantID, name).Scan(&n)
	return n, translate(err, name+" counter")
}

// ApplyTicketChange writes a change to an existing ticket in one
// transaction. A state or schedule change based on an outdated version is a
// conflict.
func (db *DB) ApplyTicketChange(ctx context.Context, c ticket.Change) error {
	return db.inTx(ctx, func(tx *Tx) error { return tx.applyTicketChange(ctx, c) })
}

// applyTicketChange is ApplyTicketChange in tx.
func (tx *Tx) applyTicketChange(ctx context.Context, c ticket.Change) error {
	t := c.Ticket
	var res sql.Result
	var err error
	switch {
	case c.SaveState:
		res, err = tx.exec(ctx, `UPDATE tickets SET status = ?, is_manual_override = ?, close_reason = ?,
			last_transitioned_by = ?, last_transitioned_at = ?, resolved_at = ?, closed_at = ?, breached_at = ?,
			updated_at = ?, version = version + 1 WHERE tenant_id = ? AND id = ? AND version = ?`,
			string(t.Status), t.IsManualOverride, t.CloseReason, t.LastTransitionedBy, timeOrNil(t.LastTransitionedAt),
			timeOrNil(t.ResolvedAt), timeOrNil(t.ClosedAt), timeOrNil(t.BreachedAt), t.UpdatedAt, t.TenantID, t.ID, t.Version)
	case c.SaveSchedule:
		res, err = tx.exec(ctx, `UPDATE tickets SET effective_date = ?, due_at = ?, updated_at = ?, version = version + 1
			WHERE tenant_id = ? AND id = ? AND version = ?`,
			string(t.EffectiveDate), t.DueAt.UTC(), t.UpdatedAt, t.TenantID, t.ID, t.Version)
	default:
		res, err = tx.exec(ctx, `UPDATE tickets SET updated_at = ? WHERE tenant_id = ? AND id = ?`, t.UpdatedAt, t.TenantID, t.ID)
		if err := mustAffect(res, err, "ticket "+t.Key()); err != nil {
			return err
		}
	}
	if c.SaveState || c.SaveSchedule {
		if err := mustAffect(res, err, "ticket "+t.Key()); err != nil {
			if apperr.Is(err, apperr.NotFound) {
				return apperr.E(apperr.Conflict, "%s changed while you were working on it; reload it and try again", t.Key())
			}
			return err
		}
	}
	if a := c.Progress; a != nil {
		res, err := tx.exec(ctx, `UPDATE ticket_applications SET progress = ?, progress_updated_by = ?, progress_updated_at = ?
			WHERE tenant_id = ? AND ticket_id = ? AND application_id = ?`,
			string(a.Progress), a.ProgressUpdatedBy, timeOrNil(a.ProgressUpdatedAt), t.TenantID, t.ID, a.ApplicationID)
		if err := mustAffect(res, err, "ticket application"); err != nil {
			return err
		}
	}
	for _, ev := range c.Events {
		if err := tx.insertTicketEvent(ctx, ev); err != nil {
			return err
		}
	}
	if err := tx.AuditAll(ctx, c.Audit); err != nil {
		return err
	}
	return tx.EnqueueAll(ctx, c.Jobs)
}

// TicketByNumber returns a tenant's ticket by number, with its applications.
func (db *DB) TicketByNumber(ctx context.Context, tenantID string, number int64) (ticket.Ticket, error) {
	return db.oneTicket(ctx, `tenant_id = ? AND number = ?`, tenantID, number)
}

// TicketByID returns a tenant's ticket by id, with its applications.
func (db *DB) TicketByID(ctx context.Context, tenantID, id string) (ticket.Ticket, error) {
	return db.oneTicket(ctx, `tenant_id = ? AND id = ?`, tenantID, id)
}

func (db *DB) oneTicket(ctx context.Context, where string, args ...any) (ticket.Ticket, error) {
	t, err := scanTicket(db.reader().queryRow(ctx, `SELECT `+ticketColumns+` FROM tickets WHERE `+where, args...))
	if err != nil {
		return ticket.Ticket{}, translate(err, "ticket")
	}
	ts := []ticket.Ticket{t}
	if err := db.loadTicketApps(ctx, ts); err != nil {
		return ticket.Ticket{}, err
	}
	return ts[0], nil
}

// ListTickets pages through a tenant's tickets by due time, then number,
// loading the applications of the whole page in one query.
func (db *DB) ListTickets(ctx context.Context, tenantID string, f ticket.Filter) ([]ticket.Ticket, string, error) {
	keys, err := decodeCursor(f.Cursor, 2)
	if err != nil {
		return nil, "", err
	}
	c := tenantScoped(tenantID)
	c.eq("status", string(f.Status))
	c.eq("severity", string(f.Severity))
	c.eq("vendor_id", f.VendorID)
	c.eq("owner_team_id", f.OwnerTeamID)
	if !f.DueBefore.IsZero() {
		c.add("due_at < ?", f.DueBefore.UTC())
	}
	if q := strings.TrimSpace(f.Query); q != "" {
		if n, err := ticket.ParseKey(q); err == nil {
			c.add("(number = ? OR LOWER(topic) LIKE ? OR LOWER(summary) LIKE ?)", n, likePattern(q), likePattern(q))
		} else {
			c.search(q, "topic", "summary")
		}
	}
	if keys != nil {
		due, err1 := time.Parse(time.RFC3339Nano, keys[0])
		num, err2 := strconv.ParseInt(keys[1], 10, 64)
		if err1 != nil || err2 != nil {
			return nil, "", apperr.Invalidf("cursor is not valid")
		}
		c.add("(due_at > ? OR (due_at = ? AND number > ?))", due, due, num)
	}
	limit := clampLimit(f.Limit)
	rows, err := db.reader().query(ctx, `SELECT `+ticketColumns+` FROM tickets WHERE `+c.sql()+
		` ORDER BY due_at, number LIMIT `+strconv.Itoa(limit+1), c.args...)
	if err != nil {
		return nil, "", translate(err, "tickets")
	}
	out, err := registryRows(rows, scanTicket, "tickets")
	if err != nil {
		return nil, "", err
	}
	next := ""
	if len(out) > limit {
		out = out[:limit]
		last := out[limit-1]
		next = encodeCursor(last.DueAt.UTC().Format(time.RFC3339Nano), strconv.FormatInt(last.Number, 10))
	}
	return out, next, db.loadTicketApps(ctx, out)
}

package sqlstore

import (
	"context"
	"database/sql"
	"strconv"
	"time"

	"github.com/vendorsync/vendorsync/internal/dashboard"
	"github.com/vendorsync/vendorsync/internal/notify/dispatch"
	"github.com/vendorsync/vendorsync/internal/ticket"
	"github.com/vendorsync/vendorsync/internal/tracker/link"
)

// The store feeds the dashboard.
var _ dashboard.Store = (*DB)(nil)

// TicketCounts counts a tenant's tickets that are not closed, by severity
// and status, in one grouped query.
func (db *DB) TicketCounts(ctx context.Context, tenantID string) ([]dashboard.Count, error) {
	return queryAll(ctx, db.reader(), "ticket counts", func(r scanner) (dashboard.Count, error) {
		var c dashboard.Count
		return c, r.Scan(&c.Severity, &c.Status, &c.N)
	}, `SELECT severity, status, COUNT(*) FROM tickets WHERE tenant_id = ? AND status <> ? GROUP BY severity, status`,
		tenantID, string(ticket.Closed))
}

// DueTickets returns a tenant's unfinished tickets due before before (all
// when zero), soonest first, with their vendor's name, in one query.
func (db *DB) DueTickets(ctx context.Context, tenantID string, before time.Time, limit int) ([]dashboard.Due, error) {
	if before.IsZero() {
		before = time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	return queryAll(ctx, db.reader(), "due tickets", func(r scanner) (dashboard.Due, error) {
		var d dashboard.Due
		err := r.Scan(&d.Number, &d.Vendor, &d.Topic, &d.Severity, &d.Status, &d.DueAt)
		d.DueAt = d.DueAt.UTC()
		return d, err
	}, `SELECT t.number, COALESCE(v.name, ''), t.topic, t.severity, t.status, t.due_at FROM tickets t
		LEFT JOIN vendors v ON v.id = t.vendor_id AND v.tenant_id = t.tenant_id
		WHERE t.tenant_id = ? AND t.status IN (?, ?, ?) AND t.due_at < ?
		ORDER BY t.due_at, t.number LIMIT `+strconv.Itoa(max(limit, 1)),
		tenantID, string(ticket.Open), string(ticket.InProgress), string(ticket.Breached), before.UTC())
}

// SLARisk counts a tenant's unfinished tickets past their deadline at now
// and those due before atRiskBefore but not yet, in one query.
func (db *DB) SLARisk(ctx context.Context, tenantID string, now, atRiskBefore time.Time) (breached, atRisk int, err error) {
	err = db.reader().queryRow(ctx, `SELECT
		COALESCE(SUM(CASE WHEN status = ? OR due_at < ? THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN status <> ? AND due_at >= ? AND due_at < ? THEN 1 ELSE 0 END), 0)
		FROM tickets WHERE tenant_id = ? AND status IN (?, ?, ?)`,
		string(ticket.Breached), now.UTC(), string(ticket.Breached), now.UTC(), atRiskBefore.UTC(),
		tenantID, string(ticket.Open), string(ticket.InProgress), string(ticket.Breached)).Scan(&breached, &atRisk)
	return breached, atRisk, translate(err, "tickets")
}

// DashboardHealth counts a tenant's failed and orphaned tracker links, dead
// letters and notifications failed since since, and lists its active
// mailboxes with their last poll outcomes: five queries.
func (db *DB) DashboardHealth(ctx context.Context, tenantID string, since time.Time) (dashboard.Health, error) {
	var h dashboard.Health
	r := db.reader()
	err := r.queryRow(ctx, `SELECT
		COALESCE(SUM(CASE WHEN sync_status = ? THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN sync_status = ? THEN 1 ELSE 0 END), 0)
		FROM ticket_tracker_links WHERE sync_status IN (?, ?) AND tenant_id = ?`,
		string(link.Failed), string(link.Orphan), string(link.Failed), string(link.Orphan), tenantID).Scan(&h.FailedLinks, &h.OrphanLinks)
	if err != nil {
		return h, translate(err, "tracker links")
	}
	err = r.queryRow(ctx, `SELECT COUNT(*) FROM river_job WHERE state = 'discarded' AND args ->> 'tenant_id' = ?`, tenantID).
		Scan(&h.DeadLetters)
	if err != nil {
		return h, translate(err, "dead letters")
	}
	err = r.queryRow(ctx, `SELECT COUNT(*) FROM notification_log WHERE tenant_id = ? AND status IN (?, ?) AND updated_at >= ?`,
		tenantID, string(dispatch.Failed), string(dispatch.Dead), since.UTC()).Scan(&h.FailedNotifications)
	if err != nil {
		return h, translate(err, "notifications")
	}
	h.Mailboxes, err = queryAll(ctx, r, "mailboxes", func(s scanner) (dashboard.Mailbox, error) {
		var m dashboard.Mailbox
		var ok, failed sql.NullTime
		err := s.Scan(&m.ID, &m.Name, &ok, &failed, &m.LastError)
		m.LastSuccessAt, m.LastErrorAt = nullTime(ok), nullTime(failed)
		return m, err
	}, `SELECT id, name, last_success_at, last_error_at, last_error FROM mail_sources
		WHERE tenant_id = ? AND is_active = ? ORDER BY name, id`, tenantID, true)
	return h, err
}

package sqlstore

import (
	"context"
	"strconv"
	"time"

	"github.com/vendorsync/vendorsync/internal/contract"
	"github.com/vendorsync/vendorsync/internal/ticket"
	"github.com/vendorsync/vendorsync/internal/vendorview"
)

// The store feeds the vendor page.
var _ vendorview.Store = (*DB)(nil)

// VendorTickets counts a vendor's tickets and lists the latest limit: two
// queries.
func (db *DB) VendorTickets(ctx context.Context, tenantID, vendorID string, limit int) (vendorview.TicketSummary, error) {
	var t vendorview.TicketSummary
	r := db.reader()
	err := r.queryRow(ctx, `SELECT COUNT(*),
		COALESCE(SUM(CASE WHEN status IN (?, ?, ?) THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN status = ? THEN 1 ELSE 0 END), 0)
		FROM tickets WHERE tenant_id = ? AND vendor_id = ?`,
		string(ticket.Open), string(ticket.InProgress), string(ticket.Breached), string(ticket.Breached), tenantID, vendorID).
		Scan(&t.Total, &t.Unfinished, &t.Breached)
	if err != nil {
		return t, translate(err, "tickets")
	}
	t.Recent, err = queryAll(ctx, r, "tickets", func(s scanner) (vendorview.RecentTicket, error) {
		var k vendorview.RecentTicket
		err := s.Scan(&k.Number, &k.Topic, &k.Severity, &k.Status, &k.DueAt, &k.CreatedAt)
		k.DueAt, k.CreatedAt = k.DueAt.UTC(), k.CreatedAt.UTC()
		return k, err
	}, `SELECT number, topic, severity, status, due_at, created_at FROM tickets WHERE tenant_id = ? AND vendor_id = ?
		ORDER BY created_at DESC, number DESC LIMIT `+strconv.Itoa(max(limit, 1)), tenantID, vendorID)
	return t, err
}

// VendorExceptions counts a vendor's open price exceptions by severity.
func (db *DB) VendorExceptions(ctx context.Context, tenantID, vendorID string) ([]vendorview.StateCount, error) {
	return queryAll(ctx, db.reader(), "exceptions", scanCount,
		`SELECT severity, COUNT(*) FROM reconciliation_exceptions WHERE tenant_id = ? AND vendor_id = ? AND status = ?
		GROUP BY severity`, tenantID, vendorID, string(contract.ExceptionOpen))
}

// VendorIngest counts a vendor's events received since since by status.
func (db *DB) VendorIngest(ctx context.Context, tenantID, vendorID string, since time.Time) ([]vendorview.StateCount, error) {
	return queryAll(ctx, db.reader(), "ingest events", scanCount,
		`SELECT status, COUNT(*) FROM ingest_events WHERE tenant_id = ? AND vendor_id = ? AND received_at >= ?
		GROUP BY status`, tenantID, vendorID, since.UTC())
}

// VendorTrackerLinks counts the tracker links of a vendor's tickets by
// sync status and lists the latest limit changed: two queries.
func (db *DB) VendorTrackerLinks(ctx context.Context, tenantID, vendorID string, limit int) ([]vendorview.StateCount, []vendorview.TrackerIssue, error) {
	r := db.reader()
	cs, err := queryAll(ctx, r, "tracker links", scanCount,
		`SELECT l.sync_status, COUNT(*) FROM ticket_tracker_links l JOIN tickets t ON t.id = l.ticket_id AND t.tenant_id = l.tenant_id
		WHERE t.tenant_id = ? AND t.vendor_id = ? GROUP BY l.sync_status`, tenantID, vendorID)
	if err != nil {
		return nil, nil, err
	}
	ls, err := queryAll(ctx, r, "tracker links", func(s scanner) (vendorview.TrackerIssue, error) {
		var l vendorview.TrackerIssue
		err := s.Scan(&l.ID, &l.TicketNumber, &l.Application, &l.IssueKey, &l.IssueURL, &l.StatusName, &l.SyncStatus, &l.UpdatedAt)
		l.UpdatedAt = l.UpdatedAt.UTC()
		return l, err
	}, `SELECT l.id, t.number, a.name, l.issue_key, l.issue_url, l.status_name, l.sync_status, l.updated_at
		FROM ticket_tracker_links l JOIN tickets t ON t.id = l.ticket_id AND t.tenant_id = l.tenant_id
		JOIN applications a ON a.id = l.application_id
		WHERE t.tenant_id = ? AND t.vendor_id = ? ORDER BY l.updated_at DESC, l.id DESC LIMIT `+strconv.Itoa(max(limit, 1)),
		tenantID, vendorID)
	return cs, ls, err
}

func scanCount(s scanner) (vendorview.StateCount, error) {
	var c vendorview.StateCount
	return c, s.Scan(&c.State, &c.N)
}

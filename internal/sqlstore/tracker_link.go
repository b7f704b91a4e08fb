package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/audit"
	"github.com/vendorsync/vendorsync/internal/ident"
	"github.com/vendorsync/vendorsync/internal/jobargs"
	"github.com/vendorsync/vendorsync/internal/ticket"
	"github.com/vendorsync/vendorsync/internal/tracker"
	"github.com/vendorsync/vendorsync/internal/tracker/link"
)

// trackerLinksInsert is the statement (and its arguments) that writes a
// pending link for every application of a new ticket that uses a tracker
// ("" for none), inside the ticket's transaction; the create
// jobs (link.IssueJobs) commit in the same one. A link is for the provider
// of the tenant's connection, "" while there is none (saving one sets it).
func trackerLinksInsert(t ticket.Ticket) (string, []any) {
	var values []string
	var rowArgs []any
	for _, a := range t.Applications {
		if a.UsesTracker {
			values = append(values, "(?, ?, ?)")
			rowArgs = append(rowArgs, ident.New(), a.ApplicationID, link.IdempotencyKey(t.ID, a.ApplicationID))
		}
	}
	if len(values) == 0 {
		return "", nil
	}
	// The connection is the one the application routes to, else the
	// tenant's first. All of a ticket's links go in one statement.
	conn := `(SELECT c.%s FROM tracker_connections c WHERE c.tenant_id = ? ORDER BY CASE WHEN c.id = (SELECT
		a.tracker_connection_id FROM applications a WHERE a.tenant_id = ? AND a.id = v.column2) THEN 0 ELSE 1 END,
		c.created_at, c.id LIMIT 1)`
	args := append([]any{t.TenantID, t.ID, t.TenantID, t.TenantID, t.TenantID, t.TenantID,
		string(tracker.Unknown), string(link.Pending), t.CreatedAt, t.CreatedAt}, rowArgs...)
	return `INSERT INTO ticket_tracker_links (id, tenant_id, ticket_id, application_id, provider,
		connection_id, idempotency_key, status_category, sync_status, created_at, updated_at) SELECT v.column1, ?, ?, v.column2,
		COALESCE(` + fmt.Sprintf(conn, "provider") + `, ''), COALESCE(` + fmt.Sprintf(conn, "id") + `, ''), v.column3, ?, ?, ?, ?
		FROM (VALUES ` + strings.Join(values, ", ") + `) AS v`, args
}

const linkColumns = `l.id, l.tenant_id, l.ticket_id, t.number, l.application_id, a.name, l.provider, l.connection_id, l.idempotency_key,
	l.issue_key, l.issue_url, l.status_name, l.status_category, l.sync_status, l.last_error, l.attempts,
	l.created_at, l.updated_at, l.last_synced_at, l.create_unknown_since, l.creates_sent, l.verify_after`

const linkFrom = ` FROM ticket_tracker_links l JOIN tickets t ON t.id = l.ticket_id JOIN applications a ON a.id = l.application_id`

func scanLink(r scanner) (link.Link, error) {
	var l link.Link
	var synced, unknown, verify sql.NullTime
	err := r.Scan(&l.ID, &l.TenantID, &l.TicketID, &l.TicketNumber, &l.ApplicationID, &l.ApplicationName, &l.Provider,
		&l.ConnectionID, &l.IdempotencyKey, &l.IssueKey, &l.IssueURL, &l.StatusName, &l.StatusCategory, &l.SyncStatus, &l.LastError,
		&l.Attempts, &l.CreatedAt, &l.UpdatedAt, &synced, &unknown, &l.CreatesSent, &verify)
	l.TicketKey, l.LastSyncedAt = ticket.Key(l.TicketNumber), nullTime(synced)
	l.CreateUnknownSince, l.VerifyAfter = nullTime(unknown), nullTime(verify)
	l.CreatedAt, l.UpdatedAt = l.CreatedAt.UTC(), l.UpdatedAt.UTC()
	return l, err
}

// TrackerLink returns a tenant's link by id.
func (db *DB) TrackerLink(ctx context.Context, tenantID, id string) (link.Link, error) {
	l, err := scanLink(db.reader().queryRow(ctx, `SELECT `+linkColumns+linkFrom+` WHERE l.tenant_id = ? AND l.id = ?`, tenantID, id))
	return l, translate(err, "tracker link")
}

// TrackerLinkFor returns the link of one application of a ticket.
func (db *DB) TrackerLinkFor(ctx context.Context, tenantID, ticketID, applicationID string) (link.Link, error) {
	l, err := scanLink(db.reader().queryRow(ctx, `SELECT `+linkColumns+linkFrom+
		` WHERE l.tenant_id = ? AND l.ticket_id = ? AND l.application_id = ?`, tenantID, ticketID, applicationID))
	return l, translate(err, "tracker link")
}

// TrackerLinkByIssue returns the created link of a tenant's issue by the
// tracker's key (the oldest, should two tickets share one issue).
func (db *DB) TrackerLinkByIssue(ctx context.Context, tenantID, issueKey string) (link.Link, error) {
	l, err := scanLink(db.reader().queryRow(ctx, `SELECT `+linkColumns+linkFrom+
		` WHERE l.issue_key = ? AND l.tenant_id = ? AND l.sync_status = ? ORDER BY l.created_at, l.id LIMIT 1`,
		issueKey, tenantID, string(link.Created)))
	return l, translate(err, "tracker link")
}

// TicketTrackerLinks lists a ticket's links by application name.
func (db *DB) TicketTrackerLinks(ctx context.Context, tenantID, ticketID string) ([]link.Link, error) {
	out, err := queryAll(ctx, db.reader(), "tracker links", scanLink,
		`SELECT `+linkColumns+linkFrom+` WHERE l.tenant_id = ? AND l.ticket_id = ? ORDER BY a.name, l.id`, tenantID, ticketID)
	if out == nil {
		out = []link.Link{}
	}
	return out, err
}

// ListTrackerLinks pages through a tenant's links in the filter's states,
// oldest first.
func (db *DB) ListTrackerLinks(ctx context.Context, tenantID string, f link.Filter) ([]link.Link, string, error) {
	keys, err := decodeCursor(f.Cursor, 2)
	if err != nil {
		return nil, "", err
	}
	c := &conds{where: []string{"l.tenant_id = ?"}, args: []any{tenantID}}
	if len(f.Statuses) > 0 {
		args := make([]any, len(f.Statuses))
		for i, s := range f.Statuses {
			args[i] = string(s)
		}
		c.add("l.sync_status IN ("+placeholders(len(args))+")", args...)
	}
	if keys != nil {
		at, err := time.Parse(time.RFC3339Nano, keys[0])
		if err != nil {
			return nil, "", apperr.Invalidf("cursor is not valid")
		}
		c.add("(l.created_at > ? OR (l.created_at = ? AND l.id > ?))", at, at, keys[1])
	}
	limit := clampLimit(f.Limit)
	out, err := queryAll(ctx, db.reader(), "tracker links", scanLink, `SELECT `+linkColumns+linkFrom+` WHERE `+c.sql()+
		` ORDER BY l.created_at, l.id LIMIT `+strconv.Itoa(limit+1), c.args...)
	if err != nil {
		return nil, "", err
	}
	next := ""
	if len(out) > limit {
		out = out[:limit]
		last := out[limit-1]
		next = encodeCursor(last.CreatedAt.Format(time.RFC3339Nano), last.ID)
	}
	return out, next, nil
}

// ClaimTrackerLink leases a pending or orphan link whose lease (if any)
// has run out.
func (db *DB) ClaimTrackerLink(ctx context.Context, tenantID, id string, now, until time.Time) (bool, error) {
	claimed := false
	err := db.inTx(ctx, func(tx *Tx) error {
		res, err := tx.exec(ctx, `UPDATE ticket_tracker_links SET claimed_until = ?, updated_at = ?
			WHERE tenant_id = ? AND id = ? AND sync_status IN ('pending', 'orphan') AND (claimed_until IS NULL OR claimed_until < ?)`,
			until.UTC(), now.UTC(), tenantID, id, now.UTC())
		if err != nil {
			return translate(err, "tracker link")
		}
		n, err := res.RowsAffected()
		claimed = n > 0
		return translate(err, "tracker link")
	})
	return claimed, err
}

// FinishTrackerLink records an attempt's outcome and releases the lease. A
// link that another attempt has created meanwhile keeps its issue (and evs
// are not written).
func (db *DB) FinishTrackerLink(ctx context.Context, o link.Outcome, evs []audit.Event) error {
	set := []string{"sync_status = ?", "last_error = ?", "claimed_until = NULL", "updated_at = ?"}
	args := []any{string(o.SyncStatus), o.LastError, o.At.UTC()}
	if o.CountAttempt {
		set = append(set, "attempts = attempts + 1")
	}
	switch o.Create {
	case link.CreateKnown:
		set = append(set, "create_unknown_since = NULL")
	case link.CreateRefused:
		set = append(set, "create_unknown_since = NULL", "creates_sent = creates_sent - 1")
	case link.CreateUnknown:
		set = append(set, "create_unknown_since = ?")
		args = append(args, o.At.UTC())
	}
	if o.VerifyAfter != nil {
		set = append(set, "verify_after = ?")
		args = append(args, o.VerifyAfter.UTC())
	}
	if iss := o.Issue; iss.Key != "" {
		set = append(set, "issue_key = ?", "issue_url = ?", "status_name = ?", "status_category = ?")
		args = append(args, iss.Key, iss.URL, iss.StatusName, string(iss.StatusCategory))
		if o.Provider != "" {
			set = append(set, "provider = ?")
			args = append(args, o.Provider)
		}
		if o.ConnectionID != "" {
			set = append(set, "connection_id = ?")
			args = append(args, o.ConnectionID)
		}
		if iss.StatusName != "" {
			set = append(set, "last_synced_at = ?")
			args = append(args, o.At.UTC())
		}
	}
	args = append(args, o.TenantID, o.LinkID)
	return db.updateTrackerLink(ctx, `UPDATE ticket_tracker_links SET `+strings.Join(set, ", ")+
		` WHERE tenant_id = ? AND id = ? AND sync_status <> 'created'`, args, evs, o.Jobs)
}

// updateTrackerLink runs one UPDATE of a link and, when it changed the
// link, writes evs and enqueues jobs, in one transaction; a link the
// UPDATE's conditions left alone gets neither.
func (db *DB) updateTrackerLink(ctx context.Context, query string, args []any, evs []audit.Event, jobs []jobargs.Args) error {
	return db.inTx(ctx, func(tx *Tx) error {
		res, err := tx.exec(ctx, query, args...)
		if err != nil {
			return translate(err, "tracker link")
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return translate(err, "tracker link")
		}
		if err := tx.AuditAll(ctx, evs); err != nil {
			return err
		}
		return tx.EnqueueAll(ctx, jobs)
	})
}

// SendingTrackerCreate marks a link without an issue as having a create
// of unknown outcome from at on, and counts the create, before it is sent.
func (db *DB) SendingTrackerCreate(ctx context.Context, tenantID, id string, at time.Time) error {
	return db.inTx(ctx, func(tx *Tx) error {
		res, err := tx.exec(ctx, `UPDATE ticket_tracker_links SET create_unknown_since = ?, creates_sent = creates_sent + 1
			WHERE tenant_id = ? AND id = ? AND sync_status <> 'created'`, at.UTC(), tenantID, id)
		return mustAffect(res, err, "tracker link")
	})
}

// VerifiedTrackerLink ends the duplicate check of a created link: it
// clears verify_after, shows v.LastError when set, and writes evs and
// v.Jobs. A link whose check another run ended meanwhile is left alone.
func (db *DB) VerifiedTrackerLink(ctx context.Context, v link.Verification, evs []audit.Event) error {
	set, args := "verify_after = NULL, updated_at = ?", []any{v.At.UTC()}
	if v.LastError != "" {
		set += ", last_error = ?"
		args = append(args, v.LastError)
	}
	args = append(args, v.TenantID, v.LinkID)
	return db.updateTrackerLink(ctx, `UPDATE ticket_tracker_links SET `+set+`
		WHERE tenant_id = ? AND id = ? AND sync_status = 'created' AND verify_after IS NOT NULL`, args, evs, v.Jobs)
}

// RetryTrackerLink puts a link that has no issue back to pending, attempts
// reset, and enqueues job, with ev.
func (db *DB) RetryTrackerLink(ctx context.Context, tenantID, id string, at time.Time, ev audit.Event, job jobargs.Args) error {
	return db.inTx(ctx, func(tx *Tx) error {
		res, err := tx.exec(ctx, `UPDATE ticket_tracker_links SET sync_status = 'pending', attempts = 0, claimed_until = NULL,
			updated_at = ? WHERE tenant_id = ? AND id = ? AND sync_status <> 'created'`, at.UTC(), tenantID, id)
		if err := mustAffect(res, err, "tracker link"); err != nil {
			return err
		}
		if err := tx.Audit(ctx, ev); err != nil {
			return err
		}
		return tx.Enqueue(ctx, job)
	})
}

func scanRef(r scanner) (link.Ref, error) {
	var ref link.Ref
	return ref, r.Scan(&ref.TenantID, &ref.TicketID, &ref.ApplicationID)
}

// PendingTrackerLinks lists a tenant's pending links.
func (db *DB) PendingTrackerLinks(ctx context.Context, tenantID string) ([]link.Ref, error) {
	return queryAll(ctx, db.reader(), "tracker links", scanRef, `SELECT tenant_id, ticket_id, application_id FROM ticket_tracker_links
		WHERE tenant_id = ? AND sync_status = 'pending' ORDER BY created_at, id`, tenantID)
}

// RetryableTrackerLinks lists, across tenants with an enabled connection,
// the orphan links, the pending links untouched since before and the
// created links whose duplicate check was due before, of tickets that are
// not closed.
func (db *DB) RetryableTrackerLinks(ctx context.Context, before time.Time) ([]link.Ref, error) {
	return queryAll(ctx, db.reader(), "tracker links", scanRef, `SELECT l.tenant_id, l.ticket_id, l.application_id
		FROM ticket_tracker_links l
		JOIN tickets t ON t.id = l.ticket_id AND t.status <> 'closed'
		WHERE EXISTS (SELECT 1 FROM tracker_connections c WHERE c.tenant_id = l.tenant_id AND c.enabled = ?)
			AND (l.sync_status = 'orphan' OR (l.sync_status = 'pending' AND l.updated_at < ?)
			OR (l.sync_status = 'created' AND l.verify_after < ?))
		ORDER BY l.tenant_id, l.created_at, l.id LIMIT 10000`, true, before.UTC(), before.UTC())
}

// TrackerSyncItems returns, in one query, the created links of a tenant's
// tickets that are not closed (one ticket's when ticketID is set), with
// what re-evaluating each ticket needs, ordered by ticket.
func (db *DB) TrackerSyncItems(ctx context.Context, tenantID, ticketID string) ([]link.SyncItem, error) {
	// The applications of the same unclosed tickets, counted per ticket in
	// one pass (not per link).
	apps := `SELECT ta.ticket_id,
			SUM(CASE WHEN ta.uses_tracker = ? THEN 1 ELSE 0 END) AS tracker_apps,
			SUM(CASE WHEN ta.uses_tracker = ? AND ta.progress <> 'complete' THEN 1 ELSE 0 END) AS open_apps
		FROM tickets t2 JOIN ticket_applications ta ON ta.ticket_id = t2.id
		WHERE t2.tenant_id = ? AND t2.status <> 'closed'`
	args := []any{true, false, tenantID}
	if ticketID != "" {
		apps += ` AND t2.id = ?`
		args = append(args, ticketID)
	}
	q := `SELECT l.id, l.ticket_id, l.connection_id, t.number, t.status, l.issue_key, l.status_name, l.status_category, l.last_error,
		c.tracker_apps, c.open_apps
		FROM ticket_tracker_links l JOIN tickets t ON t.id = l.ticket_id
		JOIN (` + apps + ` GROUP BY ta.ticket_id) c ON c.ticket_id = l.ticket_id
		WHERE l.tenant_id = ? AND l.sync_status = 'created' AND t.status <> 'closed'`
	args = append(args, tenantID)
	if ticketID != "" {
		q += ` AND l.ticket_id = ?`
		args = append(args, ticketID)
	}
	return queryAll(ctx, db.reader(), "tracker links", func(r scanner) (link.SyncItem, error) {
		var it link.SyncItem
		err := r.Scan(&it.LinkID, &it.TicketID, &it.ConnectionID, &it.TicketNumber, &it.TicketStatus, &it.IssueKey, &it.StatusName,
			&it.StatusCategory, &it.LastError, &it.TrackerApps, &it.OpenManualApps)
		return it, err
	}, q+` ORDER BY t.number, l.id`, args...)
}

// ApplyTrackerSync writes status changes and their audit rows, and stamps
// last_synced_at on the synced links, in one transaction. A changed link
// that is also synced is stamped by its change's update, so each link is
// written once.
func (db *DB) ApplyTrackerSync(ctx context.Context, tenantID string, changes []link.StatusChange, synced []string, at time.Time, evs []audit.Event) error {
	at = at.UTC()
	// Each link's last change is the one written, as writing them in
	// order would leave it.
	changes = lastChanges(changes)
	return db.inTx(ctx, func(tx *Tx) error {
		isSynced := make(map[string]bool, len(synced))
		for _, id := range synced {
			isSynced[id] = true
		}
		stamp := make([]bool, len(changes))
		for i, c := range changes {
			stamp[i], isSynced[c.LinkID] = isSynced[c.LinkID], false
		}
		// PostgreSQL joins the links once per statement with a scan of the
		// tenant's links, so it takes every change in one statement;
		// SQLite looks each row up by key, in batches of VALUES.
		batch := 200
		if db.Dialect == Postgres {
			batch = len(changes)
		}
		for i := 0; i < len(changes); i += batch {
			n := min(len(changes)-i, batch)
			if err := tx.writeStatusChanges(ctx, tenantID, changes[i:i+n], stamp[i:i+n], at); err != nil {
				return err
			}
		}
		// The synced links that no change stamped.
		for rest := slices.DeleteFunc(slices.Clone(synced), func(id string) bool { return !isSynced[id] }); len(rest) > 0; {
			n := min(len(rest), 500)
			args := []any{at, tenantID}
			for _, id := range rest[:n] {
				args = append(args, id)
			}
			if _, err := tx.exec(ctx, `UPDATE ticket_tracker_links SET last_synced_at = ? WHERE tenant_id = ? AND id IN (`+
				placeholders(n)+`)`, args...); err != nil {
				return translate(err, "tracker links")
			}
			rest = rest[n:]
		}
		if err := tx.AuditAll(ctx, evs); err != nil {
			return err
		}
		return nil
	})
}

// lastChanges is changes with each link once, at its last change.
func lastChanges(changes []link.StatusChange) []link.StatusChange {
	last := make(map[string]int, len(changes))
	for i, c := range changes {
		last[c.LinkID] = i
	}
	if len(last) == len(changes) {
		return changes
	}
	out := make([]link.StatusChange, 0, len(last))
	for i, c := range changes {
		if last[c.LinkID] == i {
			out = append(out, c)
		}
	}
	return out
}

// writeStatusChanges writes changes (each link once) to their links, the
// re-keyed ones' keys and their mirrors, stamping last_synced_at where
// stamp says. PostgreSQL takes the rows as arrays, SQLite as VALUES; both
// name the columns column1, column2, ….
func (tx *Tx) writeStatusChanges(ctx context.Context, tenantID string, changes []link.StatusChange, stamp []bool, at time.Time) error {
	n := len(changes)
	ids, names, cats, errs, stamps := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	var rekeys [3][]string
	for i, c := range changes {
		ids[i], names[i], cats[i], errs[i] = c.LinkID, c.StatusName, string(c.StatusCategory), c.LastError
		if stamp[i] {
			stamps[i] = "1"
		}
		// An empty new key keeps the link's key: only a moved issue
		// re-keys it.
		if c.IssueKey != "" {
			rekeys[0], rekeys[1], rekeys[2] = append(rekeys[0], c.LinkID), append(rekeys[1], c.IssueKey), append(rekeys[2], c.IssueURL)
		}
	}
	if _, err := tx.exec(ctx, `UPDATE ticket_tracker_links SET status_name = v.column2, status_category = v.column3,
		last_error = v.column4, updated_at = ?, last_synced_at = CASE WHEN v.column5 = '' THEN last_synced_at ELSE ? END
		FROM `+tx.rowsOf(ids, names, cats, errs, stamps)+`
		WHERE ticket_tracker_links.tenant_id = ? AND ticket_tracker_links.id = v.column1`,
		append(append([]any{at, at}, tx.rowArgs(ids, names, cats, errs, stamps)...), tenantID)...); err != nil {
		return translate(err, "tracker links")
	}
	// The key's index is written only for the links re-keyed.
	if len(rekeys[0]) > 0 {
		if _, err := tx.exec(ctx, `UPDATE ticket_tracker_links SET issue_key = v.column2, issue_url = v.column3
			FROM `+tx.rowsOf(rekeys[:]...)+`
			WHERE ticket_tracker_links.tenant_id = ? AND ticket_tracker_links.id = v.column1`,
			append(tx.rowArgs(rekeys[:]...), tenantID)...); err != nil {
			return translate(err, "tracker links")
		}
	}
	return tx.mirrorStatuses(ctx, tenantID, changes)
}

// rowsOf is the FROM item v whose rows are the columns cols (of equal
// length, all text), named column1, column2, …: on PostgreSQL one array
// parameter per column, on SQLite rows of VALUES. rowArgs are its
// arguments.
func (tx *Tx) rowsOf(cols ...[]string) string {
	if tx.db.Dialect == Postgres {
		arrays := make([]string, len(cols))
		names := make([]string, len(cols))
		for i := range cols {
			arrays[i], names[i] = "?::text[]", "column"+strconv.Itoa(i+1)
		}
		return `unnest(` + strings.Join(arrays, ", ") + `) AS v(` + strings.Join(names, ", ") + `)`
	}
	return `(VALUES ` + valueRows(len(cols[0]), len(cols)) + `) AS v`
}

func (tx *Tx) rowArgs(cols ...[]string) []any {
	if tx.db.Dialect == Postgres {
		args := make([]any, len(cols))
		for i, c := range cols {
			args[i] = c
		}
		return args
	}
	args := make([]any, 0, len(cols)*len(cols[0]))
	for r := range cols[0] {
		for _, c := range cols {
			args = append(args, c[r])
		}
	}
	return args
}

package sqlstore

import (
	"context"
	"database/sql"
	"strconv"
	"time"

	"github.com/vendorsync/vendorsync/internal/ingest"
	"github.com/vendorsync/vendorsync/internal/jobargs"
)

// WritesTakeTurns reports whether write transactions take turns on one
// connection (SQLite).
func (db *DB) WritesTakeTurns() bool { return db.turn != nil }

// ReceivedEvents returns RECEIVED events, oldest first, with their bytes.
func (db *DB) ReceivedEvents(ctx context.Context, tenantID string, limit int) ([]ingest.Event, error) {
	return queryAll(ctx, db.reader(), "ingest events", scanIngestEventRaw, `SELECT `+ingestEventColumns+`, raw FROM ingest_events
		WHERE tenant_id = ? AND status = 'RECEIVED' ORDER BY id LIMIT `+strconv.Itoa(limit), tenantID)
}

// TenantsWithReceived lists tenants with events waiting for normalization.
func (db *DB) TenantsWithReceived(ctx context.Context) ([]string, error) {
	return queryAll(ctx, db.reader(), "ingest events", func(r scanner) (string, error) {
		var s string
		return s, r.Scan(&s)
	}, `SELECT DISTINCT tenant_id FROM ingest_events WHERE status = 'RECEIVED'`)
}

// SaveOutcomes records normalization outcomes in one transaction. A
// normalized event whose bytes did not change is left as it is (same
// revision); one whose bytes changed is revised in place, and each new
// revision is queued for delivery to the subscriptions it matches.
// Outcomes go in multi-row statements: one status update per distinct
// outcome (usually one for the whole batch) and one upsert per chunk of
// normalized events.
func (db *DB) SaveOutcomes(ctx context.Context, tenantID string, outs []ingest.Outcome, jobs []jobargs.Args) error {
	return db.inTx(ctx, func(tx *Tx) error {
		if err := tx.saveStatuses(ctx, tenantID, outs); err != nil {
			return err
		}
		var norm []*ingest.NormalizedEvent
		for _, o := range outs {
			if o.Normalized != nil {
				norm = append(norm, o.Normalized)
			}
		}
		revs := make(map[string]int, len(norm))
		for from := 0; from < len(norm); from += insertChunk {
			if err := tx.upsertNormalized(ctx, tenantID, norm[from:min(from+insertChunk, len(norm))], revs); err != nil {
				return err
			}
		}
		if len(revs) == 0 {
			return nil // the same bytes throughout: nothing new to deliver
		}
		subs, err := tx.enabledSubscriptions(ctx, tenantID)
		if err != nil {
			return err
		}
		var queued []deliveryRow
		for _, n := range norm {
			rev, ok := revs[n.IngestID]
			if !ok {
				continue
			}
			for _, s := range subs {
				if s.Matches(*n) {
					queued = append(queued, deliveryRow{sub: s.ID, n: n, revision: rev})
				}
			}
		}
		if len(queued) == 0 {
			return nil
		}
		if err := tx.queueDeliveries(ctx, tenantID, queued); err != nil {
			return err
		}
		return tx.EnqueueAll(ctx, jobs)
	})
}

// saveStatuses sets each event's status, in one UPDATE per distinct
// outcome and chunk of events.
func (tx *Tx) saveStatuses(ctx context.Context, tenantID string, outs []ingest.Outcome) error {
	type outcomeKey struct {
		status, reason, errors string
		at                     time.Time
		archived               bool
	}
	var order []outcomeKey
	ids := map[outcomeKey][]string{}
	for _, o := range outs {
		k := outcomeKey{string(o.Status), o.Reason, jsonList(o.Errors), o.At.UTC(), o.RawArchived}
		if _, ok := ids[k]; !ok {
			order = append(order, k)
		}
		ids[k] = append(ids[k], o.EventID)
	}
	for _, k := range order {
		all := ids[k]
		// Raw bytes archived by the same pass are recorded in the same
		// write: one update of the event instead of two.
		set, args := `status = ?, status_reason = ?, status_errors = ?, normalized_at = ?`, []any{k.status, k.reason, k.errors, k.at}
		if k.archived {
			set, args = set+`, archived_at = COALESCE(archived_at, ?)`, append(args, k.at)
		}
		for from := 0; from < len(all); from += 500 {
			q, byID := saveStatusQuery(tx.d, set, tenantID, all[from:min(from+500, len(all))])
			if _, err := tx.exec(ctx, q, append(args[:len(args):len(args)], byID...)...); err != nil {
				return translate(err, "ingest event")
			}
		}
	}
	return nil
}

// saveStatusQuery sets columns (set's values, then the arguments
// returned) of a tenant's events ids.
func saveStatusQuery(d Dialect, set, tenantID string, ids []string) (string, []any) {
	byID, args := tenantRows(d, "tenant_id", "id", tenantID, ids)
	return `UPDATE ingest_events SET ` + set + ` WHERE ` + byID, args
}

// normalizedCols is how many values a row of upsertNormalized takes.
const normalizedCols = 13

// upsertNormalized stores normalized events in one statement: a new one
// as its revision (1, or the one it was archived under beforehand, with
// its archived_at), one whose bytes changed as the next revision (waiting
// for the archive again), one whose bytes did not is left alone. revs
// gets the revision of every event written.
func (tx *Tx) upsertNormalized(ctx context.Context, tenantID string, evs []*ingest.NormalizedEvent, revs map[string]int) error {
	args := make([]any, 0, len(evs)*normalizedCols)
	for _, n := range evs {
		args = append(args, n.IngestID, tenantID, n.VendorID, n.EventType, n.SchemaVersion, n.OccurredAt.UTC(), n.MappingID,
			n.MappingVersion, max(n.Revision, 1), []byte(n.Body), n.SHA256, n.NormalizedAt.UTC(), timeOrNil(n.ArchivedAt))
	}
	rows, err := tx.query(ctx, `INSERT INTO ingest_normalized (ingest_id, tenant_id, vendor_id, event_type, schema_version,
		occurred_at, mapping_id, mapping_version, revision, body, sha256, normalized_at, archived_at)
		VALUES `+valueRows(len(evs), normalizedCols)+`
		ON CONFLICT (ingest_id) DO UPDATE SET event_type = excluded.event_type, schema_version = excluded.schema_version,
			occurred_at = excluded.occurred_at, mapping_id = excluded.mapping_id, mapping_version = excluded.mapping_version,
			revision = ingest_normalized.revision + 1, body = excluded.body, sha256 = excluded.sha256,
			normalized_at = excluded.normalized_at, archived_at = NULL
		WHERE ingest_normalized.sha256 <> excluded.sha256
		RETURNING ingest_id, revision`, args...)
	if err != nil {
		return translate(err, "normalized event")
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var rev int
		if err := rows.Scan(&id, &rev); err != nil {
			return translate(err, "normalized event")
		}
		revs[id] = rev
	}
	return translate(rows.Err(), "normalized event")
}

const normalizedColumns = `ingest_id, tenant_id, vendor_id, event_type, schema_version, occurred_at, mapping_id, mapping_version,
	revision, body, sha256, normalized_at, archived_at`

func scanNormalized(r scanner) (ingest.NormalizedEvent, error) {
	var n ingest.NormalizedEvent
	var arch sql.NullTime
	var body []byte
	err := r.Scan(&n.IngestID, &n.TenantID, &n.VendorID, &n.EventType, &n.SchemaVersion, &n.OccurredAt, &n.MappingID,
		&n.MappingVersion, &n.Revision, &body, &n.SHA256, &n.NormalizedAt, &arch)
	n.Body, n.ArchivedAt = body, nullTime(arch)
	n.OccurredAt, n.NormalizedAt = n.OccurredAt.UTC(), n.NormalizedAt.UTC()
	n.BlobKey = ingest.NormalizedKey(n.EventType, n.IngestID, n.Revision)
	return n, err
}

// UnarchivedNormalized returns normalized events whose current revision
// waits for the archive, oldest first.
func (db *DB) UnarchivedNormalized(ctx context.Context, tenantID string, limit int) ([]ingest.NormalizedEvent, error) {
	return queryAll(ctx, db.reader(), "normalized events", scanNormalized, `SELECT `+normalizedColumns+` FROM ingest_normalized
		WHERE tenant_id = ? AND archived_at IS NULL ORDER BY ingest_id LIMIT `+strconv.Itoa(limit), tenantID)
}

// MarkNormalizedArchived records that these revisions are archived; a
// revision replaced meanwhile stays waiting.
func (db *DB) MarkNormalizedArchived(ctx context.Context, tenantID string, evs []ingest.NormalizedEvent, at time.Time) error {
	if len(evs) == 0 {
		return nil
	}
	byRevision := map[int][]string{}
	for _, n := range evs {
		byRevision[n.Revision] = append(byRevision[n.Revision], n.IngestID)
	}
	return db.inTx(ctx, func(tx *Tx) error {
		for rev, all := range byRevision {
			for from := 0; from < len(all); from += 500 {
				q, args := markNormalizedQuery(tx.d, at, rev, tenantID, all[from:min(from+500, len(all))])
				if _, err := tx.exec(ctx, q, args...); err != nil {
					return translate(err, "normalized event")
				}
			}
		}
		return nil
	})
}

// markNormalizedQuery records revision rev of a tenant's normalized events
// ids archived at at.
func markNormalizedQuery(d Dialect, at time.Time, rev int, tenantID string, ids []string) (string, []any) {
	byID, args := tenantRows(d, "tenant_id", "ingest_id", tenantID, ids)
	return `UPDATE ingest_normalized SET archived_at = ? WHERE revision = ? AND ` + byID, append([]any{at.UTC(), rev}, args...)
}

// NormalizedEvent returns the normalized event of an ingest event.
func (db *DB) NormalizedEvent(ctx context.Context, tenantID, ingestID string) (ingest.NormalizedEvent, error) {
	n, err := scanNormalized(db.reader().queryRow(ctx, `SELECT `+normalizedColumns+` FROM ingest_normalized
		WHERE tenant_id = ? AND ingest_id = ?`, tenantID, ingestID))
	return n, translate(err, "normalized event")
}

// ListNormalized pages through the canonical events of NORMALIZED events,
// by time occurred then id, oldest first, so a consumer can follow the
// cursor.
func (db *DB) ListNormalized(ctx context.Context, tenantID string, f ingest.NormalizedFilter) ([]ingest.NormalizedEvent, string, error) {
	keys, err := decodeCursor(f.Cursor, 1)
	if err != nil {
		return nil, "", err
	}
	c := tenantScoped(tenantID)
	c.where[0] = "n.tenant_id = ?"
	c.add("e.status = 'NORMALIZED'")
	if f.EventType != "" {
		c.add("n.event_type = ?", f.EventType)
	}
	if f.VendorID != "" {
		c.add("n.vendor_id = ?", f.VendorID)
	}
	if f.Since != nil {
		c.add("n.occurred_at >= ?", f.Since.UTC())
	}
	if f.Until != nil {
		c.add("n.occurred_at < ?", f.Until.UTC())
	}
	if keys != nil {
		c.add("n.ingest_id > ?", keys[0])
	}
	limit := clampLimit(f.Limit)
	out, err := queryAll(ctx, db.reader(), "normalized events", scanNormalized, `SELECT n.`+
		`ingest_id, n.tenant_id, n.vendor_id, n.event_type, n.schema_version, n.occurred_at, n.mapping_id, n.mapping_version,
		n.revision, n.body, n.sha256, n.normalized_at, n.archived_at
		FROM ingest_normalized n JOIN ingest_events e ON e.id = n.ingest_id
		WHERE `+c.sql()+` ORDER BY n.ingest_id LIMIT `+strconv.Itoa(limit+1), c.args...)
	if err != nil {
		return nil, "", err
	}
	next := ""
	if len(out) > limit {
		out = out[:limit]
		next = encodeCursor(out[limit-1].IngestID)
	}
	return out, next, nil
}

// selectionConds are the conditions of a replay selection.
func selectionConds(tenantID string, sel ingest.Selection) *conds {
	c := tenantScoped(tenantID)
	c.eq("id", sel.IngestID)
	c.eq("vendor_id", sel.VendorID)
	c.eq("event_type", sel.EventType)
	c.eq("schema_version", sel.SchemaVersion)
	c.eq("status", string(sel.Status))
	c.eq("status_reason", sel.Reason)
	if sel.Quarantine {
		c.add("status IN (?, ?)", string(ingest.Quarantined), string(ingest.FailedNormalize))
	}
	if sel.Since != nil {
		c.add("received_at >= ?", sel.Since.UTC())
	}
	if sel.Until != nil {
		c.add("received_at < ?", sel.Until.UTC())
	}
	return c
}

// CountSelected counts the events a replay selection picks.
func (db *DB) CountSelected(ctx context.Context, tenantID string, sel ingest.Selection) (int, error) {
	c := selectionConds(tenantID, sel)
	var n int
	err := db.reader().queryRow(ctx, `SELECT COUNT(*) FROM ingest_events WHERE `+c.sql(), c.args...).Scan(&n)
	return n, translate(err, "ingest events")
}

// SelectEvents pages through the events a selection picks, in id order,
// with their bytes.
func (db *DB) SelectEvents(ctx context.Context, tenantID string, sel ingest.Selection, afterID string, limit int) ([]ingest.Event, error) {
	c := selectionConds(tenantID, sel)
	c.add("id > ?", afterID)
	return queryAll(ctx, db.reader(), "ingest events", scanIngestEventRaw, `SELECT `+ingestEventColumns+`, raw FROM ingest_events
		WHERE `+c.sql()+` ORDER BY id LIMIT `+strconv.Itoa(limit), c.args...)
}

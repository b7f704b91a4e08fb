package sqlstore

import (
	"context"
	"database/sql"
	"strconv"
	"time"

	"github.com/vendorsync/vendorsync/internal/ingest"
	"github.com/vendorsync/vendorsync/internal/jobargs"
)

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
func (db *DB) SaveOutcomes(ctx context.Context, tenantID string, outs []ingest.Outcome, jobs []jobargs.Args) error {
	return db.inTx(ctx, func(tx *Tx) error {
		var subs []ingest.Subscription
		loaded := false
		var queued []deliveryRow
		for _, o := range outs {
			if _, err := tx.exec(ctx, `UPDATE ingest_events SET status = ?, status_reason = ?, status_errors = ?, normalized_at = ?
				WHERE tenant_id = ? AND id = ?`, string(o.Status), o.Reason, jsonList(o.Errors), o.At.UTC(), tenantID, o.EventID); err != nil {
				return translate(err, "ingest event")
			}
			n := o.Normalized
			if n == nil {
				continue
			}
			var rev int
			err := tx.queryRow(ctx, `INSERT INTO ingest_normalized (ingest_id, tenant_id, vendor_id, event_type, schema_version,
				occurred_at, mapping_id, mapping_version, revision, body, sha256, normalized_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?)
				ON CONFLICT (ingest_id) DO UPDATE SET event_type = excluded.event_type, schema_version = excluded.schema_version,
					occurred_at = excluded.occurred_at, mapping_id = excluded.mapping_id, mapping_version = excluded.mapping_version,
					revision = ingest_normalized.revision + 1, body = excluded.body, sha256 = excluded.sha256,
					normalized_at = excluded.normalized_at, archived_at = NULL
				WHERE ingest_normalized.sha256 <> excluded.sha256
				RETURNING revision`,
				n.IngestID, tenantID, n.VendorID, n.EventType, n.SchemaVersion, n.OccurredAt.UTC(), n.MappingID, n.MappingVersion,
				[]byte(n.Body), n.SHA256, n.NormalizedAt.UTC()).Scan(&rev)
			if err == sql.ErrNoRows {
				continue // the same bytes: nothing new to deliver
			}
			if err != nil {
				return translate(err, "normalized event")
			}
			if !loaded {
				if subs, err = tx.enabledSubscriptions(ctx, tenantID); err != nil {
					return err
				}
				loaded = true
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
	return db.inTx(ctx, func(tx *Tx) error {
		for _, n := range evs {
			if _, err := tx.exec(ctx, `UPDATE ingest_normalized SET archived_at = ? WHERE tenant_id = ? AND ingest_id = ? AND revision = ?`,
				at.UTC(), tenantID, n.IngestID, n.Revision); err != nil {
				return translate(err, "normalized event")
			}
		}
		return nil
	})
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

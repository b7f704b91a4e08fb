package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/vendorsync/vendorsync/internal/audit"
	"github.com/vendorsync/vendorsync/internal/ingest"
	"github.com/vendorsync/vendorsync/internal/jobargs"
)

const profileColumns = `tenant_id, vendor_id, event_type, keys, seen, events, updated_at`

func scanProfile(r scanner) (ingest.Profile, error) {
	var p ingest.Profile
	var keys, seen string
	if err := r.Scan(&p.TenantID, &p.VendorID, &p.EventType, &keys, &seen, &p.Events, &p.UpdatedAt); err != nil {
		return p, err
	}
	p.Keys, p.Seen, p.UpdatedAt = parseList(keys), parseList(seen), p.UpdatedAt.UTC()
	return p, nil
}

// Profile returns a vendor event type's field profile.
func (db *DB) Profile(ctx context.Context, tenantID, vendorID, eventType string) (ingest.Profile, error) {
	p, err := scanProfile(db.reader().queryRow(ctx, `SELECT `+profileColumns+` FROM ingest_profiles
		WHERE tenant_id = ? AND vendor_id = ? AND event_type = ?`, tenantID, vendorID, eventType))
	return p, translate(err, "ingest profile")
}

// ListProfiles lists a vendor's field profiles by event type.
func (db *DB) ListProfiles(ctx context.Context, tenantID, vendorID string) ([]ingest.Profile, error) {
	return queryAll(ctx, db.reader(), "ingest profiles", scanProfile, `SELECT `+profileColumns+` FROM ingest_profiles
		WHERE tenant_id = ? AND vendor_id = ? ORDER BY event_type`, tenantID, vendorID)
}

// SaveLearning stores profiles and opens drifts in one transaction: one
// open per vendor, event type, path and kind, at most limit per vendor in
// the hour before each.
func (db *DB) SaveLearning(ctx context.Context, tenantID string, ps []ingest.Profile, ds []ingest.Drift, limit int,
	jobs func(ingest.Drift) []jobargs.Args) ([]ingest.Drift, error) {
	var opened []ingest.Drift
	err := db.inTx(ctx, func(tx *Tx) error {
		opened = opened[:0]
		for _, p := range ps {
			if _, err := tx.exec(ctx, `INSERT INTO ingest_profiles (`+profileColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?)
				ON CONFLICT (tenant_id, vendor_id, event_type) DO UPDATE SET keys = excluded.keys, seen = excluded.seen,
					events = excluded.events, updated_at = excluded.updated_at`,
				tenantID, p.VendorID, p.EventType, jsonList(p.Keys), jsonList(p.Seen), p.Events, p.UpdatedAt.UTC()); err != nil {
				return translate(err, "ingest profile")
			}
		}
		var all []jobargs.Args
		for _, d := range ds {
			var n int
			if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM ingest_drifts WHERE tenant_id = ? AND vendor_id = ? AND detected_at > ?`,
				tenantID, d.VendorID, d.DetectedAt.Add(-time.Hour).UTC()).Scan(&n); err != nil {
				return translate(err, "ingest drifts")
			}
			if n >= limit {
				continue
			}
			res, err := tx.exec(ctx, `INSERT INTO ingest_drifts (id, tenant_id, vendor_id, event_type, path, kind, breaking, detail,
				ingest_id, detected_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
				ON CONFLICT (tenant_id, vendor_id, event_type, path, kind) WHERE acknowledged_at IS NULL DO NOTHING`,
				d.ID, tenantID, d.VendorID, d.EventType, d.Path, string(d.Kind), d.Breaking, d.Detail, d.IngestID, d.DetectedAt.UTC())
			if err != nil {
				return translate(err, "ingest drift")
			}
			if k, err := res.RowsAffected(); err != nil || k == 0 {
				continue // one of the same is open
			}
			opened = append(opened, d)
			all = append(all, jobs(d)...)
		}
		return tx.EnqueueAll(ctx, all)
	})
	if err != nil {
		return nil, err
	}
	return opened, nil
}

const driftColumns = `id, tenant_id, vendor_id, event_type, path, kind, breaking, detail, ingest_id, detected_at, acknowledged_at, acknowledged_by`

func scanDrift(r scanner) (ingest.Drift, error) {
	var d ingest.Drift
	var ack sql.NullTime
	if err := r.Scan(&d.ID, &d.TenantID, &d.VendorID, &d.EventType, &d.Path, &d.Kind, &d.Breaking, &d.Detail, &d.IngestID,
		&d.DetectedAt, &ack, &d.AcknowledgedBy); err != nil {
		return d, err
	}
	d.DetectedAt, d.AcknowledgedAt = d.DetectedAt.UTC(), nullTime(ack)
	return d, nil
}

// ListDrifts lists a vendor's drifts, newest first.
func (db *DB) ListDrifts(ctx context.Context, tenantID, vendorID string, openOnly bool) ([]ingest.Drift, error) {
	q := `SELECT ` + driftColumns + ` FROM ingest_drifts WHERE tenant_id = ? AND vendor_id = ?`
	if openOnly {
		q += ` AND acknowledged_at IS NULL`
	}
	return queryAll(ctx, db.reader(), "ingest drifts", scanDrift, q+` ORDER BY detected_at DESC, id DESC LIMIT 500`, tenantID, vendorID)
}

// IngestDrift returns one drift.
func (db *DB) IngestDrift(ctx context.Context, tenantID, id string) (ingest.Drift, error) {
	d, err := scanDrift(db.reader().queryRow(ctx, `SELECT `+driftColumns+` FROM ingest_drifts WHERE tenant_id = ? AND id = ?`,
		tenantID, id))
	return d, translate(err, "drift")
}

// AcknowledgeDrift closes an open drift with its audit row.
func (db *DB) AcknowledgeDrift(ctx context.Context, d ingest.Drift, ev audit.Event) error {
	return db.inTx(ctx, func(tx *Tx) error {
		res, err := tx.exec(ctx, `UPDATE ingest_drifts SET acknowledged_at = ?, acknowledged_by = ?
			WHERE tenant_id = ? AND id = ? AND acknowledged_at IS NULL`, d.AcknowledgedAt.UTC(), d.AcknowledgedBy, d.TenantID, d.ID)
		if err := mustAffect(res, err, "open drift"); err != nil {
			return err
		}
		return tx.Audit(ctx, ev)
	})
}

// QualityCounts counts a vendor's events from sinceID by outcome and
// timeliness, and its drifts since.
func (db *DB) QualityCounts(ctx context.Context, tenantID, vendorID, sinceID string, since time.Time) (ingest.QualityCounts, error) {
	// SQLite holds times as text led by "YYYY-MM-DD HH:MM:SS" (UTC);
	// whole seconds are enough for bounds of minutes and hours.
	late := `(julianday(substr(received_at, 1, 19)) - julianday(substr(occurred_at, 1, 19))) * 86400 > ?`
	future := `(julianday(substr(occurred_at, 1, 19)) - julianday(substr(received_at, 1, 19))) * 86400 > ?`
	if db.Dialect == Postgres {
		late = `EXTRACT(EPOCH FROM received_at - occurred_at) > ?`
		future = `EXTRACT(EPOCH FROM occurred_at - received_at) > ?`
	}
	var c ingest.QualityCounts
	err := db.reader().queryRow(ctx, `SELECT COUNT(*),
		COALESCE(SUM(CASE WHEN status = 'NORMALIZED' THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN status = 'QUARANTINED' THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN status = 'FAILED_NORMALIZE' THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN `+late+` THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN `+future+` THEN 1 ELSE 0 END), 0)
		FROM ingest_events WHERE tenant_id = ? AND vendor_id = ? AND id >= ?`,
		ingest.LateAfter.Seconds(), ingest.FutureAfter.Seconds(), tenantID, vendorID, sinceID).
		Scan(&c.Events, &c.Normalized, &c.Quarantined, &c.Failed, &c.Late, &c.Future)
	if err != nil {
		return c, translate(err, "ingest quality")
	}
	err = db.reader().queryRow(ctx, `SELECT COUNT(*), COALESCE(SUM(CASE WHEN breaking THEN 1 ELSE 0 END), 0) FROM ingest_drifts
		WHERE tenant_id = ? AND vendor_id = ? AND detected_at >= ?`, tenantID, vendorID, since.UTC()).Scan(&c.Drifts, &c.Breaking)
	return c, translate(err, "ingest quality")
}

// HourlyCounts counts a vendor's events from sinceID by the UTC hour of
// their receipt, on the (tenant_id, vendor_id, id) index, followed by its
// repeats per hour from since.
func (db *DB) HourlyCounts(ctx context.Context, tenantID, vendorID, sinceID string, since time.Time) ([]ingest.HourCounts, error) {
	// SQLite holds times as text led by "YYYY-MM-DD HH" (UTC).
	hour := `substr(received_at, 1, 13)`
	if db.Dialect == Postgres {
		hour = `to_char(received_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24')`
	}
	out, err := queryAll(ctx, db.reader(), "ingest traffic", scanHourCounts(func(h *ingest.HourCounts) []any {
		return []any{&h.Events, &h.Quarantined, &h.Failed}
	}), `SELECT `+hour+`, COUNT(*),
		COALESCE(SUM(CASE WHEN status = 'QUARANTINED' THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN status = 'FAILED_NORMALIZE' THEN 1 ELSE 0 END), 0)
		FROM ingest_events WHERE tenant_id = ? AND vendor_id = ? AND id >= ?
		GROUP BY 1 ORDER BY 1`, tenantID, vendorID, sinceID)
	if err != nil {
		return nil, err
	}
	hour = `substr(hour, 1, 13)`
	if db.Dialect == Postgres {
		hour = `to_char(hour AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24')`
	}
	repeats, err := queryAll(ctx, db.reader(), "ingest repeats", scanHourCounts(func(h *ingest.HourCounts) []any {
		return []any{&h.Duplicates, &h.Conflicts}
	}), `SELECT `+hour+`, duplicates, conflicts FROM ingest_repeats
		WHERE tenant_id = ? AND vendor_id = ? AND hour >= ? ORDER BY hour`, tenantID, vendorID, since.UTC())
	if err != nil {
		return nil, err
	}
	refused, err := queryAll(ctx, db.reader(), "ingest refusals", scanHourCounts(func(h *ingest.HourCounts) []any {
		return []any{&h.Refused}
	}), `SELECT `+hour+`, SUM(refused) FROM ingest_refusals
		WHERE tenant_id = ? AND vendor_id = ? AND hour >= ? GROUP BY 1 ORDER BY 1`, tenantID, vendorID, since.UTC())
	return append(append(out, repeats...), refused...), err
}

// scanHourCounts scans an hour ("YYYY-MM-DD HH", UTC) followed by the
// counts that fields points at.
func scanHourCounts(fields func(*ingest.HourCounts) []any) func(scanner) (ingest.HourCounts, error) {
	return func(r scanner) (ingest.HourCounts, error) {
		var h ingest.HourCounts
		var key string
		if err := r.Scan(append([]any{&key}, fields(&h)...)...); err != nil {
			return h, err
		}
		var err error
		if h.Hour, err = time.Parse("2006-01-02 15", key); err != nil {
			return h, fmt.Errorf("ingest traffic: hour %q: %w", key, err)
		}
		return h, nil
	}
}

package sqlstore

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"time"

	"github.com/vendorsync/vendorsync/internal/ingest"
	"github.com/vendorsync/vendorsync/internal/jobargs"
)

const ingestEventColumns = `id, tenant_id, vendor_id, vendor_key, external_event_id, event_type, schema_version, occurred_at,
	received_at, channel, payload_sha256, raw_sha256, raw_key, archived_at, archive_error, status, length(raw),
	status_reason, status_errors, normalized_at`

func scanIngestEvent(r scanner, extra ...any) (ingest.Event, error) {
	var e ingest.Event
	var arch, norm sql.NullTime
	var errs string
	dest := append([]any{&e.ID, &e.TenantID, &e.VendorID, &e.VendorKey, &e.ExternalEventID, &e.EventType, &e.SchemaVersion,
		&e.OccurredAt, &e.ReceivedAt, &e.Channel, &e.PayloadSHA256, &e.RawRef.SHA256, &e.RawRef.Key, &arch, &e.ArchiveError,
		&e.Status, &e.RawSize, &e.Reason, &errs, &norm}, extra...)
	err := r.Scan(dest...)
	e.OccurredAt, e.ReceivedAt, e.ArchivedAt, e.NormalizedAt = e.OccurredAt.UTC(), e.ReceivedAt.UTC(), nullTime(arch), nullTime(norm)
	if errs != "" && errs != "[]" {
		e.Errors = parseList(errs)
	}
	return e, err
}

func scanIngestEventRaw(r scanner) (ingest.Event, error) {
	var raw []byte
	e, err := scanIngestEvent(r, &raw)
	e.Raw = raw
	return e, err
}

// insertChunk is how many events one INSERT statement carries on SQLite
// (15 parameters each, well under its limit).
const insertChunk = 200

// AcceptEvents stores new events and the jobs they cause in one
// transaction; an event whose key is already stored is not written, and
// prior[i] is the stored one. The unique index on (tenant, vendor,
// externalEventId) decides between concurrent senders of one key. Events
// go in statements that return the ids they inserted; only the others are
// looked up, all in one statement. On PostgreSQL a group of any size is
// one INSERT whose columns are arrays, so its text (and prepared plan) is
// the same for every group; on SQLite multi-row INSERTs. Senders wait on
// this commit, so on SQLite it takes the write connection before waiting
// background transactions.
func (db *DB) AcceptEvents(ctx context.Context, evs []ingest.Event, jobs []jobargs.Args) ([]*ingest.Event, error) {
	prior := make([]*ingest.Event, len(evs))
	err := db.inUrgentTx(ctx, func(tx *Tx) error {
		inserted := make(map[string]bool, len(evs))
		if tx.db.Dialect == Postgres {
			if err := tx.insertEventArrays(ctx, evs, inserted); err != nil {
				return err
			}
		} else {
			for from := 0; from < len(evs); from += insertChunk {
				if err := tx.insertEvents(ctx, evs[from:min(from+insertChunk, len(evs))], inserted); err != nil {
					return err
				}
			}
		}
		if len(inserted) < len(evs) {
			if err := tx.priorEvents(ctx, evs, inserted, prior); err != nil {
				return err
			}
			if err := tx.countRepeats(ctx, ingest.Repeats(evs, prior)); err != nil {
				return err
			}
		}
		if len(inserted) > 0 {
			return tx.EnqueueAll(ctx, jobs)
		}
		return nil
	})
	return prior, err
}

// priorEvents sets prior[i] to the stored event under the key of each of
// evs not inserted, read after the insert, so it sees what a concurrent
// sender of the same key committed: on PostgreSQL in one statement, on
// SQLite (in process, no round trips) one per key.
func (tx *Tx) priorEvents(ctx context.Context, evs []ingest.Event, inserted map[string]bool, prior []*ingest.Event) error {
	if tx.db.Dialect != Postgres {
		for i, e := range evs {
			if inserted[e.ID] {
				continue
			}
			p, err := scanIngestEvent(tx.queryRow(ctx, `SELECT `+ingestEventColumns+` FROM ingest_events
				WHERE tenant_id = ? AND vendor_id = ? AND external_event_id = ?`, e.TenantID, e.VendorID, e.ExternalEventID))
			if err != nil {
				return translate(err, "ingest event "+e.ExternalEventID)
			}
			prior[i] = &p
		}
		return nil
	}
	var tenants, vendors, keys []string
	for _, e := range evs {
		if !inserted[e.ID] {
			tenants, vendors, keys = append(tenants, e.TenantID), append(vendors, e.VendorID), append(keys, e.ExternalEventID)
		}
	}
	stored, err := queryAll(ctx, tx.conn, "ingest events", func(r scanner) (ingest.Event, error) { return scanIngestEvent(r) },
		`SELECT `+ingestEventColumns+` FROM ingest_events WHERE (tenant_id, vendor_id, external_event_id) IN
			(SELECT * FROM unnest(?::text[], ?::text[], ?::text[]))`, tenants, vendors, keys)
	if err != nil {
		return err
	}
	byKey := make(map[[3]string]*ingest.Event, len(stored))
	for i := range stored {
		p := &stored[i]
		byKey[[3]string{p.TenantID, p.VendorID, p.ExternalEventID}] = p
	}
	for i, e := range evs {
		if inserted[e.ID] {
			continue
		}
		p := byKey[[3]string{e.TenantID, e.VendorID, e.ExternalEventID}]
		if p == nil {
			return translate(sql.ErrNoRows, "ingest event "+e.ExternalEventID)
		}
		prior[i] = p
	}
	return nil
}

// countRepeats adds resent events to their vendor's hourly counts, in one
// statement whose rows come in key order.
func (tx *Tx) countRepeats(ctx context.Context, rs []ingest.RepeatCount) error {
	if len(rs) == 0 {
		return nil
	}
	var q strings.Builder
	q.WriteString(`INSERT INTO ingest_repeats (tenant_id, vendor_id, hour, duplicates, conflicts) VALUES `)
	args := make([]any, 0, 5*len(rs))
	for i, r := range rs {
		if i > 0 {
			q.WriteString(", ")
		}
		q.WriteString("(?, ?, ?, ?, ?)")
		args = append(args, r.TenantID, r.VendorID, r.Hour.UTC(), r.Duplicates, r.Conflicts)
	}
	q.WriteString(` ON CONFLICT (tenant_id, vendor_id, hour) DO UPDATE SET duplicates = ingest_repeats.duplicates + excluded.duplicates,
		conflicts = ingest_repeats.conflicts + excluded.conflicts`)
	_, err := tx.exec(ctx, q.String(), args...)
	return translate(err, "ingest repeats")
}

// AddRefusals adds refused requests to their vendors' hourly counts, in
// one statement whose rows come in key order.
func (db *DB) AddRefusals(ctx context.Context, rs []ingest.RefusalCount) error {
	if len(rs) == 0 {
		return nil
	}
	return db.inTx(ctx, func(tx *Tx) error {
		args := make([]any, 0, 5*len(rs))
		for _, r := range rs {
			args = append(args, r.TenantID, r.VendorID, r.Hour.UTC(), r.Reason, r.N)
		}
		_, err := tx.exec(ctx, `INSERT INTO ingest_refusals (tenant_id, vendor_id, hour, reason, refused) VALUES `+
			valueRows(len(rs), 5)+` ON CONFLICT (tenant_id, vendor_id, hour, reason)
			DO UPDATE SET refused = ingest_refusals.refused + excluded.refused`, args...)
		return translate(err, "ingest refusals")
	})
}

// insertEvents inserts evs in one statement, skipping keys already
// stored, and records the ids it inserted.
func (tx *Tx) insertEvents(ctx context.Context, evs []ingest.Event, inserted map[string]bool) error {
	var q strings.Builder
	q.WriteString(`INSERT INTO ingest_events (id, tenant_id, vendor_id, vendor_key, external_event_id, event_type,
		schema_version, occurred_at, received_at, channel, payload_sha256, raw, raw_sha256, raw_key, status) VALUES `)
	args := make([]any, 0, 15*len(evs))
	for i, e := range evs {
		if i > 0 {
			q.WriteString(", ")
		}
		q.WriteString("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
		args = append(args, e.ID, e.TenantID, e.VendorID, e.VendorKey, e.ExternalEventID, e.EventType, e.SchemaVersion,
			e.OccurredAt.UTC(), e.ReceivedAt.UTC(), string(e.Channel), e.PayloadSHA256, e.Raw, e.RawRef.SHA256, e.RawRef.Key, string(e.Status))
	}
	q.WriteString(` ON CONFLICT (tenant_id, vendor_id, external_event_id) DO NOTHING RETURNING id`)
	return tx.insertReturningIDs(ctx, inserted, q.String(), args...)
}

// insertEventArrays inserts evs on PostgreSQL in one statement whatever
// their number, each column as one array, skipping keys already stored,
// and records the ids it inserted.
func (tx *Tx) insertEventArrays(ctx context.Context, evs []ingest.Event, inserted map[string]bool) error {
	n := len(evs)
	ids, tenants, vendors, vendorKeys, keys, types, versions := make([]string, n), make([]string, n), make([]string, n),
		make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	channels, payloadSums, rawSums, rawKeys, statuses := make([]string, n), make([]string, n), make([]string, n), make([]string, n),
		make([]string, n)
	occurred, received, raws := make([]time.Time, n), make([]time.Time, n), make([][]byte, n)
	for i, e := range evs {
		ids[i], tenants[i], vendors[i], vendorKeys[i], keys[i], types[i], versions[i] = e.ID, e.TenantID, e.VendorID, e.VendorKey,
			e.ExternalEventID, e.EventType, e.SchemaVersion
		occurred[i], received[i], channels[i], payloadSums[i], raws[i] = e.OccurredAt.UTC(), e.ReceivedAt.UTC(), string(e.Channel),
			e.PayloadSHA256, e.Raw
		rawSums[i], rawKeys[i], statuses[i] = e.RawRef.SHA256, e.RawRef.Key, string(e.Status)
	}
	return tx.insertReturningIDs(ctx, inserted, `INSERT INTO ingest_events (id, tenant_id, vendor_id, vendor_key, external_event_id, event_type,
		schema_version, occurred_at, received_at, channel, payload_sha256, raw, raw_sha256, raw_key, status)
		SELECT * FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::timestamptz[],
			?::timestamptz[], ?::text[], ?::text[], ?::bytea[], ?::text[], ?::text[], ?::text[])
		ON CONFLICT (tenant_id, vendor_id, external_event_id) DO NOTHING RETURNING id`,
		ids, tenants, vendors, vendorKeys, keys, types, versions, occurred, received, channels, payloadSums, raws, rawSums, rawKeys, statuses)
}

// insertReturningIDs runs an INSERT of events that returns the id of
// each row it wrote, and records those ids.
func (tx *Tx) insertReturningIDs(ctx context.Context, inserted map[string]bool, q string, args ...any) error {
	rows, err := tx.query(ctx, q, args...)
	if err != nil {
		return translate(err, "ingest events")
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return translate(err, "ingest events")
		}
		inserted[id] = true
	}
	return translate(rows.Err(), "ingest events")
}

// IngestEvent returns one event of a tenant with its raw bytes.
func (db *DB) IngestEvent(ctx context.Context, tenantID, id string) (ingest.Event, error) {
	e, err := scanIngestEventRaw(db.reader().queryRow(ctx, `SELECT `+ingestEventColumns+`, raw FROM ingest_events
		WHERE tenant_id = ? AND id = ?`, tenantID, id))
	return e, translate(err, "ingest event")
}

// ListIngestEvents pages through a tenant's events, newest first (ids are
// ULIDs, so id order is arrival order).
func (db *DB) ListIngestEvents(ctx context.Context, tenantID string, f ingest.Filter) ([]ingest.Event, string, error) {
	keys, err := decodeCursor(f.Cursor, 1)
	if err != nil {
		return nil, "", err
	}
	c := tenantScoped(tenantID)
	c.eq("vendor_id", f.VendorID)
	c.eq("status", string(f.Status))
	if f.Status == "" && len(f.Statuses) > 0 {
		in := make([]any, len(f.Statuses))
		for i, st := range f.Statuses {
			in[i] = string(st)
		}
		c.add("status IN ("+placeholders(len(in))+")", in...)
	}
	c.eq("event_type", f.EventType)
	c.eq("status_reason", f.Reason)
	if f.Since != nil {
		c.add("received_at >= ?", f.Since.UTC())
	}
	if f.Until != nil {
		c.add("received_at < ?", f.Until.UTC())
	}
	if keys != nil {
		c.add("id < ?", keys[0])
	}
	limit := clampLimit(f.Limit)
	out, err := queryAll(ctx, db.reader(), "ingest events", func(r scanner) (ingest.Event, error) { return scanIngestEvent(r) },
		`SELECT `+ingestEventColumns+` FROM ingest_events WHERE `+c.sql()+` ORDER BY id DESC LIMIT `+strconv.Itoa(limit+1), c.args...)
	if err != nil {
		return nil, "", err
	}
	next := ""
	if len(out) > limit {
		out = out[:limit]
		next = encodeCursor(out[limit-1].ID)
	}
	return out, next, nil
}

// CountIngestEvents counts a vendor's events by status.
func (db *DB) CountIngestEvents(ctx context.Context, tenantID, vendorID string) (map[ingest.Status]int, error) {
	rows, err := db.reader().query(ctx, `SELECT status, COUNT(*) FROM ingest_events WHERE tenant_id = ? AND vendor_id = ? GROUP BY status`,
		tenantID, vendorID)
	if err != nil {
		return nil, translate(err, "ingest events")
	}
	defer rows.Close()
	out := map[ingest.Status]int{}
	for _, s := range ingest.Statuses {
		out[s] = 0
	}
	for rows.Next() {
		var s ingest.Status
		var n int
		if err := rows.Scan(&s, &n); err != nil {
			return nil, translate(err, "ingest events")
		}
		out[s] = n
	}
	return out, translate(rows.Err(), "ingest events")
}

// UnarchivedEvents returns events whose raw bytes wait for the archive,
// oldest first, with the bytes.
func (db *DB) UnarchivedEvents(ctx context.Context, tenantID string, limit int) ([]ingest.Event, error) {
	return queryAll(ctx, db.reader(), "ingest events", scanIngestEventRaw, `SELECT `+ingestEventColumns+`, raw FROM ingest_events
		WHERE tenant_id = ? AND archived_at IS NULL AND archive_error = '' ORDER BY id LIMIT `+strconv.Itoa(limit), tenantID)
}

// UnarchivedTaken returns events whose raw bytes wait for the archive and
// that normalization has taken (no longer RECEIVED), oldest first, with
// the bytes.
func (db *DB) UnarchivedTaken(ctx context.Context, tenantID string, limit int) ([]ingest.Event, error) {
	return queryAll(ctx, db.reader(), "ingest events", scanIngestEventRaw, `SELECT `+ingestEventColumns+`, raw FROM ingest_events
		WHERE tenant_id = ? AND archived_at IS NULL AND archive_error = '' AND status <> 'RECEIVED' ORDER BY id LIMIT `+strconv.Itoa(limit), tenantID)
}

// EventsSince pages through a tenant's events received since a time, in
// id order, with their bytes.
func (db *DB) EventsSince(ctx context.Context, tenantID string, since time.Time, afterID string, limit int) ([]ingest.Event, error) {
	return queryAll(ctx, db.reader(), "ingest events", scanIngestEventRaw, `SELECT `+ingestEventColumns+`, raw FROM ingest_events
		WHERE tenant_id = ? AND received_at >= ? AND id > ? ORDER BY id LIMIT `+strconv.Itoa(limit), tenantID, since.UTC(), afterID)
}

// MarkArchived records that events' raw bytes are in the blob store.
func (db *DB) MarkArchived(ctx context.Context, tenantID string, ids []string, at time.Time) error {
	if len(ids) == 0 {
		return nil
	}
	return db.inTx(ctx, func(tx *Tx) error {
		q, args := markArchivedQuery(tx.d, at, tenantID, ids)
		_, err := tx.exec(ctx, q, args...)
		return translate(err, "ingest events")
	})
}

// markArchivedQuery records events of a tenant archived at at.
func markArchivedQuery(d Dialect, at time.Time, tenantID string, ids []string) (string, []any) {
	byID, args := tenantRows(d, "tenant_id", "id", tenantID, ids)
	return `UPDATE ingest_events SET archived_at = ? WHERE ` + byID + ` AND archived_at IS NULL`, append([]any{at.UTC()}, args...)
}

// MarkArchiveFailed records why an event's raw bytes cannot be archived.
func (db *DB) MarkArchiveFailed(ctx context.Context, tenantID, id, reason string) error {
	return db.inTx(ctx, func(tx *Tx) error {
		res, err := tx.exec(ctx, `UPDATE ingest_events SET archive_error = ? WHERE tenant_id = ? AND id = ?`, reason, tenantID, id)
		return mustAffect(res, err, "ingest event")
	})
}

// TenantsWithUnarchived lists tenants with events waiting for the archive.
func (db *DB) TenantsWithUnarchived(ctx context.Context) ([]string, error) {
	return queryAll(ctx, db.reader(), "ingest events", func(r scanner) (string, error) {
		var s string
		return s, r.Scan(&s)
	}, `SELECT DISTINCT tenant_id FROM ingest_events WHERE archived_at IS NULL AND archive_error = ''`)
}

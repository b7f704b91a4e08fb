package sqlstore

import (
	"context"
	"encoding/json"

	"github.com/vendorsync/vendorsync/internal/audit"
	"github.com/vendorsync/vendorsync/internal/ingest"
)

const ingestSchemaColumns = `id, tenant_id, kind, vendor_id, event_type, schema_version, revision, body, created_by, created_at`

func scanIngestSchema(r scanner) (ingest.Schema, error) {
	var s ingest.Schema
	var body string
	err := r.Scan(&s.ID, &s.TenantID, &s.Kind, &s.VendorID, &s.EventType, &s.SchemaVersion, &s.Revision, &body, &s.CreatedBy, &s.CreatedAt)
	s.Body, s.CreatedAt = json.RawMessage(body), s.CreatedAt.UTC()
	return s, err
}

// SaveSchema stores a schema as the next revision of its key, with its
// audit row. The unique key decides between concurrent uploads.
func (db *DB) SaveSchema(ctx context.Context, s ingest.Schema, ev func(ingest.Schema) audit.Event) (ingest.Schema, error) {
	err := db.inTx(ctx, func(tx *Tx) error {
		if err := tx.queryRow(ctx, `SELECT COALESCE(MAX(revision), 0) + 1 FROM ingest_schemas WHERE tenant_id = ? AND kind = ?
			AND vendor_id = ? AND event_type = ? AND schema_version = ?`, s.TenantID, s.Kind, s.VendorID, s.EventType, s.SchemaVersion).
			Scan(&s.Revision); err != nil {
			return translate(err, "ingest schema")
		}
		if _, err := tx.exec(ctx, `INSERT INTO ingest_schemas (`+ingestSchemaColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			s.ID, s.TenantID, string(s.Kind), s.VendorID, s.EventType, s.SchemaVersion, s.Revision, string(s.Body), s.CreatedBy,
			s.CreatedAt.UTC()); err != nil {
			return translate(err, "ingest schema")
		}
		return tx.Audit(ctx, ev(s))
	})
	return s, err
}

// ListSchemas lists a tenant's schemas, newest first.
func (db *DB) ListSchemas(ctx context.Context, tenantID string) ([]ingest.Schema, error) {
	return queryAll(ctx, db.reader(), "ingest schemas", scanIngestSchema, `SELECT `+ingestSchemaColumns+` FROM ingest_schemas
		WHERE tenant_id = ? ORDER BY created_at DESC, revision DESC, id DESC`, tenantID)
}

// IngestSchema returns one schema of a tenant.
func (db *DB) IngestSchema(ctx context.Context, tenantID, id string) (ingest.Schema, error) {
	s, err := scanIngestSchema(db.reader().queryRow(ctx, `SELECT `+ingestSchemaColumns+` FROM ingest_schemas
		WHERE tenant_id = ? AND id = ?`, tenantID, id))
	return s, translate(err, "ingest schema")
}

const ingestMappingColumns = `id, tenant_id, vendor_id, event_type, version, target_type, target_version, expression, samples,
	created_by, created_at`

func scanIngestMapping(r scanner) (ingest.Mapping, error) {
	var m ingest.Mapping
	var samples string
	err := r.Scan(&m.ID, &m.TenantID, &m.VendorID, &m.EventType, &m.Version, &m.TargetType, &m.TargetVersion, &m.Expression,
		&samples, &m.CreatedBy, &m.CreatedAt)
	m.CreatedAt = m.CreatedAt.UTC()
	m.Samples = []json.RawMessage{}
	if err == nil {
		_ = json.Unmarshal([]byte(samples), &m.Samples) // written only by SaveMapping, from checked JSON
	}
	return m, err
}

// SaveMapping stores a mapping as the next version for its vendor and
// event type, with its audit row.
func (db *DB) SaveMapping(ctx context.Context, m ingest.Mapping, ev func(ingest.Mapping) audit.Event) (ingest.Mapping, error) {
	samples, err := json.Marshal(m.Samples)
	if err != nil {
		return m, err
	}
	err = db.inTx(ctx, func(tx *Tx) error {
		if err := tx.queryRow(ctx, `SELECT COALESCE(MAX(version), 0) + 1 FROM ingest_mappings WHERE tenant_id = ? AND vendor_id = ?
			AND event_type = ?`, m.TenantID, m.VendorID, m.EventType).Scan(&m.Version); err != nil {
			return translate(err, "ingest mapping")
		}
		if _, err := tx.exec(ctx, `INSERT INTO ingest_mappings (`+ingestMappingColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			m.ID, m.TenantID, m.VendorID, m.EventType, m.Version, m.TargetType, m.TargetVersion, m.Expression, string(samples),
			m.CreatedBy, m.CreatedAt.UTC()); err != nil {
			return translate(err, "ingest mapping")
		}
		return tx.Audit(ctx, ev(m))
	})
	return m, err
}

// ListEventMappings lists a tenant's event mappings, newest first.
func (db *DB) ListEventMappings(ctx context.Context, tenantID string) ([]ingest.Mapping, error) {
	return queryAll(ctx, db.reader(), "ingest mappings", scanIngestMapping, `SELECT `+ingestMappingColumns+` FROM ingest_mappings
		WHERE tenant_id = ? ORDER BY created_at DESC, version DESC, id DESC`, tenantID)
}

// IngestMapping returns one mapping version of a tenant.
func (db *DB) IngestMapping(ctx context.Context, tenantID, id string) (ingest.Mapping, error) {
	m, err := scanIngestMapping(db.reader().queryRow(ctx, `SELECT `+ingestMappingColumns+` FROM ingest_mappings
		WHERE tenant_id = ? AND id = ?`, tenantID, id))
	return m, translate(err, "ingest mapping")
}

// RecordReplay audits a replay request.
func (db *DB) RecordReplay(ctx context.Context, ev audit.Event) error {
	return db.inTx(ctx, func(tx *Tx) error { return tx.Audit(ctx, ev) })
}

-- +goose Up
-- Normalization: why an event is quarantined or failed (a machine-readable
-- reason and the validator's or mapping's messages, as a JSON array) and
-- when it was last normalized.
ALTER TABLE ingest_events ADD COLUMN status_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE ingest_events ADD COLUMN status_errors TEXT NOT NULL DEFAULT '[]';
ALTER TABLE ingest_events ADD COLUMN normalized_at TIMESTAMP;
CREATE INDEX ingest_events_received_idx ON ingest_events (tenant_id, id) WHERE status = 'RECEIVED';

-- JSON Schemas (2020-12). kind vendor: a vendor's payload of one of its
-- event types at one schemaVersion; kind canonical: a canonical event type
-- the tenant defines (vendor_id ''). Each upload of the same key is a new
-- revision; the newest applies. Rows never change, so a compiled schema is
-- cached by id.
CREATE TABLE ingest_schemas (
    id             TEXT PRIMARY KEY,
    tenant_id      TEXT NOT NULL REFERENCES tenants(id),
    kind           TEXT NOT NULL CHECK (kind IN ('vendor', 'canonical')),
    vendor_id      TEXT NOT NULL DEFAULT '',
    event_type     TEXT NOT NULL,
    schema_version TEXT NOT NULL,
    revision       INTEGER NOT NULL,
    body           TEXT NOT NULL,
    created_by     TEXT NOT NULL,
    created_at     TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX ingest_schemas_key_idx ON ingest_schemas (tenant_id, kind, vendor_id, event_type, schema_version, revision);

-- Mappings of a vendor's event type to a canonical event as a jq
-- expression; each save is a new version, the newest applies. Rows never
-- change, so a compiled expression is cached by id.
CREATE TABLE ingest_mappings (
    id             TEXT PRIMARY KEY,
    tenant_id      TEXT NOT NULL REFERENCES tenants(id),
    vendor_id      TEXT NOT NULL REFERENCES vendors(id),
    event_type     TEXT NOT NULL,
    version        INTEGER NOT NULL,
    target_type    TEXT NOT NULL,
    target_version TEXT NOT NULL,
    expression     TEXT NOT NULL,
    samples        TEXT NOT NULL,
    created_by     TEXT NOT NULL,
    created_at     TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX ingest_mappings_key_idx ON ingest_mappings (tenant_id, vendor_id, event_type, version);

-- The normalized event of an ingest event, exactly as delivered (body);
-- a replay that changes it revises it in place (revision + 1).
CREATE TABLE ingest_normalized (
    ingest_id       TEXT PRIMARY KEY REFERENCES ingest_events(id),
    tenant_id       TEXT NOT NULL REFERENCES tenants(id),
    vendor_id       TEXT NOT NULL REFERENCES vendors(id),
    event_type      TEXT NOT NULL,
    schema_version  TEXT NOT NULL,
    occurred_at     TIMESTAMP NOT NULL,
    mapping_id      TEXT NOT NULL,
    mapping_version INTEGER NOT NULL,
    revision        INTEGER NOT NULL,
    body            BLOB NOT NULL,
    sha256          TEXT NOT NULL,
    archived_at     TIMESTAMP,
    normalized_at   TIMESTAMP NOT NULL
);
CREATE INDEX ingest_normalized_type_idx ON ingest_normalized (tenant_id, event_type, occurred_at, ingest_id);
CREATE INDEX ingest_normalized_unarchived_idx ON ingest_normalized (tenant_id, ingest_id) WHERE archived_at IS NULL;

-- +goose Down
DROP TABLE ingest_normalized;
DROP TABLE ingest_mappings;
DROP TABLE ingest_schemas;
DROP INDEX ingest_events_received_idx;
ALTER TABLE ingest_events DROP COLUMN normalized_at;
ALTER TABLE ingest_events DROP COLUMN status_errors;
ALTER TABLE ingest_events DROP COLUMN status_reason;

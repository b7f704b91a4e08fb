-- +goose Up
-- Ingest: vendors send events over HTTP. An ingest key (api_keys.vendor_id
-- set, role ingest) speaks for one vendor only.
ALTER TABLE api_keys ADD COLUMN vendor_id TEXT REFERENCES vendors(id);

-- A registry vendor set up for ingest: vendor_key is the vendorId of its
-- envelopes (stable, editable), with its rate and payload limits.
CREATE TABLE ingest_vendors (
    tenant_id         TEXT NOT NULL REFERENCES tenants(id),
    vendor_id         TEXT NOT NULL REFERENCES vendors(id),
    vendor_key        TEXT NOT NULL,
    rate_per_second   REAL NOT NULL,
    burst             INTEGER NOT NULL,
    max_payload_bytes INTEGER NOT NULL,
    created_at        TIMESTAMP NOT NULL,
    updated_at        TIMESTAMP NOT NULL,
    PRIMARY KEY (tenant_id, vendor_id)
);
CREATE UNIQUE INDEX ingest_vendors_key_idx ON ingest_vendors (tenant_id, vendor_key);

-- Standard Webhooks signing secrets of a vendor; the value lives encrypted
-- in secrets under secret_name. Several may be active at once (rotation).
CREATE TABLE ingest_secrets (
    id          TEXT PRIMARY KEY,
    tenant_id   TEXT NOT NULL REFERENCES tenants(id),
    vendor_id   TEXT NOT NULL REFERENCES vendors(id),
    secret_name TEXT NOT NULL,
    hint        TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    created_at  TIMESTAMP NOT NULL,
    revoked_at  TIMESTAMP
);
CREATE INDEX ingest_secrets_vendor_idx ON ingest_secrets (tenant_id, vendor_id);

-- Every accepted event, once per (tenant, vendor, externalEventId) for
-- ever, with the exact bytes received (raw), committed before the sender
-- hears 2xx; raw_key is where the archive job writes them once.
CREATE TABLE ingest_events (
    id                TEXT PRIMARY KEY,
    tenant_id         TEXT NOT NULL REFERENCES tenants(id),
    vendor_id         TEXT NOT NULL REFERENCES vendors(id),
    vendor_key        TEXT NOT NULL,
    external_event_id TEXT NOT NULL,
    event_type        TEXT NOT NULL,
    schema_version    TEXT NOT NULL DEFAULT '',
    occurred_at       TIMESTAMP NOT NULL,
    received_at       TIMESTAMP NOT NULL,
    channel           TEXT NOT NULL CHECK (channel IN ('api', 'batch', 'webhook')),
    payload_sha256    TEXT NOT NULL,
    raw               BLOB NOT NULL,
    raw_sha256        TEXT NOT NULL,
    raw_key           TEXT NOT NULL,
    archived_at       TIMESTAMP,
    archive_error     TEXT NOT NULL DEFAULT '',
    status            TEXT NOT NULL CHECK (status IN ('RECEIVED', 'NORMALIZED', 'FAILED_NORMALIZE', 'QUARANTINED'))
);
CREATE UNIQUE INDEX ingest_events_key_idx ON ingest_events (tenant_id, vendor_id, external_event_id);
CREATE INDEX ingest_events_vendor_idx ON ingest_events (tenant_id, vendor_id, id);
CREATE INDEX ingest_events_status_idx ON ingest_events (tenant_id, status, id);
CREATE INDEX ingest_events_unarchived_idx ON ingest_events (tenant_id, id) WHERE archived_at IS NULL AND archive_error = '';

-- +goose StatementBegin
CREATE TRIGGER ingest_events_no_delete BEFORE DELETE ON ingest_events
BEGIN
    SELECT RAISE(ABORT, 'ingest_events is append-only');
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER ingest_events_raw_fixed BEFORE UPDATE ON ingest_events
WHEN NEW.raw IS NOT OLD.raw OR NEW.raw_sha256 IS NOT OLD.raw_sha256 OR NEW.payload_sha256 IS NOT OLD.payload_sha256
    OR NEW.id IS NOT OLD.id OR NEW.tenant_id IS NOT OLD.tenant_id OR NEW.vendor_id IS NOT OLD.vendor_id
    OR NEW.external_event_id IS NOT OLD.external_event_id OR NEW.raw_key IS NOT OLD.raw_key
BEGIN
    SELECT RAISE(ABORT, 'the raw bytes of an ingest event never change');
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER ingest_events_raw_fixed;
DROP TRIGGER ingest_events_no_delete;
DROP TABLE ingest_events;
DROP TABLE ingest_secrets;
DROP TABLE ingest_vendors;
ALTER TABLE api_keys DROP COLUMN vendor_id;

-- +goose Up
-- The field profile of a vendor's event type, learned from the payloads of
-- its last events: keys lists each path and type seen ("/sku|string",
-- arrays as "[]"), seen holds one hex bitset of keys per event, oldest
-- first (at most 64).
CREATE TABLE ingest_profiles (
    tenant_id  TEXT NOT NULL REFERENCES tenants(id),
    vendor_id  TEXT NOT NULL REFERENCES vendors(id),
    event_type TEXT NOT NULL,
    keys       TEXT NOT NULL,
    seen       TEXT NOT NULL,
    events     INTEGER NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (tenant_id, vendor_id, event_type)
);

-- A drift of a vendor's payload from its profile: a new, removed or
-- retyped field or a sudden change of presence. One is open per vendor,
-- event type, path and kind; acknowledging closes it.
CREATE TABLE ingest_drifts (
    id              TEXT PRIMARY KEY,
    tenant_id       TEXT NOT NULL REFERENCES tenants(id),
    vendor_id       TEXT NOT NULL REFERENCES vendors(id),
    event_type      TEXT NOT NULL,
    path            TEXT NOT NULL,
    kind            TEXT NOT NULL CHECK (kind IN ('new_field', 'removed_field', 'retyped_field', 'presence_change')),
    breaking        BOOLEAN NOT NULL,
    detail          TEXT NOT NULL,
    ingest_id       TEXT NOT NULL,
    detected_at     TIMESTAMPTZ NOT NULL,
    acknowledged_at TIMESTAMPTZ,
    acknowledged_by TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX ingest_drifts_open_idx ON ingest_drifts (tenant_id, vendor_id, event_type, path, kind) WHERE acknowledged_at IS NULL;
CREATE INDEX ingest_drifts_vendor_idx ON ingest_drifts (tenant_id, vendor_id, detected_at);

-- +goose Down
DROP TABLE ingest_drifts;
DROP TABLE ingest_profiles;

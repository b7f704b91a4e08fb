-- +goose Up
-- Events a vendor resent under an externalEventId already stored, per
-- vendor and hour (UTC): duplicates (same payload, answered DUPLICATE)
-- and conflicts (another payload, refused with 409). They are not stored
-- as events, so the accept transaction that finds them adds them here.
CREATE TABLE ingest_repeats (
    tenant_id  TEXT NOT NULL REFERENCES tenants(id),
    vendor_id  TEXT NOT NULL REFERENCES vendors(id),
    hour       TIMESTAMPTZ NOT NULL,
    duplicates BIGINT NOT NULL DEFAULT 0,
    conflicts  BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, vendor_id, hour)
);

-- +goose Down
DROP TABLE ingest_repeats;

-- +goose Up
-- A vendor's requests (or batch items) refused per hour (UTC) and reason
-- before anything was stored: invalid, forbidden, too_large,
-- rate_limited, signature. Each server tallies them in memory and adds
-- its tally here every few seconds and when it stops.
CREATE TABLE ingest_refusals (
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    vendor_id TEXT NOT NULL REFERENCES vendors(id),
    hour      TIMESTAMPTZ NOT NULL,
    reason    TEXT NOT NULL,
    refused   BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, vendor_id, hour, reason)
);

-- +goose Down
DROP TABLE ingest_refusals;

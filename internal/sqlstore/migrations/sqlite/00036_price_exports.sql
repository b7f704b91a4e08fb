-- +goose Up
-- Exports of approved price changes in P21's import layout. Each export's
-- CSV is kept write-once in the blob store (its SHA-256 and size here), so
-- a download later returns the same bytes.
CREATE TABLE price_exports (
    id           TEXT NOT NULL PRIMARY KEY,
    tenant_id    TEXT NOT NULL REFERENCES tenants(id),
    filename     TEXT NOT NULL,
    blob_key     TEXT NOT NULL,
    sha256       TEXT NOT NULL,
    size         BIGINT NOT NULL,
    change_count INTEGER NOT NULL,
    created_by   TEXT NOT NULL,
    created_at   TIMESTAMP NOT NULL
);
CREATE INDEX price_exports_tenant_idx ON price_exports (tenant_id, id);

-- The approved changes (overridden exceptions) each export holds. An
-- overridden exception is final, so it is exported once: the key refuses a
-- second export of the same change, including a concurrent one.
CREATE TABLE price_export_changes (
    tenant_id    TEXT NOT NULL REFERENCES tenants(id),
    exception_id TEXT NOT NULL,
    export_id    TEXT NOT NULL REFERENCES price_exports(id),
    position     INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, exception_id)
);
CREATE INDEX price_export_changes_export_idx ON price_export_changes (export_id, position);

-- +goose Down
DROP TABLE price_export_changes;
DROP TABLE price_exports;

-- +goose Up
-- A replay run in the background: a selection too large to replay within
-- one request, worked through in pages by the ingest.replay job. after_id
-- is the last event replayed, so a job restarted after a crash goes on
-- from there (a page replayed twice revises nothing).
CREATE TABLE ingest_replays (
    id               TEXT PRIMARY KEY,
    tenant_id        TEXT NOT NULL REFERENCES tenants(id),
    selection        TEXT NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('queued', 'running', 'completed', 'failed', 'cancelled')),
    total            INTEGER NOT NULL,
    done             INTEGER NOT NULL DEFAULT 0,
    normalized       INTEGER NOT NULL DEFAULT 0,
    failed_normalize INTEGER NOT NULL DEFAULT 0,
    quarantined      INTEGER NOT NULL DEFAULT 0,
    after_id         TEXT NOT NULL DEFAULT '',
    error            TEXT NOT NULL DEFAULT '',
    cancel_requested BOOLEAN NOT NULL DEFAULT FALSE,
    requested_by     TEXT NOT NULL,
    created_at       TIMESTAMPTZ NOT NULL,
    started_at       TIMESTAMPTZ,
    finished_at      TIMESTAMPTZ
);
CREATE INDEX ingest_replays_tenant_idx ON ingest_replays (tenant_id, created_at);

-- +goose Down
DROP TABLE ingest_replays;

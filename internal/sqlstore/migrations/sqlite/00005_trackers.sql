-- +goose Up
-- One issue-tracker connection per tenant and provider ("jira"). The token
-- lives encrypted in the secrets table (see link.TokenSecret); enabled turns
-- false by itself when the tracker rejects the credentials (401), with the
-- reason, until an admin saves the connection again.
CREATE TABLE tracker_connections (
    tenant_id        TEXT NOT NULL REFERENCES tenants(id),
    provider         TEXT NOT NULL,
    base_url         TEXT NOT NULL,
    flavor           TEXT NOT NULL,
    email            TEXT NOT NULL DEFAULT '',
    enabled          BOOLEAN NOT NULL DEFAULT TRUE,
    disabled_reason  TEXT NOT NULL DEFAULT '',
    disabled_at      TIMESTAMP,
    created_at       TIMESTAMP NOT NULL,
    updated_at       TIMESTAMP NOT NULL,
    updated_by       TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (tenant_id, provider)
);

-- One row per (ticket, application that uses a tracker), written with the
-- ticket. idempotency_key marks the issue in the tracker (a label), so a
-- retry finds the issue an earlier attempt created. claimed_until is the
-- lease of the worker creating the issue: one attempt at a time.
CREATE TABLE ticket_tracker_links (
    id               TEXT PRIMARY KEY,
    tenant_id        TEXT NOT NULL REFERENCES tenants(id),
    ticket_id        TEXT NOT NULL REFERENCES tickets(id),
    application_id   TEXT NOT NULL REFERENCES applications(id),
    provider         TEXT NOT NULL,
    idempotency_key  TEXT NOT NULL,
    issue_key        TEXT NOT NULL DEFAULT '',
    issue_url        TEXT NOT NULL DEFAULT '',
    status_name      TEXT NOT NULL DEFAULT '',
    status_category  TEXT NOT NULL DEFAULT 'unknown',
    sync_status      TEXT NOT NULL DEFAULT 'pending',
    last_error       TEXT NOT NULL DEFAULT '',
    attempts         INTEGER NOT NULL DEFAULT 0,
    claimed_until    TIMESTAMP,
    created_at       TIMESTAMP NOT NULL,
    updated_at       TIMESTAMP NOT NULL,
    last_synced_at   TIMESTAMP,
    UNIQUE (ticket_id, application_id)
);
-- Neither index leads with tenant_id alone: lookups by id within a tenant
-- (tenant_id = ? AND id IN (…)) must use the primary key.
CREATE INDEX ticket_tracker_links_status_idx ON ticket_tracker_links (sync_status, tenant_id, created_at, id);
CREATE INDEX ticket_tracker_links_issue_idx ON ticket_tracker_links (issue_key, tenant_id);

-- +goose Down
DROP TABLE ticket_tracker_links;
DROP TABLE tracker_connections;

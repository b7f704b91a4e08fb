-- +goose Up
-- A tenant keeps several tracker connections (a Jira for some teams, a
-- GitHub or GitLab for others), each with a stable id and a name. The
-- connection saved so far keeps its row, its settings and its token: its
-- token stays under the secret name it was sealed with (the name is part
-- of the sealed data), recorded in token_secret. Its id is a random
-- (version 4) UUID; connections made later get time-ordered ones.
CREATE TABLE tracker_connections_new (
    id               TEXT PRIMARY KEY,
    tenant_id        TEXT NOT NULL REFERENCES tenants(id),
    name             TEXT NOT NULL,
    provider         TEXT NOT NULL,
    kind             TEXT NOT NULL,
    base_url         TEXT NOT NULL,
    username         TEXT NOT NULL DEFAULT '',
    token_secret     TEXT NOT NULL,
    enabled          BOOLEAN NOT NULL DEFAULT TRUE,
    disabled_reason  TEXT NOT NULL DEFAULT '',
    disabled_at      TIMESTAMP,
    created_at       TIMESTAMP NOT NULL,
    updated_at       TIMESTAMP NOT NULL,
    updated_by       TEXT NOT NULL DEFAULT '',
    UNIQUE (tenant_id, name)
);
INSERT INTO tracker_connections_new (id, tenant_id, name, provider, kind, base_url, username, token_secret, enabled,
    disabled_reason, disabled_at, created_at, updated_at, updated_by)
SELECT lower(hex(randomblob(4))) || '-' || lower(hex(randomblob(2))) || '-4' || substr(lower(hex(randomblob(2))), 2)
    || '-' || substr('89ab', 1 + abs(random()) % 4, 1) || substr(lower(hex(randomblob(2))), 2) || '-'
    || lower(hex(randomblob(6))), tenant_id,
    CASE kind WHEN 'jira_cloud' THEN 'Jira Cloud' WHEN 'jira_server' THEN 'Jira Server' ELSE kind END,
    provider, kind, base_url, username, provider || '.token', enabled, disabled_reason, disabled_at,
    created_at, updated_at, updated_by
FROM tracker_connections;
DROP TABLE tracker_connections;
ALTER TABLE tracker_connections_new RENAME TO tracker_connections;
CREATE INDEX tracker_connections_tenant_idx ON tracker_connections (tenant_id, created_at, id);

-- An application routes its issues to one connection and a target there
-- (tracker_project_key: a Jira project key, owner/repo, or a GitLab
-- project path). The applications that use a tracker today route to the
-- tenant's connection.
ALTER TABLE applications ADD COLUMN tracker_connection_id TEXT NOT NULL DEFAULT '';
UPDATE applications SET tracker_connection_id = COALESCE((SELECT c.id FROM tracker_connections c
    WHERE c.tenant_id = applications.tenant_id), '') WHERE creates_tracker_issue = TRUE;

-- A link records the connection its issue is in; the existing links are in
-- the tenant's connection.
ALTER TABLE ticket_tracker_links ADD COLUMN connection_id TEXT NOT NULL DEFAULT '';
UPDATE ticket_tracker_links SET connection_id = COALESCE((SELECT c.id FROM tracker_connections c
    WHERE c.tenant_id = ticket_tracker_links.tenant_id), '');

-- Every webhook delivery that passed its signature check, once per
-- delivery id for good (the unique index, not a time window): a
-- redelivery finds its row and enqueues nothing. The raw body is kept
-- (at most 1 MiB) so a delivery can be processed again.
CREATE TABLE tracker_webhook_deliveries (
    id               TEXT PRIMARY KEY,
    tenant_id        TEXT NOT NULL REFERENCES tenants(id),
    connection_id    TEXT NOT NULL,
    delivery_id      TEXT NOT NULL,
    event            TEXT NOT NULL DEFAULT '',
    body             BLOB NOT NULL,
    status           TEXT NOT NULL,
    duplicates       INTEGER NOT NULL DEFAULT 0,
    attempts         INTEGER NOT NULL DEFAULT 0,
    last_error       TEXT NOT NULL DEFAULT '',
    issue_key        TEXT NOT NULL DEFAULT '',
    received_at      TIMESTAMP NOT NULL,
    processed_at     TIMESTAMP,
    UNIQUE (connection_id, delivery_id)
);
CREATE INDEX tracker_webhook_deliveries_list_idx ON tracker_webhook_deliveries (tenant_id, connection_id, received_at, id);

-- The local mirror of every linked issue: its canonical fields as the
-- tracker last told them (labels and assignees as JSON lists), when the
-- tracker last changed it (external_updated_at: a delivery or poll older
-- than that is not applied, so out-of-order deliveries never roll a field
-- back) and when VendorSync did, the snapshot of the last sync, and where
-- the sync stands.
CREATE TABLE tracker_issue_mirrors (
    link_id              TEXT PRIMARY KEY,
    tenant_id            TEXT NOT NULL REFERENCES tenants(id),
    connection_id        TEXT NOT NULL,
    issue_key            TEXT NOT NULL,
    title                TEXT NOT NULL DEFAULT '',
    body                 TEXT NOT NULL DEFAULT '',
    state                TEXT NOT NULL DEFAULT '',
    status_name          TEXT NOT NULL DEFAULT '',
    status_category      TEXT NOT NULL DEFAULT 'unknown',
    labels               TEXT NOT NULL DEFAULT '[]',
    assignees            TEXT NOT NULL DEFAULT '[]',
    due_date             TEXT NOT NULL DEFAULT '',
    external_updated_at  TIMESTAMP,
    local_updated_at     TIMESTAMP NOT NULL,
    last_synced          TEXT NOT NULL DEFAULT '{}',
    sync_status          TEXT NOT NULL DEFAULT 'synced',
    sync_conflict        TEXT NOT NULL DEFAULT '',
    updated_at           TIMESTAMP NOT NULL
);
CREATE INDEX tracker_issue_mirrors_issue_idx ON tracker_issue_mirrors (tenant_id, issue_key);

-- +goose Down
DROP TABLE tracker_issue_mirrors;
DROP TABLE tracker_webhook_deliveries;
ALTER TABLE ticket_tracker_links DROP COLUMN connection_id;
ALTER TABLE applications DROP COLUMN tracker_connection_id;
CREATE TABLE tracker_connections_old (
    tenant_id        TEXT NOT NULL REFERENCES tenants(id),
    provider         TEXT NOT NULL,
    base_url         TEXT NOT NULL,
    kind             TEXT NOT NULL DEFAULT '',
    username         TEXT NOT NULL DEFAULT '',
    enabled          BOOLEAN NOT NULL DEFAULT TRUE,
    disabled_reason  TEXT NOT NULL DEFAULT '',
    disabled_at      TIMESTAMP,
    created_at       TIMESTAMP NOT NULL,
    updated_at       TIMESTAMP NOT NULL,
    updated_by       TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (tenant_id, provider)
);
-- Going back keeps each tenant's oldest connection whose token still has
-- the name the old schema derives from its provider.
INSERT INTO tracker_connections_old (tenant_id, provider, base_url, kind, username, enabled, disabled_reason,
    disabled_at, created_at, updated_at, updated_by)
SELECT c.tenant_id, c.provider, c.base_url, c.kind, c.username, c.enabled, c.disabled_reason, c.disabled_at,
    c.created_at, c.updated_at, c.updated_by
FROM tracker_connections c WHERE c.token_secret = c.provider || '.token' AND NOT EXISTS (
    SELECT 1 FROM tracker_connections o WHERE o.tenant_id = c.tenant_id
    AND (o.created_at < c.created_at OR (o.created_at = c.created_at AND o.id < c.id)));
DROP TABLE tracker_connections;
ALTER TABLE tracker_connections_old RENAME TO tracker_connections;
CREATE UNIQUE INDEX tracker_connections_tenant_idx ON tracker_connections (tenant_id);

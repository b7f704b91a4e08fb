-- +goose Up
-- A tenant keeps several tracker connections (a Jira for some teams, a
-- GitHub or GitLab for others), each with a stable id and a name. The
-- connection saved so far keeps its row, its settings and its token: its
-- token stays under the secret name it was sealed with (the name is part
-- of the sealed data), recorded in token_secret. Its id is a random
-- (version 4) UUID; connections made later get time-ordered ones.
ALTER TABLE tracker_connections ADD COLUMN id TEXT;
ALTER TABLE tracker_connections ADD COLUMN name TEXT;
ALTER TABLE tracker_connections ADD COLUMN token_secret TEXT;
UPDATE tracker_connections SET id = gen_random_uuid()::text,
    name = CASE kind WHEN 'jira_cloud' THEN 'Jira Cloud' WHEN 'jira_server' THEN 'Jira Server' ELSE kind END,
    token_secret = provider || '.token';
ALTER TABLE tracker_connections ALTER COLUMN id SET NOT NULL;
ALTER TABLE tracker_connections ALTER COLUMN name SET NOT NULL;
ALTER TABLE tracker_connections ALTER COLUMN token_secret SET NOT NULL;
ALTER TABLE tracker_connections ALTER COLUMN kind DROP DEFAULT;
DROP INDEX tracker_connections_tenant_idx;
ALTER TABLE tracker_connections DROP CONSTRAINT tracker_connections_pkey;
ALTER TABLE tracker_connections ADD PRIMARY KEY (id);
ALTER TABLE tracker_connections ADD CONSTRAINT tracker_connections_tenant_id_name_key UNIQUE (tenant_id, name);
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
    body             BYTEA NOT NULL,
    status           TEXT NOT NULL,
    duplicates       INTEGER NOT NULL DEFAULT 0,
    attempts         INTEGER NOT NULL DEFAULT 0,
    last_error       TEXT NOT NULL DEFAULT '',
    issue_key        TEXT NOT NULL DEFAULT '',
    received_at      TIMESTAMPTZ NOT NULL,
    processed_at     TIMESTAMPTZ,
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
    external_updated_at  TIMESTAMPTZ,
    local_updated_at     TIMESTAMPTZ NOT NULL,
    last_synced          TEXT NOT NULL DEFAULT '{}',
    sync_status          TEXT NOT NULL DEFAULT 'synced',
    sync_conflict        TEXT NOT NULL DEFAULT '',
    updated_at           TIMESTAMPTZ NOT NULL
);
CREATE INDEX tracker_issue_mirrors_issue_idx ON tracker_issue_mirrors (tenant_id, issue_key);

-- +goose Down
DROP TABLE tracker_issue_mirrors;
DROP TABLE tracker_webhook_deliveries;
ALTER TABLE ticket_tracker_links DROP COLUMN connection_id;
ALTER TABLE applications DROP COLUMN tracker_connection_id;
DROP INDEX tracker_connections_tenant_idx;
-- Going back keeps each tenant's oldest connection whose token still has
-- the name the old schema derives from its provider.
DELETE FROM tracker_connections c WHERE c.token_secret <> c.provider || '.token' OR EXISTS (
    SELECT 1 FROM tracker_connections o WHERE o.tenant_id = c.tenant_id
    AND (o.created_at < c.created_at OR (o.created_at = c.created_at AND o.id < c.id)));
ALTER TABLE tracker_connections DROP CONSTRAINT tracker_connections_tenant_id_name_key;
ALTER TABLE tracker_connections DROP CONSTRAINT tracker_connections_pkey;
ALTER TABLE tracker_connections ADD PRIMARY KEY (tenant_id, provider);
ALTER TABLE tracker_connections DROP COLUMN token_secret;
ALTER TABLE tracker_connections DROP COLUMN name;
ALTER TABLE tracker_connections DROP COLUMN id;
ALTER TABLE tracker_connections ALTER COLUMN kind SET DEFAULT '';
CREATE UNIQUE INDEX tracker_connections_tenant_idx ON tracker_connections (tenant_id);

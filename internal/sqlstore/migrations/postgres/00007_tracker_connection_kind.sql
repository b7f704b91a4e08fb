-- +goose Up
-- A tracker connection names its kind (jira_cloud, jira_server; github,
-- gitlab and gitea to come) and holds provider-neutral settings: the
-- provider registry builds its client from the kind. The Jira connections
-- saved so far keep their rows and tokens: the flavor becomes the kind and
-- the Cloud account's email the username.
ALTER TABLE tracker_connections ADD COLUMN kind TEXT NOT NULL DEFAULT '';
UPDATE tracker_connections SET kind = provider || '_' || flavor;
ALTER TABLE tracker_connections RENAME COLUMN email TO username;
ALTER TABLE tracker_connections DROP COLUMN flavor;
-- One connection per tenant: the tenant's tracker, whatever its kind.
CREATE UNIQUE INDEX tracker_connections_tenant_idx ON tracker_connections (tenant_id);

-- +goose Down
DROP INDEX tracker_connections_tenant_idx;
ALTER TABLE tracker_connections ADD COLUMN flavor TEXT NOT NULL DEFAULT '';
UPDATE tracker_connections SET flavor = substr(kind, length(provider) + 2);
ALTER TABLE tracker_connections RENAME COLUMN username TO email;
ALTER TABLE tracker_connections DROP COLUMN kind;

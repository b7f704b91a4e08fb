-- +goose Up
-- Three-way sync of linked issues. A mirror's revision counts its writes,
-- so a merge computed from one read is written only if nothing else wrote
-- the mirror meanwhile (it is read again and merged again otherwise).
ALTER TABLE tracker_issue_mirrors ADD COLUMN revision INTEGER NOT NULL DEFAULT 0;
CREATE INDEX tracker_issue_mirrors_status_idx ON tracker_issue_mirrors (tenant_id, sync_status, updated_at);

-- How a connection's issues are kept in step beyond the field rules:
-- which side wins when an issue deleted on one side was changed on the
-- other (delete_wins or update_wins), and whether closing a ticket closes
-- its issues there.
CREATE TABLE tracker_sync_settings (
    connection_id      TEXT PRIMARY KEY,
    tenant_id          TEXT NOT NULL REFERENCES tenants(id),
    delete_policy      TEXT NOT NULL DEFAULT 'delete_wins',
    close_with_ticket  BOOLEAN NOT NULL DEFAULT FALSE,
    updated_at         TIMESTAMPTZ NOT NULL,
    updated_by         TEXT NOT NULL DEFAULT ''
);

-- Every change applied to a linked issue, in (from the tracker) or out
-- (pushed to it): which fields, their values before and after (JSON), and
-- where it came from (a delivery id, poll, outbox, a person's resolution).
CREATE TABLE tracker_sync_log (
    id             TEXT PRIMARY KEY,
    tenant_id      TEXT NOT NULL REFERENCES tenants(id),
    link_id        TEXT NOT NULL,
    connection_id  TEXT NOT NULL,
    issue_key      TEXT NOT NULL,
    direction      TEXT NOT NULL,
    action         TEXT NOT NULL,
    fields         TEXT NOT NULL DEFAULT '[]',
    before_state   TEXT NOT NULL DEFAULT '{}',
    after_state    TEXT NOT NULL DEFAULT '{}',
    provider       TEXT NOT NULL,
    source         TEXT NOT NULL,
    created_at     TIMESTAMPTZ NOT NULL
);
CREATE INDEX tracker_sync_log_link_idx ON tracker_sync_log (tenant_id, link_id, created_at, id);
CREATE INDEX tracker_sync_log_tenant_idx ON tracker_sync_log (tenant_id, created_at, id);

-- Changes made in VendorSync to linked issues, waiting to be pushed to
-- their tracker (written in the transaction of the change).
CREATE TABLE tracker_outbox (
    id               TEXT PRIMARY KEY,
    tenant_id        TEXT NOT NULL REFERENCES tenants(id),
    link_id          TEXT NOT NULL,
    connection_id    TEXT NOT NULL,
    fields           TEXT NOT NULL DEFAULT '[]',
    change           TEXT NOT NULL DEFAULT '{}',
    reason           TEXT NOT NULL DEFAULT '',
    status           TEXT NOT NULL,
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  TIMESTAMPTZ NOT NULL,
    last_error       TEXT NOT NULL DEFAULT '',
    created_by       TEXT NOT NULL DEFAULT '',
    created_at       TIMESTAMPTZ NOT NULL,
    updated_at       TIMESTAMPTZ NOT NULL,
    pushed_at        TIMESTAMPTZ
);
CREATE INDEX tracker_outbox_due_idx ON tracker_outbox (status, next_attempt_at);
CREATE INDEX tracker_outbox_list_idx ON tracker_outbox (tenant_id, status, created_at, id);
CREATE INDEX tracker_outbox_link_idx ON tracker_outbox (tenant_id, link_id, status);

-- +goose Down
DROP TABLE tracker_outbox;
DROP TABLE tracker_sync_log;
DROP TABLE tracker_sync_settings;
DROP INDEX tracker_issue_mirrors_status_idx;
ALTER TABLE tracker_issue_mirrors DROP COLUMN revision;

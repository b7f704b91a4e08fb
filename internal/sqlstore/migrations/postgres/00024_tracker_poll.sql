-- +goose Up
-- Where polling reconciliation of each connection's target (a Jira
-- project, a repository) stopped: the last change it committed, as the
-- tracker stamped it. A poll reads from a little before it.
CREATE TABLE tracker_poll_cursors (
    tenant_id      TEXT NOT NULL REFERENCES tenants(id),
    connection_id  TEXT NOT NULL,
    target         TEXT NOT NULL,
    cursor_at      TIMESTAMPTZ NOT NULL,
    polled_at      TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (connection_id, target)
);

-- +goose Down
DROP TABLE tracker_poll_cursors;

-- +goose Up
-- Every process that works jobs holds a lease it renews every few seconds.
-- A job still "running" for a client whose lease has run out belongs to a
-- process that is gone (killed, crashed, its machine lost): the others put
-- it back in the queue at once instead of waiting out the longest timeout.
CREATE TABLE worker_leases (
    client_id   TEXT PRIMARY KEY,
    started_at  TIMESTAMPTZ NOT NULL,
    renewed_at  TIMESTAMPTZ NOT NULL,
    expires_at  TIMESTAMPTZ NOT NULL
);

-- +goose Down
DROP TABLE worker_leases;

-- +goose Up
-- Until when (Unix milliseconds) a web process last saw its ingest accepts
-- queue for the database: worker processes apart from it let them go first
-- as a process doing both would (see ingest.PressureHeed). One row.
CREATE TABLE ingest_accept_pressure (
    id       INTEGER PRIMARY KEY,
    until_ms BIGINT NOT NULL
);

-- +goose Down
DROP TABLE ingest_accept_pressure;

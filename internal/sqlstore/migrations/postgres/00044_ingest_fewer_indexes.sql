-- +goose Up
-- Waiting events are found through ingest_events_status_idx (tenant_id,
-- status, id) as well: a second index of them cost every accept one more
-- index entry.
DROP INDEX ingest_events_received_idx;

-- +goose Down
CREATE INDEX ingest_events_received_idx ON ingest_events (tenant_id, id) WHERE status = 'RECEIVED';

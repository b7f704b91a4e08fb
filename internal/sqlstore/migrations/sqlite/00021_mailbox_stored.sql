-- +goose Up
-- How many of the messages fetched from a mailbox became new emails; the
-- others were already stored (the same Message-ID and content), so
-- fetched_total - stored_total is how many a poll found again.
ALTER TABLE mail_sources ADD COLUMN stored_total BIGINT NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE mail_sources DROP COLUMN stored_total;

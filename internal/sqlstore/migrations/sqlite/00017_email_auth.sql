-- +goose Up
-- The SPF, DKIM and DMARC results the receiving servers recorded on an
-- email (Authentication-Results, ARC-Authentication-Results), as a JSON
-- array; shown on the email and read by triage.
ALTER TABLE source_emails ADD COLUMN auth_results TEXT NOT NULL DEFAULT '[]';

-- +goose Down
ALTER TABLE source_emails DROP COLUMN auth_results;

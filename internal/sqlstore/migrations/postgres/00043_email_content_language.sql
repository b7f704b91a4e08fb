-- +goose Up
-- The Content-Language header of an email (en-US, de-DE…): how its sender
-- writes numeric dates, which triage reads. NULL on emails stored before
-- it was kept: triage reads those from the original message.
ALTER TABLE source_emails ADD COLUMN content_language TEXT;

-- +goose Down
ALTER TABLE source_emails DROP COLUMN content_language;

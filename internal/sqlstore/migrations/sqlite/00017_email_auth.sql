-- +goose Up
-- The SPF, DKIM and DMARC results the receiving servers recorded on an
-- email (Authentication-Results, ARC-Authentication-Results), as a JSON
-- array; shown on the email and read by triage.
ALTER TABLE source_emails ADD COLUMN auth_results TEXT NOT NULL DEFAULT '[]';
-- Text of the HTML body a reader cannot see (comments, hidden or
-- zero-size elements, text in its background's colour…), kept out of the
-- text triage reads and listed on the email.
ALTER TABLE source_emails ADD COLUMN hidden_content TEXT NOT NULL DEFAULT '[]';
-- The text of PDF, DOCX, HTML and plain-text attachments (bounded), which
-- triage reads with the body.
ALTER TABLE email_attachments ADD COLUMN text TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE email_attachments DROP COLUMN text;
ALTER TABLE source_emails DROP COLUMN hidden_content;
ALTER TABLE source_emails DROP COLUMN auth_results;

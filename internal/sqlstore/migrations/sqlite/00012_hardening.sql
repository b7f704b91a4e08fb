-- +goose Up
-- A Message-ID reused for different content (a corrected notice re-sent
-- under the old id) is a new email: the first arrival is unique per
-- (Message-ID, content hash), and a new email that reuses an earlier one's
-- Message-ID points at it. Emails stored before keep an empty hash.
ALTER TABLE source_emails ADD COLUMN content_sha256 TEXT NOT NULL DEFAULT '';
ALTER TABLE source_emails ADD COLUMN reuses_message_id_of TEXT REFERENCES source_emails(id);
DROP INDEX source_emails_first_arrival_idx;
CREATE UNIQUE INDEX source_emails_first_arrival_idx ON source_emails (tenant_id, message_id, content_sha256) WHERE status <> 'duplicate';

-- The audit head only moves forward: it cannot be deleted or rewound to an
-- earlier row, so a truncated chain cannot be made to look whole.
-- +goose StatementBegin
CREATE TRIGGER audit_head_no_delete BEFORE DELETE ON audit_head
BEGIN
    SELECT RAISE(ABORT, 'audit_head only moves forward');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER audit_head_forward BEFORE UPDATE ON audit_head
WHEN NEW.seq < OLD.seq OR NEW.tenant_id <> OLD.tenant_id
BEGIN
    SELECT RAISE(ABORT, 'audit_head only moves forward');
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER audit_head_forward;
DROP TRIGGER audit_head_no_delete;
DROP INDEX source_emails_first_arrival_idx;
ALTER TABLE source_emails DROP COLUMN reuses_message_id_of;
ALTER TABLE source_emails DROP COLUMN content_sha256;
CREATE UNIQUE INDEX source_emails_first_arrival_idx ON source_emails (tenant_id, message_id) WHERE status <> 'duplicate';

-- +goose Up
-- Mailboxes polled for vendor mail. Credentials live in the secrets table
-- under secret_name; config holds only non-secret settings.
CREATE TABLE mail_sources (
    id               TEXT PRIMARY KEY,
    tenant_id        TEXT NOT NULL REFERENCES tenants(id),
    name             TEXT NOT NULL,
    kind             TEXT NOT NULL,
    config           TEXT NOT NULL DEFAULT '{}',
    secret_name      TEXT NOT NULL DEFAULT '',
    checkpoint       TEXT NOT NULL DEFAULT '',
    is_active        BOOLEAN NOT NULL DEFAULT TRUE,
    last_poll_at     TIMESTAMPTZ,
    last_success_at  TIMESTAMPTZ,
    last_error       TEXT NOT NULL DEFAULT '',
    last_error_at    TIMESTAMPTZ,
    fetched_total    BIGINT NOT NULL DEFAULT 0,
    created_at       TIMESTAMPTZ NOT NULL,
    updated_at       TIMESTAMPTZ NOT NULL,
    UNIQUE (tenant_id, name)
);

-- Every email received, once per arrival. The first arrival of a Message-ID
-- is unique per tenant; later arrivals are kept as duplicates pointing at it.
CREATE TABLE source_emails (
    id              TEXT PRIMARY KEY,
    tenant_id       TEXT NOT NULL REFERENCES tenants(id),
    message_id      TEXT NOT NULL,
    source_id       TEXT NOT NULL DEFAULT '',
    source_kind     TEXT NOT NULL,
    from_address    TEXT NOT NULL DEFAULT '',
    from_name       TEXT NOT NULL DEFAULT '',
    to_addresses    TEXT NOT NULL DEFAULT '[]',
    subject         TEXT NOT NULL DEFAULT '',
    sent_at         TIMESTAMPTZ,
    received_at     TIMESTAMPTZ NOT NULL,
    in_reply_to     TEXT NOT NULL DEFAULT '',
    thread_refs     TEXT NOT NULL DEFAULT '[]',
    forwarded_senders TEXT NOT NULL DEFAULT '[]',
    text_body       TEXT NOT NULL DEFAULT '',
    raw_key         TEXT NOT NULL,
    raw_sha256      TEXT NOT NULL,
    raw_size        BIGINT NOT NULL,
    parse_errors    TEXT NOT NULL DEFAULT '[]',
    status          TEXT NOT NULL,
    duplicate_of    TEXT REFERENCES source_emails(id),
    ticket_id       TEXT,
    decision        TEXT NOT NULL DEFAULT '',
    decision_source TEXT NOT NULL DEFAULT '',
    error           TEXT NOT NULL DEFAULT '',
    attempts        INTEGER NOT NULL DEFAULT 0,
    processed_at    TIMESTAMPTZ,
    created_at      TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX source_emails_first_arrival_idx ON source_emails (tenant_id, message_id) WHERE status <> 'duplicate';
CREATE INDEX source_emails_status_idx ON source_emails (tenant_id, status, received_at);
CREATE INDEX source_emails_ticket_idx ON source_emails (tenant_id, ticket_id);
CREATE INDEX source_emails_received_idx ON source_emails (tenant_id, received_at, id);

CREATE TABLE email_attachments (
    id            TEXT PRIMARY KEY,
    tenant_id     TEXT NOT NULL REFERENCES tenants(id),
    email_id      TEXT NOT NULL REFERENCES source_emails(id),
    filename      TEXT NOT NULL,
    content_type  TEXT NOT NULL,
    size          BIGINT NOT NULL,
    sha256        TEXT NOT NULL,
    blob_key      TEXT NOT NULL
);
CREATE INDEX email_attachments_email_idx ON email_attachments (tenant_id, email_id);

-- One ticket per vendor change. number is the tenant's human number (VS-0001…)
-- from the counters row (tenant, 'ticket'); version guards concurrent changes.
CREATE TABLE tickets (
    id                    TEXT PRIMARY KEY,
    tenant_id             TEXT NOT NULL REFERENCES tenants(id),
    number                BIGINT NOT NULL,
    vendor_id             TEXT NOT NULL REFERENCES vendors(id),
    topic                 TEXT NOT NULL,
    summary               TEXT NOT NULL DEFAULT '',
    effective_date        TEXT NOT NULL DEFAULT '',
    severity              TEXT NOT NULL,
    status                TEXT NOT NULL,
    owner_team_id         TEXT REFERENCES teams(id),
    sla_days              INTEGER NOT NULL,
    due_at                TIMESTAMPTZ NOT NULL,
    alert_channel         TEXT NOT NULL DEFAULT '',
    email_id              TEXT REFERENCES source_emails(id),
    matched_rule_ids      TEXT NOT NULL DEFAULT '[]',
    reasoning             TEXT NOT NULL DEFAULT '',
    decision              TEXT NOT NULL DEFAULT '',
    is_manual_override    BOOLEAN NOT NULL DEFAULT FALSE,
    close_reason          TEXT NOT NULL DEFAULT '',
    last_transitioned_by  TEXT NOT NULL DEFAULT '',
    last_transitioned_at  TIMESTAMPTZ,
    resolved_at           TIMESTAMPTZ,
    closed_at             TIMESTAMPTZ,
    breached_at           TIMESTAMPTZ,
    created_at            TIMESTAMPTZ NOT NULL,
    updated_at            TIMESTAMPTZ NOT NULL,
    version               BIGINT NOT NULL DEFAULT 1,
    UNIQUE (tenant_id, number)
);
CREATE INDEX tickets_status_due_idx ON tickets (tenant_id, status, due_at);
CREATE INDEX tickets_vendor_idx ON tickets (tenant_id, vendor_id, created_at);
CREATE INDEX tickets_due_idx ON tickets (tenant_id, due_at, number);

-- One row per affected application; progress is set by hand only for
-- applications without a tracker (uses_tracker = false).
CREATE TABLE ticket_applications (
    tenant_id            TEXT NOT NULL REFERENCES tenants(id),
    ticket_id            TEXT NOT NULL REFERENCES tickets(id),
    application_id       TEXT NOT NULL REFERENCES applications(id),
    uses_tracker         BOOLEAN NOT NULL,
    progress             TEXT NOT NULL DEFAULT 'pending',
    progress_updated_by  TEXT NOT NULL DEFAULT '',
    progress_updated_at  TIMESTAMPTZ,
    PRIMARY KEY (ticket_id, application_id)
);

-- A ticket's timeline: creation, transitions, notes, application progress
-- and later emails of the vendor's thread. Append-only.
CREATE TABLE ticket_events (
    id           TEXT PRIMARY KEY,
    tenant_id    TEXT NOT NULL REFERENCES tenants(id),
    ticket_id    TEXT NOT NULL REFERENCES tickets(id),
    kind         TEXT NOT NULL,
    from_status  TEXT NOT NULL DEFAULT '',
    to_status    TEXT NOT NULL DEFAULT '',
    actor_id     TEXT NOT NULL DEFAULT '',
    actor_label  TEXT NOT NULL DEFAULT '',
    body         TEXT NOT NULL DEFAULT '',
    flags        TEXT NOT NULL DEFAULT '',
    email_id     TEXT REFERENCES source_emails(id),
    created_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX ticket_events_ticket_idx ON ticket_events (tenant_id, ticket_id, created_at);

-- +goose Down
DROP TABLE ticket_events;
DROP TABLE ticket_applications;
DROP TABLE tickets;
DROP TABLE email_attachments;
DROP TABLE source_emails;
DROP TABLE mail_sources;

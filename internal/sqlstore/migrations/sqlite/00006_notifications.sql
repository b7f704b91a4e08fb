-- +goose Up
-- One row of notification channel settings per tenant. The Slack bot token,
-- the SMTP password and the PagerDuty routing key live encrypted in the
-- secrets table (see dispatch.SecretSlackToken and friends).
CREATE TABLE notification_settings (
    tenant_id           TEXT PRIMARY KEY REFERENCES tenants(id),
    slack_enabled       BOOLEAN NOT NULL DEFAULT FALSE,
    default_channel     TEXT NOT NULL DEFAULT '',
    triage_channel      TEXT NOT NULL DEFAULT '',
    war_room_channel    TEXT NOT NULL DEFAULT '',
    email_enabled       BOOLEAN NOT NULL DEFAULT FALSE,
    smtp_host           TEXT NOT NULL DEFAULT '',
    smtp_port           INTEGER NOT NULL DEFAULT 0,
    smtp_tls            TEXT NOT NULL DEFAULT 'starttls',
    smtp_username       TEXT NOT NULL DEFAULT '',
    smtp_from           TEXT NOT NULL DEFAULT '',
    pagerduty_enabled   BOOLEAN NOT NULL DEFAULT FALSE,
    pagerduty_base_url  TEXT NOT NULL DEFAULT '',
    senior_management   TEXT NOT NULL DEFAULT '[]',
    updated_at          TIMESTAMP NOT NULL,
    updated_by          TEXT NOT NULL DEFAULT ''
);

-- Every notification VendorSync plans: one row per (event, channel,
-- target), keyed by dedup_key under a unique index per tenant. That key,
-- not timing, is what makes each escalation threshold go out at most once
-- per ticket and channel: a second plan of the same delivery inserts
-- nothing (ON CONFLICT DO NOTHING) and so enqueues no second job. snapshot
-- is frozen when the row is written; every attempt renders from it.
CREATE TABLE notification_log (
    id            TEXT PRIMARY KEY,
    tenant_id     TEXT NOT NULL REFERENCES tenants(id),
    ticket_id     TEXT REFERENCES tickets(id),
    kind          TEXT NOT NULL,
    subject       TEXT NOT NULL,
    threshold     INTEGER NOT NULL DEFAULT 0,
    channel       TEXT NOT NULL,
    target        TEXT NOT NULL,
    target_name   TEXT NOT NULL DEFAULT '',
    dedup_key     TEXT NOT NULL,
    status        TEXT NOT NULL,
    attempts      INTEGER NOT NULL DEFAULT 0,
    last_error    TEXT NOT NULL DEFAULT '',
    provider_ref  TEXT NOT NULL DEFAULT '',
    snapshot      TEXT NOT NULL,
    created_at    TIMESTAMP NOT NULL,
    updated_at    TIMESTAMP NOT NULL,
    sent_at       TIMESTAMP,
    UNIQUE (tenant_id, dedup_key)
);
CREATE INDEX notification_log_created_idx ON notification_log (tenant_id, created_at, id);
CREATE INDEX notification_log_status_idx ON notification_log (tenant_id, status, updated_at);
CREATE INDEX notification_log_ticket_idx ON notification_log (tenant_id, ticket_id, kind);

-- The deadline monitor reads every tenant's unfinished tickets by deadline
-- in one query.
CREATE INDEX tickets_monitor_idx ON tickets (status, due_at);

-- +goose Down
DROP INDEX tickets_monitor_idx;
DROP TABLE notification_log;
DROP TABLE notification_settings;

-- +goose Up
-- Subscriptions: a tenant's webhook endpoints that receive its normalized
-- events, signed per Standard Webhooks. event_types is a JSON array of
-- canonical event types (empty: every type); vendor_id '' is every vendor.
-- The signing secret's value lives encrypted in the secrets table under
-- secret_name; after a rotation the previous one keeps signing until
-- previous_expires_at.
CREATE TABLE ingest_subscriptions (
    id                   TEXT PRIMARY KEY,
    tenant_id            TEXT NOT NULL REFERENCES tenants(id),
    url                  TEXT NOT NULL,
    description          TEXT NOT NULL DEFAULT '',
    event_types          TEXT NOT NULL DEFAULT '[]',
    vendor_id            TEXT NOT NULL DEFAULT '',
    enabled              BOOLEAN NOT NULL,
    disabled_reason      TEXT NOT NULL DEFAULT '',
    secret_name          TEXT NOT NULL,
    secret_hint          TEXT NOT NULL,
    previous_secret_name TEXT NOT NULL DEFAULT '',
    previous_expires_at  TIMESTAMPTZ,
    created_by           TEXT NOT NULL,
    created_at           TIMESTAMPTZ NOT NULL,
    updated_at           TIMESTAMPTZ NOT NULL
);
CREATE INDEX ingest_subscriptions_tenant_idx ON ingest_subscriptions (tenant_id, enabled);

-- One delivery of one revision of a normalized event to one subscription;
-- message_id (the webhook-id) is the ingest id, or <ingestId>.r<N> for the
-- Nth revision after the first. attempts counts the attempts of the
-- current series (a redeliver starts a new one); claimed_until leases a
-- delivery to the worker sending it.
CREATE TABLE ingest_deliveries (
    id               TEXT PRIMARY KEY,
    tenant_id        TEXT NOT NULL REFERENCES tenants(id),
    subscription_id  TEXT NOT NULL REFERENCES ingest_subscriptions(id),
    ingest_id        TEXT NOT NULL REFERENCES ingest_events(id),
    revision         INTEGER NOT NULL,
    message_id       TEXT NOT NULL,
    event_type       TEXT NOT NULL,
    vendor_id        TEXT NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed', 'dead', 'superseded')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  TIMESTAMPTZ,
    claimed_until    TIMESTAMPTZ,
    last_status_code INTEGER NOT NULL DEFAULT 0,
    last_error       TEXT NOT NULL DEFAULT '',
    created_at       TIMESTAMPTZ NOT NULL,
    updated_at       TIMESTAMPTZ NOT NULL,
    delivered_at     TIMESTAMPTZ
);
CREATE UNIQUE INDEX ingest_deliveries_message_idx ON ingest_deliveries (subscription_id, message_id);
CREATE INDEX ingest_deliveries_due_idx ON ingest_deliveries (tenant_id, next_attempt_at) WHERE status = 'pending';
CREATE INDEX ingest_deliveries_event_idx ON ingest_deliveries (tenant_id, ingest_id);
CREATE INDEX ingest_deliveries_list_idx ON ingest_deliveries (tenant_id, subscription_id, id);

-- Every attempt at a delivery: the answer's status code (0 when none
-- came), how long it took, the error, and the start of the response body.
CREATE TABLE ingest_delivery_attempts (
    id           TEXT PRIMARY KEY,
    tenant_id    TEXT NOT NULL REFERENCES tenants(id),
    delivery_id  TEXT NOT NULL REFERENCES ingest_deliveries(id),
    attempt      INTEGER NOT NULL,
    attempted_at TIMESTAMPTZ NOT NULL,
    status_code  INTEGER NOT NULL,
    latency_ms   INTEGER NOT NULL,
    error        TEXT NOT NULL,
    response     TEXT NOT NULL
);
CREATE INDEX ingest_delivery_attempts_idx ON ingest_delivery_attempts (tenant_id, delivery_id, id);

-- +goose Down
DROP TABLE ingest_delivery_attempts;
DROP TABLE ingest_deliveries;
DROP TABLE ingest_subscriptions;

-- +goose Up
-- Vendor signals: every fact about a vendor that its risk score is computed
-- from, accepted or rejected (rejection_reason says why, in the seed's
-- words). Rows are never changed or removed: triggers refuse DELETE and any
-- UPDATE except status moving raw → normalized → scored or normalized →
-- superseded.
CREATE TABLE score_signals (
    id               TEXT NOT NULL PRIMARY KEY,
    tenant_id        TEXT NOT NULL REFERENCES tenants(id),
    event_id         TEXT NOT NULL,
    source           TEXT NOT NULL,
    vendor_id        TEXT,
    vendor_ref       TEXT NOT NULL DEFAULT '{}',
    code             TEXT NOT NULL,
    category         TEXT NOT NULL DEFAULT '',
    value            REAL,
    observed_at      TIMESTAMP NOT NULL,
    window_start     TIMESTAMP,
    window_end       TIMESTAMP,
    recorded_at      TIMESTAMP NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('raw', 'normalized', 'scored', 'superseded', 'rejected')),
    rejection_reason TEXT NOT NULL DEFAULT '',
    note             TEXT NOT NULL DEFAULT ''
);
-- Scoring reads a vendor's signals from this index alone; marking them
-- scored finds the pending ones through the partial index.
CREATE INDEX score_signals_vendor_idx ON score_signals (tenant_id, vendor_id, observed_at, status, code, value);
CREATE INDEX score_signals_pending_idx ON score_signals (tenant_id, vendor_id) WHERE status = 'normalized';
CREATE INDEX score_signals_recorded_idx ON score_signals (tenant_id, recorded_at, id);
CREATE INDEX score_signals_rejected_idx ON score_signals (tenant_id, status, recorded_at);

-- +goose StatementBegin
CREATE TRIGGER score_signals_no_delete BEFORE DELETE ON score_signals
BEGIN
    SELECT RAISE(ABORT, 'score_signals is append-only');
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER score_signals_status_only BEFORE UPDATE ON score_signals
WHEN NOT (
    ((OLD.status = 'raw' AND NEW.status = 'normalized')
     OR (OLD.status = 'normalized' AND NEW.status IN ('scored', 'superseded')))
    AND NEW.id IS OLD.id AND NEW.tenant_id IS OLD.tenant_id AND NEW.event_id IS OLD.event_id
    AND NEW.source IS OLD.source AND NEW.vendor_id IS OLD.vendor_id AND NEW.vendor_ref IS OLD.vendor_ref
    AND NEW.code IS OLD.code AND NEW.category IS OLD.category AND NEW.value IS OLD.value
    AND NEW.observed_at IS OLD.observed_at AND NEW.window_start IS OLD.window_start
    AND NEW.window_end IS OLD.window_end AND NEW.recorded_at IS OLD.recorded_at
    AND NEW.rejection_reason IS OLD.rejection_reason AND NEW.note IS OLD.note)
BEGIN
    SELECT RAISE(ABORT, 'score_signals is append-only: only status moves raw → normalized → scored or superseded');
END;
-- +goose StatementEnd

-- The idempotency keys of accepted signals: a second signal with the same
-- event_id is a duplicate, forever. Rejected signals claim no key, so a
-- corrected resend is accepted.
CREATE TABLE score_signal_keys (
    tenant_id   TEXT NOT NULL REFERENCES tenants(id),
    event_id    TEXT NOT NULL,
    signal_id   TEXT NOT NULL,
    PRIMARY KEY (tenant_id, event_id)
);

-- A vendor's id in another system, for resolving vendor_ref.
CREATE TABLE score_vendor_refs (
    tenant_id    TEXT NOT NULL REFERENCES tenants(id),
    source       TEXT NOT NULL,
    external_id  TEXT NOT NULL,
    vendor_id    TEXT NOT NULL REFERENCES vendors(id),
    created_at   TIMESTAMP NOT NULL,
    PRIMARY KEY (tenant_id, source, external_id)
);

-- Scoring rules, every version kept; exactly one active per tenant.
CREATE TABLE score_rules (
    id                TEXT PRIMARY KEY,
    tenant_id         TEXT NOT NULL REFERENCES tenants(id),
    version           INTEGER NOT NULL,
    is_active         BOOLEAN NOT NULL DEFAULT FALSE,
    definition        TEXT NOT NULL,
    note              TEXT NOT NULL DEFAULT '',
    created_by        TEXT NOT NULL DEFAULT '',
    created_at        TIMESTAMP NOT NULL,
    activated_at      TIMESTAMP,
    UNIQUE (tenant_id, version)
);
CREATE UNIQUE INDEX score_rules_active_idx ON score_rules (tenant_id) WHERE is_active;

-- The current score of each vendor, and every score it had.
CREATE TABLE vendor_scores (
    tenant_id     TEXT NOT NULL REFERENCES tenants(id),
    vendor_id     TEXT NOT NULL REFERENCES vendors(id),
    score         REAL,
    band          TEXT NOT NULL DEFAULT '',
    contributors  TEXT NOT NULL DEFAULT '[]',
    signals       INTEGER NOT NULL DEFAULT 0,
    rule_version  INTEGER NOT NULL DEFAULT 0,
    computed_at   TIMESTAMP NOT NULL,
    PRIMARY KEY (tenant_id, vendor_id)
);
CREATE TABLE score_history (
    id            TEXT PRIMARY KEY,
    tenant_id     TEXT NOT NULL REFERENCES tenants(id),
    vendor_id     TEXT NOT NULL REFERENCES vendors(id),
    score         REAL,
    band          TEXT NOT NULL DEFAULT '',
    computed_at   TIMESTAMP NOT NULL
);
CREATE INDEX score_history_vendor_idx ON score_history (tenant_id, vendor_id, computed_at);

-- A vendor moving from one band to another, with the frozen payload every
-- notification about it is rendered from.
CREATE TABLE score_band_events (
    id                TEXT PRIMARY KEY,
    tenant_id         TEXT NOT NULL REFERENCES tenants(id),
    vendor_id         TEXT NOT NULL REFERENCES vendors(id),
    from_band         TEXT NOT NULL,
    to_band           TEXT NOT NULL,
    score             REAL,
    delivery_payload  TEXT NOT NULL,
    created_at        TIMESTAMP NOT NULL
);
CREATE INDEX score_band_events_idx ON score_band_events (tenant_id, created_at, id);

-- Rendered reports: the frozen render context (re-rendering it gives the
-- same bytes) and the output's key and SHA-256 in the blob store.
CREATE TABLE score_reports (
    id              TEXT PRIMARY KEY,
    tenant_id       TEXT NOT NULL REFERENCES tenants(id),
    kind            TEXT NOT NULL,
    render_context  TEXT NOT NULL,
    blob_key        TEXT NOT NULL,
    sha256          TEXT NOT NULL,
    size            BIGINT NOT NULL,
    created_by      TEXT NOT NULL DEFAULT '',
    created_at      TIMESTAMP NOT NULL
);
CREATE INDEX score_reports_idx ON score_reports (tenant_id, created_at, id);

-- +goose Down
DROP TABLE score_reports;
DROP TABLE score_band_events;
DROP TABLE score_history;
DROP TABLE vendor_scores;
DROP TABLE score_rules;
DROP TABLE score_vendor_refs;
DROP TABLE score_signal_keys;
DROP TABLE score_signals;

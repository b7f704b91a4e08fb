-- +goose Up
-- Vendor signals: every fact about a vendor that its risk score is computed
-- from, accepted or rejected (rejection_reason says why, in the seed's
-- words). Range-partitioned by month of recorded_at; score_signal_partitions
-- creates the months ahead (run here and by a daily job), and a default
-- partition catches anything a late job left uncovered. Rows are never
-- changed or removed: triggers refuse DELETE, TRUNCATE and any UPDATE except
-- status moving raw → normalized → scored or normalized → superseded.
CREATE TABLE score_signals (
    id               TEXT NOT NULL,
    tenant_id        TEXT NOT NULL REFERENCES tenants(id),
    event_id         TEXT NOT NULL,
    source           TEXT NOT NULL,
    vendor_id        TEXT,
    vendor_ref       TEXT NOT NULL DEFAULT '{}',
    code             TEXT NOT NULL,
    category         TEXT NOT NULL DEFAULT '',
    value            DOUBLE PRECISION,
    observed_at      TIMESTAMPTZ NOT NULL,
    window_start     TIMESTAMPTZ,
    window_end       TIMESTAMPTZ,
    recorded_at      TIMESTAMPTZ NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('raw', 'normalized', 'scored', 'superseded', 'rejected')),
    rejection_reason TEXT NOT NULL DEFAULT '',
    note             TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (id, recorded_at)
) PARTITION BY RANGE (recorded_at);
CREATE TABLE score_signals_default PARTITION OF score_signals DEFAULT;
-- Scoring reads a vendor's signals from this index alone; marking them
-- scored finds the pending ones through the partial index.
CREATE INDEX score_signals_vendor_idx ON score_signals (tenant_id, vendor_id, observed_at, status, code, value);
CREATE INDEX score_signals_pending_idx ON score_signals (tenant_id, vendor_id) WHERE status = 'normalized';
CREATE INDEX score_signals_recorded_idx ON score_signals (tenant_id, recorded_at, id);
CREATE INDEX score_signals_rejected_idx ON score_signals (tenant_id, status, recorded_at);

-- +goose StatementBegin
CREATE FUNCTION score_signals_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE'
       AND ((OLD.status = 'raw' AND NEW.status = 'normalized')
            OR (OLD.status = 'normalized' AND NEW.status IN ('scored', 'superseded')))
       AND (to_jsonb(NEW) - 'status') = (to_jsonb(OLD) - 'status') THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'score_signals is append-only: only status moves raw → normalized → scored or superseded'
        USING ERRCODE = '23514';
END;
$$ LANGUAGE plpgsql;
-- +goose StatementEnd

CREATE TRIGGER score_signals_append_only BEFORE UPDATE OR DELETE ON score_signals
    FOR EACH ROW EXECUTE FUNCTION score_signals_append_only();
CREATE TRIGGER score_signals_no_truncate BEFORE TRUNCATE ON score_signals
    FOR EACH STATEMENT EXECUTE FUNCTION score_signals_append_only();

-- score_signal_partitions creates the monthly partitions of score_signals
-- from the current month to ahead months on, skipping a month the default
-- partition already holds rows of (they would block it; the rows stay
-- readable there). It returns how many partitions it created.
-- +goose StatementBegin
CREATE FUNCTION score_signal_partitions(ahead INTEGER) RETURNS INTEGER AS $$
DECLARE
    m DATE := date_trunc('month', now() AT TIME ZONE 'UTC')::date;
    lo TIMESTAMPTZ;
    hi TIMESTAMPTZ;
    name TEXT;
    made INTEGER := 0;
BEGIN
    FOR i IN 0..ahead LOOP
        lo := ((m + make_interval(months => i))::timestamp) AT TIME ZONE 'UTC';
        hi := ((m + make_interval(months => i + 1))::timestamp) AT TIME ZONE 'UTC';
        name := 'score_signals_' || to_char(lo AT TIME ZONE 'UTC', 'YYYY_MM');
        CONTINUE WHEN to_regclass(quote_ident(name)) IS NOT NULL;
        CONTINUE WHEN EXISTS (SELECT 1 FROM score_signals_default WHERE recorded_at >= lo AND recorded_at < hi);
        EXECUTE format('CREATE TABLE %I PARTITION OF score_signals FOR VALUES FROM (%L) TO (%L)', name, lo, hi);
        made := made + 1;
    END LOOP;
    RETURN made;
END;
$$ LANGUAGE plpgsql;
-- +goose StatementEnd

SELECT score_signal_partitions(3);

-- The idempotency keys of accepted signals: a second signal with the same
-- event_id is a duplicate, forever (a unique index on the partitioned table
-- would have to include the month). Rejected signals claim no key, so a
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
    created_at   TIMESTAMPTZ NOT NULL,
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
    created_at        TIMESTAMPTZ NOT NULL,
    activated_at      TIMESTAMPTZ,
    UNIQUE (tenant_id, version)
);
CREATE UNIQUE INDEX score_rules_active_idx ON score_rules (tenant_id) WHERE is_active;

-- The current score of each vendor, and every score it had.
CREATE TABLE vendor_scores (
    tenant_id     TEXT NOT NULL REFERENCES tenants(id),
    vendor_id     TEXT NOT NULL REFERENCES vendors(id),
    score         DOUBLE PRECISION,
    band          TEXT NOT NULL DEFAULT '',
    contributors  TEXT NOT NULL DEFAULT '[]',
    signals       INTEGER NOT NULL DEFAULT 0,
    rule_version  INTEGER NOT NULL DEFAULT 0,
    computed_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (tenant_id, vendor_id)
);
CREATE TABLE score_history (
    id            TEXT PRIMARY KEY,
    tenant_id     TEXT NOT NULL REFERENCES tenants(id),
    vendor_id     TEXT NOT NULL REFERENCES vendors(id),
    score         DOUBLE PRECISION,
    band          TEXT NOT NULL DEFAULT '',
    computed_at   TIMESTAMPTZ NOT NULL
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
    score             DOUBLE PRECISION,
    delivery_payload  TEXT NOT NULL,
    created_at        TIMESTAMPTZ NOT NULL
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
    created_at      TIMESTAMPTZ NOT NULL
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
DROP FUNCTION score_signal_partitions(INTEGER);
DROP FUNCTION score_signals_append_only();

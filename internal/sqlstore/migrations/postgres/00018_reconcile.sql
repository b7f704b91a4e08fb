-- +goose Up
-- Approved vendor item → ERP item mappings, one per (tenant, vendor item
-- number, vendor unit) as the seed's schema, reused by every later file
-- and run. confidence is the suggestion's score (0–1) when approved, with
-- its evidence (JSON); method says whether a person picked a suggestion
-- or mapped by hand.
CREATE TABLE item_mappings (
    id                 TEXT NOT NULL PRIMARY KEY,
    tenant_id          TEXT NOT NULL REFERENCES tenants(id),
    vendor_id          TEXT NOT NULL DEFAULT '',
    vendor_item_number TEXT NOT NULL,
    vendor_uom         TEXT NOT NULL,
    erp_item_id        TEXT NOT NULL REFERENCES erp_items(id),
    erp_uom            TEXT NOT NULL,
    confidence         DOUBLE PRECISION NOT NULL DEFAULT 0,
    evidence           TEXT NOT NULL DEFAULT '[]',
    method             TEXT NOT NULL CHECK (method IN ('suggestion', 'manual', 'bulk')),
    approved_by        TEXT NOT NULL,
    approved_at        TIMESTAMPTZ NOT NULL,
    UNIQUE (tenant_id, vendor_item_number, vendor_uom)
);
CREATE INDEX item_mappings_erp_idx ON item_mappings (tenant_id, erp_item_id);

-- A suggestion a person turned down is not proposed again.
CREATE TABLE item_mapping_rejections (
    tenant_id          TEXT NOT NULL REFERENCES tenants(id),
    vendor_item_number TEXT NOT NULL,
    vendor_uom         TEXT NOT NULL,
    erp_item_id        TEXT NOT NULL REFERENCES erp_items(id),
    rejected_by        TEXT NOT NULL,
    rejected_at        TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (tenant_id, vendor_item_number, vendor_uom, erp_item_id)
);

-- The price tolerance a contract price may differ from the ERP's by:
-- vendor_id '' is the tenant's default, a vendor's row overrides it.
-- Either bound may be absent; amounts are exact decimals as text.
CREATE TABLE price_tolerances (
    tenant_id     TEXT NOT NULL REFERENCES tenants(id),
    vendor_id     TEXT NOT NULL DEFAULT '',
    abs_tolerance TEXT,
    pct_tolerance TEXT,
    updated_by    TEXT NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (tenant_id, vendor_id)
);

-- Reconciliation runs of a contract: queued → running → completed |
-- failed, with progress and counts per rule (JSON).
CREATE TABLE reconciliation_runs (
    id                 TEXT NOT NULL PRIMARY KEY,
    tenant_id          TEXT NOT NULL REFERENCES tenants(id),
    vendor_contract_id TEXT NOT NULL REFERENCES vendor_contracts(id),
    vendor_id          TEXT NOT NULL,
    run_type           TEXT NOT NULL CHECK (run_type IN ('manual', 'scheduled')),
    status             TEXT NOT NULL CHECK (status IN ('queued', 'running', 'completed', 'failed')),
    lines_total        INTEGER NOT NULL DEFAULT 0,
    lines_done         INTEGER NOT NULL DEFAULT 0,
    opened             INTEGER NOT NULL DEFAULT 0,
    reopened           INTEGER NOT NULL DEFAULT 0,
    cleared            INTEGER NOT NULL DEFAULT 0,
    rule_counts        TEXT NOT NULL DEFAULT '{}',
    error              TEXT NOT NULL DEFAULT '',
    requested_by       TEXT NOT NULL DEFAULT '',
    created_at         TIMESTAMPTZ NOT NULL,
    started_at         TIMESTAMPTZ,
    completed_at       TIMESTAMPTZ
);
CREATE INDEX reconciliation_runs_tenant_idx ON reconciliation_runs (tenant_id, id);
CREATE INDEX reconciliation_runs_contract_idx ON reconciliation_runs (tenant_id, vendor_contract_id, id);

-- One exception per contract line and rule, ever: a run that finds the
-- condition again touches the open row (or reopens a resolved one)
-- instead of adding a second.
CREATE TABLE reconciliation_exceptions (
    id                      TEXT NOT NULL PRIMARY KEY,
    tenant_id               TEXT NOT NULL REFERENCES tenants(id),
    run_id                  TEXT NOT NULL REFERENCES reconciliation_runs(id),
    vendor_contract_id      TEXT NOT NULL REFERENCES vendor_contracts(id),
    vendor_contract_line_id TEXT NOT NULL REFERENCES vendor_contract_lines(id),
    vendor_id               TEXT NOT NULL,
    erp_item_id             TEXT,
    rule_code               TEXT NOT NULL,
    severity                TEXT NOT NULL CHECK (severity IN ('low', 'medium', 'high')),
    status                  TEXT NOT NULL CHECK (status IN ('open', 'resolved', 'overridden')),
    message                 TEXT NOT NULL,
    suggested_action        TEXT NOT NULL DEFAULT '',
    context                 TEXT NOT NULL DEFAULT '{}',
    assigned_to             TEXT NOT NULL DEFAULT '',
    created_at              TIMESTAMPTZ NOT NULL,
    updated_at              TIMESTAMPTZ NOT NULL,
    UNIQUE (tenant_id, vendor_contract_line_id, rule_code)
);
CREATE INDEX reconciliation_exceptions_queue_idx ON reconciliation_exceptions (tenant_id, status, id);
CREATE INDEX reconciliation_exceptions_contract_idx ON reconciliation_exceptions (tenant_id, vendor_contract_id);

-- What people (and runs) did to an exception, oldest first.
CREATE TABLE exception_actions (
    id           TEXT NOT NULL PRIMARY KEY,
    tenant_id    TEXT NOT NULL REFERENCES tenants(id),
    exception_id TEXT NOT NULL REFERENCES reconciliation_exceptions(id),
    action_type  TEXT NOT NULL,
    note         TEXT NOT NULL DEFAULT '',
    payload      TEXT NOT NULL DEFAULT '{}',
    created_by   TEXT NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX exception_actions_exception_idx ON exception_actions (tenant_id, exception_id, id);

-- +goose Down
DROP TABLE exception_actions;
DROP TABLE reconciliation_exceptions;
DROP TABLE reconciliation_runs;
DROP TABLE price_tolerances;
DROP TABLE item_mapping_rejections;
DROP TABLE item_mappings;

-- +goose Up
-- Vendor price files: stored write-once in the blob store (blob_key,
-- sha256); the same bytes uploaded twice are one file per tenant. A file
-- moves uploaded → queued (its column mapping confirmed) → importing →
-- imported | failed, with its counts updated as the import goes.
CREATE TABLE vendor_files (
    id              TEXT NOT NULL PRIMARY KEY,
    tenant_id       TEXT NOT NULL REFERENCES tenants(id),
    vendor_id       TEXT NOT NULL REFERENCES vendors(id),
    filename        TEXT NOT NULL,
    file_type       TEXT NOT NULL CHECK (file_type IN ('csv', 'xlsx')),
    blob_key        TEXT NOT NULL,
    sha256          TEXT NOT NULL,
    size            BIGINT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('uploaded', 'queued', 'importing', 'imported', 'failed')),
    header_line     INTEGER NOT NULL DEFAULT 0,
    mapping         TEXT NOT NULL DEFAULT '[]',
    contract_number TEXT NOT NULL DEFAULT '',
    effective_start DATE,
    effective_end   DATE,
    rows_read       INTEGER NOT NULL DEFAULT 0,
    lines_imported  INTEGER NOT NULL DEFAULT 0,
    rows_failed     INTEGER NOT NULL DEFAULT 0,
    error           TEXT NOT NULL DEFAULT '',
    contract_id     TEXT,
    uploaded_by     TEXT NOT NULL,
    uploaded_at     TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL,
    UNIQUE (tenant_id, sha256)
);
CREATE INDEX vendor_files_tenant_idx ON vendor_files (tenant_id, uploaded_at, id);

-- One row error per line of a file: its line, column and reason, and the
-- row's cells as the file had them.
CREATE TABLE vendor_file_row_errors (
    tenant_id      TEXT NOT NULL REFERENCES tenants(id),
    vendor_file_id TEXT NOT NULL REFERENCES vendor_files(id),
    line           INTEGER NOT NULL,
    column_name    TEXT NOT NULL DEFAULT '',
    reason         TEXT NOT NULL,
    cells          TEXT NOT NULL DEFAULT '[]',
    PRIMARY KEY (tenant_id, vendor_file_id, line)
);

-- Contracts and their lines, as the seed's schema: prices are exact
-- decimals (NUMERIC(18, 4); TEXT on SQLite).
CREATE TABLE vendor_contracts (
    id              TEXT NOT NULL PRIMARY KEY,
    tenant_id       TEXT NOT NULL REFERENCES tenants(id),
    vendor_file_id  TEXT NOT NULL REFERENCES vendor_files(id),
    vendor_id       TEXT NOT NULL REFERENCES vendors(id),
    contract_number TEXT NOT NULL,
    vendor_name     TEXT NOT NULL,
    effective_start DATE,
    effective_end   DATE,
    status          TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('importing', 'active')),
    line_count      INTEGER NOT NULL DEFAULT 0,
    created_at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX vendor_contracts_tenant_idx ON vendor_contracts (tenant_id, created_at, id);
CREATE INDEX vendor_contracts_file_idx ON vendor_contracts (vendor_file_id);

CREATE TABLE vendor_contract_lines (
    id                 TEXT NOT NULL PRIMARY KEY,
    tenant_id          TEXT NOT NULL REFERENCES tenants(id),
    vendor_contract_id TEXT NOT NULL REFERENCES vendor_contracts(id),
    line_number        INTEGER NOT NULL,
    vendor_item_number TEXT NOT NULL,
    vendor_uom         TEXT NOT NULL,
    vendor_description TEXT NOT NULL DEFAULT '',
    contract_price     NUMERIC(18, 4) NOT NULL,
    currency           TEXT NOT NULL DEFAULT 'USD',
    effective_start    DATE,
    effective_end      DATE,
    raw_payload        TEXT NOT NULL DEFAULT '[]',
    created_at         TIMESTAMPTZ NOT NULL
);
CREATE INDEX vendor_contract_lines_contract_idx ON vendor_contract_lines (tenant_id, vendor_contract_id, line_number);
CREATE INDEX vendor_contract_lines_item_idx ON vendor_contract_lines (tenant_id, vendor_item_number, vendor_uom);

-- The column mapping a person confirmed for a vendor's files, by header
-- text, proposed again for the vendor's next file.
CREATE TABLE vendor_column_mappings (
    tenant_id  TEXT NOT NULL REFERENCES tenants(id),
    vendor_id  TEXT NOT NULL REFERENCES vendors(id),
    headers    TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (tenant_id, vendor_id)
);

-- A tenant's own unit-of-measure spellings (alias → code).
CREATE TABLE uom_aliases (
    tenant_id  TEXT NOT NULL REFERENCES tenants(id),
    alias      TEXT NOT NULL,
    code       TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (tenant_id, alias)
);

-- +goose Down
DROP TABLE uom_aliases;
DROP TABLE vendor_column_mappings;
DROP TABLE vendor_contract_lines;
DROP TABLE vendor_contracts;
DROP TABLE vendor_file_row_errors;
DROP TABLE vendor_files;

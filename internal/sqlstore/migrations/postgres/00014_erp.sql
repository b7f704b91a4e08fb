-- +goose Up
-- ERP connectors: which ERP a tenant's item catalog comes from and how to
-- sign in to it. The secret (password, consumer key or API key) lives
-- encrypted in the secrets table under secret_name; the sync_* columns are
-- the last (or current) item sync with its counts, and watermark the newest
-- last-modified time stored, from which the next incremental sync reads.
CREATE TABLE erp_connectors (
    id                   TEXT PRIMARY KEY,
    tenant_id            TEXT NOT NULL REFERENCES tenants(id),
    name                 TEXT NOT NULL,
    provider             TEXT NOT NULL,
    auth_mode            TEXT NOT NULL,
    base_url             TEXT NOT NULL DEFAULT '',
    username             TEXT NOT NULL DEFAULT '',
    secret_name          TEXT NOT NULL,
    is_active            BOOLEAN NOT NULL DEFAULT TRUE,
    sync_state           TEXT NOT NULL DEFAULT 'never' CHECK (sync_state IN ('never', 'queued', 'running', 'succeeded', 'failed')),
    sync_full            BOOLEAN NOT NULL DEFAULT FALSE,
    sync_queued_at       TIMESTAMPTZ,
    sync_started_at      TIMESTAMPTZ,
    sync_finished_at     TIMESTAMPTZ,
    sync_error           TEXT NOT NULL DEFAULT '',
    sync_items_read      BIGINT NOT NULL DEFAULT 0,
    sync_uoms_read       BIGINT NOT NULL DEFAULT 0,
    sync_suppliers_read  BIGINT NOT NULL DEFAULT 0,
    sync_prices_read     BIGINT NOT NULL DEFAULT 0,
    watermark            TIMESTAMPTZ,
    created_at           TIMESTAMPTZ NOT NULL,
    updated_at           TIMESTAMPTZ NOT NULL,
    UNIQUE (tenant_id, name)
);

-- The ERP item store: the catalog of each connector as last synced or
-- imported. Amounts are exact decimals kept as their canonical text
-- ("12.3400" stays "12.34"), never floating point, on both engines.
-- external_id is the ERP's own key (P21 inv_mast_uid); item_number what
-- people and vendors call the item (P21 item_id).
CREATE TABLE erp_items (
    id              TEXT PRIMARY KEY,
    tenant_id       TEXT NOT NULL REFERENCES tenants(id),
    connector_id    TEXT NOT NULL REFERENCES erp_connectors(id),
    external_id     TEXT NOT NULL,
    item_number     TEXT NOT NULL,
    description     TEXT NOT NULL DEFAULT '',
    base_uom        TEXT NOT NULL DEFAULT '',
    list_price      TEXT,
    is_active       BOOLEAN NOT NULL DEFAULT TRUE,
    erp_modified_at TIMESTAMPTZ,
    synced_at       TIMESTAMPTZ NOT NULL,
    UNIQUE (connector_id, external_id)
);
CREATE INDEX erp_items_number_idx ON erp_items (tenant_id, item_number);
CREATE INDEX erp_items_connector_idx ON erp_items (tenant_id, connector_id, item_number, id);

-- The rows below belong to an item by the ERP's own key within the
-- connector (item_external_id = erp_items.external_id), as the ERP's tables
-- do, so a sync stores each page as it arrives without looking items up.

-- Units an item comes in, with how many base units one holds.
CREATE TABLE erp_item_uoms (
    connector_id     TEXT NOT NULL REFERENCES erp_connectors(id),
    item_external_id TEXT NOT NULL,
    tenant_id        TEXT NOT NULL REFERENCES tenants(id),
    uom              TEXT NOT NULL,
    factor           TEXT NOT NULL,
    erp_modified_at  TIMESTAMPTZ,
    PRIMARY KEY (connector_id, item_external_id, uom)
);

-- Suppliers' part numbers and costs of an item.
CREATE TABLE erp_item_suppliers (
    connector_id     TEXT NOT NULL REFERENCES erp_connectors(id),
    item_external_id TEXT NOT NULL,
    tenant_id        TEXT NOT NULL REFERENCES tenants(id),
    supplier_id      TEXT NOT NULL,
    supplier_part_no TEXT NOT NULL,
    cost             TEXT,
    uom              TEXT NOT NULL DEFAULT '',
    erp_modified_at  TIMESTAMPTZ,
    PRIMARY KEY (connector_id, item_external_id, supplier_id, supplier_part_no)
);
CREATE INDEX erp_item_suppliers_part_idx ON erp_item_suppliers (tenant_id, supplier_part_no);

-- Selling prices of an item per unit, with the dates they hold.
CREATE TABLE erp_item_prices (
    connector_id     TEXT NOT NULL REFERENCES erp_connectors(id),
    price_key        TEXT NOT NULL,
    item_external_id TEXT NOT NULL,
    tenant_id        TEXT NOT NULL REFERENCES tenants(id),
    uom              TEXT NOT NULL DEFAULT '',
    price            TEXT NOT NULL,
    effective_from   TIMESTAMPTZ,
    effective_to     TIMESTAMPTZ,
    erp_modified_at  TIMESTAMPTZ,
    PRIMARY KEY (connector_id, price_key)
);
CREATE INDEX erp_item_prices_item_idx ON erp_item_prices (connector_id, item_external_id);

-- +goose Down
DROP TABLE erp_item_prices;
DROP TABLE erp_item_suppliers;
DROP TABLE erp_item_uoms;
DROP TABLE erp_items;
DROP TABLE erp_connectors;

-- +goose Up
-- Registry names are unique per tenant regardless of case: "Visa" and "visa"
-- would be the same vendor to triage. Rules get the same guarantee, so that a
-- rule can be named unambiguously in decisions and the audit log.
CREATE UNIQUE INDEX vendors_tenant_name_ci_idx ON vendors (tenant_id, LOWER(name));
CREATE UNIQUE INDEX applications_tenant_name_ci_idx ON applications (tenant_id, LOWER(name));
CREATE UNIQUE INDEX rules_tenant_name_ci_idx ON rules (tenant_id, LOWER(name));
-- Loading an application's vendors, and the applications of a vendor.
CREATE INDEX application_vendors_tenant_vendor_idx ON application_vendors (tenant_id, vendor_id);

-- +goose Down
DROP INDEX application_vendors_tenant_vendor_idx;
DROP INDEX rules_tenant_name_ci_idx;
DROP INDEX applications_tenant_name_ci_idx;
DROP INDEX vendors_tenant_name_ci_idx;

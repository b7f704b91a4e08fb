package sqlstore

import (
	"context"
	"database/sql"
	"time"

	"github.com/vendorsync/vendorsync/internal/audit"
	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/ingest"
)

var _ ingest.Store = (*DB)(nil)

const ingestVendorColumns = `iv.tenant_id, iv.vendor_id, v.name, iv.vendor_key, iv.rate_per_second, iv.burst, iv.max_payload_bytes,
	iv.created_at, iv.updated_at`

const ingestVendorFrom = ` FROM ingest_vendors iv JOIN vendors v ON v.id = iv.vendor_id AND v.tenant_id = iv.tenant_id`

func scanIngestVendor(r scanner) (ingest.VendorSetup, error) {
	var v ingest.VendorSetup
	err := r.Scan(&v.TenantID, &v.VendorID, &v.VendorName, &v.VendorKey, &v.RatePerSecond, &v.Burst, &v.MaxPayloadBytes,
		&v.CreatedAt, &v.UpdatedAt)
	v.CreatedAt, v.UpdatedAt = v.CreatedAt.UTC(), v.UpdatedAt.UTC()
	return v, err
}

// IngestVendor returns a vendor's ingest set-up.
func (db *DB) IngestVendor(ctx context.Context, tenantID, vendorID string) (ingest.VendorSetup, error) {
	v, err := scanIngestVendor(db.reader().queryRow(ctx, `SELECT `+ingestVendorColumns+ingestVendorFrom+
		` WHERE iv.tenant_id = ? AND iv.vendor_id = ?`, tenantID, vendorID))
	return v, translate(err, "ingest vendor")
}

// IngestVendorByKey finds a vendor's set-up by the vendorId its envelopes carry.
func (db *DB) IngestVendorByKey(ctx context.Context, tenantID, vendorKey string) (ingest.VendorSetup, error) {
	v, err := scanIngestVendor(db.reader().queryRow(ctx, `SELECT `+ingestVendorColumns+ingestVendorFrom+
		` WHERE iv.tenant_id = ? AND iv.vendor_key = ?`, tenantID, vendorKey))
	return v, translate(err, "ingest vendor")
}

// ListIngestVendors lists a tenant's vendors set up for ingest, by name.
func (db *DB) ListIngestVendors(ctx context.Context, tenantID string) ([]ingest.VendorSetup, error) {
	return queryAll(ctx, db.reader(), "ingest vendors", scanIngestVendor, `SELECT `+ingestVendorColumns+ingestVendorFrom+
		` WHERE iv.tenant_id = ? ORDER BY v.name, iv.vendor_id`, tenantID)
}

// SaveIngestVendor creates or updates a vendor's set-up with its audit row.
func (db *DB) SaveIngestVendor(ctx context.Context, v ingest.VendorSetup, ev audit.Event) error {
	return db.inTx(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, `INSERT INTO ingest_vendors (tenant_id, vendor_id, vendor_key, rate_per_second, burst, max_payload_bytes, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (tenant_id, vendor_id) DO UPDATE SET vendor_key = excluded.vendor_key, rate_per_second = excluded.rate_per_second,
				burst = excluded.burst, max_payload_bytes = excluded.max_payload_bytes, updated_at = excluded.updated_at`,
			v.TenantID, v.VendorID, v.VendorKey, v.RatePerSecond, v.Burst, v.MaxPayloadBytes, v.CreatedAt.UTC(), v.UpdatedAt.UTC())
		if err != nil {
			return translate(err, "ingest vendor")
		}
		return tx.Audit(ctx, ev)
	})
}

const signingSecretColumns = `id, vendor_id, secret_name, hint, created_by, created_at, revoked_at`

func scanSigningSecret(r scanner) (ingest.SigningSecret, error) {
	var s ingest.SigningSecret
	var rev sql.NullTime
	err := r.Scan(&s.ID, &s.VendorID, &s.Name, &s.Hint, &s.CreatedBy, &s.CreatedAt, &rev)
	s.CreatedAt, s.RevokedAt = s.CreatedAt.UTC(), nullTime(rev)
	return s, err
}

// CreateSigningSecret stores a signing secret: its value encrypted in the
// secrets table, its description beside, and the audit row.
func (db *DB) CreateSigningSecret(ctx context.Context, tenantID string, s ingest.SigningSecret, value []byte, ev audit.Event) error {
	return db.inTx(ctx, func(tx *Tx) error {
		if err := tx.PutSecret(ctx, tenantID, s.Name, value); err != nil {
			return err
		}
		_, err := tx.exec(ctx, `INSERT INTO ingest_secrets (id, tenant_id, vendor_id, secret_name, hint, created_by, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, s.ID, tenantID, s.VendorID, s.Name, s.Hint, s.CreatedBy, s.CreatedAt.UTC())
		if err != nil {
			return translate(err, "signing secret")
		}
		return tx.Audit(ctx, ev)
	})
}

// RevokeSigningSecret revokes a vendor's secret and deletes its value.
func (db *DB) RevokeSigningSecret(ctx context.Context, tenantID, vendorID, id string, at time.Time, ev audit.Event) error {
	return db.inTx(ctx, func(tx *Tx) error {
		var name string
		err := tx.queryRow(ctx, `UPDATE ingest_secrets SET revoked_at = ? WHERE tenant_id = ? AND vendor_id = ? AND id = ? AND revoked_at IS NULL
			RETURNING secret_name`, at.UTC(), tenantID, vendorID, id).Scan(&name)
		if err != nil {
			return translate(err, "signing secret")
		}
		if _, err := tx.exec(ctx, `DELETE FROM secrets WHERE tenant_id = ? AND name = ?`, tenantID, name); err != nil {
			return translate(err, "signing secret")
		}
		return tx.Audit(ctx, ev)
	})
}

// SigningSecrets lists a vendor's secrets (without values), newest first.
func (db *DB) SigningSecrets(ctx context.Context, tenantID, vendorID string) ([]ingest.SigningSecret, error) {
	return queryAll(ctx, db.reader(), "signing secrets", scanSigningSecret, `SELECT `+signingSecretColumns+
		` FROM ingest_secrets WHERE tenant_id = ? AND vendor_id = ? ORDER BY created_at DESC, id DESC`, tenantID, vendorID)
}

// ActiveSigningSecretValues decrypts a vendor's unrevoked secrets.
func (db *DB) ActiveSigningSecretValues(ctx context.Context, tenantID, vendorID string) ([]string, error) {
	secs, err := queryAll(ctx, db.reader(), "signing secrets", scanSigningSecret, `SELECT `+signingSecretColumns+
		` FROM ingest_secrets WHERE tenant_id = ? AND vendor_id = ? AND revoked_at IS NULL`, tenantID, vendorID)
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(secs))
	for _, s := range secs {
		v, err := db.Secret(ctx, tenantID, s.Name)
		if err != nil {
			return nil, err
		}
		out = append(out, string(v))
	}
	return out, nil
}

// IngestKeys lists the API keys scoped to a vendor, newest first.
func (db *DB) IngestKeys(ctx context.Context, tenantID, vendorID string) ([]auth.APIKey, error) {
	return queryAll(ctx, db.reader(), "API keys", func(r scanner) (auth.APIKey, error) { return scanAPIKey(r) },
		`SELECT `+apiKeyColumns+` FROM api_keys WHERE tenant_id = ? AND vendor_id = ? ORDER BY id DESC`, tenantID, vendorID)
}

// IngestTenant returns a tenant by id, for the signed endpoint's address.
func (db *DB) IngestTenant(ctx context.Context, id string) (auth.Tenant, error) {
	var t auth.Tenant
	err := db.reader().queryRow(ctx, `SELECT id, slug, name, is_active, created_at FROM tenants WHERE id = ?`, id).
		Scan(&t.ID, &t.Slug, &t.Name, &t.IsActive, &t.CreatedAt)
	return t, translate(err, "tenant")
}

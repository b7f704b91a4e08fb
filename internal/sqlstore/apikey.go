package sqlstore

import (
	"context"
	"database/sql"
	"strconv"
	"time"

	"github.com/vendorsync/vendorsync/internal/audit"
	"github.com/vendorsync/vendorsync/internal/auth"
)

const apiKeyColumns = `id, tenant_id, name, prefix, hash, role, created_by, created_at, expires_at, last_used_at, revoked_at, team_ids, vendor_id`

func scanAPIKey(r interface{ Scan(...any) error }) (auth.APIKey, error) {
	var k auth.APIKey
	var exp, used, rev sql.NullTime
	var teams string
	var vendor sql.NullString
	err := r.Scan(&k.ID, &k.TenantID, &k.Name, &k.Prefix, &k.Hash, &k.Role, &k.CreatedBy, &k.CreatedAt, &exp, &used, &rev, &teams, &vendor)
	k.VendorID = vendor.String
	k.TeamIDs = parseList(teams)
	k.ExpiresAt, k.LastUsedAt, k.RevokedAt = nullTime(exp), nullTime(used), nullTime(rev)
	return k, err
}

func nullTime(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	v := t.Time.UTC()
	return &v
}

func timeOrNil(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.UTC()
}

// CreateAPIKey stores a new key (its hash only).
func (db *DB) CreateAPIKey(ctx context.Context, k auth.APIKey, ev audit.Event) error {
	return db.inTx(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, `INSERT INTO api_keys (`+apiKeyColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			k.ID, k.TenantID, k.Name, k.Prefix, k.Hash, string(k.Role), k.CreatedBy, tx.now, timeOrNil(k.ExpiresAt), nil, nil, jsonList(k.TeamIDs),
			optionalRef(k.VendorID))
		if err != nil {
			return translate(err, "API key")
		}
		return tx.Audit(ctx, ev)
	})
}

// APIKeyByPrefix finds a key by its public prefix, in any tenant: the key's
// own tenant is what the caller is then scoped to.
func (db *DB) APIKeyByPrefix(ctx context.Context, prefix string) (auth.APIKey, error) {
	k, err := scanAPIKey(db.reader().queryRow(ctx, `SELECT `+apiKeyColumns+` FROM api_keys WHERE prefix = ?`, prefix))
	return k, translate(err, "API key")
}

// APIKey returns one key of a tenant.
func (db *DB) APIKey(ctx context.Context, tenantID, id string) (auth.APIKey, error) {
	k, err := scanAPIKey(db.reader().queryRow(ctx, `SELECT `+apiKeyColumns+` FROM api_keys WHERE tenant_id = ? AND id = ?`, tenantID, id))
	return k, translate(err, "API key")
}

// ListAPIKeys pages through a tenant's keys, newest first.
func (db *DB) ListAPIKeys(ctx context.Context, tenantID, cursor string, limit int) ([]auth.APIKey, string, error) {
	keys, err := decodeCursor(cursor, 1)
	if err != nil {
		return nil, "", err
	}
	q := `SELECT ` + apiKeyColumns + ` FROM api_keys WHERE tenant_id = ?`
	args := []any{tenantID}
	if keys != nil {
		q += ` AND id < ?`
		args = append(args, keys[0])
	}
	limit = clampLimit(limit)
	rows, err := db.reader().query(ctx, q+` ORDER BY id DESC LIMIT `+strconv.Itoa(limit+1), args...)
	if err != nil {
		return nil, "", translate(err, "API keys")
	}
	defer rows.Close()
	var out []auth.APIKey
	for rows.Next() {
		k, err := scanAPIKey(rows)
		if err != nil {
			return nil, "", translate(err, "API keys")
		}
		out = append(out, k)
	}
	next := ""
	if len(out) > limit {
		out = out[:limit]
		next = encodeCursor(out[limit-1].ID)
	}
	return out, next, translate(rows.Err(), "API keys")
}

// RevokeAPIKey marks a key revoked; it stops working at once.
func (db *DB) RevokeAPIKey(ctx context.Context, k auth.APIKey, ev audit.Event) error {
	return db.inTx(ctx, func(tx *Tx) error {
		res, err := tx.exec(ctx, `UPDATE api_keys SET revoked_at = ? WHERE tenant_id = ? AND id = ? AND revoked_at IS NULL`, tx.now, k.TenantID, k.ID)
		if err := mustAffect(res, err, "API key"); err != nil {
			return err
		}
		return tx.Audit(ctx, ev)
	})
}

// TouchAPIKey records when a key was last used.
func (db *DB) TouchAPIKey(ctx context.Context, id string, at time.Time) error {
	return db.inTx(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, `UPDATE api_keys SET last_used_at = ? WHERE id = ?`, at.UTC(), id)
		return translate(err, "API key")
	})
}

package sqlstore

import (
	"context"
	"fmt"
	"strconv"

	"github.com/google/uuid"

	"github.com/vendorsync/vendorsync/internal/audit"
	"github.com/vendorsync/vendorsync/internal/secret"
	"github.com/vendorsync/vendorsync/internal/setting"
)

// Every secret at rest lives in the secrets table, encrypted under the
// keyring and bound (associated data) to its tenant and name, so one
// re-encryption pass covers them all. Other tables refer to secrets by name.

// SecretInfo describes a stored secret without its value.
type SecretInfo = setting.SecretInfo

func secretAD(tenantID, name string) string {
	return secret.AD(tenantID, "secrets", "ciphertext", name)
}

// PutSecret encrypts and stores a secret under name, replacing any previous
// value, in the caller's transaction.
func (tx *Tx) PutSecret(ctx context.Context, tenantID, name string, plaintext []byte) error {
	env, err := tx.db.Keys.Seal(plaintext, secretAD(tenantID, name))
	if err != nil {
		return fmt.Errorf("seal secret: %w", err)
	}
	id, _ := uuid.NewV7()
	_, err = tx.exec(ctx, `INSERT INTO secrets (id, tenant_id, name, key_id, ciphertext, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (tenant_id, name) DO UPDATE SET key_id = excluded.key_id, ciphertext = excluded.ciphertext, updated_at = excluded.updated_at`,
		id.String(), tenantID, name, secret.KeyIDOf(env), env, tx.now, tx.now)
	return translate(err, "secret")
}

// SetSecret stores a secret with its audit row (which records the name only).
func (db *DB) SetSecret(ctx context.Context, tenantID, name string, plaintext []byte, ev audit.Event) error {
	return db.inTx(ctx, func(tx *Tx) error {
		if err := tx.PutSecret(ctx, tenantID, name, plaintext); err != nil {
			return err
		}
		return tx.Audit(ctx, ev)
	})
}

// DeleteSecret removes a secret.
func (db *DB) DeleteSecret(ctx context.Context, tenantID, name string, ev audit.Event) error {
	return db.inTx(ctx, func(tx *Tx) error {
		res, err := tx.exec(ctx, `DELETE FROM secrets WHERE tenant_id = ? AND name = ?`, tenantID, name)
		if err := mustAffect(res, err, "secret"); err != nil {
			return err
		}
		return tx.Audit(ctx, ev)
	})
}

// Secret decrypts a secret for internal use (never for an API response).
func (db *DB) Secret(ctx context.Context, tenantID, name string) ([]byte, error) {
	var env string
	err := db.reader().queryRow(ctx, `SELECT ciphertext FROM secrets WHERE tenant_id = ? AND name = ?`, tenantID, name).Scan(&env)
	if err != nil {
		return nil, translate(err, "secret")
	}
	return db.Keys.Open(env, secretAD(tenantID, name))
}

// ListSecrets lists a tenant's secrets by name, without values.
func (db *DB) ListSecrets(ctx context.Context, tenantID string) ([]SecretInfo, error) {
	rows, err := db.reader().query(ctx, `SELECT name, key_id, updated_at FROM secrets WHERE tenant_id = ? ORDER BY name`, tenantID)
	if err != nil {
		return nil, translate(err, "secrets")
	}
	defer rows.Close()
	out := []SecretInfo{}
	for rows.Next() {
		var s SecretInfo
		if err := rows.Scan(&s.Name, &s.KeyID, &s.UpdatedAt); err != nil {
			return nil, translate(err, "secrets")
		}
		out = append(out, s)
	}
	return out, translate(rows.Err(), "secrets")
}

// ReencryptSecrets re-seals, under the newest key, every secret sealed under
// an older one, in batches; it is safe to run again after an interruption.
func (db *DB) ReencryptSecrets(ctx context.Context) (int, error) {
	current := db.Keys.Current()
	total := 0
	for {
		type row struct{ id, tenant, name, env string }
		var batch []row
		rows, err := db.reader().query(ctx, `SELECT id, tenant_id, name, ciphertext FROM secrets WHERE key_id <> ? ORDER BY id LIMIT `+strconv.Itoa(200), current)
		if err != nil {
			return total, translate(err, "secrets")
		}
		for rows.Next() {
			var r row
			if err := rows.Scan(&r.id, &r.tenant, &r.name, &r.env); err != nil {
				rows.Close()
				return total, translate(err, "secrets")
			}
			batch = append(batch, r)
		}
		rows.Close()
		if len(batch) == 0 {
			return total, nil
		}
		err = db.inTx(ctx, func(tx *Tx) error {
			for _, r := range batch {
				pt, err := db.Keys.Open(r.env, secretAD(r.tenant, r.name))
				if err != nil {
					return fmt.Errorf("secret %s of tenant %s: %w", r.name, r.tenant, err)
				}
				env, err := db.Keys.Seal(pt, secretAD(r.tenant, r.name))
				if err != nil {
					return err
				}
				if _, err := tx.exec(ctx, `UPDATE secrets SET key_id = ?, ciphertext = ?, updated_at = ? WHERE id = ?`,
					secret.KeyIDOf(env), env, tx.now, r.id); err != nil {
					return translate(err, "secret")
				}
			}
			return nil
		})
		if err != nil {
			return total, err
		}
		total += len(batch)
	}
}

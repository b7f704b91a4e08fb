package sqlstore

import (
	"context"
	"database/sql"
	"errors"

	"github.com/vendorsync/vendorsync/internal/audit"
	"github.com/vendorsync/vendorsync/internal/llm/llmconfig"
)

// The store keeps the language-model settings for package llmconfig: the
// configuration as the settings row "llm" (which package setting ignores),
// the API keys as secrets.
var _ llmconfig.Store = (*DB)(nil)

// LLMConfig returns a tenant's stored language-model configuration, "" when
// none.
func (db *DB) LLMConfig(ctx context.Context, tenantID string) (string, error) {
	var v string
	err := db.reader().queryRow(ctx, `SELECT value FROM settings WHERE tenant_id = ? AND key = ?`, tenantID, llmconfig.SettingKey).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return v, translate(err, "language model settings")
}

// LLMKey decrypts a slot's API key.
func (db *DB) LLMKey(ctx context.Context, tenantID, slot string) ([]byte, error) {
	return db.Secret(ctx, tenantID, llmconfig.KeyName(slot))
}

// LLMKeysSet reports which slots have a stored API key.
func (db *DB) LLMKeysSet(ctx context.Context, tenantID string) (map[string]bool, error) {
	slots := map[string]string{llmconfig.KeyName(llmconfig.SlotPrimary): llmconfig.SlotPrimary,
		llmconfig.KeyName(llmconfig.SlotFallback): llmconfig.SlotFallback}
	rows, err := db.reader().query(ctx, `SELECT name FROM secrets WHERE tenant_id = ? AND name IN (?, ?)`, tenantID,
		llmconfig.KeyName(llmconfig.SlotPrimary), llmconfig.KeyName(llmconfig.SlotFallback))
	if err != nil {
		return nil, translate(err, "secrets")
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return nil, translate(err, "secrets")
		}
		out[slots[name]] = true
	}
	return out, translate(rows.Err(), "secrets")
}

// SaveLLMConfig writes the configuration, stores and deletes API keys, and
// writes the audit row, in one transaction.
func (db *DB) SaveLLMConfig(ctx context.Context, tenantID, config string, set map[string][]byte, del []string, updatedBy string, ev audit.Event) error {
	return db.inTx(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, `INSERT INTO settings (tenant_id, key, value, updated_at, updated_by) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (tenant_id, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at,
			updated_by = excluded.updated_by`, tenantID, llmconfig.SettingKey, config, tx.now, updatedBy)
		if err != nil {
			return translate(err, "language model settings")
		}
		for _, slot := range []string{llmconfig.SlotPrimary, llmconfig.SlotFallback} {
			if key, ok := set[slot]; ok {
				if err := tx.PutSecret(ctx, tenantID, llmconfig.KeyName(slot), key); err != nil {
					return err
				}
			}
		}
		for _, slot := range del {
			if _, err := tx.exec(ctx, `DELETE FROM secrets WHERE tenant_id = ? AND name = ?`, tenantID, llmconfig.KeyName(slot)); err != nil {
				return translate(err, "secret")
			}
		}
		return tx.Audit(ctx, ev)
	})
}

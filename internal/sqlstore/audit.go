package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"strconv"

	"github.com/google/uuid"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/audit"
)

// Audit appends ev to its tenant's chain inside tx. Every store method that
// changes state calls it, so the change and its audit row commit together.
func (tx *Tx) Audit(ctx context.Context, ev audit.Event) error {
	e, err := ev.Entry(tx.now)
	if err != nil {
		return fmt.Errorf("audit %s: %w", ev.Action, err)
	}
	if e.TenantID == "" {
		return fmt.Errorf("audit %s: no tenant", ev.Action)
	}
	// Taking the head row's lock serialises appends per tenant on PostgreSQL;
	// SQLite has one writer anyway.
	var prevSeq int64
	var prevHash string
	err = tx.queryRow(ctx, `UPDATE audit_head SET seq = seq + 1 WHERE tenant_id = ? RETURNING seq - 1, hash`, e.TenantID).Scan(&prevSeq, &prevHash)
	if err == sql.ErrNoRows {
		if _, err = tx.exec(ctx, `INSERT INTO audit_head (tenant_id, seq, hash) VALUES (?, 1, '')`, e.TenantID); err != nil {
			return translate(err, "audit head")
		}
		prevSeq, prevHash = 0, ""
	} else if err != nil {
		return translate(err, "audit head")
	}
	if tx.db.Keys == nil {
		return fmt.Errorf("audit %s: no keyring configured", ev.Action)
	}
	kid, key := tx.db.Keys.MACKey("audit")
	id, _ := uuid.NewV7()
	e.ID, e.Seq, e.KeyID, e.PrevHash = id.String(), prevSeq+1, kid, prevHash
	e.Hash = audit.Hash(e, key)
	_, err = tx.exec(ctx, `INSERT INTO audit_log (id, tenant_id, seq, actor_kind, actor_id, actor_label, action,
		entity_type, entity_id, before_json, after_json, flags, created_at, key_id, prev_hash, hash)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		e.ID, e.TenantID, e.Seq, e.ActorKind, e.ActorID, e.ActorLabel, e.Action, e.EntityType, e.EntityID,
		e.Before, e.After, e.Flags, e.CreatedAt, e.KeyID, e.PrevHash, e.Hash)
	if err != nil {
		return translate(err, "audit row")
	}
	if _, err := tx.exec(ctx, `UPDATE audit_head SET hash = ? WHERE tenant_id = ?`, e.Hash, e.TenantID); err != nil {
		return translate(err, "audit head")
	}
	return nil
}

const auditColumns = `id, tenant_id, seq, actor_kind, actor_id, actor_label, action, entity_type, entity_id,
	before_json, after_json, flags, created_at, key_id, prev_hash, hash`

func scanAudit(rows interface{ Scan(...any) error }) (audit.Entry, error) {
	var e audit.Entry
	err := rows.Scan(&e.ID, &e.TenantID, &e.Seq, &e.ActorKind, &e.ActorID, &e.ActorLabel, &e.Action,
		&e.EntityType, &e.EntityID, &e.Before, &e.After, &e.Flags, &e.CreatedAt, &e.KeyID, &e.PrevHash, &e.Hash)
	e.CreatedAt = e.CreatedAt.UTC()
	return e, err
}

// ListAudit returns a page of a tenant's audit rows, newest first.
func (db *DB) ListAudit(ctx context.Context, tenantID string, f audit.Filter) ([]audit.Entry, string, error) {
	keys, err := decodeCursor(f.Cursor, 1)
	if err != nil {
		return nil, "", err
	}
	c := tenantScoped(tenantID)
	c.eq("entity_type", f.EntityType)
	c.eq("entity_id", f.EntityID)
	if f.ActorID != "" {
		c.add("(actor_id = ? OR actor_label = ?)", f.ActorID, f.ActorID)
	}
	c.eq("action", f.Action)
	if !f.From.IsZero() {
		c.add("created_at >= ?", f.From.UTC())
	}
	if !f.To.IsZero() {
		c.add("created_at < ?", f.To.UTC())
	}
	if keys != nil {
		seq, err := strconv.ParseInt(keys[0], 10, 64)
		if err != nil {
			return nil, "", apperr.Invalidf("cursor is not valid")
		}
		c.add("seq < ?", seq)
	}
	limit := clampLimit(f.Limit)
	rows, err := db.reader().query(ctx, `SELECT `+auditColumns+` FROM audit_log WHERE `+c.sql()+
		` ORDER BY seq DESC LIMIT `+strconv.Itoa(limit+1), c.args...)
	if err != nil {
		return nil, "", translate(err, "audit log")
	}
	defer rows.Close()
	var out []audit.Entry
	for rows.Next() {
		e, err := scanAudit(rows)
		if err != nil {
			return nil, "", translate(err, "audit log")
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, "", translate(err, "audit log")
	}
	next := ""
	if len(out) > limit {
		out = out[:limit]
		next = encodeCursor(strconv.FormatInt(out[limit-1].Seq, 10))
	}
	return out, next, nil
}

// WalkAudit streams a tenant's rows with from ≤ seq < to (to 0: to the
// end) in sequence order, for verification.
func (db *DB) WalkAudit(ctx context.Context, tenantID string, from, to int64, fn func(audit.Entry) error) error {
	if to <= 0 {
		to = math.MaxInt64
	}
	rows, err := db.reader().query(ctx, `SELECT `+auditColumns+` FROM audit_log WHERE tenant_id = ? AND seq >= ? AND seq < ?
		ORDER BY seq`, tenantID, from, to)
	if err != nil {
		return translate(err, "audit log")
	}
	defer rows.Close()
	for rows.Next() {
		e, err := scanAudit(rows)
		if err != nil {
			return translate(err, "audit log")
		}
		if err := fn(e); err != nil {
			return err
		}
	}
	return translate(rows.Err(), "audit log")
}

// AuditHead returns the sequence and hash of the last row written for a tenant.
func (db *DB) AuditHead(ctx context.Context, tenantID string) (int64, string, error) {
	var seq int64
	var hash string
	err := db.reader().queryRow(ctx, `SELECT seq, hash FROM audit_head WHERE tenant_id = ?`, tenantID).Scan(&seq, &hash)
	if err == sql.ErrNoRows {
		return 0, "", nil
	}
	return seq, hash, translate(err, "audit head")
}

// AuditKey returns the MAC key with id, for audit.Verify.
func (db *DB) AuditKey(id string) ([]byte, error) { return db.Keys.MACKeyByID("audit", id) }

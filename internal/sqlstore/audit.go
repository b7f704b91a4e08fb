package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/audit"
)

// Audit appends ev to its tenant's chain inside tx. Every store method that
// changes state calls it, so the change and its audit row commit together.
func (tx *Tx) Audit(ctx context.Context, ev audit.Event) error {
	return tx.AuditAll(ctx, []audit.Event{ev})
}

// AuditAll records evs, in order, for their tenants' chains: each becomes
// one row, written when the transaction is about to commit (appendAudit).
// An event that cannot become a row fails here, at its caller.
func (tx *Tx) AuditAll(ctx context.Context, evs []audit.Event) error {
	if len(evs) == 0 {
		return nil
	}
	if tx.db.Keys == nil {
		return fmt.Errorf("audit %s: no keyring configured", evs[0].Action)
	}
	for _, ev := range evs {
		e, err := ev.Entry(tx.now)
		if err != nil {
			return fmt.Errorf("audit %s: %w", ev.Action, err)
		}
		if e.TenantID == "" {
			return fmt.Errorf("audit %s: no tenant", ev.Action)
		}
		tx.audit = append(tx.audit, e)
	}
	return nil
}

// auditBatch is the most rows one INSERT carries (16 values each, well
// under both engines' limit on bound parameters).
const auditBatch = 500

// appendAudit appends the rows the transaction recorded, in order, to
// their tenants' chains, as the last statements before the commit. Each
// tenant's head is moved once and the rows go in multi-row INSERTs, so a
// change that records thousands of rows (a tracker sync) costs a few
// statements instead of three per row. On PostgreSQL the head's row lock
// serialises a tenant's audited transactions until they commit; taken
// last, it is held for these statements and the commit only, not for the
// rest of the transaction.
func (tx *Tx) appendAudit(ctx context.Context) error {
	// Runs of one tenant's rows share a head update; events of several
	// tenants keep their order within each tenant.
	for rest := tx.audit; len(rest) > 0; {
		n := 1
		for n < len(rest) && rest[n].TenantID == rest[0].TenantID {
			n++
		}
		if err := tx.appendChain(ctx, rest[:n]); err != nil {
			return err
		}
		rest = rest[n:]
	}
	tx.audit = nil
	return nil
}

// appendChain seals one tenant's entries onto its chain and writes them.
func (tx *Tx) appendChain(ctx context.Context, entries []audit.Entry) error {
	tenantID, n := entries[0].TenantID, int64(len(entries))
	// Taking the head row's lock serialises appends per tenant on PostgreSQL;
	// SQLite has one writer anyway.
	var prevSeq int64
	var prevHash string
	err := tx.queryRow(ctx, `UPDATE audit_head SET seq = seq + ? WHERE tenant_id = ? RETURNING seq - ?, hash`, n, tenantID, n).Scan(&prevSeq, &prevHash)
	if err == sql.ErrNoRows {
		if _, err = tx.exec(ctx, `INSERT INTO audit_head (tenant_id, seq, hash) VALUES (?, ?, '')`, tenantID, n); err != nil {
			return translate(err, "audit head")
		}
		prevSeq, prevHash = 0, ""
	} else if err != nil {
		return translate(err, "audit head")
	}
	kid, key := tx.db.Keys.MACKey("audit")
	for i := range entries {
		id, _ := uuid.NewV7()
		entries[i].ID, entries[i].KeyID = id.String(), kid
	}
	audit.Seal(entries, prevSeq+1, prevHash, key)
	return tx.insertAudit(ctx, entries)
}

// insertAudit inserts one tenant's sealed entries and moves its head's
// hash to the last: on PostgreSQL in one statement whatever their number,
// each column as one array, so a sync's thousands of rows cost one
// statement instead of one per 500 rows with 16 parameters each; on SQLite
// in multi-row INSERTs and an update of the head.
func (tx *Tx) insertAudit(ctx context.Context, entries []audit.Entry) error {
	last := entries[len(entries)-1]
	if tx.db.Dialect != Postgres {
		if _, err := tx.exec(ctx, `UPDATE audit_head SET hash = ? WHERE tenant_id = ?`, last.Hash, last.TenantID); err != nil {
			return translate(err, "audit head")
		}
		for rest := entries; len(rest) > 0; {
			batch := rest[:min(len(rest), auditBatch)]
			rest = rest[len(batch):]
			args := make([]any, 0, 16*len(batch))
			for _, e := range batch {
				args = append(args, e.ID, e.TenantID, e.Seq, e.ActorKind, e.ActorID, e.ActorLabel, e.Action, e.EntityType, e.EntityID,
					e.Before, e.After, e.Flags, e.CreatedAt, e.KeyID, e.PrevHash, e.Hash)
			}
			if _, err := tx.exec(ctx, `INSERT INTO audit_log (`+auditColumns+`) VALUES `+valueRows(len(batch), 16), args...); err != nil {
				return translate(err, "audit row")
			}
		}
		return nil
	}
	n := len(entries)
	var ids, tenants, kinds, actorIDs, labels, actions, types, entityIDs, befores, afters, flags, keys, prevs, hashes = make([]string, n),
		make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n),
		make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	seqs, created := make([]int64, n), make([]time.Time, n)
	for i, e := range entries {
		ids[i], tenants[i], seqs[i], kinds[i], actorIDs[i], labels[i], actions[i] = e.ID, e.TenantID, e.Seq, e.ActorKind, e.ActorID, e.ActorLabel, e.Action
		types[i], entityIDs[i], befores[i], afters[i], flags[i], created[i] = e.EntityType, e.EntityID, e.Before, e.After, e.Flags, e.CreatedAt
		keys[i], prevs[i], hashes[i] = e.KeyID, e.PrevHash, e.Hash
	}
	_, err := tx.exec(ctx, `WITH head AS (UPDATE audit_head SET hash = ? WHERE tenant_id = ?)
		INSERT INTO audit_log (`+auditColumns+`) SELECT * FROM unnest(?::text[], ?::text[], ?::bigint[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[],
		?::text[], ?::text[], ?::text[], ?::timestamptz[], ?::text[], ?::text[], ?::text[])`,
		last.Hash, last.TenantID, ids, tenants, seqs, kinds, actorIDs, labels, actions, types, entityIDs, befores, afters, flags, created, keys, prevs, hashes)
	return translate(err, "audit row")
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
// end) in sequence order, with every field the hash covers (the rows' ids
// are left empty), into one reused entry.
func (db *DB) WalkAudit(ctx context.Context, tenantID string, from, to int64, fn func(audit.Entry) error) error {
	if to <= 0 {
		to = math.MaxInt64
	}
	rows, err := db.reader().query(ctx, `SELECT seq, actor_kind, actor_id, actor_label, action, entity_type, entity_id,
		before_json, after_json, flags, created_at, key_id, prev_hash, hash
		FROM audit_log WHERE tenant_id = ? AND seq >= ? AND seq < ? ORDER BY seq`, tenantID, from, to)
	if err != nil {
		return translate(err, "audit log")
	}
	defer rows.Close()
	e := audit.Entry{TenantID: tenantID}
	dest := []any{&e.Seq, &e.ActorKind, &e.ActorID, &e.ActorLabel, &e.Action, &e.EntityType, &e.EntityID,
		&e.Before, &e.After, &e.Flags, &e.CreatedAt, &e.KeyID, &e.PrevHash, &e.Hash}
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return translate(err, "audit log")
		}
		e.CreatedAt = e.CreatedAt.UTC()
		if err := fn(e); err != nil {
			return err
		}
	}
	return translate(rows.Err(), "audit log")
}

// WalkChain streams a tenant's rows with from ≤ seq < to (to 0: to the
// end) in sequence order, for verification: six columns per row, the text
// fields the hash covers packed by the database into one (audit.Link), read
// into one reused Link through raw bytes.
func (db *DB) WalkChain(ctx context.Context, tenantID string, from, to int64, fn func(*audit.Link) error) error {
	if to <= 0 {
		to = math.MaxInt64
	}
	rows, err := db.reader().query(ctx, `SELECT seq, `+packedFields(db.Dialect, audit.PackedColumns)+`, created_at, key_id, prev_hash, hash
		FROM audit_log WHERE tenant_id = ? AND seq >= ? AND seq < ? ORDER BY seq`, tenantID, from, to)
	if err != nil {
		return translate(err, "audit log")
	}
	defer rows.Close()
	var l audit.Link
	var body, key, prev, hash sql.RawBytes
	dest := []any{&l.Seq, &body, &l.CreatedAt, &key, &prev, &hash}
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return translate(err, "audit log")
		}
		l.Body, l.KeyID, l.PrevHash, l.Hash = body, key, prev, hash
		if err := fn(&l); err != nil {
			return err
		}
	}
	return translate(rows.Err(), "audit log")
}

// packedFields is the SQL expression that packs text columns as the audit
// hash takes them: each as its length in bytes, a colon and its bytes.
func packedFields(d Dialect, cols []string) string {
	var b strings.Builder
	for i, c := range cols {
		if i > 0 {
			b.WriteString(" || ")
		}
		if d == Postgres {
			b.WriteString("octet_length(" + c + ")")
		} else {
			b.WriteString("length(CAST(" + c + " AS BLOB))")
		}
		b.WriteString(" || ':' || " + c)
	}
	return b.String()
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

package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/audit"
	"github.com/vendorsync/vendorsync/internal/jobargs"
	"github.com/vendorsync/vendorsync/internal/mail"
	"github.com/vendorsync/vendorsync/internal/mail/mailbox"
)

// The store keeps mail sources for package mailbox.
var _ mailbox.Store = (*DB)(nil)

// mailboxColumns reads a mail_sources row; credentials_set says whether its
// secret exists, without reading it.
const mailboxColumns = `id, tenant_id, name, kind, config, is_active, last_poll_at, last_success_at, last_error, last_error_at,
	fetched_total, stored_total, created_at, updated_at,
	EXISTS (SELECT 1 FROM secrets s WHERE s.tenant_id = mail_sources.tenant_id AND s.name = mail_sources.secret_name)`

func scanMailbox(r interface{ Scan(...any) error }) (mailbox.Mailbox, error) {
	var m mailbox.Mailbox
	var kind, config string
	var pollAt, successAt, errorAt sql.NullTime
	err := r.Scan(&m.ID, &m.TenantID, &m.Name, &kind, &config, &m.IsActive, &pollAt, &successAt, &m.Status.LastError, &errorAt,
		&m.Status.FetchedTotal, &m.Status.StoredTotal, &m.CreatedAt, &m.UpdatedAt, &m.CredentialsSet)
	if err != nil {
		return m, err
	}
	m.Kind = mailbox.Kind(kind)
	m.Status.LastPollAt, m.Status.LastSuccessAt, m.Status.LastErrorAt = nullTime(pollAt), nullTime(successAt), nullTime(errorAt)
	m.CreatedAt, m.UpdatedAt = m.CreatedAt.UTC(), m.UpdatedAt.UTC()
	var dst any
	switch m.Kind {
	case mailbox.KindIMAP:
		m.IMAP = &mailbox.IMAPSettings{}
		dst = m.IMAP
	case mailbox.KindGraph:
		m.Graph = &mailbox.GraphSettings{}
		dst = m.Graph
	case mailbox.KindGmail:
		m.Gmail = &mailbox.GmailSettings{}
		dst = m.Gmail
	default:
		return m, fmt.Errorf("mail source %s has unknown kind %q", m.ID, kind)
	}
	if err := json.Unmarshal([]byte(config), dst); err != nil {
		return m, fmt.Errorf("mail source %s: settings are not valid JSON: %w", m.ID, err)
	}
	return m, nil
}

// mailboxConfig is the JSON of the settings of m's kind.
func mailboxConfig(m mailbox.Mailbox) (string, error) {
	var v any
	switch {
	case m.IMAP != nil:
		v = m.IMAP
	case m.Graph != nil:
		v = m.Graph
	case m.Gmail != nil:
		v = m.Gmail
	default:
		return "", apperr.Invalidf("mailbox %s has no settings", m.ID)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("encode mailbox settings: %w", err)
	}
	return string(b), nil
}

// CreateMailbox writes a mail source, its encrypted credentials and its
// audit row in one transaction.
func (db *DB) CreateMailbox(ctx context.Context, m mailbox.Mailbox, credentials []byte, ev audit.Event) error {
	config, err := mailboxConfig(m)
	if err != nil {
		return err
	}
	return db.inTx(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, `INSERT INTO mail_sources (id, tenant_id, name, kind, config, secret_name, checkpoint, is_active,
			created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, '', ?, ?, ?)`,
			m.ID, m.TenantID, m.Name, string(m.Kind), config, mailbox.CredentialName(m.ID), m.IsActive, m.CreatedAt, m.UpdatedAt)
		if err != nil {
			return translate(err, "mailbox "+m.Name)
		}
		if err := tx.PutSecret(ctx, m.TenantID, mailbox.CredentialName(m.ID), credentials); err != nil {
			return err
		}
		return tx.Audit(ctx, ev)
	})
}

// UpdateMailbox saves a mail source's settings and state, and its
// credentials when given, with the audit row in one transaction.
func (db *DB) UpdateMailbox(ctx context.Context, m mailbox.Mailbox, credentials []byte, resetCheckpoint bool, ev audit.Event) error {
	config, err := mailboxConfig(m)
	if err != nil {
		return err
	}
	return db.inTx(ctx, func(tx *Tx) error {
		q := `UPDATE mail_sources SET name = ?, kind = ?, config = ?, is_active = ?, updated_at = ?`
		if resetCheckpoint {
			q += `, checkpoint = ''`
		}
		res, err := tx.exec(ctx, q+` WHERE tenant_id = ? AND id = ?`,
			m.Name, string(m.Kind), config, m.IsActive, m.UpdatedAt, m.TenantID, m.ID)
		if err := mustAffect(res, err, "mailbox "+m.Name); err != nil {
			return err
		}
		switch {
		case credentials != nil:
			if err := tx.PutSecret(ctx, m.TenantID, mailbox.CredentialName(m.ID), credentials); err != nil {
				return err
			}
		case !m.CredentialsSet:
			if _, err := tx.exec(ctx, `DELETE FROM secrets WHERE tenant_id = ? AND name = ?`, m.TenantID, mailbox.CredentialName(m.ID)); err != nil {
				return translate(err, "secret")
			}
		}
		return tx.Audit(ctx, ev)
	})
}

// Mailbox returns one mail source of a tenant.
func (db *DB) Mailbox(ctx context.Context, tenantID, id string) (mailbox.Mailbox, error) {
	m, err := scanMailbox(db.reader().queryRow(ctx, `SELECT `+mailboxColumns+` FROM mail_sources WHERE tenant_id = ? AND id = ?`, tenantID, id))
	return m, translate(err, "mailbox")
}

// ListMailboxes returns a tenant's mail sources by name.
func (db *DB) ListMailboxes(ctx context.Context, tenantID string) ([]mailbox.Mailbox, error) {
	rows, err := db.reader().query(ctx, `SELECT `+mailboxColumns+` FROM mail_sources WHERE tenant_id = ? ORDER BY name, id`, tenantID)
	if err != nil {
		return nil, translate(err, "mailboxes")
	}
	defer rows.Close()
	out := []mailbox.Mailbox{}
	for rows.Next() {
		m, err := scanMailbox(rows)
		if err != nil {
			return nil, translate(err, "mailboxes")
		}
		out = append(out, m)
	}
	return out, translate(rows.Err(), "mailboxes")
}

// MailboxCredentials decrypts a mail source's credentials.
func (db *DB) MailboxCredentials(ctx context.Context, tenantID, id string) ([]byte, error) {
	var name string
	err := db.reader().queryRow(ctx, `SELECT secret_name FROM mail_sources WHERE tenant_id = ? AND id = ?`, tenantID, id).Scan(&name)
	if err != nil {
		return nil, translate(err, "mailbox")
	}
	return db.Secret(ctx, tenantID, name)
}

// MailboxCheckpoint returns a mail source's stored position, nil before its
// first poll.
func (db *DB) MailboxCheckpoint(ctx context.Context, tenantID, id string) (mail.Checkpoint, error) {
	var cp string
	err := db.reader().queryRow(ctx, `SELECT checkpoint FROM mail_sources WHERE tenant_id = ? AND id = ?`, tenantID, id).Scan(&cp)
	if err != nil {
		return nil, translate(err, "mailbox")
	}
	if cp == "" {
		return nil, nil
	}
	return mail.Checkpoint(cp), nil
}

// RecordMailboxPoll sets when a mail source was last polled.
func (db *DB) RecordMailboxPoll(ctx context.Context, tenantID, id string, at time.Time) error {
	return db.inTx(ctx, func(tx *Tx) error {
		res, err := tx.exec(ctx, `UPDATE mail_sources SET last_poll_at = ? WHERE tenant_id = ? AND id = ?`, at.UTC(), tenantID, id)
		return mustAffect(res, err, "mailbox")
	})
}

// RecordMailboxFailure records a failed poll on a mail source's status, in
// its own transaction, touching no other source.
func (db *DB) RecordMailboxFailure(ctx context.Context, tenantID, id string, at time.Time, msg string) error {
	return db.inTx(ctx, func(tx *Tx) error {
		res, err := tx.exec(ctx, `UPDATE mail_sources SET last_error = ?, last_error_at = ?, last_poll_at = ? WHERE tenant_id = ? AND id = ?`,
			msg, at.UTC(), at.UTC(), tenantID, id)
		return mustAffect(res, err, "mailbox")
	})
}

// ActiveMailboxes lists the active mail sources of every tenant, for the
// poll scheduler.
func (db *DB) ActiveMailboxes(ctx context.Context) ([]mailbox.Ref, error) {
	rows, err := db.reader().query(ctx, `SELECT tenant_id, id FROM mail_sources WHERE is_active = ? ORDER BY tenant_id, id`, true)
	if err != nil {
		return nil, translate(err, "mailboxes")
	}
	defer rows.Close()
	var out []mailbox.Ref
	for rows.Next() {
		var r mailbox.Ref
		if err := rows.Scan(&r.TenantID, &r.ID); err != nil {
			return nil, translate(err, "mailboxes")
		}
		out = append(out, r)
	}
	return out, translate(rows.Err(), "mailboxes")
}

// EnqueueMailboxPoll enqueues a poll job of a tenant's mail source, with its
// audit row. A poll already waiting for the same mailbox absorbs it (the
// job's own uniqueness), which is not an error.
func (db *DB) EnqueueMailboxPoll(ctx context.Context, tenantID, id string, job jobargs.Args, ev audit.Event) error {
	return db.inTx(ctx, func(tx *Tx) error {
		if err := tx.requireMailbox(ctx, tenantID, id); err != nil {
			return err
		}
		if err := tx.Enqueue(ctx, job); err != nil {
			return err
		}
		return tx.Audit(ctx, ev)
	})
}

func (tx *Tx) requireMailbox(ctx context.Context, tenantID, id string) error {
	var n int
	if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM mail_sources WHERE tenant_id = ? AND id = ?`, tenantID, id).Scan(&n); err != nil {
		return translate(err, "mailbox")
	}
	if n == 0 {
		return apperr.NotFoundf("mailbox not found")
	}
	return nil
}

// AdvanceMailSource saves a mail source's new checkpoint after a batch of
// fetched messages was stored in tx: it adds fetched to fetched_total, sets
// last_success_at and clears last_error (last_error_at stays, for
// reference), as the email pipeline's ReceiveBatch does in its own
// transaction. Tests of mailbox polling use it in place of the pipeline.
func (tx *Tx) AdvanceMailSource(ctx context.Context, tenantID string, cp mail.SourceCheckpoint, fetched int) error {
	res, err := tx.exec(ctx, `UPDATE mail_sources SET checkpoint = ?, fetched_total = fetched_total + ?, last_success_at = ?,
		last_error = '', updated_at = ? WHERE tenant_id = ? AND id = ?`, string(cp.Value), fetched, tx.now, tx.now, tenantID, cp.SourceID)
	return mustAffect(res, err, "mailbox")
}

// AdvanceMailSource is Tx.AdvanceMailSource in its own transaction.
func (db *DB) AdvanceMailSource(ctx context.Context, tenantID string, cp mail.SourceCheckpoint, fetched int) error {
	return db.inTx(ctx, func(tx *Tx) error { return tx.AdvanceMailSource(ctx, tenantID, cp, fetched) })
}

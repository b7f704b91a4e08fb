package sqlstore

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/inbox"
	"github.com/vendorsync/vendorsync/internal/mail"
)

// The store implements the inbox's store interface.
var _ inbox.Store = (*DB)(nil)

// emailListColumns are everything but the text body, for lists.
const emailListColumns = `id, tenant_id, message_id, source_id, source_kind, from_address, from_name, to_addresses, subject,
	sent_at, received_at, in_reply_to, thread_refs, forwarded_senders, raw_key, raw_sha256, raw_size, parse_errors, status,
	duplicate_of, ticket_id, decision, decision_source, error, attempts, processed_at, created_at, updated_at,
	content_sha256, reuses_message_id_of, auth_results, hidden_content, content_language`

const emailColumns = emailListColumns + `, text_body`

// scanEmail reads emailListColumns, plus the text body when withBody.
func scanEmail(withBody bool) func(r interface{ Scan(...any) error }) (inbox.Email, error) {
	return func(r interface{ Scan(...any) error }) (inbox.Email, error) {
		var e inbox.Email
		var to, refs, fwd, perrs, decision, authRes, hidden string
		var dup, tk, reuses, lang sql.NullString
		var sent, processed sql.NullTime
		dest := []any{&e.ID, &e.TenantID, &e.MessageID, &e.SourceID, &e.SourceKind, &e.From.Address, &e.From.Name, &to, &e.Subject,
			&sent, &e.ReceivedAt, &e.InReplyTo, &refs, &fwd, &e.RawKey, &e.RawSHA256, &e.RawSize, &perrs, &e.Status,
			&dup, &tk, &decision, &e.DecisionSource, &e.Error, &e.Attempts, &processed, &e.CreatedAt, &e.UpdatedAt,
			&e.ContentSHA256, &reuses, &authRes, &hidden, &lang}
		if withBody {
			dest = append(dest, &e.TextBody)
		}
		if err := r.Scan(dest...); err != nil {
			return inbox.Email{}, err
		}
		e.To, e.AuthResults, e.HiddenContent = []mail.Address{}, []mail.AuthResult{}, []mail.Hidden{}
		_ = json.Unmarshal([]byte(authRes), &e.AuthResults) // written only by insertEmailRow as a JSON array
		_ = json.Unmarshal([]byte(hidden), &e.HiddenContent)
		_ = json.Unmarshal([]byte(to), &e.To) // written only by ReceiveEmails as a JSON array
		e.References, e.ForwardedSenders, e.ParseErrors = parseList(refs), parseList(fwd), parseList(perrs)
		e.DuplicateOf, e.TicketID, e.ReusesMessageIDOf = dup.String, tk.String, reuses.String
		e.ContentLanguage, e.ContentLanguageKept = lang.String, lang.Valid
		if decision != "" {
			e.Decision = json.RawMessage(decision)
		}
		e.SentAt, e.ProcessedAt = nullTime(sent), nullTime(processed)
		e.ReceivedAt, e.CreatedAt, e.UpdatedAt = e.ReceivedAt.UTC(), e.CreatedAt.UTC(), e.UpdatedAt.UTC()
		e.MessageIDSynthetic = strings.HasSuffix(e.MessageID, "@vendorsync.invalid")
		e.Attachments = []inbox.Attachment{}
		return e, nil
	}
}

// ReceiveEmails stores a batch in one transaction (see ReceiveBatches).
func (db *DB) ReceiveEmails(ctx context.Context, b inbox.Batch) ([]inbox.Email, error) {
	out, err := db.ReceiveBatches(ctx, []inbox.Batch{b})
	if err != nil {
		return nil, err
	}
	return out[0], nil
}

// ReceiveBatches stores batches in one transaction and returns each
// batch's emails as stored. Rows are inserted in Message-ID order across
// the batches, so two concurrent transactions never wait on each other in
// opposite orders; the first arrival of a Message-ID is claimed through
// the partial unique index, and a repeat (also one committed meanwhile by
// a concurrent transaction, or one earlier in these batches) is stored as
// a duplicate of it, without a job. One failure writes none.
func (db *DB) ReceiveBatches(ctx context.Context, bs []inbox.Batch) ([][]inbox.Email, error) {
	type at struct{ batch, email int }
	var order []at
	for i, b := range bs {
		for j := range b.Emails {
			order = append(order, at{i, j})
		}
	}
	slices.SortStableFunc(order, func(x, y at) int {
		return cmp.Compare(bs[x.batch].Emails[x.email].Email.MessageID, bs[y.batch].Emails[y.email].Email.MessageID)
	})
	var out [][]inbox.Email
	err := db.inTx(ctx, func(tx *Tx) error {
		out = make([][]inbox.Email, len(bs))
		for i, b := range bs {
			out[i] = make([]inbox.Email, len(b.Emails))
		}
		for _, o := range order {
			b := bs[o.batch]
			e, err := tx.insertEmail(ctx, b.Emails[o.email], b.Now)
			if err != nil {
				return err
			}
			out[o.batch][o.email] = e
		}
		for i, b := range bs {
			if err := tx.batchReceived(ctx, b, out[i]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// batchReceived moves the batch's mail source checkpoint, if any, and
// audits the batch once its emails are stored.
func (tx *Tx) batchReceived(ctx context.Context, b inbox.Batch, stored []inbox.Email) error {
	if cp := b.Checkpoint; cp != nil {
		n := 0
		for _, e := range stored {
			if e.Status != inbox.Duplicate {
				n++
			}
		}
		res, err := tx.exec(ctx, `UPDATE mail_sources SET checkpoint = ?, fetched_total = fetched_total + ?, stored_total = stored_total + ?,
			last_success_at = ?, last_error = '', updated_at = ? WHERE tenant_id = ? AND id = ?`,
			string(cp.Value), b.Fetched, n, b.Now, b.Now, b.TenantID, cp.SourceID)
		if err := mustAffect(res, err, "mail source"); err != nil {
			return err
		}
	}
	if b.Audit != nil {
		return tx.Audit(ctx, b.Audit(stored))
	}
	return nil
}

// insertEmail stores one email, as a duplicate when an email with its
// Message-ID and content is there already. A Message-ID reused for other
// content makes a new email that points at the earlier one.
func (tx *Tx) insertEmail(ctx context.Context, ne inbox.NewEmail, now time.Time) (inbox.Email, error) {
	e := ne.Email
	var earlier string
	err := tx.queryRow(ctx, earlierContentQuery(tx.d), e.TenantID, e.MessageID, e.ContentSHA256).Scan(&earlier)
	switch {
	case err == nil:
		e.ReusesMessageIDOf = earlier
	case !errors.Is(err, sql.ErrNoRows):
		return inbox.Email{}, translate(err, "earlier email "+e.MessageID)
	}
	ok, err := tx.insertEmailRow(ctx, e, `ON CONFLICT (tenant_id, message_id, content_sha256) WHERE status <> 'duplicate' DO NOTHING`)
	if err != nil {
		return inbox.Email{}, err
	}
	if !ok {
		var first string
		err := tx.queryRow(ctx, `SELECT id FROM source_emails WHERE tenant_id = ? AND message_id = ? AND content_sha256 = ?
			AND status <> 'duplicate'`, e.TenantID, e.MessageID, e.ContentSHA256).Scan(&first)
		if err != nil {
			return inbox.Email{}, translate(err, "first arrival of "+e.MessageID)
		}
		e.Status, e.DuplicateOf, e.Error, e.ProcessedAt, e.ReusesMessageIDOf = inbox.Duplicate, first, "", &now, ""
		ne.Job = nil
		if _, err := tx.insertEmailRow(ctx, e, ""); err != nil {
			return inbox.Email{}, err
		}
	}
	for _, a := range e.Attachments {
		_, err := tx.exec(ctx, `INSERT INTO email_attachments (id, tenant_id, email_id, filename, content_type, size, sha256, blob_key, text)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, a.ID, e.TenantID, e.ID, a.Filename, a.ContentType, a.Size, a.SHA256, a.BlobKey, a.Text)
		if err != nil {
			return inbox.Email{}, translate(err, "email attachment")
		}
	}
	if ne.Job != nil {
		if err := tx.Enqueue(ctx, ne.Job); err != nil {
			return inbox.Email{}, err
		}
	}
	return e, nil
}

// insertEmailRow inserts e with an optional ON CONFLICT clause and reports
// whether a row was written.
func (tx *Tx) insertEmailRow(ctx context.Context, e inbox.Email, onConflict string) (bool, error) {
	to, err := json.Marshal(e.To)
	if err != nil {
		return false, err
	}
	if e.AuthResults == nil {
		e.AuthResults = []mail.AuthResult{}
	}
	if e.HiddenContent == nil {
		e.HiddenContent = []mail.Hidden{}
	}
	authRes, err := json.Marshal(e.AuthResults)
	if err != nil {
		return false, err
	}
	hidden, err := json.Marshal(e.HiddenContent)
	if err != nil {
		return false, err
	}
	res, err := tx.exec(ctx, `INSERT INTO source_emails (`+emailColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,
		?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) `+onConflict,
		e.ID, e.TenantID, e.MessageID, e.SourceID, e.SourceKind, e.From.Address, e.From.Name, string(to), e.Subject,
		timeOrNil(e.SentAt), e.ReceivedAt.UTC(), e.InReplyTo, jsonList(e.References), jsonList(e.ForwardedSenders), e.RawKey,
		e.RawSHA256, e.RawSize, jsonList(e.ParseErrors), string(e.Status), optionalRef(e.DuplicateOf), optionalRef(e.TicketID),
		string(e.Decision), e.DecisionSource, e.Error, e.Attempts, timeOrNil(e.ProcessedAt), e.CreatedAt.UTC(), e.UpdatedAt.UTC(),
		e.ContentSHA256, optionalRef(e.ReusesMessageIDOf), string(authRes), string(hidden), e.ContentLanguage, e.TextBody)
	if err != nil {
		return false, translate(err, "email "+e.MessageID)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, translate(err, "email "+e.MessageID)
	}
	return n > 0, nil
}

// Email returns one email of a tenant with its text body and attachments.
func (db *DB) Email(ctx context.Context, tenantID, id string) (inbox.Email, error) {
	e, err := scanEmail(true)(db.reader().queryRow(ctx, `SELECT `+emailColumns+` FROM source_emails WHERE tenant_id = ? AND id = ?`, tenantID, id))
	if err != nil {
		return inbox.Email{}, translate(err, "email")
	}
	rows, err := db.reader().query(ctx, `SELECT id, filename, content_type, size, sha256, blob_key, text FROM email_attachments
		WHERE tenant_id = ? AND email_id = ? ORDER BY filename, id`, tenantID, id)
	if err != nil {
		return inbox.Email{}, translate(err, "email attachments")
	}
	e.Attachments, err = registryRows(rows, func(r interface{ Scan(...any) error }) (inbox.Attachment, error) {
		var a inbox.Attachment
		err := r.Scan(&a.ID, &a.Filename, &a.ContentType, &a.Size, &a.SHA256, &a.BlobKey, &a.Text)
		return a, err
	}, "email attachments")
	return e, err
}

// ListEmails pages through a tenant's emails, newest first.
func (db *DB) ListEmails(ctx context.Context, tenantID string, f inbox.Filter) ([]inbox.Email, string, error) {
	keys, err := decodeCursor(f.Cursor, 2)
	if err != nil {
		return nil, "", err
	}
	c := tenantScoped(tenantID)
	if len(f.Statuses) > 0 {
		vs := make([]any, len(f.Statuses))
		for i, s := range f.Statuses {
			vs[i] = string(s)
		}
		c.add("status IN ("+placeholders(len(vs))+")", vs...)
	}
	c.eq("decision_source", f.DecisionSource)
	if q := strings.TrimSpace(f.Query); q != "" {
		p := likePattern(q)
		c.add("(LOWER(subject) LIKE ? OR LOWER(from_address) LIKE ? OR LOWER(from_name) LIKE ? OR message_id = ?)",
			p, p, p, mail.NormalizeMessageID(q))
	}
	if keys != nil {
		at, err := time.Parse(time.RFC3339Nano, keys[0])
		if err != nil {
			return nil, "", apperr.Invalidf("cursor is not valid")
		}
		c.add("(received_at < ? OR (received_at = ? AND id < ?))", at, at, keys[1])
	}
	limit := clampLimit(f.Limit)
	rows, err := db.reader().query(ctx, `SELECT `+emailListColumns+` FROM source_emails WHERE `+c.sql()+
		` ORDER BY received_at DESC, id DESC LIMIT `+strconv.Itoa(limit+1), c.args...)
	if err != nil {
		return nil, "", translate(err, "emails")
	}
	out, err := registryRows(rows, scanEmail(false), "emails")
	if err != nil {
		return nil, "", err
	}
	next := ""
	if len(out) > limit {
		out = out[:limit]
		last := out[limit-1]
		next = encodeCursor(last.ReceivedAt.UTC().Format(time.RFC3339Nano), last.ID)
	}
	return out, next, nil
}

// FirstArrivals returns the first arrivals among messageIDs, by Message-ID;
// of a Message-ID reused for other content, the earliest.
func (db *DB) FirstArrivals(ctx context.Context, tenantID string, messageIDs []string) (map[string]inbox.Email, error) {
	out := map[string]inbox.Email{}
	for chunk := range slices.Chunk(messageIDs, 200) {
		args := append([]any{tenantID}, anys(chunk)...)
		rows, err := db.reader().query(ctx, firstArrivalsQuery(db.Dialect, len(chunk)), args...)
		if err != nil {
			return nil, translate(err, "emails")
		}
		es, err := registryRows(rows, scanEmail(false), "emails")
		if err != nil {
			return nil, err
		}
		for _, e := range es {
			out[e.MessageID] = e
		}
	}
	return out, nil
}

func anys(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

package inbox

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/audit"
	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/blob"
	"github.com/vendorsync/vendorsync/internal/ident"
	"github.com/vendorsync/vendorsync/internal/jobargs"
	"github.com/vendorsync/vendorsync/internal/mail"
)

// The service is what mailbox pollers hand their messages to.
var _ mail.Receiver = (*Service)(nil)

// sourceKinds are the SourceRef kinds the pipeline accepts.
var sourceKinds = []string{mail.SourceUpload, mail.SourceImport, mail.SourceDemo, mail.SourceIMAP, mail.SourceGraph, mail.SourceGmail}

// maxBatch bounds one ReceiveBatch, whose emails commit in one transaction.
const maxBatch = 500

// ReceiveBatch stores raw messages from a mailbox poll as the tenant's
// system principal; see mail.Receiver. A message that is not readable mail
// at all is stored as failed with its parse error, so the checkpoint can
// move past it without losing it.
func (s *Service) ReceiveBatch(ctx context.Context, tenantID string, src mail.SourceRef, raws [][]byte, cp *mail.SourceCheckpoint) (int, error) {
	stored, err := s.receive(ctx, auth.System(tenantID), src, raws, cp, false)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, e := range stored {
		if e.Status != Duplicate {
			n++
		}
	}
	return n, nil
}

// Receive stores one uploaded or imported message and enqueues its
// processing. Unlike a mailbox batch, input that is not a readable message
// (empty, binary) is refused with apperr.Invalid and nothing is stored.
func (s *Service) Receive(ctx context.Context, p auth.Principal, raw []byte, src mail.SourceRef) (Email, error) {
	if err := p.Require(auth.PermTriage); err != nil {
		return Email{}, err
	}
	stored, err := s.receive(ctx, p, src, [][]byte{raw}, nil, true)
	if err != nil {
		return Email{}, err
	}
	return stored[0], nil
}

// receive parses raws, writes their blobs and stores them in one batch.
func (s *Service) receive(ctx context.Context, actor auth.Principal, src mail.SourceRef, raws [][]byte, cp *mail.SourceCheckpoint, strict bool) ([]Email, error) {
	if !slices.Contains(sourceKinds, src.Kind) {
		return nil, apperr.Invalidf("unknown mail source kind %q", src.Kind)
	}
	if len(raws) > maxBatch {
		return nil, apperr.Invalidf("a batch holds at most %d messages, not %d", maxBatch, len(raws))
	}
	now := s.now()
	b := Batch{TenantID: actor.TenantID, Checkpoint: cp, Fetched: len(raws), Now: now}
	for i, raw := range raws {
		parsed, perr := mail.Parse(raw, s.Limits)
		if perr != nil && strict {
			return nil, perr
		}
		e, err := s.prepare(ctx, actor.TenantID, src, raw, parsed, perr, now)
		if err != nil {
			return nil, fmt.Errorf("inbox.Receive message %d of %d: %w", i+1, len(raws), err)
		}
		ne := NewEmail{Email: e}
		if e.Status == Received {
			ne.Job = jobargs.EmailProcess{Tenant: jobargs.For(actor.TenantID), EmailID: e.ID}
		}
		b.Emails = append(b.Emails, ne)
	}
	b.Audit = receiveAudit(actor, src)
	var stored []Email
	var err error
	if cp == nil && len(b.Emails) == 1 {
		// One uploaded or imported message: concurrent ones share the
		// transaction. Mailbox batches, with their checkpoint, go alone.
		stored, err = s.receiveShared(ctx, b)
	} else {
		stored, err = s.Store.ReceiveEmails(ctx, b)
	}
	if err != nil {
		return nil, fmt.Errorf("inbox.Receive %d messages from %s: %w", len(raws), src.Kind, err)
	}
	return stored, nil
}

// prepare turns one parsed message into the row to store, writing the raw
// message and its attachments to the blob store first (write-once and
// content-addressed, so a retried batch rewrites nothing).
func (s *Service) prepare(ctx context.Context, tenantID string, src mail.SourceRef, raw []byte, m mail.SourceEmail, perr error, now time.Time) (Email, error) {
	e := Email{ID: ident.New(), TenantID: tenantID, SourceKind: src.Kind, SourceID: src.ID, ReceivedAt: now,
		Status: Received, CreatedAt: now, UpdatedAt: now, To: []mail.Address{}, References: []string{},
		ForwardedSenders: []string{}, ParseErrors: []string{}, Attachments: []Attachment{}, AuthResults: []mail.AuthResult{},
		HiddenContent: []mail.Hidden{}}
	if perr != nil {
		// Not readable mail at all (empty or binary): keep it, failed, under
		// a synthetic id derived from its bytes, like a message without a
		// Message-ID.
		sum := blob.SHA256(raw)
		m = mail.SourceEmail{MessageID: "sha256-" + sum + "@vendorsync.invalid", MessageIDSynthetic: true,
			Size: len(raw), RawSHA256: sum, ParseErrors: []string{apperr.MessageOf(perr)}}
		e.Status, e.Error = Failed, "not a readable email: "+apperr.MessageOf(perr)
		e.ProcessedAt = &now
	}
	e.MessageID, e.MessageIDSynthetic = m.MessageID, m.MessageIDSynthetic
	e.From, e.Subject, e.InReplyTo, e.TextBody = m.From, m.Subject, m.InReplyTo, m.TextBody
	e.To = append(e.To, m.To...)
	e.References = append(e.References, m.References...)
	e.ParseErrors = append(e.ParseErrors, m.ParseErrors...)
	e.AuthResults = append(e.AuthResults, m.AuthResults...)
	e.HiddenContent = append(e.HiddenContent, m.HiddenContent...)
	e.ContentLanguage, e.ContentLanguageKept = m.ContentLanguage, true
	if !m.Date.IsZero() {
		d := m.Date.UTC().Truncate(time.Microsecond)
		e.SentAt = &d
	}
	for _, a := range mail.ForwardedSenders(m) {
		if a.Address != "" {
			e.ForwardedSenders = append(e.ForwardedSenders, a.Address)
		}
	}
	e.RawSHA256, e.RawSize, e.ContentSHA256 = m.RawSHA256, int64(m.Size), m.ContentSHA256
	e.RawKey = blob.Key(tenantID, blob.KindRawEmail, now, m.RawSHA256) + ".eml"
	if _, err := s.Blobs.Put(ctx, e.RawKey, bytes.NewReader(raw)); err != nil {
		return Email{}, fmt.Errorf("store raw message: %w", err)
	}
	for _, a := range m.Attachments {
		key := blob.Key(tenantID, blob.KindAttachment, now, a.SHA256)
		if _, err := s.Blobs.Put(ctx, key, bytes.NewReader(a.Data)); err != nil {
			return Email{}, fmt.Errorf("store attachment %q: %w", a.Filename, err)
		}
		e.Attachments = append(e.Attachments, Attachment{ID: ident.New(), Filename: a.Filename, ContentType: a.ContentType,
			Size: a.Size, SHA256: a.SHA256, BlobKey: key, Text: a.Text})
	}
	return e, nil
}

// maxAuditedEmails bounds the emails one receive audit row lists.
const maxAuditedEmails = 50

// receiveAudit builds the one audit row of a batch once the store knows
// which emails were duplicates.
func receiveAudit(actor auth.Principal, src mail.SourceRef) func([]Email) audit.Event {
	return func(stored []Email) audit.Event {
		type item struct {
			ID        string `json:"id"`
			MessageID string `json:"message_id"`
			Status    Status `json:"status"`
		}
		counts := map[Status]int{}
		items := []item{}
		for _, e := range stored {
			counts[e.Status]++
			if len(items) < maxAuditedEmails {
				items = append(items, item{e.ID, e.MessageID, e.Status})
			}
		}
		entity := src.ID
		if len(stored) == 1 {
			entity = stored[0].ID
		}
		return audit.Record(actor, "email.receive", "email", entity, nil, map[string]any{
			"source_kind": src.Kind, "source_id": src.ID, "count": len(stored), "statuses": counts, "emails": items})
	}
}

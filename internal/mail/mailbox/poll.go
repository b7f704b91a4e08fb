package mailbox

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/audit"
	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/httpx"
	"github.com/vendorsync/vendorsync/internal/jobargs"
	"github.com/vendorsync/vendorsync/internal/mail"
)

// maxErrorText bounds the error text kept on a mailbox's status.
const maxErrorText = 1000

// ConnectionResult is the outcome of a connection test.
type ConnectionResult struct {
	OK bool `json:"ok"`
	// Code classifies a failure: unauthorized (credentials refused),
	// forbidden (missing permission), not_found (folder or label missing),
	// unavailable (server unreachable), invalid (settings).
	Code      string `json:"code,omitempty" enum:"unauthorized,forbidden,not_found,unavailable,invalid,internal"`
	Message   string `json:"message" doc:"What happened, for people."`
	LatencyMS int64  `json:"latency_ms"`
}

// Test connects to the mailbox with its stored settings and credentials,
// authenticates and checks the folder or label. A failing connection is a
// result, not an error; errors are for the mailbox itself (not found).
func (s *Service) Test(ctx context.Context, p auth.Principal, id string) (ConnectionResult, error) {
	if err := p.Require(auth.PermEditIntegrations); err != nil {
		return ConnectionResult{}, err
	}
	m, err := s.Store.Mailbox(ctx, p.TenantID, id)
	if err != nil {
		return ConnectionResult{}, fmt.Errorf("mailbox.Test %s: %w", id, err)
	}
	cred, err := s.credentials(ctx, p.TenantID, id)
	if err != nil {
		return ConnectionResult{}, err
	}
	timeout := s.TestTimeout
	if timeout <= 0 {
		timeout = DefaultTestTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	start := time.Now()
	src, err := s.open(ctx, m, cred)
	if err == nil {
		err = src.Test(ctx)
	}
	res := ConnectionResult{OK: err == nil, LatencyMS: time.Since(start).Milliseconds(), Message: "Connected: credentials accepted and the folder exists."}
	if err != nil {
		res.Code, res.Message = string(testCode(err)), testMessage(err, cred)
	}
	s.log().InfoContext(ctx, "mailbox test", "tenant_id", p.TenantID, "mailbox_id", id, "kind", string(m.Kind),
		"ok", res.OK, "code", res.Code, "latency_ms", res.LatencyMS)
	return res, nil
}

// testCode classifies a failed test in ConnectionResult.Code's terms: an
// API's refusal by its remote-error kind (Graph and Gmail), anything else
// (IMAP, settings) by its apperr code.
func testCode(err error) apperr.Code {
	switch httpx.KindOf(err) {
	case httpx.Auth:
		return apperr.Unauthorized
	case httpx.Permission:
		return apperr.Forbidden
	}
	return apperr.CodeOf(err)
}

// testMessage explains a failed test in the terms of the "test connection"
// button.
func testMessage(err error, cred Credentials) string {
	var what string
	switch testCode(err) {
	case apperr.Unauthorized:
		what = "Authentication failed"
	case apperr.Forbidden:
		what = "Permission denied"
	case apperr.NotFound:
		what = "Folder or label not found"
	case apperr.Unavailable:
		what = "Server unreachable"
	case apperr.Invalid:
		what = "Settings rejected"
	default:
		what = "Test failed"
	}
	return what + ": " + describe(err, cred)
}

// describe is the error text kept on a mailbox's status and shown to its
// administrators: the safe message and its cause, with every credential
// value blanked out, bounded in length.
func describe(err error, cred Credentials) string {
	msg := apperr.MessageOf(err)
	var he *httpx.Error
	var ae *apperr.Error
	switch {
	case errors.As(err, &he):
		// What the upstream did, then the transport-level cause.
		msg = he.Explain()
		if he.Err != nil {
			msg += " (" + he.Err.Error() + ")"
		}
	case errors.As(err, &ae) && ae.Err != nil:
		msg += " (" + ae.Err.Error() + ")"
	case apperr.CodeOf(err) == apperr.Internal:
		msg = err.Error()
	}
	for _, secret := range []string{cred.Password, cred.RefreshToken, cred.ClientSecret, cred.ServiceAccountKey} {
		if len(secret) >= 4 {
			msg = strings.ReplaceAll(msg, secret, "[redacted]")
		}
	}
	if r := []rune(msg); len(r) > maxErrorText {
		msg = string(r[:maxErrorText]) + "…"
	}
	return msg
}

// RequestPoll enqueues a poll of an active mailbox now, instead of at the
// next scheduled round.
func (s *Service) RequestPoll(ctx context.Context, p auth.Principal, id string) error {
	if err := p.Require(auth.PermEditIntegrations); err != nil {
		return err
	}
	m, err := s.Store.Mailbox(ctx, p.TenantID, id)
	if err != nil {
		return fmt.Errorf("mailbox.RequestPoll %s: %w", id, err)
	}
	if !m.IsActive {
		return apperr.E(apperr.Conflict, "mailbox %s is deactivated: reactivate it to poll", m.Name)
	}
	ev := audit.Record(p, "mailbox.poll_requested", "mailbox", id, nil, nil)
	if err := s.Store.EnqueueMailboxPoll(ctx, p.TenantID, id, jobargs.MailPoll{Tenant: jobargs.For(p.TenantID), MailboxID: id}, ev); err != nil {
		return fmt.Errorf("mailbox.RequestPoll %s: %w", id, err)
	}
	return nil
}

// Poll reads new mail of one mailbox: batches of up to BatchSize messages
// go to the Receiver with the checkpoint covering them (even an empty
// batch, so the first poll records its position), then are post-processed
// (mark read, move). It goes on while batches come back full, at most
// MaxBatches times; the next poll continues from the checkpoint. A failure
// is recorded on the mailbox's status and returned; other mailboxes are
// unaffected. A deactivated mailbox is skipped.
func (s *Service) Poll(ctx context.Context, tenantID, id string) error {
	m, err := s.Store.Mailbox(ctx, tenantID, id)
	if err != nil {
		return fmt.Errorf("mailbox.Poll %s: %w", id, err)
	}
	if !m.IsActive {
		s.log().DebugContext(ctx, "mailbox poll skipped: deactivated", "tenant_id", tenantID, "mailbox_id", id)
		return nil
	}
	if s.Receiver == nil {
		return apperr.E(apperr.Unavailable, "mailbox.Poll %s: no email pipeline to receive mail on this server", id)
	}
	if err := s.Store.RecordMailboxPoll(ctx, tenantID, id, s.now()); err != nil {
		return fmt.Errorf("mailbox.Poll %s: %w", id, err)
	}
	cred, err := s.credentials(ctx, tenantID, id)
	if err != nil {
		return err
	}
	start := time.Now()
	n, batches, err := s.poll(ctx, m, cred)
	if err != nil {
		msg := describe(err, cred)
		// The status is written even when the poll's context has ended, so
		// that a timeout is visible on the mailbox.
		recErr := s.Store.RecordMailboxFailure(context.WithoutCancel(ctx), tenantID, id, s.now(), msg)
		s.log().WarnContext(ctx, "mailbox poll failed", "tenant_id", tenantID, "mailbox_id", id, "kind", string(m.Kind),
			"code", string(apperr.CodeOf(err)), "error", msg, "fetched", n.fetched, "stored", n.stored)
		if recErr != nil {
			return fmt.Errorf("mailbox.Poll %s: %s; and recording it failed: %w", id, msg, recErr)
		}
		return &PollError{MailboxID: id, Message: msg, Err: err}
	}
	s.log().InfoContext(ctx, "mailbox polled", "tenant_id", tenantID, "mailbox_id", id, "kind", string(m.Kind),
		"fetched", n.fetched, "stored", n.stored, "batches", batches, "duration_ms", time.Since(start).Milliseconds())
	return nil
}

// pollCount is what one poll read: fetched counts every message the source
// delivered, stored those that became new emails (the rest were already
// stored). They add up to the mailbox status's fetched_total and
// stored_total.
type pollCount struct{ fetched, stored int }

// poll runs the fetch → receive → post-process loop and returns how many
// messages it fetched and stored, and how many batches it took.
func (s *Service) poll(ctx context.Context, m Mailbox, cred Credentials) (n pollCount, batches int, err error) {
	cp, err := s.Store.MailboxCheckpoint(ctx, m.TenantID, m.ID)
	if err != nil {
		return n, 0, fmt.Errorf("read checkpoint: %w", err)
	}
	src, err := s.open(ctx, m, cred)
	if err != nil {
		return n, 0, err
	}
	size, maxBatches := s.BatchSize, s.MaxBatches
	if size <= 0 {
		size = DefaultBatchSize
	}
	if maxBatches <= 0 {
		maxBatches = DefaultMaxBatches
	}
	ref := mail.SourceRef{Kind: string(m.Kind), ID: m.ID}
	for batches < maxBatches {
		msgs, next, err := src.Fetch(ctx, cp, size)
		if err != nil {
			return n, batches, err
		}
		batches++
		raws := make([][]byte, len(msgs))
		ids := make([]string, len(msgs))
		for i, msg := range msgs {
			raws[i], ids[i] = msg.Raw, msg.ID
		}
		stored, err := s.Receiver.ReceiveBatch(ctx, m.TenantID, ref, raws, &mail.SourceCheckpoint{SourceID: m.ID, Value: next})
		if err != nil {
			return n, batches, fmt.Errorf("store %d messages: %w", len(raws), err)
		}
		n.fetched += len(raws)
		n.stored += stored
		if len(ids) > 0 {
			if err := src.Done(ctx, ids); err != nil {
				return n, batches, fmt.Errorf("post-process %d stored messages: %w", len(ids), err)
			}
		}
		cp = next
		if len(msgs) < size {
			break
		}
	}
	return n, batches, nil
}

// PollError is a mailbox poll that failed and was recorded on the
// mailbox's status; Message is the recorded (credential-free) text.
type PollError struct {
	MailboxID string
	Message   string
	Err       error
}

// Error names the mailbox and the recorded message.
func (e *PollError) Error() string { return "mailbox " + e.MailboxID + ": " + e.Message }

// Unwrap returns the adapter's or receiver's error.
func (e *PollError) Unwrap() error { return e.Err }

package inbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/audit"
	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/ident"
	"github.com/vendorsync/vendorsync/internal/mail"
	"github.com/vendorsync/vendorsync/internal/ticket"
)

// ErrThreadPending means an earlier email of the same thread arrived but is
// not processed yet: the job should try again shortly, so that a reply that
// arrives with its original attaches to the original's ticket.
var ErrThreadPending = errors.New("inbox: an earlier email of the thread is still being processed")

// threadWait is how long a reply waits for an unprocessed earlier email of
// its thread; after that it is triaged on its own.
const threadWait = 10 * time.Minute

// Process threads or triages one received email and writes the outcome (a
// thread update, a new ticket, informational, unknown or failed) in one
// transaction that applies only while the email is still received, so it is
// idempotent: a retry after a crash, or a second worker, never opens a
// second ticket. attempt and maxAttempts are the job's; on the last attempt
// an error that would be retried (model unavailable, database trouble)
// marks the email failed instead, so it reaches the triage queue.
func (s *Service) Process(ctx context.Context, tenantID, emailID string, attempt, maxAttempts int) (Email, error) {
	e, err := s.Store.Email(ctx, tenantID, emailID)
	if err != nil {
		return Email{}, fmt.Errorf("inbox.Process %s: %w", emailID, err)
	}
	if e.Status != Received {
		return e, nil // already done: this is a retry or a second delivery
	}
	last := attempt >= maxAttempts
	e.Attempts = attempt
	out, err := s.process(ctx, e, !last)
	switch {
	case err == nil:
		return out, nil
	case errors.Is(err, ErrThreadPending):
		return e, err
	case apperr.Is(err, apperr.Conflict):
		// Someone completed the email between our read and our write.
		if now, rerr := s.Store.Email(ctx, tenantID, emailID); rerr == nil && now.Status != Received {
			return now, nil
		}
	case last:
		return s.giveUp(ctx, e, err)
	}
	return e, fmt.Errorf("inbox.Process %s: %w", emailID, err)
}

// process decides the email's outcome and writes it.
func (s *Service) process(ctx context.Context, e Email, wait bool) (Email, error) {
	c, err := s.decide(ctx, e, wait)
	if err != nil {
		return Email{}, err
	}
	return s.completeShared(ctx, *c)
}

// decide returns the completion that threads or triages e, without
// writing anything.
func (s *Service) decide(ctx context.Context, e Email, wait bool) (*Completion, error) {
	sys := auth.System(e.TenantID)
	c, err := s.thread(ctx, sys, e, wait)
	if err != nil || c != nil {
		return c, err
	}
	return s.triage(ctx, sys, e)
}

// giveUp marks the email failed after its last attempt.
func (s *Service) giveUp(ctx context.Context, e Email, cause error) (Email, error) {
	s.log().ErrorContext(ctx, "email processing failed for good", "tenant", e.TenantID, "email_id", e.ID,
		"attempts", e.Attempts, "err", cause.Error())
	msg := apperr.MessageOf(cause)
	e.Status, e.Error = Failed, fmt.Sprintf("triage gave up after %d attempts: %s", e.Attempts, msg)
	now := s.now()
	e.ProcessedAt = &now
	c := Completion{Email: e, From: []Status{Received}, Audit: []audit.Event{
		audit.Record(auth.System(e.TenantID), "email.triage_failed", "email", e.ID, nil,
			map[string]any{"error": msg, "attempts": e.Attempts})}}
	out, err := s.Store.CompleteEmail(ctx, c)
	if err != nil {
		return e, errors.Join(fmt.Errorf("inbox.Process %s: %w", e.ID, cause), fmt.Errorf("mark failed: %w", err))
	}
	return out, nil
}

// thread returns the completion that attaches e to an existing ticket, or
// nil when e continues no known ticket: a "[VS-0042]" tag in the subject
// naming a ticket of the tenant, else In-Reply-To or References naming an
// earlier email that has a ticket.
func (s *Service) thread(ctx context.Context, sys auth.Principal, e Email, wait bool) (*Completion, error) {
	for _, ref := range mail.TicketRefs(e.Subject) {
		n, err := ticket.ParseKey(ref)
		if err != nil {
			continue // "VS-0" and the like name no ticket
		}
		t, err := s.Tickets.Get(ctx, sys, n)
		if apperr.Is(err, apperr.NotFound) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("thread %s: %w", ref, err)
		}
		return s.threadCompletion(sys, e, t, "the subject names "+t.Key()), nil
	}
	keys := mail.ThreadKeys(mail.SourceEmail{MessageID: e.MessageID, InReplyTo: e.InReplyTo, References: e.References})
	if len(keys) == 0 {
		return nil, nil
	}
	first, err := s.Store.FirstArrivals(ctx, e.TenantID, keys)
	if err != nil {
		return nil, fmt.Errorf("thread lookup: %w", err)
	}
	pending := false
	for _, k := range keys {
		a, ok := first[k]
		switch {
		case !ok:
		case a.TicketID != "":
			t, err := s.Tickets.ByID(ctx, sys, a.TicketID)
			if err != nil {
				return nil, fmt.Errorf("thread ticket of %s: %w", k, err)
			}
			return s.threadCompletion(sys, e, t, "it answers "+k+", an earlier email of "+t.Key()), nil
		case a.Status == Received && a.ID != e.ID && s.now().Sub(a.ReceivedAt) < threadWait:
			pending = true
		}
	}
	if pending && wait {
		return nil, ErrThreadPending
	}
	return nil, nil
}

// threadCompletion attaches e to ticket t as a timeline update, with the
// jobs that notify the owners.
func (s *Service) threadCompletion(sys auth.Principal, e Email, t ticket.Ticket, evidence string) *Completion {
	now := s.now()
	summary := threadSummary(e)
	ev := ticket.TicketEvent{ID: ident.New(), TenantID: e.TenantID, TicketID: t.ID, Kind: ticket.EventThreadUpdate,
		ActorID: sys.UserID, ActorLabel: sys.Label, Body: summary, EmailID: e.ID, CreatedAt: now}
	e.Status, e.TicketID, e.DecisionSource, e.ProcessedAt = Thread, t.ID, SourceThread, &now
	e.Decision = mustJSON(map[string]any{"thread": map[string]string{"ticket": t.Key(), "evidence": evidence},
		"reasoning": "Attached to " + t.Key() + " as an update: " + evidence + "."})
	c := &Completion{Email: e, From: []Status{Received}, Update: &ev, Audit: []audit.Event{
		audit.Record(sys, "ticket."+string(ticket.EventThreadUpdate), "ticket", t.ID, nil, map[string]any{"body": summary, "email_id": e.ID}),
		audit.Record(sys, "email.thread", "email", e.ID, nil, map[string]any{"status": Thread, "ticket": t.Key(), "evidence": evidence}),
	}}
	if s.Consequences.ThreadUpdate != nil {
		c.Jobs = s.Consequences.ThreadUpdate(e, replyText(e.TextBody))
	}
	return c
}

// mustJSON marshals values built here from strings and maps, which always
// marshal.
func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("inbox: marshal %T: %v", v, err))
	}
	return b
}

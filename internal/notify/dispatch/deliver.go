package dispatch

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/vendorsync/vendorsync/internal/httpx"
	"github.com/vendorsync/vendorsync/internal/notify"
	"github.com/vendorsync/vendorsync/internal/ticket"
)

// MaxRetryAfter caps how long the wait a provider asks for may put a
// delivery off, and MaxWaits how many such waits one delivery honours
// before its failures count as ordinary attempts (which run out).
const (
	MaxRetryAfter = time.Hour
	MaxWaits      = 16
)

// Result is the outcome of one delivery attempt, for the job that made it.
type Result struct {
	// Status is the entry's status after the attempt: sent, failed
	// (permanent), dead (the last attempt failed) or queued (retry).
	Status Status
	// RetryAfter is how long the provider asked to wait before the retry.
	RetryAfter time.Duration
	// Err is why the attempt failed.
	Err error
}

// Deliver makes one attempt at sending logged notification id, renders it
// from its frozen snapshot, and records the outcome on its entry. last
// says the queue will not try again: a retryable failure then makes the
// entry dead. An entry already sent is not sent again (a retried or
// replayed job finds it so). The error is for failures to read or record,
// which the job retries; a failed send is reported in the Result.
func (s *Service) Deliver(ctx context.Context, tenantID, id string, last bool) (Result, error) {
	e, err := s.Store.Notification(ctx, tenantID, id)
	if err != nil {
		return Result{}, fmt.Errorf("deliver notification %s: %w", id, err)
	}
	if e.Status == Sent {
		return Result{Status: Sent}, nil
	}
	res, err := s.attempt(ctx, e)
	if err != nil {
		return Result{}, err
	}
	switch {
	case res.Err == nil:
		res.Status = Sent
	case !httpx.IsTemporary(res.Err):
		res.Status = Failed
	case last:
		res.Status = Dead
	default:
		res.Status = Queued
		if after := httpx.RetryAfterOf(res.Err); after > 0 && e.Attempts < MaxWaits {
			res.RetryAfter = min(after, MaxRetryAfter)
		}
	}
	o := Outcome{TenantID: tenantID, ID: id, Status: res.Status, At: s.now(), ProviderRef: e.ProviderRef}
	if res.Err != nil {
		o.LastError = oneLine(res.Err.Error())
	} else {
		o.ProviderRef = res.ref
	}
	if err := s.Store.RecordNotificationAttempt(ctx, o); err != nil {
		return Result{}, fmt.Errorf("record attempt of notification %s: %w", id, err)
	}
	log := s.log().With("tenant_id", tenantID, "notification_id", id, "event", e.Event().Key(), "channel", e.Channel, "status", res.Status)
	if res.Err != nil {
		log.WarnContext(ctx, "notification not delivered", "err", o.LastError)
	}
	return res.Result, nil
}

// attemptResult is a Result with the provider's reference.
type attemptResult struct {
	Result
	ref string
}

// attempt sends e once. Failures to render or to find the channel are
// permanent; an escalation whose ticket was resolved or closed meanwhile is
// not sent at all.
func (s *Service) attempt(ctx context.Context, e LogEntry) (attemptResult, error) {
	if e.Kind.Escalation() && e.TicketID != "" {
		t, err := s.Store.TicketByID(ctx, e.TenantID, e.TicketID)
		if err != nil {
			return attemptResult{}, fmt.Errorf("ticket of notification %s: %w", e.ID, err)
		}
		if t.Status == ticket.Resolved || t.Status == ticket.Closed {
			return attemptResult{Result: Result{Err: &httpx.Error{Upstream: string(e.Channel), Op: "send", Kind: httpx.Permanent,
				Message: fmt.Sprintf("not sent: %s was %s before the reminder went out", t.Key(), t.Status)}}}, nil
		}
	}
	st, err := s.settings(ctx, e.TenantID)
	if err != nil {
		return attemptResult{}, err
	}
	m, err := notify.Compose(e.Event(), e.Snapshot)
	if err != nil {
		return attemptResult{Result: Result{Err: &httpx.Error{Upstream: string(e.Channel), Op: "compose", Kind: httpx.Permanent, Err: err}}}, nil
	}
	cs, err := s.channels(ctx, st, true)
	if err != nil {
		return attemptResult{}, err
	}
	ref, err := cs.Send(ctx, e.Delivery(), m)
	if err != nil {
		return attemptResult{Result: Result{Err: err}}, nil
	}
	return attemptResult{ref: ref}, nil
}

// oneLine keeps an error short and on one line for the log.
func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > 1000 {
		s = string(r[:1000]) + "…"
	}
	return s
}

// errNotReplayable explains why an entry cannot be replayed.
var errNotReplayable = errors.New("only failed and dead notifications can be replayed")

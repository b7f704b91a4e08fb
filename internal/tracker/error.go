package tracker

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/vendorsync/vendorsync/internal/apperr"
)

// Kind classifies a tracker failure by what the caller should do about it.
// The seed's error table maps onto it: BadRequest, Forbidden and NotFound
// mark the link failed and alert an admin; Unauthorized disables the
// connection; RateLimited and Unavailable are retried (×3 with backoff),
// then the link becomes an orphan retried every 15 minutes.
type Kind string

// The kinds of tracker failure.
const (
	// KindBadRequest is a 400 (or another 4xx the tracker will never
	// accept as sent): wrong project key, unknown issue type, invalid field.
	KindBadRequest Kind = "bad_request"
	// KindUnauthorized is a 401: the credentials are wrong or revoked.
	KindUnauthorized Kind = "unauthorized"
	// KindForbidden is a 403: the account lacks a permission (Browse
	// Projects, Create Issues, Add Comments).
	KindForbidden Kind = "forbidden"
	// KindNotFound is a 404: no such project or issue, or not visible.
	KindNotFound Kind = "not_found"
	// KindRateLimited is a 429 that the client's own bounded waits did not
	// get past; RetryAfter says how long the tracker asked to wait.
	KindRateLimited Kind = "rate_limited"
	// KindUnavailable is a 5xx, a network error, a timeout or an open
	// circuit breaker. For a create it does not say whether the issue was
	// committed: look it up by idempotency key before creating again.
	KindUnavailable Kind = "unavailable"
)

// Temporary reports whether the same request may succeed later.
func (k Kind) Temporary() bool { return k == KindRateLimited || k == KindUnavailable }

// KindForStatus maps an HTTP status to a Kind; 2xx and 3xx have none ("").
func KindForStatus(status int) Kind {
	switch {
	case status == http.StatusUnauthorized:
		return KindUnauthorized
	case status == http.StatusForbidden:
		return KindForbidden
	case status == http.StatusNotFound || status == http.StatusGone:
		return KindNotFound
	case status == http.StatusTooManyRequests:
		return KindRateLimited
	case status == http.StatusRequestTimeout || status >= 500:
		return KindUnavailable
	case status >= 400:
		return KindBadRequest
	}
	return ""
}

// Error is what every provider returns on failure. It never holds
// credentials: Message is the tracker's own explanation (safe to show an
// admin) and Err the transport-level cause for logs.
type Error struct {
	// Provider names the tracker ("jira").
	Provider string
	// Op says what was being done ("create issue PAY", "search").
	Op   string
	Kind Kind
	// Status is the HTTP status, 0 when no response arrived.
	Status int
	// RetryAfter is the wait the tracker asked for (429, some 503s).
	RetryAfter time.Duration
	// Message is the tracker's error text, e.g. Jira's errorMessages and
	// field errors joined.
	Message string
	// Err is the underlying cause, if any.
	Err error
}

// Error reads like "jira create issue in PAY: forbidden (HTTP 403): …".
func (e *Error) Error() string {
	s := e.Op + ": " + string(e.Kind)
	if e.Provider != "" {
		s = e.Provider + " " + s
	}
	if e.Status != 0 {
		s += " (HTTP " + strconv.Itoa(e.Status) + ")"
	}
	if e.Message != "" {
		s += ": " + e.Message
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns the cause, so errors.Is(err, context.DeadlineExceeded)
// works through it.
func (e *Error) Unwrap() error { return e.Err }

// As lets apperr.CodeOf and apperr.MessageOf understand tracker errors
// without every caller translating them. The codes describe the tracker as
// an upstream: its 401 and 403 are a misconfigured connection (Invalid),
// not a reason to log the VendorSync user out.
func (e *Error) As(target any) bool {
	t, ok := target.(**apperr.Error)
	if !ok {
		return false
	}
	code := apperr.Unavailable
	switch e.Kind {
	case KindBadRequest, KindUnauthorized, KindForbidden:
		code = apperr.Invalid
	case KindNotFound:
		code = apperr.NotFound
	}
	*t = &apperr.Error{Code: code, Message: e.safeMessage(), Err: e}
	return true
}

// safeMessage is the user-facing sentence for apperr.
func (e *Error) safeMessage() string {
	who := e.Provider
	if who == "" {
		who = "tracker"
	}
	var what string
	switch e.Kind {
	case KindUnauthorized:
		what = "rejected the credentials"
	case KindForbidden:
		what = "refused: the account lacks a permission"
	case KindNotFound:
		what = "did not find the project or issue"
	case KindRateLimited:
		what = "is rate limiting requests"
	case KindUnavailable:
		what = "is unavailable"
	default:
		what = "rejected the request"
	}
	s := fmt.Sprintf("%s: %s %s", e.Op, who, what)
	if e.Message != "" {
		s += ": " + e.Message
	}
	return s
}

// KindOf returns the Kind of the first *Error in err's chain, or "".
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return ""
}

// RetryAfterOf returns the wait the tracker asked for, or 0.
func RetryAfterOf(err error) time.Duration {
	var e *Error
	if errors.As(err, &e) {
		return e.RetryAfter
	}
	return 0
}

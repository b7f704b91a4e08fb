package httpx

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/vendorsync/vendorsync/internal/apperr"
)

// Kind classifies a failure of a call to an upstream by what the caller
// should do about it. Every integration (trackers, LLM providers, mail
// sources, notification channels, OIDC, ERP) maps its failures into these,
// so retries, dead letters, admin alerts and "test connection" messages
// are decided the same way everywhere.
type Kind string

// The kinds of upstream failure.
const (
	// Transient is a 5xx, a network error, a timeout, an open circuit
	// breaker or an answer that could not be used this time. For a request
	// that is not idempotent it does not say whether the upstream acted on
	// it: look the result up before sending it again.
	Transient Kind = "transient"
	// RateLimited is a 429 (or a provider's own rate-limit answer) that the
	// transport's bounded waits did not get past; RetryAfter says how long
	// the upstream asked to wait.
	RateLimited Kind = "rate_limited"
	// Auth is a 401: the credentials are wrong, expired or revoked.
	Auth Kind = "auth"
	// Permission is a 403: the credentials work but lack a permission or
	// scope.
	Permission Kind = "permission"
	// NotFound is a 404 or 410: no such resource, or not visible to the
	// account.
	NotFound Kind = "not_found"
	// BadRequest is any other 4xx: the upstream will never accept this
	// request as sent (a wrong project key, an unknown field).
	BadRequest Kind = "bad_request"
	// Permanent is a refusal that no retry and no request change made by
	// the caller will fix (an unknown channel, a disabled account, a
	// redirect to nowhere).
	Permanent Kind = "permanent"
)

// Temporary reports whether the same request may succeed later.
func (k Kind) Temporary() bool { return k == Transient || k == RateLimited }

// KindForStatus maps an HTTP status to a Kind; 2xx and 3xx have none ("").
func KindForStatus(status int) Kind {
	switch {
	case status == http.StatusUnauthorized:
		return Auth
	case status == http.StatusForbidden:
		return Permission
	case status == http.StatusNotFound || status == http.StatusGone:
		return NotFound
	case status == http.StatusTooManyRequests:
		return RateLimited
	case status == http.StatusRequestTimeout || status >= 500:
		return Transient
	case status >= 400:
		return BadRequest
	}
	return ""
}

// Error is what every integration returns when an upstream call fails. It
// never holds credentials: Message is the upstream's own explanation (safe
// to show an admin) and Err the transport-level cause, for logs.
type Error struct {
	// Upstream names the service ("jira", "slack", "anthropic", "gmail").
	Upstream string
	// Op says what was being done ("create issue in PAY", "search").
	Op   string
	Kind Kind
	// Status is the HTTP status, 0 when no response arrived.
	Status int
	// RetryAfter is the wait the upstream asked for (429, some 503s).
	RetryAfter time.Duration
	// Code is the upstream's short error code when it gave one
	// ("channel_not_found", "invalid_grant", "535").
	Code string
	// Message is the upstream's error text, safe to show an admin.
	Message string
	// Err is the underlying cause, if any.
	Err error
}

// Error reads like "jira create issue in PAY: permission (HTTP 403): …".
func (e *Error) Error() string {
	s := string(e.Kind)
	if e.Op != "" {
		s = e.Op + ": " + s
	}
	if e.Upstream != "" {
		s = e.Upstream + " " + s
	}
	if e.Status != 0 {
		s += " (HTTP " + strconv.Itoa(e.Status) + ")"
	}
	if e.Code != "" {
		s += " [" + e.Code + "]"
	}
	if e.RetryAfter > 0 {
		s += ", retry after " + e.RetryAfter.String()
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

// Temporary reports whether the same request may succeed later.
func (e *Error) Temporary() bool { return e.Kind.Temporary() }

// As lets apperr.CodeOf and apperr.MessageOf understand upstream errors
// without every caller translating them. The codes describe the upstream:
// its 401 and 403 are a misconfigured integration (Invalid), not a reason
// to sign the VendorSync user out.
func (e *Error) As(target any) bool {
	t, ok := target.(**apperr.Error)
	if !ok {
		return false
	}
	code := apperr.Unavailable
	switch e.Kind {
	case BadRequest, Auth, Permission, Permanent:
		code = apperr.Invalid
	case NotFound:
		code = apperr.NotFound
	}
	*t = &apperr.Error{Code: code, Message: e.Explain(), Err: e}
	return true
}

// Explain is the sentence shown to a user or an admin ("test connection",
// a link's last error): what was being done, what the upstream did, and
// its own explanation (or its error code when it gave nothing more).
func (e *Error) Explain() string {
	who := e.Upstream
	if who == "" {
		who = "the service"
	}
	var what string
	switch e.Kind {
	case Auth:
		what = "rejected the credentials"
	case Permission:
		what = "refused: the account lacks a permission"
	case NotFound:
		what = "did not find it"
	case RateLimited:
		what = "is rate limiting requests"
		if e.RetryAfter > 0 {
			what += " (retry after " + e.RetryAfter.String() + ")"
		}
	case Transient:
		what = "is unavailable"
		if e.Code == CodeNetwork || e.Code == CodeTimeout {
			// One answer whether the port was closed, filtered or slow, so
			// "test connection" cannot be used to map a network.
			return strings.TrimPrefix(e.Op+": ", ": ") + who + " could not be reached or did not answer in time"
		}
	case Permanent:
		what = "refused it permanently"
	default:
		what = "rejected the request"
	}
	s := who + " " + what
	if e.Op != "" {
		s = e.Op + ": " + s
	}
	switch {
	case e.Message != "":
		s += ": " + e.Message
	case e.Code != "":
		s += " (" + e.Code + ")" // the upstream said no more than its code
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

// RetryAfterOf returns the wait the upstream asked for, or 0.
func RetryAfterOf(err error) time.Duration {
	var e *Error
	if errors.As(err, &e) {
		return e.RetryAfter
	}
	return 0
}

// IsTemporary reports whether a call that failed with err may succeed if
// tried again. An error that is not an *Error counts as temporary: an
// unclassified failure is more often a glitch than a lasting refusal, and
// the caller's retry limit still bounds it.
func IsTemporary(err error) bool {
	if err == nil {
		return false
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Temporary()
	}
	return true
}

// StatusError classifies an HTTP answer that was not a success. message is
// the upstream's explanation extracted from the body, if any; the wait it
// asked for is read from the response's headers.
func StatusError(upstream, op string, resp *http.Response, code, message string) *Error {
	return StatusErrorAt(upstream, op, resp, code, message, time.Now())
}

// StatusErrorAt is StatusError for a caller with its own clock: a
// Retry-After date is read relative to now.
func StatusErrorAt(upstream, op string, resp *http.Response, code, message string, now time.Time) *Error {
	e := &Error{Upstream: upstream, Op: op, Kind: KindForStatus(resp.StatusCode), Status: resp.StatusCode,
		Code: code, Message: message}
	if e.Kind == "" {
		e.Kind = Permanent // a 1xx or 3xx the client did not follow
	}
	if wait, ok := RetryAfter(resp.Header, now); ok {
		e.RetryAfter = wait
	}
	return e
}

// Codes CallError gives a call that got no usable response.
const (
	// CodeCanceled: the caller's context ended (a job stopped or timed out).
	CodeCanceled = "canceled"
	// CodeCircuitOpen: the upstream's breaker refused the call.
	CodeCircuitOpen = "circuit_open"
	// CodeTimeout: an attempt ran out of time.
	CodeTimeout = "timeout"
	// CodeNetwork: the upstream could not be reached or broke the
	// connection.
	CodeNetwork = "network"
	// CodeAddressNotAllowed: the outbound address policy refused the
	// address the upstream's name resolved to.
	CodeAddressNotAllowed = "address_not_allowed"
)

// CallError classifies a call that got no usable response: the caller's
// context ending, a network failure, a timeout or an open breaker are all
// Transient; Code tells them apart. The query of the URL in err (page
// tokens, signed parameters) is dropped, so the error is safe to log.
func CallError(ctx context.Context, upstream, op string, err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		ue.URL = withoutQuery(ue.URL)
	}
	var ne net.Error
	code := CodeNetwork
	switch {
	case ctx.Err() != nil:
		code = CodeCanceled
		err = errors.Join(ctx.Err(), err)
	case errors.Is(err, ErrAddressNotAllowed):
		return &Error{Upstream: upstream, Op: op, Kind: BadRequest, Code: CodeAddressNotAllowed, Err: err,
			Message: "the address is not allowed: link-local and cloud metadata addresses (and any the operator denied) are never reached"}
	case errors.Is(err, ErrCircuitOpen):
		code = CodeCircuitOpen
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		code = CodeTimeout
	}
	return &Error{Upstream: upstream, Op: op, Kind: Transient, Code: code, Err: err}
}

// withoutQuery drops the query and fragment of a URL shown in errors.
func withoutQuery(u string) string {
	u, _, _ = strings.Cut(u, "#")
	u, _, _ = strings.Cut(u, "?")
	return u
}

// BadResponse classifies a 2xx answer that could not be used (malformed
// JSON, a missing field): Transient, since an upstream that answered
// badly once may answer well the next time.
func BadResponse(upstream, op string, status int, format string, args ...any) *Error {
	return &Error{Upstream: upstream, Op: op, Kind: Transient, Status: status, Err: fmt.Errorf(format, args...)}
}

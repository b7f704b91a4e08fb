package llm

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Kind classifies a provider failure.
type Kind string

// The kinds of provider failure.
const (
	// KindRateLimited is a 429 that retries did not get past.
	KindRateLimited Kind = "rate_limited"
	// KindUnavailable is a 5xx, a network error or a per-attempt timeout.
	KindUnavailable Kind = "unavailable"
	// KindAuth is a rejected API key (401, 403).
	KindAuth Kind = "auth"
	// KindInvalidRequest is any other 4xx: the provider will never accept
	// this request as sent.
	KindInvalidRequest Kind = "invalid_request"
	// KindBadResponse is a 2xx whose body could not be used (malformed
	// JSON, no tool call, empty or refused answer).
	KindBadResponse Kind = "bad_response"
	// KindCanceled is the caller's context ending.
	KindCanceled Kind = "canceled"
)

// Error is what every provider client returns on failure.
type Error struct {
	Provider   string
	Kind       Kind
	StatusCode int // HTTP status, 0 when there was no response
	Err        error
}

// Error names the provider, the kind and the HTTP status.
func (e *Error) Error() string {
	s := "llm " + e.Provider + ": " + string(e.Kind)
	if e.StatusCode != 0 {
		s += " (HTTP " + strconv.Itoa(e.StatusCode) + ")"
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns the SDK's error.
func (e *Error) Unwrap() error { return e.Err }

// Temporary reports whether the same request may succeed later or
// elsewhere: rate limits, outages and unusable answers.
func (e *Error) Temporary() bool {
	switch e.Kind {
	case KindRateLimited, KindUnavailable, KindBadResponse:
		return true
	}
	return false
}

// KindOf returns the Kind of the first *Error in err's chain, or "".
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return ""
}

// KindForStatus maps an HTTP status to a failure kind.
func KindForStatus(status int) Kind {
	switch {
	case status == http.StatusTooManyRequests:
		return KindRateLimited
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		return KindAuth
	case status == http.StatusRequestTimeout || status >= 500:
		return KindUnavailable
	}
	return KindInvalidRequest
}

// Classify turns an error from an SDK into an *Error. ctx is the caller's
// context: once it is done the failure is KindCanceled whatever the SDK
// said; status is the HTTP status of the last response (0 when none). An
// error with a 2xx status is an answer the SDK could not decode.
func Classify(ctx context.Context, provider string, status int, err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	switch {
	case ctx.Err() != nil:
		return &Error{Provider: provider, Kind: KindCanceled, Err: err}
	case status >= 200 && status < 300:
		return &Error{Provider: provider, Kind: KindBadResponse, StatusCode: status, Err: err}
	case status != 0:
		return &Error{Provider: provider, Kind: KindForStatus(status), StatusCode: status, Err: err}
	}
	// No response: a network failure or a per-attempt timeout.
	return &Error{Provider: provider, Kind: KindUnavailable, Err: err}
}

// BadResponse reports a 2xx answer that could not be used.
func BadResponse(provider, format string, args ...any) *Error {
	return &Error{Provider: provider, Kind: KindBadResponse, Err: fmt.Errorf(format, args...)}
}

// RetryAfter reads how long a response asks the client to wait, from
// Retry-After-Ms, or Retry-After in seconds or as an HTTP date. now is the
// clock for the date form.
func RetryAfter(h http.Header, now time.Time) (time.Duration, bool) {
	if v := strings.TrimSpace(h.Get("Retry-After-Ms")); v != "" {
		if ms, err := strconv.ParseFloat(v, 64); err == nil && ms >= 0 {
			return time.Duration(ms * float64(time.Millisecond)), true
		}
	}
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0, false
	}
	if s, err := strconv.ParseFloat(v, 64); err == nil && s >= 0 {
		return time.Duration(s * float64(time.Second)), true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(0, t.Sub(now)), true
	}
	return 0, false
}

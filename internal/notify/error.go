package notify

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Error is a failed delivery, classified so that the job running it knows
// whether to retry (rate limits, outages, timeouts) or to give up and
// dead-letter it (bad credentials, unknown channel or address, a payload
// the provider refuses).
type Error struct {
	Channel ChannelName
	// Retryable reports whether the same delivery may succeed later.
	Retryable bool
	// RetryAfter is how long the provider asked us to wait; 0 when it did
	// not say.
	RetryAfter time.Duration
	// Code is the provider's short error code when it gave one
	// ("channel_not_found", "535", "429"), for the notification log.
	Code string
	Err  error
}

func (e *Error) Error() string {
	kind := "permanent"
	if e.Retryable {
		kind = "retryable"
	}
	s := fmt.Sprintf("%s: %s failure", e.Channel, kind)
	if e.Code != "" {
		s += " (" + e.Code + ")"
	}
	if e.RetryAfter > 0 {
		s += fmt.Sprintf(", retry after %s", e.RetryAfter)
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

// Temporary builds a retryable failure; after is the provider's Retry-After,
// 0 when none.
func Temporary(ch ChannelName, code string, after time.Duration, err error) *Error {
	return &Error{Channel: ch, Retryable: true, RetryAfter: after, Code: code, Err: err}
}

// Permanent builds a failure that retrying cannot fix.
func Permanent(ch ChannelName, err error) *Error {
	return &Error{Channel: ch, Err: err}
}

// PermanentCode builds a failure that retrying cannot fix, with the
// provider's error code.
func PermanentCode(ch ChannelName, code string, err error) *Error {
	return &Error{Channel: ch, Code: code, Err: err}
}

// Retryable reports whether a delivery that failed with err may succeed if
// tried again. An error that is not classified (not an *Error) counts as
// retryable: an unknown failure is more often a glitch than a lasting
// refusal, and the job's retry limit still bounds it.
func Retryable(err error) bool {
	if err == nil {
		return false
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Retryable
	}
	return true
}

// RetryAfter returns the wait the provider asked for, if any.
func RetryAfter(err error) (time.Duration, bool) {
	var e *Error
	if errors.As(err, &e) && e.RetryAfter > 0 {
		return e.RetryAfter, true
	}
	return 0, false
}

// ContextError classifies a failure that happened because ctx ended: the
// job was stopped or timed out, so the delivery may be tried again. It
// returns nil when ctx has not ended.
func ContextError(ctx context.Context, ch ChannelName, err error) *Error {
	if ctx.Err() == nil {
		return nil
	}
	return Temporary(ch, "canceled", 0, errors.Join(ctx.Err(), err))
}

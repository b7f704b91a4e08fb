package llm

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/cenkalti/backoff/v5"
)

// RetryTransport retries a request on 408, 429, 5xx and network errors with
// exponential backoff, waiting as long as Retry-After asks when the server
// says. It is for providers whose SDK does not retry that way itself
// (Gemini); the Anthropic and OpenAI SDKs do.
type RetryTransport struct {
	// Base sends each attempt; http.DefaultTransport when nil.
	Base http.RoundTripper
	// MaxRetries is the number of retries after the first attempt.
	MaxRetries int
	// MaxRetryWait is the longest Retry-After honoured: a server asking for
	// longer gets its response returned at once, so a fallback can answer.
	MaxRetryWait time.Duration
	// AttemptTimeout bounds each attempt, the response body included; 0
	// leaves attempts to the request's context.
	AttemptTimeout time.Duration
	// InitialInterval is the first backoff delay when the server gives no
	// Retry-After; 500 ms when zero.
	InitialInterval time.Duration
	// OnRetry, when set, is told about each retry before its wait.
	OnRetry func(attempt int, wait time.Duration, err error)
}

// retryableStatusError marks a response worth another attempt.
type retryableStatusError struct{ status int }

// Error names the status.
func (e *retryableStatusError) Error() string {
	return fmt.Sprintf("HTTP %d", e.status)
}

func retryableStatus(code int) bool {
	return code == http.StatusRequestTimeout || code == http.StatusTooManyRequests || code >= 500
}

// RoundTrip implements http.RoundTripper.
func (t *RetryTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	base := t.Base
	if base == nil {
		base = http.DefaultTransport
	}
	replayable := req.Body == nil || req.Body == http.NoBody || req.GetBody != nil
	ctx := req.Context()
	var last *http.Response
	var lastCancel context.CancelFunc
	attempt := 0
	op := func() (*http.Response, error) {
		r := req
		if attempt > 0 && req.GetBody != nil {
			body, err := req.GetBody()
			if err != nil {
				return nil, backoff.Permanent(fmt.Errorf("llm: rewind request body: %w", err))
			}
			r = req.Clone(ctx)
			r.Body = body
		}
		attempt++
		cancel := context.CancelFunc(func() {})
		if t.AttemptTimeout > 0 {
			var actx context.Context
			actx, cancel = context.WithTimeout(ctx, t.AttemptTimeout)
			r = r.WithContext(actx)
		}
		resp, err := base.RoundTrip(r)
		last, lastCancel = resp, cancel
		if err != nil {
			if ctx.Err() != nil || !replayable {
				return nil, backoff.Permanent(err)
			}
			return nil, err
		}
		if !retryableStatus(resp.StatusCode) || !replayable {
			return resp, nil
		}
		if wait, ok := RetryAfter(resp.Header, time.Now()); ok {
			if t.MaxRetryWait > 0 && wait > t.MaxRetryWait {
				return resp, nil // too long to wait here: let the caller fall back
			}
			return resp, &backoff.RetryAfterError{Duration: wait}
		}
		return resp, &retryableStatusError{status: resp.StatusCode}
	}
	exp := backoff.NewExponentialBackOff()
	exp.InitialInterval = Or(t.InitialInterval, 500*time.Millisecond)
	exp.MaxInterval = 8 * time.Second
	resp, err := backoff.Retry(ctx, op,
		backoff.WithBackOff(exp),
		backoff.WithMaxTries(uint(max(0, t.MaxRetries)+1)),
		backoff.WithMaxElapsedTime(0),
		backoff.WithNotify(func(err error, wait time.Duration) {
			if last != nil {
				drain(last)
				last = nil
			}
			lastCancel()
			if t.OnRetry != nil {
				t.OnRetry(attempt, wait, err)
			}
		}))
	var rs *retryableStatusError
	var ra *backoff.RetryAfterError
	if err != nil && resp != nil && (errors.As(err, &rs) || errors.As(err, &ra)) && ctx.Err() == nil {
		err = nil // out of retries: hand the last response to the SDK to report
	}
	if err != nil {
		if resp != nil {
			drain(resp)
		}
		lastCancel()
		return nil, err
	}
	resp.Body = &cancelOnClose{ReadCloser: resp.Body, cancel: lastCancel}
	return resp, nil
}

// drain discards what is left of a response so its connection is reused.
func drain(resp *http.Response) {
	// The body of a response that is being retried is of no interest; a
	// read error here only means the connection will not be reused.
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	_ = resp.Body.Close()
}

// cancelOnClose ends an attempt's timeout once its body has been read.
type cancelOnClose struct {
	io.ReadCloser
	cancel context.CancelFunc
}

// Close closes the body and ends the attempt's timeout.
func (c *cancelOnClose) Close() error {
	err := c.ReadCloser.Close()
	c.cancel()
	return err
}

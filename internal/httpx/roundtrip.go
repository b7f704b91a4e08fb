package httpx

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/cenkalti/backoff/v5"
)

// maxBufferedBody bounds how much of a response that will be retried is
// kept (it is returned to the caller when retries run out).
const maxBufferedBody = 64 << 10

// statusError makes backoff retry a response; it carries the server's
// Retry-After to backoff through Unwrap.
type statusError struct {
	status     int
	retryAfter *backoff.RetryAfterError
}

func (e *statusError) Error() string { return fmt.Sprintf("HTTP %d", e.status) }

func (e *statusError) Unwrap() error {
	if e.retryAfter == nil {
		return nil
	}
	return e.retryAfter
}

// RoundTrip sends req, retrying as the package comment describes.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	idem := idempotent(req)
	tries := uint(t.policy.MaxRetries + 1)
	if req.Body != nil && req.Body != http.NoBody && req.GetBody == nil {
		tries = 1 // the body cannot be sent twice
	}
	n := 0
	reason := "" // why the previous attempt is being repeated
	op := func() (*http.Response, error) {
		n++
		if n > 1 {
			t.report.retried(reason)
		}
		attempt := req
		if n > 1 && req.GetBody != nil {
			body, err := req.GetBody()
			if err != nil {
				return nil, backoff.Permanent(fmt.Errorf("httpx %s: rewind request body: %w", t.policy.Name, err))
			}
			attempt = req.Clone(ctx)
			attempt.Body = body
		}
		resp, err := t.attempt(attempt, n)
		if err != nil {
			if ctx.Err() != nil || errors.Is(err, ErrCircuitOpen) || !idem {
				return nil, backoff.Permanent(err)
			}
			reason = reasonError
			return nil, err
		}
		if resp.StatusCode != http.StatusTooManyRequests && !(idem && retryableStatus(resp.StatusCode)) {
			return resp, nil
		}
		reason = reasonStatus
		if resp.StatusCode == http.StatusTooManyRequests {
			reason = reasonRateLimited
		}
		se := &statusError{status: resp.StatusCode}
		if wait, ok := RetryAfter(resp.Header, time.Now()); ok {
			if wait > t.policy.MaxRetryAfter {
				return resp, backoff.Permanent(se)
			}
			se.retryAfter = &backoff.RetryAfterError{Duration: wait}
		}
		if err := buffer(resp); err != nil {
			return nil, err
		}
		return resp, se
	}
	resp, err := backoff.Retry(ctx, op,
		backoff.WithBackOff(&backoff.ExponentialBackOff{
			InitialInterval:     t.policy.InitialBackoff,
			RandomizationFactor: backoff.DefaultRandomizationFactor,
			Multiplier:          2,
			MaxInterval:         t.policy.MaxBackoff,
		}),
		backoff.WithMaxTries(tries),
		backoff.WithMaxElapsedTime(0),
		backoff.WithNotify(func(err error, wait time.Duration) {
			if t.policy.OnRetry != nil {
				t.policy.OnRetry(n, wait, err)
			}
		}),
	)
	var se *statusError
	switch {
	case err == nil:
		return resp, nil
	case errors.As(err, &se) && resp != nil:
		// Retries ran out or the wait was too long: the caller classifies
		// the last answer.
		return resp, nil
	}
	if resp != nil {
		// Dropping this body is right: err (the caller's context ending
		// while waiting) is what the caller gets.
		_ = resp.Body.Close()
	}
	return nil, err
}

// attempt sends one request (the n-th try) through the limiter, the
// breaker and the per-attempt timeout, and reports it.
func (t *Transport) attempt(req *http.Request, n int) (*http.Response, error) {
	ctx := req.Context()
	if err := t.limiter.Wait(ctx); err != nil {
		closeBody(req)
		return nil, fmt.Errorf("httpx %s: wait for rate limiter: %w", t.policy.Name, err)
	}
	done, err := t.breaker.Allow()
	if err != nil {
		closeBody(req)
		err = fmt.Errorf("httpx %s: %w: %w", t.policy.Name, ErrCircuitOpen, err)
		t.report.attempted(req, n, 0, classBreakerOpen, 0, err)
		return nil, err
	}
	cancel := context.CancelFunc(func() {})
	if t.policy.AttemptTimeout > 0 {
		var actx context.Context
		actx, cancel = context.WithTimeout(ctx, t.policy.AttemptTimeout)
		req = req.WithContext(actx)
	}
	start := time.Now()
	resp, err := t.base.RoundTrip(req)
	if err != nil {
		t.report.attempted(req, n, 0, classError, time.Since(start), err)
		cancel()
		if ctx.Err() != nil {
			done(errExcluded)
		} else {
			done(err)
		}
		return nil, err
	}
	t.report.attempted(req, n, resp.StatusCode, statusClass(resp.StatusCode), time.Since(start), nil)
	if resp.StatusCode >= 500 {
		done(&statusError{status: resp.StatusCode})
	} else {
		done(nil)
	}
	resp.Body = &cancelBody{ReadCloser: resp.Body, cancel: cancel}
	return resp, nil
}

// closeBody closes the body of a request that will not be sent, as a
// RoundTripper must; a close error of an in-memory body says nothing useful.
func closeBody(req *http.Request) {
	if req.Body != nil {
		_ = req.Body.Close()
	}
}

// statusOverloaded is the 529 some APIs (Anthropic's) answer when they are
// overloaded for a moment.
const statusOverloaded = 529

// retryableStatus lists the answers that may pass if asked again: the
// server timed out waiting for the request, failed, or is overloaded.
func retryableStatus(status int) bool {
	switch status {
	case http.StatusRequestTimeout, http.StatusInternalServerError, http.StatusBadGateway,
		http.StatusServiceUnavailable, http.StatusGatewayTimeout, statusOverloaded:
		return true
	}
	return false
}

// buffer reads a response that is about to be retried into memory, so its
// connection and attempt context are released now while the response can
// still be returned if retries run out.
func buffer(resp *http.Response) error {
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxBufferedBody))
	closeErr := resp.Body.Close()
	if err == nil {
		err = closeErr
	}
	if err != nil {
		return fmt.Errorf("httpx: read HTTP %d response: %w", resp.StatusCode, err)
	}
	resp.Body = io.NopCloser(bytes.NewReader(data))
	return nil
}

// cancelBody ends the attempt's context when the body is closed.
type cancelBody struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (b *cancelBody) Close() error {
	err := b.ReadCloser.Close()
	b.cancel()
	return err
}

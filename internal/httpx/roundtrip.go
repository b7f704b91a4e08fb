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

// statusError makes backoff retry a response, with the wait the server
// asked for. It deliberately does not unwrap to backoff.RetryAfterError: the
// transport waits itself (see RoundTrip).
type statusError struct {
	status     int
	retryAfter time.Duration
	hasWait    bool // the server named a wait (Retry-After or Retry-After-Ms)
}

func (e *statusError) Error() string { return fmt.Sprintf("HTTP %d", e.status) }

// RoundTrip sends req, retrying as the package comment describes.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	idem := idempotent(req)
	tries := uint(t.policy.MaxRetries + 1)
	if req.Body != nil && req.Body != http.NoBody && req.GetBody == nil {
		tries = 1 // the body cannot be sent twice
	}
	n := 0
	reason := ""           // why the previous attempt is being repeated
	var wait time.Duration // how long to wait before the next attempt
	exp := t.exponential()
	op := func() (*http.Response, error) {
		n++
		if n > 1 {
			if err := t.policy.Sleep(ctx, wait); err != nil {
				return nil, backoff.Permanent(err)
			}
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
		if after, ok := RetryAfter(resp.Header, time.Now()); ok {
			if after > t.policy.MaxRetryAfter {
				return resp, backoff.Permanent(se)
			}
			se.retryAfter, se.hasWait = after, true
		}
		if err := buffer(resp); err != nil {
			return nil, err
		}
		return resp, se
	}
	// backoff runs the attempts, counts them and stops at a permanent
	// error; its own timer never waits (ZeroBackOff), because backoff/v5
	// cannot be given another clock. The wait is chosen when an attempt
	// fails (the server's Retry-After, else the next exponential, jittered
	// interval) and spent through Policy.Sleep before the next one.
	resp, err := backoff.Retry(ctx, op,
		backoff.WithBackOff(&backoff.ZeroBackOff{}),
		backoff.WithMaxTries(tries),
		backoff.WithMaxElapsedTime(0),
		backoff.WithNotify(func(err error, _ time.Duration) {
			wait = exp.NextBackOff()
			if se := (*statusError)(nil); errors.As(err, &se) && se.hasWait {
				// As backoff does with a Retry-After: this wait, and the
				// exponential sequence starts again.
				wait = se.retryAfter
				exp.Reset()
			}
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

// exponential is the backoff between retries the server gave no wait for.
func (t *Transport) exponential() *backoff.ExponentialBackOff {
	b := &backoff.ExponentialBackOff{
		InitialInterval:     t.policy.InitialBackoff,
		RandomizationFactor: backoff.DefaultRandomizationFactor,
		Multiplier:          2,
		MaxInterval:         t.policy.MaxBackoff,
	}
	b.Reset()
	return b
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

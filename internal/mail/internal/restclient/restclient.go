// Package restclient is the small JSON-over-HTTP client the Graph and Gmail
// mailbox adapters share: it honours 429/503 Retry-After, maps HTTP statuses
// to apperr codes once, and keeps the vendor's error text for the logs.
package restclient

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"github.com/vendorsync/vendorsync/internal/apperr"
)

// Defaults for Client.
const (
	DefaultMaxRetries = 3
	DefaultMaxWait    = 60 * time.Second
	// MaxBody bounds every response body read (a raw message included).
	MaxBody = 256 << 20
)

// Client calls one REST API. HTTP must already authenticate requests (an
// oauth2 client).
type Client struct {
	HTTP *http.Client
	// Service names the API in error messages ("Microsoft Graph").
	Service string
	// Header is added to every request (say, Graph's Prefer).
	Header http.Header
	// MaxRetries is how often a 429 or 503 is retried; default 3.
	MaxRetries int
	// MaxWait is the longest Retry-After honoured; a longer one fails the
	// call as Unavailable instead of blocking the poll. Default 60s.
	MaxWait time.Duration
}

// JSON sends body (when not nil) as JSON and decodes the response into out
// (when not nil).
func (c *Client) JSON(ctx context.Context, method, url string, body, out any) error {
	var payload []byte
	if body != nil {
		var err error
		if payload, err = json.Marshal(body); err != nil {
			return fmt.Errorf("%s %s: encode request: %w", method, redact(url), err)
		}
	}
	data, err := c.do(ctx, method, url, payload, "application/json")
	if err != nil || out == nil || len(data) == 0 {
		return err
	}
	if err := json.Unmarshal(data, out); err != nil {
		return apperr.Wrap(apperr.Unavailable, fmt.Errorf("%s %s: decode response: %w", method, redact(url), err),
			"%s answered with an unexpected response", c.Service)
	}
	return nil
}

// Raw GETs url and returns the body as is (a raw MIME message), with the
// same retries and error mapping as JSON.
func (c *Client) Raw(ctx context.Context, url string) ([]byte, error) {
	return c.do(ctx, http.MethodGet, url, nil, "*/*")
}

// do sends one request, retrying 429 and 503 as the server asks, and
// returns the response body of a 2xx answer. Any other answer is an apperr
// whose code follows the status (see codeFor).
func (c *Client) do(ctx context.Context, method, url string, payload []byte, accept string) ([]byte, error) {
	maxRetries, maxWait := c.MaxRetries, c.MaxWait
	if maxRetries <= 0 {
		maxRetries = DefaultMaxRetries
	}
	if maxWait <= 0 {
		maxWait = DefaultMaxWait
	}
	for attempt := 0; ; attempt++ {
		status, header, data, err := c.once(ctx, method, url, payload, accept)
		if err != nil {
			return nil, err
		}
		if status >= 200 && status < 300 {
			return data, nil
		}
		cause := fmt.Errorf("%s %s: HTTP %d: %s", method, redact(url), status, errorText(data))
		if (status != http.StatusTooManyRequests && status != http.StatusServiceUnavailable) || attempt >= maxRetries {
			return nil, apperr.Wrap(codeFor(status), cause, "%s answered HTTP %d", c.Service, status)
		}
		wait, ok := RetryAfter(header.Get("Retry-After"), time.Now())
		if !ok {
			wait = time.Second << attempt
		}
		if wait > maxWait {
			return nil, apperr.Wrap(apperr.Unavailable, cause, "%s is rate limiting; retry after %s", c.Service, wait.Round(time.Second))
		}
		if err := sleep(ctx, wait); err != nil {
			return nil, apperr.Wrap(apperr.Unavailable, errors.Join(err, cause), "%s call cancelled while rate limited", c.Service)
		}
	}
}

// once performs a single HTTP exchange.
func (c *Client) once(ctx context.Context, method, url string, payload []byte, accept string) (int, http.Header, []byte, error) {
	var body io.Reader
	if payload != nil {
		body = bytes.NewReader(payload)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, body)
	if err != nil {
		return 0, nil, nil, fmt.Errorf("%s %s: build request: %w", method, redact(url), err)
	}
	for k, vs := range c.Header {
		req.Header[k] = vs
	}
	req.Header.Set("Accept", accept)
	if payload != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		var re *oauth2.RetrieveError
		if errors.As(err, &re) {
			return 0, nil, nil, apperr.Wrap(apperr.Unauthorized, err, "%s: the OAuth2 token endpoint refused the credentials", c.Service)
		}
		return 0, nil, nil, apperr.Wrap(apperr.Unavailable, err, "cannot reach %s", c.Service)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, MaxBody+1))
	if err != nil {
		return 0, nil, nil, apperr.Wrap(apperr.Unavailable, fmt.Errorf("%s %s: read response: %w", method, redact(url), err), "cannot reach %s", c.Service)
	}
	if len(data) > MaxBody {
		return 0, nil, nil, apperr.Wrap(apperr.Unavailable, fmt.Errorf("%s %s: response over %d bytes", method, redact(url), MaxBody),
			"%s answered with an oversized response", c.Service)
	}
	return resp.StatusCode, resp.Header, data, nil
}

// codeFor maps an HTTP status to an apperr code.
func codeFor(status int) apperr.Code {
	switch {
	case status == http.StatusBadRequest:
		return apperr.Invalid
	case status == http.StatusUnauthorized:
		return apperr.Unauthorized
	case status == http.StatusForbidden:
		return apperr.Forbidden
	case status == http.StatusNotFound || status == http.StatusGone:
		return apperr.NotFound
	case status == http.StatusConflict || status == http.StatusPreconditionFailed:
		return apperr.Conflict
	case status == http.StatusTooManyRequests || status >= 500:
		return apperr.Unavailable
	}
	return apperr.Internal
}

// RetryAfter parses a Retry-After header (seconds or an HTTP date).
func RetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.Atoi(v); err == nil && secs >= 0 {
		return time.Duration(secs) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}

// errorText extracts the message of a Graph, Google or OAuth2 error body.
func errorText(data []byte) string {
	var doc struct {
		Error            json.RawMessage `json:"error"`
		ErrorDescription string          `json:"error_description"`
	}
	if json.Unmarshal(data, &doc) == nil && len(doc.Error) > 0 {
		var nested struct {
			Code    any    `json:"code"`
			Message string `json:"message"`
		}
		if json.Unmarshal(doc.Error, &nested) == nil && nested.Message != "" {
			return fmt.Sprintf("%v: %s", nested.Code, nested.Message)
		}
		return strings.TrimSpace(string(doc.Error) + " " + doc.ErrorDescription)
	}
	s := strings.TrimSpace(string(data))
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}

// redact drops the query string, which may carry page tokens, from a URL
// shown in errors.
func redact(url string) string {
	u, _, _ := strings.Cut(url, "?")
	return u
}

// sleep waits d or until ctx is done.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

package jira

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/vendorsync/vendorsync/internal/httpx"
)

// maxResponse bounds every response body read.
const maxResponse = 16 << 20

// call sends body (when not nil) as JSON to the API path and decodes a 2xx
// answer into out (when not nil). Failures are *httpx.Error.
func (c *Client) call(ctx context.Context, op, method, path string, body, out any) error {
	var payload io.Reader
	if body != nil {
		data, err := json.Marshal(body)
		if err != nil {
			return c.fail(op, httpx.BadRequest, 0, "", fmt.Errorf("encode request: %w", err))
		}
		payload = bytes.NewReader(data)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+c.api()+path, payload)
	if err != nil {
		return c.fail(op, httpx.BadRequest, 0, "", fmt.Errorf("build request: %w", err))
	}
	req.Header.Set("Authorization", c.auth)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "VendorSync")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return httpx.CallError(ctx, upstream, op, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse+1))
	switch {
	case err != nil:
		return c.fail(op, httpx.Transient, resp.StatusCode, "", fmt.Errorf("read response: %w", err))
	case len(data) > maxResponse:
		return c.fail(op, httpx.Transient, resp.StatusCode, "", fmt.Errorf("response over %d bytes", maxResponse))
	}
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		if out == nil || len(bytes.TrimSpace(data)) == 0 {
			return nil
		}
		if err := json.Unmarshal(data, out); err != nil {
			return c.fail(op, httpx.Transient, resp.StatusCode, "Jira answered with an unexpected response",
				fmt.Errorf("decode response: %w", err))
		}
		return nil
	}
	return c.statusError(op, resp, data)
}

// statusError classifies a non-2xx answer.
func (c *Client) statusError(op string, resp *http.Response, data []byte) error {
	status := resp.StatusCode
	e := httpx.StatusError(upstream, op, resp, "", errorText(data))
	switch {
	case status >= 300 && status < 400:
		e.Kind = httpx.BadRequest
		e.Message = "Jira redirected to " + redirectTarget(resp) + ": check the base URL"
	case e.Kind == "" || e.Kind == httpx.Permanent:
		e.Kind = httpx.Transient
	case e.Kind == httpx.RateLimited && e.RetryAfter == 0:
		e.RetryAfter = rateLimitReset(resp.Header, time.Now())
	case status == http.StatusForbidden && resp.Header.Get("X-Seraph-LoginReason") == "AUTHENTICATION_DENIED":
		// Jira Server locks an account behind a CAPTCHA after failed
		// logins: only a person signing in through the browser clears it.
		e.Kind = httpx.Auth
		e.Message = "Jira requires a CAPTCHA sign-in for this account after failed logins"
	}
	return e
}

// rateLimitReset reads Jira Cloud's X-RateLimit-Reset, the time its rate
// limit resets as ISO 8601 to the minute (2026-03-01T10:31Z), which a 429
// may carry instead of Retry-After; 0 when absent or past.
func rateLimitReset(h http.Header, now time.Time) time.Duration {
	v := h.Get("X-RateLimit-Reset")
	for _, layout := range []string{"2006-01-02T15:04Z07:00", time.RFC3339} {
		if t, err := time.Parse(layout, v); err == nil {
			return max(t.Sub(now), 0)
		}
	}
	return 0
}

// upstream names Jira in errors, metrics and logs.
const upstream = "jira"

// fail builds the client's error for a failure without a usable answer.
func (c *Client) fail(op string, kind httpx.Kind, status int, msg string, err error) error {
	return &httpx.Error{Upstream: upstream, Op: op, Kind: kind, Status: status, Message: msg, Err: err}
}

// invalid turns a local validation failure into the client's error.
func (c *Client) invalid(op string, err error) error {
	msg := err.Error()
	var he *httpx.Error
	if errors.As(err, &he) {
		msg = he.Message
	}
	return c.fail(op, httpx.BadRequest, 0, msg, nil)
}

// redirectTarget shows where a redirect pointed, without any query.
func redirectTarget(resp *http.Response) string {
	loc, err := resp.Location()
	if err != nil {
		return "an unknown location"
	}
	loc.RawQuery, loc.User = "", nil
	return loc.String()
}

// jiraErrors is Jira's error body: {"errorMessages":[…],"errors":{…}}.
type jiraErrors struct {
	ErrorMessages []string          `json:"errorMessages"`
	Errors        map[string]string `json:"errors"`
	Message       string            `json:"message"` // Atlassian's gateway errors
}

// errorText turns an error body into one line: Jira's messages and field
// errors (sorted by field), or short plain text; never an HTML page.
func errorText(data []byte) string {
	var je jiraErrors
	if json.Unmarshal(data, &je) == nil {
		parts := append([]string(nil), je.ErrorMessages...)
		fields := make([]string, 0, len(je.Errors))
		for f := range je.Errors {
			fields = append(fields, f)
		}
		sort.Strings(fields)
		for _, f := range fields {
			parts = append(parts, f+": "+je.Errors[f])
		}
		if je.Message != "" {
			parts = append(parts, je.Message)
		}
		return truncate(strings.Join(parts, "; "), 1000)
	}
	s := strings.TrimSpace(string(data))
	if strings.HasPrefix(s, "<") {
		return ""
	}
	return truncate(s, 200)
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}

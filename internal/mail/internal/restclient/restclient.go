// Package restclient is the small JSON-over-HTTP client the Graph and Gmail
// mailbox adapters share, on the httpx outbound layer: the transport
// retries and honours the waits the API asks for; this package builds the
// requests, reads the answers and classifies failures as *httpx.Error,
// keeping the API's own error text.
package restclient

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"github.com/vendorsync/vendorsync/internal/httpx"
)

// Defaults of the mailbox APIs' policy.
const (
	// AttemptTimeout bounds one attempt, a raw message's body included.
	AttemptTimeout = 60 * time.Second
	// MaxRetryAfter is the longest wait the API may ask for that is waited
	// out within the poll; a longer one fails the call as RateLimited, and
	// the next poll tries again.
	MaxRetryAfter = 60 * time.Second
	// MaxBody bounds every response body read (a raw message included).
	MaxBody = 256 << 20
)

// New returns the client of a mailbox API named upstream ("graph",
// "gmail"): an httpx client on base (nil: the default transport) whose
// requests auth authenticates (an oauth2 transport built on the base it
// is given).
func New(upstream, service string, base *http.Client, t httpx.Telemetry, auth func(http.RoundTripper) http.RoundTripper) *Client {
	hc := httpx.NewClient(upstream, httpx.Policy{AttemptTimeout: AttemptTimeout, MaxRetryAfter: MaxRetryAfter},
		httpx.WithBase(base), httpx.WithTelemetry(t))
	hc.Transport = auth(hc.Transport)
	return &Client{HTTP: hc, Upstream: upstream, Service: service}
}

// TokenClient is the client OAuth2 token requests go through (put it in
// the context under oauth2.HTTPClient): on the httpx layer, labelled
// "oauth2" whichever provider issues the tokens.
func TokenClient(base *http.Client, t httpx.Telemetry) *http.Client {
	return httpx.NewClient("oauth2", httpx.Policy{AttemptTimeout: 30 * time.Second}, httpx.WithBase(base), httpx.WithTelemetry(t))
}

// Client calls one REST API. HTTP must already authenticate requests (an
// oauth2 transport) and run on an httpx transport.
type Client struct {
	HTTP *http.Client
	// Upstream names the API in errors ("graph", "gmail").
	Upstream string
	// Service names the API in messages for people ("Microsoft Graph").
	Service string
	// Header is added to every request (say, Graph's Prefer).
	Header http.Header
}

// JSON sends body (when not nil) as JSON and decodes the response into out
// (when not nil).
func (c *Client) JSON(ctx context.Context, method, target string, body, out any) error {
	var payload []byte
	if body != nil {
		var err error
		if payload, err = json.Marshal(body); err != nil {
			return fmt.Errorf("%s %s: encode request: %w", method, pathOf(target), err)
		}
	}
	data, err := c.do(ctx, method, target, payload, "application/json")
	if err != nil || out == nil || len(data) == 0 {
		return err
	}
	if err := json.Unmarshal(data, out); err != nil {
		e := httpx.BadResponse(c.Upstream, method+" "+pathOf(target), http.StatusOK, "decode response: %w", err)
		e.Message = c.Service + " answered with an unexpected response"
		return e
	}
	return nil
}

// Raw GETs target and returns the body as is (a raw MIME message), with
// the same error classification as JSON.
func (c *Client) Raw(ctx context.Context, target string) ([]byte, error) {
	return c.do(ctx, http.MethodGet, target, nil, "*/*")
}

// do performs one call and returns the body of a 2xx answer. Every call
// of the mailbox adapters is a read or an update that is harmless to
// repeat (mark read, relabel, move by immutable id), so the transport may
// retry any of them after a 5xx.
func (c *Client) do(ctx context.Context, method, target string, payload []byte, accept string) ([]byte, error) {
	op := method + " " + pathOf(target)
	var body io.Reader
	if payload != nil {
		body = bytes.NewReader(payload)
	}
	req, err := http.NewRequestWithContext(httpx.MarkIdempotent(ctx), method, target, body)
	if err != nil {
		return nil, fmt.Errorf("%s: build request: %w", op, err)
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
		return nil, c.callError(ctx, op, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, MaxBody+1))
	switch {
	case err != nil:
		return nil, httpx.CallError(ctx, c.Upstream, op, fmt.Errorf("read response: %w", err))
	case len(data) > MaxBody:
		e := httpx.BadResponse(c.Upstream, op, resp.StatusCode, "response over %d bytes", MaxBody)
		e.Message = c.Service + " answered with an oversized response"
		return nil, e
	case resp.StatusCode < 200 || resp.StatusCode > 299:
		code, msg := errorText(data)
		return nil, httpx.StatusError(c.Upstream, op, resp, code, msg)
	}
	return data, nil
}

// callError classifies a call that got no answer. The OAuth2 token
// endpoint refusing the credentials surfaces here too, since the token is
// fetched within the call: that is Auth (unless the token endpoint itself
// was down or rate limiting), with the endpoint's error code.
func (c *Client) callError(ctx context.Context, op string, err error) error {
	e := httpx.CallError(ctx, c.Upstream, op, err)
	var re *oauth2.RetrieveError
	if ctx.Err() != nil || !errors.As(err, &re) {
		return e
	}
	e.Op, e.Kind, e.Code, e.Message = "get an OAuth2 token for "+op, httpx.Auth, re.ErrorCode, re.ErrorDescription
	if re.Response != nil {
		e.Status = re.Response.StatusCode
		if k := httpx.KindForStatus(e.Status); k.Temporary() {
			e.Kind = k
		}
	}
	if e.Message == "" {
		e.Message = "the token endpoint refused the credentials"
	}
	return e
}

// errorText extracts the code and message of a Graph, Google or OAuth2
// error body.
func errorText(data []byte) (code, message string) {
	var doc struct {
		Error            json.RawMessage `json:"error"`
		ErrorDescription string          `json:"error_description"`
	}
	if json.Unmarshal(data, &doc) == nil && len(doc.Error) > 0 {
		var nested struct {
			Code    any    `json:"code"`
			Status  string `json:"status"`
			Message string `json:"message"`
		}
		if json.Unmarshal(doc.Error, &nested) == nil && nested.Message != "" {
			code := fmt.Sprint(nested.Code)
			if nested.Status != "" {
				code = nested.Status // Google's code is the HTTP status; its status names the error
			}
			return code, nested.Message
		}
		var flat string
		if json.Unmarshal(doc.Error, &flat) == nil {
			return flat, doc.ErrorDescription
		}
		return "", strings.TrimSpace(string(doc.Error) + " " + doc.ErrorDescription)
	}
	s := strings.TrimSpace(string(data))
	if strings.HasPrefix(s, "<") {
		return "", "" // an HTML error page says nothing an admin can use
	}
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return "", s
}

// pathOf is the path of a URL, what a call is named by in errors: the host
// is the API's, and the query may carry page tokens.
func pathOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		p, _, _ := strings.Cut(raw, "?")
		return p
	}
	return u.EscapedPath()
}

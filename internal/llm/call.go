package llm

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/vendorsync/vendorsync/internal/httpx"
)

// MaxAnswerBytes bounds a provider's answer read into memory. An answer is
// untrusted input, and a structured triage decision is a few kilobytes.
const MaxAnswerBytes = 4 << 20

// maxErrorMessage bounds the provider's error text kept in an error; a proxy
// in front of the provider may answer with anything.
const maxErrorMessage = 1000

// Transport says how a provider client reaches its API. Every provider
// Config carries these fields; zero values take the defaults below.
type Transport struct {
	// Upstream names the provider for the outbound layer's breaker and
	// metrics ("anthropic", "openai", "azure-openai", "gemini"): a bounded
	// name, never a model or a URL.
	Upstream string
	// Timeout bounds each attempt, the answer's body included;
	// DefaultTimeout when zero.
	Timeout time.Duration
	// MaxRetries for 408, 429, 5xx, 529 and network errors;
	// DefaultMaxRetries when zero, none when negative.
	MaxRetries int
	// MaxRetryWait is the longest Retry-After honoured; a provider asking
	// for longer fails at once so that a fallback can answer.
	// httpx.DefaultMaxRetryAfter when zero.
	MaxRetryWait time.Duration
	// HTTPClient's Transport sends the attempts when set (tests, proxies).
	HTTPClient *http.Client
	// OnRetry, when set, is told about each retry before its wait.
	OnRetry func(attempt int, wait time.Duration, err error)
	// Telemetry receives the calls' metrics and debug logs.
	Telemetry httpx.Telemetry
}

// Caller posts JSON requests to one provider API through the shared
// outbound layer (internal/httpx: attempt timeout, retries honouring
// Retry-After, breaker) and turns every failure into an *httpx.Error, so
// provider packages only build requests and read answers.
type Caller struct {
	// Name names the client in errors ("anthropic:claude-sonnet-4-5").
	Name string
	// Op says what a call does ("create message").
	Op string

	client *http.Client
}

// NewCaller builds a Caller whose requests go through one httpx Transport
// configured from t.
func NewCaller(name, op string, t Transport) *Caller {
	var base http.RoundTripper
	if t.HTTPClient != nil {
		base = t.HTTPClient.Transport
	}
	retries := Or(t.MaxRetries, DefaultMaxRetries)
	if retries <= 0 {
		retries = -1 // httpx reads 0 as its own default
	}
	tr := httpx.New(base, httpx.Policy{
		Name:           t.Upstream,
		AttemptTimeout: Or(t.Timeout, DefaultTimeout),
		MaxRetries:     retries,
		MaxRetryAfter:  t.MaxRetryWait,
		OnRetry:        t.OnRetry,
	}, httpx.WithTelemetry(t.Telemetry))
	return &Caller{Name: name, Op: op, client: &http.Client{Transport: tr, CheckRedirect: sameHost}}
}

// sameHost follows a redirect only on the host first asked: the API key
// travels in headers (x-api-key, api-key, x-goog-api-key) that net/http
// would forward to any host. A redirect elsewhere is answered as it came,
// a refusal (httpx.Permanent).
func sameHost(req *http.Request, via []*http.Request) error {
	if len(via) >= 10 {
		return errors.New("stopped after 10 redirects")
	}
	if req.URL.Scheme != via[0].URL.Scheme || req.URL.Host != via[0].URL.Host {
		return http.ErrUseLastResponse
	}
	return nil
}

// Post sends in as JSON to url with header and has decode read the 2xx
// answer's body; the Response gets the Caller's Name as Provider and the
// body as Raw. A completion changes nothing at the provider, so the request
// is marked idempotent: 5xx answers and network errors are retried too. An
// error of decode is reported as an unusable answer (httpx.BadResponse).
func (c *Caller) Post(ctx context.Context, url string, header http.Header, in any, decode func(body []byte) (Response, error)) (Response, error) {
	body, err := json.Marshal(in)
	if err != nil {
		return Response{}, &httpx.Error{Upstream: c.Name, Op: c.Op, Kind: httpx.BadRequest, Err: fmt.Errorf("encode request: %w", err)}
	}
	req, err := http.NewRequestWithContext(httpx.MarkIdempotent(ctx), http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return Response{}, &httpx.Error{Upstream: c.Name, Op: c.Op, Kind: httpx.BadRequest, Err: fmt.Errorf("build request: %w", err)}
	}
	for k, v := range header {
		req.Header[k] = v
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	resp, err := c.client.Do(req)
	if err != nil {
		return Response{}, httpx.CallError(ctx, c.Name, c.Op, err)
	}
	defer func() {
		// The body has been read to its end or to the bound; a close error
		// changes nothing about the answer.
		_ = resp.Body.Close()
	}()
	data, err := io.ReadAll(io.LimitReader(resp.Body, MaxAnswerBytes+1))
	if err != nil {
		return Response{}, httpx.CallError(ctx, c.Name, c.Op, fmt.Errorf("read answer: %w", err))
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		code, message := ErrorBody(data)
		return Response{}, httpx.StatusError(c.Name, c.Op, resp, clip(code, 100), clip(message, maxErrorMessage))
	}
	if len(data) > MaxAnswerBytes {
		return Response{}, httpx.BadResponse(c.Name, c.Op, resp.StatusCode, "answer larger than %d bytes", MaxAnswerBytes)
	}
	out, err := decode(data)
	if err != nil {
		return Response{}, httpx.BadResponse(c.Name, c.Op, resp.StatusCode, "%w", err)
	}
	out.Provider, out.Raw = c.Name, string(data)
	return out, nil
}

// clip shortens s to at most n bytes without splitting a character, and
// drops invalid UTF-8 and surrounding space.
func clip(s string, n int) string {
	s = strings.TrimSpace(strings.ToValidUTF8(s, ""))
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// ErrorBody reads the code and message of a provider's error answer. The
// three APIs share the {"error": {...}} envelope and differ in where the
// code is: Gemini's status ("RESOURCE_EXHAUSTED"), OpenAI's code
// ("invalid_api_key", often null) or type ("server_error"), Anthropic's type
// ("overloaded_error"). Some compatible servers (Ollama) send the message
// as a plain string. A body in none of these shapes yields nothing.
func ErrorBody(body []byte) (code, message string) {
	var env struct {
		Error json.RawMessage `json:"error"`
	}
	if json.Unmarshal(body, &env) != nil || len(env.Error) == 0 {
		return "", ""
	}
	if json.Unmarshal(env.Error, &message) == nil {
		return "", message
	}
	var e struct {
		Message string          `json:"message"`
		Status  json.RawMessage `json:"status"`
		Code    json.RawMessage `json:"code"`
		Type    json.RawMessage `json:"type"`
	}
	if json.Unmarshal(env.Error, &e) != nil {
		return "", ""
	}
	for _, raw := range []json.RawMessage{e.Status, e.Code, e.Type} {
		var s string
		if json.Unmarshal(raw, &s) == nil && s != "" {
			return s, e.Message
		}
	}
	return "", e.Message
}

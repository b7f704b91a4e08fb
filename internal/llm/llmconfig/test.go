package llmconfig

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/httpx"
	"github.com/vendorsync/vendorsync/internal/llm"
)

// ModelTestResult is the outcome of a connection test.
type ModelTestResult struct {
	OK        bool   `json:"ok"`
	Provider  string `json:"provider" doc:"Provider and model tested, e.g. openai:gpt-4o-mini."`
	Model     string `json:"model,omitempty" doc:"Model that answered, as the provider reports it."`
	LatencyMS int64  `json:"latency_ms"`
	// Kind classifies a failure: auth, rate_limited, unavailable,
	// invalid_request, bad_response or canceled (failureKind).
	Kind    string `json:"kind,omitempty"`
	Message string `json:"message"`
}

// The failure kinds of a connection test. They are the API's vocabulary,
// older than the outbound layer's taxonomy and read from it (failureKind).
const (
	failAuth        = "auth"
	failRateLimited = "rate_limited"
	failUnavailable = "unavailable"
	failRefused     = "invalid_request"
	failBadAnswer   = "bad_response"
	failCanceled    = "canceled"
)

// testRequest is the tiny structured request a test sends.
var testRequest = llm.Request{
	System:   "You are a connectivity check. Answer only with the requested JSON object.",
	Messages: []llm.Message{{Role: llm.RoleUser, Content: `Set "ok" to true.`}},
	Schema: &llm.Schema{Name: "connection_test", Description: "The connectivity check's answer.", Schema: map[string]any{
		"type":                 "object",
		"properties":           map[string]any{"ok": map[string]any{"type": "boolean"}},
		"required":             []any{"ok"},
		"additionalProperties": false,
	}},
	MaxTokens: 64,
}

// Test sends a tiny structured request to the primary or fallback model,
// without retries, and reports the model and latency or the failure. A
// failing model is a result, not an error.
func (s *Service) Test(ctx context.Context, p auth.Principal, which string) (ModelTestResult, error) {
	if err := p.Require(auth.PermEditIntegrations); err != nil {
		return ModelTestResult{}, err
	}
	if which != SlotPrimary && which != SlotFallback {
		var v apperr.Validation
		v.Add("which", "must be primary or fallback")
		return ModelTestResult{}, v.Err()
	}
	cfg, err := s.load(ctx, p.TenantID)
	if err != nil {
		return ModelTestResult{}, err
	}
	pc := cfg.slot(which)
	if pc == nil {
		return ModelTestResult{}, apperr.E(apperr.Invalid, "no %s model is configured", which)
	}
	key, err := s.Store.LLMKey(ctx, p.TenantID, which)
	if err != nil && !apperr.Is(err, apperr.NotFound) {
		return ModelTestResult{}, fmt.Errorf("llmconfig.Test %s key: %w", which, err)
	}
	res := ModelTestResult{Provider: string(pc.Provider) + ":" + pc.Model}
	c, err := buildOne(*pc, string(key), Options{MaxRetries: -1, HTTPClient: s.HTTPClient, Telemetry: s.Telemetry})
	if err != nil {
		res.Kind, res.Message = failRefused, apperr.MessageOf(err)
		return res, nil
	}
	res.Provider = c.Name()
	timeout := time.Duration(pc.TimeoutSeconds) * time.Second
	if timeout <= 0 {
		timeout = llm.DefaultTimeout
	}
	tctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	start := time.Now()
	resp, err := c.Complete(tctx, testRequest)
	res.LatencyMS = time.Since(start).Milliseconds()
	var answer struct {
		OK *bool `json:"ok"`
	}
	switch {
	case err != nil:
		res.Kind = failureKind(tctx, err)
		res.Message = failureMessage(res.Kind, err, string(key))
	case json.Unmarshal([]byte(resp.Text), &answer) != nil || answer.OK == nil:
		res.Kind = failBadAnswer
		res.Message = "The model answered, but not with the requested JSON; structured output may not be supported by this model."
	default:
		res.OK, res.Model = true, resp.Model
		res.Message = fmt.Sprintf("Connected: %s answered in %d ms.", llm.Or(resp.Model, pc.Model), res.LatencyMS)
	}
	s.logger().InfoContext(ctx, "llm test", "tenant_id", p.TenantID, "slot", which, "provider", res.Provider,
		"ok", res.OK, "kind", res.Kind, "latency_ms", res.LatencyMS)
	return res, nil
}

// failureKind reads the test's failure kind from the outbound layer's
// taxonomy. ctx is the test's own context: once it has ended (the test's
// time limit included) the test was cancelled, whatever the call reported.
func failureKind(ctx context.Context, err error) string {
	var e *httpx.Error
	switch {
	case ctx.Err() != nil:
		return failCanceled
	case !errors.As(err, &e):
		return ""
	}
	switch e.Kind {
	case httpx.Auth, httpx.Permission:
		return failAuth
	case httpx.RateLimited:
		return failRateLimited
	case httpx.Transient:
		if e.Status >= 200 && e.Status < 300 {
			return failBadAnswer // httpx.BadResponse: it answered, unusably
		}
		return failUnavailable
	case httpx.BadRequest, httpx.NotFound, httpx.Permanent:
		return failRefused
	}
	return ""
}

// failureMessage explains a failed test, without the key: what it means
// for the settings, then the provider's refusal (httpx.Error.Explain) or,
// when no refusal came, what went wrong on the way.
func failureMessage(kind string, err error, key string) string {
	var what string
	switch kind {
	case failAuth:
		what = "The API key was rejected"
	case failRateLimited:
		what = "Rate limited"
	case failUnavailable:
		what = "The service is unreachable or timed out"
	case failRefused:
		what = "The request was refused (check the model name, deployment and API version)"
	case failBadAnswer:
		what = "The answer could not be used"
	case failCanceled:
		what = "Cancelled"
	default:
		what = "The test failed"
	}
	detail := err.Error()
	var e *httpx.Error
	if errors.As(err, &e) {
		switch {
		case e.Status >= 300 || e.Status < 200 && e.Status != 0:
			detail = e.Explain()
		case e.Err != nil:
			detail = e.Err.Error()
		}
	}
	if len(key) >= 4 {
		detail = strings.ReplaceAll(detail, key, "[redacted]")
	}
	if r := []rune(detail); len(r) > 600 {
		detail = string(r[:600]) + "…"
	}
	return what + ": " + detail
}

func (s *Service) logger() *slog.Logger {
	if s.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return s.Logger
}

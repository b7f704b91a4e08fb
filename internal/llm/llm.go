// Package llm is VendorSync's small interface over large language model
// providers. Triage uses it to turn an email into a structured decision; the
// providers (llm/anthropic, llm/openai, llm/gemini) each speak their vendor's
// one endpoint with a small client of ours (Caller) on the shared outbound
// layer, internal/httpx, and Fallback chains two of them. Failures are
// *httpx.Error values, classified like every other integration's.
package llm

import (
	"context"
	"time"
)

// Client completes one request. Implementations are safe for concurrent use.
type Client interface {
	// Complete sends req and returns the model's answer. Errors are
	// *httpx.Error values so that callers (Fallback, the job queue) can tell
	// a rate limit or an outage from a request the provider will never
	// accept; an answer that could not be used is httpx.Transient with the
	// 2xx status it came with (httpx.BadResponse).
	Complete(ctx context.Context, req Request) (Response, error)
	// Name identifies the provider and model ("openai:gpt-4o-mini") in
	// decisions and logs.
	Name() string
}

// Role says who wrote a message of the conversation.
type Role string

// The roles a conversation message can have.
const (
	RoleUser      Role = "user"
	RoleAssistant Role = "assistant"
)

// Message is one turn of the conversation after the system prompt. A retry
// sends the model's rejected answer back as an assistant turn followed by a
// user turn that explains what was wrong.
type Message struct {
	Role    Role
	Content string
	// Documents go with a user turn to providers that read documents
	// (Anthropic, Gemini: PDFs); others ignore them, so Content must say
	// what matters on its own (the documents' extracted text).
	Documents []Document
}

// Document is a file given to the model as itself, not as text.
type Document struct {
	Name      string
	MediaType string // "application/pdf"
	Data      []byte
}

// Schema asks for structured output: the answer must be one JSON object
// valid against Schema (a JSON Schema document as a map). Keep schemas to
// the subset all three providers accept in strict mode: every property
// required, additionalProperties false, no null types.
type Schema struct {
	Name        string
	Description string
	Schema      map[string]any
}

// Request is one completion request.
type Request struct {
	System   string
	Messages []Message
	// Schema, when set, makes Response.Text a JSON object following it.
	Schema *Schema
	// MaxTokens bounds the answer; 0 means the provider package's default.
	MaxTokens int
	// Temperature is left to the provider's default when nil.
	Temperature *float64
}

// User is a shortcut for a request with one user message.
func User(system, text string) Request {
	return Request{System: system, Messages: []Message{{Role: RoleUser, Content: text}}}
}

// Response is the model's answer.
type Response struct {
	// Text is the answer; with a Schema it is the JSON object's text.
	Text string
	// Model is the model that answered, as the provider reports it.
	Model string
	// Provider is Name() of the client that answered (the fallback's when it
	// had to step in).
	Provider     string
	InputTokens  int
	OutputTokens int
	// Raw is the provider's response body, kept for the audit trail.
	Raw string
}

// Defaults shared by the provider packages.
const (
	// DefaultTimeout bounds one HTTP attempt.
	DefaultTimeout = 60 * time.Second
	// DefaultMaxRetries is how often a 429, 5xx or network error is retried.
	DefaultMaxRetries = 2
	// DefaultMaxTokens bounds an answer when the request does not.
	DefaultMaxTokens = 4096
)

// Or returns v, or def when v is the zero value: how provider packages fill
// unset Config fields.
func Or[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

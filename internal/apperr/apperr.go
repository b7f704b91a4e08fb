// Package apperr defines the one error type VendorSync's domain code returns.
// Its Code decides the HTTP status (chosen in one table in package web) and its
// Message is safe to show to the caller; the wrapped Err carries detail for logs.
package apperr

import (
	"errors"
	"fmt"
	"time"
)

// Code classifies an error for callers; it never carries detail.
type Code string

// The error codes every layer agrees on.
const (
	Invalid      Code = "invalid"
	NotFound     Code = "not_found"
	Conflict     Code = "conflict"
	Forbidden    Code = "forbidden"
	Unauthorized Code = "unauthorized"
	Unavailable  Code = "unavailable"
	Internal     Code = "internal"
	// TooLarge refuses input over a size limit; TooMany a caller over its
	// rate limit.
	TooLarge Code = "too_large"
	TooMany  Code = "too_many"
)

// Error is an application error with a code, a message that is safe to show,
// optional field errors for invalid input, and the underlying cause.
type Error struct {
	Code    Code
	Message string
	Fields  []FieldError
	Err     error
	// RetryAfter, when set, tells the caller when to try again (HTTP
	// Retry-After): a rate limit, or a store that cannot commit now.
	RetryAfter time.Duration
	// Extensions are members the problem answer carries beside its
	// standard ones (RFC 9457 extension members), so a client reads them
	// without parsing the message: {"ingestId": "…"} naming what a
	// conflict is with. Names are camelCase; values encode as JSON.
	Extensions map[string]any
}

// FieldError names one invalid input field, as shown in problem details.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

func (e *Error) Error() string {
	s := string(e.Code) + ": " + e.Message
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

// With sets the extension member name to value and returns e.
func (e *Error) With(name string, value any) *Error {
	if e.Extensions == nil {
		e.Extensions = map[string]any{}
	}
	e.Extensions[name] = value
	return e
}

// E builds an error with a code and a formatted, user-safe message.
func E(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Wrap keeps err as the cause behind a user-safe message.
func Wrap(code Code, err error, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...), Err: err}
}

// NotFoundf is the common "no such thing in this tenant" error.
func NotFoundf(format string, args ...any) *Error { return E(NotFound, format, args...) }

// Invalidf reports bad input.
func Invalidf(format string, args ...any) *Error { return E(Invalid, format, args...) }

// Validation collects field errors so a caller sees every problem at once.
type Validation struct{ fields []FieldError }

// Add records a field error.
func (v *Validation) Add(field, format string, args ...any) {
	v.fields = append(v.fields, FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
}

// Check adds the message when ok is false.
func (v *Validation) Check(ok bool, field, format string, args ...any) {
	if !ok {
		v.Add(field, format, args...)
	}
}

// Err returns an Invalid error listing every field problem, or nil.
func (v *Validation) Err() error {
	if len(v.fields) == 0 {
		return nil
	}
	return &Error{Code: Invalid, Message: "validation failed", Fields: v.fields}
}

// CodeOf reports the code of the first *Error in err's chain, Internal otherwise.
func CodeOf(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Internal
}

// Is reports whether err carries the given code.
func Is(err error, code Code) bool { return err != nil && CodeOf(err) == code }

// MessageOf returns the user-safe message of err; internal errors say only
// "internal error" so that detail never leaks.
func MessageOf(err error) string {
	var e *Error
	if errors.As(err, &e) && e.Code != Internal {
		return e.Message
	}
	return "internal error"
}

// RetryAfterOf returns how long err asks the caller to wait, if it does.
func RetryAfterOf(err error) (time.Duration, bool) {
	var e *Error
	if errors.As(err, &e) && e.RetryAfter > 0 {
		return e.RetryAfter, true
	}
	return 0, false
}

// FieldsOf returns the field errors carried by err, if any.
func FieldsOf(err error) []FieldError {
	var e *Error
	if errors.As(err, &e) {
		return e.Fields
	}
	return nil
}

// ExtensionsOf returns the extension members carried by err, if any;
// internal errors carry none, as their detail never leaks.
func ExtensionsOf(err error) map[string]any {
	var e *Error
	if errors.As(err, &e) && e.Code != Internal {
		return e.Extensions
	}
	return nil
}

package web

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/vendorsync/vendorsync/internal/apperr"
)

// statusOf is the one table that maps error codes to HTTP statuses.
var statusOf = map[apperr.Code]int{
	apperr.Invalid:      http.StatusUnprocessableEntity,
	apperr.NotFound:     http.StatusNotFound,
	apperr.Conflict:     http.StatusConflict,
	apperr.Forbidden:    http.StatusForbidden,
	apperr.Unauthorized: http.StatusUnauthorized,
	apperr.Unavailable:  http.StatusServiceUnavailable,
	apperr.Internal:     http.StatusInternalServerError,
	apperr.TooLarge:     http.StatusRequestEntityTooLarge,
	apperr.TooMany:      http.StatusTooManyRequests,
}

// Status returns the HTTP status for err.
func Status(err error) int {
	if s, ok := statusOf[apperr.CodeOf(err)]; ok {
		return s
	}
	return http.StatusInternalServerError
}

// problem converts err to an RFC 9457 problem for huma, logging internal
// errors with their detail (which the caller never sees).
func (s *Server) problem(ctx context.Context, err error) huma.StatusError {
	status := Status(err)
	if status >= 500 {
		s.log.ErrorContext(ctx, "request failed", "err", err.Error())
	}
	p := newProblem(status, apperr.MessageOf(err), apperr.ExtensionsOf(err))
	for _, f := range apperr.FieldsOf(err) {
		p.Errors = append(p.Errors, &huma.ErrorDetail{Location: "body." + f.Field, Message: f.Message})
	}
	return p
}

// problemError is an RFC 9457 problem: huma's standard members (it is a
// huma.StatusError through the embedded model) and the error's extension
// members beside them.
type problemError struct {
	*huma.ErrorModel
	extensions map[string]any
}

// standardMembers are the problem members an extension may not replace.
var standardMembers = map[string]bool{"type": true, "title": true, "status": true, "detail": true, "instance": true, "errors": true}

func newProblem(status int, detail string, extensions map[string]any) problemError {
	return problemError{ErrorModel: &huma.ErrorModel{Title: http.StatusText(status), Status: status, Detail: detail}, extensions: extensions}
}

// MarshalJSON writes the standard members and then the extension members
// (a standard member's name is never replaced).
func (p problemError) MarshalJSON() ([]byte, error) {
	std, err := json.Marshal(p.ErrorModel)
	if err != nil || len(p.extensions) == 0 {
		return std, err
	}
	members := map[string]json.RawMessage{}
	if err := json.Unmarshal(std, &members); err != nil {
		return nil, fmt.Errorf("reading the problem's standard members: %w", err)
	}
	for name, v := range p.extensions {
		if standardMembers[name] {
			continue
		}
		b, err := json.Marshal(v)
		if err != nil {
			return nil, fmt.Errorf("encoding problem member %s: %w", name, err)
		}
		members[name] = b
	}
	return json.Marshal(members)
}

// problemErr is problem with a Retry-After header when err asks for one.
func (s *Server) problemErr(ctx context.Context, err error) error {
	se := s.problem(ctx, err)
	if after, ok := apperr.RetryAfterOf(err); ok {
		return huma.ErrorWithHeaders(se, http.Header{"Retry-After": {retryAfterSeconds(after)}})
	}
	return se
}

// retryAfterSeconds renders a wait as Retry-After seconds, at least 1.
func retryAfterSeconds(d time.Duration) string {
	return strconv.Itoa(int(max(1, math.Ceil(d.Seconds()))))
}

// writeProblem writes a problem+json response outside huma (middleware, UI
// fallbacks under /api/).
func writeProblem(w http.ResponseWriter, status int, detail string) {
	writeProblemOf(w, newProblem(status, detail, nil))
}

// writeErrProblem writes err as a problem+json response outside huma (signed
// hooks): its safe message and its extension members.
func writeErrProblem(w http.ResponseWriter, status int, err error) {
	writeProblemOf(w, newProblem(status, apperr.MessageOf(err), apperr.ExtensionsOf(err)))
}

func writeProblemOf(w http.ResponseWriter, p problemError) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(p.Status)
	_ = json.NewEncoder(w).Encode(p) // the client may be gone; nothing to do then
}

func logAttrsErr(err error) slog.Attr { return slog.String("err", err.Error()) }

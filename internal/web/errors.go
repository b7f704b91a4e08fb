package web

import (
	"context"
	"encoding/json"
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
	var details []error
	for _, f := range apperr.FieldsOf(err) {
		details = append(details, &huma.ErrorDetail{Location: "body." + f.Field, Message: f.Message})
	}
	return huma.NewError(status, apperr.MessageOf(err), details...)
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
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(huma.ErrorModel{ // the client may be gone; nothing to do then
		Title:  http.StatusText(status),
		Status: status,
		Detail: detail,
	})
}

func logAttrsErr(err error) slog.Attr { return slog.String("err", err.Error()) }

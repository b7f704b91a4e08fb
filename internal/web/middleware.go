package web

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/obs"
)

const (
	sessionCookie = "vs_session"
	// Session keys.
	sessUserID   = "user_id"
	sessTenantID = "tenant_id"
	sessCSRF     = "csrf"
	sessFlash    = "flash"
)

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

func newRequestID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// observe gives every request an id (echoed in X-Request-Id and on every log
// line), logs it, counts it, and turns a panic into a 500.
func (s *Server) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := r.Header.Get("X-Request-Id")
		if id == "" || len(id) > 64 {
			id = newRequestID()
		}
		w.Header().Set("X-Request-Id", id)
		ri := &reqInfo{}
		ctx := obs.With(context.WithValue(r.Context(), reqInfoKey{}, ri), "request_id", id)
		rec := &statusRecorder{ResponseWriter: w}
		defer func() {
			if v := recover(); v != nil {
				s.log.ErrorContext(ctx, "panic", "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
				if rec.status == 0 {
					writeProblem(rec, http.StatusInternalServerError, "internal error")
				}
			}
			route := r.Pattern
			if route == "" {
				route = "unmatched"
			}
			s.Metrics.HTTPRequests.WithLabelValues(route, r.Method, strconv.Itoa(rec.status/100)+"xx").Inc()
			s.Metrics.HTTPDuration.WithLabelValues(route, r.Method).Observe(time.Since(start).Seconds())
			if r.URL.Path != "/healthz" && r.URL.Path != "/readyz" && r.URL.Path != "/metrics" && !strings.HasPrefix(r.URL.Path, "/static/") {
				s.log.InfoContext(ctx, "http", append([]any{"method", r.Method, "path", r.URL.Path, "status", rec.status,
					"duration_ms", time.Since(start).Milliseconds(), "tenant_id", ri.tenantID, "actor", ri.actor}, ri.attrs...)...)
			}
		}()
		next.ServeHTTP(rec, r.WithContext(ctx))
	})
}

// authenticate resolves the caller from an API key or the session and puts
// the principal in the request context. It never rejects by itself: routes
// decide what they require.
func (s *Server) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		if h := r.Header.Get("Authorization"); h != "" {
			key, ok := strings.CutPrefix(h, "Bearer ")
			if !ok {
				writeProblem(w, http.StatusUnauthorized, "Authorization must be \"Bearer <API key>\"")
				return
			}
			p, err := s.Auth.AuthenticateAPIKey(ctx, strings.TrimSpace(key))
			if err != nil {
				if apperr.CodeOf(err) == apperr.Unauthorized {
					writeProblem(w, http.StatusUnauthorized, apperr.MessageOf(err))
				} else {
					s.log.ErrorContext(ctx, "api key check failed", logAttrsErr(err))
					writeProblem(w, http.StatusServiceUnavailable, "cannot check credentials right now")
				}
				return
			}
			next.ServeHTTP(w, r.WithContext(withPrincipal(r, p)))
			return
		}
		if s.Sessions != nil {
			uid, tid := s.Sessions.GetString(ctx, sessUserID), s.Sessions.GetString(ctx, sessTenantID)
			if uid != "" && tid != "" {
				p, err := s.Auth.SessionPrincipal(ctx, tid, uid)
				switch {
				case err == nil:
					r = r.WithContext(withPrincipal(r, p))
				case apperr.CodeOf(err) == apperr.Unauthorized:
					// The user was disabled or removed: end the session now.
					_ = s.Sessions.Destroy(ctx) // failing to delete leaves a session that no longer authenticates
				default:
					s.log.ErrorContext(ctx, "session check failed", logAttrsErr(err))
					writeProblem(w, http.StatusServiceUnavailable, "cannot check credentials right now")
					return
				}
			}
		}
		next.ServeHTTP(w, r)
	})
}

// reqInfo lets inner handlers report who the caller was to the access
// log, and what the request was about (attrs, key-value pairs).
type reqInfo struct {
	tenantID, actor string
	attrs           []any
}

type reqInfoKey struct{}

// logAttrs adds key-value pairs to the request's access log line.
func logAttrs(ctx context.Context, kv ...any) {
	if ri, ok := ctx.Value(reqInfoKey{}).(*reqInfo); ok {
		ri.attrs = append(ri.attrs, kv...)
	}
}

func withPrincipal(r *http.Request, p auth.Principal) context.Context {
	if ri, ok := r.Context().Value(reqInfoKey{}).(*reqInfo); ok {
		ri.tenantID, ri.actor = p.TenantID, p.Label
	}
	ctx := obs.With(r.Context(), "tenant_id", p.TenantID, "actor", p.Label)
	return auth.WithPrincipal(ctx, p)
}

// contentSecurityPolicy allows this site's own scripts, styles, images and
// fetches only: no inline or foreign script, no framing, no plugins, and
// forms post back here. Inline style attributes stay allowed (layout only).
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; " +
	"img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; " +
	"form-action 'self'; frame-ancestors 'none'"

// secureHeaders sets the browser-hardening headers on every answer: a
// content security policy, no framing, no referrer to other sites, no
// powerful browser features, no MIME sniffing, and HSTS when VendorSync is
// reached over https.
func (s *Server) secureHeaders(next http.Handler) http.Handler {
	hsts := strings.HasPrefix(strings.ToLower(s.BaseURL), "https://")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Frame-Options", "DENY")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=(), usb=()")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		if hsts {
			h.Set("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
		}
		next.ServeHTTP(w, r)
	})
}

package web

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/auth"
)

type loginData struct {
	Tenant string
	Email  string
	Next   string
	SSO    bool
}

func (s *Server) loginForm(w http.ResponseWriter, r *http.Request) {
	if _, ok := auth.PrincipalFrom(r.Context()); ok {
		redirect(w, r, safeNext(r.URL.Query().Get("next")))
		return
	}
	s.render(w, r, http.StatusOK, "login.html", View{Title: "Sign in", Data: loginData{
		Tenant: s.DefaultTenant, Next: r.URL.Query().Get("next"), SSO: s.ssoEnabled(),
	}})
}

// login checks a password, then rotates the session token (no fixation) and
// issues a fresh CSRF token.
func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		s.errorPage(w, r, apperr.Invalidf("the form could not be read"))
		return
	}
	data := loginData{Tenant: strings.TrimSpace(r.PostFormValue("tenant")), Email: r.PostFormValue("email"),
		Next: r.PostFormValue("next"), SSO: s.ssoEnabled()}
	if data.Tenant == "" {
		data.Tenant = s.DefaultTenant
	}
	fail := func(err error) {
		status := Status(err)
		if status >= 500 {
			s.log.ErrorContext(r.Context(), "login failed", "err", err.Error())
		}
		s.render(w, r, status, "login.html", View{Title: "Sign in", Error: apperr.MessageOf(err), Data: data})
	}
	if !s.checkCSRF(r) {
		fail(apperr.E(apperr.Forbidden, "the sign-in form has expired; try again"))
		return
	}
	t, err := s.Auth.SignInTenant(r.Context(), data.Tenant)
	if err != nil {
		if apperr.Is(err, apperr.NotFound) {
			err = apperr.E(apperr.Unauthorized, "email or password is incorrect")
		}
		fail(err)
		return
	}
	u, err := s.Auth.Login(r.Context(), t.ID, data.Email, r.PostFormValue("password"))
	if err != nil {
		fail(err)
		return
	}
	if err := s.startSession(r, u); err != nil {
		fail(err)
		return
	}
	redirect(w, r, safeNext(data.Next))
}

// startSession binds the session to u with a new token.
func (s *Server) startSession(r *http.Request, u auth.User) error {
	ctx := r.Context()
	if err := s.Sessions.RenewToken(ctx); err != nil {
		return err
	}
	s.Sessions.Put(ctx, sessUserID, u.ID)
	s.Sessions.Put(ctx, sessTenantID, u.TenantID)
	s.Sessions.Remove(ctx, sessCSRF)
	return nil
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil || !s.checkCSRF(r) {
		s.errorPage(w, r, apperr.E(apperr.Forbidden, "the form has expired; reload the page and try again"))
		return
	}
	if err := s.Sessions.Destroy(r.Context()); err != nil {
		s.errorPage(w, r, err)
		return
	}
	redirect(w, r, "/login")
}

// safeNext keeps post-login redirects on this site: only a path that
// starts with a single "/" and holds no backslash, control character or
// encoded slash or backslash is kept (browsers read "/\evil.example" and
// "/%5Cevil.example" as another host); anything else goes home.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") {
		return "/"
	}
	for _, c := range next {
		if c == '\\' || c < 0x20 || c == 0x7f {
			return "/"
		}
	}
	path, _, _ := strings.Cut(next, "?")
	path, _, _ = strings.Cut(path, "#")
	for _, encoded := range []string{"%2f", "%5c", "%00", "%09", "%0a", "%0d"} {
		if strings.Contains(strings.ToLower(path), encoded) {
			return "/"
		}
	}
	u, err := url.Parse(next)
	if err != nil || u.IsAbs() || u.Host != "" || u.Opaque != "" || u.User != nil {
		return "/"
	}
	return next
}

package web

import (
	"context"
	"crypto/subtle"
	"net/http"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/setting"
)

// OIDCClient is the single sign-on provider as the sign-in routes use it
// (internal/auth/oidc implements it).
type OIDCClient interface {
	// Begin returns the provider URL to send the browser to, and the state
	// to keep until it comes back.
	Begin(ctx context.Context) (string, auth.SSOState, error)
	// Finish redeems the code and returns the verified identity.
	Finish(ctx context.Context, st auth.SSOState, code string) (auth.Identity, error)
}

// Session keys of a sign-in in progress; each is read once.
const (
	sessOIDCState    = "oidc_state"
	sessOIDCNonce    = "oidc_nonce"
	sessOIDCVerifier = "oidc_verifier"
	sessOIDCNext     = "oidc_next"
)

func (s *Server) ssoEnabled() bool { return s.OIDC != nil && s.Sessions != nil }

// oidcTenant is the tenant SSO sign-ins belong to.
func (s *Server) oidcTenant() string {
	if s.OIDCTenant != "" {
		return s.OIDCTenant
	}
	return s.DefaultTenant
}

// oidcLogin sends the browser to the provider, remembering state, nonce and
// PKCE verifier in the server-side session.
func (s *Server) oidcLogin(w http.ResponseWriter, r *http.Request) {
	if !s.ssoEnabled() {
		s.errorPage(w, r, apperr.NotFoundf("single sign-on is not configured"))
		return
	}
	to, st, err := s.OIDC.Begin(r.Context())
	if err != nil {
		s.ssoFailed(w, r, err)
		return
	}
	ctx := r.Context()
	s.Sessions.Put(ctx, sessOIDCState, st.State)
	s.Sessions.Put(ctx, sessOIDCNonce, st.Nonce)
	s.Sessions.Put(ctx, sessOIDCVerifier, st.Verifier)
	s.Sessions.Put(ctx, sessOIDCNext, safeNext(r.URL.Query().Get("next")))
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, to, http.StatusFound)
}

// oidcCallback finishes a sign-in: the state must match the one this
// browser's session started with, then the code is redeemed and the person
// signed in, linked or provisioned.
func (s *Server) oidcCallback(w http.ResponseWriter, r *http.Request) {
	if !s.ssoEnabled() {
		s.errorPage(w, r, apperr.NotFoundf("single sign-on is not configured"))
		return
	}
	ctx := r.Context()
	st := auth.SSOState{
		State:    s.Sessions.PopString(ctx, sessOIDCState),
		Nonce:    s.Sessions.PopString(ctx, sessOIDCNonce),
		Verifier: s.Sessions.PopString(ctx, sessOIDCVerifier),
	}
	next := s.Sessions.PopString(ctx, sessOIDCNext)
	q := r.URL.Query()
	if e := q.Get("error"); e != "" {
		s.ssoFailed(w, r, apperr.E(apperr.Unauthorized, "the identity provider did not sign you in (%s)", e))
		return
	}
	got := q.Get("state")
	if st.State == "" || got == "" || subtle.ConstantTimeCompare([]byte(st.State), []byte(got)) != 1 {
		s.ssoFailed(w, r, apperr.E(apperr.Unauthorized, "this sign-in was not started from this browser or has expired; start again"))
		return
	}
	if q.Get("code") == "" {
		s.ssoFailed(w, r, apperr.E(apperr.Unauthorized, "the identity provider sent no authorization code"))
		return
	}
	id, err := s.OIDC.Finish(ctx, st, q.Get("code"))
	if err != nil {
		s.ssoFailed(w, r, err)
		return
	}
	t, err := s.Auth.SignInTenant(ctx, s.oidcTenant())
	if err != nil {
		s.ssoFailed(w, r, err)
		return
	}
	pol := setting.Defaults().Provisioning()
	if s.Settings != nil {
		st, err := s.Settings.Get(ctx, t.ID)
		if err != nil {
			s.ssoFailed(w, r, err)
			return
		}
		pol = st.Provisioning()
	}
	u, err := s.Auth.OIDCLogin(ctx, t.ID, id, pol)
	if err != nil {
		s.ssoFailed(w, r, err)
		return
	}
	if err := s.startSession(r, u); err != nil {
		s.ssoFailed(w, r, err)
		return
	}
	s.log.InfoContext(ctx, "sso sign-in", "tenant_id", u.TenantID, "user_id", u.ID)
	redirect(w, r, safeNext(next))
}

// ssoFailed shows the sign-in page with why SSO did not work.
func (s *Server) ssoFailed(w http.ResponseWriter, r *http.Request, err error) {
	status := Status(err)
	if status >= 500 {
		s.log.ErrorContext(r.Context(), "sso sign-in failed", "err", err.Error())
	} else {
		s.log.InfoContext(r.Context(), "sso sign-in refused", "err", err.Error())
	}
	s.render(w, r, status, "login.html", View{Title: "Sign in", Error: apperr.MessageOf(err),
		Data: loginData{Tenant: s.DefaultTenant, SSO: s.ssoEnabled()}})
}

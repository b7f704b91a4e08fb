package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/alexedwards/scs/v2"

	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/auth/oidc"
	"github.com/vendorsync/vendorsync/internal/sqlstore"
	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
	"github.com/vendorsync/vendorsync/internal/web"
)

// ssoEnv is a server with SSO against an in-process provider.
type ssoEnv struct {
	*env
	idp  *idp
	site *site
}

func newSSOEnv(t *testing.T, d sqlstore.Dialect, bootstrap ...string) *ssoEnv {
	t.Helper()
	e := newEnv(t, d)
	e.auth.BootstrapAdmins = bootstrap
	p := newIdP(t)
	s := e.serve(func(_ *scs.SessionManager, deps *web.Deps) {
		c, err := oidc.New(oidc.Config{Issuer: p.url, ClientID: p.clientID, ClientSecret: p.clientSecret,
			RedirectURL: deps.BaseURL + "/auth/oidc/callback"})
		if err != nil {
			t.Fatal(err)
		}
		deps.OIDC = c
	})
	return &ssoEnv{env: e, idp: p, site: s}
}

// ssoSignIn walks the browser through the provider like a real one would:
// app → provider → app callback. It returns the callback's answer.
func (se *ssoEnv) ssoSignIn(b *browser, person idpPerson, next string) response {
	se.t.Helper()
	se.idp.signInAs(person)
	r := b.get("/auth/oidc/login?next=" + url.QueryEscape(next))
	if r.Status != http.StatusFound || !strings.HasPrefix(r.Header.Get("Location"), se.idp.url+"/authorize?") {
		se.t.Fatalf("SSO start: %d to %q: %s", r.Status, r.Header.Get("Location"), r.Body)
	}
	r = b.get(r.Header.Get("Location"))
	if r.Status != http.StatusFound {
		se.t.Fatalf("provider /authorize: %d %s", r.Status, r.Body)
	}
	return b.get(r.Header.Get("Location"))
}

// meUser returns the signed-in user of a browser.
func meUser(t *testing.T, b *browser) auth.User {
	t.Helper()
	r := b.me()
	wantStatus(t, r, http.StatusOK)
	var me struct {
		User *auth.User `json:"user"`
	}
	r.JSON(t, &me)
	if me.User == nil {
		t.Fatalf("me has no user: %s", r.Body)
	}
	return *me.User
}

func yes() *bool { v := true; return &v }
func no() *bool  { v := false; return &v }

func TestOIDCSignIn(t *testing.T) {
	t.Parallel()
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			t.Run("first sign-in provisions a viewer, with PKCE, state and nonce", func(t *testing.T) {
				t.Parallel()
				se := newSSOEnv(t, d)
				b := newBrowser(t, se.site.url)
				login := b.get("/login")
				if !strings.Contains(string(login.Body), "Sign in with SSO") {
					t.Errorf("login page has no SSO button")
				}
				b.csrf()
				before := b.cookie()
				r := se.ssoSignIn(b, idpPerson{Sub: "okta|1", Email: "New.Person@Acme.test", Name: "New Person", EmailVerified: yes()}, "/teams")
				if r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/teams" {
					t.Fatalf("callback: %d to %q: %s", r.Status, r.Header.Get("Location"), r.Body)
				}
				if b.cookie() == before {
					t.Error("the session token was not rotated at SSO sign-in")
				}
				q := se.idp.lastAuthorize()
				if q.Get("state") == "" || q.Get("nonce") == "" || q.Get("code_challenge_method") != "S256" ||
					q.Get("redirect_uri") != se.site.url+"/auth/oidc/callback" {
					t.Errorf("authorize request: %v", q)
				}
				u := meUser(t, b)
				if u.Email != "new.person@acme.test" || u.Role != auth.RoleViewer || !u.SSO || u.Name != "New Person" {
					t.Errorf("provisioned user = %+v", u)
				}
				// The same callback cannot be replayed: its state was used up.
				again := newBrowser(t, se.site.url)
				wantStatus(t, again.get("/auth/oidc/callback?code=x&state="+q.Get("state")), http.StatusUnauthorized)
			})

			t.Run("an existing user is linked by email and keeps their role", func(t *testing.T) {
				t.Parallel()
				se := newSSOEnv(t, d)
				wantStatus(t, se.do("POST", "/api/v1/users", se.key, map[string]any{"email": "cm@acme.test", "role": "change_manager"}), http.StatusCreated)
				b := newBrowser(t, se.site.url)
				wantStatus(t, se.ssoSignIn(b, idpPerson{Sub: "okta|cm", Email: "CM@acme.test"}, "/"), http.StatusSeeOther)
				if u := meUser(t, b); u.Email != "cm@acme.test" || u.Role != auth.RoleChangeManager || !u.SSO {
					t.Errorf("linked user = %+v", u)
				}
			})

			t.Run("with auto-provisioning off unknown people are refused", func(t *testing.T) {
				t.Parallel()
				se := newSSOEnv(t, d)
				wantStatus(t, se.do("PATCH", "/api/v1/settings", se.key, map[string]any{"auth.auto_provision": false}), http.StatusOK)
				b := newBrowser(t, se.site.url)
				r := se.ssoSignIn(b, idpPerson{Sub: "okta|x", Email: "stranger@acme.test", EmailVerified: yes()}, "/")
				wantStatus(t, r, http.StatusForbidden)
				if !strings.Contains(string(r.Body), "ask an administrator to add you") {
					t.Errorf("no clear refusal on the page: %s", r.Body)
				}
				wantProblem(t, b.me(), http.StatusUnauthorized)
				if _, err := se.db.UserByEmail(context.Background(), se.tenant.ID, "stranger@acme.test"); err == nil {
					t.Error("a refused person got an account")
				}
			})

			t.Run("the default role setting applies", func(t *testing.T) {
				t.Parallel()
				se := newSSOEnv(t, d)
				wantStatus(t, se.do("PATCH", "/api/v1/settings", se.key, map[string]any{"auth.default_role": "owner"}), http.StatusOK)
				b := newBrowser(t, se.site.url)
				wantStatus(t, se.ssoSignIn(b, idpPerson{Sub: "okta|o", Email: "owner@acme.test"}, "/"), http.StatusSeeOther)
				if u := meUser(t, b); u.Role != auth.RoleOwner {
					t.Errorf("role = %s, want owner", u.Role)
				}
			})

			t.Run("bootstrap admins: admin on first sign-in, idempotent, never downgraded", func(t *testing.T) {
				t.Parallel()
				se := newSSOEnv(t, d, "boss@acme.test", "admin@acme.test")
				wantStatus(t, se.do("PATCH", "/api/v1/settings", se.key, map[string]any{"auth.auto_provision": false}), http.StatusOK)
				for i := range 2 {
					b := newBrowser(t, se.site.url)
					wantStatus(t, se.ssoSignIn(b, idpPerson{Sub: "okta|boss", Email: "boss@acme.test", EmailVerified: yes()}, "/"), http.StatusSeeOther)
					if u := meUser(t, b); u.Role != auth.RoleAdmin {
						t.Errorf("sign-in %d: role = %s, want admin", i+1, u.Role)
					}
				}
				b := newBrowser(t, se.site.url)
				wantStatus(t, se.ssoSignIn(b, idpPerson{Sub: "okta|admin", Email: "admin@acme.test"}, "/"), http.StatusSeeOther)
				if u := meUser(t, b); u.Role != auth.RoleAdmin || u.ID != se.admin.ID {
					t.Errorf("existing admin after bootstrap sign-in: %+v", u)
				}
				if n := strings.Count(auditText(t, se.env), "bootstrap_admin"); n != 1 {
					t.Errorf("bootstrap promotions in the audit log = %d, want 1", n)
				}
			})

			t.Run("an unverified email is refused", func(t *testing.T) {
				t.Parallel()
				se := newSSOEnv(t, d)
				b := newBrowser(t, se.site.url)
				r := se.ssoSignIn(b, idpPerson{Sub: "okta|u", Email: "unverified@acme.test", EmailVerified: no()}, "/")
				wantStatus(t, r, http.StatusForbidden)
				if !strings.Contains(string(r.Body), "not verified") {
					t.Errorf("no clear message: %s", r.Body)
				}
				wantProblem(t, b.me(), http.StatusUnauthorized)
			})

			t.Run("email and name only in UserInfo: read from there", func(t *testing.T) {
				t.Parallel()
				se := newSSOEnv(t, d)
				b := newBrowser(t, se.site.url)
				r := se.ssoSignIn(b, idpPerson{Sub: "kc|min", Email: "Minimal@Acme.test", Name: "Min Imal", EmailVerified: yes(), Minimal: true}, "/")
				if r.Status != http.StatusSeeOther {
					t.Fatalf("callback: %d: %s", r.Status, r.Body)
				}
				if u := meUser(t, b); u.Email != "minimal@acme.test" || u.Name != "Min Imal" || !u.SSO {
					t.Errorf("user from UserInfo claims = %+v", u)
				}
			})

			t.Run("UserInfo's email_verified false is respected", func(t *testing.T) {
				t.Parallel()
				se := newSSOEnv(t, d)
				b := newBrowser(t, se.site.url)
				r := se.ssoSignIn(b, idpPerson{Sub: "kc|unv", Email: "unv@acme.test", EmailVerified: no(), Minimal: true}, "/")
				wantStatus(t, r, http.StatusForbidden)
				if !strings.Contains(string(r.Body), "not verified") {
					t.Errorf("no clear message: %s", r.Body)
				}
			})

			t.Run("UserInfo about another subject is refused", func(t *testing.T) {
				t.Parallel()
				se := newSSOEnv(t, d)
				b := newBrowser(t, se.site.url)
				r := se.ssoSignIn(b, idpPerson{Sub: "kc|a", UserInfoSub: "kc|b", Email: "a@acme.test", Minimal: true}, "/")
				wantStatus(t, r, http.StatusUnauthorized)
				wantProblem(t, b.me(), http.StatusUnauthorized)
				if _, err := se.db.UserByEmail(context.Background(), se.tenant.ID, "a@acme.test"); err == nil {
					t.Error("an account was created from another subject's claims")
				}
			})

			t.Run("a state that does not match is refused", func(t *testing.T) {
				t.Parallel()
				se := newSSOEnv(t, d)
				se.idp.signInAs(idpPerson{Sub: "okta|s", Email: "s@acme.test"})
				b := newBrowser(t, se.site.url)
				r := b.get("/auth/oidc/login")
				r = b.get(r.Header.Get("Location"))
				cb, err := url.Parse(r.Header.Get("Location"))
				if err != nil {
					t.Fatal(err)
				}
				q := cb.Query()
				q.Set("state", "forged-"+q.Get("state"))
				cb.RawQuery = q.Encode()
				r = b.get(cb.String())
				wantStatus(t, r, http.StatusUnauthorized)
				if !strings.Contains(string(r.Body), "not started from this browser") {
					t.Errorf("no clear message: %s", r.Body)
				}
				wantProblem(t, b.me(), http.StatusUnauthorized)
				// A callback in a browser that never started a sign-in fails too.
				wantStatus(t, newBrowser(t, se.site.url).get("/auth/oidc/callback?code=abc&state=abc"), http.StatusUnauthorized)
				wantStatus(t, b.get("/auth/oidc/callback?error=access_denied&state=x"), http.StatusUnauthorized)
			})

			t.Run("without SSO configured there is no button and no route", func(t *testing.T) {
				t.Parallel()
				e := newEnv(t, d)
				if strings.Contains(string(e.do("GET", "/login", "", nil).Body), "Sign in with SSO") {
					t.Error("SSO button shown without SSO")
				}
				wantStatus(t, e.do("GET", "/auth/oidc/login", "", nil), http.StatusNotFound)
			})
		})
	}
}

package web_test

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/ident"
	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
	"github.com/vendorsync/vendorsync/internal/web"
)

// missingID is shaped like our ids but exists nowhere.
const missingID = "00000000-0000-7000-8000-000000000000"

var pathParam = regexp.MustCompile(`\{[^}]+\}`)

// fill replaces every path parameter with id.
func fill(path, id string) string {
	return pathParam.ReplaceAllString(strings.ReplaceAll(path, "{$}", ""), id)
}

func hasBody(method string) bool {
	return method == http.MethodPost || method == http.MethodPut || method == http.MethodPatch
}

// TestPermissionMatrixAPI calls every API route as every role (and
// anonymously) and checks the answer against auth.Matrix: allowed roles never
// get 403, others always do, anonymous callers always get 401.
func TestPermissionMatrixAPI(t *testing.T) {
	t.Parallel()
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, d)
			keys := map[auth.Role]string{}
			for _, r := range auth.Roles {
				keys[r] = e.newKey(e.tenant, r)
			}
			n := 0
			for _, rt := range e.server.Routes() {
				if rt.Kind != web.KindAPI {
					continue
				}
				n++
				path := fill(rt.Path, missingID)
				var body any
				if hasBody(rt.Method) {
					body = "{}"
				}
				wantProblem(t, e.do(rt.Method, path, "", body), http.StatusUnauthorized)
				for _, role := range auth.Roles {
					res := e.do(rt.Method, path, keys[role], body)
					allowed := auth.Allowed(role, rt.Perm)
					switch {
					case allowed && res.Status == http.StatusForbidden:
						t.Errorf("%s %s as %s: 403 but the matrix allows %s: %s", rt.Method, rt.Path, role, rt.Perm, res.Body)
					case !allowed && res.Status != http.StatusForbidden:
						t.Errorf("%s %s as %s: %d, want 403 (needs %s)", rt.Method, rt.Path, role, res.Status, rt.Perm)
					case res.Status >= 500:
						t.Errorf("%s %s as %s: %d: %s", rt.Method, rt.Path, role, res.Status, res.Body)
					}
				}
			}
			if n == 0 {
				t.Fatal("no API routes registered")
			}
		})
	}
}

// session is a signed-in browser.
type session struct {
	c    *http.Client
	base string
	csrf string
}

var csrfInput = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// signIn creates a user with role in the env's tenant and signs in through
// the login form.
func (e *env) signIn(role auth.Role) *session {
	e.t.Helper()
	email := string(role) + "-" + ident.New()[30:] + "@acme.test"
	password := "correct horse battery staple"
	if _, _, err := e.auth.CreateUser(context.Background(), auth.System(e.tenant.ID),
		auth.NewUser{Email: email, Role: role, Password: password}); err != nil {
		e.t.Fatal(err)
	}
	return e.signInAs(email, password)
}

// signInAs signs in through the login form with existing credentials.
func (e *env) signInAs(email, password string) *session {
	e.t.Helper()
	jar, _ := cookiejar.New(nil)
	s := &session{base: e.http.URL, c: &http.Client{Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	page := s.get(e.t, "/login")
	s.csrf = csrfOf(e.t, page.Body)
	res := s.post(e.t, "/login", url.Values{"email": {email}, "password": {password}, "tenant": {e.tenant.Slug}})
	if res.Status != http.StatusSeeOther {
		e.t.Fatalf("sign in as %s: %d %s", email, res.Status, res.Body)
	}
	s.csrf = csrfOf(e.t, s.get(e.t, "/").Body) // the token is renewed at sign-in
	return s
}

func csrfOf(t testing.TB, body []byte) string {
	t.Helper()
	m := csrfInput.FindSubmatch(body)
	if m == nil {
		t.Fatalf("no csrf token in page: %s", body)
	}
	return string(m[1])
}

func (s *session) get(t testing.TB, path string) response {
	t.Helper()
	res, err := s.c.Get(s.base + path)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return response{Status: res.StatusCode, Header: res.Header, Body: b}
}

// post submits a form with the session's CSRF token.
func (s *session) post(t testing.TB, path string, form url.Values) response {
	t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if form.Get("csrf_token") == "" {
		form.Set("csrf_token", s.csrf)
	}
	res, err := s.c.PostForm(s.base+path, form)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return response{Status: res.StatusCode, Header: res.Header, Body: b}
}

// TestPermissionMatrixUI opens every UI route as every role: allowed roles
// never see 403, others always do, anonymous visitors are sent to sign in.
func TestPermissionMatrixUI(t *testing.T) {
	t.Parallel()
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, d)
			sessions := map[auth.Role]*session{}
			for _, r := range auth.Roles {
				sessions[r] = e.signIn(r)
			}
			anon := &session{base: e.http.URL, c: &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
			for _, rt := range e.server.Routes() {
				if rt.Kind != web.KindUI {
					continue
				}
				path := fill(rt.Path, missingID)
				if rt.Method == http.MethodGet {
					if res := anon.get(t, path); res.Status != http.StatusSeeOther {
						t.Errorf("anonymous GET %s = %d, want redirect to sign in", rt.Path, res.Status)
					}
				}
				for _, role := range auth.Roles {
					var res response
					if rt.Method == http.MethodGet {
						res = sessions[role].get(t, path)
					} else {
						res = sessions[role].post(t, path, nil)
					}
					allowed := auth.Allowed(role, rt.Perm)
					switch {
					case allowed && res.Status == http.StatusForbidden:
						t.Errorf("%s %s as %s: 403 but the matrix allows %s", rt.Method, rt.Path, role, rt.Perm)
					case !allowed && res.Status != http.StatusForbidden:
						t.Errorf("%s %s as %s: %d, want 403 (needs %s)", rt.Method, rt.Path, role, res.Status, rt.Perm)
					case res.Status >= 500:
						t.Errorf("%s %s as %s: %d", rt.Method, rt.Path, role, res.Status)
					}
				}
			}
		})
	}
}

// TestFormsRequireCSRF checks that a UI form post without the session's
// token is refused even for an admin.
func TestFormsRequireCSRF(t *testing.T) {
	t.Parallel()
	e := newEnv(t, storetest.Dialects(t)[0])
	admin := e.signInAs(e.admin.Email, e.password)
	for _, rt := range e.server.Routes() {
		if rt.Kind != web.KindUI || rt.Method == http.MethodGet {
			continue
		}
		res := admin.post(t, fill(rt.Path, missingID), url.Values{"csrf_token": {"forged"}})
		if res.Status != http.StatusForbidden {
			t.Errorf("POST %s with a forged token = %d, want 403", rt.Path, res.Status)
		}
	}
}

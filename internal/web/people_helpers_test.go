package web_test

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/alexedwards/scs/v2"

	"github.com/vendorsync/vendorsync/internal/audit"
	"github.com/vendorsync/vendorsync/internal/obs"
	"github.com/vendorsync/vendorsync/internal/web"
)

// site is a second server on the env's store, built with changed deps:
// session timeouts, SSO, a log buffer.
type site struct {
	url      string
	sessions *scs.SessionManager
	logs     *syncBuffer
}

// syncBuffer collects the server's log lines; handlers write concurrently.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// serve starts a server on e's store; change may adjust the session
// manager and the deps (whose BaseURL is already the server's URL).
func (e *env) serve(change func(sm *scs.SessionManager, d *web.Deps)) *site {
	e.t.Helper()
	ts := httptest.NewUnstartedServer(nil)
	s := &site{url: "http://" + ts.Listener.Addr().String(), logs: &syncBuffer{}}
	s.sessions = scs.New()
	s.sessions.Store = e.db.Sessions()
	s.sessions.Cookie.Name = "vs_session"
	d := deps(e, s.sessions)
	d.BaseURL = s.url
	d.Logger = obs.NewLogger(s.logs, slog.LevelDebug)
	if change != nil {
		change(s.sessions, &d)
	}
	srv, err := web.New(d)
	if err != nil {
		e.t.Fatal(err)
	}
	ts.Config.Handler = srv.Handler()
	ts.Start()
	e.t.Cleanup(ts.Close)
	return s
}

// browser is a client with a cookie jar that does not follow redirects
// unless told to.
type browser struct {
	t      *testing.T
	base   string
	c      *http.Client
	follow bool
}

func newBrowser(t *testing.T, base string) *browser {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	b := &browser{t: t, base: base}
	b.c = &http.Client{Jar: jar, Timeout: 20 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error {
		if b.follow {
			return nil
		}
		return http.ErrUseLastResponse
	}}
	return b
}

// cookie returns the session cookie's value, "" without one.
func (b *browser) cookie() string {
	u, _ := url.Parse(b.base)
	for _, c := range b.c.Jar.Cookies(u) {
		if c.Name == "vs_session" {
			return c.Value
		}
	}
	return ""
}

// setCookie replaces the session cookie, to replay an old one.
func (b *browser) setCookie(v string) {
	u, _ := url.Parse(b.base)
	b.c.Jar.SetCookies(u, []*http.Cookie{{Name: "vs_session", Value: v, Path: "/"}})
}

func (b *browser) get(path string) response {
	b.t.Helper()
	return b.send(http.MethodGet, path, nil)
}

// post submits a form; the session's CSRF token is added when missing.
func (b *browser) post(path string, form url.Values) response {
	b.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if form.Get("csrf_token") == "" {
		form.Set("csrf_token", b.csrf())
	}
	return b.send(http.MethodPost, path, form)
}

func (b *browser) send(method, path string, form url.Values) response {
	b.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	target := path
	if !strings.HasPrefix(path, "http") {
		target = b.base + path
	}
	req, err := http.NewRequest(method, target, body)
	if err != nil {
		b.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	res, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer res.Body.Close()
	out, err := io.ReadAll(res.Body)
	if err != nil {
		b.t.Fatal(err)
	}
	return response{Status: res.StatusCode, Header: res.Header, Body: out}
}

var csrfRE = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// csrf reads the form token from the login page (or any page).
func (b *browser) csrf() string {
	b.t.Helper()
	r := b.get("/login")
	if r.Status == http.StatusSeeOther { // signed in: any page has it
		r = b.get("/")
	}
	m := csrfRE.FindSubmatch(r.Body)
	if m == nil {
		b.t.Fatalf("no csrf token on the page: %s", r.Body)
	}
	return string(m[1])
}

// login signs in with a password and fails the test if it does not work.
func (b *browser) login(email, password string) {
	b.t.Helper()
	r := b.post("/login", url.Values{"tenant": {"acme"}, "email": {email}, "password": {password}})
	if r.Status != http.StatusSeeOther {
		b.t.Fatalf("login as %s: status %d: %s", email, r.Status, r.Body)
	}
}

// me returns the status of GET /api/v1/me with the browser's session.
func (b *browser) me() response {
	b.t.Helper()
	return b.get("/api/v1/me")
}

// do sends an API request to the site instead of the env's own server.
func (s *site) do(e *env, method, path, key string, body any) response {
	e.t.Helper()
	saved := e.http.URL
	e.http.URL = s.url
	defer func() { e.http.URL = saved }()
	return e.do(method, path, key, body)
}

// auditText returns the tenant's audit rows as text, one per line.
func auditText(t *testing.T, e *env) string {
	t.Helper()
	var b strings.Builder
	err := e.db.WalkAudit(t.Context(), e.tenant.ID, 0, 0, func(en audit.Entry) error {
		b.WriteString(en.Action + " " + en.Before + " " + en.After + " " + en.Flags + "\n")
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}

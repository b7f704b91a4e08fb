package app_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vendorsync/vendorsync/internal/app"
	"github.com/vendorsync/vendorsync/internal/sqlstore"
	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
)

// syncBuffer is an io.Writer safe to read while Run writes to it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// envOf builds a getenv from pairs.
func envOf(kv ...string) func(string) string {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return func(k string) string { return m[k] }
}

// server is a running `vendorsync serve`.
type server struct {
	URL      string
	Email    string
	Password string
	Stdout   *syncBuffer
	Stderr   *syncBuffer
	stop     func() error
}

var (
	urlLine   = regexp.MustCompile(`is running at (http://\S+)`)
	loginLine = regexp.MustCompile(`sign in as (\S+) with the one-time password (\S+)`)
)

// startServe runs serve on 127.0.0.1:0 with a temp data dir and waits until
// it prints its URL.
func startServe(t *testing.T, getenv func(string) string, extra ...string) *server {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	s := &server{Stdout: &syncBuffer{}, Stderr: &syncBuffer{}}
	args := append([]string{"serve", "--addr", "127.0.0.1:0", "--data-dir", t.TempDir()}, extra...)
	done := make(chan error, 1)
	go func() { done <- app.Run(ctx, args, getenv, s.Stdout, s.Stderr) }()
	var once sync.Once
	var stopErr error
	s.stop = func() error { // a test may stop it before it ends (a restart)
		once.Do(func() {
			cancel()
			select {
			case stopErr = <-done:
			case <-time.After(30 * time.Second):
				stopErr = errors.New("serve did not stop within 30s of cancellation")
			}
		})
		return stopErr
	}
	t.Cleanup(func() {
		if err := s.stop(); err != nil {
			t.Errorf("serve: %v\nstderr:\n%s", err, s.Stderr.String())
		}
	})
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if m := urlLine.FindStringSubmatch(s.Stdout.String()); m != nil {
			s.URL = m[1]
			if l := loginLine.FindStringSubmatch(s.Stdout.String()); l != nil {
				s.Email, s.Password = l[1], l[2]
			}
			return s
		}
		select {
		case err := <-done:
			t.Fatalf("serve exited early: %v\nstdout:\n%s\nstderr:\n%s", err, s.Stdout.String(), s.Stderr.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	t.Fatalf("serve did not print its URL\nstdout:\n%s\nstderr:\n%s", s.Stdout.String(), s.Stderr.String())
	return nil
}

// eachEngine runs fn once per storage engine: dbURL is empty for SQLite
// and a fresh PostgreSQL schema's URL otherwise.
func eachEngine(t *testing.T, fn func(t *testing.T, dbURL string)) {
	t.Helper()
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			dbURL := ""
			if d == sqlstore.Postgres {
				dbURL = storetest.URL(t, d)
			}
			fn(t, dbURL)
		})
	}
}

// browser is an HTTP client with a cookie jar that does not follow redirects.
func browser(t *testing.T) *http.Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

var csrfField = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// login signs in through the login form and fails the test otherwise.
func login(t *testing.T, c *http.Client, base, email, password string) {
	t.Helper()
	res, err := c.Get(base + "/login")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	m := csrfField.FindSubmatch(body)
	if m == nil {
		t.Fatalf("no csrf token on login page: %s", body)
	}
	form := url.Values{"csrf_token": {string(m[1])}, "email": {email}, "password": {password}, "tenant": {"default"}}
	res, err = c.PostForm(base+"/login", form)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("login: status %d", res.StatusCode)
	}
}

func TestServeEndToEnd(t *testing.T) {
	eachEngine(t, func(t *testing.T, dbURL string) {
		s := startServe(t, envOf("VENDORSYNC_DATABASE_URL", dbURL))
		if s.Password == "" {
			t.Fatalf("first run did not print a one-time password:\n%s", s.Stdout.String())
		}
		for _, p := range []string{"/healthz", "/readyz", "/metrics", "/api/openapi.json"} {
			res, err := http.Get(s.URL + p)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.StatusCode != http.StatusOK {
				t.Errorf("GET %s = %d", p, res.StatusCode)
			}
		}
		c := browser(t)
		res, err := c.Get(s.URL + "/")
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/login") {
			t.Fatalf("anonymous / = %d %s, want redirect to /login", res.StatusCode, res.Header.Get("Location"))
		}
		login(t, c, s.URL, s.Email, s.Password)
		res, err = c.Get(s.URL + "/")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK || !strings.Contains(string(body), "Dashboard") {
			t.Fatalf("dashboard after login = %d:\n%s", res.StatusCode, body)
		}
		// Logs are JSON lines with a request id.
		if !strings.Contains(s.Stderr.String(), `"request_id"`) {
			t.Errorf("no request_id in logs:\n%s", s.Stderr.String())
		}
	})
}

func TestRestartKeepsDataAndPrintsNoPassword(t *testing.T) {
	dir := t.TempDir()
	run := func() string {
		ctx, cancel := context.WithCancel(context.Background())
		out := &syncBuffer{}
		done := make(chan error, 1)
		go func() {
			done <- app.Run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--data-dir", dir}, envOf(), out, io.Discard)
		}()
		for !urlLine.MatchString(out.String()) {
			select {
			case err := <-done:
				t.Fatalf("serve exited: %v", err)
			case <-time.After(20 * time.Millisecond):
			}
		}
		cancel()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		return out.String()
	}
	if first := run(); !loginLine.MatchString(first) {
		t.Fatalf("first run printed no login:\n%s", first)
	}
	if second := run(); loginLine.MatchString(second) {
		t.Fatalf("second run printed a password again:\n%s", second)
	}
	fi, err := os.Stat(dir + "/secret.key")
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("secret.key mode = %v, want 0600", fi.Mode().Perm())
	}
}

func TestCommandsHelpAndAdmin(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	run := func(args ...string) (string, error) {
		var out, errb bytes.Buffer
		err := app.Run(ctx, append(args, "--data-dir", dir), envOf(), &out, &errb)
		return out.String() + errb.String(), err
	}
	for _, cmd := range [][]string{{"serve"}, {"migrate"}, {"tenant", "create"}, {"user", "create"}, {"apikey", "create"}, {"audit", "verify"}, {"version"}, {"secrets", "rotate"}, {"ingest", "replay"}, {"report", "verify"}} {
		out, err := run(append(cmd, "--help")...)
		if err != nil || !strings.Contains(out, "Usage: vendorsync "+strings.Join(cmd, " ")) {
			t.Errorf("%v --help: err=%v\n%s", cmd, err, out)
		}
	}
	if out, err := run("migrate"); err != nil || !strings.Contains(out, "up to date") {
		t.Fatalf("migrate: %v\n%s", err, out)
	}
	if out, err := run("migrate"); err != nil {
		t.Fatalf("migrate again: %v\n%s", err, out)
	}
	out, err := run("tenant", "create", "globex", "--name", "Globex", "--admin-email", "ops@globex.test")
	if err != nil || !strings.Contains(out, "one-time password:") {
		t.Fatalf("tenant create: %v\n%s", err, out)
	}
	if out, err := run("tenant", "create", "globex", "--admin-email", "ops@globex.test"); err == nil {
		t.Fatalf("duplicate tenant accepted:\n%s", out)
	}
	if out, err := run("user", "create", "cm@globex.test", "--tenant", "globex", "--role", "change_manager"); err != nil || !strings.Contains(out, "one-time password:") {
		t.Fatalf("user create: %v\n%s", err, out)
	}
	if out, err := run("user", "create", "not-an-email", "--tenant", "globex"); err == nil {
		t.Fatalf("bad email accepted:\n%s", out)
	}
	out, err = run("apikey", "create", "ci", "--tenant", "globex", "--role", "viewer")
	if err != nil || !regexp.MustCompile(`vsk_[a-z0-9]{8}_[a-z0-9]{32}`).MatchString(out) {
		t.Fatalf("apikey create: %v\n%s", err, out)
	}
	if out, err := run("audit", "verify"); err != nil || !strings.Contains(out, "globex: OK") {
		t.Fatalf("audit verify: %v\n%s", err, out)
	}
	if out, err := run("secrets", "rotate"); err != nil || !strings.Contains(out, "new key k2") {
		t.Fatalf("secrets rotate: %v\n%s", err, out)
	}
	if out, err := run("no-such-command"); err == nil {
		t.Fatalf("unknown command accepted:\n%s", out)
	}
}

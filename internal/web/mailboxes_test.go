package web_test

import (
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/alexedwards/scs/v2"

	"github.com/vendorsync/vendorsync/internal/sqlstore"
	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
	"github.com/vendorsync/vendorsync/internal/web"
)

const mailboxPassword = "imap-pa55word-never-shown"

// lockedBuffer collects log lines from concurrent requests.
type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// newLoggedEnv is newEnv with the server's and the integrations' logs
// captured, to check that no secret is ever logged.
func newLoggedEnv(t *testing.T, d sqlstore.Dialect) (*env, *lockedBuffer) {
	t.Helper()
	e := newEnv(t, d)
	logs := &lockedBuffer{}
	logger := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	sessions := scs.New()
	sessions.Store = e.db.Sessions()
	sessions.Cookie.Name = "vs_session"
	dp := deps(e, sessions)
	dp.Logger, dp.Mailboxes.Logger, dp.LLM.Logger = logger, logger, logger
	srv, err := web.New(dp)
	if err != nil {
		t.Fatal(err)
	}
	e.server, e.http = srv, httptest.NewServer(srv.Handler())
	t.Cleanup(e.http.Close)
	return e, logs
}

// unusedPort is a 127.0.0.1 port nothing listens on.
func unusedPort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	if err := ln.Close(); err != nil {
		t.Fatal(err)
	}
	return port
}

func imapBody(name string, port int) map[string]any {
	return map[string]any{"name": name, "kind": "imap",
		"imap":        map[string]any{"host": "127.0.0.1", "port": port, "security": "none", "username": "notices@acme.test", "mark_seen": true},
		"credentials": map[string]any{"password": mailboxPassword}}
}

// wallMailboxes numbers the wall fixtures' mailboxes, whose names must differ.
var wallMailboxes atomic.Int64

// mailboxWallFixture creates a mailbox in the tenant of key.
func mailboxWallFixture(e *env, key string) string {
	name := "Wall mailbox " + strconv.FormatInt(wallMailboxes.Add(1), 10)
	return created(e, key, "/api/v1/mail-sources", imapBody(name, 993))
}

func TestMailSourcesAPI(t *testing.T) {
	t.Parallel()
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			e, logs := newLoggedEnv(t, d)
			var bodies []string
			call := func(method, path string, body any, want int) response {
				t.Helper()
				res := e.do(method, path, e.key, body)
				wantStatus(t, res, want)
				bodies = append(bodies, string(res.Body))
				return res
			}
			port := unusedPort(t)
			res := call(http.MethodPost, "/api/v1/mail-sources", imapBody("Vendor notices", port), http.StatusCreated)
			var m struct {
				ID             string         `json:"id"`
				CredentialsSet bool           `json:"credentials_set"`
				IMAP           map[string]any `json:"imap"`
				IsActive       bool           `json:"is_active"`
				Status         map[string]any `json:"status"`
			}
			res.JSON(t, &m)
			if m.ID == "" || !m.CredentialsSet || !m.IsActive || m.IMAP["folder"] != "INBOX" || res.Header.Get("Location") != "/api/v1/mail-sources/"+m.ID {
				t.Fatalf("created = %s (Location %q)", res.Body, res.Header.Get("Location"))
			}
			if strings.Contains(string(res.Body), `"credentials":`) || strings.Contains(string(res.Body), `"password":`) {
				t.Errorf("the answer mentions credentials: %s", res.Body)
			}

			t.Run("validation reports every field at once", func(t *testing.T) {
				res := e.do(http.MethodPost, "/api/v1/mail-sources", e.key, map[string]any{"kind": "graph", "graph": map[string]any{"mailbox": "x@y"}})
				wantProblem(t, res, http.StatusUnprocessableEntity)
				for _, field := range []string{"body.name", "body.graph.tenant_id", "body.graph.client_id", "body.credentials.client_secret"} {
					if !strings.Contains(string(res.Body), field) {
						t.Errorf("problem lacks %s: %s", field, res.Body)
					}
				}
				res = e.do(http.MethodPost, "/api/v1/mail-sources", e.key, map[string]any{"name": "x", "kind": "imap", "imap": map[string]any{"hostname": "x"}})
				wantProblem(t, res, http.StatusUnprocessableEntity)
			})
			t.Run("patch merges the settings and keeps the credentials", func(t *testing.T) {
				res := call(http.MethodPatch, "/api/v1/mail-sources/"+m.ID, map[string]any{"imap": map[string]any{"folder": "Vendors"}}, http.StatusOK)
				var got struct {
					IMAP map[string]any `json:"imap"`
				}
				res.JSON(t, &got)
				if got.IMAP["folder"] != "Vendors" || got.IMAP["host"] != "127.0.0.1" || got.IMAP["mark_seen"] != true {
					t.Errorf("patched = %s", res.Body)
				}
				res = e.do(http.MethodPatch, "/api/v1/mail-sources/"+m.ID, e.key, map[string]any{"imap": map[string]any{"host": "localhost"}})
				wantProblem(t, res, http.StatusUnprocessableEntity)
				if !strings.Contains(string(res.Body), "body.credentials.password") {
					t.Errorf("a new host without the password: %s", res.Body)
				}
			})
			t.Run("test connection reports an unreachable server", func(t *testing.T) {
				res := call(http.MethodPost, "/api/v1/mail-sources/"+m.ID+"/test", nil, http.StatusOK)
				var tr struct {
					OK      bool   `json:"ok"`
					Code    string `json:"code"`
					Message string `json:"message"`
				}
				res.JSON(t, &tr)
				if tr.OK || tr.Code != "unavailable" || !strings.HasPrefix(tr.Message, "Server unreachable") {
					t.Errorf("test = %s", res.Body)
				}
			})
			t.Run("poll now is queued", func(t *testing.T) {
				call(http.MethodPost, "/api/v1/mail-sources/"+m.ID+"/poll", nil, http.StatusAccepted)
				call(http.MethodPost, "/api/v1/mail-sources/"+m.ID+"/poll", nil, http.StatusAccepted)
			})
			t.Run("list and deactivate", func(t *testing.T) {
				res := call(http.MethodGet, "/api/v1/mail-sources", nil, http.StatusOK)
				if !strings.Contains(string(res.Body), m.ID) {
					t.Errorf("list lacks the mailbox: %s", res.Body)
				}
				call(http.MethodDelete, "/api/v1/mail-sources/"+m.ID, nil, http.StatusNoContent)
				res = call(http.MethodGet, "/api/v1/mail-sources/"+m.ID, nil, http.StatusOK)
				if !strings.Contains(string(res.Body), `"is_active":false`) {
					t.Errorf("after DELETE: %s", res.Body)
				}
				wantProblem(t, e.do(http.MethodPost, "/api/v1/mail-sources/"+m.ID+"/poll", e.key, nil), http.StatusConflict)
				call(http.MethodPatch, "/api/v1/mail-sources/"+m.ID, map[string]any{"is_active": true}, http.StatusOK)
			})
			t.Run("another tenant sees nothing", func(t *testing.T) {
				_, keyB := e.newTenant("mailb")
				wantProblem(t, e.do(http.MethodGet, "/api/v1/mail-sources/"+m.ID, keyB, nil), http.StatusNotFound)
				res := e.do(http.MethodGet, "/api/v1/mail-sources", keyB, nil)
				if strings.Contains(string(res.Body), m.ID) {
					t.Errorf("tenant B lists tenant A's mailbox: %s", res.Body)
				}
			})
			for _, b := range append(bodies, logs.String()) {
				if strings.Contains(b, mailboxPassword) {
					t.Fatalf("the mailbox password leaked: %.500s", b)
				}
			}
			if !strings.Contains(logs.String(), `"msg":"mailbox test"`) {
				t.Errorf("the connection test was not logged")
			}
		})
	}
}

func TestMailboxPages(t *testing.T) {
	t.Parallel()
	e, logs := newLoggedEnv(t, storetest.Dialects(t)[0])
	admin := e.signInAs(e.admin.Email, e.password)
	page := admin.get(t, "/settings/mailboxes")
	wantStatus(t, page, http.StatusOK)
	if !strings.Contains(string(page.Body), "No mailboxes yet") || !strings.Contains(string(page.Body), `href="/settings/mailboxes"`) {
		t.Errorf("list page: %s", page.Body)
	}
	form := admin.get(t, "/settings/mailboxes/new")
	for _, id := range []string{`id="kind-imap"`, `id="kind-graph"`, `id="kind-gmail"`} {
		if !strings.Contains(string(form.Body), id) {
			t.Errorf("the form lacks the fieldset %s", id)
		}
	}

	values := url.Values{"name": {"Notices"}, "kind": {"imap"}, "imap_host": {"127.0.0.1"}, "imap_port": {strconv.Itoa(unusedPort(t))},
		"imap_security": {"none"}, "imap_username": {"notices@acme.test"}, "imap_auth": {"password"}, "imap_password": {mailboxPassword},
		"graph_tenant_id": {"ignored because the kind is imap"}}
	t.Run("invalid input is shown on the form", func(t *testing.T) {
		bad := url.Values{"name": {"Notices"}, "kind": {"imap"}, "imap_port": {"abc"}}
		res := admin.post(t, "/settings/mailboxes", bad)
		wantStatus(t, res, http.StatusUnprocessableEntity)
		if !strings.Contains(string(res.Body), "must be a number") {
			t.Errorf("no field error: %s", res.Body)
		}
		bad.Set("imap_port", "")
		res = admin.post(t, "/settings/mailboxes", bad)
		wantStatus(t, res, http.StatusUnprocessableEntity)
		if !strings.Contains(string(res.Body), "is required") {
			t.Errorf("no field error: %s", res.Body)
		}
	})
	res := admin.post(t, "/settings/mailboxes", values)
	wantStatus(t, res, http.StatusSeeOther)
	loc := res.Header.Get("Location")
	if !strings.HasPrefix(loc, "/settings/mailboxes/") {
		t.Fatalf("redirect to %q", loc)
	}
	detail := admin.get(t, loc)
	wantStatus(t, detail, http.StatusOK)
	for _, want := range []string{"Notices", "not polled yet", "Test connection", "Poll now", "<dd>set</dd>"} {
		if !strings.Contains(string(detail.Body), want) {
			t.Errorf("detail page lacks %q", want)
		}
	}
	test := admin.post(t, loc+"/test", nil)
	wantStatus(t, test, http.StatusOK)
	if !strings.Contains(string(test.Body), "Server unreachable") {
		t.Errorf("test result not shown: %s", test.Body)
	}
	wantStatus(t, admin.post(t, loc+"/poll", nil), http.StatusSeeOther)
	values.Set("name", "Vendor notices")
	values.Del("imap_password")
	wantStatus(t, admin.post(t, loc, values), http.StatusSeeOther)
	wantStatus(t, admin.post(t, loc+"/active", url.Values{"active": {"0"}}), http.StatusSeeOther)
	detail = admin.get(t, loc)
	if !strings.Contains(string(detail.Body), "Vendor notices") || !strings.Contains(string(detail.Body), "Reactivate") {
		t.Errorf("after rename and deactivation: %s", detail.Body)
	}
	for _, b := range []string{string(detail.Body), string(test.Body), logs.String()} {
		if strings.Contains(b, mailboxPassword) {
			t.Fatal("the mailbox password leaked into a page or the logs")
		}
	}
	t.Run("navigation", func(t *testing.T) {
		if !strings.Contains(string(admin.get(t, "/").Body), `href="/settings/llm"`) {
			t.Error("admins do not see the Language model link")
		}
		viewer := e.signIn("viewer")
		if strings.Contains(string(viewer.get(t, "/").Body), `href="/settings/mailboxes"`) {
			t.Error("viewers see the Mailboxes link")
		}
	})
}

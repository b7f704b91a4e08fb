package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/alexedwards/scs/v2"

	"github.com/vendorsync/vendorsync/internal/app/consequence"
	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/contract"
	"github.com/vendorsync/vendorsync/internal/deadletter"
	"github.com/vendorsync/vendorsync/internal/erp"
	"github.com/vendorsync/vendorsync/internal/ingest"
	"github.com/vendorsync/vendorsync/internal/jobs"
	"github.com/vendorsync/vendorsync/internal/llm/llmconfig"
	"github.com/vendorsync/vendorsync/internal/mail/mailbox"
	"github.com/vendorsync/vendorsync/internal/notify/dispatch"
	"github.com/vendorsync/vendorsync/internal/registry"
	"github.com/vendorsync/vendorsync/internal/score"
	"github.com/vendorsync/vendorsync/internal/setting"
	"github.com/vendorsync/vendorsync/internal/sqlstore"
	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
	"github.com/vendorsync/vendorsync/internal/ticket"
	"github.com/vendorsync/vendorsync/internal/vendorview"
	"github.com/vendorsync/vendorsync/internal/web"
)

// env is a running server on a real, migrated store with one tenant, its
// admin, and an admin API key.
type env struct {
	t        testing.TB
	db       *sqlstore.DB
	auth     *auth.Service
	server   *web.Server
	http     *httptest.Server
	tenant   auth.Tenant
	admin    auth.User
	password string // the admin's password
	key      string // an admin API key
}

// newEnv starts a test server on dialect d.
func newEnv(t testing.TB, d sqlstore.Dialect) *env {
	t.Helper()
	db := storetest.Open(t, d)
	e := &env{t: t, db: db}
	e.auth = &auth.Service{Store: db, Keys: db.Keys, Consequences: causes.People}
	sessions := scs.New()
	sessions.Store = db.Sessions()
	sessions.Cookie.Name = "vs_session"
	srv, err := web.New(deps(e, sessions))
	if err != nil {
		t.Fatal(err)
	}
	e.server = srv
	e.http = httptest.NewServer(srv.Handler())
	t.Cleanup(e.http.Close)
	b, err := e.auth.CreateTenant(context.Background(), "acme", "Acme", "admin@acme.test")
	if err != nil {
		t.Fatal(err)
	}
	e.tenant, e.admin, e.password = b.Tenant, b.Admin, b.Password
	e.key = e.newKey(e.tenant, auth.RoleAdmin)
	return e
}

// causes is the program's table of consequences, as the test server wires it.
var causes = consequence.Declare(dispatch.Notices{BaseURL: "http://example.test"})

// deps builds the server's dependencies on the env's store.
func deps(e *env, sessions *scs.SessionManager) web.Deps {
	queue, err := jobs.New(e.db, jobs.Config{}) // insert-only: tests start workers where they need them
	if err != nil {
		e.t.Fatal(err)
	}
	return withNotify(e, withTrackers(e, withInbox(e, web.Deps{
		Auth: e.auth, Sessions: sessions, Audit: e.db, AuditKey: e.db.AuditKey,
		Ready: e.db.Ping, Version: "test", BaseURL: "http://example.test", DefaultTenant: "acme",
		Settings: &setting.Service{Store: e.db}, Secrets: &setting.Secrets{Store: e.db},
		Registry:    &registry.Service{Store: e.db},
		DeadLetters: &deadletter.Service{Store: jobs.NewDeadLetterStore(e.db, queue)},
		Tickets:     &ticket.Service{Store: e.db, Location: (&setting.Service{Store: e.db}).Location, Consequences: causes.Tickets},
		Mailboxes:   &mailbox.Service{Store: e.db}, LLM: &llmconfig.Service{Store: e.db},
		Scores:    &score.Service{Store: e.db, Consequences: causes.Scores, Blobs: reportBlobs(e)},
		Ingest:    &ingest.Service{Store: e.db, Auth: e.auth, Blobs: reportBlobs(e), Consequences: causes.Ingest},
		ERP:       &erp.Service{Store: e.db, Providers: erpProviders()},
		Contracts: &contract.Service{Store: e.db, Blobs: reportBlobs(e), Consequences: causes.Contracts},
		Mappings:  &contract.MappingService{Store: e.db}, Reconciliation: &contract.ReconciliationService{Store: e.db},
		Workflow: &contract.WorkflowService{Store: e.db, Blobs: reportBlobs(e)}, VendorView: &vendorview.Service{Store: e.db},
	})))
}

// newKey creates an API key with role in tenant t.
func (e *env) newKey(t auth.Tenant, role auth.Role) string {
	e.t.Helper()
	_, full, err := e.auth.CreateAPIKey(context.Background(), auth.System(t.ID), "test-"+string(role), role, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	return full
}

// newTenant creates another tenant and returns it with an admin API key.
func (e *env) newTenant(slug string) (auth.Tenant, string) {
	e.t.Helper()
	b, err := e.auth.CreateTenant(context.Background(), slug, strings.ToUpper(slug), "admin@"+slug+".test")
	if err != nil {
		e.t.Fatal(err)
	}
	return b.Tenant, e.newKey(b.Tenant, auth.RoleAdmin)
}

// response is a decoded HTTP answer.
type response struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body into v, failing the test when it is not JSON.
func (r response) JSON(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decode %s: %v", r.Body, err)
	}
}

// do sends a request with an API key (key may be empty); body may be nil, a
// string (sent as is) or a value marshalled to JSON.
func (e *env) do(method, path, key string, body any) response {
	e.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			e.t.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, e.http.URL+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	out, err := io.ReadAll(res.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return response{Status: res.StatusCode, Header: res.Header, Body: out}
}

// wantStatus fails when r's status is not want, showing the body.
func wantStatus(t testing.TB, r response, want int) {
	t.Helper()
	if r.Status != want {
		t.Fatalf("status = %d, want %d; body: %s", r.Status, want, r.Body)
	}
}

// wantProblem checks an error answer is problem+json with the status.
func wantProblem(t testing.TB, r response, want int) {
	t.Helper()
	wantStatus(t, r, want)
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
		t.Fatalf("content type = %q, want application/problem+json; body: %s", ct, r.Body)
	}
}

func TestHealthAndProblems(t *testing.T) {
	t.Parallel()
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, d)
			wantStatus(t, e.do("GET", "/healthz", "", nil), http.StatusOK)
			wantStatus(t, e.do("GET", "/readyz", "", nil), http.StatusOK)
			wantProblem(t, e.do("GET", "/api/v1/no-such-thing", e.key, nil), http.StatusNotFound)
			wantProblem(t, e.do("GET", "/api/v1/no-such-thing", "vsk_bad", nil), http.StatusUnauthorized)
			r := e.do("GET", "/api/openapi.json", "", nil)
			wantStatus(t, r, http.StatusOK)
			var doc struct {
				OpenAPI string `json:"openapi"`
			}
			r.JSON(t, &doc)
			if doc.OpenAPI != "3.1.0" {
				t.Errorf("openapi = %q", doc.OpenAPI)
			}
		})
	}
}

package web_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/vendorsync/vendorsync/internal/audit"
	"github.com/vendorsync/vendorsync/internal/erp"
	"github.com/vendorsync/vendorsync/internal/erp/p21/p21test"
	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
)

func TestERPConnectorAPI(t *testing.T) {
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			e := newEnv(t, d)
			fake := p21test.New(t)
			fake.Catalog(3, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))

			t.Run("every problem at once", func(t *testing.T) {
				res := e.do(http.MethodPost, "/api/v1/erp-connectors", e.key, map[string]any{"provider": "p21", "auth_mode": "password"})
				wantProblem(t, res, http.StatusUnprocessableEntity)
				for _, f := range []string{"name", "base_url", "username", "secret"} {
					if !strings.Contains(string(res.Body), `"body.`+f+`"`) {
						t.Errorf("no error for %s: %s", f, res.Body)
					}
				}
				res = e.do(http.MethodPost, "/api/v1/erp-connectors", e.key, map[string]any{"name": "x", "provider": "sap"})
				wantProblem(t, res, http.StatusUnprocessableEntity)
				res = e.do(http.MethodPost, "/api/v1/erp-connectors", e.key, map[string]any{"name": "x", "provider": "p21",
					"auth_mode": "none", "base_url": fake.URL, "secret": "s"})
				wantProblem(t, res, http.StatusUnprocessableEntity)
			})

			var c erp.Connector
			res := e.do(http.MethodPost, "/api/v1/erp-connectors", e.key, map[string]any{"name": "P21 production", "provider": "p21",
				"base_url": fake.URL + "/", "username": p21test.Username, "secret": p21test.Password})
			wantStatus(t, res, http.StatusCreated)
			res.JSON(t, &c)
			if c.AuthMode != erp.AuthPassword || !c.SecretSet || c.BaseURL != fake.URL || c.Sync.State != erp.SyncNever {
				t.Errorf("created %+v", c)
			}
			if strings.Contains(string(res.Body), p21test.Password) {
				t.Errorf("the secret came back: %s", res.Body)
			}

			t.Run("test lists the readable tables", func(t *testing.T) {
				var out erp.TestOutcome
				res := e.do(http.MethodPost, "/api/v1/erp-connectors/"+c.ID+"/test", e.key, nil)
				wantStatus(t, res, http.StatusOK)
				res.JSON(t, &out)
				if !out.OK || len(out.Tables) != 5 || len(out.Missing) != 0 {
					t.Errorf("test %+v", out)
				}
			})

			t.Run("a changed host needs the secret again", func(t *testing.T) {
				res := e.do(http.MethodPatch, "/api/v1/erp-connectors/"+c.ID, e.key, map[string]any{"base_url": "https://elsewhere.example"})
				wantProblem(t, res, http.StatusUnprocessableEntity)
				res = e.do(http.MethodPatch, "/api/v1/erp-connectors/"+c.ID, e.key, map[string]any{"secret": "wrong"})
				wantStatus(t, res, http.StatusOK)
				var out erp.TestOutcome
				e.do(http.MethodPost, "/api/v1/erp-connectors/"+c.ID+"/test", e.key, nil).JSON(t, &out)
				if out.OK || out.Code != "auth" || !strings.Contains(out.Message, "Invalid username or password") {
					t.Errorf("test with a wrong password: %+v", out)
				}
			})

			t.Run("changes are audited without the secret", func(t *testing.T) {
				entries, _, err := e.db.ListAudit(t.Context(), e.tenant.ID, audit.Filter{EntityType: "erp_connector"})
				if err != nil {
					t.Fatal(err)
				}
				if len(entries) != 2 {
					t.Fatalf("%d audit rows, want create and update", len(entries))
				}
				for _, en := range entries {
					if strings.Contains(en.Before+en.After, p21test.Password) || strings.Contains(en.Before+en.After, "wrong") {
						t.Errorf("audit row holds the secret: %+v", en)
					}
				}
			})

			t.Run("a CSV catalog is not synced; an inactive connector neither", func(t *testing.T) {
				id := created(e, e.key, "/api/v1/erp-connectors", map[string]any{"name": "Catalog", "provider": "csv"})
				wantProblem(t, e.do(http.MethodPost, "/api/v1/erp-connectors/"+id+"/sync", e.key, nil), http.StatusConflict)
				wantStatus(t, e.do(http.MethodDelete, "/api/v1/erp-connectors/"+c.ID, e.key, nil), http.StatusNoContent)
				wantProblem(t, e.do(http.MethodPost, "/api/v1/erp-connectors/"+c.ID+"/sync", e.key, nil), http.StatusConflict)
			})
		})
	}
}

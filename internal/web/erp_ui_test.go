package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/erp/p21/p21test"
	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
)

func TestERPPages(t *testing.T) {
	t.Parallel()
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, d)
			fake := p21test.New(t)
			fake.Catalog(3, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
			fake.Forbid("price_page")
			admin := e.signInAs(e.admin.Email, e.password)

			res := admin.post(t, "/procurement/connectors", url.Values{"name": {"P21"}, "provider": {"p21"}, "auth_mode": {"password"}})
			if res.Status != http.StatusUnprocessableEntity || !strings.Contains(string(res.Body), "is required") {
				t.Fatalf("incomplete form: %d %.500s", res.Status, res.Body)
			}
			res = admin.post(t, "/procurement/connectors", url.Values{"name": {"P21"}, "provider": {"p21"}, "auth_mode": {"password"},
				"base_url": {fake.URL}, "username": {p21test.Username}, "secret": {p21test.Password}})
			wantStatus(t, res, http.StatusSeeOther)
			page := res.Header.Get("Location")
			res = admin.get(t, page)
			if res.Status != http.StatusOK || !strings.Contains(string(res.Body), "never synced") || strings.Contains(string(res.Body), p21test.Password) {
				t.Fatalf("connector page: %d %.500s", res.Status, res.Body)
			}
			res = admin.post(t, page+"/test", nil)
			if !strings.Contains(string(res.Body), "Item sync cannot read: price_page") {
				t.Errorf("test result: %.2000s", res.Body)
			}
			wantStatus(t, admin.post(t, page+"/sync", nil), http.StatusSeeOther)
			if res := admin.get(t, page); !strings.Contains(string(res.Body), `hx-trigger="every 2s"`) || !strings.Contains(string(res.Body), "queued") {
				t.Errorf("a queued sync is followed on the page: %.2000s", res.Body)
			}

			res = admin.post(t, "/procurement/connectors", url.Values{"name": {"Legacy"}, "provider": {"csv"}})
			wantStatus(t, res, http.StatusSeeOther)
			legacy := res.Header.Get("Location")
			// A CSV catalog is not reached over the network: its form has
			// no host, sign-in, user name or password, and saves without them.
			res = admin.get(t, legacy)
			for _, field := range []string{`name="base_url"`, `name="auth_mode"`, `name="username"`, `name="secret"`} {
				if strings.Contains(string(res.Body), field) {
					t.Errorf("a CSV catalog's form shows %s", field)
				}
			}
			res = admin.post(t, legacy, url.Values{"name": {"Legacy catalog"}, "provider": {"csv"}, "active": {"1"}})
			wantStatus(t, res, http.StatusSeeOther)
			if res := admin.get(t, page); !strings.Contains(string(res.Body), `name="base_url" value="`+fake.URL+`"`) {
				t.Errorf("a P21 connector's form lacks its host: %.3000s", res.Body)
			}
			if res := admin.get(t, "/procurement/connectors/new"); !strings.Contains(string(res.Body), "P21 only") || !strings.Contains(string(res.Body), "/static/connector.js") {
				t.Errorf("the new connector form does not say which fields are for P21: %.3000s", res.Body)
			}
			wantStatus(t, admin.get(t, "/static/connector.js"), http.StatusOK)
			res = admin.upload(t, legacy+"/catalog", "file", "catalog.csv", []byte("item_number,description,list_price\nB-1,Brass fitting,3.50\nB-2,Bad,x\n"))
			if res.Status != http.StatusOK || !strings.Contains(string(res.Body), "2 rows read, 1 stored, 1 not imported") {
				t.Fatalf("import: %d %.2000s", res.Status, res.Body)
			}
			res = admin.get(t, "/procurement/items?q=brass")
			if !strings.Contains(string(res.Body), "B-1") || !strings.Contains(string(res.Body), "3.50") {
				t.Errorf("item search: %.2000s", res.Body)
			}
			res = admin.get(t, "/procurement/connectors")
			if !strings.Contains(string(res.Body), "Legacy catalog") || !strings.Contains(string(res.Body), "synced") {
				t.Errorf("connector list: %.2000s", res.Body)
			}
			// A catalog's prices are on its items: the counts say so
			// rather than "0 prices".
			if !strings.Contains(string(res.Body), "items (with their list prices)") || !strings.Contains(string(res.Body), "0 dated prices per unit") {
				t.Errorf("connector list counts: %.3000s", res.Body)
			}

			viewer := e.signIn(auth.RoleViewer)
			if res := viewer.get(t, "/procurement/connectors"); res.Status != http.StatusOK || strings.Contains(string(res.Body), "New connector") {
				t.Errorf("viewer list: %d", res.Status)
			}
		})
	}
}

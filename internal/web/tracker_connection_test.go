package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
	"github.com/vendorsync/vendorsync/internal/tracker/gitea/giteatest"
	"github.com/vendorsync/vendorsync/internal/tracker/github/githubtest"
	"github.com/vendorsync/vendorsync/internal/tracker/link"
)

// TestTrackerConnectionAPI: a GitHub connection is saved, read back
// without its token, and tested with its scopes and budget; the Jira
// settings API still reads the same connection.
func TestTrackerConnectionAPI(t *testing.T) {
	t.Parallel()
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, d)
			gh := githubtest.New(t)
			var c link.Connection
			e.do(http.MethodGet, "/api/v1/tracker/connection", e.key, nil).JSON(t, &c)
			if c.Configured {
				t.Errorf("before saving: %+v", c)
			}
			body := map[string]any{"kind": "github", "base_url": gh.URL}
			wantProblem(t, e.do(http.MethodPut, "/api/v1/tracker/connection", e.key, body), http.StatusUnprocessableEntity)
			wantProblem(t, e.do(http.MethodPut, "/api/v1/tracker/connection", e.key,
				map[string]any{"kind": "youtrack", "base_url": gh.URL, "token": "t"}), http.StatusUnprocessableEntity)
			body["token"] = githubtest.Token
			res := e.do(http.MethodPut, "/api/v1/tracker/connection", e.key, body)
			wantStatus(t, res, http.StatusOK)
			res.JSON(t, &c)
			if !c.Configured || c.Kind != "github" || c.Provider != "github" || !c.TokenSet || !c.Enabled {
				t.Errorf("after saving: %+v", c)
			}
			var test link.TestResult
			res = e.do(http.MethodPost, "/api/v1/tracker/connection/test", e.key, nil)
			wantStatus(t, res, http.StatusOK)
			res.JSON(t, &test)
			if !test.OK || test.Account != githubtest.Login || len(test.Scopes) == 0 || len(test.MissingScopes) != 0 ||
				test.RateLimit == nil || test.RateLimit.Limit != githubtest.RateLimit {
				t.Errorf("test: %+v", test)
			}
			// A client may send back what it read; the token stays.
			read := e.do(http.MethodGet, "/api/v1/tracker/connection", e.key, nil)
			wantStatus(t, e.do(http.MethodPut, "/api/v1/tracker/connection", e.key, string(read.Body)), http.StatusOK)
			for _, path := range []string{"/api/v1/tracker/connection", "/api/v1/audit?limit=500"} {
				if b := string(e.do(http.MethodGet, path, e.key, nil).Body); strings.Contains(b, githubtest.Token) {
					t.Errorf("%s shows the token", path)
				}
			}
		})
	}
}

// TestTrackerConnectionUI: an admin picks Gitea in the settings form, saves
// and tests it; each kind's needs are explained on the page.
func TestTrackerConnectionUI(t *testing.T) {
	t.Parallel()
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, d)
			gt := giteatest.New(t)
			admin := e.signInAs(e.admin.Email, e.password)
			page := admin.get(t, "/settings/jira")
			wantStatus(t, page, http.StatusOK)
			for _, want := range []string{`<option value="gitea"`, `<option value="github"`, "ALLOWED_HOST_LIST"} {
				if !strings.Contains(string(page.Body), want) {
					t.Errorf("page lacks %s", want)
				}
			}
			form := url.Values{"kind": {"gitea"}, "base_url": {gt.URL}, "token": {giteatest.Token}, "enabled": {"on"}}
			if res := admin.post(t, "/settings/jira", form); res.Status != http.StatusSeeOther {
				t.Fatalf("save: %d %s", res.Status, res.Body)
			}
			res := admin.post(t, "/settings/jira/test", nil)
			if !strings.Contains(string(res.Body), "Connected to") || !strings.Contains(string(res.Body), giteatest.Login) {
				t.Errorf("test: %d %s", res.Status, res.Body)
			}
			if page := admin.get(t, "/settings/jira"); !strings.Contains(string(page.Body), "Gitea / Forgejo</strong>") {
				t.Errorf("page after saving does not name the tracker")
			}
		})
	}
}

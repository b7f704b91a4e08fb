package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
	"github.com/vendorsync/vendorsync/internal/tracker/jira/jiratest"
)

// TestSyncSettingsForm: a forge connection's page shows its sync settings
// with the in-progress rule (the built-in labels by default); the form
// saves labels and the assignee rule, which the API reads back; a bad
// label is refused on the page; a Jira connection's form has no rule and
// keeps what the API stored.
func TestSyncSettingsForm(t *testing.T) {
	t.Parallel()
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, d)
			id := trackerConnectionWallFixture(e, e.key)
			admin := e.signInAs(e.admin.Email, e.password)
			page := admin.get(t, "/settings/jira?connection="+id)
			wantStatus(t, page, http.StatusOK)
			for _, want := range []string{`id="sync-settings"`, `name="in_progress_labels" value="in progress, in-progress, doing`,
				`action="/settings/trackers/` + id + `/sync-settings"`} {
				if !strings.Contains(string(page.Body), want) {
					t.Errorf("page lacks %q", want)
				}
			}
			form := url.Values{"delete_policy": {"delete_wins"}, "progress_rule": {"1"}, "in_progress_labels": {"WIP, status::doing"},
				"in_progress_when_assigned": {"on"}}
			if res := admin.post(t, "/settings/trackers/"+id+"/sync-settings", form); res.Status != http.StatusSeeOther {
				t.Fatalf("save: %d %s", res.Status, res.Body)
			}
			res := e.do(http.MethodGet, "/api/v1/tracker/connections/"+id+"/sync-settings", e.key, nil)
			wantStatus(t, res, http.StatusOK)
			if !strings.Contains(string(res.Body), `"in_progress_labels":["WIP","status::doing"]`) ||
				!strings.Contains(string(res.Body), `"in_progress_when_assigned":true`) {
				t.Errorf("settings after the form: %s", res.Body)
			}
			form.Set("in_progress_labels", strings.Repeat("x", 256))
			if res := admin.post(t, "/settings/trackers/"+id+"/sync-settings", form); res.Status != http.StatusUnprocessableEntity ||
				!strings.Contains(string(res.Body), "longer than 255") {
				t.Errorf("long label: %d", res.Status)
			}

			// Jira says "in progress" by its status category: no rule on its
			// form, and saving the form keeps the stored one.
			srv := jiratest.New(t)
			jiraID := created(e, e.key, "/api/v1/tracker/connections", map[string]any{"name": "Payments Jira", "kind": "jira_cloud",
				"base_url": srv.URL, "username": jiratest.Email, "token": jiratest.APIToken})
			wantStatus(t, e.do(http.MethodPut, "/api/v1/tracker/connections/"+jiraID+"/sync-settings", e.key,
				map[string]any{"in_progress_labels": []string{"kept"}}), http.StatusOK)
			page = admin.get(t, "/settings/jira?connection="+jiraID)
			if !strings.Contains(string(page.Body), `id="sync-settings"`) || strings.Contains(string(page.Body), "in_progress_labels") {
				t.Errorf("Jira connection's sync settings form shows the rule")
			}
			if res := admin.post(t, "/settings/trackers/"+jiraID+"/sync-settings", url.Values{"delete_policy": {"update_wins"}}); res.Status != http.StatusSeeOther {
				t.Fatalf("save Jira's: %d %s", res.Status, res.Body)
			}
			res = e.do(http.MethodGet, "/api/v1/tracker/connections/"+jiraID+"/sync-settings", e.key, nil)
			if !strings.Contains(string(res.Body), `"in_progress_labels":["kept"]`) || !strings.Contains(string(res.Body), `"update_wins"`) {
				t.Errorf("Jira's settings after its form: %s", res.Body)
			}
		})
	}
}

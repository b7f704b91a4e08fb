package web_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
	"github.com/vendorsync/vendorsync/internal/tracker/gitea/giteatest"
	"github.com/vendorsync/vendorsync/internal/tracker/link"
)

// TestRegisterWebhookAPI: registering a Gitea connection's webhook creates
// it in the repository an application routes there, with this server's
// hook URL and the secret shown once; registering again updates it.
func TestRegisterWebhookAPI(t *testing.T) {
	t.Parallel()
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, d)
			gt := giteatest.New(t)
			id := created(e, e.key, "/api/v1/tracker/connections", map[string]any{"name": "Gitea", "kind": "gitea",
				"base_url": gt.URL, "token": giteatest.Token})
			created(e, e.key, "/api/v1/applications", map[string]any{"name": "PaymentService", "description": "Pays.",
				"creates_tracker_issue": true, "tracker_connection_id": id, "tracker_project_key": "acme/payments", "tracker_issue_type": "Issue"})
			path := "/api/v1/tracker/connections/" + id + "/webhook/register"
			var reg link.HookRegistration
			res := e.do(http.MethodPost, path, e.key, nil)
			wantStatus(t, res, http.StatusOK)
			res.JSON(t, &reg)
			hooks := gt.Hooks("acme/payments")
			if reg.Secret == "" || reg.Manual || len(reg.Targets) != 1 || reg.Targets[0].Outcome != link.HookCreated ||
				len(hooks) != 1 || hooks[0].URL != reg.URL || !strings.HasSuffix(reg.URL, "/hooks/trackers/"+id) ||
				hooks[0].Secret != reg.Secret {
				t.Fatalf("%s\nhooks %+v", res.Body, hooks)
			}
			res = e.do(http.MethodPost, path, e.key, nil)
			wantStatus(t, res, http.StatusOK)
			reg = link.HookRegistration{}
			res.JSON(t, &reg)
			if reg.Secret != "" || reg.Targets[0].Outcome != link.HookUpdated || len(gt.Hooks("acme/payments")) != 1 {
				t.Fatalf("again: %s", res.Body)
			}
		})
	}
}

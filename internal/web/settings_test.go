package web_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/setting"
	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
)

func TestSettingsAPI(t *testing.T) {
	t.Parallel()
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, d)
			var got setting.Settings
			r := e.do("GET", "/api/v1/settings", e.key, nil)
			wantStatus(t, r, http.StatusOK)
			r.JSON(t, &got)
			if diff := cmp.Diff(setting.Defaults(), got); diff != "" {
				t.Errorf("defaults (-want +got):\n%s", diff)
			}
			if !strings.Contains(string(r.Body), `"escalation.thresholds_days":[7,3,1]`) {
				t.Errorf("keys are not the seed's names: %s", r.Body)
			}

			r = e.do("PATCH", "/api/v1/settings", e.key, map[string]any{
				"defaults.timezone":          "America/New_York",
				"defaults.working_hours":     map[string]string{"start": "08:30", "end": "17:00"},
				"defaults.sla_days_by_tier":  map[string]int{"tier_1": 7, "tier_2": 21, "tier_3": 45},
				"escalation.thresholds_days": []int{5, 2},
				"auth.auto_provision":        false,
			})
			wantStatus(t, r, http.StatusOK)
			r.JSON(t, &got)
			want := setting.Defaults()
			want.Timezone, want.WorkingHours = "America/New_York", setting.WorkingHours{Start: "08:30", End: "17:00"}
			want.SLADaysByTier, want.EscalationThresholdsDays, want.AutoProvision = setting.SLADays{Tier1: 7, Tier2: 21, Tier3: 45}, []int{5, 2}, false
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("after patch (-want +got):\n%s", diff)
			}

			for name, body := range map[string]map[string]any{
				"unknown zone":       {"defaults.timezone": "Atlantis/Capital"},
				"ascending":          {"escalation.thresholds_days": []int{1, 2}},
				"admin default role": {"auth.default_role": "admin"},
				"unknown key":        {"defaults.colour": "blue"},
				"wrong type":         {"audit.retention_days": "long"},
				"end before start":   {"defaults.working_hours": map[string]string{"start": "18:00", "end": "08:00"}},
			} {
				t.Run(name, func(t *testing.T) {
					wantProblem(t, e.do("PATCH", "/api/v1/settings", e.key, body), http.StatusUnprocessableEntity)
				})
			}
			e.do("GET", "/api/v1/settings", e.key, nil).JSON(t, &got)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("rejected patches changed settings (-want +got):\n%s", diff)
			}

			cm := e.newKey(e.tenant, auth.RoleChangeManager)
			wantProblem(t, e.do("GET", "/api/v1/settings", cm, nil), http.StatusForbidden)
			wantProblem(t, e.do("PATCH", "/api/v1/settings", cm, map[string]any{"defaults.timezone": "UTC"}), http.StatusForbidden)

			_, keyB := e.newTenant("beta")
			e.do("GET", "/api/v1/settings", keyB, nil).JSON(t, &got)
			if got.Timezone != "UTC" {
				t.Errorf("tenant beta sees tenant acme's time zone %q", got.Timezone)
			}
		})
	}
}

// TestSecretNeverLeaves stores a secret through the API and then looks for
// its value in every API answer and every log line.
func TestSecretNeverLeaves(t *testing.T) {
	t.Parallel()
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, d)
			s := e.serve(nil)
			const plaintext = "pl41ntext-SECRET-d0-not-leak"
			call := func(method, path string, body any) response {
				t.Helper()
				return s.do(e, method, path, e.key, body)
			}
			r := call("PUT", "/api/v1/secrets/jira-token", map[string]string{"value": plaintext})
			wantStatus(t, r, http.StatusOK)
			var info setting.SecretInfo
			r.JSON(t, &info)
			if info.Name != "jira-token" || info.KeyID == "" {
				t.Errorf("info = %+v", info)
			}
			wantStatus(t, call("PUT", "/api/v1/secrets/jira-token", map[string]string{"value": plaintext + "-v2"}), http.StatusOK)
			wantProblem(t, call("PUT", "/api/v1/secrets/Bad%20Name", map[string]string{"value": plaintext}), http.StatusUnprocessableEntity)
			wantProblem(t, call("PUT", "/api/v1/secrets/empty", map[string]string{"value": ""}), http.StatusUnprocessableEntity)
			got, err := e.db.Secret(t.Context(), e.tenant.ID, "jira-token")
			if err != nil || string(got) != plaintext+"-v2" {
				t.Fatalf("stored secret = %q, %v", got, err)
			}

			var bodies []response
			bodies = append(bodies, r)
			for _, path := range []string{"/api/v1/secrets", "/api/v1/settings", "/api/v1/audit", "/api/v1/audit?entity_type=secret", "/api/v1/me"} {
				res := call("GET", path, nil)
				wantStatus(t, res, http.StatusOK)
				bodies = append(bodies, res)
			}
			if !strings.Contains(string(bodies[3].Body), "secret.set") {
				t.Errorf("the audit API does not show the change: %s", bodies[3].Body)
			}
			var list struct{ Items []setting.SecretInfo }
			bodies[1].JSON(t, &list)
			if len(list.Items) != 1 || list.Items[0].Name != "jira-token" {
				t.Errorf("secret list = %+v", list.Items)
			}
			b := newBrowser(t, s.url)
			b.login(e.admin.Email, e.password)
			bodies = append(bodies, b.get("/settings"), b.get("/audit"))
			for i, res := range bodies {
				if strings.Contains(string(res.Body), plaintext) {
					t.Errorf("response %d contains the secret: %s", i, res.Body)
				}
			}
			if strings.Contains(s.logs.String(), plaintext) {
				t.Errorf("logs contain the secret:\n%s", s.logs.String())
			}
			if !strings.Contains(s.logs.String(), "/api/v1/secrets/jira-token") {
				t.Errorf("the log buffer did not capture the requests:\n%s", s.logs.String())
			}
			text := auditText(t, e)
			if strings.Contains(text, plaintext) || !strings.Contains(text, "secret.set") {
				t.Errorf("audit rows hold the value or miss the change:\n%s", text)
			}

			viewer := e.newKey(e.tenant, auth.RoleChangeManager)
			wantProblem(t, e.do("GET", "/api/v1/secrets", viewer, nil), http.StatusForbidden)
			wantProblem(t, e.do("PUT", "/api/v1/secrets/x", viewer, map[string]string{"value": "y"}), http.StatusForbidden)
			_, keyB := e.newTenant("beta")
			wantProblem(t, e.do("DELETE", "/api/v1/secrets/jira-token", keyB, nil), http.StatusNotFound)
			wantStatus(t, e.do("DELETE", "/api/v1/secrets/jira-token", e.key, nil), http.StatusNoContent)
			wantProblem(t, e.do("DELETE", "/api/v1/secrets/jira-token", e.key, nil), http.StatusNotFound)
		})
	}
}

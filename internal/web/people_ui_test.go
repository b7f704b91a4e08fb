package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
)

// contains fails unless the page body has every snippet.
func contains(t *testing.T, r response, snippets ...string) {
	t.Helper()
	for _, s := range snippets {
		if !strings.Contains(string(r.Body), s) {
			t.Errorf("page lacks %q:\n%s", s, r.Body)
		}
	}
}

var passwordRE = regexp.MustCompile(`<pre><code>([^<]+)</code></pre>`)

func TestUsersUI(t *testing.T) {
	t.Parallel()
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, d)
			s := e.serve(nil)
			b := newBrowser(t, s.url)
			b.login(e.admin.Email, e.password)
			team, err := e.auth.CreateTeam(context.Background(), auth.System(e.tenant.ID), auth.TeamInput{Name: "Payments"})
			if err != nil {
				t.Fatal(err)
			}
			contains(t, b.get("/users"), "admin@acme.test", "Add a user", "Payments")

			r := b.post("/users", url.Values{"email": {"not an email"}, "role": {"viewer"}})
			wantStatus(t, r, http.StatusUnprocessableEntity)
			contains(t, r, `class="field-error"`, `value="not an email"`)

			r = b.post("/users", url.Values{"email": {"ann@acme.test"}, "name": {"Ann"}, "role": {"owner"},
				"team_ids": {team.ID}, "generate_password": {"on"}})
			wantStatus(t, r, http.StatusOK)
			contains(t, r, "One-time password", `class="secret"`)
			m := passwordRE.FindSubmatch(r.Body)
			if m == nil {
				t.Fatalf("no password on the page: %s", r.Body)
			}
			ann := newBrowser(t, s.url)
			ann.login("ann@acme.test", string(m[1]))
			if page := b.get("/users"); strings.Contains(string(page.Body), string(m[1])) {
				t.Error("the password is shown again on the list")
			}
			wantStatus(t, b.post("/users", url.Values{"email": {"ann@acme.test"}, "role": {"owner"}}), http.StatusConflict)

			u, err := e.db.UserByEmail(context.Background(), e.tenant.ID, "ann@acme.test")
			if err != nil {
				t.Fatal(err)
			}
			contains(t, b.get("/users?q=ann&role=owner"), "ann@acme.test")
			if strings.Contains(string(b.get("/users?role=viewer").Body), "ann@acme.test") {
				t.Error("role filter shows an owner among viewers")
			}
			contains(t, b.get("/users/"+u.ID), "Profile and role", "Reset password", "Deactivate")

			r = b.post("/users/"+u.ID, url.Values{"name": {"Ann B"}, "role": {"change_manager"}, "slack_user_id": {"bad id!"}})
			wantStatus(t, r, http.StatusUnprocessableEntity)
			contains(t, r, "U0123ABCD")
			r = b.post("/users/"+u.ID, url.Values{"name": {"Ann B"}, "role": {"change_manager"}, "team_ids": {team.ID}})
			wantStatus(t, r, http.StatusSeeOther)
			contains(t, b.get("/users/"+u.ID), "Saved ann@acme.test", `value="Ann B"`)

			r = b.post("/users/"+u.ID+"/password", nil)
			wantStatus(t, r, http.StatusOK)
			contains(t, r, "New password for ann@acme.test")

			wantStatus(t, b.post("/users/"+u.ID+"/active", url.Values{"active": {"0"}}), http.StatusSeeOther)
			wantProblem(t, ann.me(), http.StatusUnauthorized)
			contains(t, b.get("/users?inactive=1"), "deactivated")
			wantStatus(t, b.post("/users/"+u.ID+"/active", url.Values{"active": {"1"}}), http.StatusSeeOther)

			r = b.post("/users/"+e.admin.ID+"/active", url.Values{"active": {"0"}})
			wantStatus(t, r, http.StatusConflict)
			contains(t, r, "last active admin")

			r = b.post("/users/"+u.ID, url.Values{"csrf_token": {"forged"}, "role": {"admin"}})
			wantStatus(t, r, http.StatusForbidden)

			viewer := newBrowser(t, s.url)
			if _, _, err := e.auth.CreateUser(context.Background(), auth.System(e.tenant.ID), auth.NewUser{
				Email: "viewer@acme.test", Role: auth.RoleViewer, Password: "viewer password 1"}); err != nil {
				t.Fatal(err)
			}
			viewer.login("viewer@acme.test", "viewer password 1")
			wantStatus(t, viewer.get("/users"), http.StatusForbidden)
			wantStatus(t, viewer.get("/teams"), http.StatusOK)
			wantStatus(t, viewer.post("/teams", url.Values{"name": {"Sneaky"}}), http.StatusForbidden)
		})
	}
}

func TestTeamsAndKeysUI(t *testing.T) {
	t.Parallel()
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, d)
			s := e.serve(nil)
			b := newBrowser(t, s.url)
			b.login(e.admin.Email, e.password)

			r := b.post("/teams", url.Values{"name": {""}, "email": {"nope"}})
			wantStatus(t, r, http.StatusUnprocessableEntity)
			contains(t, r, `class="field-error"`)
			wantStatus(t, b.post("/teams", url.Values{"name": {"Platform"}, "slack_channel": {"#platform"}}), http.StatusSeeOther)
			contains(t, b.get("/teams"), "Team Platform created.", "#platform")
			teams, _, err := e.db.ListTeams(context.Background(), e.tenant.ID, auth.TeamFilter{})
			if err != nil || len(teams) != 1 {
				t.Fatalf("teams = %v, %v", teams, err)
			}
			id := teams[0].ID
			wantStatus(t, b.post("/teams/"+id, url.Values{"name": {"Platform Eng"}, "slack_channel": {"#platform"}}), http.StatusSeeOther)
			contains(t, b.get("/teams/"+id), `value="Platform Eng"`)
			wantStatus(t, b.post("/teams/"+id+"/active", url.Values{"active": {"0"}}), http.StatusSeeOther)
			contains(t, b.get("/teams/"+id), "Reactivate team")

			r = b.post("/apikeys", url.Values{"name": {"ci"}, "role": {"viewer"}, "expires_on": {"soon"}})
			wantStatus(t, r, http.StatusUnprocessableEntity)
			r = b.post("/apikeys", url.Values{"name": {"ci"}, "role": {"viewer"}})
			wantStatus(t, r, http.StatusOK)
			m := regexp.MustCompile(`<code id="new-api-key">(vsk_[a-z0-9_]+)</code>`).FindSubmatch(r.Body)
			if m == nil {
				t.Fatalf("key not shown: %s", r.Body)
			}
			key := string(m[1])
			wantStatus(t, s.do(e, "GET", "/api/v1/me", key, nil), http.StatusOK)
			list := b.get("/apikeys")
			if strings.Contains(string(list.Body), key) {
				t.Error("the key is shown again")
			}
			k, err := e.db.APIKeyByPrefix(context.Background(), strings.Split(key, "_")[1])
			if err != nil {
				t.Fatal(err)
			}
			wantStatus(t, b.post("/apikeys/"+k.ID+"/revoke", nil), http.StatusSeeOther)
			wantProblem(t, s.do(e, "GET", "/api/v1/me", key, nil), http.StatusUnauthorized)
			contains(t, b.get("/apikeys"), "is revoked")
		})
	}
}

func TestSettingsUI(t *testing.T) {
	t.Parallel()
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, d)
			s := e.serve(nil)
			b := newBrowser(t, s.url)
			b.login(e.admin.Email, e.password)
			contains(t, b.get("/settings"), `value="UTC"`, `value="7, 3, 1"`, `value="1825"`, "Stored secrets")

			form := url.Values{"timezone": {"Europe/Berlin"}, "work_start": {"08:00"}, "work_end": {"17:30"},
				"thresholds": {"10, 5, 1"}, "tier_1": {"10"}, "tier_2": {"20"}, "tier_3": {"40"}, "retention": {"3650"},
				"default_role": {"owner"}, "min_confidence": {"70"}}
			bad := url.Values{}
			for k, v := range form {
				bad[k] = v
			}
			bad.Set("thresholds", "1, 5")
			bad.Set("tier_2", "lots")
			r := b.post("/settings", bad)
			wantStatus(t, r, http.StatusUnprocessableEntity)
			contains(t, r, "whole number", `value="1, 5"`)
			bad.Set("tier_2", "20")
			r = b.post("/settings", bad)
			wantStatus(t, r, http.StatusUnprocessableEntity)
			contains(t, r, "strictly descending")

			wantStatus(t, b.post("/settings", form), http.StatusSeeOther)
			st, err := e.server.Settings.Get(context.Background(), e.tenant.ID)
			if err != nil {
				t.Fatal(err)
			}
			if st.Timezone != "Europe/Berlin" || st.AutoProvision || st.DefaultRole != auth.RoleOwner || st.SLADaysByTier.Tier3 != 40 ||
				st.MinConfidencePercent != 70 {
				t.Errorf("saved settings = %+v", st)
			}
			contains(t, b.get("/settings"), "Settings saved.", `value="Europe/Berlin"`)

			const value = "hunter2-very-secret"
			wantStatus(t, b.post("/settings/secrets", url.Values{"secret_name": {"BAD NAME"}, "secret_value": {value}}), http.StatusUnprocessableEntity)
			wantStatus(t, b.post("/settings/secrets", url.Values{"secret_name": {"smtp-password"}, "secret_value": {value}}), http.StatusSeeOther)
			page := b.get("/settings")
			contains(t, page, "smtp-password")
			if strings.Contains(string(page.Body), value) {
				t.Error("the secret value is on the page")
			}
			wantStatus(t, b.post("/settings/secrets/smtp-password/delete", nil), http.StatusSeeOther)
			contains(t, b.get("/settings"), "No secrets stored.")
		})
	}
}

package web_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
)

// userBody is a user as the API returns it, plus the one-time password.
type userBody struct {
	auth.User
	OneTimePassword string `json:"one_time_password"`
}

// noCredentials fails when a body carries a password hash or an API key MAC.
func noCredentials(t *testing.T, r response) {
	t.Helper()
	for _, bad := range []string{"argon2id", "password_hash", `"hash"`, "oidc_subject"} {
		if strings.Contains(string(r.Body), bad) {
			t.Fatalf("response leaks %s: %s", bad, r.Body)
		}
	}
}

func TestUsersAPI(t *testing.T) {
	t.Parallel()
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, d)
			r := e.do("POST", "/api/v1/teams", e.key, map[string]any{"name": "Payments", "slack_channel": "#payments"})
			wantStatus(t, r, http.StatusCreated)
			var team auth.Team
			r.JSON(t, &team)

			r = e.do("POST", "/api/v1/users", e.key, map[string]any{"email": "Ann@Acme.test", "name": "Ann", "role": "owner",
				"team_ids": []string{team.ID}, "generate_password": true})
			wantStatus(t, r, http.StatusCreated)
			noCredentials(t, r)
			var ann userBody
			r.JSON(t, &ann)
			if ann.Email != "ann@acme.test" || ann.Role != auth.RoleOwner || len(ann.OneTimePassword) < 12 || !ann.HasPassword {
				t.Fatalf("created = %+v", ann)
			}
			if len(ann.TeamIDs) != 1 || ann.TeamIDs[0] != team.ID {
				t.Errorf("teams = %v", ann.TeamIDs)
			}

			t.Run("list, search and filter", func(t *testing.T) {
				var page struct {
					Items      []auth.User `json:"items"`
					NextCursor string      `json:"next_cursor"`
				}
				r := e.do("GET", "/api/v1/users?q=ANN", e.key, nil)
				wantStatus(t, r, http.StatusOK)
				noCredentials(t, r)
				r.JSON(t, &page)
				if len(page.Items) != 1 || page.Items[0].ID != ann.ID {
					t.Errorf("search: %+v", page.Items)
				}
				e.do("GET", "/api/v1/users?role=admin", e.key, nil).JSON(t, &page)
				if len(page.Items) != 1 || page.Items[0].Email != "admin@acme.test" {
					t.Errorf("role filter: %+v", page.Items)
				}
				e.do("GET", "/api/v1/users?limit=1", e.key, nil).JSON(t, &page)
				if len(page.Items) != 1 || page.NextCursor == "" {
					t.Fatalf("first page: %+v", page)
				}
				first := page.Items[0].ID
				e.do("GET", "/api/v1/users?limit=1&cursor="+page.NextCursor, e.key, nil).JSON(t, &page)
				if len(page.Items) != 1 || page.Items[0].ID == first {
					t.Errorf("second page: %+v", page)
				}
				wantProblem(t, e.do("GET", "/api/v1/users?role=boss", e.key, nil), http.StatusUnprocessableEntity)
			})

			t.Run("patch resets the password once", func(t *testing.T) {
				r := e.do("PATCH", "/api/v1/users/"+ann.ID, e.key, map[string]any{"role": "change_manager", "reset_password": true})
				wantStatus(t, r, http.StatusOK)
				noCredentials(t, r)
				var got userBody
				r.JSON(t, &got)
				if got.Role != auth.RoleChangeManager || got.OneTimePassword == "" || got.OneTimePassword == ann.OneTimePassword {
					t.Errorf("patched = %+v", got)
				}
				r = e.do("GET", "/api/v1/users/"+ann.ID, e.key, nil)
				wantStatus(t, r, http.StatusOK)
				if strings.Contains(string(r.Body), "one_time_password") {
					t.Errorf("GET shows a password: %s", r.Body)
				}
			})

			t.Run("bad input is 422 problem+json", func(t *testing.T) {
				for _, body := range []any{
					map[string]any{"email": "not-an-email", "role": "viewer"},
					map[string]any{"email": "x@acme.test", "role": "boss"},
					map[string]any{"email": "x@acme.test", "role": "viewer", "password": "short"},
					map[string]any{"email": "x@acme.test", "role": "viewer", "team_ids": []string{"no-such-team"}},
					map[string]any{"email": "x@acme.test", "role": "viewer", "unknown": 1},
				} {
					wantProblem(t, e.do("POST", "/api/v1/users", e.key, body), http.StatusUnprocessableEntity)
				}
				wantProblem(t, e.do("POST", "/api/v1/users", e.key, map[string]any{"email": "ann@acme.test", "role": "viewer"}), http.StatusConflict)
			})

			t.Run("ids of other tenants and malformed ids are 404", func(t *testing.T) {
				_, keyB := e.newTenant("beta")
				for _, path := range []string{"/api/v1/users/" + ann.ID, "/api/v1/users/not-an-id", "/api/v1/users/%27%3B--"} {
					wantProblem(t, e.do("GET", path, keyB, nil), http.StatusNotFound)
				}
				wantProblem(t, e.do("PATCH", "/api/v1/users/"+ann.ID, keyB, map[string]any{"role": "admin"}), http.StatusNotFound)
				wantProblem(t, e.do("DELETE", "/api/v1/users/"+ann.ID, keyB, nil), http.StatusNotFound)
				var page struct{ Items []auth.User }
				e.do("GET", "/api/v1/users", keyB, nil).JSON(t, &page)
				for _, u := range page.Items {
					if strings.HasSuffix(u.Email, "@acme.test") {
						t.Errorf("tenant beta sees %s", u.Email)
					}
				}
			})

			t.Run("only admins manage users", func(t *testing.T) {
				cm := e.newKey(e.tenant, auth.RoleChangeManager)
				wantProblem(t, e.do("GET", "/api/v1/users", cm, nil), http.StatusForbidden)
				wantProblem(t, e.do("POST", "/api/v1/users", cm, "{not json"), http.StatusForbidden)
				wantProblem(t, e.do("GET", "/api/v1/users", "", nil), http.StatusUnauthorized)
			})

			t.Run("last admin protection", func(t *testing.T) {
				wantProblem(t, e.do("DELETE", "/api/v1/users/"+e.admin.ID, e.key, nil), http.StatusConflict)
				wantProblem(t, e.do("PATCH", "/api/v1/users/"+e.admin.ID, e.key, map[string]any{"role": "viewer"}), http.StatusConflict)
				wantStatus(t, e.do("PATCH", "/api/v1/users/"+ann.ID, e.key, map[string]any{"role": "admin"}), http.StatusOK)
				wantStatus(t, e.do("DELETE", "/api/v1/users/"+e.admin.ID, e.key, nil), http.StatusNoContent)
				wantProblem(t, e.do("DELETE", "/api/v1/users/"+ann.ID, e.key, nil), http.StatusConflict)
			})

			t.Run("me", func(t *testing.T) {
				viewer := e.newKey(e.tenant, auth.RoleViewer)
				r := e.do("GET", "/api/v1/me", viewer, nil)
				wantStatus(t, r, http.StatusOK)
				var me struct {
					Kind        string   `json:"kind"`
					Role        string   `json:"role"`
					Permissions []string `json:"permissions"`
				}
				r.JSON(t, &me)
				if me.Kind != "api_key" || me.Role != "viewer" || strings.Contains(strings.Join(me.Permissions, ","), "manage_users") {
					t.Errorf("me = %+v", me)
				}
			})
		})
	}
}

func TestTeamsAPI(t *testing.T) {
	t.Parallel()
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, d)
			viewer := e.newKey(e.tenant, auth.RoleViewer)
			r := e.do("POST", "/api/v1/teams", e.key, map[string]any{"name": "Platform", "email": "platform@acme.test", "manager_email": "lead@acme.test"})
			wantStatus(t, r, http.StatusCreated)
			var team auth.Team
			r.JSON(t, &team)

			wantStatus(t, e.do("GET", "/api/v1/teams", viewer, nil), http.StatusOK)
			wantStatus(t, e.do("GET", "/api/v1/teams/"+team.ID, viewer, nil), http.StatusOK)
			wantProblem(t, e.do("POST", "/api/v1/teams", viewer, map[string]any{"name": "X"}), http.StatusForbidden)
			wantProblem(t, e.do("PATCH", "/api/v1/teams/"+team.ID, viewer, map[string]any{"name": "X"}), http.StatusForbidden)

			wantProblem(t, e.do("POST", "/api/v1/teams", e.key, map[string]any{"name": "Platform"}), http.StatusConflict)
			wantProblem(t, e.do("POST", "/api/v1/teams", e.key, map[string]any{"name": " ", "email": "x"}), http.StatusUnprocessableEntity)
			wantProblem(t, e.do("PATCH", "/api/v1/teams/"+team.ID, e.key, map[string]any{"slack_channel": "not a channel"}), http.StatusUnprocessableEntity)

			r = e.do("PATCH", "/api/v1/teams/"+team.ID, e.key, map[string]any{"name": "Platform Eng"})
			wantStatus(t, r, http.StatusOK)
			r.JSON(t, &team)
			if team.Name != "Platform Eng" || team.Email != "platform@acme.test" {
				t.Errorf("patched = %+v", team)
			}
			wantStatus(t, e.do("DELETE", "/api/v1/teams/"+team.ID, e.key, nil), http.StatusNoContent)
			var page struct{ Items []auth.Team }
			e.do("GET", "/api/v1/teams", viewer, nil).JSON(t, &page)
			if len(page.Items) != 0 {
				t.Errorf("deactivated team listed: %+v", page.Items)
			}
			e.do("GET", "/api/v1/teams?include_inactive=true", viewer, nil).JSON(t, &page)
			if len(page.Items) != 1 || page.Items[0].IsActive {
				t.Errorf("with inactive: %+v", page.Items)
			}

			_, keyB := e.newTenant("beta")
			wantProblem(t, e.do("GET", "/api/v1/teams/"+team.ID, keyB, nil), http.StatusNotFound)
			wantProblem(t, e.do("PATCH", "/api/v1/teams/"+team.ID, keyB, map[string]any{"name": "Mine"}), http.StatusNotFound)
			wantProblem(t, e.do("GET", "/api/v1/teams/bogus", e.key, nil), http.StatusNotFound)
		})
	}
}

package auth_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/audit"
	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/sqlstore"
	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
)

// fixture is a tenant with its admin on a real store.
type fixture struct {
	ctx    context.Context
	db     *sqlstore.DB
	svc    *auth.Service
	tenant auth.Tenant
	admin  auth.User
	sys    auth.Principal
}

func newFixture(t *testing.T, db *sqlstore.DB) *fixture {
	t.Helper()
	f := &fixture{ctx: context.Background(), db: db, svc: &auth.Service{Store: db, Keys: db.Keys}}
	b, err := f.svc.CreateTenant(f.ctx, "acme", "Acme", "admin@acme.test")
	if err != nil {
		t.Fatal(err)
	}
	f.tenant, f.admin, f.sys = b.Tenant, b.Admin, auth.System(b.Tenant.ID)
	return f
}

func (f *fixture) user(t *testing.T, email string, role auth.Role) auth.User {
	t.Helper()
	u, _, err := f.svc.CreateUser(f.ctx, f.sys, auth.NewUser{Email: email, Role: role})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func ptr[T any](v T) *T { return &v }

// auditText returns every audit row of the tenant as one string.
func (f *fixture) auditText(t *testing.T) string {
	t.Helper()
	var b strings.Builder
	err := f.db.WalkAudit(f.ctx, f.tenant.ID, 0, 0, func(e audit.Entry) error {
		b.WriteString(e.Action + " " + e.Before + " " + e.After + " " + e.Flags + "\n")
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestUpdateUser(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		f := newFixture(t, db)
		team, err := f.svc.CreateTeam(f.ctx, f.sys, auth.TeamInput{Name: "Payments"})
		if err != nil {
			t.Fatal(err)
		}
		u := f.user(t, "ann@acme.test", auth.RoleViewer)

		got, pw, err := f.svc.UpdateUser(f.ctx, f.sys, u.ID, auth.UserPatch{Name: ptr(" Ann "), Role: ptr(auth.RoleOwner),
			TeamIDs: ptr([]string{team.ID, team.ID}), SlackUserID: ptr("U0123ABCD")})
		if err != nil {
			t.Fatal(err)
		}
		if pw != "" {
			t.Errorf("password returned without a reset")
		}
		want := struct {
			Name, Slack string
			Role        auth.Role
			Teams       []string
		}{"Ann", "U0123ABCD", auth.RoleOwner, []string{team.ID}}
		gotV := want
		gotV.Name, gotV.Slack, gotV.Role, gotV.Teams = got.Name, got.SlackUserID, got.Role, got.TeamIDs
		if diff := cmp.Diff(want, gotV); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}

		t.Run("reset password returns a working one-time password", func(t *testing.T) {
			_, pw, err := f.svc.UpdateUser(f.ctx, f.sys, u.ID, auth.UserPatch{ResetPassword: true})
			if err != nil || len(pw) < auth.MinPasswordLength {
				t.Fatalf("reset: %q, %v", pw, err)
			}
			if _, err := f.svc.Login(f.ctx, f.tenant.ID, "ann@acme.test", pw); err != nil {
				t.Errorf("login with the new password: %v", err)
			}
			text := f.auditText(t)
			if strings.Contains(text, pw) || strings.Contains(text, "argon2") {
				t.Errorf("audit log holds the password or its hash:\n%s", text)
			}
			if !strings.Contains(text, "password_reset") {
				t.Errorf("audit log does not flag the reset:\n%s", text)
			}
		})

		t.Run("invalid input names every field", func(t *testing.T) {
			_, _, err := f.svc.UpdateUser(f.ctx, f.sys, u.ID, auth.UserPatch{Role: ptr(auth.Role("boss")), SlackUserID: ptr("not a slack id")})
			var fields []string
			for _, fe := range apperr.FieldsOf(err) {
				fields = append(fields, fe.Field)
			}
			if diff := cmp.Diff([]string{"role", "slack_user_id"}, fields); diff != "" {
				t.Errorf("fields (-want +got):\n%s", diff)
			}
		})

		t.Run("a team of another tenant is refused", func(t *testing.T) {
			other, err := f.svc.CreateTenant(f.ctx, "other", "Other", "admin@other.test")
			if err != nil {
				t.Fatal(err)
			}
			ot, err := f.svc.CreateTeam(f.ctx, auth.System(other.Tenant.ID), auth.TeamInput{Name: "Theirs"})
			if err != nil {
				t.Fatal(err)
			}
			if _, _, err := f.svc.UpdateUser(f.ctx, f.sys, u.ID, auth.UserPatch{TeamIDs: ptr([]string{ot.ID})}); !apperr.Is(err, apperr.Invalid) {
				t.Errorf("err = %v, want invalid", err)
			}
			if _, err := f.svc.User(f.ctx, auth.System(other.Tenant.ID), u.ID); !apperr.Is(err, apperr.NotFound) {
				t.Errorf("cross-tenant read err = %v, want not found", err)
			}
		})

		t.Run("deactivate and reactivate", func(t *testing.T) {
			got, err := f.svc.DeactivateUser(f.ctx, f.sys, u.ID)
			if err != nil || got.IsActive {
				t.Fatalf("deactivate: %+v, %v", got, err)
			}
			if _, err := f.svc.SessionPrincipal(f.ctx, f.tenant.ID, u.ID); !apperr.Is(err, apperr.Unauthorized) {
				t.Errorf("session of a disabled user: %v", err)
			}
			got, _, err = f.svc.UpdateUser(f.ctx, f.sys, u.ID, auth.UserPatch{IsActive: ptr(true)})
			if err != nil || !got.IsActive {
				t.Fatalf("reactivate: %+v, %v", got, err)
			}
		})

		t.Run("a viewer cannot manage users", func(t *testing.T) {
			viewer := auth.Principal{Kind: auth.KindUser, TenantID: f.tenant.ID, UserID: u.ID, Role: auth.RoleViewer}
			if _, _, err := f.svc.UpdateUser(f.ctx, viewer, u.ID, auth.UserPatch{Role: ptr(auth.RoleAdmin)}); !apperr.Is(err, apperr.Forbidden) {
				t.Errorf("err = %v, want forbidden", err)
			}
		})
	})
}

func TestLastAdminIsProtected(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		f := newFixture(t, db)
		me := f.admin.Principal()
		if _, err := f.svc.DeactivateUser(f.ctx, me, f.admin.ID); !apperr.Is(err, apperr.Conflict) {
			t.Errorf("deactivate last admin: err = %v, want conflict", err)
		}
		if _, _, err := f.svc.UpdateUser(f.ctx, me, f.admin.ID, auth.UserPatch{Role: ptr(auth.RoleViewer)}); !apperr.Is(err, apperr.Conflict) {
			t.Errorf("demote last admin: err = %v, want conflict", err)
		}
		// The store refuses too, whatever the caller checked.
		u := f.admin
		u.Role = auth.RoleViewer
		if err := db.UpdateUser(f.ctx, u, audit.Record(me, "user.update", "user", u.ID, nil, nil)); !apperr.Is(err, apperr.Conflict) {
			t.Errorf("store demotion of last admin: err = %v, want conflict", err)
		}
		second := f.user(t, "second@acme.test", auth.RoleAdmin)
		if _, _, err := f.svc.UpdateUser(f.ctx, me, f.admin.ID, auth.UserPatch{Role: ptr(auth.RoleViewer)}); err != nil {
			t.Errorf("demote with another admin present: %v", err)
		}
		if _, err := f.svc.DeactivateUser(f.ctx, me, second.ID); !apperr.Is(err, apperr.Conflict) {
			t.Errorf("deactivate the now-last admin: err = %v, want conflict", err)
		}
		got, err := db.User(f.ctx, f.tenant.ID, second.ID)
		if err != nil || !got.IsActive || got.Role != auth.RoleAdmin {
			t.Errorf("last admin changed: %+v, %v", got, err)
		}
	})
}

func TestTeams(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		f := newFixture(t, db)
		team, err := f.svc.CreateTeam(f.ctx, f.sys, auth.TeamInput{Name: " Payments ", Email: "Pay@Acme.test",
			SlackChannel: "#payments-alerts", ManagerEmail: "boss@acme.test"})
		if err != nil {
			t.Fatal(err)
		}
		if team.Name != "Payments" || team.Email != "pay@acme.test" || !team.IsActive {
			t.Errorf("team = %+v", team)
		}
		if _, err := f.svc.CreateTeam(f.ctx, f.sys, auth.TeamInput{Name: "Payments"}); !apperr.Is(err, apperr.Conflict) {
			t.Errorf("duplicate name: err = %v, want conflict", err)
		}
		_, err = f.svc.CreateTeam(f.ctx, f.sys, auth.TeamInput{Name: "", Email: "nope", SlackChannel: "#Has Spaces"})
		var fields []string
		for _, fe := range apperr.FieldsOf(err) {
			fields = append(fields, fe.Field)
		}
		if diff := cmp.Diff([]string{"name", "email", "slack_channel"}, fields); diff != "" {
			t.Errorf("invalid team fields (-want +got):\n%s", diff)
		}
		got, err := f.svc.UpdateTeam(f.ctx, f.sys, team.ID, auth.TeamPatch{SlackChannel: ptr("C0123ABCD")})
		if err != nil || got.SlackChannel != "C0123ABCD" || got.Name != "Payments" {
			t.Errorf("update: %+v, %v", got, err)
		}
		if got, err = f.svc.DeactivateTeam(f.ctx, f.sys, team.ID); err != nil || got.IsActive {
			t.Errorf("deactivate: %+v, %v", got, err)
		}
		list, _, err := f.svc.ListTeams(f.ctx, f.sys, auth.TeamFilter{})
		if err != nil || len(list) != 0 {
			t.Errorf("active teams = %v, %v; want none", list, err)
		}
		list, _, err = f.svc.ListTeams(f.ctx, f.sys, auth.TeamFilter{IncludeInactive: true})
		if err != nil || len(list) != 1 {
			t.Errorf("all teams = %v, %v; want one", list, err)
		}
	})
}

func TestAPIKeyLifecycle(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		f := newFixture(t, db)
		now := time.Now().UTC()
		f.svc.Now = func() time.Time { return now }
		exp := now.Add(time.Hour)
		k, full, err := f.svc.CreateAPIKey(f.ctx, f.sys, "ci", auth.RoleOwner, &exp)
		if err != nil {
			t.Fatal(err)
		}
		p, err := f.svc.AuthenticateAPIKey(f.ctx, full)
		if err != nil || p.Role != auth.RoleOwner || p.TenantID != f.tenant.ID {
			t.Fatalf("authenticate: %+v, %v", p, err)
		}
		wrong := full[:len(full)-4] + "aaaa"
		if wrong == full {
			wrong = full[:len(full)-4] + "bbbb"
		}
		if _, err := f.svc.AuthenticateAPIKey(f.ctx, wrong); !apperr.Is(err, apperr.Unauthorized) {
			t.Errorf("wrong secret: err = %v", err)
		}
		f.svc.Now = func() time.Time { return exp.Add(time.Second) }
		if _, err := f.svc.AuthenticateAPIKey(f.ctx, full); !apperr.Is(err, apperr.Unauthorized) {
			t.Errorf("expired: err = %v", err)
		}
		f.svc.Now = func() time.Time { return now }
		revoked, err := f.svc.RevokeAPIKey(f.ctx, f.sys, k.ID)
		if err != nil || revoked.RevokedAt == nil {
			t.Fatalf("revoke: %+v, %v", revoked, err)
		}
		if _, err := f.svc.RevokeAPIKey(f.ctx, f.sys, k.ID); err != nil {
			t.Errorf("second revoke: %v", err)
		}
		if _, err := f.svc.AuthenticateAPIKey(f.ctx, full); !apperr.Is(err, apperr.Unauthorized) {
			t.Errorf("revoked: err = %v", err)
		}
		if text := f.auditText(t); strings.Count(text, "apikey.revoke") != 1 || strings.Contains(text, full) {
			t.Errorf("audit log: want one revoke row and no key:\n%s", text)
		}
	})
}

func TestOwnerAPIKeyActsForItsTeams(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		f := newFixture(t, db)
		team, err := f.svc.CreateTeam(f.ctx, f.sys, auth.TeamInput{Name: "Payments"})
		if err != nil {
			t.Fatal(err)
		}
		_, full, err := f.svc.CreateAPIKey(f.ctx, f.sys, "pay-bot", auth.RoleOwner, nil, team.ID, team.ID)
		if err != nil {
			t.Fatal(err)
		}
		p, err := f.svc.AuthenticateAPIKey(f.ctx, full)
		if err != nil {
			t.Fatal(err)
		}
		if len(p.TeamIDs) != 1 || p.TeamIDs[0] != team.ID {
			t.Fatalf("key principal teams = %v, want [%s]", p.TeamIDs, team.ID)
		}
		other := &fixture{ctx: f.ctx, db: db, svc: f.svc}
		b, err := f.svc.CreateTenant(f.ctx, "globex", "Globex", "admin@globex.test")
		if err != nil {
			t.Fatal(err)
		}
		other.sys = auth.System(b.Tenant.ID)
		otherTeam, err := other.svc.CreateTeam(other.ctx, other.sys, auth.TeamInput{Name: "Elsewhere"})
		if err != nil {
			t.Fatal(err)
		}
		_, _, err = f.svc.CreateAPIKey(f.ctx, f.sys, "bad", auth.RoleOwner, nil, otherTeam.ID)
		if !apperr.Is(err, apperr.Invalid) || !strings.Contains(fmt.Sprint(apperr.FieldsOf(err)), "team_ids") {
			t.Fatalf("a team of another tenant: err = %v, want a team_ids field error", err)
		}
	})
}

// A verified key is remembered for a few seconds: a key revoked through the
// same service stops at once; one revoked through another replica (another
// service on the same store) stops once the remembered copy is too old.
func TestAPIKeyRevokedOnAnotherReplica(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		f := newFixture(t, db)
		now := time.Now().UTC()
		f.svc.Now = func() time.Time { return now }
		other := &auth.Service{Store: db, Keys: db.Keys, Now: f.svc.Now}
		k, full, err := f.svc.CreateAPIKey(f.ctx, f.sys, "ci", auth.RoleViewer, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.AuthenticateAPIKey(f.ctx, full); err != nil {
			t.Fatalf("authenticate: %v", err)
		}
		wrong := full[:len(full)-4] + "aaaa"
		if wrong == full {
			wrong = full[:len(full)-4] + "bbbb"
		}
		if _, err := f.svc.AuthenticateAPIKey(f.ctx, wrong); !apperr.Is(err, apperr.Unauthorized) {
			t.Errorf("wrong secret with the key remembered: err = %v", err)
		}
		if _, err := other.RevokeAPIKey(f.ctx, f.sys, k.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := other.AuthenticateAPIKey(f.ctx, full); !apperr.Is(err, apperr.Unauthorized) {
			t.Errorf("revoking replica: err = %v", err)
		}
		if _, err := f.svc.AuthenticateAPIKey(f.ctx, full); err != nil {
			t.Errorf("other replica within its few seconds: err = %v", err)
		}
		later := now.Add(6 * time.Second)
		f.svc.Now = func() time.Time { return later }
		if _, err := f.svc.AuthenticateAPIKey(f.ctx, full); !apperr.Is(err, apperr.Unauthorized) {
			t.Errorf("other replica after the copy aged: err = %v", err)
		}
	})
}

// countingStore is the real store, counting the reads of API keys.
type countingStore struct {
	*sqlstore.DB
	reads atomic.Int32
}

func (s *countingStore) APIKeyByPrefix(ctx context.Context, prefix string) (auth.APIKey, error) {
	s.reads.Add(1)
	time.Sleep(20 * time.Millisecond) // a read the other requests arrive during
	return s.DB.APIKeyByPrefix(ctx, prefix)
}

// Requests with one key that find its cached copy missing or stale share one
// read of it; each is still checked against the stored MAC.
func TestConcurrentRequestsShareOneKeyRead(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		f := newFixture(t, db)
		_, full, err := f.svc.CreateAPIKey(f.ctx, f.sys, "bot", auth.RoleViewer, nil)
		if err != nil {
			t.Fatal(err)
		}
		store := &countingStore{DB: db}
		cold := &auth.Service{Store: store, Keys: db.Keys}
		wrong := full[:len(full)-4] + "aaaa"
		if wrong == full {
			wrong = full[:len(full)-4] + "bbbb"
		}
		var wg sync.WaitGroup
		errs := make([]error, 16)
		for i := range errs {
			wg.Go(func() {
				key := full
				if i == 0 {
					key = wrong
				}
				_, errs[i] = cold.AuthenticateAPIKey(f.ctx, key)
			})
		}
		wg.Wait()
		if !apperr.Is(errs[0], apperr.Unauthorized) {
			t.Errorf("the wrong secret sharing the read: err = %v", errs[0])
		}
		for _, err := range errs[1:] {
			if err != nil {
				t.Errorf("authenticate: %v", err)
			}
		}
		if n := store.reads.Load(); n > 3 {
			t.Errorf("%d reads of one key for 16 concurrent requests, want one", n)
		}
	})
}

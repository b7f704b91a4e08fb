package auth_test

import (
	"strings"
	"testing"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/sqlstore"
	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
)

func TestOIDCLogin(t *testing.T) {
	on := auth.ProvisionPolicy{AutoProvision: true, DefaultRole: auth.RoleViewer}
	off := auth.ProvisionPolicy{AutoProvision: false, DefaultRole: auth.RoleViewer}
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		f := newFixture(t, db)
		f.svc.BootstrapAdmins = []string{"Boss@Acme.test", "chief@acme.test"}
		tid := f.tenant.ID
		login := func(sub, email string, pol auth.ProvisionPolicy) (auth.User, error) {
			return f.svc.OIDCLogin(f.ctx, tid, auth.Identity{Subject: sub, Email: email, Name: "Someone"}, pol)
		}

		t.Run("unknown person is provisioned with the default role", func(t *testing.T) {
			u, err := login("sub-new", "New@Acme.test", auth.ProvisionPolicy{AutoProvision: true, DefaultRole: auth.RoleOwner})
			if err != nil {
				t.Fatal(err)
			}
			if u.Email != "new@acme.test" || u.Role != auth.RoleOwner || !u.SSO || u.HasPassword {
				t.Errorf("user = %+v", u)
			}
			again, err := login("sub-new", "new@acme.test", off)
			if err != nil || again.ID != u.ID {
				t.Errorf("second sign-in: %+v, %v", again, err)
			}
		})

		t.Run("without auto-provisioning an unknown person is refused", func(t *testing.T) {
			_, err := login("sub-stranger", "stranger@acme.test", off)
			if !apperr.Is(err, apperr.Forbidden) || !strings.Contains(apperr.MessageOf(err), "ask an administrator") {
				t.Errorf("err = %v", err)
			}
			if _, err := db.UserByEmail(f.ctx, tid, "stranger@acme.test"); !apperr.Is(err, apperr.NotFound) {
				t.Errorf("a refused person got an account: %v", err)
			}
		})

		t.Run("an existing user is linked by email", func(t *testing.T) {
			pre := f.user(t, "linked@acme.test", auth.RoleChangeManager)
			u, err := login("sub-linked", "linked@acme.test", off)
			if err != nil || u.ID != pre.ID || !u.SSO || u.Role != auth.RoleChangeManager {
				t.Fatalf("link: %+v, %v", u, err)
			}
			if _, err := login("sub-impostor", "linked@acme.test", on); !apperr.Is(err, apperr.Forbidden) {
				t.Errorf("second identity for a linked email: err = %v, want forbidden", err)
			}
		})

		t.Run("a disabled user cannot sign in", func(t *testing.T) {
			u := f.user(t, "gone@acme.test", auth.RoleViewer)
			if _, err := f.svc.DeactivateUser(f.ctx, f.sys, u.ID); err != nil {
				t.Fatal(err)
			}
			if _, err := login("sub-gone", "gone@acme.test", on); !apperr.Is(err, apperr.Forbidden) {
				t.Errorf("err = %v, want forbidden", err)
			}
		})

		t.Run("unverified email is refused", func(t *testing.T) {
			no := false
			_, err := f.svc.OIDCLogin(f.ctx, tid, auth.Identity{Subject: "sub-unv", Email: "unv@acme.test", EmailVerified: &no}, on)
			if !apperr.Is(err, apperr.Forbidden) || !strings.Contains(apperr.MessageOf(err), "not verified") {
				t.Errorf("err = %v", err)
			}
		})

		t.Run("bootstrap admins become admins once and stay", func(t *testing.T) {
			u, err := login("sub-boss", "boss@acme.test", off)
			if err != nil || u.Role != auth.RoleAdmin {
				t.Fatalf("first sign-in: %+v, %v", u, err)
			}
			u, err = login("sub-boss", "boss@acme.test", off)
			if err != nil || u.Role != auth.RoleAdmin {
				t.Fatalf("second sign-in: %+v, %v", u, err)
			}
			pre := f.user(t, "chief@acme.test", auth.RoleViewer)
			u, err = login("sub-chief", "chief@acme.test", off)
			if err != nil || u.ID != pre.ID || u.Role != auth.RoleAdmin {
				t.Fatalf("existing viewer promoted on first SSO sign-in: %+v, %v", u, err)
			}
			if n := strings.Count(f.auditText(t), "bootstrap_admin"); n != 2 {
				t.Errorf("bootstrap audit rows = %d, want 2 (one per person)", n)
			}
		})
	})
}

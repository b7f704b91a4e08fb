package auth_test

import (
	"testing"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/sqlstore"
	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
)

func TestSignInTenant(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		f := newFixture(t, db)
		t.Run("finds the tenant by slug", func(t *testing.T) {
			got, err := f.svc.SignInTenant(f.ctx, "acme")
			if err != nil || got.ID != f.tenant.ID {
				t.Fatalf("SignInTenant(acme) = %+v, %v; want %s", got, err, f.tenant.ID)
			}
		})
		t.Run("an unknown slug is not found", func(t *testing.T) {
			if _, err := f.svc.SignInTenant(f.ctx, "nobody"); !apperr.Is(err, apperr.NotFound) {
				t.Fatalf("err = %v, want not found", err)
			}
		})
	})
}

func TestMe(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		f := newFixture(t, db)
		t.Run("any role reads its own account", func(t *testing.T) {
			viewer := f.user(t, "viewer@acme.test", auth.RoleViewer)
			got, err := f.svc.Me(f.ctx, viewer.Principal())
			if err != nil || got.ID != viewer.ID || got.Email != "viewer@acme.test" {
				t.Fatalf("Me = %+v, %v", got, err)
			}
		})
		t.Run("API keys and the system have no account", func(t *testing.T) {
			for _, p := range []auth.Principal{f.sys, {Kind: auth.KindAPIKey, TenantID: f.tenant.ID, UserID: "key", Role: auth.RoleAdmin}} {
				if _, err := f.svc.Me(f.ctx, p); !apperr.Is(err, apperr.NotFound) {
					t.Errorf("Me(%s): err = %v, want not found", p.Kind, err)
				}
			}
		})
	})
}

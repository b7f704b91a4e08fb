package auth

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/audit"
	"github.com/vendorsync/vendorsync/internal/ident"
	"github.com/vendorsync/vendorsync/internal/jobargs"
)

// Keys is the part of the keyring the auth service needs: MAC keys for API keys.
type Keys interface {
	MACKey(purpose string) (id string, key []byte)
	MACKeyByID(purpose, id string) ([]byte, error)
}

// Service holds the rules for tenants, people and credentials.
type Service struct {
	Store Store
	Keys  Keys
	Now   func() time.Time
	// BootstrapAdmins are emails that become admins on first login
	// (VENDORSYNC_BOOTSTRAP_ADMINS); applying it never downgrades anyone.
	BootstrapAdmins []string
	// Consequences are the jobs that changes to people cause; internal/app
	// declares them in its table of consequences.
	Consequences Consequences

	keys keyCache // verified API keys, briefly
	// keyReads makes the requests that find one key's cached copy stale,
	// or its last use due to be recorded, share one read or one write
	// instead of each making its own.
	keyReads, keyTouches singleflight.Group
}

// Consequences are the jobs changes to people cause, each committed with
// its change.
type Consequences struct {
	// Provisioned returns the jobs of an account created at its first SSO
	// sign-in: the notice telling the admins to set its role.
	Provisioned func(User) []jobargs.Args
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now().UTC()
}

// Bootstrap is the result of creating a tenant: its admin's one-time password.
type Bootstrap struct {
	Tenant   Tenant
	Admin    User
	Password string
}

// CreateTenant creates a tenant with one admin whose one-time password is
// returned (and never stored in clear).
func (s *Service) CreateTenant(ctx context.Context, slug, name, adminEmail string) (Bootstrap, error) {
	var v apperr.Validation
	slug = strings.ToLower(strings.TrimSpace(slug))
	v.Check(validSlug(slug), "slug", "use 2-40 lower-case letters, digits and dashes")
	v.Check(strings.TrimSpace(name) != "", "name", "is required")
	email, err := NormalizeEmail(adminEmail)
	if err != nil {
		v.Add("admin_email", "%s", apperr.MessageOf(err))
	}
	if err := v.Err(); err != nil {
		return Bootstrap{}, err
	}
	password := NewPassword()
	hash, err := HashPassword(password)
	if err != nil {
		return Bootstrap{}, err
	}
	t := Tenant{ID: ident.New(), Slug: slug, Name: strings.TrimSpace(name), IsActive: true, CreatedAt: s.now()}
	admin := User{ID: ident.New(), TenantID: t.ID, Email: email, Name: "Administrator", Role: RoleAdmin,
		PasswordHash: hash, IsActive: true, TeamIDs: []string{}}
	sys := System(t.ID)
	ev := audit.Record(sys, "tenant.create", "tenant", t.ID, nil, map[string]any{"slug": t.Slug, "name": t.Name, "admin": email})
	if err := s.Store.CreateTenant(ctx, t, admin, ev); err != nil {
		return Bootstrap{}, err
	}
	return Bootstrap{Tenant: t, Admin: admin, Password: password}, nil
}

func validSlug(s string) bool {
	if len(s) < 2 || len(s) > 40 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
			return false
		}
	}
	return true
}

// SignInTenant finds the tenant a sign-in names by its slug. It runs before
// anyone is authenticated (password form, SSO callback), so it checks no
// permission and returns nothing but the tenant.
func (s *Service) SignInTenant(ctx context.Context, slug string) (Tenant, error) {
	t, err := s.Store.TenantBySlug(ctx, slug)
	if err != nil {
		return Tenant{}, fmt.Errorf("auth.SignInTenant %q: %w", slug, err)
	}
	return t, nil
}

// Login checks an email and password in a tenant. Every failure answers the
// same, so that it reveals nothing about which accounts exist.
func (s *Service) Login(ctx context.Context, tenantID, email, password string) (User, error) {
	bad := apperr.E(apperr.Unauthorized, "email or password is incorrect")
	email, err := NormalizeEmail(email)
	if err != nil {
		return User{}, bad
	}
	u, err := s.Store.UserByEmail(ctx, tenantID, email)
	if apperr.Is(err, apperr.NotFound) {
		// Spend the same time as a real check so timing reveals nothing.
		CheckPassword(dummyHash(), password)
		return User{}, bad
	}
	if err != nil {
		return User{}, err
	}
	if !u.IsActive || u.PasswordHash == "" || !CheckPassword(u.PasswordHash, password) {
		return User{}, bad
	}
	if err := s.Store.TouchLogin(ctx, tenantID, u.ID, s.now()); err != nil {
		return User{}, err
	}
	return u, nil
}

// dummyHash is computed on first use, not at start-up.
var dummyHash = sync.OnceValue(func() string {
	h, err := HashPassword("not-a-real-password-ever")
	if err != nil {
		panic(err) // only fails for a short password, and this one is not
	}
	return h
})

// SessionPrincipal turns a session's user into a principal, checking on every
// request that the user still exists and is active, so that disabling a user
// takes effect at once.
func (s *Service) SessionPrincipal(ctx context.Context, tenantID, userID string) (Principal, error) {
	u, err := s.Store.User(ctx, tenantID, userID)
	if err != nil {
		if apperr.Is(err, apperr.NotFound) {
			return Principal{}, apperr.E(apperr.Unauthorized, "session is no longer valid")
		}
		return Principal{}, err
	}
	if !u.IsActive {
		return Principal{}, apperr.E(apperr.Unauthorized, "account is disabled")
	}
	return u.Principal(), nil
}

// AuthenticateAPIKey checks a presented key: prefix lookup, then a
// constant-time comparison of its MAC with the stored one.
func (s *Service) AuthenticateAPIKey(ctx context.Context, presented string) (Principal, error) {
	bad := apperr.E(apperr.Unauthorized, "invalid API key")
	prefix, err := SplitAPIKey(presented)
	if err != nil {
		return Principal{}, bad
	}
	now := s.now()
	k, cached := s.keys.get(prefix, now)
	if !cached {
		var v any
		v, err, _ = s.keyReads.Do(prefix, func() (any, error) {
			// The read serves every request waiting for it.
			return s.Store.APIKeyByPrefix(context.WithoutCancel(ctx), prefix)
		})
		k, _ = v.(APIKey)
		if apperr.Is(err, apperr.NotFound) {
			return Principal{}, bad
		}
		if err != nil {
			return Principal{}, err
		}
	}
	keyFor := func(kid string) ([]byte, error) { return s.Keys.MACKeyByID("apikey", kid) }
	if !CheckAPIKey(k.Hash, presented, keyFor) || !k.Usable(now) {
		return Principal{}, bad
	}
	if !cached {
		// Only a key that verified is remembered: guessing prefixes fills
		// nothing.
		s.keys.put(k, now)
	}
	if k.LastUsedAt == nil || now.Sub(*k.LastUsedAt) > time.Minute {
		// Coarse: at most one write a minute per key.
		_, err, _ := s.keyTouches.Do(prefix, func() (any, error) {
			if err := s.Store.TouchAPIKey(context.WithoutCancel(ctx), k.ID, now); err != nil {
				return nil, err
			}
			s.keys.touched(prefix, now)
			return nil, nil
		})
		if err != nil {
			return Principal{}, err
		}
	}
	return k.Principal(), nil
}

// CreateAPIKey issues a key for a tenant; the full key is returned once.
// teamIDs are the teams an owner key works for, as an owner user would.
func (s *Service) CreateAPIKey(ctx context.Context, p Principal, name string, role Role, expiresAt *time.Time, teamIDs ...string) (APIKey, string, error) {
	if err := p.Require(PermManageUsers); err != nil {
		return APIKey{}, "", err
	}
	var v apperr.Validation
	name = strings.TrimSpace(name)
	v.Check(name != "" && len(name) <= 100, "name", "is required (at most 100 characters)")
	v.Check(role.Valid(), "role", "must be one of admin, change_manager, procurement_analyst, owner, viewer")
	if expiresAt != nil {
		v.Check(expiresAt.After(s.now()), "expires_at", "must be in the future")
	}
	teams := []string{}
	for _, id := range teamIDs {
		if slices.Contains(teams, id) {
			continue
		}
		if _, err := s.Store.Team(ctx, p.TenantID, id); err != nil {
			if !apperr.Is(err, apperr.NotFound) {
				return APIKey{}, "", err
			}
			v.Add("team_ids", "no such team: %s", id)
		}
		teams = append(teams, id)
	}
	if err := v.Err(); err != nil {
		return APIKey{}, "", err
	}
	return s.issueAPIKey(ctx, p, APIKey{Name: name, Role: role, ExpiresAt: expiresAt, TeamIDs: teams})
}

// issueAPIKey generates the secret of key k (name, role, expiry, teams or
// vendor set by the caller), stores its MAC with an audit row, and returns
// the key and its full secret (shown once).
func (s *Service) issueAPIKey(ctx context.Context, p Principal, k APIKey) (APIKey, string, error) {
	full, prefix := NewAPIKeySecret()
	kid, mk := s.Keys.MACKey("apikey")
	k.ID, k.TenantID, k.Prefix, k.CreatedBy, k.CreatedAt, k.Hash = ident.New(), p.TenantID, prefix, p.Label, s.now(), HashAPIKey(kid, mk, full)
	view := map[string]any{"name": k.Name, "role": k.Role, "prefix": k.Prefix, "team_ids": k.TeamIDs}
	if k.VendorID != "" {
		view["vendor_id"] = k.VendorID
	}
	if err := s.Store.CreateAPIKey(ctx, k, audit.Record(p, "apikey.create", "api_key", k.ID, nil, view)); err != nil {
		return APIKey{}, "", err
	}
	return k, full, nil
}

// CreateIngestKey issues a key that may only send vendorID's events (role
// ingest). The caller checks that the vendor is set up for ingest.
func (s *Service) CreateIngestKey(ctx context.Context, p Principal, name, vendorID string, expiresAt *time.Time) (APIKey, string, error) {
	if err := p.Require(PermManageIngest); err != nil {
		return APIKey{}, "", err
	}
	var v apperr.Validation
	name = strings.TrimSpace(name)
	v.Check(name != "" && len(name) <= 100, "name", "is required (at most 100 characters)")
	v.Check(vendorID != "", "vendor_id", "is required")
	if expiresAt != nil {
		v.Check(expiresAt.After(s.now()), "expires_at", "must be in the future")
	}
	if err := v.Err(); err != nil {
		return APIKey{}, "", err
	}
	return s.issueAPIKey(ctx, p, APIKey{Name: name, Role: RoleIngest, ExpiresAt: expiresAt, TeamIDs: []string{}, VendorID: vendorID})
}

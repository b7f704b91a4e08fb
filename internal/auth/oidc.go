package auth

import (
	"context"
	"strings"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/audit"
	"github.com/vendorsync/vendorsync/internal/ident"
	"github.com/vendorsync/vendorsync/internal/jobargs"
)

// Identity is what an OpenID Connect provider asserted, in a verified ID
// token, about the person signing in.
type Identity struct {
	Subject string
	Email   string
	// EmailVerified is the email_verified claim; nil when the provider did
	// not send one.
	EmailVerified *bool
	Name          string
}

// SSOState is what a sign-in remembers between sending the browser to the
// provider and its return: the CSRF state, the ID token nonce and the PKCE
// verifier. It lives in the server-side session only.
type SSOState struct {
	State    string
	Nonce    string
	Verifier string
}

// ProvisionPolicy is how the first SSO sign-in of an unknown person is
// handled (system settings auth.auto_provision and auth.default_role).
type ProvisionPolicy struct {
	AutoProvision bool
	DefaultRole   Role
}

// ssoActor is who links and provisions accounts at SSO sign-in.
func ssoActor(tenantID string) Principal {
	return Principal{Kind: KindSystem, TenantID: tenantID, Label: "sso", Role: RoleAdmin}
}

// IsBootstrapAdmin reports whether email is listed in VENDORSYNC_BOOTSTRAP_ADMINS.
func (s *Service) IsBootstrapAdmin(email string) bool {
	for _, b := range s.BootstrapAdmins {
		if strings.EqualFold(strings.TrimSpace(b), email) {
			return true
		}
	}
	return false
}

// OIDCLogin signs in the person a provider vouched for. A known identity
// signs in; otherwise an active user with the same email is linked to it;
// otherwise a user is created when auto-provisioning is on (or the email is a
// bootstrap admin). Bootstrap admins become admins when their identity is
// first linked or created, and nobody is ever downgraded by it.
func (s *Service) OIDCLogin(ctx context.Context, tenantID string, id Identity, pol ProvisionPolicy) (User, error) {
	if id.Subject == "" {
		return User{}, apperr.E(apperr.Unauthorized, "the identity provider did not say who you are")
	}
	if id.EmailVerified != nil && !*id.EmailVerified {
		return User{}, apperr.E(apperr.Forbidden, "your email address is not verified at the identity provider; verify it there and sign in again")
	}
	email, err := NormalizeEmail(id.Email)
	if err != nil {
		return User{}, apperr.E(apperr.Forbidden, "the identity provider did not send a usable email address")
	}
	id.Email = email
	u, err := s.Store.UserByOIDCSubject(ctx, tenantID, id.Subject)
	switch {
	case err == nil:
	case apperr.Is(err, apperr.NotFound):
		u, err = s.linkOrProvision(ctx, tenantID, id, pol)
		if apperr.Is(err, apperr.Conflict) {
			// A concurrent first sign-in of the same person created the user.
			u, err = s.Store.UserByOIDCSubject(ctx, tenantID, id.Subject)
		}
		if err != nil {
			return User{}, err
		}
	default:
		return User{}, err
	}
	if !u.IsActive {
		return User{}, apperr.E(apperr.Forbidden, "your account is disabled; ask an administrator")
	}
	if err := s.Store.TouchLogin(ctx, tenantID, u.ID, s.now()); err != nil {
		return User{}, err
	}
	return u, nil
}

func (s *Service) linkOrProvision(ctx context.Context, tenantID string, id Identity, pol ProvisionPolicy) (User, error) {
	bootstrap := s.IsBootstrapAdmin(id.Email)
	u, err := s.Store.UserByEmail(ctx, tenantID, id.Email)
	switch {
	case err == nil:
		if !u.IsActive {
			return User{}, apperr.E(apperr.Forbidden, "your account is disabled; ask an administrator")
		}
		if u.OIDCSubject != "" {
			return User{}, apperr.E(apperr.Forbidden, "%s is linked to a different single sign-on identity; ask an administrator to unlink it", id.Email)
		}
		before := u
		u.OIDCSubject = id.Subject
		var flags []string
		if bootstrap && u.Role != RoleAdmin {
			u.Role = RoleAdmin
			flags = append(flags, "bootstrap_admin")
		}
		if u.Name == "" {
			u.Name = strings.TrimSpace(id.Name)
		}
		ev := audit.Record(ssoActor(tenantID), "user.sso_link", "user", u.ID, userView(before), userView(u), flags...)
		if err := s.Store.UpdateUser(ctx, u, ev); err != nil {
			return User{}, err
		}
		return s.Store.User(ctx, tenantID, u.ID)
	case !apperr.Is(err, apperr.NotFound):
		return User{}, err
	}
	role := pol.DefaultRole
	flag := "auto_provisioned"
	switch {
	case bootstrap:
		role, flag = RoleAdmin, "bootstrap_admin"
	case !pol.AutoProvision:
		return User{}, apperr.E(apperr.Forbidden, "there is no VendorSync account for %s and accounts are not created automatically; ask an administrator to add you", id.Email)
	case !role.Valid():
		role = RoleViewer
	}
	name := strings.TrimSpace(id.Name)
	if len(name) > 200 {
		name = strings.ToValidUTF8(name[:200], "")
	}
	u = User{ID: ident.New(), TenantID: tenantID, Email: id.Email, Name: name, Role: role, TeamIDs: []string{},
		OIDCSubject: id.Subject, IsActive: true, CreatedAt: s.now(), UpdatedAt: s.now()}
	ev := audit.Record(ssoActor(tenantID), "user.provision", "user", u.ID, nil, userView(u), flag)
	var jobs []jobargs.Args
	if s.Consequences.Provisioned != nil {
		jobs = s.Consequences.Provisioned(u)
	}
	if err := s.Store.ProvisionUser(ctx, u, ev, jobs); err != nil {
		return User{}, err
	}
	return s.Store.User(ctx, tenantID, u.ID)
}

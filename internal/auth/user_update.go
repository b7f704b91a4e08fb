package auth

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/audit"
)

// UserPatch is a partial update of a user: nil fields keep their value.
type UserPatch struct {
	Name        *string
	Role        *Role
	TeamIDs     *[]string
	SlackUserID *string
	IsActive    *bool
	// ResetPassword replaces the password with a new one-time password,
	// returned once by UpdateUser.
	ResetPassword bool
	// UnlinkSSO forgets the linked OIDC identity, so that the next SSO
	// sign-in links by email again (after a user was re-created at the IdP).
	UnlinkSSO bool
}

// User returns one user of the caller's tenant.
func (s *Service) User(ctx context.Context, p Principal, id string) (User, error) {
	if err := p.Require(PermManageUsers); err != nil {
		return User{}, err
	}
	return s.Store.User(ctx, p.TenantID, id)
}

// Me returns the caller's own account. Every signed-in user may read it,
// whatever their role; API keys and the system have no account.
func (s *Service) Me(ctx context.Context, p Principal) (User, error) {
	if p.Kind != KindUser {
		return User{}, apperr.NotFoundf("only a signed-in user has an account (caller is %s)", p.Kind)
	}
	u, err := s.Store.User(ctx, p.TenantID, p.UserID)
	if err != nil {
		return User{}, fmt.Errorf("auth.Me: %w", err)
	}
	return u, nil
}

// ListUsers pages through the caller's tenant's users.
func (s *Service) ListUsers(ctx context.Context, p Principal, f UserFilter) ([]User, string, error) {
	if err := p.Require(PermManageUsers); err != nil {
		return nil, "", err
	}
	if f.Role != "" && !f.Role.Valid() {
		return nil, "", apperr.Invalidf("role must be one of admin, change_manager, procurement_analyst, owner, viewer")
	}
	return s.Store.ListUsers(ctx, p.TenantID, f)
}

// UpdateUser changes a user. With ResetPassword it returns the new one-time
// password; it is never stored in clear nor written to the audit log.
func (s *Service) UpdateUser(ctx context.Context, p Principal, id string, in UserPatch) (User, string, error) {
	return s.changeUser(ctx, p, id, "user.update", in)
}

// DeactivateUser disables a user: their sessions stop working on their next
// request and they cannot sign in. The last active admin cannot be disabled.
func (s *Service) DeactivateUser(ctx context.Context, p Principal, id string) (User, error) {
	off := false
	u, _, err := s.changeUser(ctx, p, id, "user.deactivate", UserPatch{IsActive: &off})
	return u, err
}

func (s *Service) changeUser(ctx context.Context, p Principal, id, action string, in UserPatch) (User, string, error) {
	if err := p.Require(PermManageUsers); err != nil {
		return User{}, "", err
	}
	before, err := s.Store.User(ctx, p.TenantID, id)
	if err != nil {
		return User{}, "", err
	}
	u := before
	var v apperr.Validation
	if in.Name != nil {
		u.Name = strings.TrimSpace(*in.Name)
		v.Check(len(u.Name) <= 200, "name", "must be at most 200 characters")
	}
	if in.Role != nil {
		u.Role = *in.Role
		v.Check(u.Role.Valid(), "role", "must be one of admin, change_manager, procurement_analyst, owner, viewer")
	}
	if in.TeamIDs != nil {
		u.TeamIDs = uniqueIDs(*in.TeamIDs)
	}
	if in.SlackUserID != nil {
		u.SlackUserID = strings.TrimSpace(*in.SlackUserID)
		v.Check(validSlackUserID(u.SlackUserID), "slack_user_id", "must look like U0123ABCD (letters and digits, at most 40)")
	}
	if in.IsActive != nil {
		u.IsActive = *in.IsActive
	}
	if in.UnlinkSSO {
		u.OIDCSubject = ""
	}
	if err := v.Err(); err != nil {
		return User{}, "", err
	}
	if err := s.keepAnAdmin(ctx, before, u); err != nil {
		return User{}, "", err
	}
	if !in.ResetPassword && sameUser(before, u) {
		return before, "", nil // nothing to change: no write, no audit row
	}
	var flags []string
	password := ""
	if in.ResetPassword {
		password = NewPassword()
		if u.PasswordHash, err = HashPassword(password); err != nil {
			return User{}, "", err
		}
		flags = append(flags, "password_reset")
	}
	if in.UnlinkSSO && before.OIDCSubject != "" {
		flags = append(flags, "sso_unlinked")
	}
	ev := audit.Record(p, action, "user", u.ID, userView(before), userView(u), flags...)
	if err := s.Store.UpdateUser(ctx, u, ev); err != nil {
		return User{}, "", err
	}
	after, err := s.Store.User(ctx, p.TenantID, id)
	if err != nil {
		return User{}, "", err
	}
	return after, password, nil
}

// keepAnAdmin refuses a change that would leave the tenant without an
// active admin (the store re-checks inside its transaction against races).
func (s *Service) keepAnAdmin(ctx context.Context, before, after User) error {
	wasAdmin := before.IsActive && before.Role == RoleAdmin
	isAdmin := after.IsActive && after.Role == RoleAdmin
	if !wasAdmin || isAdmin {
		return nil
	}
	admins, err := s.Store.AdminEmails(ctx, before.TenantID)
	if err != nil {
		return err
	}
	if len(admins) <= 1 {
		return apperr.E(apperr.Conflict, "%s is the last active admin; make another user an admin first", before.Email)
	}
	return nil
}

// sameUser reports whether an update would change nothing that is stored.
func sameUser(a, b User) bool {
	return a.Name == b.Name && a.Role == b.Role && slices.Equal(a.TeamIDs, b.TeamIDs) && a.SlackUserID == b.SlackUserID &&
		a.IsActive == b.IsActive && a.OIDCSubject == b.OIDCSubject && a.PasswordHash == b.PasswordHash
}

func uniqueIDs(ids []string) []string {
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		if id = strings.TrimSpace(id); id != "" && !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return out
}

func validSlackUserID(s string) bool {
	if len(s) > 40 {
		return false
	}
	for _, r := range s {
		if !(r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z') {
			return false
		}
	}
	return true
}

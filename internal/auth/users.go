package auth

import (
	"context"
	"strings"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/audit"
	"github.com/vendorsync/vendorsync/internal/ident"
)

// NewUser is the input for creating a user.
type NewUser struct {
	Email            string
	Name             string
	Role             Role
	TeamIDs          []string
	Password         string // empty for SSO-only users unless GeneratePassword
	GeneratePassword bool
	SlackUserID      string
}

// userView is what audit rows record of a user: never the password hash.
func userView(u User) map[string]any {
	return map[string]any{"email": u.Email, "name": u.Name, "role": u.Role, "team_ids": u.TeamIDs,
		"is_active": u.IsActive, "slack_user_id": u.SlackUserID, "has_password": u.PasswordHash != ""}
}

// CreateUser adds a user; with GeneratePassword it returns a one-time password.
func (s *Service) CreateUser(ctx context.Context, p Principal, in NewUser) (User, string, error) {
	if err := p.Require(PermManageUsers); err != nil {
		return User{}, "", err
	}
	var v apperr.Validation
	email, err := NormalizeEmail(in.Email)
	if err != nil {
		v.Add("email", "%s", apperr.MessageOf(err))
	}
	v.Check(in.Role.Valid(), "role", "must be one of admin, change_manager, procurement_analyst, owner, viewer")
	v.Check(len(in.Name) <= 200, "name", "must be at most 200 characters")
	v.Check(validSlackUserID(strings.TrimSpace(in.SlackUserID)), "slack_user_id", "must look like U0123ABCD (letters and digits, at most 40)")
	if in.Password != "" {
		v.Check(len(in.Password) >= MinPasswordLength, "password", "must be at least %d characters", MinPasswordLength)
	}
	if err := v.Err(); err != nil {
		return User{}, "", err
	}
	generated := ""
	password := in.Password
	if password == "" && in.GeneratePassword {
		generated = NewPassword()
		password = generated
	}
	hash := ""
	if password != "" {
		if hash, err = HashPassword(password); err != nil {
			return User{}, "", err
		}
	}
	teams := uniqueIDs(in.TeamIDs)
	u := User{ID: ident.New(), TenantID: p.TenantID, Email: email, Name: strings.TrimSpace(in.Name), Role: in.Role,
		TeamIDs: teams, PasswordHash: hash, SlackUserID: strings.TrimSpace(in.SlackUserID), IsActive: true,
		CreatedAt: s.now(), UpdatedAt: s.now()}
	ev := audit.Record(p, "user.create", "user", u.ID, nil, userView(u))
	if err := s.Store.CreateUser(ctx, u, ev); err != nil {
		return User{}, "", err
	}
	u.HasPassword = hash != ""
	return u, generated, nil
}

package web

import (
	"context"
	"net/http"
	"slices"

	"github.com/danielgtaylor/huma/v2"

	"github.com/vendorsync/vendorsync/internal/auth"
)

// userListIn filters the user list.
type userListIn struct {
	PageQuery
	Q               string    `query:"q" maxLength:"200" doc:"Matches email or name, case-insensitively."`
	Role            auth.Role `query:"role" enum:"admin,change_manager,procurement_analyst,owner,viewer" doc:"Only users with this role."`
	IncludeInactive bool      `query:"include_inactive" doc:"Include deactivated users."`
}

// userCreateIn creates a user.
type userCreateIn struct {
	Body struct {
		Email            string    `json:"email" maxLength:"320" doc:"Sign-in name; must be unique in the tenant."`
		Name             string    `json:"name,omitempty" doc:"Display name."`
		Role             auth.Role `json:"role" enum:"admin,change_manager,procurement_analyst,owner,viewer"`
		TeamIDs          []string  `json:"team_ids,omitempty" doc:"Teams the user belongs to."`
		SlackUserID      string    `json:"slack_user_id,omitempty" doc:"Slack member id, e.g. U0123ABCD, for mentions."`
		Password         string    `json:"password,omitempty" writeOnly:"true" doc:"Initial password (at least 12 characters). Leave empty for SSO-only users."`
		GeneratePassword bool      `json:"generate_password,omitempty" doc:"Generate a one-time password and return it once."`
	}
}

// userPatchIn changes a user; absent fields keep their value.
type userPatchIn struct {
	IDPath
	Body struct {
		Name          *string    `json:"name,omitempty"`
		Role          *auth.Role `json:"role,omitempty" enum:"admin,change_manager,procurement_analyst,owner,viewer"`
		TeamIDs       *[]string  `json:"team_ids,omitempty" doc:"Replaces the user's teams."`
		SlackUserID   *string    `json:"slack_user_id,omitempty"`
		IsActive      *bool      `json:"is_active,omitempty" doc:"false deactivates, true reactivates."`
		ResetPassword bool       `json:"reset_password,omitempty" doc:"Replace the password with a one-time password, returned once."`
		UnlinkSSO     bool       `json:"unlink_sso,omitempty" doc:"Forget the linked SSO identity; the next SSO sign-in links by email again."`
	}
}

// UserRecord is auth.User without its methods, so that response bodies can
// embed it (huma cannot add $schema to structs embedding a method set).
type UserRecord auth.User

// userWithPassword is a user plus, right after creation or a reset, the
// one-time password that is never shown again.
type userWithPassword struct {
	UserRecord
	OneTimePassword string `json:"one_time_password,omitempty" doc:"Shown once; give it to the user, who should change it."`
}

type userOut struct{ Body auth.User }

type userPasswordOut struct {
	Body userWithPassword
}

// meBody describes the caller.
type meBody struct {
	Kind        auth.PrincipalKind `json:"kind" doc:"user, api_key or system."`
	ID          string             `json:"id" doc:"User id or API key id."`
	Label       string             `json:"label" doc:"Email or key name."`
	Role        auth.Role          `json:"role"`
	TeamIDs     []string           `json:"team_ids" nullable:"false"`
	Permissions []auth.Permission  `json:"permissions" nullable:"false"`
	User        *auth.User         `json:"user,omitempty" doc:"The signed-in user's profile (sessions only)."`
}

type meOut struct{ Body meBody }

func (s *Server) apiMe(ctx context.Context, _ *struct{}) (*meOut, error) {
	p := principal(ctx)
	b := meBody{Kind: p.Kind, ID: p.UserID, Label: p.Label, Role: p.Role, TeamIDs: p.TeamIDs, Permissions: []auth.Permission{}}
	if b.TeamIDs == nil {
		b.TeamIDs = []string{}
	}
	for perm := range auth.Matrix {
		if p.Can(perm) {
			b.Permissions = append(b.Permissions, perm)
		}
	}
	slices.Sort(b.Permissions)
	if p.Kind == auth.KindUser {
		u, err := s.Auth.Me(ctx, p)
		if err != nil {
			return nil, err
		}
		b.User = &u
	}
	return &meOut{Body: b}, nil
}

func (s *Server) apiListUsers(ctx context.Context, in *userListIn) (*PageOut[auth.User], error) {
	users, next, err := s.Auth.ListUsers(ctx, principal(ctx), auth.UserFilter{Query: in.Q, Role: in.Role,
		IncludeInactive: in.IncludeInactive, Cursor: in.Cursor, Limit: in.Limit})
	if err != nil {
		return nil, err
	}
	return pageOf(users, next), nil
}

func (s *Server) apiCreateUser(ctx context.Context, in *userCreateIn) (*userPasswordOut, error) {
	b := in.Body
	u, pw, err := s.Auth.CreateUser(ctx, principal(ctx), auth.NewUser{Email: b.Email, Name: b.Name, Role: b.Role,
		TeamIDs: b.TeamIDs, SlackUserID: b.SlackUserID, Password: b.Password, GeneratePassword: b.GeneratePassword})
	if err != nil {
		return nil, err
	}
	return &userPasswordOut{Body: userWithPassword{UserRecord: UserRecord(u), OneTimePassword: pw}}, nil
}

func (s *Server) apiGetUser(ctx context.Context, in *IDPath) (*userOut, error) {
	u, err := s.Auth.User(ctx, principal(ctx), in.ID)
	if err != nil {
		return nil, err
	}
	return &userOut{Body: u}, nil
}

func (s *Server) apiPatchUser(ctx context.Context, in *userPatchIn) (*userPasswordOut, error) {
	b := in.Body
	u, pw, err := s.Auth.UpdateUser(ctx, principal(ctx), in.ID, auth.UserPatch{Name: b.Name, Role: b.Role, TeamIDs: b.TeamIDs,
		SlackUserID: b.SlackUserID, IsActive: b.IsActive, ResetPassword: b.ResetPassword, UnlinkSSO: b.UnlinkSSO})
	if err != nil {
		return nil, err
	}
	return &userPasswordOut{Body: userWithPassword{UserRecord: UserRecord(u), OneTimePassword: pw}}, nil
}

func (s *Server) apiDeactivateUser(ctx context.Context, in *IDPath) (*struct{}, error) {
	_, err := s.Auth.DeactivateUser(ctx, principal(ctx), in.ID)
	return nil, err
}

// Operations of the user and caller API; routes.go registers them with their method, path and permission.
var (
	docListUsers      = huma.Operation{Summary: "List users"}
	docCreateUser     = huma.Operation{Summary: "Create a user", DefaultStatus: http.StatusCreated}
	docGetUser        = huma.Operation{Summary: "Get a user"}
	docPatchUser      = huma.Operation{Summary: "Change a user, reset their password"}
	docDeactivateUser = huma.Operation{Summary: "Deactivate a user",
		Description: "Users are never deleted: they are deactivated and can be reactivated with PATCH is_active=true. The last active admin cannot be deactivated."}
	docMe = huma.Operation{Summary: "Who am I", Description: "The caller: user or API key, role, teams and permissions."}
)

package web

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/vendorsync/vendorsync/internal/auth"
)

// teamListIn filters the team list.
type teamListIn struct {
	PageQuery
	Q               string `query:"q" maxLength:"200" doc:"Matches the team name, case-insensitively."`
	IncludeInactive bool   `query:"include_inactive" doc:"Include deactivated teams."`
}

// teamBody is a team as written by clients.
type teamBody struct {
	Name         string `json:"name" doc:"Unique in the tenant."`
	Email        string `json:"email,omitempty" doc:"Team mailbox for notifications."`
	SlackChannel string `json:"slack_channel,omitempty" doc:"#channel-name or a channel id."`
	ManagerEmail string `json:"manager_email,omitempty" doc:"Escalations go to the manager."`
}

type teamCreateIn struct {
	Body teamBody
}

type teamPatchIn struct {
	IDPath
	Body struct {
		Name         *string `json:"name,omitempty"`
		Email        *string `json:"email,omitempty"`
		SlackChannel *string `json:"slack_channel,omitempty"`
		ManagerEmail *string `json:"manager_email,omitempty"`
		IsActive     *bool   `json:"is_active,omitempty" doc:"false deactivates, true reactivates."`
	}
}

type teamOut struct{ Body auth.Team }

func (s *Server) apiListTeams(ctx context.Context, in *teamListIn) (*PageOut[auth.Team], error) {
	teams, next, err := s.Auth.ListTeams(ctx, principal(ctx), auth.TeamFilter{Query: in.Q, IncludeInactive: in.IncludeInactive,
		Cursor: in.Cursor, Limit: in.Limit})
	if err != nil {
		return nil, err
	}
	return pageOf(teams, next), nil
}

func (s *Server) apiGetTeam(ctx context.Context, in *IDPath) (*teamOut, error) {
	t, err := s.Auth.Team(ctx, principal(ctx), in.ID)
	if err != nil {
		return nil, err
	}
	return &teamOut{Body: t}, nil
}

func (s *Server) apiCreateTeam(ctx context.Context, in *teamCreateIn) (*teamOut, error) {
	b := in.Body
	t, err := s.Auth.CreateTeam(ctx, principal(ctx), auth.TeamInput{Name: b.Name, Email: b.Email, SlackChannel: b.SlackChannel, ManagerEmail: b.ManagerEmail})
	if err != nil {
		return nil, err
	}
	return &teamOut{Body: t}, nil
}

func (s *Server) apiPatchTeam(ctx context.Context, in *teamPatchIn) (*teamOut, error) {
	b := in.Body
	t, err := s.Auth.UpdateTeam(ctx, principal(ctx), in.ID, auth.TeamPatch{Name: b.Name, Email: b.Email,
		SlackChannel: b.SlackChannel, ManagerEmail: b.ManagerEmail, IsActive: b.IsActive})
	if err != nil {
		return nil, err
	}
	return &teamOut{Body: t}, nil
}

func (s *Server) apiDeactivateTeam(ctx context.Context, in *IDPath) (*struct{}, error) {
	_, err := s.Auth.DeactivateTeam(ctx, principal(ctx), in.ID)
	return nil, err
}

// Operations of the team API; routes.go registers them with their method, path and permission.
var (
	docListTeams      = huma.Operation{Summary: "List teams"}
	docCreateTeam     = huma.Operation{Summary: "Create a team", DefaultStatus: http.StatusCreated}
	docGetTeam        = huma.Operation{Summary: "Get a team"}
	docPatchTeam      = huma.Operation{Summary: "Change a team"}
	docDeactivateTeam = huma.Operation{Summary: "Deactivate a team",
		Description: "Teams are never deleted: links from applications and rules stay; reactivate with PATCH is_active=true."}
)

package auth

import (
	"context"
	"strings"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/audit"
	"github.com/vendorsync/vendorsync/internal/ident"
)

// TeamInput is what a team is created from.
type TeamInput struct {
	Name         string
	Email        string
	SlackChannel string
	ManagerEmail string
}

// TeamPatch is a partial update of a team: nil fields keep their value.
type TeamPatch struct {
	Name         *string
	Email        *string
	SlackChannel *string
	ManagerEmail *string
	IsActive     *bool
}

// Team returns one team of the caller's tenant.
func (s *Service) Team(ctx context.Context, p Principal, id string) (Team, error) {
	if err := p.Require(PermView); err != nil {
		return Team{}, err
	}
	return s.Store.Team(ctx, p.TenantID, id)
}

// ListTeams pages through the caller's tenant's teams by name.
func (s *Service) ListTeams(ctx context.Context, p Principal, f TeamFilter) ([]Team, string, error) {
	if err := p.Require(PermView); err != nil {
		return nil, "", err
	}
	return s.Store.ListTeams(ctx, p.TenantID, f)
}

// CreateTeam adds a team; names are unique within a tenant.
func (s *Service) CreateTeam(ctx context.Context, p Principal, in TeamInput) (Team, error) {
	if err := p.Require(PermManageUsers); err != nil {
		return Team{}, err
	}
	t := Team{ID: ident.New(), TenantID: p.TenantID, Name: in.Name, Email: in.Email, SlackChannel: in.SlackChannel,
		ManagerEmail: in.ManagerEmail, IsActive: true, CreatedAt: s.now(), UpdatedAt: s.now()}
	t, err := cleanTeam(t)
	if err != nil {
		return Team{}, err
	}
	if err := s.Store.CreateTeam(ctx, t, audit.Record(p, "team.create", "team", t.ID, nil, t)); err != nil {
		return Team{}, err
	}
	return s.Store.Team(ctx, p.TenantID, t.ID)
}

// UpdateTeam changes a team, including (re)activating it.
func (s *Service) UpdateTeam(ctx context.Context, p Principal, id string, in TeamPatch) (Team, error) {
	return s.changeTeam(ctx, p, id, "team.update", in)
}

// DeactivateTeam hides a team from pickers; its history and links stay.
func (s *Service) DeactivateTeam(ctx context.Context, p Principal, id string) (Team, error) {
	off := false
	return s.changeTeam(ctx, p, id, "team.deactivate", TeamPatch{IsActive: &off})
}

func (s *Service) changeTeam(ctx context.Context, p Principal, id, action string, in TeamPatch) (Team, error) {
	if err := p.Require(PermManageUsers); err != nil {
		return Team{}, err
	}
	before, err := s.Store.Team(ctx, p.TenantID, id)
	if err != nil {
		return Team{}, err
	}
	t := before
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = *v
		}
	}
	set(&t.Name, in.Name)
	set(&t.Email, in.Email)
	set(&t.SlackChannel, in.SlackChannel)
	set(&t.ManagerEmail, in.ManagerEmail)
	if in.IsActive != nil {
		t.IsActive = *in.IsActive
	}
	if t, err = cleanTeam(t); err != nil {
		return Team{}, err
	}
	if t == before {
		return before, nil // nothing to change: no write, no audit row
	}
	if err := s.Store.UpdateTeam(ctx, t, audit.Record(p, action, "team", t.ID, before, t)); err != nil {
		return Team{}, err
	}
	return s.Store.Team(ctx, p.TenantID, id)
}

// cleanTeam trims and validates a team's fields, reporting every problem.
func cleanTeam(t Team) (Team, error) {
	var v apperr.Validation
	t.Name = strings.TrimSpace(t.Name)
	v.Check(t.Name != "" && len(t.Name) <= 100, "name", "is required (at most 100 characters)")
	for _, f := range []struct {
		field string
		val   *string
	}{{"email", &t.Email}, {"manager_email", &t.ManagerEmail}} {
		*f.val = strings.TrimSpace(*f.val)
		if *f.val == "" {
			continue
		}
		e, err := NormalizeEmail(*f.val)
		if err != nil {
			v.Add(f.field, "%s", apperr.MessageOf(err))
			continue
		}
		*f.val = e
	}
	t.SlackChannel = strings.TrimSpace(t.SlackChannel)
	v.Check(validSlackChannel(t.SlackChannel), "slack_channel", "use #channel-name or a channel id such as C0123ABCD")
	return t, v.Err()
}

// validSlackChannel accepts "", "#name" (Slack's naming rules) or a channel id.
func validSlackChannel(s string) bool {
	if s == "" {
		return true
	}
	name, hash := strings.CutPrefix(s, "#")
	if len(name) == 0 || len(name) > 80 {
		return false
	}
	for _, r := range name {
		lower := r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.'
		upper := r >= 'A' && r <= 'Z' || r >= '0' && r <= '9'
		if hash && !lower || !hash && !upper {
			return false
		}
	}
	return true
}

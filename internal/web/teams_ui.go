package web

import (
	"net/http"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/auth"
)

// teamsPage is the data of the team list.
type teamsPage struct {
	Teams    []auth.Team
	Next     string
	Q        string
	Inactive bool
	Form     auth.TeamInput
}

// teamPage is the data of one team's page.
type teamPage struct {
	Team auth.Team
	Form auth.TeamInput
}

func readTeamForm(r *http.Request) auth.TeamInput {
	return auth.TeamInput{Name: r.PostFormValue("name"), Email: r.PostFormValue("email"),
		SlackChannel: r.PostFormValue("slack_channel"), ManagerEmail: r.PostFormValue("manager_email")}
}

// formFailure reports whether err is one a form shows next to its fields
// (bad input, a duplicate, a refused change) rather than on an error page.
func formFailure(err error) bool {
	return apperr.Is(err, apperr.Invalid) || apperr.Is(err, apperr.Conflict)
}

// viewWithErr sets a form error: by field when it names fields, else on top.
func viewWithErr(v View, err error) View {
	v.Fields = formErrors(err)
	if err != nil && len(v.Fields) == 0 {
		v.Error = apperr.MessageOf(err)
	}
	return v
}

func (s *Server) uiTeams(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	return s.renderTeams(w, r, p, http.StatusOK, auth.TeamInput{}, nil)
}

func (s *Server) renderTeams(w http.ResponseWriter, r *http.Request, p auth.Principal, status int, f auth.TeamInput, formErr error) error {
	q := r.URL.Query()
	data := teamsPage{Q: q.Get("q"), Inactive: q.Get("inactive") == "1", Form: f}
	teams, next, err := s.Auth.ListTeams(r.Context(), p, auth.TeamFilter{Query: data.Q, IncludeInactive: data.Inactive, Cursor: q.Get("cursor")})
	if err != nil {
		return err
	}
	data.Teams = teams
	if next != "" {
		data.Next = withCursor(r.URL, next)
	}
	s.render(w, r, status, "teams.html", viewWithErr(View{Title: "Teams", Nav: "teams", Data: data}, formErr))
	return nil
}

func (s *Server) uiCreateTeam(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	f := readTeamForm(r)
	t, err := s.Auth.CreateTeam(r.Context(), p, f)
	if formFailure(err) {
		return s.renderTeams(w, r, p, Status(err), f, err)
	}
	if err != nil {
		return err
	}
	s.flash(r, "Team "+t.Name+" created.")
	redirect(w, r, "/teams")
	return nil
}

func (s *Server) uiTeam(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	t, err := s.Auth.Team(r.Context(), p, r.PathValue("id"))
	if err != nil {
		return err
	}
	f := auth.TeamInput{Name: t.Name, Email: t.Email, SlackChannel: t.SlackChannel, ManagerEmail: t.ManagerEmail}
	s.render(w, r, http.StatusOK, "team.html", View{Title: t.Name, Nav: "teams", Data: teamPage{Team: t, Form: f}})
	return nil
}

func (s *Server) uiUpdateTeam(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	id := r.PathValue("id")
	f := readTeamForm(r)
	t, err := s.Auth.UpdateTeam(r.Context(), p, id, auth.TeamPatch{Name: &f.Name, Email: &f.Email, SlackChannel: &f.SlackChannel, ManagerEmail: &f.ManagerEmail})
	if formFailure(err) {
		cur, lerr := s.Auth.Team(r.Context(), p, id)
		if lerr != nil {
			return lerr
		}
		s.render(w, r, Status(err), "team.html", viewWithErr(View{Title: cur.Name, Nav: "teams", Data: teamPage{Team: cur, Form: f}}, err))
		return nil
	}
	if err != nil {
		return err
	}
	s.flash(r, "Saved team "+t.Name+".")
	redirect(w, r, "/teams/"+t.ID)
	return nil
}

// uiTeamActive deactivates (active=0) or reactivates (active=1) a team.
func (s *Server) uiTeamActive(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	active := r.PostFormValue("active") == "1"
	t, err := s.Auth.UpdateTeam(r.Context(), p, r.PathValue("id"), auth.TeamPatch{IsActive: &active})
	if err != nil {
		return err
	}
	if active {
		s.flash(r, "Team "+t.Name+" is active again.")
	} else {
		s.flash(r, "Team "+t.Name+" is deactivated.")
	}
	redirect(w, r, "/teams/"+t.ID)
	return nil
}

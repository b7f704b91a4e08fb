package web

import (
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/auth"
)

// userForm holds what was typed into a user form, for re-rendering.
type userForm struct {
	Email, Name, SlackUserID string
	Role                     auth.Role
	TeamIDs                  []string
	GeneratePassword         bool
}

// usersPage is the data of the user list.
type usersPage struct {
	Users     []auth.User
	Next      string
	Q         string
	Role      string
	Inactive  bool
	Teams     []auth.Team       // active teams, for the create form
	TeamNames map[string]string // every team, id → name
	Form      userForm
	SSO       bool
}

// userPage is the data of one user's page.
type userPage struct {
	User      auth.User
	Form      userForm
	Teams     []auth.Team
	TeamNames map[string]string
	IsSelf    bool
}

// passwordPage shows a one-time password once.
type passwordPage struct {
	User     auth.User
	Password string
	Created  bool
}

// teamChoices returns the teams a picker offers (active ones, plus those in
// keep so that saving a form never drops a membership of a deactivated team)
// and a name for every team id.
func (s *Server) teamChoices(r *http.Request, p auth.Principal, keep []string) ([]auth.Team, map[string]string, error) {
	all, _, err := s.Auth.ListTeams(r.Context(), p, auth.TeamFilter{IncludeInactive: true, Limit: 500})
	if err != nil {
		return nil, nil, err
	}
	names := map[string]string{}
	var offer []auth.Team
	for _, t := range all {
		names[t.ID] = t.Name
		if t.IsActive || slices.Contains(keep, t.ID) {
			offer = append(offer, t)
		}
	}
	return offer, names, nil
}

func (s *Server) uiUsers(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	return s.renderUsers(w, r, p, http.StatusOK, userForm{Role: auth.RoleViewer, GeneratePassword: !s.ssoEnabled()}, nil)
}

func (s *Server) renderUsers(w http.ResponseWriter, r *http.Request, p auth.Principal, status int, form userForm, formErr error) error {
	q := r.URL.Query()
	data := usersPage{Q: q.Get("q"), Role: q.Get("role"), Inactive: q.Get("inactive") == "1", Form: form, SSO: s.ssoEnabled()}
	users, next, err := s.Auth.ListUsers(r.Context(), p, auth.UserFilter{Query: data.Q, Role: auth.Role(data.Role),
		IncludeInactive: data.Inactive, Cursor: q.Get("cursor")})
	if err != nil {
		return err
	}
	data.Users = users
	if next != "" {
		data.Next = withCursor(r.URL, next)
	}
	if data.Teams, data.TeamNames, err = s.teamChoices(r, p, form.TeamIDs); err != nil {
		return err
	}
	v := View{Title: "Users & roles", Nav: "users", Data: data, Fields: formErrors(formErr)}
	if formErr != nil && len(v.Fields) == 0 {
		v.Error = apperr.MessageOf(formErr)
	}
	s.render(w, r, status, "users.html", v)
	return nil
}

// withCursor links to the next page of the current list.
func withCursor(u *url.URL, cursor string) string {
	q := u.Query()
	q.Set("cursor", cursor)
	c := *u
	c.RawQuery = q.Encode()
	return c.RequestURI()
}

func readUserForm(r *http.Request) userForm {
	return userForm{
		Email: strings.TrimSpace(r.PostFormValue("email")), Name: r.PostFormValue("name"),
		SlackUserID: r.PostFormValue("slack_user_id"), Role: auth.Role(r.PostFormValue("role")),
		TeamIDs: r.PostForm["team_ids"], GeneratePassword: r.PostFormValue("generate_password") == "on",
	}
}

func (s *Server) uiCreateUser(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	f := readUserForm(r)
	u, pw, err := s.Auth.CreateUser(r.Context(), p, auth.NewUser{Email: f.Email, Name: f.Name, Role: f.Role, TeamIDs: f.TeamIDs,
		SlackUserID: f.SlackUserID, GeneratePassword: f.GeneratePassword})
	if apperr.Is(err, apperr.Invalid) || apperr.Is(err, apperr.Conflict) {
		return s.renderUsers(w, r, p, Status(err), f, err)
	}
	if err != nil {
		return err
	}
	if pw == "" {
		s.flash(r, "User "+u.Email+" created. They sign in with single sign-on.")
		redirect(w, r, "/users/"+u.ID)
		return nil
	}
	s.render(w, r, http.StatusOK, "user_password.html", View{Title: "User created", Nav: "users",
		Data: passwordPage{User: u, Password: pw, Created: true}})
	return nil
}

func (s *Server) uiUser(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	u, err := s.Auth.User(r.Context(), p, r.PathValue("id"))
	if err != nil {
		return err
	}
	return s.renderUser(w, r, p, http.StatusOK, u, userForm{Name: u.Name, Role: u.Role, TeamIDs: u.TeamIDs, SlackUserID: u.SlackUserID}, nil)
}

func (s *Server) renderUser(w http.ResponseWriter, r *http.Request, p auth.Principal, status int, u auth.User, f userForm, formErr error) error {
	teams, names, err := s.teamChoices(r, p, u.TeamIDs)
	if err != nil {
		return err
	}
	v := View{Title: u.Email, Nav: "users", Fields: formErrors(formErr),
		Data: userPage{User: u, Form: f, Teams: teams, TeamNames: names, IsSelf: p.UserID == u.ID}}
	if formErr != nil && len(v.Fields) == 0 {
		v.Error = apperr.MessageOf(formErr)
	}
	s.render(w, r, status, "user.html", v)
	return nil
}

func (s *Server) uiUpdateUser(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	id := r.PathValue("id")
	f := readUserForm(r)
	teams := f.TeamIDs
	if teams == nil {
		teams = []string{}
	}
	u, _, err := s.Auth.UpdateUser(r.Context(), p, id, auth.UserPatch{Name: &f.Name, Role: &f.Role, TeamIDs: &teams, SlackUserID: &f.SlackUserID})
	if apperr.Is(err, apperr.Invalid) || apperr.Is(err, apperr.Conflict) {
		cur, lerr := s.Auth.User(r.Context(), p, id)
		if lerr != nil {
			return lerr
		}
		return s.renderUser(w, r, p, Status(err), cur, f, err)
	}
	if err != nil {
		return err
	}
	s.flash(r, "Saved "+u.Email+".")
	redirect(w, r, "/users/"+u.ID)
	return nil
}

// uiUserActive deactivates (active=0) or reactivates (active=1) a user.
func (s *Server) uiUserActive(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	active := r.PostFormValue("active") == "1"
	u, _, err := s.Auth.UpdateUser(r.Context(), p, r.PathValue("id"), auth.UserPatch{IsActive: &active})
	if apperr.Is(err, apperr.Conflict) {
		cur, lerr := s.Auth.User(r.Context(), p, r.PathValue("id"))
		if lerr != nil {
			return lerr
		}
		return s.renderUser(w, r, p, Status(err), cur, userForm{Name: cur.Name, Role: cur.Role, TeamIDs: cur.TeamIDs, SlackUserID: cur.SlackUserID}, err)
	}
	if err != nil {
		return err
	}
	if active {
		s.flash(r, u.Email+" can sign in again.")
	} else {
		s.flash(r, u.Email+" is deactivated and signed out everywhere.")
	}
	redirect(w, r, "/users/"+u.ID)
	return nil
}

func (s *Server) uiResetPassword(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	u, pw, err := s.Auth.UpdateUser(r.Context(), p, r.PathValue("id"), auth.UserPatch{ResetPassword: true})
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "user_password.html", View{Title: "Password reset", Nav: "users",
		Data: passwordPage{User: u, Password: pw}})
	return nil
}

func (s *Server) uiUnlinkSSO(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	u, _, err := s.Auth.UpdateUser(r.Context(), p, r.PathValue("id"), auth.UserPatch{UnlinkSSO: true})
	if err != nil {
		return err
	}
	s.flash(r, "The single sign-on identity of "+u.Email+" was unlinked; their next SSO sign-in links by email.")
	redirect(w, r, "/users/"+u.ID)
	return nil
}

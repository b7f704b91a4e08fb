package web

import (
	"net/http"
	"strings"
	"time"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/auth"
)

// apiKeyForm is what was typed into the create form.
type apiKeyForm struct {
	Name      string
	Role      auth.Role
	ExpiresOn string // YYYY-MM-DD, empty for never
	TeamIDs   []string
}

// apiKeysPage is the data of the API key page.
type apiKeysPage struct {
	Keys    []auth.APIKey
	Next    string
	Form    apiKeyForm
	Created *apiKeyCreated // the key just made, shown once
	Now     time.Time
	Teams   []auth.Team // for the owner key's team choice
}

func (s *Server) uiAPIKeys(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	return s.renderAPIKeys(w, r, p, http.StatusOK, apiKeysPage{Form: apiKeyForm{Role: auth.RoleViewer}}, nil)
}

func (s *Server) renderAPIKeys(w http.ResponseWriter, r *http.Request, p auth.Principal, status int, data apiKeysPage, formErr error) error {
	keys, next, err := s.Auth.ListAPIKeys(r.Context(), p, r.URL.Query().Get("cursor"), 0)
	if err != nil {
		return err
	}
	data.Keys, data.Now = keys, time.Now().UTC()
	if data.Teams, _, err = s.Auth.ListTeams(r.Context(), p, auth.TeamFilter{Limit: 500}); err != nil {
		return err
	}
	if next != "" {
		data.Next = withCursor(r.URL, next)
	}
	s.render(w, r, status, "apikeys.html", viewWithErr(View{Title: "API keys", Nav: "apikeys", Data: data}, formErr))
	return nil
}

func (s *Server) uiCreateAPIKey(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	f := apiKeyForm{Name: r.PostFormValue("name"), Role: auth.Role(r.PostFormValue("role")), ExpiresOn: strings.TrimSpace(r.PostFormValue("expires_on")),
		TeamIDs: r.PostForm["team_ids"]}
	var exp *time.Time
	if f.ExpiresOn != "" {
		d, err := time.Parse("2006-01-02", f.ExpiresOn)
		if err != nil {
			err := &apperr.Error{Code: apperr.Invalid, Message: "validation failed",
				Fields: []apperr.FieldError{{Field: "expires_at", Message: "use a date such as 2030-12-31"}}}
			return s.renderAPIKeys(w, r, p, Status(err), apiKeysPage{Form: f}, err)
		}
		exp = &d
	}
	k, full, err := s.Auth.CreateAPIKey(r.Context(), p, f.Name, f.Role, exp, f.TeamIDs...)
	if formFailure(err) {
		return s.renderAPIKeys(w, r, p, Status(err), apiKeysPage{Form: f}, err)
	}
	if err != nil {
		return err
	}
	return s.renderAPIKeys(w, r, p, http.StatusOK, apiKeysPage{Form: apiKeyForm{Role: auth.RoleViewer},
		Created: &apiKeyCreated{APIKeyRecord: APIKeyRecord(k), Key: full}}, nil)
}

func (s *Server) uiRevokeAPIKey(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	k, err := s.Auth.RevokeAPIKey(r.Context(), p, r.PathValue("id"))
	if err != nil {
		return err
	}
	s.flash(r, "API key "+k.Name+" ("+k.Prefix+") is revoked; requests with it now fail.")
	redirect(w, r, "/apikeys")
	return nil
}

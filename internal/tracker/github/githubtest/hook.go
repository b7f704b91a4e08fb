package githubtest

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"

	"github.com/vendorsync/vendorsync/internal/tracker/forge/forgetest"
)

// hookRequest is the body of POST and PATCH /repos/{owner}/{repo}/hooks
// (repos/create-webhook, repos/update-webhook).
type hookRequest struct {
	Name   string `json:"name"`
	Config *struct {
		URL         string `json:"url"`
		ContentType string `json:"content_type"`
		Secret      string `json:"secret"`
		InsecureSSL any    `json:"insecure_ssl"`
	} `json:"config"`
	Events []string `json:"events"`
	Active *bool    `json:"active"`
}

// hookJSON renders a hook as GitHub does: the secret is never returned,
// only masked when set.
func (s *Server) hookJSON(h forgetest.Hook) map[string]any {
	cfg := map[string]any{"url": h.URL, "content_type": h.ContentType, "insecure_ssl": "0"}
	if h.Secret != "" {
		cfg["secret"] = "********"
	}
	self := s.URL + "/api/v3/repos/" + h.Project + "/hooks/" + strconv.FormatInt(h.ID, 10)
	return map[string]any{"type": "Repository", "id": h.ID, "name": "web", "active": h.Active, "events": h.Events,
		"config": cfg, "url": self, "test_url": self + "/test", "ping_url": self + "/pings",
		"deliveries_url": self + "/deliveries", "created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z",
		"last_response": map[string]any{"code": nil, "status": "unused", "message": nil}}
}

// hooksDenied answers as GitHub does when the token may not manage the
// repository's hooks: 404, so as not to reveal the repository.
func (s *Server) hooksDenied(w http.ResponseWriter) bool {
	if !s.HooksForbidden() {
		return false
	}
	writeError(w, http.StatusNotFound, "Not Found")
	return true
}

func (s *Server) listHooks(w http.ResponseWriter, r *http.Request) {
	if s.hooksDenied(w) {
		return
	}
	s.WriteHooks(w, project(r), s.hookJSON)
}

func (s *Server) createHook(w http.ResponseWriter, r *http.Request) {
	if s.hooksDenied(w) {
		return
	}
	var in hookRequest
	if json.NewDecoder(r.Body).Decode(&in) != nil || in.Config == nil || in.Config.URL == "" {
		writeError(w, http.StatusUnprocessableEntity, "url is missing")
		return
	}
	h := forgetest.Hook{Project: project(r), URL: in.Config.URL, ContentType: in.Config.ContentType,
		Secret: in.Config.Secret, Events: in.Events, Active: in.Active == nil || *in.Active}
	if h.ContentType == "" {
		h.ContentType = "form"
	}
	if len(h.Events) == 0 {
		h.Events = []string{"push"}
	}
	for _, old := range s.Hooks(h.Project) {
		if old.URL == h.URL && slices.Equal(old.Events, h.Events) {
			forgetest.WriteJSON(w, http.StatusUnprocessableEntity, map[string]any{"message": "Validation Failed",
				"errors":            []map[string]string{{"resource": "Hook", "code": "custom", "message": "Hook already exists on this repository"}},
				"documentation_url": "https://docs.github.com/rest/repos/webhooks#create-a-repository-webhook"})
			return
		}
	}
	forgetest.WriteJSON(w, http.StatusCreated, s.hookJSON(s.AddHook(h)))
}

func (s *Server) editHook(w http.ResponseWriter, r *http.Request) {
	if s.hooksDenied(w) {
		return
	}
	var in hookRequest
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || json.NewDecoder(r.Body).Decode(&in) != nil {
		writeError(w, http.StatusUnprocessableEntity, "invalid request")
		return
	}
	h, ok := s.EditHook(project(r), id, func(h *forgetest.Hook) {
		if in.Config != nil {
			h.URL, h.ContentType, h.Secret = in.Config.URL, in.Config.ContentType, in.Config.Secret
		}
		if in.Events != nil {
			h.Events = in.Events
		}
		if in.Active != nil {
			h.Active = *in.Active
		}
	})
	if !ok {
		writeError(w, http.StatusNotFound, "Not Found")
		return
	}
	forgetest.WriteJSON(w, http.StatusOK, s.hookJSON(h))
}

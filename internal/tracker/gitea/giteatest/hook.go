package giteatest

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/vendorsync/vendorsync/internal/tracker/forge/forgetest"
)

// hookRequest is CreateHookOption and EditHookOption of Gitea's swagger:
// the config map carries url, content_type and secret.
type hookRequest struct {
	Type   string            `json:"type"`
	Config map[string]string `json:"config"`
	Events []string          `json:"events"`
	Active *bool             `json:"active"`
}

// hookJSON renders a Hook: the config never carries the secret back.
func hookJSON(h forgetest.Hook) map[string]any {
	return map[string]any{"id": h.ID, "type": h.Type, "branch_filter": "", "active": h.Active, "events": h.Events,
		"config": map[string]string{"url": h.URL, "content_type": h.ContentType}, "authorization_header": "",
		"created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z"}
}

// hooksDenied answers as Gitea does to an account without admin rights on
// the repository.
func (s *Server) hooksDenied(w http.ResponseWriter) bool {
	if !s.HooksForbidden() {
		return false
	}
	s.writeError(w, http.StatusForbidden, "token does not have at least one of required scope(s): [write:repository]")
	return true
}

func repoOf(r *http.Request) string { return r.PathValue("owner") + "/" + r.PathValue("repo") }

func (s *Server) listHooks(w http.ResponseWriter, r *http.Request) {
	if s.hooksDenied(w) {
		return
	}
	s.WriteHooks(w, repoOf(r), hookJSON)
}

func (s *Server) createHook(w http.ResponseWriter, r *http.Request) {
	if s.hooksDenied(w) {
		return
	}
	var in hookRequest
	if json.NewDecoder(r.Body).Decode(&in) != nil || in.Type == "" || in.Config["url"] == "" || in.Config["content_type"] == "" {
		s.writeError(w, http.StatusUnprocessableEntity, "Missing config option: url, content_type")
		return
	}
	h := forgetest.Hook{Project: repoOf(r), Type: in.Type, URL: in.Config["url"], ContentType: in.Config["content_type"],
		Secret: in.Config["secret"], Events: in.Events, Active: in.Active != nil && *in.Active}
	forgetest.WriteJSON(w, http.StatusCreated, hookJSON(s.AddHook(h)))
}

func (s *Server) editHook(w http.ResponseWriter, r *http.Request) {
	if s.hooksDenied(w) {
		return
	}
	var in hookRequest
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || json.NewDecoder(r.Body).Decode(&in) != nil {
		s.writeError(w, http.StatusUnprocessableEntity, "invalid request")
		return
	}
	h, ok := s.EditHook(repoOf(r), id, func(h *forgetest.Hook) {
		if v, ok := in.Config["url"]; ok {
			h.URL = v
		}
		if v, ok := in.Config["content_type"]; ok {
			h.ContentType = v
		}
		if v, ok := in.Config["secret"]; ok {
			h.Secret = v
		}
		if in.Events != nil {
			h.Events = in.Events
		}
		if in.Active != nil {
			h.Active = *in.Active
		}
	})
	if !ok {
		s.writeError(w, http.StatusNotFound, "The target couldn't be found.")
		return
	}
	forgetest.WriteJSON(w, http.StatusOK, hookJSON(h))
}

// IssueEvent is the body of the "issues" delivery Gitea sends when issue
// is changed by action (opened, edited, closed…), htmlURL being its page.
func IssueEvent(action string, is forgetest.Issue, htmlURL string) []byte {
	labels, assignees := []map[string]any{}, []map[string]any{}
	for _, l := range is.Labels {
		labels = append(labels, map[string]any{"name": l})
	}
	for _, a := range is.Assignees {
		assignees = append(assignees, map[string]any{"login": a})
	}
	var due any
	if is.DueDate != "" {
		due = is.DueDate + "T23:59:59Z"
	}
	b, err := json.Marshal(map[string]any{"action": action, "issue": map[string]any{"number": is.Number, "title": is.Title,
		"body": is.Body, "state": is.State, "labels": labels, "assignees": assignees, "due_date": due,
		"updated_at": is.Updated.Format(time.RFC3339), "html_url": htmlURL},
		"repository": map[string]any{"full_name": is.Project}})
	if err != nil {
		panic(err) // strings, numbers and times only
	}
	return b
}

package gitlabtest

import (
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/vendorsync/vendorsync/internal/tracker/forge/forgetest"
)

// hookRequest is the body of POST and PUT /projects/:id/hooks (project
// webhooks API): the secret token is written, never read back.
type hookRequest struct {
	URL                   string  `json:"url"`
	Token                 *string `json:"token"`
	IssuesEvents          *bool   `json:"issues_events"`
	NoteEvents            *bool   `json:"note_events"`
	PushEvents            *bool   `json:"push_events"`
	EnableSSLVerification *bool   `json:"enable_ssl_verification"`
}

// events lists the hook's events under GitLab's attribute names.
func events(in hookRequest, h *forgetest.Hook) {
	set := map[string]bool{}
	for _, e := range h.Events {
		set[e] = true
	}
	for name, v := range map[string]*bool{"issues_events": in.IssuesEvents, "note_events": in.NoteEvents, "push_events": in.PushEvents} {
		if v != nil {
			set[name] = *v
		}
	}
	h.Events = h.Events[:0]
	for _, name := range []string{"issues_events", "note_events", "push_events"} {
		if set[name] {
			h.Events = append(h.Events, name)
		}
	}
}

func hookJSON(h forgetest.Hook) map[string]any {
	out := map[string]any{"id": h.ID, "url": h.URL, "name": nil, "project_id": 1, "enable_ssl_verification": true,
		"created_at": "2026-01-01T00:00:00.000Z", "alert_status": "executable", "disabled_until": nil,
		"custom_webhook_template": "", "url_variables": []any{}}
	for _, name := range []string{"push_events", "issues_events", "confidential_issues_events", "merge_requests_events",
		"tag_push_events", "note_events", "confidential_note_events", "job_events", "pipeline_events", "wiki_page_events"} {
		out[name] = false
	}
	for _, e := range h.Events {
		out[e] = true
	}
	return out
}

// hooksDenied answers as GitLab does to an account below Maintainer.
func (s *Server) hooksDenied(w http.ResponseWriter) bool {
	if !s.HooksForbidden() {
		return false
	}
	writeError(w, http.StatusForbidden, "403 Forbidden")
	return true
}

func (s *Server) listHooks(w http.ResponseWriter, r *http.Request) {
	if s.hooksDenied(w) {
		return
	}
	s.WriteHooks(w, r.PathValue("id"), hookJSON)
}

func (s *Server) createHook(w http.ResponseWriter, r *http.Request) {
	if s.hooksDenied(w) {
		return
	}
	var in hookRequest
	if json.NewDecoder(r.Body).Decode(&in) != nil || in.URL == "" {
		forgetest.WriteJSON(w, http.StatusBadRequest, map[string]string{"error": "url is missing"})
		return
	}
	h := forgetest.Hook{Project: r.PathValue("id"), URL: in.URL, Events: []string{"push_events"}, Active: true}
	if in.Token != nil {
		h.Secret = *in.Token
	}
	events(in, &h)
	forgetest.WriteJSON(w, http.StatusCreated, hookJSON(s.AddHook(h)))
}

func (s *Server) editHook(w http.ResponseWriter, r *http.Request) {
	if s.hooksDenied(w) {
		return
	}
	var in hookRequest
	id, err := strconv.ParseInt(r.PathValue("hook"), 10, 64)
	if err != nil || json.NewDecoder(r.Body).Decode(&in) != nil || in.URL == "" {
		forgetest.WriteJSON(w, http.StatusBadRequest, map[string]string{"error": "url is missing"})
		return
	}
	h, ok := s.EditHook(r.PathValue("id"), id, func(h *forgetest.Hook) {
		h.URL = in.URL
		if in.Token != nil {
			h.Secret = *in.Token
		}
		events(in, h)
	})
	if !ok {
		writeError(w, http.StatusNotFound, "404 Not found")
		return
	}
	forgetest.WriteJSON(w, http.StatusOK, hookJSON(h))
}

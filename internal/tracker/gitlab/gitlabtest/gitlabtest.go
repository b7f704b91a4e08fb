// Package gitlabtest is an in-process GitLab REST API v4 for tests,
// answering as GitLab's API documentation (doc/api/issues.md, notes.md,
// users.md) describes: projects addressed by their URL-encoded path,
// issues created (JSON or form body, labels as a comma-separated string or
// an array), read by iid, listed (labels, state, updated_after, order_by,
// sort, page/per_page with X-Page, X-Next-Page, X-Total and Link headers)
// and noted, error bodies {"message": …}, and the RateLimit-* headers.
package gitlabtest

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vendorsync/vendorsync/internal/tracker/forge/forgetest"
)

// The token the fake accepts (PRIVATE-TOKEN or Bearer), its account and
// the token's scopes.
const (
	Token    = "glpat-fakeTokenForTests00000"
	Username = "vendorsync-bot"
)

// Scopes are the scopes GET /personal_access_tokens/self reports.
var Scopes = []string{"api", "read_user"}

// Users are the accounts GET /users?username= finds, by id.
var Users = map[int64]string{42: Username, 7: "maria"}

// RateLimit is the per-minute budget the fake reports.
const RateLimit = 2000

// Server is a fake GitLab. Its Core holds the issues and faults.
type Server struct {
	*forgetest.Core
	URL string
}

// New starts a fake GitLab, closed when t ends.
func New(t testing.TB) *Server {
	s := &Server{Core: forgetest.NewCore(writeError)}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v4/user", s.Handle(forgetest.RouteUser, s.user))
	mux.HandleFunc("GET /api/v4/personal_access_tokens/self", s.Handle(forgetest.RouteUser, s.token))
	mux.HandleFunc("GET /api/v4/users", s.Handle(forgetest.RouteUser, s.users))
	mux.HandleFunc("POST /api/v4/projects/{id}/issues", s.Handle(forgetest.RouteCreate, s.create))
	mux.HandleFunc("GET /api/v4/projects/{id}/issues", s.Handle(forgetest.RouteSearch, s.list))
	mux.HandleFunc("GET /api/v4/projects/{id}/issues/{iid}", s.Handle(forgetest.RouteSearch, s.get))
	mux.HandleFunc("PUT /api/v4/projects/{id}/issues/{iid}", s.Handle(forgetest.RouteEdit, s.edit))
	mux.HandleFunc("POST /api/v4/projects/{id}/issues/{iid}/notes", s.Handle(forgetest.RouteComment, s.note))
	mux.HandleFunc("GET /api/v4/projects/{id}/issues/{iid}/notes", s.Handle(forgetest.RouteComments, s.notes))
	mux.HandleFunc("GET /api/v4/projects/{id}/hooks", s.Handle(forgetest.RouteHook, s.listHooks))
	mux.HandleFunc("POST /api/v4/projects/{id}/hooks", s.Handle(forgetest.RouteHook, s.createHook))
	mux.HandleFunc("PUT /api/v4/projects/{id}/hooks/{hook}", s.Handle(forgetest.RouteHook, s.editHook))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		setRateHeaders(w)
		if r.Header.Get("PRIVATE-TOKEN") != Token && r.Header.Get("Authorization") != "Bearer "+Token {
			writeError(w, http.StatusUnauthorized, "401 Unauthorized")
			return
		}
		mux.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	s.URL = srv.URL
	return s
}

// setRateHeaders sends GitLab's rate-limit headers.
func setRateHeaders(w http.ResponseWriter) {
	h := w.Header()
	reset := time.Now().Add(time.Minute).Truncate(time.Second)
	h.Set("RateLimit-Limit", strconv.Itoa(RateLimit))
	h.Set("RateLimit-Observed", "1")
	h.Set("RateLimit-Remaining", strconv.Itoa(RateLimit-1))
	h.Set("RateLimit-Reset", strconv.FormatInt(reset.Unix(), 10))
	h.Set("RateLimit-ResetTime", reset.UTC().Format(http.TimeFormat))
}

// writeError answers in GitLab's shapes: {"message": "404 Project Not
// Found"}, a plain "Retry later" for 429, an HTML page for 5xx.
func writeError(w http.ResponseWriter, status int, message string) {
	switch {
	case status == http.StatusTooManyRequests:
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(status)
		_, _ = w.Write([]byte("Retry later\n"))
	case status >= 500:
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(status)
		_, _ = w.Write([]byte("<html><body><h1>" + http.StatusText(status) + "</h1></body></html>"))
	case status == http.StatusBadRequest:
		forgetest.WriteJSON(w, status, map[string]any{"message": map[string][]string{"title": {message}}})
	default:
		if !strings.HasPrefix(message, strconv.Itoa(status)) {
			message = strconv.Itoa(status) + " " + message
		}
		forgetest.WriteJSON(w, status, map[string]string{"message": message})
	}
}

func user(id int64, name string) map[string]any {
	return map[string]any{"id": id, "username": name, "name": name, "state": "active", "locked": false,
		"avatar_url": nil, "web_url": "https://gitlab.example.com/" + name}
}

func (s *Server) user(w http.ResponseWriter, r *http.Request) {
	forgetest.WriteJSON(w, http.StatusOK, user(42, Username))
}

func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	forgetest.WriteJSON(w, http.StatusOK, map[string]any{"id": 3, "name": "VendorSync", "revoked": false,
		"created_at": "2026-01-01T00:00:00.000Z", "scopes": Scopes, "user_id": 42, "active": true, "expires_at": nil})
}

func (s *Server) users(w http.ResponseWriter, r *http.Request) {
	out := []map[string]any{}
	want := r.URL.Query().Get("username")
	for id, name := range Users {
		if strings.EqualFold(name, want) {
			out = append(out, user(id, name))
		}
	}
	forgetest.WriteJSON(w, http.StatusOK, out)
}

// createRequest is the body of POST /projects/:id/issues.
type createRequest struct {
	Title       string          `json:"title"`
	Description string          `json:"description"`
	Labels      json.RawMessage `json:"labels"`
	AssigneeIDs []int64         `json:"assignee_ids"`
	AssigneeID  int64           `json:"assignee_id"`
	DueDate     string          `json:"due_date"`
	StateEvent  string          `json:"state_event"`
}

// labels reads GitLab's labels parameter: "a,b" or ["a","b"].
func labels(raw json.RawMessage) []string {
	var list []string
	if json.Unmarshal(raw, &list) == nil {
		return list
	}
	var s string
	if json.Unmarshal(raw, &s) == nil && s != "" {
		return strings.Split(s, ",")
	}
	return nil
}

func (s *Server) create(w http.ResponseWriter, r *http.Request) {
	var in createRequest
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		writeError(w, http.StatusBadRequest, "is invalid")
		return
	}
	if strings.TrimSpace(in.Title) == "" {
		forgetest.WriteJSON(w, http.StatusBadRequest, map[string]string{"error": "title is missing"})
		return
	}
	is := forgetest.Issue{Project: r.PathValue("id"), Title: in.Title, Body: in.Description, Labels: labels(in.Labels),
		DueDate: in.DueDate}
	ids := in.AssigneeIDs
	if in.AssigneeID != 0 {
		ids = append(ids, in.AssigneeID)
	}
	for _, id := range ids {
		if name, ok := Users[id]; ok {
			is.Assignees = append(is.Assignees, name)
		}
	}
	forgetest.WriteJSON(w, http.StatusCreated, s.issueJSON(s.Create(is)))
}

func (s *Server) list(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	state := q.Get("state")
	switch state {
	case "opened":
		state = "open"
	case "", "all":
		state = "all"
	}
	var ls []string
	if l := q.Get("labels"); l != "" {
		ls = strings.Split(l, ",")
	}
	var since time.Time
	if v := q.Get("updated_after"); v != "" {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			writeError(w, http.StatusBadRequest, "updated_after is invalid")
			return
		}
		since = t
	}
	issues := s.List(r.PathValue("id"), ls, state, since)
	if q.Get("order_by") == "updated_at" {
		forgetest.ByUpdated(issues)
	}
	if q.Get("sort") != "asc" { // GitLab's default is newest first
		for i, j := 0, len(issues)-1; i < j; i, j = i+1, j-1 {
			issues[i], issues[j] = issues[j], issues[i]
		}
	}
	from, to, next := forgetest.Page(w, r, len(issues), 20)
	page, per := max(atoi(q.Get("page")), 1), atoi(q.Get("per_page"))
	if per <= 0 {
		per = 20
	}
	h := w.Header()
	h.Set("X-Page", strconv.Itoa(page))
	h.Set("X-Per-Page", strconv.Itoa(min(per, 100)))
	h.Set("X-Total", strconv.Itoa(len(issues)))
	h.Set("X-Next-Page", "")
	if next > 0 {
		h.Set("X-Next-Page", strconv.Itoa(next))
	}
	out := make([]map[string]any, 0, to-from)
	for _, is := range issues[from:to] {
		out = append(out, s.issueJSON(is))
	}
	forgetest.WriteJSON(w, http.StatusOK, out)
}

func atoi(s string) int { n, _ := strconv.Atoi(s); return n }

func (s *Server) get(w http.ResponseWriter, r *http.Request) {
	n, _ := strconv.ParseInt(r.PathValue("iid"), 10, 64)
	is, ok := s.Get(r.PathValue("id"), n)
	if !ok {
		writeError(w, http.StatusNotFound, "404 Not found")
		return
	}
	forgetest.WriteJSON(w, http.StatusOK, s.issueJSON(is))
}

// editRequest is PUT /projects/:id/issues/:iid's body: only the
// attributes sent change; due_date null clears the due date.
type editRequest struct {
	createRequest
	Description *string         `json:"description"`
	AssigneeIDs *[]int64        `json:"assignee_ids"`
	DueDate     json.RawMessage `json:"due_date"`
}

func (s *Server) edit(w http.ResponseWriter, r *http.Request) {
	n, _ := strconv.ParseInt(r.PathValue("iid"), 10, 64)
	var in editRequest
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		writeError(w, http.StatusBadRequest, "is invalid")
		return
	}
	is, ok := s.Update(r.PathValue("id"), n, func(is *forgetest.Issue) {
		if in.Title != "" {
			is.Title = in.Title
		}
		if in.Labels != nil {
			is.Labels = labels(in.Labels)
		}
		if in.Description != nil {
			is.Body = *in.Description
		}
		if in.AssigneeIDs != nil {
			is.Assignees = nil
			for _, id := range *in.AssigneeIDs {
				if name, ok := Users[id]; ok {
					is.Assignees = append(is.Assignees, name)
				}
			}
		}
		if in.DueDate != nil {
			var d *string
			_ = json.Unmarshal(in.DueDate, &d) // null or "YYYY-MM-DD"
			is.DueDate = ""
			if d != nil {
				is.DueDate = *d
			}
		}
		switch in.StateEvent {
		case "close":
			is.State = "closed"
		case "reopen":
			is.State = "open"
		}
	})
	if !ok {
		writeError(w, http.StatusNotFound, "404 Not found")
		return
	}
	forgetest.WriteJSON(w, http.StatusOK, s.issueJSON(is))
}

func (s *Server) note(w http.ResponseWriter, r *http.Request) {
	n, _ := strconv.ParseInt(r.PathValue("iid"), 10, 64)
	var in struct {
		Body string `json:"body"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || strings.TrimSpace(in.Body) == "" {
		forgetest.WriteJSON(w, http.StatusBadRequest, map[string]string{"error": "body is missing"})
		return
	}
	is, ok := s.Update(r.PathValue("id"), n, func(is *forgetest.Issue) { is.Comments = append(is.Comments, in.Body) })
	if !ok {
		writeError(w, http.StatusNotFound, "404 Not found")
		return
	}
	forgetest.WriteJSON(w, http.StatusCreated, map[string]any{"id": 300 + len(is.Comments), "type": nil, "body": in.Body,
		"author": user(42, Username), "created_at": is.Updated, "updated_at": is.Updated, "system": false,
		"noteable_id": is.ID, "noteable_type": "Issue", "noteable_iid": is.Number, "project_id": 11})
}

// issueJSON is the issue object of GitLab's REST API; GitLab calls an open
// issue "opened".
func (s *Server) issueJSON(is forgetest.Issue) map[string]any {
	state := is.State
	if state == "open" {
		state = "opened"
	}
	assignees := []map[string]any{}
	for id, name := range Users {
		for _, a := range is.Assignees {
			if a == name {
				assignees = append(assignees, user(id, name))
			}
		}
	}
	var assignee, closedAt, due any
	if len(assignees) > 0 {
		assignee = assignees[0]
	}
	if is.State == "closed" {
		closedAt = is.Updated
	}
	if is.DueDate != "" {
		due = is.DueDate
	}
	ls := is.Labels
	if ls == nil {
		ls = []string{}
	}
	n := strconv.FormatInt(is.Number, 10)
	return map[string]any{"id": is.ID, "iid": is.Number, "project_id": 11, "title": is.Title, "description": is.Body,
		"state": state, "created_at": is.Created, "updated_at": is.Updated, "closed_at": closedAt, "closed_by": nil,
		"labels": ls, "milestone": nil, "assignees": assignees, "assignee": assignee, "author": user(42, Username),
		"type": "ISSUE", "issue_type": "issue", "user_notes_count": len(is.Comments), "due_date": due,
		"confidential": false, "discussion_locked": nil, "web_url": s.URL + "/" + is.Project + "/-/issues/" + n,
		"references": map[string]string{"short": "#" + n, "relative": "#" + n, "full": is.Project + "#" + n}}
}

// notes lists an issue's notes, paged by page and per_page (20 by
// default).
func (s *Server) notes(w http.ResponseWriter, r *http.Request) {
	n, _ := strconv.ParseInt(r.PathValue("iid"), 10, 64)
	is, ok := s.Get(r.PathValue("id"), n)
	if !ok {
		writeError(w, http.StatusNotFound, "404 Not found")
		return
	}
	from, to, next := forgetest.Page(w, r, len(is.Comments), 20)
	if next > 0 {
		w.Header().Set("X-Next-Page", strconv.Itoa(next))
	}
	out := make([]map[string]any, 0, to-from)
	for i := from; i < to; i++ {
		out = append(out, map[string]any{"id": 301 + i, "type": nil, "body": is.Comments[i], "author": user(42, Username),
			"system": false, "noteable_id": is.ID, "noteable_type": "Issue", "noteable_iid": is.Number, "project_id": 11})
	}
	forgetest.WriteJSON(w, http.StatusOK, out)
}

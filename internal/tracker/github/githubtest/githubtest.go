// Package githubtest is an in-process GitHub (Enterprise Server) REST API
// for tests, answering as the official OpenAPI description documents:
// GET /user with X-OAuth-Scopes, issues created, read, listed (labels,
// state, since, sort=updated and direction, page/per_page with Link headers) and commented, error
// bodies {"message","documentation_url"} and the X-RateLimit-* headers on
// every answer; repository webhooks listed, created and edited. It serves under /api/v3 as GitHub Enterprise Server does.
package githubtest

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vendorsync/vendorsync/internal/tracker/forge/forgetest"
)

// Token is the personal access token the fake accepts, Login its account
// and Scopes the scopes it reports.
const (
	Token  = "ghp_fakeTokenForTests0000000000000000"
	Login  = "vendorsync-bot"
	Scopes = "repo, read:org"
)

// RateLimit is the hourly budget the fake reports.
const RateLimit = 5000

// Server is a fake GitHub. Its Core holds the issues and faults.
type Server struct {
	*forgetest.Core
	URL string
	srv *httptest.Server

	mu     sync.Mutex
	scopes string
}

// SetScopes changes the scopes GET /user reports (Scopes at first).
func (s *Server) SetScopes(scopes string) { s.mu.Lock(); s.scopes = scopes; s.mu.Unlock() }

// New starts a fake GitHub, closed when t ends.
func New(t testing.TB) *Server {
	s := &Server{Core: forgetest.NewCore(writeError), scopes: Scopes}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /user", s.Handle(forgetest.RouteUser, s.user))
	mux.HandleFunc("POST /repos/{owner}/{repo}/issues", s.Handle(forgetest.RouteCreate, s.create))
	mux.HandleFunc("GET /repos/{owner}/{repo}/issues", s.Handle(forgetest.RouteSearch, s.list))
	mux.HandleFunc("GET /repos/{owner}/{repo}/issues/{number}", s.Handle(forgetest.RouteSearch, s.get))
	mux.HandleFunc("PATCH /repos/{owner}/{repo}/issues/{number}", s.Handle(forgetest.RouteEdit, s.edit))
	mux.HandleFunc("POST /repos/{owner}/{repo}/issues/{number}/comments", s.Handle(forgetest.RouteComment, s.comment))
	mux.HandleFunc("GET /repos/{owner}/{repo}/issues/{number}/comments", s.Handle(forgetest.RouteComments, s.comments))
	mux.HandleFunc("GET /repos/{owner}/{repo}/hooks", s.Handle(forgetest.RouteHook, s.listHooks))
	mux.HandleFunc("POST /repos/{owner}/{repo}/hooks", s.Handle(forgetest.RouteHook, s.createHook))
	mux.HandleFunc("PATCH /repos/{owner}/{repo}/hooks/{id}", s.Handle(forgetest.RouteHook, s.editHook))
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rest, ok := strings.CutPrefix(r.URL.Path, "/api/v3")
		if !ok {
			writeError(w, http.StatusNotFound, "Not Found")
			return
		}
		r.URL.Path = rest
		setRateHeaders(w)
		if !authorized(r) {
			writeError(w, http.StatusUnauthorized, "Bad credentials")
			return
		}
		mux.ServeHTTP(w, r)
	}))
	t.Cleanup(s.srv.Close)
	s.URL = s.srv.URL
	return s
}

func authorized(r *http.Request) bool {
	a := r.Header.Get("Authorization")
	return a == "Bearer "+Token || a == "token "+Token
}

// setRateHeaders sends the primary rate-limit headers GitHub sends on
// every answer.
func setRateHeaders(w http.ResponseWriter) {
	h := w.Header()
	h.Set("X-RateLimit-Limit", strconv.Itoa(RateLimit))
	h.Set("X-RateLimit-Remaining", strconv.Itoa(RateLimit-1))
	h.Set("X-RateLimit-Used", "1")
	h.Set("X-RateLimit-Reset", strconv.FormatInt(time.Now().Add(time.Hour).Unix(), 10))
	h.Set("X-RateLimit-Resource", "core")
	h.Set("X-GitHub-Api-Version-Selected", "2022-11-28")
}

// writeError answers in GitHub's error shape; rate limits point at the
// secondary-rate-limit documentation as GitHub does.
func writeError(w http.ResponseWriter, status int, message string) {
	doc := "https://docs.github.com/rest"
	switch status {
	case http.StatusTooManyRequests:
		doc = "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits"
	case http.StatusUnprocessableEntity:
		forgetest.WriteJSON(w, status, map[string]any{"message": "Validation Failed", "documentation_url": "https://docs.github.com/rest/issues/issues#create-an-issue",
			"errors": []map[string]string{{"resource": "Issue", "code": "invalid", "field": "title", "message": message}}})
		return
	}
	if status >= 500 {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(status)
		_, _ = w.Write([]byte("<html><body><h1>" + http.StatusText(status) + "</h1></body></html>"))
		return
	}
	forgetest.WriteJSON(w, status, map[string]string{"message": message, "documentation_url": doc})
}

func (s *Server) user(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	w.Header().Set("X-OAuth-Scopes", s.scopes)
	s.mu.Unlock()
	w.Header().Set("X-Accepted-OAuth-Scopes", "")
	forgetest.WriteJSON(w, http.StatusOK, map[string]any{"login": Login, "id": 4242, "node_id": "MDQ6VXNlcjQyNDI=",
		"type": "User", "site_admin": false, "name": "VendorSync Bot", "html_url": s.URL + "/" + Login})
}

// project is owner/repo of the request.
func project(r *http.Request) string { return r.PathValue("owner") + "/" + r.PathValue("repo") }

// createRequest is the body of POST /repos/{owner}/{repo}/issues.
type createRequest struct {
	Title     string   `json:"title"`
	Body      string   `json:"body"`
	Labels    []string `json:"labels"`
	Assignee  string   `json:"assignee"`
	Assignees []string `json:"assignees"`
}

func (s *Server) create(w http.ResponseWriter, r *http.Request) {
	var in createRequest
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		writeError(w, http.StatusBadRequest, "Problems parsing JSON")
		return
	}
	if strings.TrimSpace(in.Title) == "" {
		writeError(w, http.StatusUnprocessableEntity, "title is missing")
		return
	}
	for _, l := range in.Labels {
		if len([]rune(l)) > 50 {
			writeError(w, http.StatusUnprocessableEntity, "label name is too long (maximum is 50 characters)")
			return
		}
	}
	as := in.Assignees
	if in.Assignee != "" {
		as = append(as, in.Assignee)
	}
	is := s.Create(forgetest.Issue{Project: project(r), Title: in.Title, Body: in.Body, Labels: in.Labels, Assignees: as})
	w.Header().Set("Location", s.issueURL(is))
	forgetest.WriteJSON(w, http.StatusCreated, s.issueJSON(is))
}

func (s *Server) list(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	state := q.Get("state")
	if state == "" {
		state = "open"
	}
	var labels []string
	if l := q.Get("labels"); l != "" {
		labels = strings.Split(l, ",")
	}
	var since time.Time
	if v := q.Get("since"); v != "" {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			writeError(w, http.StatusUnprocessableEntity, "since is not an ISO 8601 timestamp")
			return
		}
		since = t
	}
	issues := s.List(project(r), labels, state, since)
	if q.Get("sort") == "updated" {
		forgetest.ByUpdated(issues)
		if q.Get("direction") != "asc" { // GitHub's default is newest first
			slices.Reverse(issues)
		}
	}
	from, to, _ := forgetest.Page(w, r, len(issues), 30)
	out := make([]map[string]any, 0, to-from)
	for _, is := range issues[from:to] {
		out = append(out, s.issueJSON(is))
	}
	forgetest.WriteJSON(w, http.StatusOK, out)
}

func (s *Server) get(w http.ResponseWriter, r *http.Request) {
	n, _ := strconv.ParseInt(r.PathValue("number"), 10, 64)
	is, ok := s.Get(project(r), n)
	if !ok {
		writeError(w, http.StatusNotFound, "Not Found")
		return
	}
	forgetest.WriteJSON(w, http.StatusOK, s.issueJSON(is))
}

// editRequest is the body of PATCH …/issues/{number}.
type editRequest struct {
	Title       *string  `json:"title"`
	Body        *string  `json:"body"`
	State       *string  `json:"state"`
	StateReason *string  `json:"state_reason"`
	Labels      []string `json:"labels"`
	Assignees   []string `json:"assignees"`
}

func (s *Server) edit(w http.ResponseWriter, r *http.Request) {
	n, _ := strconv.ParseInt(r.PathValue("number"), 10, 64)
	var in editRequest
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		writeError(w, http.StatusBadRequest, "Problems parsing JSON")
		return
	}
	is, ok := s.Update(project(r), n, func(is *forgetest.Issue) {
		if in.Title != nil {
			is.Title = *in.Title
		}
		if in.Body != nil {
			is.Body = *in.Body
		}
		if in.State != nil {
			is.State = *in.State
			is.StateReason = ""
			if is.State == "closed" {
				is.StateReason = "completed"
			}
		}
		if in.StateReason != nil {
			is.StateReason = *in.StateReason
		}
		if in.Labels != nil {
			is.Labels = in.Labels
		}
		if in.Assignees != nil {
			is.Assignees = in.Assignees
		}
	})
	if !ok {
		writeError(w, http.StatusNotFound, "Not Found")
		return
	}
	forgetest.WriteJSON(w, http.StatusOK, s.issueJSON(is))
}

func (s *Server) comment(w http.ResponseWriter, r *http.Request) {
	n, _ := strconv.ParseInt(r.PathValue("number"), 10, 64)
	var in struct {
		Body string `json:"body"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || strings.TrimSpace(in.Body) == "" {
		writeError(w, http.StatusUnprocessableEntity, "body is missing")
		return
	}
	is, ok := s.Update(project(r), n, func(is *forgetest.Issue) { is.Comments = append(is.Comments, in.Body) })
	if !ok {
		writeError(w, http.StatusNotFound, "Not Found")
		return
	}
	id := 9000 + int64(len(is.Comments))
	forgetest.WriteJSON(w, http.StatusCreated, map[string]any{"id": id, "node_id": "IC_" + strconv.FormatInt(id, 10),
		"body": in.Body, "html_url": s.issueURL(is) + "#issuecomment-" + strconv.FormatInt(id, 10),
		"issue_url": s.URL + "/api/v3/repos/" + is.Project + "/issues/" + strconv.FormatInt(is.Number, 10),
		"user":      map[string]any{"login": Login, "id": 4242}, "created_at": is.Updated, "updated_at": is.Updated,
		"author_association": "MEMBER"})
}

func (s *Server) issueURL(is forgetest.Issue) string {
	return s.URL + "/" + is.Project + "/issues/" + strconv.FormatInt(is.Number, 10)
}

// issueJSON is the issue object of GitHub's REST API.
func (s *Server) issueJSON(is forgetest.Issue) map[string]any {
	api := s.URL + "/api/v3/repos/" + is.Project
	labels := make([]map[string]any, 0, len(is.Labels))
	for i, l := range is.Labels {
		labels = append(labels, map[string]any{"id": 100 + i, "node_id": "LA_" + l, "url": api + "/labels/" + l,
			"name": l, "color": "ededed", "default": false, "description": nil})
	}
	assignees := make([]map[string]any, 0, len(is.Assignees))
	for _, a := range is.Assignees {
		assignees = append(assignees, map[string]any{"login": a, "id": 5000, "type": "User"})
	}
	var assignee any
	if len(assignees) > 0 {
		assignee = assignees[0]
	}
	var closedAt, reason any
	if is.State == "closed" {
		closedAt, reason = is.Updated, is.StateReason
	}
	n := strconv.FormatInt(is.Number, 10)
	return map[string]any{"id": is.ID, "node_id": "I_" + strconv.FormatInt(is.ID, 10), "url": api + "/issues/" + n,
		"repository_url": api, "html_url": s.issueURL(is), "comments_url": api + "/issues/" + n + "/comments",
		"number": is.Number, "state": is.State, "state_reason": reason, "title": is.Title, "body": is.Body,
		"user": map[string]any{"login": Login, "id": 4242, "type": "User"}, "labels": labels,
		"assignee": assignee, "assignees": assignees, "milestone": nil, "locked": false, "comments": len(is.Comments),
		"closed_at": closedAt, "created_at": is.Created, "updated_at": is.Updated, "author_association": "MEMBER"}
}

// comments lists an issue's comments, oldest first, paged by page and
// per_page (30 by default).
func (s *Server) comments(w http.ResponseWriter, r *http.Request) {
	n, _ := strconv.ParseInt(r.PathValue("number"), 10, 64)
	is, ok := s.Get(project(r), n)
	if !ok {
		writeError(w, http.StatusNotFound, "Not Found")
		return
	}
	from, to, _ := forgetest.Page(w, r, len(is.Comments), 30)
	out := make([]map[string]any, 0, to-from)
	for i := from; i < to; i++ {
		id := 9001 + int64(i)
		out = append(out, map[string]any{"id": id, "body": is.Comments[i],
			"html_url": s.issueURL(is) + "#issuecomment-" + strconv.FormatInt(id, 10),
			"user":     map[string]any{"login": Login, "id": 4242}, "author_association": "MEMBER"})
	}
	forgetest.WriteJSON(w, http.StatusOK, out)
}

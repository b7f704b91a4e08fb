// Package giteatest is an in-process Gitea REST API (/api/v1) for tests,
// answering as Gitea's swagger description (templates/swagger/v1_json.tmpl)
// documents: repository labels listed and created, issues created with
// label ids, read by index, listed (state, type, labels by name — a name
// the repository lacks is dropped from the filter, as Gitea does — since,
// page/limit with Link and X-Total-Count headers), edited and commented,
// and error bodies {"message","url"}. An issue's html_url answers with a
// small HTML page of it, and Deliver sends a repository's hooks a signed
// issues event, as Gitea does after a change. Tests use it, and so does
// the demo (serve --demo) as its built-in Gitea.
package giteatest

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/vendorsync/vendorsync/internal/tracker/forge/forgetest"
)

// Token is the access token the fake accepts; Login its account.
const (
	Token = "gta_fakeTokenForTests000000000000000000"
	Login = "vendorsync-bot"
)

// Server is a fake Gitea. Its Core holds the issues and faults.
type Server struct {
	*forgetest.Core
	URL string

	mu     sync.Mutex
	labels map[string][]label // by owner/repo
	nextID int64
}

type label struct {
	ID    int64
	Name  string
	Color string
}

// New starts a fake Gitea on 127.0.0.1, closed when its owner (the test)
// cleans up.
func New(t forgetest.Owner) *Server {
	s, err := NewAt(t, "")
	if err != nil {
		panic(err) // a free port of 127.0.0.1
	}
	return s
}

// NewAt starts a fake Gitea listening on addr ("" for a free port of
// 127.0.0.1), closed when its owner cleans up; an error when addr is
// taken.
func NewAt(t forgetest.Owner, addr string) (*Server, error) {
	s := &Server{labels: map[string][]label{}}
	s.Core = forgetest.NewCore(s.writeError)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v1/user", s.Handle(forgetest.RouteUser, s.user))
	mux.HandleFunc("GET /api/v1/repos/{owner}/{repo}/labels", s.Handle(forgetest.RouteLabel, s.listLabels))
	mux.HandleFunc("POST /api/v1/repos/{owner}/{repo}/labels", s.Handle(forgetest.RouteLabel, s.createLabel))
	mux.HandleFunc("POST /api/v1/repos/{owner}/{repo}/issues", s.Handle(forgetest.RouteCreate, s.create))
	mux.HandleFunc("GET /api/v1/repos/{owner}/{repo}/issues", s.Handle(forgetest.RouteSearch, s.list))
	mux.HandleFunc("GET /api/v1/repos/{owner}/{repo}/issues/{index}", s.Handle(forgetest.RouteSearch, s.get))
	mux.HandleFunc("PATCH /api/v1/repos/{owner}/{repo}/issues/{index}", s.Handle(forgetest.RouteEdit, s.edit))
	mux.HandleFunc("PUT /api/v1/repos/{owner}/{repo}/issues/{index}/labels", s.Handle(forgetest.RouteEdit, s.replaceLabels))
	mux.HandleFunc("POST /api/v1/repos/{owner}/{repo}/issues/{index}/comments", s.Handle(forgetest.RouteComment, s.comment))
	mux.HandleFunc("GET /api/v1/repos/{owner}/{repo}/issues/{index}/comments", s.Handle(forgetest.RouteComments, s.comments))
	mux.HandleFunc("GET /api/v1/repos/{owner}/{repo}/hooks", s.Handle(forgetest.RouteHook, s.listHooks))
	mux.HandleFunc("POST /api/v1/repos/{owner}/{repo}/hooks", s.Handle(forgetest.RouteHook, s.createHook))
	mux.HandleFunc("PATCH /api/v1/repos/{owner}/{repo}/hooks/{id}", s.Handle(forgetest.RouteHook, s.editHook))
	web := http.NewServeMux()
	web.HandleFunc("GET /{owner}/{repo}/issues/{index}", s.page)
	url, err := forgetest.Serve(t, addr, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasPrefix(r.URL.Path, "/api/") {
			web.ServeHTTP(w, r) // pages a person opens, without a token
			return
		}
		a := r.Header.Get("Authorization")
		if a != "token "+Token && a != "Bearer "+Token && r.URL.Query().Get("access_token") != Token {
			s.writeError(w, http.StatusUnauthorized, "user does not exist [uid: 0, name: ]")
			return
		}
		mux.ServeHTTP(w, r)
	}))
	if err != nil {
		return nil, err
	}
	s.URL = url
	return s, nil
}

// writeError answers in Gitea's APIError shape.
func (s *Server) writeError(w http.ResponseWriter, status int, message string) {
	if status >= 500 && status != http.StatusInternalServerError {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(status)
		_, _ = w.Write([]byte("<html><body><h1>" + http.StatusText(status) + "</h1></body></html>"))
		return
	}
	if status == http.StatusNotFound {
		forgetest.WriteJSON(w, status, map[string]any{"errors": nil, "message": "The target couldn't be found.",
			"url": s.URL + "/api/swagger"})
		return
	}
	forgetest.WriteJSON(w, status, map[string]string{"message": message, "url": s.URL + "/api/swagger"})
}

func (s *Server) userJSON(login string) map[string]any {
	return map[string]any{"id": 4, "login": login, "login_name": "", "full_name": "VendorSync Bot",
		"email": login + "@noreply.gitea.example", "avatar_url": s.URL + "/avatars/" + login, "language": "en-US",
		"is_admin": false, "restricted": false, "active": true, "visibility": "public"}
}

func (s *Server) user(w http.ResponseWriter, r *http.Request) {
	forgetest.WriteJSON(w, http.StatusOK, s.userJSON(Login))
}

func project(r *http.Request) string { return r.PathValue("owner") + "/" + r.PathValue("repo") }

func (s *Server) labelJSON(r *http.Request, l label) map[string]any {
	return map[string]any{"id": l.ID, "name": l.Name, "color": strings.TrimPrefix(l.Color, "#"), "description": "",
		"exclusive": false, "is_archived": false, "url": s.URL + "/api/v1/repos/" + project(r) + "/labels/" + strconv.FormatInt(l.ID, 10)}
}

func (s *Server) listLabels(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	ls := append([]label(nil), s.labels[strings.ToLower(project(r))]...)
	s.mu.Unlock()
	from, to, _ := forgetest.Page(w, r, len(ls), 30)
	w.Header().Set("X-Total-Count", strconv.Itoa(len(ls)))
	out := make([]map[string]any, 0, to-from)
	for _, l := range ls[from:to] {
		out = append(out, s.labelJSON(r, l))
	}
	forgetest.WriteJSON(w, http.StatusOK, out)
}

func (s *Server) createLabel(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Name  string `json:"name"`
		Color string `json:"color"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || strings.TrimSpace(in.Name) == "" || in.Color == "" {
		s.writeError(w, http.StatusUnprocessableEntity, "[Name]: Required")
		return
	}
	if len([]rune(in.Name)) > 50 {
		s.writeError(w, http.StatusUnprocessableEntity, "[Name]: MaxSize")
		return
	}
	s.mu.Lock()
	s.nextID++
	l := label{ID: s.nextID, Name: in.Name, Color: in.Color}
	key := strings.ToLower(project(r))
	s.labels[key] = append(s.labels[key], l)
	s.mu.Unlock()
	forgetest.WriteJSON(w, http.StatusCreated, s.labelJSON(r, l))
}

// labelNames resolves label ids of the repository; false names an unknown id.
func (s *Server) labelNames(r *http.Request, ids []int64) ([]string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, id := range ids {
		found := false
		for _, l := range s.labels[strings.ToLower(project(r))] {
			if l.ID == id {
				out, found = append(out, l.Name), true
			}
		}
		if !found {
			return nil, false
		}
	}
	return out, true
}

// createRequest is Gitea's CreateIssueOption.
type createRequest struct {
	Title     string     `json:"title"`
	Body      string     `json:"body"`
	Assignees []string   `json:"assignees"`
	DueDate   *time.Time `json:"due_date"`
	Labels    []int64    `json:"labels"`
	Closed    bool       `json:"closed"`
}

func (s *Server) create(w http.ResponseWriter, r *http.Request) {
	var in createRequest
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		s.writeError(w, http.StatusUnprocessableEntity, err.Error())
		return
	}
	if strings.TrimSpace(in.Title) == "" {
		s.writeError(w, http.StatusUnprocessableEntity, "[Title]: Required")
		return
	}
	names, ok := s.labelNames(r, in.Labels)
	if !ok {
		s.writeError(w, http.StatusUnprocessableEntity, "label does not exist")
		return
	}
	is := forgetest.Issue{Project: project(r), Title: in.Title, Body: in.Body, Labels: names, Assignees: in.Assignees}
	if in.DueDate != nil {
		is.DueDate = in.DueDate.UTC().Format(time.DateOnly)
	}
	if in.Closed {
		is.State = "closed"
	}
	forgetest.WriteJSON(w, http.StatusCreated, s.issueJSON(s.Create(is)))
}

func (s *Server) list(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	state := q.Get("state")
	if state == "" {
		state = "open"
	}
	if t := q.Get("type"); t == "pulls" {
		forgetest.WriteJSON(w, http.StatusOK, []any{})
		return
	}
	var filter []string
	if l := q.Get("labels"); l != "" {
		s.mu.Lock()
		for _, name := range strings.Split(l, ",") {
			for _, have := range s.labels[strings.ToLower(project(r))] {
				if strings.EqualFold(have.Name, strings.TrimSpace(name)) {
					filter = append(filter, have.Name) // names the repository lacks are dropped
				}
			}
		}
		s.mu.Unlock()
	}
	var since time.Time
	if v := q.Get("since"); v != "" {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			s.writeError(w, http.StatusUnprocessableEntity, "since: "+err.Error())
			return
		}
		since = t
	}
	issues := s.List(project(r), filter, state, since)
	for i, j := 0, len(issues)-1; i < j; i, j = i+1, j-1 { // newest first
		issues[i], issues[j] = issues[j], issues[i]
	}
	from, to, _ := forgetest.Page(w, r, len(issues), 30)
	w.Header().Set("X-Total-Count", strconv.Itoa(len(issues)))
	out := make([]map[string]any, 0, to-from)
	for _, is := range issues[from:to] {
		out = append(out, s.issueJSON(is))
	}
	forgetest.WriteJSON(w, http.StatusOK, out)
}

func (s *Server) get(w http.ResponseWriter, r *http.Request) {
	n, _ := strconv.ParseInt(r.PathValue("index"), 10, 64)
	is, ok := s.Get(project(r), n)
	if !ok {
		s.writeError(w, http.StatusNotFound, "")
		return
	}
	forgetest.WriteJSON(w, http.StatusOK, s.issueJSON(is))
}

func (s *Server) edit(w http.ResponseWriter, r *http.Request) {
	n, _ := strconv.ParseInt(r.PathValue("index"), 10, 64)
	var in struct {
		Title        string     `json:"title"`
		Body         *string    `json:"body"`
		State        *string    `json:"state"`
		Assignees    []string   `json:"assignees"`
		DueDate      *time.Time `json:"due_date"`
		UnsetDueDate *bool      `json:"unset_due_date"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		s.writeError(w, http.StatusUnprocessableEntity, err.Error())
		return
	}
	is, ok := s.Update(project(r), n, func(is *forgetest.Issue) {
		if in.Title != "" {
			is.Title = in.Title
		}
		if in.Body != nil {
			is.Body = *in.Body
		}
		if in.State != nil {
			is.State = *in.State
		}
		if in.Assignees != nil {
			is.Assignees = in.Assignees
		}
		if in.DueDate != nil {
			is.DueDate = in.DueDate.UTC().Format(time.DateOnly)
		}
		if in.UnsetDueDate != nil && *in.UnsetDueDate {
			is.DueDate = ""
		}
	})
	if !ok {
		s.writeError(w, http.StatusNotFound, "")
		return
	}
	forgetest.WriteJSON(w, http.StatusCreated, s.issueJSON(is))
}

// replaceLabels is PUT /repos/{owner}/{repo}/issues/{index}/labels: the
// issue's labels become those with the ids given.
func (s *Server) replaceLabels(w http.ResponseWriter, r *http.Request) {
	n, _ := strconv.ParseInt(r.PathValue("index"), 10, 64)
	var in struct {
		Labels []int64 `json:"labels"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		s.writeError(w, http.StatusUnprocessableEntity, err.Error())
		return
	}
	names, ok := s.labelNames(r, in.Labels)
	if !ok {
		s.writeError(w, http.StatusUnprocessableEntity, "label does not exist")
		return
	}
	is, ok := s.Update(project(r), n, func(is *forgetest.Issue) { is.Labels = names })
	if !ok {
		s.writeError(w, http.StatusNotFound, "")
		return
	}
	out := []map[string]any{}
	for _, name := range is.Labels {
		out = append(out, s.labelJSON(r, s.label(is.Project, name)))
	}
	forgetest.WriteJSON(w, http.StatusOK, out)
}

func (s *Server) comment(w http.ResponseWriter, r *http.Request) {
	n, _ := strconv.ParseInt(r.PathValue("index"), 10, 64)
	var in struct {
		Body string `json:"body"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || strings.TrimSpace(in.Body) == "" {
		s.writeError(w, http.StatusUnprocessableEntity, "[Body]: Required")
		return
	}
	is, ok := s.Update(project(r), n, func(is *forgetest.Issue) { is.Comments = append(is.Comments, in.Body) })
	if !ok {
		s.writeError(w, http.StatusNotFound, "")
		return
	}
	id := int64(700 + len(is.Comments))
	forgetest.WriteJSON(w, http.StatusCreated, map[string]any{"id": id, "body": in.Body, "user": s.userJSON(Login),
		"html_url":  s.URL + "/" + is.Project + "/issues/" + strconv.FormatInt(is.Number, 10) + "#issuecomment-" + strconv.FormatInt(id, 10),
		"issue_url": s.URL + "/" + is.Project + "/issues/" + strconv.FormatInt(is.Number, 10), "pull_request_url": "",
		"created_at": is.Updated, "updated_at": is.Updated, "assets": []any{}, "original_author": "", "original_author_id": 0})
}

// label returns the repository's label called name, creating it when a
// test labelled an issue directly (as a person would in Gitea's UI, which
// creates the label on the way).
func (s *Server) label(project, name string) label {
	s.mu.Lock()
	defer s.mu.Unlock()
	key := strings.ToLower(project)
	for _, l := range s.labels[key] {
		if l.Name == name {
			return l
		}
	}
	s.nextID++
	l := label{ID: s.nextID, Name: name, Color: "#ededed"}
	s.labels[key] = append(s.labels[key], l)
	return l
}

// issueJSON is Gitea's Issue object.
func (s *Server) issueJSON(is forgetest.Issue) map[string]any {
	owner, repo, _ := strings.Cut(is.Project, "/")
	labels := []map[string]any{}
	for _, name := range is.Labels {
		l := s.label(is.Project, name)
		labels = append(labels, map[string]any{"id": l.ID, "name": l.Name, "color": strings.TrimPrefix(l.Color, "#"),
			"description": "", "exclusive": false, "is_archived": false, "url": ""})
	}
	assignees := []map[string]any{}
	for _, a := range is.Assignees {
		assignees = append(assignees, s.userJSON(a))
	}
	var assignee, closedAt, due any
	if len(assignees) > 0 {
		assignee = assignees[0]
	}
	if is.State == "closed" {
		closedAt = is.Updated
	}
	if is.DueDate != "" {
		due = is.DueDate + "T23:59:59Z"
	}
	n := strconv.FormatInt(is.Number, 10)
	return map[string]any{"id": is.ID, "url": s.URL + "/api/v1/repos/" + is.Project + "/issues/" + n,
		"html_url": s.URL + "/" + is.Project + "/issues/" + n, "number": is.Number, "user": s.userJSON(Login),
		"original_author": "", "original_author_id": 0, "title": is.Title, "body": is.Body, "ref": "", "assets": []any{},
		"labels": labels, "milestone": nil, "assignee": assignee, "assignees": assignees, "state": is.State,
		"is_locked": false, "comments": len(is.Comments), "created_at": is.Created, "updated_at": is.Updated,
		"closed_at": closedAt, "due_date": due, "pull_request": nil, "pin_order": 0,
		"repository": map[string]any{"id": 11, "name": repo, "owner": owner, "full_name": is.Project}}
}

// comments lists an issue's comments, paged by page and limit (50 by
// default).
func (s *Server) comments(w http.ResponseWriter, r *http.Request) {
	n, _ := strconv.ParseInt(r.PathValue("index"), 10, 64)
	is, ok := s.Get(project(r), n)
	if !ok {
		s.writeError(w, http.StatusNotFound, "")
		return
	}
	from, to, _ := forgetest.Page(w, r, len(is.Comments), 50)
	out := make([]map[string]any, 0, to-from)
	for i := from; i < to; i++ {
		out = append(out, map[string]any{"id": 501 + i, "body": is.Comments[i], "issue_url": s.URL + "/" + is.Project + "/issues/" + strconv.FormatInt(is.Number, 10)})
	}
	forgetest.WriteJSON(w, http.StatusOK, out)
}

// page is an issue's html_url: a small HTML page of it.
func (s *Server) page(w http.ResponseWriter, r *http.Request) {
	n, _ := strconv.ParseInt(r.PathValue("index"), 10, 64)
	is, ok := s.Get(project(r), n)
	p := forgetest.IssuePage{Tracker: "Gitea", Key: project(r) + "#" + r.PathValue("index"), Missing: !ok}
	if ok {
		p.Key, p.Title, p.State, p.Labels, p.Assignees = is.Project+"#"+strconv.FormatInt(is.Number, 10), is.Title, is.State,
			is.Labels, is.Assignees
		p.Body, p.Comments = is.Body, is.Comments
	}
	forgetest.WritePage(w, p)
}

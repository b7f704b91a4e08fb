// Package jiratest runs an in-process Jira that speaks both REST shapes
// VendorSync uses: Cloud (v3: ADF, basic auth with email + API token,
// /rest/api/3/search/jql with nextPageToken) and Server/Data Center (v2:
// wiki markup, bearer personal access token, /rest/api/2/search with
// startAt). It keeps issues and comments in memory, validates request
// bodies the way Jira does (answering with Jira's error JSON), understands
// exactly the JQL the client sends, and lets tests inject faults per route,
// add latency, change statuses and count requests. Tests of any package may
// use it; so does the demo (serve --demo), as its built-in Jira Cloud.
// GET /browse/{key} shows an issue as a small HTML page, so issue links
// open somewhere.
package jiratest

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/vendorsync/vendorsync/internal/tracker/forge/forgetest"
)

// Owner is what runs a server: a test (any testing.TB) or the demo. The
// server closes when the owner cleans up; Fatalf reports a misuse of the
// server's helpers (SetStatus of an issue it lacks, say).
type Owner interface {
	Helper()
	Cleanup(func())
	Fatalf(format string, args ...any)
}

// The credentials the server accepts.
const (
	Email    = "vendorsync@example.com"
	APIToken = "cloud-api-token"
	PAT      = "server-personal-access-token"
)

// Route names an endpoint group, for faults and request counts; each covers
// the v3 and the v2 path.
type Route string

// The routes the server answers.
const (
	RouteCreate  Route = "create"  // POST /rest/api/{3,2}/issue
	RouteSearch  Route = "search"  // POST /rest/api/3/search/jql, /rest/api/2/search
	RouteComment Route = "comment" // POST /rest/api/{3,2}/issue/{key}/comment
	// RouteComments is GET /rest/api/{3,2}/issue/{key}/comment.
	RouteComments Route = "comments"
	// RouteIssue is GET /rest/api/{3,2}/issue/{key}.
	RouteIssue  Route = "issue"
	RouteMyself Route = "myself" // GET /rest/api/{3,2}/myself
	// RouteUserSearch is GET /rest/api/3/user/search?query= and
	// /rest/api/2/user/search?username=.
	RouteUserSearch Route = "user_search"
	// RouteEdit is PUT /rest/api/{3,2}/issue/{key}.
	RouteEdit Route = "edit"
	// RouteTransitions is GET and POST /rest/api/{3,2}/issue/{key}/transitions.
	RouteTransitions Route = "transitions"
)

// Request is one request the server received.
type Request struct {
	Route  Route
	Method string
	Path   string
	Body   []byte
}

// Server is the fake Jira. Its methods are safe for concurrent use.
type Server struct {
	// URL is the base URL to configure the client with.
	URL string

	tb Owner
	mu sync.Mutex
	// settings
	latency  time.Duration
	pageSize int
	indexLag time.Duration
	clock    func() time.Time
	// zone is the API account's time zone, in which JQL reads dates.
	zone *time.Location
	// state
	projects map[string]*project
	issues   map[string]*Issue // by key
	movedTo  map[string]string // a moved issue's earlier keys → its key
	users    []User
	closedTo map[string]bool // status categories no transition leads to
	nextID   int
	faults   map[Route][]*Fault
	counts   map[Route]int
	received []Request
}

// New starts a server on 127.0.0.1 that closes when its owner (the test)
// ends. It has projects PAY and OPS with issue types Task, Bug and Story.
func New(tb Owner) *Server {
	tb.Helper()
	s, err := NewAt(tb, "")
	if err != nil {
		tb.Fatalf("jiratest: %v", err)
	}
	return s
}

// NewAt starts a server as New does, listening on addr ("" for a free
// port of 127.0.0.1); an error when addr is taken.
func NewAt(tb Owner, addr string) (*Server, error) {
	tb.Helper()
	s := &Server{
		tb:       tb,
		pageSize: 100,
		projects: map[string]*project{},
		issues:   map[string]*Issue{},
		movedTo:  map[string]string{},
		nextID:   10000,
		faults:   map[Route][]*Fault{},
		counts:   map[Route]int{},
		users:    defaultUsers(),
		zone:     defaultZone(tb),
	}
	s.AddProject("PAY", "Task", "Bug", "Story")
	s.AddProject("OPS", "Task", "Bug", "Story")
	mux := http.NewServeMux()
	for _, v := range []string{"2", "3"} {
		api := "/rest/api/" + v
		mux.HandleFunc("POST "+api+"/issue", s.handle(RouteCreate, v, s.create))
		mux.HandleFunc("POST "+api+"/issue/{key}/comment", s.handle(RouteComment, v, s.comment))
		mux.HandleFunc("GET "+api+"/issue/{key}/comment", s.handle(RouteComments, v, s.comments))
		mux.HandleFunc("GET "+api+"/issue/{key}", s.handle(RouteIssue, v, s.getIssue))
		mux.HandleFunc("PUT "+api+"/issue/{key}", s.handle(RouteEdit, v, s.edit))
		mux.HandleFunc("GET "+api+"/issue/{key}/transitions", s.handle(RouteTransitions, v, s.transitions))
		mux.HandleFunc("POST "+api+"/issue/{key}/transitions", s.handle(RouteTransitions, v, s.transition))
		mux.HandleFunc("GET "+api+"/myself", s.handle(RouteMyself, v, s.myself))
		mux.HandleFunc("GET "+api+"/user/search", s.handle(RouteUserSearch, v, s.userSearch))
	}
	mux.HandleFunc("POST /rest/api/3/search/jql", s.handle(RouteSearch, "3", s.search))
	mux.HandleFunc("POST /rest/api/2/search", s.handle(RouteSearch, "2", s.search))
	mux.HandleFunc("/rest/api/3/search", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusGone, errorBody("The requested API has been removed. Please migrate to the /rest/api/3/search/jql API."))
	})
	mux.HandleFunc("GET /browse/{key}", s.browse)
	mux.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusNotFound, errorBody("null for uri"))
	})
	url, err := forgetest.Serve(tb, addr, mux)
	if err != nil {
		return nil, err
	}
	s.URL = url
	return s, nil
}

// SetLatency delays every answer by d (a benchmark uses 20 ms).
func (s *Server) SetLatency(d time.Duration) { s.mu.Lock(); s.latency = d; s.mu.Unlock() }

// SetPageSize caps maxResults, so tests can force paging (default 100).
func (s *Server) SetPageSize(n int) { s.mu.Lock(); s.pageSize = max(1, n); s.mu.Unlock() }

// SetIndexLag hides issues younger than d from searches by anything but
// their keys (a label search), as Jira Cloud's search index does for a
// while after a create; a search by key finds them at once.
func (s *Server) SetIndexLag(d time.Duration) { s.mu.Lock(); s.indexLag = d; s.mu.Unlock() }

// SetClock makes the server date issues and age them for SetIndexLag by
// now instead of the wall clock, so a test that moves its own clock moves
// the index with it.
func (s *Server) SetClock(now func() time.Time) { s.mu.Lock(); s.clock = now; s.mu.Unlock() }

// DefaultTimeZone is the API account's time zone unless SetTimeZone
// changes it: west of UTC, so a client that writes JQL dates in UTC asks
// for a time hours later than it meant and misses changes.
const DefaultTimeZone = "America/Los_Angeles"

func defaultZone(tb Owner) *time.Location {
	tb.Helper()
	z, err := time.LoadLocation(DefaultTimeZone)
	if err != nil {
		tb.Fatalf("jiratest: %v", err)
		return time.UTC // an owner whose Fatalf returns
	}
	return z
}

// SetTimeZone sets the API account's time zone (GET /myself timeZone), in
// which JQL date literals are read, as Jira reads them in the searching
// user's zone.
func (s *Server) SetTimeZone(z *time.Location) { s.mu.Lock(); s.zone = z; s.mu.Unlock() }

// now is the server's clock; s.mu must be held.
func (s *Server) now() time.Time {
	if s.clock != nil {
		return s.clock()
	}
	return time.Now()
}

// Requests returns how many requests reached route, faulted ones included.
func (s *Server) Requests(route Route) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.counts[route]
}

// Received returns every request so far, in arrival order.
func (s *Server) Received() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.received...)
}

// reply is what a route handler answers.
type reply struct {
	status int
	body   any
}

// call is one request as a route handler sees it.
type call struct {
	version string // "3" (Cloud) or "2" (Server)
	body    []byte
	r       *http.Request
}

// handle wraps a route handler with counting, latency, faults and auth.
func (s *Server) handle(route Route, version string, h func(call) reply) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			writeJSON(w, http.StatusBadRequest, errorBody("cannot read request body"))
			return
		}
		s.mu.Lock()
		s.counts[route]++
		s.received = append(s.received, Request{Route: route, Method: r.Method, Path: r.URL.Path, Body: body})
		fault := s.takeFault(route)
		latency := s.latency
		s.mu.Unlock()
		if !sleep(r, latency) {
			return
		}
		if fault != nil && fault.Status != 0 {
			writeFault(w, fault)
			return
		}
		if !authorized(r, version) {
			w.Header().Set("WWW-Authenticate", `Basic realm="protected-area"`)
			writeJSON(w, http.StatusUnauthorized, errorBody("You are not authenticated. Authentication required to perform this operation."))
			return
		}
		rep := h(call{version: version, body: body, r: r})
		if fault != nil && afterCommit(w, r, fault) {
			return
		}
		writeJSON(w, rep.status, rep.body)
	}
}

// authorized checks the flavor's credentials: basic (email + API token) on
// v3, bearer personal access token on v2.
func authorized(r *http.Request, version string) bool {
	if version == "3" {
		user, pass, ok := r.BasicAuth()
		return ok && user == Email && pass == APIToken
	}
	return r.Header.Get("Authorization") == "Bearer "+PAT
}

// sleep waits d or until the client hangs up; false when it hung up.
func sleep(r *http.Request, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
		return false
	}
}

// errorBody is Jira's error JSON with general messages.
func errorBody(msgs ...string) map[string]any {
	return map[string]any{"errorMessages": msgs, "errors": map[string]string{}}
}

// fieldErrors is Jira's error JSON with field errors.
func fieldErrors(errs map[string]string) map[string]any {
	return map[string]any{"errorMessages": []string{}, "errors": errs}
}

func writeJSON(w http.ResponseWriter, status int, body any) {
	if status == http.StatusNoContent {
		w.WriteHeader(status)
		return
	}
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.WriteHeader(status)
	// The client reads what arrives; a write error means it hung up.
	_ = json.NewEncoder(w).Encode(body)
}

// pageToken and parseToken make opaque nextPageToken values bound to a JQL.
func pageToken(jql string, offset int) string {
	data, _ := json.Marshal(struct {
		J string `json:"j"`
		O int    `json:"o"`
	}{jql, offset}) // marshalling a string and an int cannot fail
	return base64.RawURLEncoding.EncodeToString(data)
}

func parseToken(jql, token string) (int, bool) {
	data, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil {
		return 0, false
	}
	var t struct {
		J string `json:"j"`
		O int    `json:"o"`
	}
	if json.Unmarshal(data, &t) != nil || t.J != jql || t.O < 0 {
		return 0, false
	}
	return t.O, true
}

// Package pagerdutytest is an in-process PagerDuty Events API v2 for
// tests: POST /v2/enqueue, each event validated as the API reference
// describes it, 202 with the dedup key, 400 with the documented error body,
// and fault injection (429 with Retry-After, 5xx).
package pagerdutytest

import (
	"embed"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"
)

//go:embed testdata
var testdata embed.FS

// Fault may answer a request in place of the server; it returns false to
// let the request through.
type Fault func(w http.ResponseWriter) bool

// Server is the fake Events API.
type Server struct {
	t      testing.TB
	srv    *httptest.Server
	mu     sync.Mutex
	events []map[string]any
	bodies [][]byte
	fault  Fault
}

// New starts a server on 127.0.0.1, closed when the test ends.
func New(t testing.TB) *Server {
	t.Helper()
	s := &Server{t: t}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.srv.Close)
	return s
}

// URL is the base URL to configure the client with.
func (s *Server) URL() string { return s.srv.URL }

// HTTPClient is a client for the server.
func (s *Server) HTTPClient() *http.Client { return s.srv.Client() }

// Close stops the server: later requests fail as if PagerDuty were
// unreachable.
func (s *Server) Close() { s.srv.Close() }

// SetFault installs f (nil removes it).
func (s *Server) SetFault(f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fault = f
}

// Events returns the accepted events, decoded.
func (s *Server) Events() []map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]map[string]any(nil), s.events...)
}

// Bodies returns the accepted events' bodies as they arrived.
func (s *Server) Bodies() [][]byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([][]byte(nil), s.bodies...)
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/v2/enqueue" {
		http.NotFound(w, r)
		return
	}
	s.mu.Lock()
	fault := s.fault
	s.mu.Unlock()
	if fault != nil && fault(w) {
		return
	}
	body, err := io.ReadAll(r.Body)
	var ev map[string]any
	if err == nil {
		err = json.Unmarshal(body, &ev)
	}
	if err != nil || r.Header.Get("Content-Type") != "application/json" {
		s.reply(w, http.StatusBadRequest, "enqueue_400.json", nil)
		return
	}
	if problems := Validate(ev); len(problems) > 0 {
		s.reply(w, http.StatusBadRequest, "enqueue_400.json", func(v map[string]any) { v["errors"] = problems })
		return
	}
	s.mu.Lock()
	s.events = append(s.events, ev)
	s.bodies = append(s.bodies, body)
	s.mu.Unlock()
	s.reply(w, http.StatusAccepted, "enqueue_202.json", func(v map[string]any) { v["dedup_key"] = ev["dedup_key"] })
}

// Validate checks an event against the Events API v2 reference and returns
// its problems, worded like PagerDuty's.
func Validate(ev map[string]any) []string {
	var problems []string
	str := func(m map[string]any, k string) string { s, _ := m[k].(string); return s }
	if len(str(ev, "routing_key")) != 32 {
		problems = append(problems, "Length of 'routing_key' is incorrect (should be 32 characters)")
	}
	if !slices.Contains([]string{"trigger", "acknowledge", "resolve"}, str(ev, "event_action")) {
		problems = append(problems, "'event_action' is invalid")
	}
	if len(str(ev, "dedup_key")) > 255 {
		problems = append(problems, "'dedup_key' is too long")
	}
	p, ok := ev["payload"].(map[string]any)
	if !ok {
		return append(problems, "'payload' is missing")
	}
	if s := str(p, "summary"); s == "" || len(s) > 1024 {
		problems = append(problems, "'payload.summary' is missing or too long")
	}
	if str(p, "source") == "" {
		problems = append(problems, "'payload.source' is missing")
	}
	if !slices.Contains([]string{"critical", "error", "warning", "info"}, str(p, "severity")) {
		problems = append(problems, "'payload.severity' is invalid")
	}
	if ts := str(p, "timestamp"); ts != "" {
		if _, err := time.Parse(time.RFC3339, ts); err != nil {
			problems = append(problems, "'payload.timestamp' is not ISO 8601")
		}
	}
	if links, ok := ev["links"].([]any); ok {
		for _, l := range links {
			if lm, _ := l.(map[string]any); str(lm, "href") == "" {
				problems = append(problems, "'links[].href' is missing")
			}
		}
	}
	return problems
}

func (s *Server) reply(w http.ResponseWriter, status int, file string, edit func(map[string]any)) {
	b, err := testdata.ReadFile("testdata/" + file)
	var v map[string]any
	if err == nil {
		err = json.Unmarshal(b, &v)
	}
	if err != nil {
		s.t.Errorf("pagerdutytest: %s: %v", file, err)
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	if edit != nil {
		edit(v)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	if err := json.NewEncoder(w).Encode(v); err != nil {
		s.t.Errorf("pagerdutytest: write answer: %v", err)
	}
}

// Status answers every request with an HTTP status and headers, as the
// API does when rate limiting (429) or failing (5xx).
func Status(code int, header map[string]string) Fault {
	return func(w http.ResponseWriter) bool {
		for k, v := range header {
			w.Header().Set(k, v)
		}
		w.WriteHeader(code)
		return true
	}
}

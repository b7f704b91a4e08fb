// Package slacktest is an in-process Slack Web API for tests: form-encoded
// POSTs to /api/<method>, JSON answers with "ok" and "error" as Slack
// documents them, and fault injection (rate limits, outages, error codes).
// It knows chat.postMessage, conversations.open and users.lookupByEmail.
package slacktest

import (
	"embed"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// Token is the only bot token the server accepts; any other answers
// invalid_auth.
const Token = "xoxb-test-token"

// TS is the message timestamp every post is given (from Slack's example).
const TS = "1503435956.000247"

//go:embed testdata
var testdata embed.FS

// Call is one Web API request the server received.
type Call struct {
	Method string
	Form   map[string]string
}

// Fault may answer a call in place of the server; it returns false to let
// the call through.
type Fault func(w http.ResponseWriter, method string) bool

// Server is the fake Web API. Its channels are #payments-changes
// (C0PAYMENTS), #war-room (C0WARROOM) and #vendor-triage (C0TRIAGE); its one
// user with an email is spengler@ghostbusters.example.com (W012A3CDE). Any
// user id can be sent a DM, in channel "D" + the id.
type Server struct {
	t        testing.TB
	srv      *httptest.Server
	channels map[string]string // channel name or id → id
	users    map[string]string // email → user id

	mu    sync.Mutex
	calls []Call
	fault Fault
}

// New starts a server on 127.0.0.1, closed when the test ends.
func New(t testing.TB) *Server {
	t.Helper()
	s := &Server{t: t, channels: map[string]string{},
		users: map[string]string{"spengler@ghostbusters.example.com": "W012A3CDE"},
	}
	for name, id := range map[string]string{"#payments-changes": "C0PAYMENTS", "#war-room": "C0WARROOM", "#vendor-triage": "C0TRIAGE"} {
		s.channels[name], s.channels[id] = id, id
	}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.srv.Close)
	return s
}

// APIURL is the base URL to configure the client with.
func (s *Server) APIURL() string { return s.srv.URL + "/api/" }

// HTTPClient is a client for the server.
func (s *Server) HTTPClient() *http.Client { return s.srv.Client() }

// Close stops the server: later calls fail as if Slack were unreachable.
func (s *Server) Close() { s.srv.Close() }

// SetFault installs f (nil removes it).
func (s *Server) SetFault(f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fault = f
}

// Calls returns the calls received so far.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Call(nil), s.calls...)
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	method, ok := strings.CutPrefix(r.URL.Path, "/api/")
	if !ok || r.Method != http.MethodPost {
		http.NotFound(w, r)
		return
	}
	if err := r.ParseForm(); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	c := Call{Method: method, Form: map[string]string{}}
	for k := range r.PostForm {
		c.Form[k] = r.PostForm.Get(k)
	}
	s.mu.Lock()
	s.calls = append(s.calls, c)
	fault := s.fault
	s.mu.Unlock()

	token := r.PostForm.Get("token")
	if h, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
		token = h
	}
	switch {
	case token != Token:
		Error(w, "invalid_auth")
	case fault != nil && fault(w, method):
	case method == "chat.postMessage":
		s.postMessage(w, r)
	case method == "conversations.open":
		user := r.PostForm.Get("users")
		if user == "" || strings.Contains(user, ",") {
			Error(w, "user_not_found")
			return
		}
		s.answer(w, "conversations.open.json", func(v map[string]any) { v["channel"].(map[string]any)["id"] = "D" + user })
	case method == "users.lookupByEmail":
		id, ok := s.users[r.PostForm.Get("email")]
		if !ok {
			Error(w, "users_not_found")
			return
		}
		s.answer(w, "users.lookupByEmail.json", func(v map[string]any) { v["user"].(map[string]any)["id"] = id })
	default:
		Error(w, "unknown_method")
	}
}

func (s *Server) postMessage(w http.ResponseWriter, r *http.Request) {
	ch := r.PostForm.Get("channel")
	id, ok := s.channels[ch]
	if strings.HasPrefix(ch, "D") {
		id, ok = ch, true // a DM channel conversations.open returned
	}
	if !ok {
		Error(w, "channel_not_found")
		return
	}
	var blocks []map[string]any
	if err := json.Unmarshal([]byte(r.PostForm.Get("blocks")), &blocks); err != nil || len(blocks) == 0 {
		Error(w, "invalid_blocks")
		return
	}
	if r.PostForm.Get("text") == "" {
		Error(w, "no_text")
		return
	}
	s.answer(w, "chat.postMessage.json", func(v map[string]any) { v["channel"], v["ts"] = id, TS })
}

// answer writes a documented example answer from testdata, edited by edit.
func (s *Server) answer(w http.ResponseWriter, file string, edit func(map[string]any)) {
	b, err := testdata.ReadFile("testdata/" + file)
	var v map[string]any
	if err == nil {
		err = json.Unmarshal(b, &v)
	}
	if err != nil {
		s.t.Errorf("slacktest: %s: %v", file, err)
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	edit(v)
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	if err := json.NewEncoder(w).Encode(v); err != nil {
		s.t.Errorf("slacktest: write answer: %v", err)
	}
}

// Error answers as the Web API does when a call fails: HTTP 200 with
// "ok": false and an error code. Use it in a Fault.
func Error(w http.ResponseWriter, code string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	// A write error means the client went away; it sees a broken answer,
	// which is what the test is then about anyway.
	_ = json.NewEncoder(w).Encode(map[string]any{"ok": false, "error": code})
}

// Status answers every call with an HTTP status and headers, as Slack
// does when rate limiting (429 with Retry-After) or down (5xx).
func Status(code int, header map[string]string, body string) Fault {
	return func(w http.ResponseWriter, _ string) bool {
		for k, v := range header {
			w.Header().Set(k, v)
		}
		w.WriteHeader(code)
		_, _ = w.Write([]byte(body)) // see Error
		return true
	}
}

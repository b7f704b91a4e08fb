// Package llmtest runs in-process HTTP servers that answer like an LLM
// provider, from scripted replies, and record what they were sent. Tests of
// llm providers and of triage use it; it is never linked into the binary.
package llmtest

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
)

// Reply is one scripted HTTP answer.
type Reply struct {
	Status int // 200 when zero
	Header map[string]string
	Body   string
}

// Request is what the server received.
type Request struct {
	Method string
	Path   string
	Query  url.Values
	Header http.Header
	Body   []byte
}

// JSON decodes the request body into a generic map.
func (r Request) JSON(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.Body, &m); err != nil {
		t.Fatalf("request body is not JSON: %v\n%s", err, r.Body)
	}
	return m
}

// Server answers each request with the next scripted reply (or with the
// function Handle when set), repeating the last reply once the script ends.
type Server struct {
	URL string
	// Handle, when set, computes the reply from the request and its index
	// instead of the script.
	Handle func(i int, r Request) Reply

	mu       sync.Mutex
	script   []Reply
	requests []Request
}

// NewServer starts a server on 127.0.0.1 that is closed when the test ends.
func NewServer(t testing.TB, script ...Reply) *Server {
	t.Helper()
	s := &Server{script: script}
	hs := httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(hs.Close)
	s.URL = hs.URL
	return s
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	req := Request{Method: r.Method, Path: r.URL.Path, Query: r.URL.Query(), Header: r.Header.Clone(), Body: body}
	s.mu.Lock()
	i := len(s.requests)
	s.requests = append(s.requests, req)
	var rep Reply
	switch {
	case s.Handle != nil:
		s.mu.Unlock()
		rep = s.Handle(i, req)
		s.mu.Lock()
	case i < len(s.script):
		rep = s.script[i]
	case len(s.script) > 0:
		rep = s.script[len(s.script)-1]
	default:
		rep = Reply{Status: http.StatusNotImplemented, Body: `{"error":"no scripted reply"}`}
	}
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	for k, v := range rep.Header {
		w.Header().Set(k, v)
	}
	status := rep.Status
	if status == 0 {
		status = http.StatusOK
	}
	w.WriteHeader(status)
	// A write error means the client went away; the test sees that itself.
	_, _ = io.WriteString(w, rep.Body)
}

// Requests returns what the server has received so far.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// Count is the number of requests received.
func (s *Server) Count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.requests)
}

package jiratest

import (
	"net/http"
	"time"
)

// Fault is a scripted misbehaviour for the next requests to a route.
// Either Status is set (the request is answered with it and not handled),
// or Stall or Drop (the request is handled, so a create or a comment is
// committed, and then the answer is late or never comes). The zero Fault
// lets its request through untouched, to aim a later fault in the queue.
type Fault struct {
	// Status answers with this HTTP status and a Jira-shaped body.
	Status int
	// RetryAfter is sent as the Retry-After header with Status.
	RetryAfter string
	// Header is sent with Status: Jira Cloud's X-RateLimit-Reset,
	// RateLimit-Reason, say.
	Header http.Header
	// Times is how many consecutive requests get the fault; 1 when zero.
	Times int
	// Stall holds the answer this long after handling the request, or
	// until the client hangs up.
	Stall time.Duration
	// Drop closes the connection after handling, without an answer.
	Drop bool
}

// StatusFault answers the next times requests with status.
func StatusFault(status, times int) Fault { return Fault{Status: status, Times: times} }

// RateLimit answers the next times requests with 429 and Retry-After.
func RateLimit(retryAfter string, times int) Fault {
	return Fault{Status: http.StatusTooManyRequests, RetryAfter: retryAfter, Times: times}
}

// TimeoutAfterCommit handles the next request, then stalls its answer for
// d: longer than the client's timeout makes a committed create look failed.
func TimeoutAfterCommit(d time.Duration) Fault { return Fault{Stall: d} }

// DropAfterCommit handles the next request, then closes the connection.
func DropAfterCommit() Fault { return Fault{Drop: true} }

// Inject queues f for route; faults queued for a route apply in order.
func (s *Server) Inject(route Route, f Fault) {
	if f.Times <= 0 {
		f.Times = 1
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults[route] = append(s.faults[route], &f)
}

// takeFault pops one use of route's first fault; s.mu must be held.
func (s *Server) takeFault(route Route) *Fault {
	q := s.faults[route]
	if len(q) == 0 {
		return nil
	}
	f := *q[0]
	q[0].Times--
	if q[0].Times == 0 {
		s.faults[route] = q[1:]
	}
	return &f
}

// writeFault answers with a fault's status in the shape Jira uses for it.
func writeFault(w http.ResponseWriter, f *Fault) {
	if f.RetryAfter != "" {
		w.Header().Set("Retry-After", f.RetryAfter)
	}
	for k, v := range f.Header {
		w.Header()[k] = v
	}
	switch {
	case f.Status >= 500:
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(f.Status)
		// A write error means the client hung up; nothing to do.
		_, _ = w.Write([]byte("<html><body><h1>" + http.StatusText(f.Status) + "</h1></body></html>"))
	case f.Status == http.StatusTooManyRequests:
		writeJSON(w, f.Status, errorBody("Rate limit exceeded."))
	case f.Status == http.StatusUnauthorized:
		w.Header().Set("WWW-Authenticate", `Basic realm="protected-area"`)
		writeJSON(w, f.Status, errorBody("You are not authenticated. Authentication required to perform this operation."))
	case f.Status == http.StatusForbidden:
		writeJSON(w, f.Status, errorBody("You do not have permission to perform this operation."))
	case f.Status == http.StatusNotFound:
		writeJSON(w, f.Status, errorBody("Issue does not exist or you do not have permission to see it."))
	default:
		writeJSON(w, f.Status, fieldErrors(map[string]string{"summary": "Injected fault: field rejected."}))
	}
}

// afterCommit applies a Stall or Drop fault once the request was handled;
// it reports whether the answer was taken care of.
func afterCommit(w http.ResponseWriter, r *http.Request, f *Fault) bool {
	switch {
	case f.Drop:
		hj, ok := w.(http.Hijacker)
		if !ok {
			panic("jiratest: connection cannot be hijacked")
		}
		conn, _, err := hj.Hijack()
		if err != nil {
			panic("jiratest: hijack: " + err.Error())
		}
		// Closing without a word is the fault; a close error changes nothing.
		_ = conn.Close()
		return true
	case f.Stall > 0:
		sleep(r, f.Stall)
		return false // answer late; the client may be gone
	}
	return false
}

// ClearFaults drops every fault not used yet.
func (s *Server) ClearFaults() { s.mu.Lock(); s.faults = map[Route][]*Fault{}; s.mu.Unlock() }

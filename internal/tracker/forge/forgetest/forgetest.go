// Package forgetest is what the in-process fakes of GitHub, GitLab and
// Gitea (githubtest, gitlabtest, giteatest) share: the issues a fake
// repository holds, scripted faults per route, and request counts. Each
// fake speaks its forge's own REST shapes on top of it.
package forgetest

import (
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"time"
)

// Owner is what runs a fake: a test (any testing.TB) or the demo. The
// fake closes when its owner cleans up.
type Owner interface {
	Helper()
	Cleanup(func())
}

// Route names a kind of request the fakes count and can fail.
type Route string

// The routes of every fake.
const (
	RouteCreate  Route = "create"
	RouteSearch  Route = "search" // list issues by label or since, and get one
	RouteComment Route = "comment"
	// RouteComments lists an issue's comments.
	RouteComments Route = "comments"
	RouteUser     Route = "user"
	RouteLabel    Route = "label"
	RouteEdit     Route = "edit"
)

// Issue is an issue as a fake repository stores it.
type Issue struct {
	ID          int64
	Number      int64
	Project     string
	Title       string
	Body        string
	State       string // open or closed
	StateReason string // GitHub's completed / not_planned
	Labels      []string
	Assignees   []string
	DueDate     string
	Created     time.Time
	Updated     time.Time
	Comments    []string
}

// Fault is a scripted misbehaviour for the next requests to a route:
// Status answers with that status (nothing is handled), Stall or Drop
// handle the request (a create is committed) and then answer late or never.
type Fault struct {
	Status     int
	RetryAfter string
	// Header is sent with Status (GitHub's X-RateLimit-Remaining: 0, say).
	Header http.Header
	Times  int
	Stall  time.Duration
	Drop   bool
	// After lets that many requests through before the fault applies (a
	// failure on the second page of a listing, say).
	After int
}

// StatusFault answers the next times requests with status.
func StatusFault(status, times int) Fault { return Fault{Status: status, Times: times} }

// RateLimit answers the next times requests with 429 and Retry-After.
func RateLimit(retryAfter string, times int) Fault {
	return Fault{Status: http.StatusTooManyRequests, RetryAfter: retryAfter, Times: times}
}

// TimeoutAfterCommit handles the next request, then stalls its answer for d.
func TimeoutAfterCommit(d time.Duration) Fault { return Fault{Stall: d} }

// DropAfterCommit handles the next request, then closes the connection.
func DropAfterCommit() Fault { return Fault{Drop: true} }

// Core is the state of one fake forge. Safe for concurrent use.
type Core struct {
	// ErrorBody writes a fault's answer in the forge's error shape.
	ErrorBody func(w http.ResponseWriter, status int, message string)

	mu       sync.Mutex
	issues   []*Issue
	hooks    []*Hook
	noHooks  bool
	nextID   int64
	faults   map[Route][]*Fault
	requests map[Route]int
	latency  time.Duration
}

// NewCore returns an empty forge.
func NewCore(errorBody func(w http.ResponseWriter, status int, message string)) *Core {
	return &Core{ErrorBody: errorBody, faults: map[Route][]*Fault{}, requests: map[Route]int{}}
}

// Inject queues f for route; faults queued for a route apply in order.
func (c *Core) Inject(route Route, f Fault) {
	if f.Times <= 0 {
		f.Times = 1
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.faults[route] = append(c.faults[route], &f)
}

// SetLatency delays every answer by d.
func (c *Core) SetLatency(d time.Duration) { c.mu.Lock(); c.latency = d; c.mu.Unlock() }

// Requests counts the requests that reached route.
func (c *Core) Requests(route Route) int { c.mu.Lock(); defer c.mu.Unlock(); return c.requests[route] }

// Issues returns a copy of every issue, oldest first.
func (c *Core) Issues() []Issue {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]Issue, len(c.issues))
	for i, is := range c.issues {
		out[i] = clone(is)
	}
	return out
}

func clone(is *Issue) Issue {
	c := *is
	c.Labels, c.Assignees, c.Comments = slices.Clone(is.Labels), slices.Clone(is.Assignees), slices.Clone(is.Comments)
	return c
}

// Create stores a new issue in project, numbered after the project's last.
func (c *Core) Create(is Issue) Issue {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.nextID++
	is.ID = 1000 + c.nextID
	for _, o := range c.issues {
		if o.Project == is.Project && o.Number >= is.Number {
			is.Number = o.Number
		}
	}
	is.Number++
	now := time.Now().UTC().Truncate(time.Second)
	is.Created, is.Updated = now, now
	if is.State == "" {
		is.State = "open"
	}
	c.issues = append(c.issues, &is)
	return clone(&is)
}

// Get returns issue n of project.
func (c *Core) Get(project string, n int64) (Issue, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, is := range c.issues {
		if strings.EqualFold(is.Project, project) && is.Number == n {
			return clone(is), true
		}
	}
	return Issue{}, false
}

// Update changes issue n of project with fn and stamps it updated.
func (c *Core) Update(project string, n int64, fn func(*Issue)) (Issue, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, is := range c.issues {
		if strings.EqualFold(is.Project, project) && is.Number == n {
			fn(is)
			is.Updated = time.Now().UTC().Truncate(time.Second).Add(time.Second)
			return clone(is), true
		}
	}
	return Issue{}, false
}

// List returns the issues of project that carry every label (compared
// case-insensitively), in the state asked ("all", "open", "closed"), updated
// at or after since when it is not zero, oldest first.
func (c *Core) List(project string, labels []string, state string, since time.Time) []Issue {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []Issue
	for _, is := range c.issues {
		if !strings.EqualFold(is.Project, project) || (state != "" && state != "all" && is.State != state) ||
			(!since.IsZero() && is.Updated.Before(since)) {
			continue
		}
		ok := true
		for _, want := range labels {
			if want = strings.TrimSpace(want); want != "" && !slices.ContainsFunc(is.Labels, func(l string) bool {
				return strings.EqualFold(l, want)
			}) {
				ok = false
			}
		}
		if ok {
			out = append(out, clone(is))
		}
	}
	return out
}

// Handle wraps a route's handler with its request count, latency and
// faults.
func (c *Core) Handle(route Route, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c.mu.Lock()
		c.requests[route]++
		f := c.takeFault(route)
		lat := c.latency
		c.mu.Unlock()
		sleep(r, lat)
		switch {
		case f == nil:
			h(w, r)
		case f.Status != 0:
			if f.RetryAfter != "" {
				w.Header().Set("Retry-After", f.RetryAfter)
			}
			for k, v := range f.Header {
				w.Header()[k] = v
			}
			c.ErrorBody(w, f.Status, faultMessage(f.Status))
		default:
			rec := httptest.NewRecorder()
			h(rec, r)
			if f.Drop {
				hj, ok := w.(http.Hijacker)
				if !ok {
					panic("forgetest: connection cannot be hijacked")
				}
				conn, _, err := hj.Hijack()
				if err != nil {
					panic("forgetest: hijack: " + err.Error())
				}
				// Closing without a word is the fault; a close error changes nothing.
				_ = conn.Close()
				return
			}
			sleep(r, f.Stall)
			for k, v := range rec.Header() {
				w.Header()[k] = v
			}
			w.WriteHeader(rec.Code)
			// A write error means the client hung up, as the stall intends.
			_, _ = w.Write(rec.Body.Bytes())
		}
	}
}

func faultMessage(status int) string {
	switch status {
	case http.StatusTooManyRequests:
		return "You have exceeded a secondary rate limit. Please wait a few minutes before you try again."
	case http.StatusUnauthorized:
		return "Bad credentials"
	case http.StatusForbidden:
		return "Resource not accessible by personal access token"
	case http.StatusNotFound:
		return "Not Found"
	}
	return http.StatusText(status)
}

// takeFault pops one use of route's first fault; c.mu must be held.
func (c *Core) takeFault(route Route) *Fault {
	q := c.faults[route]
	if len(q) == 0 {
		return nil
	}
	if q[0].After > 0 {
		q[0].After--
		return nil
	}
	f := *q[0]
	q[0].Times--
	if q[0].Times == 0 {
		c.faults[route] = q[1:]
	}
	return &f
}

// sleep waits d or until the client hangs up.
func sleep(r *http.Request, d time.Duration) {
	if d <= 0 {
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-r.Context().Done():
	}
}

// ByUpdated orders issues by their last change, oldest first (ties by id),
// as a listing sorted by update time answers.
func ByUpdated(issues []Issue) {
	slices.SortStableFunc(issues, func(a, b Issue) int {
		if c := a.Updated.Compare(b.Updated); c != 0 {
			return c
		}
		return int(a.ID - b.ID)
	})
}

// Touch sets issue n of project's last change to at, as an edit made then
// would (for listings by update time).
func (c *Core) Touch(project string, n int64, at time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, is := range c.issues {
		if strings.EqualFold(is.Project, project) && is.Number == n {
			is.Updated = at.UTC()
		}
	}
}

// ClearFaults drops every fault not used yet.
func (c *Core) ClearFaults() { c.mu.Lock(); c.faults = map[Route][]*Fault{}; c.mu.Unlock() }

// Serve answers with h on addr (host:port; "" for a free port of
// 127.0.0.1) until o cleans up, and returns the base URL. A fake that
// restarts can ask for the address it had, so links to it keep working.
func Serve(o Owner, addr string, h http.Handler) (string, error) {
	hs := httptest.NewUnstartedServer(h)
	if addr != "" {
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			hs.Listener.Close()
			return "", err
		}
		hs.Listener.Close()
		hs.Listener = ln
	}
	hs.Start()
	o.Cleanup(hs.Close)
	return hs.URL, nil
}

// Restore stores is as it was before the fake started, its project and
// number kept (the fake's own id given), for a fake brought back with the
// issues it had; Created and Updated default to now. Issues created
// later are numbered after it.
func (c *Core) Restore(is Issue) Issue {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.nextID++
	is.ID = 1000 + c.nextID
	now := time.Now().UTC().Truncate(time.Second)
	if is.Created.IsZero() {
		is.Created = now
	}
	if is.Updated.IsZero() {
		is.Updated = is.Created
	}
	if is.State == "" {
		is.State = "open"
	}
	is.Labels, is.Assignees, is.Comments = slices.Clone(is.Labels), slices.Clone(is.Assignees), slices.Clone(is.Comments)
	c.issues = append(c.issues, &is)
	return clone(&is)
}

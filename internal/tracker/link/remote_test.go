package link_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/vendorsync/vendorsync/internal/httpx"
	"github.com/vendorsync/vendorsync/internal/sqlstore"
	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
	"github.com/vendorsync/vendorsync/internal/tracker"
	"github.com/vendorsync/vendorsync/internal/tracker/forge"
	"github.com/vendorsync/vendorsync/internal/tracker/forge/forgetest"
	"github.com/vendorsync/vendorsync/internal/tracker/gitea"
	"github.com/vendorsync/vendorsync/internal/tracker/gitea/giteatest"
	"github.com/vendorsync/vendorsync/internal/tracker/github"
	"github.com/vendorsync/vendorsync/internal/tracker/github/githubtest"
	"github.com/vendorsync/vendorsync/internal/tracker/gitlab"
	"github.com/vendorsync/vendorsync/internal/tracker/gitlab/gitlabtest"
	"github.com/vendorsync/vendorsync/internal/tracker/jira"
	"github.com/vendorsync/vendorsync/internal/tracker/jira/jiratest"
	"github.com/vendorsync/vendorsync/internal/tracker/link"
)

// kinds are every connection kind the link tests run against.
var kinds = []tracker.Kind{jira.KindCloud, jira.KindServer, github.Kind, gitlab.Kind, gitea.Kind}

// testResilience keeps the clients' retries fast and unpaced.
var testResilience = httpx.Policy{RatePerSecond: -1, InitialBackoff: 5 * time.Millisecond, MaxBackoff: 20 * time.Millisecond}

// testRegistry is the program's registry with test timeouts.
func testRegistry() *tracker.Registry {
	fo := forge.Options{Timeout: 500 * time.Millisecond, Resilience: testResilience}
	return tracker.NewRegistry(append(jira.Factories(jira.Options{Timeout: 500 * time.Millisecond, Resilience: testResilience, SearchSettle: time.Minute}),
		github.Factory(fo), gitlab.Factory(fo), gitea.Factory(fo))...)
}

// route is a kind of request a remote can fail: creating an issue, or
// looking issues up (the marker search and status reads).
type route string

const (
	routeCreate route = "create"
	routeSearch route = "search"
)

// fault is a scripted misbehaviour, whatever the tracker.
type fault struct {
	status     int
	retryAfter string
	times      int
	stall      time.Duration
	drop       bool
}

func statusFault(status, times int) fault { return fault{status: status, times: times} }
func rateLimit(retryAfter string, times int) fault {
	return fault{status: 429, retryAfter: retryAfter, times: times}
}
func timeoutAfterCommit(d time.Duration) fault { return fault{stall: d} }
func dropAfterCommit() fault                   { return fault{drop: true} }

// remote is the in-process tracker a fixture is connected to.
type remote interface {
	// input is the connection an admin saves for it.
	input() link.Input
	// target is an application's project and issue type on it.
	target() (project, issueType string)
	// firstKey is the key of the first issue created in the target.
	firstKey() string
	inject(r route, f fault)
	requests(r route) int
	issueCount() int
	// issueKeys lists the keys of every issue the tracker holds.
	issueKeys() []string
	// received counts every request that reached the tracker.
	received() int
	setLatency(d time.Duration)
	// setStatus moves the issue with key as a person would in the tracker.
	setStatus(t testing.TB, key string, c tracker.StatusCategory)
	// statusName is the status name a sync reads for an issue in c.
	statusName(c tracker.StatusCategory) string
}

func newRemote(t testing.TB, k tracker.Kind) remote {
	t.Helper()
	switch k {
	case jira.KindCloud, jira.KindServer:
		fl, _ := jira.FlavorOf(k)
		return &jiraRemote{Server: jiratest.New(t), flavor: fl}
	case github.Kind:
		s := githubtest.New(t)
		return &forgeRemote{Core: s.Core, in: link.Input{Kind: k, BaseURL: s.URL, Token: githubtest.Token}}
	case gitlab.Kind:
		s := gitlabtest.New(t)
		return &forgeRemote{Core: s.Core, in: link.Input{Kind: k, BaseURL: s.URL, Token: gitlabtest.Token}}
	case gitea.Kind:
		s := giteatest.New(t)
		return &forgeRemote{Core: s.Core, in: link.Input{Kind: k, BaseURL: s.URL, Token: giteatest.Token}}
	}
	t.Fatalf("no fake for kind %q", k)
	return nil
}

type jiraRemote struct {
	*jiratest.Server
	flavor jira.Flavor
}

func (j *jiraRemote) input() link.Input {
	in := link.Input{Kind: j.flavor.Kind(), BaseURL: j.URL, Username: jiratest.Email, Token: jiratest.APIToken}
	if j.flavor == jira.Server {
		in.Token = jiratest.PAT
	}
	return in
}
func (j *jiraRemote) target() (string, string) { return "PAY", "Task" }
func (j *jiraRemote) firstKey() string         { return "PAY-1" }
func (j *jiraRemote) issueCount() int          { return len(j.Issues()) }
func (j *jiraRemote) issueKeys() []string {
	var out []string
	for _, iss := range j.Issues() {
		out = append(out, iss.Key)
	}
	return out
}
func (j *jiraRemote) jiraRoute(r route) jiratest.Route {
	if r == routeCreate {
		return jiratest.RouteCreate
	}
	return jiratest.RouteSearch
}
func (j *jiraRemote) requests(r route) int { return j.Requests(j.jiraRoute(r)) }
func (j *jiraRemote) inject(r route, f fault) {
	j.Inject(j.jiraRoute(r), jiratest.Fault{Status: f.status, RetryAfter: f.retryAfter, Times: f.times, Stall: f.stall, Drop: f.drop})
}

// forgeRemote is a fake GitHub, GitLab or Gitea.
type forgeRemote struct {
	*forgetest.Core
	in link.Input
}

func (g *forgeRemote) input() link.Input        { return g.in }
func (g *forgeRemote) target() (string, string) { return "acme/payments", "Issue" }
func (g *forgeRemote) firstKey() string         { return "acme/payments#1" }
func (g *forgeRemote) issueCount() int          { return len(g.Issues()) }
func (g *forgeRemote) issueKeys() []string {
	var out []string
	for _, is := range g.Issues() {
		out = append(out, forge.Key(is.Project, is.Number))
	}
	return out
}
func (g *forgeRemote) requests(r route) int { return g.Requests(forgetest.Route(r)) }
func (g *forgeRemote) inject(r route, f fault) {
	g.Inject(forgetest.Route(r), forgetest.Fault{Status: f.status, RetryAfter: f.retryAfter, Times: f.times, Stall: f.stall, Drop: f.drop})
}

func (j *jiraRemote) setLatency(d time.Duration)  { j.SetLatency(d) }
func (g *forgeRemote) setLatency(d time.Duration) { g.SetLatency(d) }

var jiraStatus = map[tracker.StatusCategory]struct {
	name     string
	category string
}{
	tracker.ToDo: {"To Do", jiratest.CategoryToDo}, tracker.InProgress: {"In Review", jiratest.CategoryInProgress},
	tracker.Done: {"Done", jiratest.CategoryDone},
}

func (j *jiraRemote) setStatus(t testing.TB, key string, c tracker.StatusCategory) {
	j.SetStatus(key, jiraStatus[c].name, jiraStatus[c].category)
}
func (j *jiraRemote) statusName(c tracker.StatusCategory) string { return jiraStatus[c].name }

// setStatus closes, reopens or labels the issue "in progress", as a
// forge's users say it.
func (g *forgeRemote) setStatus(t testing.TB, key string, c tracker.StatusCategory) {
	t.Helper()
	project, n, ok := forge.ParseKey(key, true)
	if !ok {
		t.Fatalf("key %q", key)
	}
	if _, ok := g.Update(project, n, func(is *forgetest.Issue) {
		is.Labels = slices.DeleteFunc(is.Labels, func(l string) bool { return l == "in progress" })
		is.State = "open"
		switch c {
		case tracker.InProgress:
			is.Labels = append(is.Labels, "in progress")
		case tracker.Done:
			is.State = "closed"
		}
	}); !ok {
		t.Fatalf("no issue %s", key)
	}
}

func (g *forgeRemote) statusName(c tracker.StatusCategory) string {
	name, _ := forge.Status(map[bool]string{true: "closed", false: "open"}[c == tracker.Done], "",
		map[bool][]string{true: {"in progress"}}[c == tracker.InProgress])
	return name
}

// TestConnectionTestPerKind: testing a connection of each kind names the
// account, and where the tracker tells them the token's scopes, those it
// lacks, and the rate-limit budget left.
func TestConnectionTestPerKind(t *testing.T) {
	for _, kind := range kinds {
		t.Run(string(kind), func(t *testing.T) {
			storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
				f := newKindFixture(t, db, kind)
				res, err := f.svc.TestConnection(context.Background(), f.admin, "")
				if err != nil || !res.OK || res.Account == "" || len(res.MissingScopes) != 0 {
					t.Errorf("%+v %v", res, err)
				}
				tells := kind == github.Kind || kind == gitlab.Kind
				if tells && (len(res.Scopes) == 0 || res.RateLimit == nil || res.RateLimit.Remaining <= 0) {
					t.Errorf("scopes %v, budget %+v", res.Scopes, res.RateLimit)
				}
			})
		})
	}
}

func (j *jiraRemote) received() int { return len(j.Received()) }
func (g *forgeRemote) received() int {
	n := 0
	for _, r := range []forgetest.Route{forgetest.RouteCreate, forgetest.RouteSearch, forgetest.RouteComment,
		forgetest.RouteUser, forgetest.RouteLabel, forgetest.RouteEdit} {
		n += g.Requests(r)
	}
	return n
}

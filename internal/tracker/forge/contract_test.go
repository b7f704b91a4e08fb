package forge_test

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vendorsync/vendorsync/internal/httpx"
	"github.com/vendorsync/vendorsync/internal/tracker"
	"github.com/vendorsync/vendorsync/internal/tracker/forge"
	"github.com/vendorsync/vendorsync/internal/tracker/forge/forgetest"
	"github.com/vendorsync/vendorsync/internal/tracker/gitea"
	"github.com/vendorsync/vendorsync/internal/tracker/gitea/giteatest"
	"github.com/vendorsync/vendorsync/internal/tracker/github"
	"github.com/vendorsync/vendorsync/internal/tracker/github/githubtest"
	"github.com/vendorsync/vendorsync/internal/tracker/gitlab"
	"github.com/vendorsync/vendorsync/internal/tracker/gitlab/gitlabtest"
)

// fake is one forge's in-process server with what a test needs of it.
type fake struct {
	core    *forgetest.Core
	url     string
	token   string
	account string
	// dueDate says whether the forge keeps a due date on issues.
	dueDate bool
	factory tracker.Factory
}

var opts = forge.Options{Timeout: 2 * time.Second,
	Resilience: httpx.Policy{RatePerSecond: -1, InitialBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond}}

func fakes(t *testing.T) map[string]fake {
	gh, gl, gt := githubtest.New(t), gitlabtest.New(t), giteatest.New(t)
	return map[string]fake{
		"github": {gh.Core, gh.URL, githubtest.Token, githubtest.Login, false, github.Factory(opts)},
		"gitlab": {gl.Core, gl.URL, gitlabtest.Token, gitlabtest.Username, true, gitlab.Factory(opts)},
		"gitea":  {gt.Core, gt.URL, giteatest.Token, giteatest.Login, true, gitea.Factory(opts)},
	}
}

func (f fake) provider(t *testing.T, token string) tracker.Provider {
	t.Helper()
	p, err := f.factory.New(tracker.Settings{BaseURL: f.url, Token: token})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func spec(key string) tracker.IssueSpec {
	return tracker.IssueSpec{ProjectKey: "acme/payments", Summary: "Visa — URL endpoint change [VS-0042]",
		Description: tracker.Document{Title: "VENDOR CHANGE — Visa", Fields: []tracker.Field{{Name: "Vendor", Value: "Visa"}}},
		DueDate:     "2027-04-20", Assignee: "maria", Labels: []string{"vendorsync", "vendor:visa", "vendor-change"},
		IdempotencyKey: key}
}

// TestProviderContract runs each forge's provider against its fake: the
// account, creation with labels, marker, assignee and due date, the marker
// search, status read-back (open, in progress by label, closed), comments,
// and how its failures are classified.
func TestProviderContract(t *testing.T) {
	ctx := context.Background()
	key := "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b.0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5c"
	for name, f := range fakes(t) {
		t.Run(name, func(t *testing.T) {
			p := f.provider(t, f.token)
			if acc, err := p.Test(ctx); err != nil || acc != f.account {
				t.Fatalf("Test = %q, %v", acc, err)
			}
			if _, found, err := p.FindByIdempotencyKey(ctx, "acme/payments", key); err != nil || found {
				t.Fatalf("find before create: %v %v", found, err)
			}
			// An unrelated issue: a marker filter a forge drops must not match it.
			if _, err := p.CreateIssue(ctx, tracker.IssueSpec{ProjectKey: "acme/payments", Summary: "Unrelated"}); err != nil {
				t.Fatalf("create unrelated: %v", err)
			}
			if _, found, err := p.FindByIdempotencyKey(ctx, "acme/payments", key); err != nil || found {
				t.Fatalf("find with only an unrelated issue: %v %v", found, err)
			}
			iss, created, err := tracker.CreateOnce(ctx, p, spec(key), tracker.Guard{})
			if err != nil || !created || iss.Key != "acme/payments#2" || iss.URL == "" || iss.StatusCategory != tracker.Unknown {
				t.Fatalf("create: %+v %v %v", iss, created, err)
			}
			stored := f.core.Issues()[1]
			marker := forge.MarkerLabel(key)
			if len(marker) > forge.MaxLabel || !slices.Contains(stored.Labels, marker) || !slices.Contains(stored.Labels, "vendor:visa") {
				t.Errorf("labels %v, want the marker %q and the spec's", stored.Labels, marker)
			}
			if !slices.Contains(stored.Assignees, "maria") || !strings.Contains(stored.Body, "VENDOR CHANGE") {
				t.Errorf("stored issue: %+v", stored)
			}
			if f.dueDate && stored.DueDate != "2027-04-20" {
				t.Errorf("due date %q", stored.DueDate)
			}
			again, created, err := tracker.CreateOnce(ctx, p, spec(key), tracker.Guard{})
			if err != nil || created || again.Key != iss.Key {
				t.Fatalf("second CreateOnce: %+v %v %v", again, created, err)
			}

			got, err := p.Search(ctx, []string{"acme/payments#99", iss.Key, "not a key", "acme/payments#1"})
			if err != nil || len(got) != 2 || got[0].Key != iss.Key || got[0].StatusCategory != tracker.ToDo ||
				got[0].StatusName != "Open" || got[0].Updated.IsZero() {
				t.Fatalf("search: %+v %v", got, err)
			}
			setState(t, f.core, 2, "open", "in progress")
			if got, err := p.Search(ctx, []string{iss.Key}); err != nil || len(got) != 1 || got[0].StatusCategory != tracker.InProgress {
				t.Errorf("search in progress: %+v %v", got, err)
			}
			setState(t, f.core, 2, "closed", "")
			if got, err := p.Search(ctx, []string{iss.Key}); err != nil || len(got) != 1 || got[0].StatusCategory != tracker.Done {
				t.Errorf("search closed: %+v %v", got, err)
			}

			if name == "github" { // GitHub says why an issue was closed
				if _, ok := f.core.Update("acme/payments", 2, func(is *forgetest.Issue) { is.StateReason = "not_planned" }); !ok {
					t.Fatal("no issue 2")
				}
				if got, err := p.Search(ctx, []string{iss.Key}); err != nil || len(got) != 1 ||
					got[0].StatusName != "Closed (not planned)" || got[0].StatusCategory != tracker.Done {
					t.Errorf("search closed as not planned: %+v %v", got, err)
				}
			}

			if err := p.Comment(ctx, iss.Key, tracker.Document{Paragraphs: []tracker.Paragraph{{Text: "Escalated: *D-7*"}}}); err != nil {
				t.Fatal(err)
			}
			if c := f.core.Issues()[1].Comments; len(c) != 1 || !strings.Contains(c[0], `\*D-7\*`) {
				t.Errorf("comments %q, want the escaped Markdown", c)
			}
		})
	}
}

func setState(t *testing.T, c *forgetest.Core, n int64, state, label string) {
	t.Helper()
	if _, ok := c.Update("acme/payments", n, func(is *forgetest.Issue) {
		is.State = state
		if label != "" {
			is.Labels = append(is.Labels, label)
		}
	}); !ok {
		t.Fatalf("no issue %d", n)
	}
}

// TestProviderFailures: each forge's answers land in the remote-error
// taxonomy, with the waits rate limits ask for.
func TestProviderFailures(t *testing.T) {
	ctx := context.Background()
	reset := strconv.FormatInt(time.Now().Add(10*time.Minute).Unix(), 10)
	cases := []struct {
		name  string
		fault forgetest.Fault
		kind  httpx.Kind
		// wait is the least RetryAfter expected.
		wait time.Duration
	}{
		{"401", forgetest.StatusFault(http.StatusUnauthorized, 1), httpx.Auth, 0},
		{"403", forgetest.StatusFault(http.StatusForbidden, 1), httpx.Permission, 0},
		{"404", forgetest.StatusFault(http.StatusNotFound, 1), httpx.NotFound, 0},
		{"422", forgetest.StatusFault(http.StatusUnprocessableEntity, 1), httpx.BadRequest, 0},
		{"429 with a long Retry-After", forgetest.RateLimit("300", 1), httpx.RateLimited, 300 * time.Second},
		{"502 on a create is not retried", forgetest.StatusFault(http.StatusBadGateway, 1), httpx.Transient, 0},
	}
	for name, f := range fakes(t) {
		p := f.provider(t, f.token)
		for _, tc := range cases {
			t.Run(name+"/"+tc.name, func(t *testing.T) {
				f.core.Inject(forgetest.RouteCreate, tc.fault)
				_, err := p.CreateIssue(ctx, tracker.IssueSpec{ProjectKey: "acme/payments", Summary: "S"})
				if k := httpx.KindOf(err); k != tc.kind || httpx.RetryAfterOf(err) < tc.wait {
					t.Errorf("err = %v (kind %s, wait %v), want %s", err, k, httpx.RetryAfterOf(err), tc.kind)
				}
			})
		}
		t.Run(name+"/a wrong token", func(t *testing.T) {
			if _, err := f.provider(t, "wrong").Test(ctx); httpx.KindOf(err) != httpx.Auth {
				t.Errorf("err = %v, want auth", err)
			}
		})
	}
	t.Run("github/primary rate limit", func(t *testing.T) {
		f := fakes(t)["github"]
		f.core.Inject(forgetest.RouteCreate, forgetest.Fault{Status: http.StatusForbidden,
			Header: http.Header{"X-Ratelimit-Remaining": {"0"}, "X-Ratelimit-Reset": {reset}}})
		_, err := f.provider(t, f.token).CreateIssue(ctx, tracker.IssueSpec{ProjectKey: "acme/payments", Summary: "S"})
		if httpx.KindOf(err) != httpx.RateLimited || httpx.RetryAfterOf(err) < 9*time.Minute {
			t.Errorf("err = %v (wait %v), want rate_limited until the reset", err, httpx.RetryAfterOf(err))
		}
	})
}

// TestMarkerLabel: the marker fits the forges' 50 characters and is the
// same for every attempt.
func TestMarkerLabel(t *testing.T) {
	short := forge.MarkerLabel("VS-1.app")
	long := forge.MarkerLabel(strings.Repeat("a", 120))
	if short != "vsid-vs-1.app" || len(long) != forge.MaxLabel-5 || long != forge.MarkerLabel(strings.Repeat("A", 120)) {
		t.Errorf("markers %q %q", short, long)
	}
}

// TestParseKey reads keys back as Key writes them.
func TestParseKey(t *testing.T) {
	for _, tc := range []struct {
		key    string
		nested bool
		ok     bool
	}{
		{"acme/payments#12", false, true}, {"group/sub/proj#3", true, true}, {"group/sub/proj#3", false, false},
		{"acme/payments#0", false, false}, {"PAY-1", false, false}, {"acme/../x#1", false, false}, {"/x#1", false, false},
	} {
		p, n, ok := forge.ParseKey(tc.key, tc.nested)
		if ok != tc.ok || (ok && forge.Key(p, n) != tc.key) {
			t.Errorf("ParseKey(%q, %v) = %q %d %v", tc.key, tc.nested, p, n, ok)
		}
	}
}

// TestProbeMissingScopes: a classic GitHub token without repo is reported
// as lacking it, with the budget left.
func TestProbeMissingScopes(t *testing.T) {
	gh := githubtest.New(t)
	gh.SetScopes("read:org, gist")
	p, err := github.New(github.Config{BaseURL: gh.URL, Token: githubtest.Token, Options: opts})
	if err != nil {
		t.Fatal(err)
	}
	pr, err := p.Probe(context.Background())
	if err != nil || pr.Account != githubtest.Login || !slices.Equal(pr.MissingScopes, []string{"repo or public_repo"}) ||
		pr.RateLimit == nil || pr.RateLimit.Limit != githubtest.RateLimit || pr.RateLimit.Reset.IsZero() {
		t.Errorf("probe %+v %v", pr, err)
	}
}

// TestCommentOnceAfterCommitThenStall: on every forge, a comment the forge
// stored while its answer came too late is found by the retry's read of
// the issue's comments and not posted again; another reference is a new
// comment.
func TestCommentOnceAfterCommitThenStall(t *testing.T) {
	ctx := context.Background()
	body := tracker.Document{Paragraphs: []tracker.Paragraph{{Text: "Escalated: D-7 before the deadline."}}}
	for name, f := range fakes(t) {
		t.Run(name, func(t *testing.T) {
			p := f.provider(t, f.token)
			iss, err := p.CreateIssue(ctx, tracker.IssueSpec{ProjectKey: "acme/payments", Summary: "Visa change"})
			if err != nil {
				t.Fatal(err)
			}
			// Enough earlier comments to need a second page.
			for i := range 120 {
				if err := p.Comment(ctx, iss.Key, tracker.Document{Title: "Note " + strconv.Itoa(i)}); err != nil {
					t.Fatal(err)
				}
			}
			comments := func() int { t.Helper(); return len(f.core.Issues()[0].Comments) }
			f.core.Inject(forgetest.RouteComment, forgetest.TimeoutAfterCommit(5*time.Second))
			if _, err := tracker.CommentOnce(ctx, p, iss.Key, body, "t1/d7"); err == nil {
				t.Fatal("the stalled comment succeeded; want the timeout")
			}
			if n := comments(); n != 121 {
				t.Fatalf("%d comments after the stalled attempt, want 121", n)
			}
			if posted, err := tracker.CommentOnce(ctx, p, iss.Key, body, "t1/d7"); err != nil || posted {
				t.Fatalf("retry = posted %v, %v; want the stored comment found", posted, err)
			}
			if posted, err := tracker.CommentOnce(ctx, p, iss.Key, body, "t1/d3"); err != nil || !posted {
				t.Fatalf("other reference = posted %v, %v; want a new comment", posted, err)
			}
			if n := comments(); n != 122 {
				t.Errorf("%d comments, want 122", n)
			}
		})
	}
}

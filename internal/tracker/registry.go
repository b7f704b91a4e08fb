package tracker

import (
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/vendorsync/vendorsync/internal/httpx"
)

// Kind names a kind of tracker connection: which tracker serves it and how
// it signs in (jira_cloud, jira_server; github, gitlab and gitea to come).
// Connections store their kind, and a Registry turns it into a Provider, so
// the code that uses trackers never names one.
type Kind string

// Settings are a connection's provider-neutral settings, as an admin saves
// them, with the token decrypted.
type Settings struct {
	// BaseURL is the tracker's root: https://acme.atlassian.net, a Jira
	// Server with its context path, later a GitHub Enterprise or GitLab host.
	BaseURL string
	// Username is the account the token belongs to, for kinds that sign in
	// with both (Jira Cloud: the account's email); empty for the others.
	Username string
	// Token is the API token or personal access token.
	Token string
}

// BaseURLProblem says what is wrong with raw as a tracker's base URL, ""
// when nothing is: every tracker is reached at an absolute http(s) URL
// with neither credentials (they go in the settings) nor query or fragment.
func BaseURLProblem(raw string) string {
	u, err := url.Parse(raw)
	switch {
	case strings.TrimSpace(raw) == "":
		return "is required"
	case err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "":
		return "must be an absolute http(s) URL"
	case u.User != nil:
		return "must not contain credentials"
	case u.RawQuery != "" || u.Fragment != "":
		return "must not contain a query or fragment"
	}
	return ""
}

// Factory is one kind of connection: what people call its tracker, how its
// settings are checked, and how its Provider is built.
type Factory struct {
	Kind Kind
	// Provider names the tracker that links and connections record
	// ("jira"); the kinds of one tracker share it.
	Provider string
	// Name is the tracker as people call it ("Jira"), for messages such as
	// "not found in Jira".
	Name string
	// SignsInWithUsername says whether the kind uses Settings.Username; a
	// username given for a kind that does not is not kept.
	SignsInWithUsername bool
	// NoDueDates says the tracker's issues have no due date (GitHub): a due
	// date is neither pushed nor edited there.
	NoDueDates bool
	// NoWorkflow says the tracker's issues are only open or closed (the
	// forges): "in progress" is said with a label or an assignee, by each
	// connection's rule, not by a workflow status.
	NoWorkflow bool
	// Check, when set, reports every problem with s by the kind's own rules
	// at once, as an apperr validation error naming the fields (username),
	// before anything is stored. The base URL's shape (BaseURLProblem) and
	// the token's presence are the caller's to check: they are the same for
	// every kind, and a stored token may be kept.
	Check func(s Settings) error
	// New builds the provider of a connection; no request is made.
	New func(s Settings) (Provider, error)
	// Advice, when set, says what an admin should fix after the tracker
	// refused to create an issue in project with a failure of kind k
	// (naming the tracker's own permissions, say); "" leaves the general
	// advice.
	Advice func(k httpx.Kind, project string) string
	// SearchSettle is how long after a create ended the kind's idempotency
	// search may still miss the issue: Jira's search index lags behind its
	// writes, a forge's issue list does not (zero). While a create's
	// outcome is unknown, no other is sent until this has passed (Guard).
	SearchSettle time.Duration
	// Webhook, when set, is how the kind's webhook deliveries are verified
	// and read; a kind without one cannot receive webhooks.
	Webhook *Webhook
}

// Registry maps connection kinds to their factories. The program builds one
// with every provider it links in and gives it to the services that talk
// to trackers; adding a tracker is registering its kinds here. It is not
// changed after construction, so it is safe for concurrent use.
type Registry struct {
	factories map[Kind]Factory
	order     []Kind
}

// NewRegistry registers fs in order. A kind registered twice, or a factory
// without a kind, provider, name or constructor, is a mistake in the
// program's wiring and panics, as http.ServeMux does with a pattern
// registered twice.
func NewRegistry(fs ...Factory) *Registry {
	r := &Registry{factories: make(map[Kind]Factory, len(fs))}
	for _, f := range fs {
		switch {
		case f.Kind == "" || f.Provider == "" || f.Name == "" || f.New == nil:
			panic(fmt.Sprintf("tracker.NewRegistry: factory %q lacks a kind, provider, name or constructor", f.Kind))
		case r.has(f.Kind):
			panic(fmt.Sprintf("tracker.NewRegistry: kind %q registered twice", f.Kind))
		}
		r.factories[f.Kind] = f
		r.order = append(r.order, f.Kind)
	}
	return r
}

func (r *Registry) has(k Kind) bool {
	_, ok := r.Lookup(k)
	return ok
}

// Lookup returns the factory of kind k; false when it is not registered
// (or r is nil: a program without trackers).
func (r *Registry) Lookup(k Kind) (Factory, bool) {
	if r == nil {
		return Factory{}, false
	}
	f, ok := r.factories[k]
	return f, ok
}

// Kinds lists the registered kinds in registration order, for forms and
// validation messages.
func (r *Registry) Kinds() []Kind {
	if r == nil {
		return nil
	}
	return append([]Kind(nil), r.order...)
}

// New builds the provider of a connection of kind k with settings s.
func (r *Registry) New(k Kind, s Settings) (Provider, error) {
	f, ok := r.Lookup(k)
	if !ok {
		return nil, fmt.Errorf("tracker.New: kind %q is not registered (known: %s)", k, r.KindNames())
	}
	p, err := f.New(s)
	if err != nil {
		return nil, fmt.Errorf("tracker.New %s: %w", k, err)
	}
	return p, nil
}

// KindNames lists the registered kinds for messages: "jira_cloud,
// jira_server", or "none".
func (r *Registry) KindNames() string {
	kinds := r.Kinds()
	names := make([]string, len(kinds))
	for i, k := range kinds {
		names[i] = string(k)
	}
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}

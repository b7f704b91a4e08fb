package jira

import (
	"strings"
	"time"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/httpx"
	"github.com/vendorsync/vendorsync/internal/tracker"
)

// The connection kinds the Jira client serves, one per flavor.
const (
	KindCloud  tracker.Kind = "jira_cloud"
	KindServer tracker.Kind = "jira_server"
)

// Provider is what links and connections record for every Jira kind, and
// Name is how messages call Jira.
const (
	Provider = "jira"
	Name     = "Jira"
)

// Kind is the connection kind of the flavor; "" for an unknown flavor.
func (f Flavor) Kind() tracker.Kind {
	switch f {
	case Cloud:
		return KindCloud
	case Server:
		return KindServer
	}
	return ""
}

// FlavorOf returns the flavor of a Jira connection kind; false for a kind
// that is not Jira's.
func FlavorOf(k tracker.Kind) (Flavor, bool) {
	switch k {
	case KindCloud:
		return Cloud, true
	case KindServer:
		return Server, true
	}
	return "", false
}

// Factories are Jira Cloud's and Jira Server/Data Center's registrations,
// building every client with opts.
func Factories(opts Options) []tracker.Factory {
	return []tracker.Factory{factory(Cloud, opts), factory(Server, opts)}
}

func factory(f Flavor, opts Options) tracker.Factory {
	return tracker.Factory{
		Kind: f.Kind(), Provider: Provider, Name: Name,
		// Cloud signs in with the account's email and an API token; Server
		// with a personal access token alone.
		SignsInWithUsername: f == Cloud,
		Webhook:             Webhook,
		Check:               func(s tracker.Settings) error { return check(f, s) },
		New: func(s tracker.Settings) (tracker.Provider, error) {
			return New(configOf(f, s, opts))
		},
		Advice:       advice,
		SearchSettle: opts.searchSettle(f),
	}
}

// Search settle times by flavor, for Options.SearchSettle's zero value.
// Atlassian documents Jira Cloud's JQL search as eventually consistent
// (new issues are indexed shortly after they are created) without a bound;
// a minute covers what is seen in practice. Server/Data Center index on
// the node that created the issue at once and replicate to the other
// nodes within seconds.
const (
	DefaultCloudSearchSettle  = time.Minute
	DefaultServerSearchSettle = 15 * time.Second
)

// searchSettle is the flavor's settle time under o.
func (o Options) searchSettle(f Flavor) time.Duration {
	switch {
	case o.SearchSettle > 0:
		return o.SearchSettle
	case f == Cloud:
		return DefaultCloudSearchSettle
	}
	return DefaultServerSearchSettle
}

// configOf is the client configuration of a connection's settings.
func configOf(f Flavor, s tracker.Settings, opts Options) Config {
	cfg := Config{BaseURL: s.BaseURL, Flavor: f, Options: opts}
	if f == Cloud {
		cfg.Email, cfg.APIToken = s.Username, s.Token
	} else {
		cfg.PersonalAccessToken = s.Token
	}
	return cfg
}

// check validates settings by Jira's own rules: Cloud signs in with the
// account's email, the username.
func check(f Flavor, s tracker.Settings) error {
	var v apperr.Validation
	v.Check(f != Cloud || cloudAccount(s.Username), "username", "is required for Jira Cloud")
	return v.Err()
}

// cloudAccount reports whether a Jira Cloud account (its email) is given.
func cloudAccount(email string) bool { return strings.TrimSpace(email) != "" }

// advice names the Jira permissions a refused create lacks.
func advice(k httpx.Kind, project string) string {
	if k == httpx.Permission {
		return "the Jira account needs Browse Projects and Create Issues on " + project
	}
	return ""
}

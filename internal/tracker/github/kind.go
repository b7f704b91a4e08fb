package github

import (
	"github.com/vendorsync/vendorsync/internal/httpx"
	"github.com/vendorsync/vendorsync/internal/tracker"
	"github.com/vendorsync/vendorsync/internal/tracker/forge"
)

// Kind is the connection kind of GitHub and GitHub Enterprise Server.
const Kind tracker.Kind = "github"

// Provider is what links and connections record; Name is how messages
// call GitHub.
const (
	Provider = "github"
	Name     = "GitHub"
)

// Factory is GitHub's registration, building every client with opts.
func Factory(opts forge.Options) tracker.Factory {
	return tracker.Factory{Kind: Kind, Provider: Provider, Name: Name, NoWorkflow: true,
		New: func(s tracker.Settings) (tracker.Provider, error) {
			return New(Config{BaseURL: s.BaseURL, Token: s.Token, Options: opts})
		},
		Advice:     advice,
		Webhook:    Webhook,
		NoDueDates: true,
	}
}

// advice names the permissions a refused create lacks.
func advice(k httpx.Kind, repo string) string {
	if k == httpx.Permission {
		return "the GitHub token needs Issues: read and write on " + repo + " (a classic token: the repo scope)"
	}
	return ""
}

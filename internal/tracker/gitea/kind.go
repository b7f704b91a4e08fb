package gitea

import (
	"github.com/vendorsync/vendorsync/internal/httpx"
	"github.com/vendorsync/vendorsync/internal/tracker"
	"github.com/vendorsync/vendorsync/internal/tracker/forge"
)

// Kind is the connection kind of Gitea and Forgejo.
const Kind tracker.Kind = "gitea"

// Provider is what links and connections record; Name is how messages
// call Gitea.
const (
	Provider = "gitea"
	Name     = "Gitea"
)

// Factory is Gitea's registration, building every client with opts.
func Factory(opts forge.Options) tracker.Factory {
	return tracker.Factory{Kind: Kind, Provider: Provider, Name: Name, NoWorkflow: true,
		New: func(s tracker.Settings) (tracker.Provider, error) {
			return New(Config{BaseURL: s.BaseURL, Token: s.Token, Options: opts})
		},
		Advice:  advice,
		Webhook: Webhook,
	}
}

// advice names the scopes and access a refused create lacks.
func advice(k httpx.Kind, repo string) string {
	if k == httpx.Permission {
		return "the Gitea token needs the write:issue and read:user scopes and write access to issues of " + repo
	}
	return ""
}

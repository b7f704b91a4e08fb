package gitlab

import (
	"github.com/vendorsync/vendorsync/internal/httpx"
	"github.com/vendorsync/vendorsync/internal/tracker"
	"github.com/vendorsync/vendorsync/internal/tracker/forge"
)

// Kind is the connection kind of GitLab, gitlab.com or self-managed.
const Kind tracker.Kind = "gitlab"

// Provider is what links and connections record; Name is how messages
// call GitLab.
const (
	Provider = "gitlab"
	Name     = "GitLab"
)

// Factory is GitLab's registration, building every client with opts.
func Factory(opts forge.Options) tracker.Factory {
	return tracker.Factory{Kind: Kind, Provider: Provider, Name: Name, NoWorkflow: true,
		New: func(s tracker.Settings) (tracker.Provider, error) {
			return New(Config{BaseURL: s.BaseURL, Token: s.Token, Options: opts})
		},
		Advice:  advice,
		Webhook: Webhook,
	}
}

// advice names the role and scope a refused create lacks.
func advice(k httpx.Kind, project string) string {
	if k == httpx.Permission {
		return "the GitLab token needs the api scope and at least the Planner or Reporter role on " + project
	}
	return ""
}

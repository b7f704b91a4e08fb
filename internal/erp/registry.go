package erp

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Provider names an ERP a connector reads ("p21"). Connectors store it,
// and a Registry turns it into a Client, so the code that syncs items never
// names one.
type Provider string

// AuthMode is how a connector signs in to its ERP. Each provider registers
// the modes it supports.
type AuthMode string

// The sign-in modes providers may register.
const (
	// AuthPassword is a user name and password exchanged for a token
	// (P21's token endpoint).
	AuthPassword AuthMode = "password"
	// AuthConsumerKey is a consumer key (client secret) exchanged for a
	// token with the client-credentials grant.
	AuthConsumerKey AuthMode = "consumer_key"
	// AuthAPIKey is a static key sent as a bearer token, for sites behind
	// an API gateway or proxy that issues keys.
	AuthAPIKey AuthMode = "api_key"
	// AuthBasic is HTTP basic authentication, for sites behind a proxy
	// that asks for it.
	AuthBasic AuthMode = "basic"
	// AuthNone is for providers that are not reached over the network
	// (a CSV catalog uploaded by hand).
	AuthNone AuthMode = "none"
)

// Settings are a connector's provider-neutral settings with its secret
// decrypted, as a provider's client needs them.
type Settings struct {
	BaseURL  string
	AuthMode AuthMode
	// Username signs in with AuthPassword and AuthBasic.
	Username string
	// Secret is the password, consumer key or API key of the mode.
	Secret string
}

// Client is what the program does with an ERP through a connector.
type Client interface {
	// Test reaches the service with the connector's credentials and
	// reports the tables it can read.
	Test(ctx context.Context) (TestResult, error)
	// FetchItems streams the item catalog into sink: everything when since
	// is nil, otherwise what changed at or after since.
	FetchItems(ctx context.Context, since *time.Time, sink Sink) error
}

// TestResult is what a connection test found.
type TestResult struct {
	// Tables lists every table or entity set the service offers that the
	// account could read, by name.
	Tables []string `json:"tables" nullable:"false" doc:"Tables and entity sets the account can read."`
	// Missing lists the tables item sync needs that could not be read.
	Missing []string `json:"missing,omitempty" doc:"Tables item sync needs that the account cannot read."`
	// Detail says what was checked, for people.
	Detail string `json:"detail"`
}

// Factory is one provider: its name, the sign-in modes it supports, how its
// settings are checked and how its client is built.
type Factory struct {
	Provider Provider
	// Name is the ERP as people call it ("Prophet 21").
	Name string
	// AuthModes lists the supported modes, the default first.
	AuthModes []AuthMode
	// NeedsURL says whether the provider is reached at a base URL.
	NeedsURL bool
	// New builds the client of a connector; no request is made. Nil means
	// the provider has no client (a catalog imported by hand).
	New func(s Settings) (Client, error)
}

// Supports reports whether the provider registered mode.
func (f Factory) Supports(mode AuthMode) bool { return slices.Contains(f.AuthModes, mode) }

// Registry maps providers to their factories. The program builds one with
// every provider it links in; it is not changed after construction, so it
// is safe for concurrent use.
type Registry struct {
	factories map[Provider]Factory
	order     []Provider
}

// NewRegistry registers fs in order. A provider registered twice, or a
// factory without a provider, name or auth mode, is a wiring mistake and
// panics.
func NewRegistry(fs ...Factory) *Registry {
	r := &Registry{factories: make(map[Provider]Factory, len(fs))}
	for _, f := range fs {
		if _, dup := r.factories[f.Provider]; dup {
			panic(fmt.Sprintf("erp.NewRegistry: provider %q registered twice", f.Provider))
		}
		if f.Provider == "" || f.Name == "" || len(f.AuthModes) == 0 {
			panic(fmt.Sprintf("erp.NewRegistry: factory %q lacks a provider, name or auth mode", f.Provider))
		}
		r.factories[f.Provider] = f
		r.order = append(r.order, f.Provider)
	}
	return r
}

// Lookup returns the factory of provider p; false when it is not
// registered (or r is nil).
func (r *Registry) Lookup(p Provider) (Factory, bool) {
	if r == nil {
		return Factory{}, false
	}
	f, ok := r.factories[p]
	return f, ok
}

// Factories lists the registered providers in registration order.
func (r *Registry) Factories() []Factory {
	if r == nil {
		return nil
	}
	out := make([]Factory, len(r.order))
	for i, p := range r.order {
		out[i] = r.factories[p]
	}
	return out
}

// names lists the registered providers for messages.
func (r *Registry) names() string {
	var names []string
	for _, f := range r.Factories() {
		names = append(names, string(f.Provider))
	}
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}

// client builds the client of provider p with settings s.
func (r *Registry) client(p Provider, s Settings) (Client, error) {
	f, ok := r.Lookup(p)
	if !ok || f.New == nil {
		return nil, fmt.Errorf("erp: provider %q has no client (known: %s)", p, r.names())
	}
	c, err := f.New(s)
	if err != nil {
		return nil, fmt.Errorf("erp: %s client: %w", p, err)
	}
	return c, nil
}

// CSVCatalog is the provider of ERPs without an API: their catalog is
// imported from CSV files into the same item store.
const CSVCatalog Provider = "csv"

// CSVFactory registers CSVCatalog: no service, no secret, no sync.
func CSVFactory() Factory {
	return Factory{Provider: CSVCatalog, Name: "CSV catalog", AuthModes: []AuthMode{AuthNone}}
}

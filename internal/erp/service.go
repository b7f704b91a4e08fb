package erp

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/audit"
	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/ident"
	"github.com/vendorsync/vendorsync/internal/tracker"
)

// DefaultTestTimeout bounds a connection test.
const DefaultTestTimeout = 30 * time.Second

// Service holds the connector rules. Every method checks the principal's
// permission and scopes reads and writes to its tenant.
type Service struct {
	Store     Store
	Providers *Registry
	Logger    *slog.Logger
	// TestTimeout overrides DefaultTestTimeout.
	TestTimeout time.Duration
	// Now is the clock; tests replace it.
	Now func() time.Time
}

func (s *Service) now() time.Time {
	t := time.Now()
	if s.Now != nil {
		t = s.Now()
	}
	return t.UTC().Truncate(time.Microsecond)
}

func (s *Service) log() *slog.Logger {
	if s.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return s.Logger
}

// Input is a connector as an admin creates it; Secret is write-only.
type Input struct {
	Name     string
	Provider Provider
	AuthMode AuthMode
	BaseURL  string
	Username string
	Secret   string
	IsActive *bool
}

// Create adds a connector with its secret. An empty auth mode takes the
// provider's default.
func (s *Service) Create(ctx context.Context, p auth.Principal, in Input) (Connector, error) {
	if err := p.Require(auth.PermManageERP); err != nil {
		return Connector{}, err
	}
	now := s.now()
	c := Connector{ID: ident.New(), TenantID: p.TenantID, Name: strings.TrimSpace(in.Name), Provider: in.Provider,
		AuthMode: in.AuthMode, BaseURL: strings.TrimRight(strings.TrimSpace(in.BaseURL), "/"), Username: strings.TrimSpace(in.Username),
		IsActive: in.IsActive == nil || *in.IsActive, Sync: SyncStatus{State: SyncNever}, CreatedAt: now, UpdatedAt: now}
	if err := s.check(&c, in.Secret, false, false); err != nil {
		return Connector{}, err
	}
	var secret []byte
	if in.Secret != "" {
		secret, c.SecretSet = []byte(in.Secret), true
	}
	ev := audit.Record(p, "erp_connector.create", "erp_connector", c.ID, nil, c)
	if err := s.Store.CreateERPConnector(ctx, c, secret, ev); err != nil {
		return Connector{}, fmt.Errorf("erp.Create %q: %w", c.Name, err)
	}
	return c, nil
}

// Update applies change to a connector's settings and replaces its secret
// when secret is not empty; clear removes the stored one (a secret given
// wins), which only an inactive connector, or one that signs in with
// none, may lose. A change of where the secret goes (the base URL's host
// or the auth mode) needs the secret again, so a stored password is never
// sent to a server it was not given for: an inactive connector that moves
// loses it.
func (s *Service) Update(ctx context.Context, p auth.Principal, id string, change func(*Connector), secret string, clear bool) (Connector, error) {
	if err := p.Require(auth.PermManageERP); err != nil {
		return Connector{}, err
	}
	before, err := s.Store.ERPConnector(ctx, p.TenantID, id)
	if err != nil {
		return Connector{}, fmt.Errorf("erp.Update %s: %w", id, err)
	}
	after := before
	change(&after)
	after.ID, after.TenantID, after.Sync, after.Items, after.CreatedAt = before.ID, before.TenantID, before.Sync, before.Items, before.CreatedAt
	after.Name, after.BaseURL, after.Username = strings.TrimSpace(after.Name), strings.TrimRight(strings.TrimSpace(after.BaseURL), "/"), strings.TrimSpace(after.Username)
	moved := destination(before) != destination(after)
	clear = clear && secret == ""
	if err := s.check(&after, secret, before.SecretSet && !moved && !clear, clear); err != nil {
		return Connector{}, err
	}
	var raw []byte
	var flags []string
	switch {
	case secret != "":
		raw, after.SecretSet = []byte(secret), true
		flags = append(flags, "secret_changed")
	case before.SecretSet && (clear || moved):
		after.SecretSet = false
		flags = append(flags, "secret_removed")
	}
	if raw == nil && after == before {
		return before, nil
	}
	after.UpdatedAt = s.now()
	action := "erp_connector.update"
	switch {
	case before.IsActive && !after.IsActive:
		action = "erp_connector.deactivate"
	case !before.IsActive && after.IsActive:
		action = "erp_connector.reactivate"
	}
	ev := audit.Record(p, action, "erp_connector", id, before, after, flags...)
	if err := s.Store.UpdateERPConnector(ctx, after, raw, ev); err != nil {
		return Connector{}, fmt.Errorf("erp.Update %s: %w", id, err)
	}
	return after, nil
}

// Deactivate stops a connector's nightly sync; its items, settings and
// secret stay.
func (s *Service) Deactivate(ctx context.Context, p auth.Principal, id string) (Connector, error) {
	return s.Update(ctx, p, id, func(c *Connector) { c.IsActive = false }, "", false)
}

// destination is where a connector's secret is sent.
func destination(c Connector) string {
	host := c.BaseURL
	if u, err := url.Parse(c.BaseURL); err == nil {
		host = u.Scheme + "://" + u.Host
	}
	return string(c.Provider) + "|" + string(c.AuthMode) + "|" + host
}

// check validates c by its provider's rules, filling in the default auth
// mode; keep says a stored secret may stand in for an empty one, clearing
// that the stored one is being removed. An inactive connector may wait for
// its secret.
func (s *Service) check(c *Connector, secret string, keep, clearing bool) error {
	var v apperr.Validation
	v.Check(c.Name != "", "name", "is required")
	v.Check(utf8.RuneCountInString(c.Name) <= 200, "name", "must be at most 200 characters")
	f, ok := s.Providers.Lookup(c.Provider)
	if !ok {
		v.Add("provider", "must be one of: %s", s.Providers.names())
		return v.Err()
	}
	if c.AuthMode == "" {
		c.AuthMode = f.AuthModes[0]
	}
	if !f.Supports(c.AuthMode) {
		modes := make([]string, len(f.AuthModes))
		for i, m := range f.AuthModes {
			modes[i] = string(m)
		}
		v.Add("auth_mode", "%s supports %s", f.Name, strings.Join(modes, ", "))
	}
	if f.NeedsURL {
		if msg := tracker.BaseURLProblem(c.BaseURL); msg != "" {
			v.Add("base_url", "%s", msg)
		}
	} else {
		c.BaseURL = ""
	}
	switch c.AuthMode {
	case AuthPassword, AuthBasic:
		v.Check(c.Username != "", "username", "is required to sign in with %s", c.AuthMode)
	default:
		c.Username = ""
	}
	switch {
	case c.AuthMode == AuthNone || !c.IsActive || secret != "" || keep:
	case clearing:
		v.Add("secret", "cannot be removed while the connector is active and signs in with %s: deactivate it (is_active false) in the same change", c.AuthMode)
	default:
		v.Add("secret", "is required (it is stored encrypted and never shown again)")
	}
	v.Check(len(secret) <= 4096, "secret", "must be at most 4096 bytes")
	return v.Err()
}

// Get returns one connector of the principal's tenant.
func (s *Service) Get(ctx context.Context, p auth.Principal, id string) (Connector, error) {
	if err := p.Require(auth.PermView); err != nil {
		return Connector{}, err
	}
	c, err := s.Store.ERPConnector(ctx, p.TenantID, id)
	if err != nil {
		return Connector{}, fmt.Errorf("erp.Get %s: %w", id, err)
	}
	return c, nil
}

// List returns the tenant's connectors by name, inactive ones included.
func (s *Service) List(ctx context.Context, p auth.Principal) ([]Connector, error) {
	if err := p.Require(auth.PermView); err != nil {
		return nil, err
	}
	list, err := s.Store.ListERPConnectors(ctx, p.TenantID)
	if err != nil {
		return nil, fmt.Errorf("erp.List: %w", err)
	}
	return list, nil
}

// client builds the provider client of a stored connector with its secret.
func (s *Service) client(ctx context.Context, c Connector) (Client, error) {
	var secret []byte
	if c.SecretSet {
		var err error
		if secret, err = s.Store.ERPConnectorSecret(ctx, c.TenantID, c.ID); err != nil {
			return nil, fmt.Errorf("erp connector %s: read secret: %w", c.ID, err)
		}
	}
	return s.Providers.client(c.Provider, Settings{BaseURL: c.BaseURL, AuthMode: c.AuthMode, Username: c.Username, Secret: string(secret)})
}

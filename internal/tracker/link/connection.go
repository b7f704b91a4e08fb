package link

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/audit"
	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/httpx"
	"github.com/vendorsync/vendorsync/internal/ident"
	"github.com/vendorsync/vendorsync/internal/jobargs"
	"github.com/vendorsync/vendorsync/internal/tracker"
)

// TokenSecret is the name of the secret that held the token of a
// tenant's only connection to provider ("jira.token") before a tenant could
// have several; a connection saved then keeps its token under that name.
func TokenSecret(provider string) string { return provider + ".token" }

// ConnectionTokenSecret is the name of the secret that holds the token of
// the connection with id: an API token or a personal access token.
func ConnectionTokenSecret(id string) string { return "tracker." + id + ".token" }

// Connection is a tenant's tracker connection as stored and shown: its
// kind and provider-neutral settings. The token is never part of it.
type Connection struct {
	TenantID string `json:"-"`
	// ID is the connection's stable id (a ULID): applications route to it
	// and webhooks are delivered to /hooks/trackers/{id}.
	ID string `json:"id,omitempty"`
	// Name is how people tell the tenant's connections apart.
	Name string `json:"name,omitempty"`
	// Configured is false when the tenant never saved a connection.
	Configured bool `json:"configured"`
	// Kind picks the provider from the registry: jira_cloud, jira_server.
	Kind tracker.Kind `json:"kind"`
	// Provider is the tracker the kind belongs to ("jira"), as links
	// record it.
	Provider string `json:"provider"`
	BaseURL  string `json:"base_url"`
	// Username is the account the token belongs to, for kinds that sign in
	// with both (Jira Cloud: the account's email).
	Username string `json:"username,omitempty"`
	// TokenSecret names the secret that holds the token.
	TokenSecret string `json:"-"`
	ConnectionState
}

// ConnectionState is where a connection stands, whatever its kind: on or
// off and why, whether its token is stored, and who saved it when. Views
// of a connection (the Jira settings API) show it as it is.
type ConnectionState struct {
	// Enabled turns false by itself when the tracker rejects the
	// credentials.
	Enabled        bool       `json:"enabled"`
	DisabledReason string     `json:"disabled_reason,omitempty"`
	DisabledAt     *time.Time `json:"disabled_at,omitempty"`
	TokenSet       bool       `json:"token_set" doc:"Whether a token is stored; the token itself is never returned."`
	CreatedAt      time.Time  `json:"created_at"`
	UpdatedAt      time.Time  `json:"updated_at"`
	UpdatedBy      string     `json:"updated_by,omitempty"`
}

// Input is a connection as an admin saves it.
type Input struct {
	// ID names the connection to change; empty means the tenant's first
	// connection (made when there is none), for the single-connection
	// settings that predate several.
	ID string
	// Name tells the connection apart; empty keeps the stored name, or
	// names a new one after its kind.
	Name     string
	Kind     tracker.Kind
	BaseURL  string
	Username string
	// Token replaces the stored token; empty keeps it (not allowed when
	// there is none, or when the base URL's host or the kind change).
	Token string
	// Enabled false saves the connection switched off; nil means on.
	Enabled *bool
	// ClearToken removes the stored token, which leaving Token empty cannot
	// say; only a connection saved switched off may lose it. A Token given
	// in the same save wins.
	ClearToken bool
}

// MaxToken bounds a token's length.
const MaxToken = 4096

func requireEdit(p auth.Principal) error {
	if err := p.Require(auth.PermEditIntegrations); err != nil {
		return err
	}
	return nil
}

// Connection returns the tenant's first tracker connection; Configured is
// false (and the rest zero) when none was saved.
func (s *Service) Connection(ctx context.Context, p auth.Principal) (Connection, error) {
	if err := requireEdit(p); err != nil {
		return Connection{}, err
	}
	c, err := s.Store.TrackerConnection(ctx, p.TenantID, "")
	if apperr.Is(err, apperr.NotFound) {
		return Connection{}, nil
	}
	if err != nil {
		return Connection{}, fmt.Errorf("link.Connection: %w", err)
	}
	return c, nil
}

// ConnectionByID returns one of the tenant's connections; NotFound when
// the tenant has none with id.
func (s *Service) ConnectionByID(ctx context.Context, p auth.Principal, id string) (Connection, error) {
	if err := requireEdit(p); err != nil {
		return Connection{}, err
	}
	if id == "" {
		return Connection{}, apperr.E(apperr.NotFound, "tracker connection not found")
	}
	c, err := s.Store.TrackerConnection(ctx, p.TenantID, id)
	if err != nil {
		return Connection{}, fmt.Errorf("link.ConnectionByID %s: %w", id, err)
	}
	return c, nil
}

// Connections lists the tenant's connections, oldest first.
func (s *Service) Connections(ctx context.Context, p auth.Principal) ([]Connection, error) {
	if err := p.Require(auth.PermView); err != nil {
		return nil, err
	}
	cs, err := s.Store.TrackerConnections(ctx, p.TenantID)
	if err != nil {
		return nil, fmt.Errorf("link.Connections: %w", err)
	}
	return cs, nil
}

// AddConnection stores a new connection beside the tenant's others, with a
// new id; otherwise as SaveConnection.
func (s *Service) AddConnection(ctx context.Context, p auth.Principal, in Input) (Connection, error) {
	in.ID = ident.New()
	return s.save(ctx, p, in, Connection{})
}

// SaveConnection validates and stores the tenant's tracker connection and
// its token (encrypted, in the same transaction); it replaces the one
// saved before. Saving turns the connection on again unless in.Enabled
// says otherwise, and then enqueues the creation of every issue still
// pending (those left waiting while it was off).
func (s *Service) SaveConnection(ctx context.Context, p auth.Principal, in Input) (Connection, error) {
	if err := requireEdit(p); err != nil {
		return Connection{}, err
	}
	old, err := s.Store.TrackerConnection(ctx, p.TenantID, in.ID)
	switch {
	case apperr.Is(err, apperr.NotFound) && in.ID != "":
		return Connection{}, fmt.Errorf("link.SaveConnection %s: %w", in.ID, err)
	case apperr.Is(err, apperr.NotFound):
		in.ID = ident.New()
	case err != nil:
		return Connection{}, fmt.Errorf("link.SaveConnection: %w", err)
	default:
		in.ID = old.ID
	}
	return s.save(ctx, p, in, old)
}

// save validates and stores in over old (zero for a new connection).
func (s *Service) save(ctx context.Context, p auth.Principal, in Input, old Connection) (Connection, error) {
	if err := requireEdit(p); err != nil {
		return Connection{}, err
	}
	now := s.now()
	kind := tracker.Kind(strings.TrimSpace(string(in.Kind)))
	f, known := s.Providers.Lookup(kind)
	c := Connection{TenantID: p.TenantID, ID: in.ID, Name: strings.TrimSpace(in.Name), Configured: true, Kind: kind,
		Provider: f.Provider, TokenSecret: ConnectionTokenSecret(in.ID),
		BaseURL: strings.TrimRight(strings.TrimSpace(in.BaseURL), "/"), Username: strings.TrimSpace(in.Username),
		ConnectionState: ConnectionState{Enabled: in.Enabled == nil || *in.Enabled, CreatedAt: now, UpdatedAt: now,
			UpdatedBy: p.Label, TokenSet: true}}
	clear := in.ClearToken && in.Token == ""
	if old.Configured {
		c.CreatedAt = old.CreatedAt
		if in.Token == "" {
			// The stored token stays where it was sealed.
			c.TokenSecret, c.TokenSet = old.TokenSecret, old.TokenSet && !clear
		}
		if c.Name == "" {
			c.Name = old.Name
		}
	}
	others, err := s.Store.TrackerConnections(ctx, p.TenantID)
	if err != nil {
		return Connection{}, fmt.Errorf("link.SaveConnection %s: %w", c.ID, err)
	}
	taken := map[string]bool{}
	for _, o := range others {
		if o.ID != c.ID {
			taken[strings.ToLower(o.Name)] = true
		}
	}
	if c.Name == "" {
		c.Name = kindLabel(f)
		for n := 2; taken[strings.ToLower(c.Name)]; n++ {
			c.Name = fmt.Sprintf("%s %d", kindLabel(f), n)
		}
	}
	nameTaken := taken[strings.ToLower(c.Name)]
	if !f.SignsInWithUsername {
		c.Username = ""
	}
	if !c.Enabled {
		c.DisabledReason, c.DisabledAt = "switched off by "+p.Label, &now
	}
	if !old.Configured && in.Token == "" {
		c.TokenSet = false
	}
	if err := s.validate(c, f, known, in.Token, old, nameTaken, clear); err != nil {
		return Connection{}, err
	}
	var jobs []jobargs.Args
	if c.Enabled {
		refs, err := s.Store.PendingTrackerLinks(ctx, p.TenantID)
		if err != nil {
			return Connection{}, fmt.Errorf("link.SaveConnection %s: %w", c.ID, err)
		}
		// The connection's version is the jobs' cause, so an attempt that
		// is running now (and may have found no connection) does not make
		// these look like its duplicates.
		cause := "connection:" + now.Format(time.RFC3339Nano)
		for _, r := range refs {
			jobs = append(jobs, jobargs.TrackerCreate{Tenant: jobargs.For(r.TenantID), TicketID: r.TicketID,
				ApplicationID: r.ApplicationID, Cause: cause})
		}
	}
	var before any
	if old.Configured {
		before = connAudit(old, false)
	}
	after := connAudit(c, in.Token != "")
	if clear && old.TokenSet {
		after["token_removed"] = true
	}
	ev := audit.Record(p, "tracker.connection.update", "tracker_connection", c.ID, before, after)
	var token []byte
	if in.Token != "" {
		token = []byte(in.Token)
	}
	if err := s.Store.SaveTrackerConnection(ctx, c, token, ev, jobs); err != nil {
		return Connection{}, fmt.Errorf("link.SaveConnection %s: %w", c.ID, err)
	}
	s.forget(c.ID)
	return c, nil
}

// validate checks an input against its kind's rules and the stored
// connection, reporting every problem at once.
func (s *Service) validate(c Connection, f tracker.Factory, known bool, token string, old Connection, nameTaken, clear bool) error {
	var v apperr.Validation
	v.Check(!nameTaken, "name", "is already the name of another connection")
	if msg := tracker.BaseURLProblem(c.BaseURL); msg != "" {
		v.Add("base_url", "%s", msg)
	}
	switch {
	case c.Kind == "":
		v.Add("kind", "is required")
	case !known:
		v.Add("kind", "must be one of %s", s.Providers.KindNames())
	case f.Check != nil:
		for _, fe := range apperr.FieldsOf(f.Check(tracker.Settings{BaseURL: c.BaseURL, Username: c.Username})) {
			v.Add(fe.Field, "%s", fe.Message)
		}
	}
	v.Check(utf8.RuneCountInString(c.Name) <= 100, "name", "must be at most 100 characters")
	v.Check(utf8.RuneCountInString(c.BaseURL) <= 500, "base_url", "must be at most 500 characters")
	v.Check(utf8.RuneCountInString(c.Username) <= 254, "username", "must be at most 254 characters")
	v.Check(len(token) <= MaxToken, "token", "must be at most %d bytes", MaxToken)
	v.Check(!strings.ContainsAny(token, "\r\n"), "token", "must be a single line")
	if token == "" {
		switch {
		case clear && c.Enabled:
			v.Add("token", "cannot be removed while the connection is on: save it switched off (enabled false) to remove its token")
		case clear:
			// Removed: a connection switched off needs none.
		case !old.Configured || !old.TokenSet:
			// Switched off, a connection may wait for its token.
			v.Check(!c.Enabled, "token", "is required")
		case old.Kind != c.Kind || host(old.BaseURL) != host(c.BaseURL):
			// A stored token is never sent to a different site.
			v.Add("token", "is required again when the base URL's host or the connection kind change")
		}
	}
	return v.Err()
}

func host(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	return strings.ToLower(u.Scheme + "://" + u.Host)
}

// connAudit is what the audit log records of a connection: never a token.
func connAudit(c Connection, tokenChanged bool) map[string]any {
	m := map[string]any{"name": c.Name, "kind": c.Kind, "base_url": c.BaseURL, "username": c.Username, "enabled": c.Enabled}
	if tokenChanged {
		m["token_changed"] = true
	}
	return m
}

// TestResult is the answer of a connection test.
type TestResult struct {
	OK bool `json:"ok"`
	// Account is the name VendorSync acts as in the tracker.
	Account   string `json:"account,omitempty"`
	Message   string `json:"message"`
	Kind      string `json:"kind,omitempty" doc:"The failure kind: unauthorized, forbidden, not_found, rate_limited, unavailable, bad_request, permanent."`
	LatencyMS int64  `json:"latency_ms"`
	// Scopes are the token's scopes when the tracker tells them.
	Scopes        []string `json:"scopes,omitempty" doc:"The token's scopes, when the tracker tells them (GitHub classic tokens, GitLab)."`
	MissingScopes []string `json:"missing_scopes,omitempty" doc:"Scopes VendorSync needs that the token lacks; an alternative is written 'repo or public_repo'."`
	// RateLimit is the tracker's rate-limit budget left, when it says.
	RateLimit *tracker.RateBudget `json:"rate_limit,omitempty" doc:"The rate-limit budget left, when the tracker sends it (GitHub, GitLab)."`
}

// testKinds names the remote-error kinds in TestResult.Kind's published
// vocabulary, which API clients already match on.
var testKinds = map[httpx.Kind]string{
	httpx.Auth: "unauthorized", httpx.Permission: "forbidden", httpx.NotFound: "not_found",
	httpx.RateLimited: "rate_limited", httpx.Transient: "unavailable", httpx.BadRequest: "bad_request",
	httpx.Permanent: "permanent",
}

// TestConnection checks the stored connection with id ("" for the
// tenant's first; even a disabled one) with a fresh client and reports the
// account; a failing tracker is a result, not an error.
func (s *Service) TestConnection(ctx context.Context, p auth.Principal, id string) (TestResult, error) {
	if err := requireEdit(p); err != nil {
		return TestResult{}, err
	}
	c, f, err := s.connection(ctx, p.TenantID, id)
	if err != nil {
		return TestResult{}, err
	}
	cl, err := s.build(ctx, c, f)
	if err != nil {
		return TestResult{}, err
	}
	start := time.Now()
	probe, err := probe(ctx, cl.tracker)
	res := TestResult{LatencyMS: time.Since(start).Milliseconds()}
	if err != nil {
		res.Kind, res.Message = testKinds[httpx.KindOf(err)], apperr.MessageOf(err)
		return res, nil
	}
	res.OK, res.Account = true, probe.Account
	res.Scopes, res.MissingScopes, res.RateLimit = probe.Scopes, probe.MissingScopes, probe.RateLimit
	res.Message = "Connected to " + c.BaseURL + " as " + probe.Account + "."
	if len(probe.MissingScopes) > 0 {
		res.Message += " The token lacks the scope " + strings.Join(probe.MissingScopes, ", ") + ": issues cannot be created."
	}
	if !c.Enabled {
		res.Message += " The connection is disabled: save it to switch it on again."
	}
	return res, nil
}

// probe tests p, with scopes and budget when p can tell them.
func probe(ctx context.Context, p tracker.Provider) (tracker.Probe, error) {
	if pr, ok := p.(tracker.Prober); ok {
		return pr.Probe(ctx)
	}
	account, err := p.Test(ctx)
	return tracker.Probe{Account: account}, err
}

// disable switches the connection of cl off after its tracker rejected the
// credentials and alerts the admins urgently, once: a connection already
// off is left as it is, and its alert is not written again.
func (s *Service) disable(ctx context.Context, tenantID string, cl client, cause error) error {
	name := cl.kind.Name
	reason := name + " rejected the credentials (HTTP 401)"
	if msg := apperr.MessageOf(cause); msg != "" {
		reason += ": " + oneLine(msg)
	}
	a := Alert{Urgent: true, Kind: "tracker.unauthorized", Subject: name + " connection disabled",
		Message: reason + ". No issue is created or synced until an admin saves the connection with valid credentials."}
	sys := auth.System(tenantID)
	evs := []audit.Event{
		audit.Record(sys, "tracker.connection.disable", "tracker_connection", cl.conn.ID,
			map[string]any{"enabled": true}, map[string]any{"enabled": false, "disabled_reason": reason}),
		alertEvent(tenantID, "tracker_connection", cl.conn.ID, a),
	}
	if _, err := s.Store.DisableTrackerConnection(ctx, tenantID, cl.conn.ID, reason, s.now(), evs,
		s.alertJobs(ctx, tenantID, a)); err != nil {
		return fmt.Errorf("disable %s connection %s of tenant %s: %w", cl.conn.Provider, cl.conn.ID, tenantID, err)
	}
	s.forget(cl.conn.ID)
	return nil
}

// kindLabel names a new connection after its kind ("Jira", "GitHub").
func kindLabel(f tracker.Factory) string {
	if f.Name != "" {
		return f.Name
	}
	return string(f.Kind)
}

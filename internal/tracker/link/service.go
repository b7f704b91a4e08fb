package link

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/audit"
	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/httpx"
	"github.com/vendorsync/vendorsync/internal/jobargs"
	"github.com/vendorsync/vendorsync/internal/ticket"
	"github.com/vendorsync/vendorsync/internal/tracker"
	"github.com/vendorsync/vendorsync/internal/tracker/jira"
)

// Service runs the tracker links of every tenant. Safe for concurrent use.
type Service struct {
	Store Store
	// Tickets moves tickets as their issues move (as the system).
	Tickets *ticket.Service
	// BaseURL is where people open VendorSync ("https://vs.example.com"),
	// for the link back in every issue; empty leaves the link out.
	BaseURL string
	// Consequences are the jobs tracker outcomes cause (admin alerts).
	Consequences Consequences
	// ConfigureJira, when set, adjusts every Jira client's configuration
	// (timeouts, HTTP client) before it is built.
	ConfigureJira func(*jira.Config)
	// Telemetry receives the tracker clients' metrics and debug logs.
	Telemetry httpx.Telemetry
	// SearchConcurrency is how many chunk searches a sync runs at once;
	// DefaultSearchConcurrency when zero.
	SearchConcurrency int
	// Now is the clock; tests replace it.
	Now    func() time.Time
	Logger *slog.Logger

	mu      sync.Mutex
	clients map[string]cachedClient // by tenant
}

// cachedClient keeps one client per connection version, so pacing and the
// circuit breaker see all of a tenant's traffic.
type cachedClient struct {
	version time.Time
	p       tracker.Provider
}

// DefaultSearchConcurrency is how many chunk searches run at once.
const DefaultSearchConcurrency = 4

func (s *Service) now() time.Time {
	t := time.Now()
	if s.Now != nil {
		t = s.Now()
	}
	return t.UTC().Truncate(time.Microsecond)
}

func (s *Service) log() *slog.Logger {
	if s.Logger == nil {
		return slog.Default()
	}
	return s.Logger
}

// errNotConnected explains why no issue can be created or read right now.
func errNotConnected(c Connection, err error) error {
	switch {
	case apperr.Is(err, apperr.NotFound):
		return apperr.E(apperr.Conflict, "Jira is not connected: an admin can connect it under Settings → Jira")
	case err != nil:
		return err
	case !c.Enabled:
		msg := "the Jira connection is disabled"
		if c.DisabledReason != "" {
			msg += ": " + c.DisabledReason
		}
		return apperr.E(apperr.Conflict, "%s", msg)
	}
	return nil
}

// provider returns the tenant's Jira client, or a Conflict error when Jira
// is not connected or the connection is disabled.
func (s *Service) provider(ctx context.Context, tenantID string) (tracker.Provider, error) {
	c, err := s.Store.TrackerConnection(ctx, tenantID, ProviderJira)
	if err := errNotConnected(c, err); err != nil {
		return nil, err
	}
	s.mu.Lock()
	cached, ok := s.clients[tenantID]
	s.mu.Unlock()
	if ok && cached.version.Equal(c.UpdatedAt) {
		return cached.p, nil
	}
	p, err := s.build(ctx, c)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	if s.clients == nil {
		s.clients = map[string]cachedClient{}
	}
	s.clients[tenantID] = cachedClient{version: c.UpdatedAt, p: p}
	s.mu.Unlock()
	return p, nil
}

// build makes a client of a stored connection.
func (s *Service) build(ctx context.Context, c Connection) (*jira.Client, error) {
	token, err := s.Store.TrackerToken(ctx, c.TenantID, ProviderJira)
	if apperr.Is(err, apperr.NotFound) {
		return nil, apperr.E(apperr.Conflict, "the Jira connection has no token: an admin must save it again")
	}
	if err != nil {
		return nil, fmt.Errorf("jira token of tenant %s: %w", c.TenantID, err)
	}
	cfg := c.jiraConfig(string(token))
	cfg.Telemetry = s.Telemetry
	if s.ConfigureJira != nil {
		s.ConfigureJira(&cfg)
	}
	cl, err := jira.New(cfg)
	if err != nil {
		return nil, fmt.Errorf("jira client of tenant %s: %w", c.TenantID, err)
	}
	return cl, nil
}

// forget drops a tenant's cached client after its connection changed.
func (s *Service) forget(tenantID string) {
	s.mu.Lock()
	delete(s.clients, tenantID)
	s.mu.Unlock()
}

// alertEvent is the audit row that records an alert.
func alertEvent(tenantID, entityType, entityID string, a Alert) audit.Event {
	var flags []string
	if a.Urgent {
		flags = append(flags, "urgent")
	}
	return audit.Record(auth.System(tenantID), "tracker.alert", entityType, entityID, nil, a, flags...)
}

// alertJobs are the jobs that tell the admins about a, committed with the
// outcome it is about. Without an Alert consequence the alert is logged at
// WARN; it is audited as "tracker.alert" either way.
func (s *Service) alertJobs(ctx context.Context, tenantID string, a Alert) []jobargs.Args {
	if s.Consequences.Alert == nil {
		s.log().WarnContext(ctx, "admin alert: "+a.Subject, "tenant_id", tenantID, "alert", a.Kind, "urgent", a.Urgent,
			"ticket_id", a.TicketID, "link_id", a.LinkID, "message", a.Message, "delivery", "none configured (audited as tracker.alert)")
		return nil
	}
	return s.Consequences.Alert(tenantID, a)
}

// oneLine keeps tracker messages short and on one line for last_error.
func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > 1000 {
		s = string(r[:1000]) + "…"
	}
	return s
}

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
	"github.com/vendorsync/vendorsync/internal/groupcommit"
	"github.com/vendorsync/vendorsync/internal/jobargs"
	"github.com/vendorsync/vendorsync/internal/ticket"
	"github.com/vendorsync/vendorsync/internal/tracker"
)

// Service runs the tracker links of every tenant. Safe for concurrent use.
type Service struct {
	Store Store
	// Hooks stores webhook deliveries; nil leaves webhooks off.
	Hooks HookStore
	// Tickets moves tickets as their issues move (as the system).
	Tickets *ticket.Service
	// BaseURL is where people open VendorSync ("https://vs.example.com"),
	// for the link back in every issue; empty leaves the link out.
	BaseURL string
	// Consequences are the jobs tracker outcomes cause (admin alerts).
	Consequences Consequences
	// Providers builds a connection's client from its kind and settings;
	// the program registers every tracker it links in. A connection of a
	// kind it lacks cannot be used, like a disabled one.
	Providers *tracker.Registry
	// SearchConcurrency is how many chunk searches a sync runs at once;
	// DefaultSearchConcurrency when zero.
	SearchConcurrency int
	// Now is the clock; tests replace it.
	Now    func() time.Time
	Logger *slog.Logger

	mu       sync.Mutex
	clients  map[string]client // by connection id
	rejected rejections
	// deliveries lets concurrent webhook deliveries share one commit.
	deliveries groupcommit.Group[WebhookDelivery, bool]
	// hookTargets lets concurrent webhook deliveries share one read of
	// their connection and secret.
	hookTargets groupcommit.Group[string, hookRead]
}

// client is a tenant's connection with the factory of its kind and the
// provider built from it. One is kept per connection version, so pacing
// and the circuit breaker see all of a tenant's traffic.
type client struct {
	conn    Connection
	kind    tracker.Factory
	tracker tracker.Provider
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

// errNoConnection is why nothing can be done with a tenant's tracker before
// an admin connects one.
func errNoConnection() error {
	return apperr.E(apperr.Conflict, "no issue tracker is connected: an admin can connect one under Settings")
}

// connection returns the tenant's connection with id (its first when id is
// empty) and the factory of its kind: a Conflict error when there is no
// such connection or its kind is not registered.
func (s *Service) connection(ctx context.Context, tenantID, id string) (Connection, tracker.Factory, error) {
	c, err := s.Store.TrackerConnection(ctx, tenantID, id)
	if apperr.Is(err, apperr.NotFound) {
		if id != "" {
			return Connection{}, tracker.Factory{}, apperr.E(apperr.Conflict,
				"the tracker connection %s no longer exists: an admin can route the application to another under Settings", id)
		}
		return Connection{}, tracker.Factory{}, errNoConnection()
	}
	if err != nil {
		return Connection{}, tracker.Factory{}, fmt.Errorf("tracker connection of tenant %s: %w", tenantID, err)
	}
	f, ok := s.Providers.Lookup(c.Kind)
	if !ok {
		return c, f, apperr.E(apperr.Conflict, "the tracker connection is of kind %q, which this server does not support", c.Kind)
	}
	return c, f, nil
}

// provider returns the client of the tenant's connection with id (its
// first when id is empty), or a Conflict error when there is no such
// connection or it is disabled.
func (s *Service) provider(ctx context.Context, tenantID, id string) (client, error) {
	c, f, err := s.connection(ctx, tenantID, id)
	if err != nil {
		return client{}, err
	}
	if !c.Enabled {
		msg := "the " + f.Name + " connection is disabled"
		if c.DisabledReason != "" {
			msg += ": " + c.DisabledReason
		}
		return client{}, apperr.E(apperr.Conflict, "%s", msg)
	}
	s.mu.Lock()
	cached, ok := s.clients[c.ID]
	s.mu.Unlock()
	if ok && cached.conn.UpdatedAt.Equal(c.UpdatedAt) {
		return cached, nil
	}
	cl, err := s.build(ctx, c, f)
	if err != nil {
		return client{}, err
	}
	s.mu.Lock()
	if s.clients == nil {
		s.clients = map[string]client{}
	}
	s.clients[c.ID] = cl
	s.mu.Unlock()
	return cl, nil
}

// build makes the client of a stored connection with its token.
func (s *Service) build(ctx context.Context, c Connection, f tracker.Factory) (client, error) {
	token, err := s.Store.TrackerToken(ctx, c.TenantID, c.ID)
	if apperr.Is(err, apperr.NotFound) {
		return client{}, apperr.E(apperr.Conflict, "the %s connection has no token: an admin must save it again", f.Name)
	}
	if err != nil {
		return client{}, fmt.Errorf("token of connection %s of tenant %s: %w", c.ID, c.TenantID, err)
	}
	p, err := f.New(tracker.Settings{BaseURL: c.BaseURL, Username: c.Username, Token: string(token)})
	if err != nil {
		return client{}, fmt.Errorf("%s client of tenant %s: %w", c.Kind, c.TenantID, err)
	}
	return client{conn: c, kind: f, tracker: p}, nil
}

// forget drops a connection's cached client after it changed.
func (s *Service) forget(connectionID string) {
	s.mu.Lock()
	delete(s.clients, connectionID)
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

package llmconfig

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/vendorsync/vendorsync/internal/httpx"
	"github.com/vendorsync/vendorsync/internal/registry"
	"github.com/vendorsync/vendorsync/internal/triage"
)

// DefaultCacheTTL is how long a tenant's built agent is reused; changes
// made through this replica's Service apply at once, those made on another
// replica within the TTL.
const DefaultCacheTTL = 30 * time.Second

// Triager decides emails with the tenant's configured model, or offline
// when none is configured; the email pipeline's Triager. The agents it
// builds are cached in its Service, which drops a tenant's agent when the
// tenant's configuration changes.
type Triager struct {
	Service *Service
	// TTL overrides DefaultCacheTTL.
	TTL time.Duration
	// Logger is told when the primary model was passed over.
	Logger *slog.Logger
	// Options tune the clients (tests shorten retries).
	Options Options
}

// agentCache keeps each tenant's built agent until its configuration
// changes or its TTL passes.
type agentCache struct {
	mu     sync.Mutex
	agents map[string]cachedAgent
}

type cachedAgent struct {
	agent *triage.Agent
	until time.Time
}

func (c *agentCache) get(tenantID string, now time.Time) (*triage.Agent, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	a, ok := c.agents[tenantID]
	if !ok || !now.Before(a.until) {
		return nil, false
	}
	return a.agent, true
}

func (c *agentCache) put(tenantID string, a *triage.Agent, until time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.agents == nil {
		c.agents = map[string]cachedAgent{}
	}
	c.agents[tenantID] = cachedAgent{agent: a, until: until}
}

func (c *agentCache) drop(tenantID string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.agents, tenantID)
}

// Decide triages one email of the tenant with its current configuration.
func (t *Triager) Decide(ctx context.Context, tenantID string, e triage.Email, snap registry.Snapshot, s triage.Settings) (triage.Decision, error) {
	a, err := t.agent(ctx, tenantID)
	if err != nil {
		return triage.Decision{}, err
	}
	return a.Decide(ctx, e, snap, s)
}

// agent returns the tenant's agent, building it when not cached.
func (t *Triager) agent(ctx context.Context, tenantID string) (*triage.Agent, error) {
	now := time.Now()
	if a, ok := t.Service.agents.get(tenantID, now); ok {
		return a, nil
	}
	cfg, err := t.Service.load(ctx, tenantID)
	if err != nil {
		return nil, fmt.Errorf("llmconfig.Triager tenant %s: %w", tenantID, err)
	}
	keys, err := t.Service.keys(ctx, tenantID, cfg)
	if err != nil {
		return nil, fmt.Errorf("llmconfig.Triager tenant %s: %w", tenantID, err)
	}
	opts := t.Options
	if opts.Telemetry == (httpx.Telemetry{}) {
		opts.Telemetry = t.Service.Telemetry
	}
	if opts.OnFallback == nil {
		opts.OnFallback = func(primary string, err error) {
			// The agent is cached across requests, so no request's context is used.
			t.logger().Warn("llm primary failed, asking the fallback", "tenant_id", tenantID,
				"primary", primary, "kind", string(httpx.KindOf(err)))
		}
	}
	client, err := BuildWith(cfg, keys, opts)
	if err != nil {
		return nil, fmt.Errorf("llmconfig.Triager tenant %s: %w", tenantID, err)
	}
	a := &triage.Agent{LLM: client, OfflineWhenUnavailable: cfg.OfflineWhenUnavailable}
	ttl := t.TTL
	if ttl <= 0 {
		ttl = DefaultCacheTTL
	}
	t.Service.agents.put(tenantID, a, now.Add(ttl))
	return a, nil
}

func (t *Triager) logger() *slog.Logger {
	if t.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return t.Logger
}

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
// made on this replica apply at once (Invalidate), those made on another
// within the TTL.
const DefaultCacheTTL = 30 * time.Second

// Triager decides emails with the tenant's configured model, or offline
// when none is configured; the email pipeline's Triager.
type Triager struct {
	Service *Service
	// TTL overrides DefaultCacheTTL.
	TTL time.Duration
	// Logger is told when the primary model was passed over.
	Logger *slog.Logger
	// Options tune the clients (tests shorten retries).
	Options Options

	mu    sync.Mutex
	cache map[string]cachedAgent
}

type cachedAgent struct {
	agent *triage.Agent
	until time.Time
}

// Decide triages one email of the tenant with its current configuration.
func (t *Triager) Decide(ctx context.Context, tenantID string, e triage.Email, snap registry.Snapshot, s triage.Settings) (triage.Decision, error) {
	a, err := t.agent(ctx, tenantID)
	if err != nil {
		return triage.Decision{}, err
	}
	return a.Decide(ctx, e, snap, s)
}

// Invalidate drops the tenant's cached agent; Service.OnChange.
func (t *Triager) Invalidate(tenantID string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.cache, tenantID)
}

// agent returns the tenant's agent, building it when not cached.
func (t *Triager) agent(ctx context.Context, tenantID string) (*triage.Agent, error) {
	now := time.Now()
	t.mu.Lock()
	c, ok := t.cache[tenantID]
	t.mu.Unlock()
	if ok && now.Before(c.until) {
		return c.agent, nil
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
	t.mu.Lock()
	if t.cache == nil {
		t.cache = map[string]cachedAgent{}
	}
	t.cache[tenantID] = cachedAgent{agent: a, until: now.Add(ttl)}
	t.mu.Unlock()
	return a, nil
}

func (t *Triager) logger() *slog.Logger {
	if t.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return t.Logger
}

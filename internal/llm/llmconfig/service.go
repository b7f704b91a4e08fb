package llmconfig

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"reflect"
	"slices"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/audit"
	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/httpx"
)

// Store keeps the configuration and its keys.
type Store interface {
	// LLMConfig returns the stored configuration's JSON, "" when none.
	LLMConfig(ctx context.Context, tenantID string) (string, error)
	// LLMKey decrypts a slot's API key; apperr.NotFound when none.
	LLMKey(ctx context.Context, tenantID, slot string) ([]byte, error)
	// LLMKeysSet reports which slots have a stored key.
	LLMKeysSet(ctx context.Context, tenantID string) (map[string]bool, error)
	// SaveLLMConfig writes the configuration, stores the keys in set,
	// deletes those in del, and writes the audit row, in one transaction.
	SaveLLMConfig(ctx context.Context, tenantID, config string, set map[string][]byte, del []string, updatedBy string, ev audit.Event) error
}

// ProviderView is a provider's configuration as shown: never its key.
type ProviderView struct {
	ProviderConfig
	APIKeySet bool `json:"api_key_set" doc:"Whether an API key is stored; the key itself is never returned."`
}

// ConfigView is the configuration as shown.
type ConfigView struct {
	Primary                *ProviderView `json:"primary,omitempty" doc:"Absent when no primary model is configured (offline triage)."`
	Fallback               *ProviderView `json:"fallback,omitempty" doc:"Absent when no fallback model is configured."`
	OfflineWhenUnavailable bool          `json:"offline_when_unavailable"`
}

// Service reads and changes a tenant's language-model settings. Every
// method needs PermEditIntegrations.
type Service struct {
	Store Store
	// HTTPClient's Transport carries the test requests; nil means
	// http.DefaultTransport.
	HTTPClient *http.Client
	// Telemetry receives the model calls\' metrics and debug logs.
	Telemetry httpx.Telemetry
	// Logger receives test outcomes; never keys.
	Logger *slog.Logger

	// agents are the Triager's built agents, dropped when a tenant's
	// configuration changes here.
	agents agentCache
}

// load returns the stored configuration; the zero Config when none.
func (s *Service) load(ctx context.Context, tenantID string) (Config, error) {
	raw, err := s.Store.LLMConfig(ctx, tenantID)
	if err != nil {
		return Config{}, fmt.Errorf("load configuration: %w", err)
	}
	var cfg Config
	if raw == "" {
		return cfg, nil
	}
	if err := json.Unmarshal([]byte(raw), &cfg); err != nil {
		return Config{}, apperr.Wrap(apperr.Internal, err, "stored language model settings are not valid JSON")
	}
	return cfg, nil
}

// keys decrypts the keys of the configured slots.
func (s *Service) keys(ctx context.Context, tenantID string, cfg Config) (Keys, error) {
	var k Keys
	for _, slot := range []string{SlotPrimary, SlotFallback} {
		if cfg.slot(slot) == nil {
			continue
		}
		b, err := s.Store.LLMKey(ctx, tenantID, slot)
		switch {
		case apperr.Is(err, apperr.NotFound):
			continue
		case err != nil:
			return Keys{}, fmt.Errorf("read %s key: %w", slot, err)
		}
		if slot == SlotPrimary {
			k.Primary = string(b)
		} else {
			k.Fallback = string(b)
		}
	}
	return k, nil
}

// Get returns the configuration, with which keys are stored.
func (s *Service) Get(ctx context.Context, p auth.Principal) (ConfigView, error) {
	if err := p.Require(auth.PermEditIntegrations); err != nil {
		return ConfigView{}, err
	}
	cfg, err := s.load(ctx, p.TenantID)
	if err != nil {
		return ConfigView{}, err
	}
	set, err := s.Store.LLMKeysSet(ctx, p.TenantID)
	if err != nil {
		return ConfigView{}, fmt.Errorf("llmconfig.Get: %w", err)
	}
	return viewOf(cfg, set), nil
}

func viewOf(cfg Config, set map[string]bool) ConfigView {
	v := ConfigView{OfflineWhenUnavailable: cfg.OfflineWhenUnavailable}
	if cfg.Primary != nil {
		v.Primary = &ProviderView{ProviderConfig: *cfg.Primary, APIKeySet: set[SlotPrimary]}
	}
	if cfg.Fallback != nil {
		v.Fallback = &ProviderView{ProviderConfig: *cfg.Fallback, APIKeySet: set[SlotFallback]}
	}
	return v
}

// Update replaces the configuration. A non-empty key replaces the slot's
// stored key; an empty one keeps it, unless the slot now sends it to
// another provider or endpoint (then a new key is required, so a stored key
// can never be redirected) or keys.Clear names the slot. Removing a slot
// deletes its key.
func (s *Service) Update(ctx context.Context, p auth.Principal, cfg Config, keys Keys) (ConfigView, error) {
	if err := p.Require(auth.PermEditIntegrations); err != nil {
		return ConfigView{}, err
	}
	cur, err := s.load(ctx, p.TenantID)
	if err != nil {
		return ConfigView{}, err
	}
	stored, err := s.Store.LLMKeysSet(ctx, p.TenantID)
	if err != nil {
		return ConfigView{}, fmt.Errorf("llmconfig.Update: %w", err)
	}
	cfg = cloneConfig(cfg)
	set, keySet := map[string][]byte{}, map[string]bool{}
	var del []string
	for _, slot := range []string{SlotPrimary, SlotFallback} {
		next, given := cfg.slot(slot), keys.of(slot)
		keep := stored[slot] && next != nil && destination(cur.slot(slot)) == destination(next) && !slices.Contains(keys.Clear, slot)
		switch {
		case next != nil && given != "":
			set[slot], keySet[slot] = []byte(given), true
		case keep:
			keySet[slot] = true
		case stored[slot]:
			del = append(del, slot)
		}
	}
	if err := normalize(&cfg, keySet); err != nil {
		return ConfigView{}, err
	}
	if len(set) == 0 && len(del) == 0 && reflect.DeepEqual(cur, cfg) {
		return viewOf(cfg, keySet), nil
	}
	raw, err := json.Marshal(cfg)
	if err != nil {
		return ConfigView{}, fmt.Errorf("llmconfig.Update: encode: %w", err)
	}
	var flags []string
	for _, slot := range []string{SlotPrimary, SlotFallback} {
		if set[slot] != nil {
			flags = append(flags, slot+"_key_changed")
		}
	}
	for _, slot := range del {
		flags = append(flags, slot+"_key_deleted")
	}
	ev := audit.Record(p, "llm.update", "settings", SettingKey, cur, cfg, flags...)
	if err := s.Store.SaveLLMConfig(ctx, p.TenantID, string(raw), set, del, p.Label, ev); err != nil {
		return ConfigView{}, fmt.Errorf("llmconfig.Update: %w", err)
	}
	s.agents.drop(p.TenantID)
	return viewOf(cfg, keySet), nil
}

func cloneConfig(c Config) Config {
	if c.Primary != nil {
		pc := *c.Primary
		c.Primary = &pc
	}
	if c.Fallback != nil {
		pc := *c.Fallback
		c.Fallback = &pc
	}
	return c
}

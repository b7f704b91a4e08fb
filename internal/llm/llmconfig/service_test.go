package llmconfig_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/audit"
	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/llm/llmconfig"
	"github.com/vendorsync/vendorsync/internal/setting"
	"github.com/vendorsync/vendorsync/internal/sqlstore"
	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
)

// fixture is the service on a real store with one tenant.
type fixture struct {
	db  *sqlstore.DB
	svc *llmconfig.Service
	p   auth.Principal
}

func newFixture(t *testing.T, db *sqlstore.DB) *fixture {
	t.Helper()
	b, err := (&auth.Service{Store: db, Keys: db.Keys}).CreateTenant(context.Background(), "acme", "Acme", "admin@acme.test")
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{db: db, svc: &llmconfig.Service{Store: db}, p: b.Admin.Principal()}
}

func fieldsOf(t *testing.T, err error) []string {
	t.Helper()
	if !apperr.Is(err, apperr.Invalid) {
		t.Fatalf("err = %v, want a validation error", err)
	}
	var out []string
	for _, f := range apperr.FieldsOf(err) {
		out = append(out, f.Field)
	}
	slices.Sort(out)
	return out
}

const (
	primaryKey  = "sk-primary-key-do-not-log"
	fallbackKey = "sk-ant-fallback-key-do-not-log"
)

func TestDefaultIsOffline(t *testing.T) {
	f := newFixture(t, storetest.Open(t, sqlstore.SQLite))
	v, err := f.svc.Get(context.Background(), f.p)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(llmconfig.ConfigView{}, v); diff != "" {
		t.Errorf("default view (-want +got):\n%s", diff)
	}
	c, err := llmconfig.Build(llmconfig.Config{}, llmconfig.Keys{})
	if err != nil || c != nil {
		t.Errorf("Build(nothing) = %v, %v; want nil: offline triage", c, err)
	}
}

func TestStoreAndKeysAreWriteOnly(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		cfg := llmconfig.Config{
			Primary:                &llmconfig.ProviderConfig{Provider: llmconfig.OpenAI, Model: " gpt-4o-mini ", TimeoutSeconds: 30},
			Fallback:               &llmconfig.ProviderConfig{Provider: llmconfig.Anthropic, Model: "claude-sonnet-4-5"},
			OfflineWhenUnavailable: true,
		}
		v, err := f.svc.Update(ctx, f.p, cfg, llmconfig.Keys{Primary: primaryKey, Fallback: fallbackKey})
		if err != nil {
			t.Fatal(err)
		}
		want := llmconfig.ConfigView{
			Primary:                &llmconfig.ProviderView{ProviderConfig: llmconfig.ProviderConfig{Provider: llmconfig.OpenAI, Model: "gpt-4o-mini", TimeoutSeconds: 30}, APIKeySet: true},
			Fallback:               &llmconfig.ProviderView{ProviderConfig: llmconfig.ProviderConfig{Provider: llmconfig.Anthropic, Model: "claude-sonnet-4-5"}, APIKeySet: true},
			OfflineWhenUnavailable: true,
		}
		if diff := cmp.Diff(want, v); diff != "" {
			t.Errorf("view after update (-want +got):\n%s", diff)
		}
		got, err := f.svc.Get(ctx, f.p)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("view read back (-want +got):\n%s", diff)
		}
		key, err := db.LLMKey(ctx, f.p.TenantID, llmconfig.SlotPrimary)
		if err != nil || string(key) != primaryKey {
			t.Errorf("stored primary key = %q, %v", key, err)
		}

		t.Run("system settings are untouched and keep working", func(t *testing.T) {
			st, err := (&setting.Service{Store: db}).Get(ctx, f.p.TenantID)
			if err != nil || st.Timezone != setting.Defaults().Timezone {
				t.Errorf("settings = %+v, %v", st, err)
			}
		})
		t.Run("keys are kept while provider and endpoint stay", func(t *testing.T) {
			cfg.Primary.Model = "gpt-4o"
			v, err := f.svc.Update(ctx, f.p, cfg, llmconfig.Keys{})
			if err != nil || !v.Primary.APIKeySet || !v.Fallback.APIKeySet {
				t.Fatalf("Update without keys = %+v, %v", v, err)
			}
		})
		t.Run("a new endpoint needs the key again", func(t *testing.T) {
			moved := cfg
			moved.Primary = &llmconfig.ProviderConfig{Provider: llmconfig.OpenAI, Model: "gpt-4o", BaseURL: "https://proxy.example.com/v1"}
			_, err := f.svc.Update(ctx, f.p, moved, llmconfig.Keys{})
			if diff := cmp.Diff([]string{"primary.api_key"}, fieldsOf(t, err)); diff != "" {
				t.Errorf("fields (-want +got):\n%s", diff)
			}
		})
		t.Run("removing the fallback deletes its key", func(t *testing.T) {
			cfg.Fallback = nil
			v, err := f.svc.Update(ctx, f.p, cfg, llmconfig.Keys{})
			if err != nil || v.Fallback != nil {
				t.Fatalf("Update = %+v, %v", v, err)
			}
			if _, err := db.LLMKey(ctx, f.p.TenantID, llmconfig.SlotFallback); !apperr.Is(err, apperr.NotFound) {
				t.Errorf("fallback key after removal: %v, want NotFound", err)
			}
		})
		t.Run("no key in audit rows or the view's JSON", func(t *testing.T) {
			entries, _, err := db.ListAudit(ctx, f.p.TenantID, audit.Filter{Limit: 500})
			if err != nil {
				t.Fatal(err)
			}
			view, err := f.svc.Get(ctx, f.p)
			if err != nil {
				t.Fatal(err)
			}
			b, err := json.Marshal([]any{entries, view})
			if err != nil {
				t.Fatal(err)
			}
			for _, k := range []string{primaryKey, fallbackKey} {
				if strings.Contains(string(b), k) {
					t.Errorf("key %q appears in the audit log or the view", k)
				}
			}
			if !strings.Contains(string(b), "primary_key_changed") {
				t.Errorf("the audit log does not say the key changed: %s", b)
			}
		})
		t.Run("tenant wall", func(t *testing.T) {
			b, err := (&auth.Service{Store: db, Keys: db.Keys}).CreateTenant(ctx, "other", "Other", "admin@other.test")
			if err != nil {
				t.Fatal(err)
			}
			v, err := f.svc.Get(ctx, b.Admin.Principal())
			if err != nil || v.Primary != nil {
				t.Errorf("other tenant's view = %+v, %v", v, err)
			}
		})
	})
}

func TestValidation(t *testing.T) {
	f := newFixture(t, storetest.Open(t, sqlstore.SQLite))
	pc := func(p llmconfig.Provider, model, base string) *llmconfig.ProviderConfig {
		return &llmconfig.ProviderConfig{Provider: p, Model: model, BaseURL: base}
	}
	tests := map[string]struct {
		cfg  llmconfig.Config
		keys llmconfig.Keys
		want []string
	}{
		"fallback without primary": {llmconfig.Config{Fallback: pc(llmconfig.Gemini, "gemini-2.5-flash", "")}, llmconfig.Keys{Fallback: "k"}, []string{"fallback"}},
		"unknown provider, no model, no key": {llmconfig.Config{Primary: pc("mistral", "", "")}, llmconfig.Keys{},
			[]string{"primary.api_key", "primary.model", "primary.provider"}},
		"azure needs endpoint and version": {llmconfig.Config{Primary: pc(llmconfig.AzureOpenAI, "gpt-4o", "")}, llmconfig.Keys{Primary: "k"},
			[]string{"primary.azure_api_version", "primary.base_url"}},
		"compatible needs a base URL but no key": {llmconfig.Config{Primary: pc(llmconfig.OpenAICompatible, "llama3.1", "")}, llmconfig.Keys{},
			[]string{"primary.base_url"}},
		"keys only over https": {llmconfig.Config{Primary: pc(llmconfig.OpenAI, "gpt-4o", "http://proxy.example.com/v1"),
			Fallback: &llmconfig.ProviderConfig{Provider: llmconfig.Anthropic, Model: "c", TimeoutSeconds: 9000}}, llmconfig.Keys{Primary: "k", Fallback: "k"},
			[]string{"fallback.timeout_seconds", "primary.base_url"}},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := f.svc.Update(context.Background(), f.p, tt.cfg, tt.keys)
			if diff := cmp.Diff(tt.want, fieldsOf(t, err)); diff != "" {
				t.Errorf("fields (-want +got):\n%s", diff)
			}
		})
	}
	t.Run("an Ollama on the network over http is fine", func(t *testing.T) {
		_, err := f.svc.Update(context.Background(), f.p, llmconfig.Config{Primary: pc(llmconfig.OpenAICompatible, "llama3.1", "http://10.0.0.5:11434/v1")}, llmconfig.Keys{})
		if err != nil {
			t.Fatal(err)
		}
	})
	t.Run("viewer", func(t *testing.T) {
		viewer := f.p
		viewer.Role = auth.RoleViewer
		if _, err := f.svc.Get(context.Background(), viewer); !apperr.Is(err, apperr.Forbidden) {
			t.Errorf("Get as viewer = %v, want Forbidden", err)
		}
	})
}

package llmconfig_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/llm/llmconfig"
	"github.com/vendorsync/vendorsync/internal/llm/llmtest"
	"github.com/vendorsync/vendorsync/internal/registry"
	"github.com/vendorsync/vendorsync/internal/sqlstore"
	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
	"github.com/vendorsync/vendorsync/internal/triage"
)

// snapshot is a small registry: Visa (tier 1) and one payment application.
func snapshot() registry.Snapshot {
	return registry.Snapshot{
		Vendors: []registry.Vendor{{ID: "v-visa", Name: "Visa", Tier: registry.Tier1, EmailDomains: []string{"visa.com"}, IsActive: true}},
		Applications: []registry.Application{{ID: "app-payment", Name: "PaymentService", IsCritical: true, VendorIDs: []string{"v-visa"},
			Description: "Calls the Visa authorization v2 endpoint on every card payment.", IsActive: true}},
	}
}

func visaEmail() triage.Email {
	return triage.Email{MessageID: "n-1@visa.com", FromAddress: "developer-notices@visa.com", FromName: "Visa Developer Platform",
		Subject: "Action required: authorization endpoint URL change", Date: time.Date(2027, 3, 1, 9, 0, 0, 0, time.UTC),
		Body: "The Visa authorization v2 endpoint moves on 2027-04-20. Update your integration before then; the old URL stops working."}
}

func settings() triage.Settings {
	return triage.Settings{Now: time.Date(2027, 3, 1, 12, 0, 0, 0, time.UTC)}
}

// answer is a decision as a model writes it, with fields replaced.
func answer(t *testing.T, fields map[string]any) string {
	t.Helper()
	a := map[string]any{
		"classification": "actionable", "vendor_id": "v-visa", "topic": "Authorization endpoint URL change",
		"effective_date": "2027-04-20", "is_breaking": true, "affected_application_ids": []string{"app-payment"},
		"severity": "high", "owner_team": "", "sla_days": 14, "alert_channel": "", "matched_rule_ids": []string{},
		"reasoning": "PaymentService calls the Visa authorization endpoint.",
	}
	for k, v := range fields {
		a[k] = v
	}
	b, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestTriager(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, storetest.Open(t, sqlstore.SQLite))
	tr := &llmconfig.Triager{Service: f.svc, Options: llmconfig.Options{MaxRetries: -1}}
	configure := func(t *testing.T, cfg llmconfig.Config, keys llmconfig.Keys) {
		t.Helper()
		if _, err := f.svc.Update(ctx, f.p, cfg, keys); err != nil {
			t.Fatal(err)
		}
	}
	openAI := func(url string) *llmconfig.ProviderConfig {
		return &llmconfig.ProviderConfig{Provider: llmconfig.OpenAI, Model: "gpt-4o", BaseURL: url + "/v1", TimeoutSeconds: 5}
	}
	anthropic := func(url string) *llmconfig.ProviderConfig {
		return &llmconfig.ProviderConfig{Provider: llmconfig.Anthropic, Model: "claude-sonnet-4-5", BaseURL: url, TimeoutSeconds: 5}
	}
	rejected := llmtest.Reply{Status: http.StatusUnauthorized, Body: llmtest.OpenAIError("invalid_request_error", "invalid_api_key", "Incorrect API key provided.")}
	schema := triage.DecisionSchema().Name

	t.Run("nothing configured: offline", func(t *testing.T) {
		d, err := tr.Decide(ctx, f.p.TenantID, visaEmail(), snapshot(), settings())
		if err != nil || d.Source != triage.SourceOffline || d.VendorID != "v-visa" {
			t.Fatalf("decision = %+v, %v", d, err)
		}
	})
	t.Run("the primary decides", func(t *testing.T) {
		srv := llmtest.NewServer(t, llmtest.Reply{Body: llmtest.OpenAIChat(answer(t, nil))})
		configure(t, llmconfig.Config{Primary: openAI(srv.URL)}, llmconfig.Keys{Primary: "sk-1"})
		d, err := tr.Decide(ctx, f.p.TenantID, visaEmail(), snapshot(), settings())
		if err != nil || d.Source != triage.SourceLLM || d.LLMProvider != "openai:gpt-4o" {
			t.Fatalf("decision = %+v, %v", d, err)
		}
	})
	t.Run("a hostile primary's invented ids are dropped", func(t *testing.T) {
		srv := llmtest.NewServer(t, llmtest.Reply{Body: llmtest.OpenAIChat(answer(t, map[string]any{
			"affected_application_ids": []string{"app-payment", "app-ghost"}, "severity": "low", "owner_team": "team-evil"}))})
		configure(t, llmconfig.Config{Primary: openAI(srv.URL)}, llmconfig.Keys{Primary: "sk-1"})
		d, err := tr.Decide(ctx, f.p.TenantID, visaEmail(), snapshot(), settings())
		if err != nil {
			t.Fatal(err)
		}
		if len(d.AffectedApplicationIDs) != 1 || d.OwnerTeam != "" || d.Severity == registry.SeverityLow {
			t.Errorf("apps %v, owner %q, severity %s: the hostile answer survived", d.AffectedApplicationIDs, d.OwnerTeam, d.Severity)
		}
	})
	t.Run("a failing primary hands over to the fallback", func(t *testing.T) {
		primary := llmtest.NewServer(t, rejected)
		fallback := llmtest.NewServer(t, llmtest.Reply{Body: llmtest.AnthropicToolUse(schema, answer(t, nil))})
		configure(t, llmconfig.Config{Primary: openAI(primary.URL), Fallback: anthropic(fallback.URL)}, llmconfig.Keys{Primary: "sk-bad", Fallback: "sk-ant"})
		d, err := tr.Decide(ctx, f.p.TenantID, visaEmail(), snapshot(), settings())
		if err != nil || d.Source != triage.SourceLLM || d.LLMProvider != "anthropic:claude-sonnet-4-5" {
			t.Fatalf("decision = %+v, %v", d, err)
		}
		if len(primary.Requests()) != 1 || len(fallback.Requests()) != 1 {
			t.Errorf("requests: primary %d, fallback %d", len(primary.Requests()), len(fallback.Requests()))
		}
	})
	t.Run("malformed answers go to a human, not to the fallback", func(t *testing.T) {
		primary := llmtest.NewServer(t, llmtest.Reply{Body: llmtest.OpenAIChat(`{"classification": "actionable", "vendor_id": `)})
		fallback := llmtest.NewServer(t, llmtest.Reply{Body: llmtest.AnthropicToolUse(schema, answer(t, nil))})
		configure(t, llmconfig.Config{Primary: openAI(primary.URL), Fallback: anthropic(fallback.URL), OfflineWhenUnavailable: true},
			llmconfig.Keys{Primary: "sk-1", Fallback: "sk-ant"})
		_, err := tr.Decide(ctx, f.p.TenantID, visaEmail(), snapshot(), settings())
		if !errors.Is(err, triage.ErrNeedsHuman) {
			t.Fatalf("err = %v, want ErrNeedsHuman", err)
		}
	})
	t.Run("no model answers: offline when configured so", func(t *testing.T) {
		primary := llmtest.NewServer(t, rejected)
		configure(t, llmconfig.Config{Primary: openAI(primary.URL), OfflineWhenUnavailable: true}, llmconfig.Keys{Primary: "sk-bad"})
		d, err := tr.Decide(ctx, f.p.TenantID, visaEmail(), snapshot(), settings())
		if err != nil || d.Source != triage.SourceOffline {
			t.Fatalf("decision = %+v, %v", d, err)
		}
		found := false
		for _, o := range d.Overrides {
			found = found || o.Field == "source"
		}
		if !found {
			t.Errorf("the fallback to offline triage is not recorded: %+v", d.Overrides)
		}
	})
	t.Run("no model answers: unavailable otherwise", func(t *testing.T) {
		primary := llmtest.NewServer(t, rejected)
		configure(t, llmconfig.Config{Primary: openAI(primary.URL)}, llmconfig.Keys{Primary: "sk-bad"})
		_, err := tr.Decide(ctx, f.p.TenantID, visaEmail(), snapshot(), settings())
		if !apperr.Is(err, apperr.Unavailable) {
			t.Fatalf("err = %v, want Unavailable (the job retries later)", err)
		}
	})
	t.Run("cached until the configuration changes", func(t *testing.T) {
		srv := llmtest.NewServer(t, llmtest.Reply{Body: llmtest.OpenAIChat(answer(t, nil))})
		configure(t, llmconfig.Config{Primary: openAI(srv.URL)}, llmconfig.Keys{Primary: "sk-1"})
		for range 2 {
			if _, err := tr.Decide(ctx, f.p.TenantID, visaEmail(), snapshot(), settings()); err != nil {
				t.Fatal(err)
			}
		}
		configure(t, llmconfig.Config{}, llmconfig.Keys{})
		d, err := tr.Decide(ctx, f.p.TenantID, visaEmail(), snapshot(), settings())
		if err != nil || d.Source != triage.SourceOffline || len(srv.Requests()) != 2 {
			t.Errorf("after switching to offline: %s decision, %v; model asked %d times", d.Source, err, len(srv.Requests()))
		}
	})
}

package triage

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/httpx"
	"github.com/vendorsync/vendorsync/internal/llm/anthropic"
	"github.com/vendorsync/vendorsync/internal/llm/llmtest"
	"github.com/vendorsync/vendorsync/internal/llm/openai"
	"github.com/vendorsync/vendorsync/internal/registry"
)

// modelAnswer is a decision as the model writes it.
func modelAnswer(t *testing.T, fields map[string]any) string {
	t.Helper()
	a := map[string]any{
		"classification": "actionable", "vendor_id": "v-visa", "topic": "Authorization endpoint URL change",
		"effective_date": "2027-04-20", "is_breaking": true, "affected_application_ids": []string{"app-payment", "app-risk"},
		"severity": "critical", "owner_team": "team-payments", "sla_days": 14, "alert_channel": "#payments-changes",
		"matched_rule_ids": []string{"rule-card-auth"},
		"reasoning":        "PaymentService calls the Visa authorization v2 endpoint; RiskEngine reads the authorization response.",
		"summary":          "Visa moves the authorization v2 endpoint to auth.api.visa.com on April 20, 2027. Update the endpoint URL before then.",
	}
	for k, v := range fields {
		if v == nil {
			delete(a, k)
		} else {
			a[k] = v
		}
	}
	b, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// openAIAgent is an Agent whose model is an in-process OpenAI-compatible
// server answering with the given message contents, in order.
func openAIAgent(t *testing.T, answers ...string) (*Agent, *llmtest.Server) {
	t.Helper()
	var replies []llmtest.Reply
	for _, a := range answers {
		replies = append(replies, llmtest.Reply{Body: llmtest.OpenAIChat(a)})
	}
	srv := llmtest.NewServer(t, replies...)
	c, err := openai.New(openai.Config{APIKey: "sk-test", BaseURL: srv.URL + "/v1", Model: "gpt-4o", MaxRetries: -1, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return &Agent{LLM: c}, srv
}

func email(t *testing.T, file string) Email {
	t.Helper()
	return loadEmail(t, file).email
}

func TestLLMDecisionAcceptedAsProposed(t *testing.T) {
	agent, srv := openAIAgent(t, modelAnswer(t, nil))
	d, err := agent.Decide(context.Background(), email(t, "01_visa_endpoint.eml"), testRegistry(), testSettings())
	if err != nil {
		t.Fatal(err)
	}
	want := Decision{
		Classification: Actionable, VendorID: "v-visa", Topic: "Authorization endpoint URL change",
		EffectiveDate: Date{2027, time.April, 20}, IsBreaking: true, AffectedApplicationIDs: []string{"app-payment", "app-risk"},
		Severity: registry.SeverityCritical, OwnerTeam: "team-payments", SLADays: 14, AlertChannel: "#payments-changes",
		MatchedRuleIDs: []string{"rule-card-auth"},
		Reasoning:      "PaymentService calls the Visa authorization v2 endpoint; RiskEngine reads the authorization response.",
		Summary:        "Visa moves the authorization v2 endpoint to auth.api.visa.com on April 20, 2027. Update the endpoint URL before then.",
		Source:         SourceLLM, Overrides: []Override{}, LLMProvider: "openai:gpt-4o", LLMModel: "gpt-4o-2024-08-06",
		Confidence: 0.9,
		Evidence: Evidence{Vendor: "sender domain visa.com matches vendor Visa (visa.com) (100%)",
			Applications: "2 application(s), each using Visa (90%)", Severity: "critical from 1 matched rule(s) and the severity table",
			Date: `2027-04-20 from "endpoint URL change effective April 20, 2027" (95%)`},
	}
	if diff := cmp.Diff(want, d, cmp.FilterPath(func(p cmp.Path) bool { return p.String() == "LLMRaw" }, cmp.Ignore())); diff != "" {
		t.Errorf("decision (-want +got):\n%s", diff)
	}
	if !strings.Contains(d.LLMRaw, "chatcmpl-") {
		t.Errorf("raw answer not kept: %q", d.LLMRaw)
	}

	req := srv.Requests()[0].JSON(t)
	rf := req["response_format"].(map[string]any)["json_schema"].(map[string]any)
	if rf["name"] != schemaName || rf["strict"] != true {
		t.Errorf("response_format = %v", rf)
	}
	msgs := req["messages"].([]any)
	system, user := msgs[0].(map[string]any)["content"].(string), msgs[1].(map[string]any)["content"].(string)
	if !strings.Contains(system, "untrusted data") || !strings.Contains(user, "<email>\nFrom: Visa Developer Platform <developer-notices@visa.com>") ||
		!strings.Contains(user, `"id": "rule-card-auth"`) || !strings.Contains(user, "Today is 2027-03-01") {
		t.Errorf("prompt lacks the rules, the email or the registry:\nSYSTEM:\n%s\nUSER:\n%s", system, user)
	}
}

func TestLLMDecisionThroughAnthropic(t *testing.T) {
	srv := llmtest.NewServer(t, llmtest.Reply{Body: llmtest.AnthropicToolUse(schemaName, modelAnswer(t, nil))})
	c, err := anthropic.New(anthropic.Config{APIKey: "sk-ant", BaseURL: srv.URL, Model: "claude-sonnet-4-5", MaxRetries: -1})
	if err != nil {
		t.Fatal(err)
	}
	d, err := (&Agent{LLM: c}).Decide(context.Background(), email(t, "01_visa_endpoint.eml"), testRegistry(), testSettings())
	if err != nil {
		t.Fatal(err)
	}
	if d.Source != SourceLLM || d.VendorID != "v-visa" || d.Severity != registry.SeverityCritical || len(d.Overrides) != 0 {
		t.Errorf("decision = %+v", d)
	}
	body := srv.Requests()[0].JSON(t)
	if body["tool_choice"].(map[string]any)["name"] != schemaName {
		t.Errorf("tool_choice = %v", body["tool_choice"])
	}
}

func TestLLMUnavailable(t *testing.T) {
	srv := llmtest.NewServer(t, llmtest.Reply{Status: 503, Body: llmtest.OpenAIError("server_error", "", "overloaded")})
	c, err := openai.New(openai.Config{BaseURL: srv.URL + "/v1", Model: "gpt-4o", MaxRetries: -1})
	if err != nil {
		t.Fatal(err)
	}
	e := email(t, "01_visa_endpoint.eml")
	_, err = (&Agent{LLM: c}).Decide(context.Background(), e, testRegistry(), testSettings())
	if kind, status := llmtest.KindAndStatus(err); !apperr.Is(err, apperr.Unavailable) || kind != httpx.Transient || status != 503 || errors.Is(err, ErrNeedsHuman) {
		t.Errorf("err = %v; want an Unavailable error wrapping the provider's", err)
	}

	d, err := (&Agent{LLM: c, OfflineWhenUnavailable: true}).Decide(context.Background(), e, testRegistry(), testSettings())
	if err != nil {
		t.Fatal(err)
	}
	if d.Source != SourceOffline || d.VendorID != "v-visa" || len(d.Overrides) != 1 || d.Overrides[0].Field != "source" {
		t.Errorf("offline fallback decision = %+v", d)
	}
}

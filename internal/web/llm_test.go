package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/vendorsync/vendorsync/internal/llm/llmtest"
	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
)

const llmKey = "sk-live-key-never-shown"

func TestLLMSettingsAPI(t *testing.T) {
	t.Parallel()
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			e, logs := newLoggedEnv(t, d)
			model := llmtest.NewServer(t, llmtest.Reply{Body: llmtest.OpenAIChat(`{"ok":true}`)})
			var bodies []string
			call := func(method, path string, body any, want int) response {
				t.Helper()
				res := e.do(method, path, e.key, body)
				wantStatus(t, res, want)
				bodies = append(bodies, string(res.Body))
				return res
			}
			res := call(http.MethodGet, "/api/v1/llm", nil, http.StatusOK)
			if strings.Contains(string(res.Body), `"primary"`) {
				t.Errorf("default = %s, want no primary (offline triage)", res.Body)
			}
			put := map[string]any{"primary": map[string]any{"provider": "openai", "model": "gpt-4o-mini", "base_url": model.URL + "/v1", "api_key": llmKey},
				"offline_when_unavailable": true}
			res = call(http.MethodPut, "/api/v1/llm", put, http.StatusOK)
			if !strings.Contains(string(res.Body), `"api_key_set":true`) || strings.Contains(string(res.Body), `"api_key":`) {
				t.Errorf("after PUT: %s", res.Body)
			}
			// What GET returns can be sent back as is: the key stays.
			got := call(http.MethodGet, "/api/v1/llm", nil, http.StatusOK)
			res = call(http.MethodPut, "/api/v1/llm", string(got.Body), http.StatusOK)
			if !strings.Contains(string(res.Body), `"api_key_set":true`) {
				t.Errorf("round trip lost the key: %s", res.Body)
			}
			res = call(http.MethodPost, "/api/v1/llm/test", map[string]any{"which": "primary"}, http.StatusOK)
			if !strings.Contains(string(res.Body), `"ok":true`) || !strings.Contains(string(res.Body), `"provider":"openai:gpt-4o-mini"`) {
				t.Errorf("test = %s", res.Body)
			}
			if auth := model.Requests()[0].Header.Get("Authorization"); auth != "Bearer "+llmKey {
				t.Errorf("the model got authorization %q", auth)
			}

			t.Run("bad input", func(t *testing.T) {
				wantProblem(t, e.do(http.MethodPost, "/api/v1/llm/test", e.key, map[string]any{"which": "fallback"}), http.StatusUnprocessableEntity)
				wantProblem(t, e.do(http.MethodPost, "/api/v1/llm/test", e.key, map[string]any{"which": "tertiary"}), http.StatusUnprocessableEntity)
				res := e.do(http.MethodPut, "/api/v1/llm", e.key, map[string]any{"fallback": map[string]any{"provider": "gemini"}})
				wantProblem(t, res, http.StatusUnprocessableEntity)
				for _, f := range []string{"body.fallback", "body.fallback.model", "body.fallback.api_key"} {
					if !strings.Contains(string(res.Body), `"`+f+`"`) {
						t.Errorf("problem lacks %s: %s", f, res.Body)
					}
				}
				wantProblem(t, e.do(http.MethodPut, "/api/v1/llm", e.key, map[string]any{"primary": map[string]any{"provider": "openai", "secret": "x"}}),
					http.StatusUnprocessableEntity)
			})
			t.Run("another tenant has its own settings", func(t *testing.T) {
				_, keyB := e.newTenant("llmb")
				res := e.do(http.MethodGet, "/api/v1/llm", keyB, nil)
				if strings.Contains(string(res.Body), `"primary"`) {
					t.Errorf("tenant B sees %s", res.Body)
				}
			})
			for _, b := range append(bodies, logs.String()) {
				if strings.Contains(b, llmKey) {
					t.Fatalf("the API key leaked: %.500s", b)
				}
			}
		})
	}
}

func TestLLMPage(t *testing.T) {
	t.Parallel()
	e, logs := newLoggedEnv(t, storetest.Dialects(t)[0])
	model := llmtest.NewServer(t, llmtest.Reply{Body: llmtest.AnthropicToolUse("connection_test", `{"ok":true}`)})
	admin := e.signInAs(e.admin.Email, e.password)
	page := admin.get(t, "/settings/llm")
	wantStatus(t, page, http.StatusOK)
	if !strings.Contains(string(page.Body), "None (offline triage)") || !strings.Contains(string(page.Body), "not set") {
		t.Errorf("default page: %s", page.Body)
	}
	bad := admin.post(t, "/settings/llm", url.Values{"primary_provider": {"anthropic"}, "primary_timeout_seconds": {"soon"}})
	wantStatus(t, bad, http.StatusUnprocessableEntity)
	if !strings.Contains(string(bad.Body), "whole number of seconds") {
		t.Errorf("no field error: %s", bad.Body)
	}
	form := url.Values{"primary_provider": {"anthropic"}, "primary_model": {"claude-sonnet-4-5"}, "primary_base_url": {model.URL},
		"primary_api_key": {llmKey}, "offline_when_unavailable": {"on"}}
	wantStatus(t, admin.post(t, "/settings/llm", form), http.StatusSeeOther)
	page = admin.get(t, "/settings/llm")
	if !strings.Contains(string(page.Body), "set — leave empty to keep") || !strings.Contains(string(page.Body), "Test primary") {
		t.Errorf("after saving: %s", page.Body)
	}
	res := admin.post(t, "/settings/llm/test", url.Values{"which": {"primary"}})
	wantStatus(t, res, http.StatusOK)
	if !strings.Contains(string(res.Body), "Connected") {
		t.Errorf("test result not shown: %s", res.Body)
	}
	for _, b := range []string{string(page.Body), string(res.Body), logs.String()} {
		if strings.Contains(b, llmKey) {
			t.Fatal("the API key leaked into a page or the logs")
		}
	}
}

// TestLLMKeyCleared: "leave empty" keeps the stored key, the explicit
// "remove" clears it; a provider that needs a key refuses the removal.
func TestLLMKeyCleared(t *testing.T) {
	t.Parallel()
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			e, _ := newLoggedEnv(t, d)
			admin := e.signInAs(e.admin.Email, e.password)
			form := url.Values{"primary_provider": {"openai_compatible"}, "primary_model": {"llama3"},
				"primary_base_url": {"http://127.0.0.1:11434/v1"}, "primary_api_key": {llmKey}}
			wantStatus(t, admin.post(t, "/settings/llm", form), http.StatusSeeOther)
			form.Del("primary_api_key")
			wantStatus(t, admin.post(t, "/settings/llm", form), http.StatusSeeOther)
			if res := e.do(http.MethodGet, "/api/v1/llm", e.key, nil); !strings.Contains(string(res.Body), `"api_key_set":true`) {
				t.Fatalf("leaving the key empty lost it: %s", res.Body)
			}
			page := admin.get(t, "/settings/llm")
			if !strings.Contains(string(page.Body), `name="primary_clear_api_key"`) {
				t.Fatalf("no way to remove the stored key on the page")
			}
			form.Set("primary_clear_api_key", "on")
			wantStatus(t, admin.post(t, "/settings/llm", form), http.StatusSeeOther)
			if res := e.do(http.MethodGet, "/api/v1/llm", e.key, nil); strings.Contains(string(res.Body), `"api_key_set":true`) {
				t.Fatalf("the key is still stored after removing it: %s", res.Body)
			}
			// Through the API, for a provider that needs its key: refused.
			put := map[string]any{"primary": map[string]any{"provider": "openai", "model": "gpt-4o-mini", "api_key": llmKey}}
			wantStatus(t, e.do(http.MethodPut, "/api/v1/llm", e.key, put), http.StatusOK)
			put = map[string]any{"primary": map[string]any{"provider": "openai", "model": "gpt-4o-mini", "clear_api_key": true}}
			wantStatus(t, e.do(http.MethodPut, "/api/v1/llm", e.key, put), http.StatusUnprocessableEntity)
			if res := e.do(http.MethodGet, "/api/v1/llm", e.key, nil); !strings.Contains(string(res.Body), `"api_key_set":true`) {
				t.Errorf("a refused removal lost the key: %s", res.Body)
			}
		})
	}
}

package web

import (
	"context"

	"github.com/danielgtaylor/huma/v2"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/llm/llmconfig"
)

// llmProviderBody is one provider as sent by clients, with its write-only
// key.
type llmProviderBody struct {
	llmconfig.ProviderConfig
	APIKey string `json:"api_key,omitempty" writeOnly:"true" maxLength:"4096" doc:"Write-only: stored encrypted, never returned. Leave out to keep the stored key (required again when provider or base_url change)."`
	// ClearAPIKey removes the stored key, which leaving api_key out cannot
	// say.
	ClearAPIKey bool `json:"clear_api_key,omitempty" doc:"Remove the stored key (for a server that needs none); api_key, when also sent, wins."`
	// APIKeySet is accepted so that a client can send back what it read.
	APIKeySet *bool `json:"api_key_set,omitempty" doc:"Ignored: returned by GET."`
}

// llmBody is the whole language-model configuration.
type llmBody struct {
	Primary                *llmProviderBody `json:"primary,omitempty" doc:"The model triage asks first; null or absent means offline triage."`
	Fallback               *llmProviderBody `json:"fallback,omitempty" doc:"Asked when the primary fails; needs a primary."`
	OfflineWhenUnavailable bool             `json:"offline_when_unavailable,omitempty" doc:"When no model answers, triage offline instead of retrying later."`
}

type llmPutIn struct {
	Body wholeBody[llmBody]
}

type llmOut struct {
	Body llmconfig.ConfigView
}

type llmTestIn struct {
	Body struct {
		Which string `json:"which" enum:"primary,fallback" doc:"Which model to test."`
	}
}

type llmTestOut struct {
	Body llmconfig.ModelTestResult
}

func (s *Server) llmSettings() (*llmconfig.Service, error) {
	if s.LLM == nil {
		return nil, apperr.E(apperr.Unavailable, "language model settings are not configured on this server")
	}
	return s.LLM, nil
}

// configOf splits a body into the configuration and its keys.
func (b llmBody) configOf() (llmconfig.Config, llmconfig.Keys) {
	cfg := llmconfig.Config{OfflineWhenUnavailable: b.OfflineWhenUnavailable}
	var keys llmconfig.Keys
	if b.Primary != nil {
		pc := b.Primary.ProviderConfig
		cfg.Primary, keys.Primary = &pc, b.Primary.APIKey
		if b.Primary.ClearAPIKey {
			keys.Clear = append(keys.Clear, llmconfig.SlotPrimary)
		}
	}
	if b.Fallback != nil {
		pc := b.Fallback.ProviderConfig
		cfg.Fallback, keys.Fallback = &pc, b.Fallback.APIKey
		if b.Fallback.ClearAPIKey {
			keys.Clear = append(keys.Clear, llmconfig.SlotFallback)
		}
	}
	return cfg, keys
}

func (s *Server) apiGetLLM(ctx context.Context, _ *struct{}) (*llmOut, error) {
	svc, err := s.llmSettings()
	if err != nil {
		return nil, err
	}
	v, err := svc.Get(ctx, principal(ctx))
	if err != nil {
		return nil, err
	}
	return &llmOut{Body: v}, nil
}

func (s *Server) apiPutLLM(ctx context.Context, in *llmPutIn) (*llmOut, error) {
	svc, err := s.llmSettings()
	if err != nil {
		return nil, err
	}
	cfg, keys := in.Body.Value.configOf()
	v, err := svc.Update(ctx, principal(ctx), cfg, keys)
	if err != nil {
		return nil, err
	}
	return &llmOut{Body: v}, nil
}

func (s *Server) apiTestLLM(ctx context.Context, in *llmTestIn) (*llmTestOut, error) {
	svc, err := s.llmSettings()
	if err != nil {
		return nil, err
	}
	res, err := svc.Test(ctx, principal(ctx), in.Body.Which)
	if err != nil {
		return nil, err
	}
	return &llmTestOut{Body: res}, nil
}

// Operations of the language-model settings API; routes.go registers them with their method, path and permission.
var (
	docGetLLM = huma.Operation{Summary: "Get the language model settings",
		Description: "Primary and fallback providers with whether an API key is stored (api_key_set); keys are never returned."}
	docPutLLM = huma.Operation{Summary: "Replace the language model settings",
		Description: "The whole configuration: providers anthropic, openai, azure_openai, openai_compatible or gemini. " +
			"No primary means offline triage (the default): send {\"primary\": null} to switch to it; an empty object is refused. " +
			"API keys are write-only.", SkipValidateBody: true}
	docTestLLM = huma.Operation{Summary: "Test a language model",
		Description: "Sends a tiny structured request, without retries. A failing model answers 200 with ok=false and the failure kind."}
)

// Package llmconfig holds a tenant's language-model settings: a primary
// provider, an optional fallback and what triage does when neither answers.
// The settings live in the settings table (key "llm"); API keys are
// write-only secrets ("llm/primary/api_key", "llm/fallback/api_key"),
// written in the same transaction and decrypted only to build a client.
// With nothing configured (the default) triage runs offline.
package llmconfig

import (
	"net"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/vendorsync/vendorsync/internal/apperr"
)

// SettingKey is the settings-table key of the configuration.
const SettingKey = "llm"

// Provider names an API protocol and vendor.
type Provider string

// The supported providers.
const (
	Anthropic        Provider = "anthropic"
	OpenAI           Provider = "openai"
	AzureOpenAI      Provider = "azure_openai"
	OpenAICompatible Provider = "openai_compatible"
	Gemini           Provider = "gemini"
)

// Providers lists every provider, in the order forms show them.
var Providers = []Provider{Anthropic, OpenAI, AzureOpenAI, OpenAICompatible, Gemini}

// Label is the provider's name for people.
func (p Provider) Label() string {
	switch p {
	case Anthropic:
		return "Anthropic"
	case OpenAI:
		return "OpenAI"
	case AzureOpenAI:
		return "Azure OpenAI"
	case OpenAICompatible:
		return "OpenAI-compatible server (Ollama, vLLM, LiteLLM)"
	case Gemini:
		return "Google Gemini"
	}
	return string(p)
}

// needsKey reports whether the provider always needs an API key; servers
// speaking the OpenAI protocol locally may need none.
func (p Provider) needsKey() bool { return p != OpenAICompatible }

// Slots of the configuration.
const (
	SlotPrimary  = "primary"
	SlotFallback = "fallback"
)

// KeyName is the secrets-table name of a slot's API key.
func KeyName(slot string) string { return "llm/" + slot + "/api_key" }

// MaxTimeoutSeconds bounds a provider's per-attempt timeout.
const MaxTimeoutSeconds = 600

// ProviderConfig is one model endpoint, without its API key.
type ProviderConfig struct {
	Provider Provider `json:"provider" enum:"anthropic,openai,azure_openai,openai_compatible,gemini"`
	Model    string   `json:"model" maxLength:"200" doc:"Model name, e.g. claude-sonnet-4-5, gpt-4o-mini, gemini-2.5-flash; for Azure the deployment's model."`
	BaseURL  string   `json:"base_url,omitempty" maxLength:"500" doc:"API endpoint: required for azure_openai (https://NAME.openai.azure.com) and openai_compatible (ending in /v1); empty means the vendor's public API."`
	// AzureAPIVersion and AzureDeployment apply to azure_openai only.
	AzureAPIVersion string `json:"azure_api_version,omitempty" maxLength:"50" doc:"azure_openai: the api-version, e.g. 2024-10-21."`
	AzureDeployment string `json:"azure_deployment,omitempty" maxLength:"200" doc:"azure_openai: the deployment name; default the model."`
	TimeoutSeconds  int    `json:"timeout_seconds,omitempty" minimum:"0" maximum:"600" doc:"Per-attempt timeout; 0 means 60 seconds."`
}

// Config is a tenant's language-model configuration. Primary nil means no
// model: triage runs offline.
type Config struct {
	Primary  *ProviderConfig `json:"primary"`
	Fallback *ProviderConfig `json:"fallback"`
	// OfflineWhenUnavailable makes triage fall back to the offline ranker
	// when no configured model answers, instead of retrying later.
	OfflineWhenUnavailable bool `json:"offline_when_unavailable"`
}

// Keys are the API keys of the two slots; empty means "keep the stored
// one" in an update, unless the slot is named in Clear.
type Keys struct {
	Primary  string
	Fallback string
	// Clear names the slots whose stored key is removed (a local server
	// that needs none), which "leave empty" cannot say. A key given for
	// the slot in the same update wins.
	Clear []string
}

// of returns the key of slot.
func (k Keys) of(slot string) string {
	if slot == SlotFallback {
		return k.Fallback
	}
	return k.Primary
}

// normalize cleans cfg in place and reports every problem at once. keySet
// says whether each slot will have an API key.
func normalize(cfg *Config, keySet map[string]bool) error {
	var v apperr.Validation
	if cfg.Primary == nil && cfg.Fallback != nil {
		v.Add("fallback", "needs a primary provider")
	}
	for _, slot := range []string{SlotPrimary, SlotFallback} {
		pc := cfg.slot(slot)
		if pc != nil {
			normalizeProvider(&v, slot, pc, keySet[slot])
		}
	}
	return v.Err()
}

// slot returns the configuration of a slot, or nil.
func (c Config) slot(slot string) *ProviderConfig {
	if slot == SlotFallback {
		return c.Fallback
	}
	return c.Primary
}

func normalizeProvider(v *apperr.Validation, slot string, pc *ProviderConfig, keySet bool) {
	line := func(field string, s *string, max int, required bool) {
		*s = strings.TrimSpace(*s)
		switch {
		case required && *s == "":
			v.Add(slot+"."+field, "is required")
		case utf8.RuneCountInString(*s) > max:
			v.Add(slot+"."+field, "must be at most %d characters", max)
		case strings.ContainsFunc(*s, unicode.IsControl):
			v.Add(slot+"."+field, "must be a single line without control characters")
		}
	}
	switch pc.Provider {
	case Anthropic, OpenAI, AzureOpenAI, OpenAICompatible, Gemini:
	default:
		v.Add(slot+".provider", "must be anthropic, openai, azure_openai, openai_compatible or gemini")
	}
	line("model", &pc.Model, 200, true)
	line("base_url", &pc.BaseURL, 500, pc.Provider == AzureOpenAI || pc.Provider == OpenAICompatible)
	if pc.BaseURL != "" {
		u, err := url.Parse(pc.BaseURL)
		switch {
		case err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http"):
			v.Add(slot+".base_url", "must be an absolute http(s):// URL")
		case u.User != nil:
			v.Add(slot+".base_url", "must not contain credentials")
		case u.Scheme == "http" && pc.Provider != OpenAICompatible && !isLoopback(u.Hostname()):
			v.Add(slot+".base_url", "must use https:// (the API key is sent with every request)")
		}
	}
	if pc.Provider == AzureOpenAI {
		line("azure_api_version", &pc.AzureAPIVersion, 50, true)
		line("azure_deployment", &pc.AzureDeployment, 200, false)
	} else {
		pc.AzureAPIVersion, pc.AzureDeployment = "", ""
	}
	v.Check(pc.TimeoutSeconds >= 0 && pc.TimeoutSeconds <= MaxTimeoutSeconds, slot+".timeout_seconds", "must be between 0 and %d", MaxTimeoutSeconds)
	v.Check(keySet || !pc.Provider.needsKey(), slot+".api_key", "is required for %s", pc.Provider.Label())
}

// destination is where a slot's key is sent: a key is only kept across an
// update that sends it to the same provider and endpoint, so that changing
// the endpoint cannot reveal a stored key to another server.
func destination(pc *ProviderConfig) string {
	if pc == nil {
		return ""
	}
	return string(pc.Provider) + "|" + strings.TrimRight(strings.TrimSpace(pc.BaseURL), "/")
}

// isLoopback reports whether host names this machine.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Package openai is the llm.Client for the Chat Completions API
// (POST {base}/chat/completions) as served by OpenAI and by compatible
// servers: Azure OpenAI, Ollama, vLLM, a LiteLLM proxy. Structured output
// uses response_format {"type": "json_schema", "strict": true}.
package openai

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	sdk "github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/openai/openai-go/v3/shared"

	"github.com/vendorsync/vendorsync/internal/llm"
)

// Config configures a Client. Environment variables are never read.
type Config struct {
	// APIKey is sent as "Authorization: Bearer", or as "api-key" for Azure;
	// servers that need none (a local Ollama) leave it empty.
	APIKey string
	// BaseURL is https://api.openai.com/v1 when empty; for compatible
	// servers it ends in /v1 (http://127.0.0.1:11434/v1 for Ollama). For
	// Azure it is the resource endpoint (https://NAME.openai.azure.com).
	BaseURL string
	// Model is required: the model name, or for Azure the deployment name
	// unless AzureDeployment is set.
	Model string
	// AzureAPIVersion switches to Azure OpenAI: requests go to
	// {BaseURL}/openai/deployments/{deployment}/chat/completions?api-version=….
	AzureAPIVersion string
	// AzureDeployment names the Azure deployment; Model when empty.
	AzureDeployment string
	// LegacyMaxTokens sends max_tokens instead of max_completion_tokens, for
	// compatible servers that predate the newer field.
	LegacyMaxTokens bool
	// Headers are added to every request (a LiteLLM proxy's routing keys).
	Headers map[string]string
	// Timeout bounds each HTTP attempt; llm.DefaultTimeout when zero.
	Timeout time.Duration
	// MaxRetries for 408/409/429/5xx and network errors; 0 means
	// llm.DefaultMaxRetries, negative disables retries.
	MaxRetries int
	// MaxRetryWait is the longest Retry-After honoured (and the backoff
	// cap); llm.DefaultMaxRetryWait when zero.
	MaxRetryWait time.Duration
	// HTTPClient replaces the SDK's default client when set.
	HTTPClient *http.Client
}

// Client talks to a Chat Completions endpoint.
type Client struct {
	cfg  Config
	name string
	sdk  sdk.Client
}

// New builds a Client; it needs a model.
func New(cfg Config) (*Client, error) {
	if cfg.Model == "" {
		return nil, errors.New("openai.New: model is required")
	}
	opts := []option.RequestOption{
		option.WithMaxRetries(max(0, llm.Or(cfg.MaxRetries, llm.DefaultMaxRetries))),
		option.WithMaxRetryDelay(llm.Or(cfg.MaxRetryWait, llm.DefaultMaxRetryWait)),
		option.WithRequestTimeout(llm.Or(cfg.Timeout, llm.DefaultTimeout)),
		// Settings the SDK would otherwise take from OPENAI_* variables.
		option.WithHeaderDel("OpenAI-Organization"),
		option.WithHeaderDel("OpenAI-Project"),
	}
	name := "openai:" + cfg.Model
	if cfg.AzureAPIVersion != "" {
		if cfg.BaseURL == "" {
			return nil, errors.New("openai.New: Azure needs the resource endpoint as base URL")
		}
		deployment := llm.Or(cfg.AzureDeployment, cfg.Model)
		base := strings.TrimRight(cfg.BaseURL, "/") + "/openai/deployments/" + url.PathEscape(deployment) + "/"
		opts = append(opts,
			option.WithBaseURL(base),
			option.WithAPIKey(""), // no bearer token: Azure takes the key in api-key
			option.WithHeader("api-key", cfg.APIKey),
			option.WithQuery("api-version", cfg.AzureAPIVersion))
		name = "azure-openai:" + deployment
	} else {
		opts = append(opts, option.WithAPIKey(cfg.APIKey))
		if cfg.BaseURL != "" {
			opts = append(opts, option.WithBaseURL(cfg.BaseURL))
		}
	}
	for k, v := range cfg.Headers {
		opts = append(opts, option.WithHeader(k, v))
	}
	if cfg.HTTPClient != nil {
		opts = append(opts, option.WithHTTPClient(cfg.HTTPClient))
	}
	return &Client{cfg: cfg, name: name, sdk: sdk.NewClient(opts...)}, nil
}

// Name implements llm.Client.
func (c *Client) Name() string { return c.name }

// Complete implements llm.Client.
func (c *Client) Complete(ctx context.Context, req llm.Request) (llm.Response, error) {
	params := sdk.ChatCompletionNewParams{Model: shared.ChatModel(c.cfg.Model)}
	if req.System != "" {
		params.Messages = append(params.Messages, sdk.SystemMessage(req.System))
	}
	for _, m := range req.Messages {
		if m.Role == llm.RoleAssistant {
			params.Messages = append(params.Messages, sdk.AssistantMessage(m.Content))
		} else {
			params.Messages = append(params.Messages, sdk.UserMessage(m.Content))
		}
	}
	maxTokens := int64(llm.Or(req.MaxTokens, llm.DefaultMaxTokens))
	if c.cfg.LegacyMaxTokens {
		params.MaxTokens = sdk.Int(maxTokens)
	} else {
		params.MaxCompletionTokens = sdk.Int(maxTokens)
	}
	if req.Temperature != nil {
		params.Temperature = sdk.Float(*req.Temperature)
	}
	if req.Schema != nil {
		js := shared.ResponseFormatJSONSchemaJSONSchemaParam{
			Name:   req.Schema.Name,
			Schema: req.Schema.Schema,
			Strict: sdk.Bool(true),
		}
		if req.Schema.Description != "" {
			js.Description = sdk.String(req.Schema.Description)
		}
		params.ResponseFormat = sdk.ChatCompletionNewParamsResponseFormatUnion{
			OfJSONSchema: &shared.ResponseFormatJSONSchemaParam{JSONSchema: js},
		}
	}
	var httpResp *http.Response
	out, err := c.sdk.Chat.Completions.New(ctx, params, option.WithResponseInto(&httpResp))
	if err != nil {
		status := 0
		if httpResp != nil {
			status = httpResp.StatusCode
		}
		return llm.Response{}, llm.Classify(ctx, c.Name(), status, err)
	}
	if len(out.Choices) == 0 {
		return llm.Response{}, llm.BadResponse(c.Name(), "no choices in the answer")
	}
	choice := out.Choices[0]
	switch {
	case choice.Message.Refusal != "":
		return llm.Response{}, llm.BadResponse(c.Name(), "model refused: %s", choice.Message.Refusal)
	case choice.FinishReason == "length":
		return llm.Response{}, llm.BadResponse(c.Name(), "answer cut off at the token limit")
	case strings.TrimSpace(choice.Message.Content) == "":
		return llm.Response{}, llm.BadResponse(c.Name(), "empty answer")
	}
	return llm.Response{
		Text:         choice.Message.Content,
		Model:        out.Model,
		Provider:     c.Name(),
		InputTokens:  int(out.Usage.PromptTokens),
		OutputTokens: int(out.Usage.CompletionTokens),
		Raw:          out.RawJSON(),
	}, nil
}

package llmtest

import (
	"encoding/json"
	"fmt"
)

// The builders below produce response bodies shaped like the providers'
// API references, so a test can script what "the model" answers.

// AnthropicToolUse is a Messages API response whose content is one forced
// tool call with input as its arguments (input must be a JSON value).
func AnthropicToolUse(tool, input string) string {
	return fmt.Sprintf(`{
  "id": "msg_01XFDUDYJgAACzvnptvVoYEL",
  "type": "message",
  "role": "assistant",
  "model": "claude-sonnet-4-5-20250929",
  "content": [
    {"type": "tool_use", "id": "toolu_01A09q90qw90lq917835lq9", "name": %s, "input": %s}
  ],
  "stop_reason": "tool_use",
  "stop_sequence": null,
  "usage": {"input_tokens": 2095, "output_tokens": 503, "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0, "service_tier": "standard"}
}`, quote(tool), input)
}

// AnthropicError is an error body of the Messages API.
func AnthropicError(typ, message string) string {
	return fmt.Sprintf(`{"type": "error", "error": {"type": %s, "message": %s}, "request_id": "req_011CSHoEeqs5C35K2UUqR7Fy"}`,
		quote(typ), quote(message))
}

// OpenAIChat is a Chat Completions response whose message content is text.
func OpenAIChat(content string) string {
	return fmt.Sprintf(`{
  "id": "chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG",
  "object": "chat.completion",
  "created": 1741570283,
  "model": "gpt-4o-2024-08-06",
  "choices": [
    {
      "index": 0,
      "message": {"role": "assistant", "content": %s, "refusal": null, "annotations": []},
      "logprobs": null,
      "finish_reason": "stop"
    }
  ],
  "usage": {
    "prompt_tokens": 1117, "completion_tokens": 46, "total_tokens": 1163,
    "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
    "completion_tokens_details": {"reasoning_tokens": 0, "audio_tokens": 0, "accepted_prediction_tokens": 0, "rejected_prediction_tokens": 0}
  },
  "service_tier": "default",
  "system_fingerprint": "fp_fc9f1d7035"
}`, quote(content))
}

// OpenAIError is an error body of the OpenAI API.
func OpenAIError(typ, code, message string) string {
	return fmt.Sprintf(`{"error": {"message": %s, "type": %s, "param": null, "code": %s}}`,
		quote(message), quote(typ), quote(code))
}

// GeminiText is a generateContent response whose one candidate says text.
func GeminiText(text string) string {
	return fmt.Sprintf(`{
  "candidates": [
    {
      "content": {"parts": [{"text": %s}], "role": "model"},
      "finishReason": "STOP",
      "index": 0
    }
  ],
  "usageMetadata": {"promptTokenCount": 1021, "candidatesTokenCount": 88, "totalTokenCount": 1109},
  "modelVersion": "gemini-2.5-flash",
  "responseId": "mAitaLmkHPPlz7IPvtfUqQ4"
}`, quote(text))
}

// GeminiError is an error body of the Gemini API.
func GeminiError(code int, status, message string) string {
	return fmt.Sprintf(`{"error": {"code": %d, "message": %s, "status": %s}}`, code, quote(message), quote(status))
}

func quote(s string) string {
	b, err := json.Marshal(s)
	if err != nil {
		panic(err) // a string always marshals
	}
	return string(b)
}

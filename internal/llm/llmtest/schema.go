package llmtest

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/vendorsync/vendorsync/internal/httpx"
	"github.com/vendorsync/vendorsync/internal/llm"
)

// Schema is a small decision-like schema for provider tests.
func Schema() *llm.Schema {
	return &llm.Schema{
		Name:        "decision",
		Description: "The triage decision.",
		Schema: map[string]any{
			"type": "object",
			"properties": map[string]any{
				"severity":  map[string]any{"type": "string", "enum": []any{"critical", "high", "medium", "low"}},
				"reasoning": map[string]any{"type": "string"},
			},
			"required":             []any{"severity", "reasoning"},
			"additionalProperties": false,
		},
	}
}

// WantText is the answer the testdata payloads carry, as compact JSON.
const WantText = `{"severity":"high","reasoning":"Visa retires the v1 authorization endpoint."}`

// SameJSON fails the test unless got and want are equal JSON values.
func SameJSON(t testing.TB, got, want string) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal([]byte(got), &g); err != nil {
		t.Fatalf("answer is not JSON: %v\n%s", err, got)
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("wanted answer is not JSON: %v\n%s", err, want)
	}
	if !reflect.DeepEqual(g, w) {
		t.Errorf("answer = %s, want %s", got, want)
	}
}

// ReadFile returns a testdata file of the calling package.
func ReadFile(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatalf("read testdata: %v", err)
	}
	return string(b)
}

// KindAndStatus returns the kind of the *httpx.Error in err's chain and the
// HTTP status it carries: an unusable answer is httpx.Transient with a 2xx
// status, an outage httpx.Transient with a 5xx or none.
func KindAndStatus(err error) (httpx.Kind, int) {
	var e *httpx.Error
	if !errors.As(err, &e) {
		return "", 0
	}
	return e.Kind, e.Status
}

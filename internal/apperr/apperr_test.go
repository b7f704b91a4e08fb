package apperr_test

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vendorsync/vendorsync/internal/apperr"
)

func TestExtensionsOf(t *testing.T) {
	conflict := apperr.E(apperr.Conflict, "accepted before as ingest 01J").With("ingestId", "01J")
	wrapped := fmt.Errorf("accepting an event: %w", conflict)
	if got, want := apperr.ExtensionsOf(wrapped), map[string]any{"ingestId": "01J"}; !cmp.Equal(got, want) {
		t.Errorf("extensions of a wrapped conflict: %v, want %v", got, want)
	}
	if got := apperr.MessageOf(wrapped); got != "accepted before as ingest 01J" {
		t.Errorf("message = %q, want the text unchanged", got)
	}
	internal := apperr.E(apperr.Internal, "boom").With("query", "SELECT 1")
	if got := apperr.ExtensionsOf(internal); got != nil {
		t.Errorf("an internal error shows its members: %v", got)
	}
	if got := apperr.ExtensionsOf(fmt.Errorf("plain")); got != nil {
		t.Errorf("a plain error has members: %v", got)
	}
}

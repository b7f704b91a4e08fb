package ident

import (
	"testing"

	"github.com/google/uuid"
)

func TestNewIsTimeOrderedUUIDv7(t *testing.T) {
	prev := ""
	for range 1000 {
		id := New()
		u, err := uuid.Parse(id)
		if err != nil || u.Version() != 7 {
			t.Fatalf("%q: version %v, %v", id, u.Version(), err)
		}
		if id <= prev {
			t.Fatalf("%q does not sort after %q", id, prev)
		}
		prev = id
	}
}

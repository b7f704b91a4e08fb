package sqlstore

import (
	"encoding/base64"
	"encoding/json"

	"github.com/vendorsync/vendorsync/internal/apperr"
)

// Lists use keyset pagination: the cursor is the sort key of the last row
// returned, opaque to callers.

const (
	defaultLimit = 50
	maxLimit     = 500
)

func clampLimit(n int) int {
	switch {
	case n <= 0:
		return defaultLimit
	case n > maxLimit:
		return maxLimit
	}
	return n
}

func encodeCursor(keys ...string) string {
	b, _ := json.Marshal(keys) // a []string always marshals
	return base64.RawURLEncoding.EncodeToString(b)
}

// decodeCursor returns the keys of a cursor, or nil for the first page.
func decodeCursor(c string, n int) ([]string, error) {
	if c == "" {
		return nil, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(c)
	var keys []string
	if err == nil {
		err = json.Unmarshal(b, &keys)
	}
	if err != nil || len(keys) != n {
		return nil, apperr.Invalidf("cursor is not valid")
	}
	return keys, nil
}

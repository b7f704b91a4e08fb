package auth

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"strings"
	"time"

	"github.com/vendorsync/vendorsync/internal/apperr"
)

// APIKey is a machine credential: scoped to one tenant and one role. Only a
// MAC of the secret is stored; the key is shown once, at creation.
type APIKey struct {
	ID         string     `json:"id"`
	TenantID   string     `json:"-"`
	Name       string     `json:"name"`
	Prefix     string     `json:"prefix"`
	Role       Role       `json:"role"`
	TeamIDs    []string   `json:"team_ids" nullable:"false" doc:"Teams an owner key acts for."`
	CreatedBy  string     `json:"created_by"`
	CreatedAt  time.Time  `json:"created_at"`
	ExpiresAt  *time.Time `json:"expires_at,omitempty"`
	LastUsedAt *time.Time `json:"last_used_at,omitempty"`
	RevokedAt  *time.Time `json:"revoked_at,omitempty"`
	Hash       string     `json:"-"` // "<key id>:<hex HMAC-SHA256>"
	// VendorID scopes an ingest key to one vendor: it may only send that
	// vendor's events (role ingest).
	VendorID string `json:"vendor_id,omitempty" doc:"The vendor an ingest key sends events for."`
}

// Principal returns the principal an API key authenticates as.
func (k APIKey) Principal() Principal {
	return Principal{Kind: KindAPIKey, TenantID: k.TenantID, UserID: k.ID, Label: "apikey:" + k.Name, Role: k.Role, TeamIDs: k.TeamIDs, VendorID: k.VendorID}
}

// Usable reports whether the key may authenticate at t.
func (k APIKey) Usable(t time.Time) bool {
	return k.RevokedAt == nil && (k.ExpiresAt == nil || t.Before(*k.ExpiresAt))
}

const apiKeyScheme = "vsk"

var b32 = base32.StdEncoding.WithPadding(base32.NoPadding)

// NewAPIKeySecret generates a key "vsk_<prefix>_<secret>": the prefix is
// public and used for lookup, the secret carries 160 bits of entropy.
func NewAPIKeySecret() (full, prefix string) {
	p := make([]byte, 5)
	s := make([]byte, 20)
	if _, err := rand.Read(p); err != nil {
		panic(err)
	}
	if _, err := rand.Read(s); err != nil {
		panic(err)
	}
	prefix = strings.ToLower(b32.EncodeToString(p))
	return apiKeyScheme + "_" + prefix + "_" + strings.ToLower(b32.EncodeToString(s)), prefix
}

// SplitAPIKey returns the prefix of a presented key, or an error when it is
// not shaped like one of ours.
func SplitAPIKey(full string) (prefix string, err error) {
	parts := strings.Split(full, "_")
	if len(parts) != 3 || parts[0] != apiKeyScheme || len(parts[1]) != 8 || len(parts[2]) != 32 {
		return "", apperr.E(apperr.Unauthorized, "invalid API key")
	}
	return parts[1], nil
}

// HashAPIKey MACs the full key under a MAC key with id kid.
func HashAPIKey(kid string, macKey []byte, full string) string {
	m := hmac.New(sha256.New, macKey)
	m.Write([]byte(full))
	return kid + ":" + hex.EncodeToString(m.Sum(nil))
}

// CheckAPIKey compares a presented key with a stored hash in constant time.
// keyFor returns the MAC key for the key id recorded in the hash.
func CheckAPIKey(stored, full string, keyFor func(kid string) ([]byte, error)) bool {
	kid, _, ok := strings.Cut(stored, ":")
	if !ok {
		return false
	}
	k, err := keyFor(kid)
	if err != nil {
		return false
	}
	return hmac.Equal([]byte(HashAPIKey(kid, k, full)), []byte(stored))
}

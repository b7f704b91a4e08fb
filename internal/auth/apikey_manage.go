package auth

import (
	"context"

	"github.com/vendorsync/vendorsync/internal/audit"
)

// apiKeyView is what audit rows record of a key: never its hash.
func apiKeyView(k APIKey) map[string]any {
	v := map[string]any{"name": k.Name, "role": k.Role, "prefix": k.Prefix}
	if k.RevokedAt != nil {
		v["revoked_at"] = k.RevokedAt
	}
	return v
}

// APIKey returns one key of the caller's tenant (without its secret).
func (s *Service) APIKey(ctx context.Context, p Principal, id string) (APIKey, error) {
	if err := p.Require(PermManageUsers); err != nil {
		return APIKey{}, err
	}
	return s.Store.APIKey(ctx, p.TenantID, id)
}

// ListAPIKeys pages through the caller's tenant's keys, newest first.
func (s *Service) ListAPIKeys(ctx context.Context, p Principal, cursor string, limit int) ([]APIKey, string, error) {
	if err := p.Require(PermManageUsers); err != nil {
		return nil, "", err
	}
	return s.Store.ListAPIKeys(ctx, p.TenantID, cursor, limit)
}

// RevokeAPIKey stops a key from working, at once. Revoking a revoked key
// changes nothing and succeeds, so that a retried request is harmless.
func (s *Service) RevokeAPIKey(ctx context.Context, p Principal, id string) (APIKey, error) {
	k, err := s.APIKey(ctx, p, id)
	if err != nil || k.RevokedAt != nil {
		return k, err
	}
	after := k
	now := s.now()
	after.RevokedAt = &now
	if err := s.Store.RevokeAPIKey(ctx, k, audit.Record(p, "apikey.revoke", "api_key", k.ID, apiKeyView(k), apiKeyView(after))); err != nil {
		return APIKey{}, err
	}
	s.keys.forget(k.Prefix)
	return s.Store.APIKey(ctx, p.TenantID, id)
}

package setting

import (
	"context"
	"fmt"
	"time"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/audit"
	"github.com/vendorsync/vendorsync/internal/auth"
)

// SecretInfo describes a stored secret without its value.
type SecretInfo struct {
	Name      string    `json:"name"`
	KeyID     string    `json:"key_id" doc:"Id of the encryption key the value is sealed with."`
	UpdatedAt time.Time `json:"updated_at"`
}

// SecretStore keeps named secrets encrypted at rest. Values go in and, for
// internal use only, come out; listings never carry them.
type SecretStore interface {
	SetSecret(ctx context.Context, tenantID, name string, plaintext []byte, ev audit.Event) error
	DeleteSecret(ctx context.Context, tenantID, name string, ev audit.Event) error
	ListSecrets(ctx context.Context, tenantID string) ([]SecretInfo, error)
}

// Secrets manages a tenant's named secrets (mailbox passwords, tracker and
// LLM tokens) that integrations refer to by name.
type Secrets struct {
	Store SecretStore
}

// MaxSecretBytes bounds a secret's value.
const MaxSecretBytes = 64 << 10

// ValidSecretName reports whether name is 1-100 lower-case letters, digits,
// dots, dashes and underscores, starting with a letter or digit.
func ValidSecretName(name string) bool {
	if len(name) == 0 || len(name) > 100 {
		return false
	}
	for i, r := range name {
		ok := r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || i > 0 && (r == '.' || r == '-' || r == '_')
		if !ok {
			return false
		}
	}
	return true
}

func canEdit(p auth.Principal) error {
	if err := p.Require(auth.PermEditIntegrations); err != nil {
		return err
	}
	return nil
}

// List returns the names of a tenant's secrets, never their values.
func (s *Secrets) List(ctx context.Context, p auth.Principal) ([]SecretInfo, error) {
	if err := canEdit(p); err != nil {
		return nil, err
	}
	out, err := s.Store.ListSecrets(ctx, p.TenantID)
	if err != nil {
		return nil, fmt.Errorf("setting.Secrets.List: %w", err)
	}
	return out, nil
}

// Put stores or replaces a secret. The audit row names it; the value is
// never recorded anywhere but the encrypted column.
func (s *Secrets) Put(ctx context.Context, p auth.Principal, name, value string) (SecretInfo, error) {
	if err := canEdit(p); err != nil {
		return SecretInfo{}, err
	}
	var v apperr.Validation
	v.Check(ValidSecretName(name), "name", "use 1-100 lower-case letters, digits, dots, dashes and underscores")
	v.Check(value != "", "value", "is required (to remove a secret, delete it)")
	v.Check(len(value) <= MaxSecretBytes, "value", "must be at most %d bytes", MaxSecretBytes)
	if err := v.Err(); err != nil {
		return SecretInfo{}, err
	}
	ev := audit.Record(p, "secret.set", "secret", name, nil, map[string]any{"name": name})
	if err := s.Store.SetSecret(ctx, p.TenantID, name, []byte(value), ev); err != nil {
		return SecretInfo{}, fmt.Errorf("setting.Secrets.Put %s: %w", name, err)
	}
	list, err := s.List(ctx, p)
	if err != nil {
		return SecretInfo{}, err
	}
	for _, info := range list {
		if info.Name == name {
			return info, nil
		}
	}
	return SecretInfo{}, apperr.E(apperr.Internal, "secret %s vanished after it was stored", name)
}

// Delete removes a secret; integrations that name it stop working.
func (s *Secrets) Delete(ctx context.Context, p auth.Principal, name string) error {
	if err := canEdit(p); err != nil {
		return err
	}
	if !ValidSecretName(name) {
		return apperr.NotFoundf("secret not found")
	}
	ev := audit.Record(p, "secret.delete", "secret", name, map[string]any{"name": name}, nil)
	if err := s.Store.DeleteSecret(ctx, p.TenantID, name, ev); err != nil {
		return fmt.Errorf("setting.Secrets.Delete %s: %w", name, err)
	}
	return nil
}

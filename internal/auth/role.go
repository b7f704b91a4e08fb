// Package auth holds tenants, people, roles and the permission matrix, plus the
// credentials that prove who a caller is: passwords, sessions, API keys and OIDC.
package auth

import (
	"context"
	"slices"

	"github.com/vendorsync/vendorsync/internal/apperr"
)

// Role is what a user or API key may do inside its tenant.
type Role string

// The roles of the product, from most to least powerful. A procurement
// analyst works the contracts module (price files, item mappings,
// reconciliation exceptions) and only sees the rest.
const (
	RoleAdmin              Role = "admin"
	RoleChangeManager      Role = "change_manager"
	RoleProcurementAnalyst Role = "procurement_analyst"
	RoleOwner              Role = "owner"
	RoleViewer             Role = "viewer"
)

// RoleIngest is the role of a vendor's ingest key: it may send that
// vendor's events and nothing else. No person holds it, so it is not in
// Roles; only the ingest service issues keys with it.
const RoleIngest Role = "ingest"

// Roles lists every role a person or API key may hold, most powerful
// first (admin always first).
var Roles = []Role{RoleAdmin, RoleChangeManager, RoleProcurementAnalyst, RoleOwner, RoleViewer}

// Valid reports whether r is one of the known roles.
func (r Role) Valid() bool { return slices.Contains(Roles, r) }

// Label is the human name of a role as shown in the UI.
func (r Role) Label() string {
	switch r {
	case RoleAdmin:
		return "Admin"
	case RoleChangeManager:
		return "Change manager"
	case RoleProcurementAnalyst:
		return "Procurement analyst"
	case RoleOwner:
		return "Owner"
	case RoleViewer:
		return "Viewer"
	case RoleIngest:
		return "Vendor ingest"
	}
	return string(r)
}

// PrincipalKind says how a caller authenticated.
type PrincipalKind string

// Kinds of principals.
const (
	KindUser   PrincipalKind = "user"
	KindAPIKey PrincipalKind = "api_key"
	KindSystem PrincipalKind = "system"
)

// Principal is the authenticated caller of a request or job: always inside
// exactly one tenant.
type Principal struct {
	Kind     PrincipalKind
	TenantID string
	UserID   string // user id, API key id, or "" for the system
	Label    string // email, key name, or "system"
	Role     Role
	TeamIDs  []string
	// VendorID is the one vendor an ingest key speaks for ("" otherwise).
	VendorID string
}

// Can reports whether the principal holds permission p.
func (p Principal) Can(perm Permission) bool { return Allowed(p.Role, perm) }

// AuditActor identifies the principal in audit rows.
func (p Principal) AuditActor() (tenantID, kind, id, label string) {
	return p.TenantID, string(p.Kind), p.UserID, p.Label
}

// System returns the principal used by workers and schedules of a tenant.
func System(tenantID string) Principal {
	return Principal{Kind: KindSystem, TenantID: tenantID, Label: "system", Role: RoleAdmin}
}

type principalKey struct{}

// WithPrincipal stores p in ctx.
func WithPrincipal(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// PrincipalFrom returns the caller stored in ctx, if any.
func PrincipalFrom(ctx context.Context) (Principal, bool) {
	p, ok := ctx.Value(principalKey{}).(Principal)
	return p, ok
}

// Require refuses the principal when it lacks perm. Routes check permissions
// before a handler runs; services check again so that every other caller
// (CLI, jobs, tests) is held to the same matrix.
func (p Principal) Require(perm Permission) error {
	if !p.Can(perm) {
		return apperr.E(apperr.Forbidden, "your role (%s) does not allow %s", p.Role, perm)
	}
	return nil
}

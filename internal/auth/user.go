package auth

import (
	"context"
	"net/mail"
	"strings"
	"time"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/audit"
	"github.com/vendorsync/vendorsync/internal/jobargs"
)

// Tenant is one organisation; its rows are walled off from every other's.
type Tenant struct {
	ID        string    `json:"id"`
	Slug      string    `json:"slug"`
	Name      string    `json:"name"`
	IsActive  bool      `json:"is_active"`
	CreatedAt time.Time `json:"created_at"`
}

// User is a person who signs in, by password or OIDC.
type User struct {
	ID           string     `json:"id"`
	TenantID     string     `json:"-"`
	Email        string     `json:"email"`
	Name         string     `json:"name"`
	Role         Role       `json:"role"`
	TeamIDs      []string   `json:"team_ids"`
	SlackUserID  string     `json:"slack_user_id"`
	IsActive     bool       `json:"is_active"`
	HasPassword  bool       `json:"has_password"`
	SSO          bool       `json:"sso"`
	CreatedAt    time.Time  `json:"created_at"`
	UpdatedAt    time.Time  `json:"updated_at"`
	LastLoginAt  *time.Time `json:"last_login_at,omitempty"`
	PasswordHash string     `json:"-"`
	OIDCSubject  string     `json:"-"`
}

// Principal returns the principal of a signed-in user.
func (u User) Principal() Principal {
	return Principal{Kind: KindUser, TenantID: u.TenantID, UserID: u.ID, Label: u.Email, Role: u.Role, TeamIDs: u.TeamIDs}
}

// Team groups users; applications and rules name an owner team.
type Team struct {
	ID           string    `json:"id"`
	TenantID     string    `json:"-"`
	Name         string    `json:"name"`
	Email        string    `json:"email"`
	SlackChannel string    `json:"slack_channel"`
	ManagerEmail string    `json:"manager_email"`
	IsActive     bool      `json:"is_active"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
}

// NormalizeEmail lower-cases and trims an address and checks its form.
func NormalizeEmail(s string) (string, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || !strings.Contains(s, "@") {
		return "", apperr.Invalidf("%q is not an email address", s)
	}
	return s, nil
}

// Store is what tenants, people and credentials need from storage. Every
// method that changes state takes the audit event it commits with.
type Store interface {
	CreateTenant(ctx context.Context, t Tenant, admin User, ev audit.Event) error
	TenantBySlug(ctx context.Context, slug string) (Tenant, error)
	ListTenants(ctx context.Context) ([]Tenant, error)

	CreateUser(ctx context.Context, u User, ev audit.Event) error
	// ProvisionUser creates an account at its first SSO sign-in, with the
	// jobs that announce it, in one transaction.
	ProvisionUser(ctx context.Context, u User, ev audit.Event, jobs []jobargs.Args) error
	UpdateUser(ctx context.Context, u User, ev audit.Event) error
	User(ctx context.Context, tenantID, id string) (User, error)
	UserByEmail(ctx context.Context, tenantID, email string) (User, error)
	UserByOIDCSubject(ctx context.Context, tenantID, subject string) (User, error)
	ListUsers(ctx context.Context, tenantID string, f UserFilter) ([]User, string, error)
	CountUsers(ctx context.Context, tenantID string) (int, error)
	TouchLogin(ctx context.Context, tenantID, userID string, at time.Time) error
	// AdminEmails lists active admins, for alerts.
	AdminEmails(ctx context.Context, tenantID string) ([]string, error)

	CreateTeam(ctx context.Context, t Team, ev audit.Event) error
	UpdateTeam(ctx context.Context, t Team, ev audit.Event) error
	Team(ctx context.Context, tenantID, id string) (Team, error)
	ListTeams(ctx context.Context, tenantID string, f TeamFilter) ([]Team, string, error)

	CreateAPIKey(ctx context.Context, k APIKey, ev audit.Event) error
	APIKeyByPrefix(ctx context.Context, prefix string) (APIKey, error)
	APIKey(ctx context.Context, tenantID, id string) (APIKey, error)
	ListAPIKeys(ctx context.Context, tenantID string, cursor string, limit int) ([]APIKey, string, error)
	RevokeAPIKey(ctx context.Context, k APIKey, ev audit.Event) error
	TouchAPIKey(ctx context.Context, id string, at time.Time) error
}

// UserFilter selects users in a list.
type UserFilter struct {
	Query           string
	Role            Role
	IncludeInactive bool
	Cursor          string
	Limit           int
}

// TeamFilter selects teams in a list.
type TeamFilter struct {
	Query           string
	IncludeInactive bool
	Cursor          string
	Limit           int
}

// Package registry is what VendorSync knows about the world around a tenant:
// the vendors that send changes, the applications that integrate with them,
// and the natural-language rules that route changes. Triage reads all of it
// fresh on every decision, and admins edit it at runtime, so its rules
// (validation, references inside one tenant, soft deletes) live here.
package registry

import (
	"context"
	"time"

	"github.com/vendorsync/vendorsync/internal/audit"
	"github.com/vendorsync/vendorsync/internal/auth"
)

// Tier is a vendor's criticality; it sets the default SLA when no rule does.
type Tier string

// The vendor criticality tiers ("Vendor criticality tiers" in the seed).
const (
	Tier1 Tier = "tier_1"
	Tier2 Tier = "tier_2"
	Tier3 Tier = "tier_3"
)

// Tiers lists every tier, most critical first.
var Tiers = []Tier{Tier1, Tier2, Tier3}

// Valid reports whether t is a known tier.
func (t Tier) Valid() bool { return t == Tier1 || t == Tier2 || t == Tier3 }

// Label is the tier's name in the UI.
func (t Tier) Label() string {
	switch t {
	case Tier1:
		return "Tier 1 · mission-critical"
	case Tier2:
		return "Tier 2 · important"
	case Tier3:
		return "Tier 3 · non-critical"
	}
	return string(t)
}

// ShortLabel is the tier's name in tables ("Tier 1").
func (t Tier) ShortLabel() string {
	if t.Valid() {
		return "Tier " + string(t[len(t)-1])
	}
	return string(t)
}

// DefaultSLADays is the SLA a change gets when no rule sets one.
func (t Tier) DefaultSLADays() int {
	switch t {
	case Tier1:
		return 14
	case Tier2:
		return 30
	}
	return 60
}

// Severity ranks how urgent a change is.
type Severity string

// The severity levels, from most to least urgent.
const (
	SeverityCritical Severity = "critical"
	SeverityHigh     Severity = "high"
	SeverityMedium   Severity = "medium"
	SeverityLow      Severity = "low"
)

// Severities lists every severity, most urgent first.
var Severities = []Severity{SeverityCritical, SeverityHigh, SeverityMedium, SeverityLow}

// Valid reports whether s is a known severity.
func (s Severity) Valid() bool { return s.Rank() > 0 }

// Rank orders severities: critical 4 … low 1, unknown 0. Guardrails compare
// ranks so that they can only ever raise a severity.
func (s Severity) Rank() int {
	switch s {
	case SeverityCritical:
		return 4
	case SeverityHigh:
		return 3
	case SeverityMedium:
		return 2
	case SeverityLow:
		return 1
	}
	return 0
}

// Label is the severity's name in the UI.
func (s Severity) Label() string {
	switch s {
	case SeverityCritical:
		return "Critical"
	case SeverityHigh:
		return "High"
	case SeverityMedium:
		return "Medium"
	case SeverityLow:
		return "Low"
	}
	return string(s)
}

// Vendor is an outside company that sends change notifications. Its email
// domains and aliases are how triage recognises its mail.
type Vendor struct {
	ID           string    `json:"id"`
	TenantID     string    `json:"-"`
	Name         string    `json:"name"`
	Tier         Tier      `json:"tier" enum:"tier_1,tier_2,tier_3"`
	EmailDomains []string  `json:"email_domains" nullable:"false"`
	Aliases      []string  `json:"aliases" nullable:"false"`
	Website      string    `json:"website"`
	Notes        string    `json:"notes"`
	IsActive     bool      `json:"is_active"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
}

// Application is an internal system. Its plain-language description is fed
// verbatim to triage, so a rich description means accurate routing; its
// tracker settings say where the issue for an affected change is opened.
type Application struct {
	ID                  string   `json:"id"`
	TenantID            string   `json:"-"`
	Name                string   `json:"name"`
	Description         string   `json:"description"`
	OwnerTeamID         string   `json:"owner_team_id,omitempty"`
	IsCritical          bool     `json:"is_critical"`
	VendorIDs           []string `json:"vendor_ids" nullable:"false"`
	CreatesTrackerIssue bool     `json:"creates_tracker_issue"`
	// TrackerConnectionID is the tracker connection the application's
	// issues go to; empty means the tenant's first connection.
	TrackerConnectionID    string    `json:"tracker_connection_id" doc:"The tracker connection issues are created in; empty means the tenant's first connection."`
	TrackerProjectKey      string    `json:"tracker_project_key" doc:"Where in that tracker: a Jira project key (PAY), GitHub or Gitea owner/repo, or a GitLab project path (group/project)."`
	TrackerIssueType       string    `json:"tracker_issue_type"`
	TrackerLabels          []string  `json:"tracker_labels" nullable:"false"`
	TrackerDefaultAssignee string    `json:"tracker_default_assignee"`
	IsActive               bool      `json:"is_active"`
	CreatedAt              time.Time `json:"created_at"`
	UpdatedAt              time.Time `json:"updated_at"`
}

// Rule is a routing rule in natural language ("Any Visa change to
// authorization endpoints is critical for Payments"), with the severity, SLA,
// owner and alert channel it implies when it matches.
type Rule struct {
	ID           string    `json:"id"`
	TenantID     string    `json:"-"`
	Name         string    `json:"name"`
	Text         string    `json:"text"`
	VendorID     string    `json:"vendor_id,omitempty" doc:"The vendor the rule is about; absent for rules about any vendor."`
	Severity     Severity  `json:"severity" enum:"critical,high,medium,low"`
	SLADays      *int      `json:"sla_days,omitempty" doc:"Days to complete the change; absent to use the vendor tier's default."`
	OwnerTeamID  string    `json:"owner_team_id,omitempty"`
	AlertChannel string    `json:"alert_channel"`
	IsActive     bool      `json:"is_active"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
}

// VendorFilter selects vendors in a list.
type VendorFilter struct {
	Query           string // name, aliases or email domains contain it
	Tier            Tier
	IncludeInactive bool
	Cursor          string
	Limit           int
}

// ApplicationFilter selects applications in a list.
type ApplicationFilter struct {
	Query           string // name or description contains it
	VendorID        string // integrates with this vendor
	OwnerTeamID     string
	IncludeInactive bool
	Cursor          string
	Limit           int
}

// RuleFilter selects rules in a list.
type RuleFilter struct {
	Query           string // name or text contains it
	Severity        Severity
	VendorID        string
	OwnerTeamID     string
	IncludeInactive bool
	Cursor          string
	Limit           int
}

// Snapshot is every active vendor, application and rule of a tenant, ordered
// by name: what triage reads for one decision.
type Snapshot struct {
	Vendors      []Vendor
	Applications []Application
	Rules        []Rule
}

// Counts are the numbers of active registry entries, for the dashboard.
type Counts struct {
	Vendors      int
	Applications int
	Rules        int
}

// Store is what the registry needs from storage. Every read and write is
// scoped by tenant; every write commits its audit event in the same
// transaction and re-checks, inside it, that referenced vendors and teams
// belong to the tenant.
type Store interface {
	CreateVendor(ctx context.Context, v Vendor, ev audit.Event) error
	UpdateVendor(ctx context.Context, v Vendor, ev audit.Event) error
	Vendor(ctx context.Context, tenantID, id string) (Vendor, error)
	ListVendors(ctx context.Context, tenantID string, f VendorFilter) ([]Vendor, string, error)
	// ExistingVendors returns which of ids are vendors of the tenant.
	ExistingVendors(ctx context.Context, tenantID string, ids []string) (map[string]bool, error)

	CreateApplication(ctx context.Context, a Application, ev audit.Event) error
	UpdateApplication(ctx context.Context, a Application, ev audit.Event) error
	Application(ctx context.Context, tenantID, id string) (Application, error)
	ListApplications(ctx context.Context, tenantID string, f ApplicationFilter) ([]Application, string, error)

	CreateRule(ctx context.Context, r Rule, ev audit.Event) error
	UpdateRule(ctx context.Context, r Rule, ev audit.Event) error
	Rule(ctx context.Context, tenantID, id string) (Rule, error)
	ListRules(ctx context.Context, tenantID string, f RuleFilter) ([]Rule, string, error)

	ActiveRegistry(ctx context.Context, tenantID string) (Snapshot, error)
	CountRegistry(ctx context.Context, tenantID string) (Counts, error)

	// Team reads an owner team; teams themselves belong to package auth.
	Team(ctx context.Context, tenantID, id string) (auth.Team, error)
}

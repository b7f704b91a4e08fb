package auth

// Permission is one action of the permission matrix. Every route names exactly
// one; anything not granted here is denied.
type Permission string

// The permission matrix of the product ("Authentication & Authorization").
const (
	PermView             Permission = "view"         // dashboards, tickets, registry
	PermWorkTickets      Permission = "work_tickets" // work a ticket: notes, progress of non-tracker applications (owners: their team's)
	PermTriggerSync      Permission = "trigger_sync" // manual tracker sync
	PermConfirmClosure   Permission = "confirm_closure"
	PermOverrideClose    Permission = "override_close"
	PermEditRules        Permission = "edit_rules"
	PermEditApplications Permission = "edit_applications"
	PermEditVendors      Permission = "edit_vendors"
	PermEditIntegrations Permission = "edit_integrations" // email sources, LLM, tracker config, secrets
	PermManageUsers      Permission = "manage_users"      // users, roles, teams, API keys
	PermManageSettings   Permission = "manage_settings"   // system settings
	PermManageJobs       Permission = "manage_jobs"       // dead letters: inspect, retry
	PermViewAudit        Permission = "view_audit"
	PermTriage           Permission = "triage"         // classify unknown emails, upload emails
	PermSubmitSignals    Permission = "submit_signals" // vendor score signals: REST, uploads
	PermEditScoring      Permission = "edit_scoring"   // scoring rules: save, activate
	// Procurement: the contracts module's work.
	PermUploadPrices Permission = "upload_prices" // vendor price files: upload, confirm column mappings
)

// Matrix is the whole permission table in one place: permission → roles.
var Matrix = map[Permission][]Role{
	PermView:             {RoleAdmin, RoleChangeManager, RoleOwner, RoleViewer},
	PermWorkTickets:      {RoleAdmin, RoleChangeManager, RoleOwner},
	PermTriggerSync:      {RoleAdmin, RoleChangeManager, RoleOwner},
	PermConfirmClosure:   {RoleAdmin, RoleChangeManager},
	PermOverrideClose:    {RoleAdmin, RoleChangeManager},
	PermEditRules:        {RoleAdmin, RoleChangeManager},
	PermEditApplications: {RoleAdmin, RoleChangeManager},
	PermEditVendors:      {RoleAdmin, RoleChangeManager},
	PermEditIntegrations: {RoleAdmin},
	PermManageUsers:      {RoleAdmin},
	PermManageSettings:   {RoleAdmin},
	PermManageJobs:       {RoleAdmin},
	PermViewAudit:        {RoleAdmin, RoleChangeManager, RoleOwner, RoleViewer},
	PermTriage:           {RoleAdmin, RoleChangeManager},
	PermSubmitSignals:    {RoleAdmin, RoleChangeManager},
	PermEditScoring:      {RoleAdmin, RoleChangeManager},
	PermUploadPrices:     {RoleAdmin, RoleChangeManager},
}

// Allowed reports whether role r holds permission p. Unknown permissions and
// unknown roles are denied.
func Allowed(r Role, p Permission) bool {
	for _, allowed := range Matrix[p] {
		if allowed == r {
			return true
		}
	}
	return false
}

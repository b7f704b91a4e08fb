package auth

// Permission is one action of the permission matrix. Every route names exactly
// one; anything not granted here is denied.
type Permission string

// The permission matrix of the product ("Authentication & Authorization").
const (
	PermView             Permission = "view"         // dashboards, tickets, registry
	PermWorkTickets      Permission = "work_tickets" // work a ticket: notes, progress of non-tracker applications (owners: their team's)
	PermEditTickets      Permission = "edit_tickets" // change what triage decided: a ticket's effective date
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
	PermManageIngest     Permission = "manage_ingest"  // ingest vendors: keys, signing secrets, limits
	PermIngest           Permission = "ingest"         // send a vendor's events (its ingest keys only)
	// Procurement: ERP connectors and the contracts module's work.
	PermManageERP          Permission = "manage_erp"          // ERP connectors: settings, credentials, test, sync, catalog import
	PermUploadPrices       Permission = "upload_prices"       // vendor price files: upload, confirm column mappings
	PermMapItems           Permission = "map_items"           // vendor item ↔ ERP item mappings: approve, reject, map by hand
	PermResolveExceptions  Permission = "resolve_exceptions"  // reconciliation exceptions: comment, assign, resolve
	PermOverrideExceptions Permission = "override_exceptions" // accept a price or unit the rules flagged, with a reason
)

// Matrix is the whole permission table in one place: permission → roles.
var Matrix = map[Permission][]Role{
	PermView:             {RoleAdmin, RoleChangeManager, RoleProcurementAnalyst, RoleOwner, RoleViewer},
	PermWorkTickets:      {RoleAdmin, RoleChangeManager, RoleOwner},
	PermEditTickets:      {RoleAdmin, RoleChangeManager},
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
	PermViewAudit:        {RoleAdmin, RoleChangeManager, RoleProcurementAnalyst, RoleOwner, RoleViewer},
	PermTriage:           {RoleAdmin, RoleChangeManager},
	PermSubmitSignals:    {RoleAdmin, RoleChangeManager},
	PermEditScoring:      {RoleAdmin, RoleChangeManager},
	PermManageIngest:     {RoleAdmin},
	PermIngest:           {RoleIngest},
	// A connector holds ERP credentials, so it is the admin's, as other
	// integrations are. The procurement work (upload, map, reconcile,
	// comment, assign, resolve) is the procurement analyst's, and stays the
	// change manager's, who did it before the analyst role existed.
	// Overriding a flagged price accepts it for writeback to the ERP, so
	// it is held above the people who work the queue: admins only.
	PermManageERP:          {RoleAdmin},
	PermUploadPrices:       {RoleAdmin, RoleChangeManager, RoleProcurementAnalyst},
	PermMapItems:           {RoleAdmin, RoleChangeManager, RoleProcurementAnalyst},
	PermResolveExceptions:  {RoleAdmin, RoleChangeManager, RoleProcurementAnalyst},
	PermOverrideExceptions: {RoleAdmin},
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

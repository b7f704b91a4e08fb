package web

import (
	"net/http"

	"github.com/vendorsync/vendorsync/internal/auth"
)

// registerRoutes lists every route of the product in one place. API
// operations go through op (permission checked before the body is read), UI
// pages through page (sign-in, permission and CSRF), and the few public
// endpoints through public.
func (s *Server) registerRoutes() {
	// System.
	s.public("GET", "/healthz", s.healthz)
	s.public("GET", "/readyz", s.readyz)
	s.public("GET", "/metrics", s.metricsHandler().ServeHTTP)
	s.public("GET", "/static/", s.staticHandler().ServeHTTP)
	s.public("GET", "/api/docs", s.apiDocs)
	s.mux.HandleFunc("/api/", notFoundAPI)

	// Sign-in: password and SSO.
	s.public("GET", "/login", s.loginForm)
	s.public("POST", "/login", s.login)
	s.public("POST", "/logout", s.logout)
	// [people: OIDC routes]
	s.public("GET", "/auth/oidc/login", s.oidcLogin)
	s.public("GET", "/auth/oidc/callback", s.oidcCallback)

	// UI: home.
	s.page("GET", "/{$}", auth.PermView, s.uiHome)

	// Changes: tickets.
	op(s, opListTickets, auth.PermView, s.apiListTickets)
	op(s, opGetTicket, auth.PermView, s.apiGetTicket)
	// Transitions are open to every viewer of tickets: the lifecycle rules
	// decide by role (confirm closure, override, working the ticket).
	op(s, opTransitionTicket, auth.PermView, s.apiTransitionTicket)
	op(s, opAddTicketNote, auth.PermMarkAppProgress, s.apiAddTicketNote)
	op(s, opMarkProgress, auth.PermMarkAppProgress, s.apiMarkTicketProgress)
	s.page("GET", "/tickets", auth.PermView, s.uiTickets)
	s.page("GET", "/tickets/{number}", auth.PermView, s.uiTicket)
	s.page("POST", "/tickets/{number}/transitions", auth.PermView, s.uiTransitionTicket)
	s.page("POST", "/tickets/{number}/notes", auth.PermMarkAppProgress, s.uiAddTicketNote)
	s.page("POST", "/tickets/{number}/applications/{application_id}/progress", auth.PermMarkAppProgress, s.uiMarkTicketProgress)

	// Changes: emails and triage.
	op(s, s.uploadEmailOp(), auth.PermTriage, s.apiUploadEmail)
	op(s, opListEmails, auth.PermView, s.apiListEmails)
	op(s, opGetEmail, auth.PermView, s.apiGetEmail)
	op(s, opClassifyEmail, auth.PermTriage, s.apiClassifyEmail)
	op(s, opGetEmailRaw, auth.PermView, s.apiGetEmailRaw)
	s.page("GET", "/triage", auth.PermView, s.uiTriage)
	s.page("GET", "/emails", auth.PermView, s.uiEmails)
	s.upload("POST", "/emails", auth.PermTriage, maxUploadBytes, s.uiUploadEmail)
	s.page("GET", "/emails/{id}", auth.PermView, s.uiEmail)
	s.page("POST", "/emails/{id}/classify", auth.PermTriage, s.uiClassifyEmail)

	// Registry: vendors, applications, rules.
	// [registry: API and UI routes]
	op(s, opListVendors, auth.PermView, s.apiListVendors)
	op(s, opCreateVendor, auth.PermEditVendors, s.apiCreateVendor)
	op(s, opGetVendor, auth.PermView, s.apiGetVendor)
	op(s, opPatchVendor, auth.PermEditVendors, s.apiPatchVendor)
	op(s, opDeactivateVendor, auth.PermEditVendors, s.apiDeactivateVendor)
	op(s, opListApplications, auth.PermView, s.apiListApplications)
	op(s, opCreateApplication, auth.PermEditApplications, s.apiCreateApplication)
	op(s, opGetApplication, auth.PermView, s.apiGetApplication)
	op(s, opPatchApplication, auth.PermEditApplications, s.apiPatchApplication)
	op(s, opDeactivateApplication, auth.PermEditApplications, s.apiDeactivateApplication)
	op(s, opListRules, auth.PermView, s.apiListRules)
	op(s, opCreateRule, auth.PermEditRules, s.apiCreateRule)
	op(s, opGetRule, auth.PermView, s.apiGetRule)
	op(s, opPatchRule, auth.PermEditRules, s.apiPatchRule)
	op(s, opDeactivateRule, auth.PermEditRules, s.apiDeactivateRule)
	s.page("GET", "/vendors", auth.PermView, s.uiVendors)
	s.page("GET", "/vendors/new", auth.PermEditVendors, s.uiNewVendor)
	s.page("POST", "/vendors", auth.PermEditVendors, s.uiCreateVendor)
	s.page("GET", "/vendors/{id}", auth.PermView, s.uiVendor)
	s.page("POST", "/vendors/{id}", auth.PermEditVendors, s.uiUpdateVendor)
	s.page("POST", "/vendors/{id}/active", auth.PermEditVendors, s.uiVendorActive)
	s.page("GET", "/applications", auth.PermView, s.uiApplications)
	s.page("GET", "/applications/new", auth.PermEditApplications, s.uiNewApplication)
	s.page("POST", "/applications", auth.PermEditApplications, s.uiCreateApplication)
	s.page("GET", "/applications/{id}", auth.PermView, s.uiApplication)
	s.page("POST", "/applications/{id}", auth.PermEditApplications, s.uiUpdateApplication)
	s.page("POST", "/applications/{id}/active", auth.PermEditApplications, s.uiApplicationActive)
	s.page("GET", "/rules", auth.PermView, s.uiRules)
	s.page("GET", "/rules/new", auth.PermEditRules, s.uiNewRule)
	s.page("POST", "/rules", auth.PermEditRules, s.uiCreateRule)
	s.page("GET", "/rules/{id}", auth.PermView, s.uiRule)
	s.page("POST", "/rules/{id}", auth.PermEditRules, s.uiUpdateRule)
	s.page("POST", "/rules/{id}/active", auth.PermEditRules, s.uiRuleActive)

	// People: users, teams, API keys; settings and secrets.
	// [people: API and UI routes]
	op(s, opMe, auth.PermView, s.apiMe)
	op(s, opListUsers, auth.PermManageUsers, s.apiListUsers)
	op(s, opCreateUser, auth.PermManageUsers, s.apiCreateUser)
	op(s, opGetUser, auth.PermManageUsers, s.apiGetUser)
	op(s, opPatchUser, auth.PermManageUsers, s.apiPatchUser)
	op(s, opDeactivateUser, auth.PermManageUsers, s.apiDeactivateUser)
	op(s, opListTeams, auth.PermView, s.apiListTeams)
	op(s, opGetTeam, auth.PermView, s.apiGetTeam)
	op(s, opCreateTeam, auth.PermManageUsers, s.apiCreateTeam)
	op(s, opPatchTeam, auth.PermManageUsers, s.apiPatchTeam)
	op(s, opDeactivateTeam, auth.PermManageUsers, s.apiDeactivateTeam)
	op(s, opListAPIKeys, auth.PermManageUsers, s.apiListAPIKeys)
	op(s, opCreateAPIKey, auth.PermManageUsers, s.apiCreateAPIKey)
	op(s, opGetAPIKey, auth.PermManageUsers, s.apiGetAPIKey)
	op(s, opRevokeAPIKey, auth.PermManageUsers, s.apiRevokeAPIKey)
	op(s, opGetSettings, auth.PermManageSettings, s.apiGetSettings)
	op(s, opPatchSettings, auth.PermManageSettings, s.apiPatchSettings)
	op(s, opListSecrets, auth.PermEditIntegrations, s.apiListSecrets)
	op(s, opPutSecret, auth.PermEditIntegrations, s.apiPutSecret)
	op(s, opDeleteSecret, auth.PermEditIntegrations, s.apiDeleteSecret)
	s.page("GET", "/users", auth.PermManageUsers, s.uiUsers)
	s.page("POST", "/users", auth.PermManageUsers, s.uiCreateUser)
	s.page("GET", "/users/{id}", auth.PermManageUsers, s.uiUser)
	s.page("POST", "/users/{id}", auth.PermManageUsers, s.uiUpdateUser)
	s.page("POST", "/users/{id}/active", auth.PermManageUsers, s.uiUserActive)
	s.page("POST", "/users/{id}/password", auth.PermManageUsers, s.uiResetPassword)
	s.page("POST", "/users/{id}/sso/unlink", auth.PermManageUsers, s.uiUnlinkSSO)
	s.page("GET", "/teams", auth.PermView, s.uiTeams)
	s.page("POST", "/teams", auth.PermManageUsers, s.uiCreateTeam)
	s.page("GET", "/teams/{id}", auth.PermView, s.uiTeam)
	s.page("POST", "/teams/{id}", auth.PermManageUsers, s.uiUpdateTeam)
	s.page("POST", "/teams/{id}/active", auth.PermManageUsers, s.uiTeamActive)
	s.page("GET", "/apikeys", auth.PermManageUsers, s.uiAPIKeys)
	s.page("POST", "/apikeys", auth.PermManageUsers, s.uiCreateAPIKey)
	s.page("POST", "/apikeys/{id}/revoke", auth.PermManageUsers, s.uiRevokeAPIKey)
	s.page("GET", "/settings", auth.PermManageSettings, s.uiSettings)
	s.page("POST", "/settings", auth.PermManageSettings, s.uiSaveSettings)
	s.page("POST", "/settings/secrets", auth.PermEditIntegrations, s.uiPutSecret)
	s.page("POST", "/settings/secrets/{name}/delete", auth.PermEditIntegrations, s.uiDeleteSecret)

	// Platform: audit log, dead letters.
	// [platform: API and UI routes]
	op(s, opListAudit, auth.PermViewAudit, s.apiListAudit)
	op(s, opVerifyAudit, auth.PermManageSettings, s.apiVerifyAudit)
	op(s, opListJobs, auth.PermManageJobs, s.apiListJobs)
	op(s, opGetJob, auth.PermManageJobs, s.apiGetJob)
	op(s, opRetryJob, auth.PermManageJobs, s.apiRetryJob)
	s.page("GET", "/audit", auth.PermViewAudit, s.uiAudit)
	s.page("GET", "/jobs", auth.PermManageJobs, s.uiJobs)
	s.page("GET", "/jobs/{id}", auth.PermManageJobs, s.uiJob)
	s.page("POST", "/jobs/{id}/retry", auth.PermManageJobs, s.uiRetryJob)

	// Integrations: mailboxes and language model.
	op(s, opListMailboxes, auth.PermEditIntegrations, s.apiListMailboxes)
	op(s, opCreateMailbox, auth.PermEditIntegrations, s.apiCreateMailbox)
	op(s, opGetMailbox, auth.PermEditIntegrations, s.apiGetMailbox)
	op(s, opPatchMailbox, auth.PermEditIntegrations, s.apiPatchMailbox)
	op(s, opDeactivateMailbox, auth.PermEditIntegrations, s.apiDeactivateMailbox)
	op(s, opTestMailbox, auth.PermEditIntegrations, s.apiTestMailbox)
	op(s, opPollMailbox, auth.PermEditIntegrations, s.apiPollMailbox)
	op(s, opGetLLM, auth.PermEditIntegrations, s.apiGetLLM)
	op(s, opPutLLM, auth.PermEditIntegrations, s.apiPutLLM)
	op(s, opTestLLM, auth.PermEditIntegrations, s.apiTestLLM)
	s.page("GET", "/settings/mailboxes", auth.PermEditIntegrations, s.uiMailboxes)
	s.page("GET", "/settings/mailboxes/new", auth.PermEditIntegrations, s.uiNewMailbox)
	s.page("POST", "/settings/mailboxes", auth.PermEditIntegrations, s.uiCreateMailbox)
	s.page("GET", "/settings/mailboxes/{id}", auth.PermEditIntegrations, s.uiMailbox)
	s.page("POST", "/settings/mailboxes/{id}", auth.PermEditIntegrations, s.uiUpdateMailbox)
	s.page("POST", "/settings/mailboxes/{id}/test", auth.PermEditIntegrations, s.uiTestMailbox)
	s.page("POST", "/settings/mailboxes/{id}/poll", auth.PermEditIntegrations, s.uiPollMailbox)
	s.page("POST", "/settings/mailboxes/{id}/active", auth.PermEditIntegrations, s.uiMailboxActive)
	s.page("GET", "/settings/llm", auth.PermEditIntegrations, s.uiLLM)
	s.page("POST", "/settings/llm", auth.PermEditIntegrations, s.uiSaveLLM)
	s.page("POST", "/settings/llm/test", auth.PermEditIntegrations, s.uiTestLLM)

	// Trackers: Jira.
	op(s, opGetJira, auth.PermEditIntegrations, s.apiGetJira)
	op(s, opPutJira, auth.PermEditIntegrations, s.apiPutJira)
	op(s, opTestJira, auth.PermEditIntegrations, s.apiTestJira)
	op(s, opListJiraLinks, auth.PermEditIntegrations, s.apiListJiraLinks)
	op(s, opRetryJiraLink, auth.PermEditIntegrations, s.apiRetryJiraLink)
	op(s, opSyncTicket, auth.PermTriggerSync, s.apiSyncTicket)
	s.page("GET", "/settings/jira", auth.PermEditIntegrations, s.uiJira)
	s.page("POST", "/settings/jira", auth.PermEditIntegrations, s.uiSaveJira)
	s.page("POST", "/settings/jira/test", auth.PermEditIntegrations, s.uiTestJira)
	s.page("POST", "/settings/jira/links/{id}/retry", auth.PermEditIntegrations, s.uiRetryJiraLink)
	s.page("POST", "/tickets/{number}/sync", auth.PermTriggerSync, s.uiSyncTicket)

	// Notifications.
	op(s, opGetNotifySettings, auth.PermEditIntegrations, s.apiGetNotifySettings)
	op(s, opPutNotifySettings, auth.PermEditIntegrations, s.apiPutNotifySettings)
	op(s, opTestNotify, auth.PermEditIntegrations, s.apiTestNotify)
	op(s, opListNotifications, auth.PermManageJobs, s.apiListNotifications)
	op(s, opReplayNotification, auth.PermManageJobs, s.apiReplayNotification)
	s.page("GET", "/settings/notifications", auth.PermEditIntegrations, s.uiNotifySettings)
	s.page("POST", "/settings/notifications", auth.PermEditIntegrations, s.uiSaveNotifySettings)
	s.page("POST", "/settings/notifications/test", auth.PermEditIntegrations, s.uiTestNotify)
	s.page("GET", "/notifications", auth.PermManageJobs, s.uiNotifications)
	s.page("POST", "/notifications/{id}/replay", auth.PermManageJobs, s.uiReplayNotification)
}

func (s *Server) uiHome(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	data, err := s.homeData(r.Context(), p)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "home.html", View{Title: "Dashboard", Nav: "home", Data: data})
	return nil
}

package web

import (
	"net/http"

	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/contract"
)

// registerRoutes lists every route of the product in one place, each with
// its method and path written out, so that searching this file finds any
// endpoint. API operations go through op (permission checked before the body
// is read; their summary and description live next to their handlers), UI
// pages through page (sign-in, permission and CSRF), and the few public
// endpoints through public.
func (s *Server) registerRoutes() {
	// System.
	s.public("GET", "/healthz", s.healthz)
	s.public("GET", "/readyz", s.readyz)
	s.public("GET", "/metrics", s.metricsHandler().ServeHTTP)
	s.public("GET", "/static/", s.staticHandler().ServeHTTP)
	s.public("GET", "/favicon.ico", s.favicon)
	s.public("GET", "/api/docs", s.apiDocs)
	s.mux.HandleFunc("/api/", notFoundAPI)

	// Sign-in: password and SSO.
	s.public("GET", "/login", s.loginForm)
	s.public("POST", "/login", s.login)
	s.public("POST", "/logout", s.logout)
	// [people: OIDC routes]
	s.public("GET", "/auth/oidc/login", s.oidcLogin)
	s.public("GET", "/auth/oidc/callback", s.oidcCallback)

	// UI: home and documentation.
	s.page("GET", "/{$}", auth.PermView, s.uiHome)
	s.page("GET", "/docs", auth.PermView, s.uiDocs)

	// Changes: tickets.
	op(s, "GET /api/v1/tickets", auth.PermView, docListTickets, s.apiListTickets)
	op(s, "GET /api/v1/tickets/{number}", auth.PermView, docGetTicket, s.apiGetTicket)
	// Transitions are open to every viewer of tickets: the lifecycle rules
	// decide by role (confirm closure, override, working the ticket).
	op(s, "POST /api/v1/tickets/{number}/transitions", auth.PermView, docTransitionTicket, s.apiTransitionTicket)
	op(s, "POST /api/v1/tickets/{number}/notes", auth.PermWorkTickets, docAddTicketNote, s.apiAddTicketNote)
	op(s, "POST /api/v1/tickets/{number}/applications/{application_id}/progress", auth.PermWorkTickets, docMarkProgress, s.apiMarkTicketProgress)
	s.page("GET", "/tickets", auth.PermView, s.uiTickets)
	s.page("GET", "/tickets/{number}", auth.PermView, s.uiTicket)
	s.page("POST", "/tickets/{number}/transitions", auth.PermView, s.uiTransitionTicket)
	s.page("POST", "/tickets/{number}/notes", auth.PermWorkTickets, s.uiAddTicketNote)
	s.page("POST", "/tickets/{number}/applications/{application_id}/progress", auth.PermWorkTickets, s.uiMarkTicketProgress)

	// Changes: emails and triage.
	op(s, "POST /api/v1/emails", auth.PermTriage, s.uploadEmailDoc(), s.apiUploadEmail)
	op(s, "GET /api/v1/emails", auth.PermView, docListEmails, s.apiListEmails)
	op(s, "GET /api/v1/emails/{id}", auth.PermView, docGetEmail, s.apiGetEmail)
	op(s, "POST /api/v1/emails/{id}/classify", auth.PermTriage, docClassifyEmail, s.apiClassifyEmail)
	op(s, "GET /api/v1/emails/{id}/raw", auth.PermView, docGetEmailRaw, s.apiGetEmailRaw)
	s.page("GET", "/triage", auth.PermView, s.uiTriage)
	s.page("GET", "/emails", auth.PermView, s.uiEmails)
	s.upload("POST", "/emails", auth.PermTriage, maxUploadBytes, s.uiUploadEmail)
	s.page("GET", "/emails/{id}", auth.PermView, s.uiEmail)
	s.page("POST", "/emails/{id}/classify", auth.PermTriage, s.uiClassifyEmail)

	// Registry: vendors, applications, rules.
	// [registry: API and UI routes]
	op(s, "GET /api/v1/vendors", auth.PermView, docListVendors, s.apiListVendors)
	op(s, "POST /api/v1/vendors", auth.PermEditVendors, docCreateVendor, s.apiCreateVendor)
	op(s, "GET /api/v1/vendors/{id}", auth.PermView, docGetVendor, s.apiGetVendor)
	op(s, "PATCH /api/v1/vendors/{id}", auth.PermEditVendors, docPatchVendor, s.apiPatchVendor)
	op(s, "DELETE /api/v1/vendors/{id}", auth.PermEditVendors, docDeactivateVendor, s.apiDeactivateVendor)
	op(s, "GET /api/v1/applications", auth.PermView, docListApplications, s.apiListApplications)
	op(s, "POST /api/v1/applications", auth.PermEditApplications, docCreateApplication, s.apiCreateApplication)
	op(s, "GET /api/v1/applications/{id}", auth.PermView, docGetApplication, s.apiGetApplication)
	op(s, "PATCH /api/v1/applications/{id}", auth.PermEditApplications, docPatchApplication, s.apiPatchApplication)
	op(s, "DELETE /api/v1/applications/{id}", auth.PermEditApplications, docDeactivateApplication, s.apiDeactivateApplication)
	op(s, "GET /api/v1/rules", auth.PermView, docListRules, s.apiListRules)
	op(s, "POST /api/v1/rules", auth.PermEditRules, docCreateRule, s.apiCreateRule)
	op(s, "GET /api/v1/rules/{id}", auth.PermView, docGetRule, s.apiGetRule)
	op(s, "PATCH /api/v1/rules/{id}", auth.PermEditRules, docPatchRule, s.apiPatchRule)
	op(s, "DELETE /api/v1/rules/{id}", auth.PermEditRules, docDeactivateRule, s.apiDeactivateRule)
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
	op(s, "GET /api/v1/me", auth.PermView, docMe, s.apiMe)
	op(s, "GET /api/v1/users", auth.PermManageUsers, docListUsers, s.apiListUsers)
	op(s, "POST /api/v1/users", auth.PermManageUsers, docCreateUser, s.apiCreateUser)
	op(s, "GET /api/v1/users/{id}", auth.PermManageUsers, docGetUser, s.apiGetUser)
	op(s, "PATCH /api/v1/users/{id}", auth.PermManageUsers, docPatchUser, s.apiPatchUser)
	op(s, "DELETE /api/v1/users/{id}", auth.PermManageUsers, docDeactivateUser, s.apiDeactivateUser)
	op(s, "GET /api/v1/teams", auth.PermView, docListTeams, s.apiListTeams)
	op(s, "GET /api/v1/teams/{id}", auth.PermView, docGetTeam, s.apiGetTeam)
	op(s, "POST /api/v1/teams", auth.PermManageUsers, docCreateTeam, s.apiCreateTeam)
	op(s, "PATCH /api/v1/teams/{id}", auth.PermManageUsers, docPatchTeam, s.apiPatchTeam)
	op(s, "DELETE /api/v1/teams/{id}", auth.PermManageUsers, docDeactivateTeam, s.apiDeactivateTeam)
	op(s, "GET /api/v1/apikeys", auth.PermManageUsers, docListAPIKeys, s.apiListAPIKeys)
	op(s, "POST /api/v1/apikeys", auth.PermManageUsers, docCreateAPIKey, s.apiCreateAPIKey)
	op(s, "GET /api/v1/apikeys/{id}", auth.PermManageUsers, docGetAPIKey, s.apiGetAPIKey)
	op(s, "DELETE /api/v1/apikeys/{id}", auth.PermManageUsers, docRevokeAPIKey, s.apiRevokeAPIKey)
	op(s, "GET /api/v1/settings", auth.PermManageSettings, docGetSettings, s.apiGetSettings)
	op(s, "PATCH /api/v1/settings", auth.PermManageSettings, docPatchSettings, s.apiPatchSettings)
	op(s, "GET /api/v1/secrets", auth.PermEditIntegrations, docListSecrets, s.apiListSecrets)
	op(s, "PUT /api/v1/secrets/{name}", auth.PermEditIntegrations, docPutSecret, s.apiPutSecret)
	op(s, "DELETE /api/v1/secrets/{name}", auth.PermEditIntegrations, docDeleteSecret, s.apiDeleteSecret)
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
	op(s, "GET /api/v1/audit", auth.PermViewAudit, docListAudit, s.apiListAudit)
	op(s, "GET /api/v1/audit/verify", auth.PermManageSettings, docVerifyAudit, s.apiVerifyAudit)
	op(s, "GET /api/v1/jobs", auth.PermManageJobs, docListJobs, s.apiListJobs)
	op(s, "GET /api/v1/jobs/{id}", auth.PermManageJobs, docGetJob, s.apiGetJob)
	op(s, "POST /api/v1/jobs/{id}/retry", auth.PermManageJobs, docRetryJob, s.apiRetryJob)
	s.page("GET", "/audit", auth.PermViewAudit, s.uiAudit)
	s.page("GET", "/jobs", auth.PermManageJobs, s.uiJobs)
	s.page("GET", "/jobs/{id}", auth.PermManageJobs, s.uiJob)
	s.page("POST", "/jobs/{id}/retry", auth.PermManageJobs, s.uiRetryJob)

	// Integrations: mailboxes and language model.
	op(s, "GET /api/v1/mail-sources", auth.PermEditIntegrations, docListMailboxes, s.apiListMailboxes)
	op(s, "POST /api/v1/mail-sources", auth.PermEditIntegrations, docCreateMailbox, s.apiCreateMailbox)
	op(s, "GET /api/v1/mail-sources/{id}", auth.PermEditIntegrations, docGetMailbox, s.apiGetMailbox)
	op(s, "PATCH /api/v1/mail-sources/{id}", auth.PermEditIntegrations, docPatchMailbox, s.apiPatchMailbox)
	op(s, "DELETE /api/v1/mail-sources/{id}", auth.PermEditIntegrations, docDeactivateMailbox, s.apiDeactivateMailbox)
	op(s, "POST /api/v1/mail-sources/{id}/test", auth.PermEditIntegrations, docTestMailbox, s.apiTestMailbox)
	op(s, "POST /api/v1/mail-sources/{id}/poll", auth.PermEditIntegrations, docPollMailbox, s.apiPollMailbox)
	op(s, "GET /api/v1/llm", auth.PermEditIntegrations, docGetLLM, s.apiGetLLM)
	op(s, "PUT /api/v1/llm", auth.PermEditIntegrations, docPutLLM, s.apiPutLLM)
	op(s, "POST /api/v1/llm/test", auth.PermEditIntegrations, docTestLLM, s.apiTestLLM)
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
	op(s, "GET /api/v1/jira", auth.PermEditIntegrations, docGetJira, s.apiGetJira)
	op(s, "PUT /api/v1/jira", auth.PermEditIntegrations, docPutJira, s.apiPutJira)
	op(s, "POST /api/v1/jira/test", auth.PermEditIntegrations, docTestJira, s.apiTestJira)
	op(s, "GET /api/v1/jira/links", auth.PermEditIntegrations, docListJiraLinks, s.apiListJiraLinks)
	// Trackers of any kind: Jira, GitHub, GitLab, Gitea.
	op(s, "GET /api/v1/tracker/connection", auth.PermEditIntegrations, docGetTracker, s.apiGetTracker)
	op(s, "PUT /api/v1/tracker/connection", auth.PermEditIntegrations, docPutTracker, s.apiPutTracker)
	op(s, "POST /api/v1/tracker/connection/test", auth.PermEditIntegrations, docTestTracker, s.apiTestJira)
	op(s, "POST /api/v1/jira/links/{id}/retry", auth.PermEditIntegrations, docRetryJiraLink, s.apiRetryJiraLink)
	op(s, "POST /api/v1/tickets/{number}/sync", auth.PermTriggerSync, docSyncTicket, s.apiSyncTicket)
	s.page("GET", "/settings/jira", auth.PermEditIntegrations, s.uiJira)
	s.page("POST", "/settings/jira", auth.PermEditIntegrations, s.uiSaveJira)
	s.page("POST", "/settings/jira/test", auth.PermEditIntegrations, s.uiTestJira)
	s.page("POST", "/settings/jira/links/{id}/retry", auth.PermEditIntegrations, s.uiRetryJiraLink)
	s.page("POST", "/tickets/{number}/sync", auth.PermTriggerSync, s.uiSyncTicket)

	// Scores: signals in (REST, file upload, the signed hub), vendor
	// scores, the portfolio, scoring rules.
	op(s, "GET /api/v1/signal-codes", auth.PermView, docSignalCodes, s.apiSignalCodes)
	op(s, "POST /api/v1/signals", auth.PermSubmitSignals, docSubmitSignals, s.apiSubmitSignals)
	op(s, "POST /api/v1/signals/upload", auth.PermSubmitSignals, s.uploadSignalsDoc(), s.apiUploadSignals)
	op(s, "GET /api/v1/signals", auth.PermView, docListSignals, s.apiListSignals)
	op(s, "GET /api/v1/signals/rejections", auth.PermView, docListRejections, s.apiListRejections)
	op(s, "GET /api/v1/scores", auth.PermView, docPortfolio, s.apiPortfolio)
	op(s, "GET /api/v1/vendors/{id}/score", auth.PermView, docVendorScore, s.apiVendorScore)
	op(s, "POST /api/v1/vendors/{id}/external-ids", auth.PermEditVendors, docMapExternalID, s.apiMapExternalID)
	op(s, "GET /api/v1/score-rules", auth.PermView, docListScoreRules, s.apiListScoreRules)
	op(s, "POST /api/v1/score-rules", auth.PermEditScoring, docCreateScoreRule, s.apiCreateScoreRule)
	op(s, "GET /api/v1/score-rules/{id}", auth.PermView, docGetScoreRule, s.apiGetScoreRule)
	op(s, "POST /api/v1/score-rules/{id}/activate", auth.PermEditScoring, docActivateRule, s.apiActivateScoreRule)
	op(s, "GET /api/v1/score-reports", auth.PermView, docListReports, s.apiListReports)
	op(s, "POST /api/v1/score-reports", auth.PermView, docCreateReport, s.apiCreateReport)
	op(s, "GET /api/v1/score-reports/{id}/download", auth.PermView, docDownloadReport, s.apiDownloadReport)
	op(s, "POST /api/v1/score-reports/{id}/verify", auth.PermView, docVerifyReport, s.apiVerifyReport)
	s.public("POST", "/hooks/signals/{tenant}", s.hubSignals)
	s.page("GET", "/scores", auth.PermView, s.uiScores)
	s.upload("POST", "/scores/upload", auth.PermSubmitSignals, maxSignalFile, s.uiUploadSignals)
	s.page("GET", "/scores/rejections", auth.PermView, s.uiRejections)
	s.page("POST", "/scores/reports", auth.PermView, s.uiCreateReport)
	s.page("GET", "/scores/reports/{id}/download", auth.PermView, s.uiDownloadReport)
	s.page("GET", "/vendors/{id}/score", auth.PermView, s.uiVendorScore)

	// Contracts: vendor price files, their column mappings and imports,
	// and the contracts they become.
	op(s, "POST /api/v1/contract-files", auth.PermUploadPrices, docUploadContractFile, s.apiUploadContractFile)
	op(s, "GET /api/v1/contract-files", auth.PermView, docListContractFiles, s.apiListContractFiles)
	op(s, "GET /api/v1/contract-files/{id}", auth.PermView, docGetContractFile, s.apiGetContractFile)
	op(s, "GET /api/v1/contract-files/{id}/preview", auth.PermView, docPreviewContractFile, s.apiPreviewContractFile)
	op(s, "POST /api/v1/contract-files/{id}/confirm", auth.PermUploadPrices, docConfirmContractFile, s.apiConfirmContractFile)
	op(s, "GET /api/v1/contract-files/{id}/row-errors", auth.PermView, docListRowErrors, s.apiListRowErrors)
	op(s, "GET /api/v1/contract-files/{id}/row-errors/export", auth.PermView, docExportRowErrors, s.apiExportRowErrors)
	op(s, "GET /api/v1/contracts", auth.PermView, docListContracts, s.apiListContracts)
	op(s, "GET /api/v1/contracts/{id}", auth.PermView, docGetContract, s.apiGetContract)
	op(s, "GET /api/v1/contracts/{id}/lines", auth.PermView, docListContractLines, s.apiListContractLines)
	op(s, "GET /api/v1/contracts/{id}/lines/export", auth.PermView, docExportContractLines, s.apiExportContractLines)
	op(s, "GET /api/v1/uom-aliases", auth.PermView, docListUnitAliases, s.apiListUnitAliases)
	op(s, "PUT /api/v1/uom-aliases/{alias}", auth.PermUploadPrices, docPutUnitAlias, s.apiPutUnitAlias)
	op(s, "DELETE /api/v1/uom-aliases/{alias}", auth.PermUploadPrices, docDeleteUnitAlias, s.apiDeleteUnitAlias)
	s.page("GET", "/contracts", auth.PermView, s.uiContracts)
	s.page("GET", "/contracts/{id}", auth.PermView, s.uiContract)
	s.page("GET", "/contracts/files", auth.PermView, s.uiContractFiles)
	s.upload("POST", "/contracts/files", auth.PermUploadPrices, contract.MaxFileBytes+1<<20, s.uiUploadContractFile)
	s.page("GET", "/contracts/files/{id}", auth.PermView, s.uiContractFile)
	s.page("POST", "/contracts/files/{id}/confirm", auth.PermUploadPrices, s.uiConfirmContractFile)

	// Notifications.
	op(s, "GET /api/v1/notifications/settings", auth.PermEditIntegrations, docGetNotifySettings, s.apiGetNotifySettings)
	op(s, "PUT /api/v1/notifications/settings", auth.PermEditIntegrations, docPutNotifySettings, s.apiPutNotifySettings)
	op(s, "POST /api/v1/notifications/test", auth.PermEditIntegrations, docTestNotify, s.apiTestNotify)
	op(s, "GET /api/v1/notifications", auth.PermManageJobs, docListNotifications, s.apiListNotifications)
	op(s, "POST /api/v1/notifications/{id}/replay", auth.PermManageJobs, docReplayNotification, s.apiReplayNotification)
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

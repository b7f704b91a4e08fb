package app

import (
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/alexedwards/scs/v2"

	"github.com/vendorsync/vendorsync/internal/deadletter"
	"github.com/vendorsync/vendorsync/internal/jobs"
	"github.com/vendorsync/vendorsync/internal/obs"
	"github.com/vendorsync/vendorsync/internal/web"
)

// listen opens the HTTP listener (none for the worker role) and returns the
// external base URL: --base-url, or where the listener is.
func (c ServeCmd) listen() (net.Listener, string, error) {
	baseURL := strings.TrimRight(c.BaseURL, "/")
	if c.Role == "worker" {
		return nil, baseURL, nil
	}
	ln, err := net.Listen("tcp", c.Addr)
	if err != nil {
		return nil, "", fmt.Errorf("listen on %s: %w", c.Addr, err)
	}
	if baseURL == "" {
		baseURL = "http://" + ln.Addr().String() // links point to where this server listens
	}
	return ln, baseURL, nil
}

// httpServer builds the web server over the program's services; nil for
// the worker role.
func (c ServeCmd) httpServer(e *env, p *program, q *jobs.Queue, metrics *obs.Metrics, baseURL string) (*http.Server, error) {
	if c.Role == "worker" {
		return nil, nil
	}
	sessions := scs.New()
	sessions.Store = e.db.Sessions()
	sessions.IdleTimeout = c.SessionIdle
	sessions.Lifetime = c.SessionMaxAge
	sessions.Cookie.Name = "vs_session"
	sessions.Cookie.HttpOnly = true
	sessions.Cookie.SameSite = http.SameSiteLaxMode
	sessions.Cookie.Secure = strings.HasPrefix(baseURL, "https://")
	deps := web.Deps{
		Logger: e.log, Metrics: metrics, Auth: p.auth, Sessions: sessions,
		Audit: e.db, AuditKey: e.db.AuditKey, Ready: e.db.Ping,
		Version: Version, BaseURL: baseURL, DefaultTenant: c.DefaultTenant,
		Settings: p.settings, Secrets: p.secrets,
		DeadLetters: &deadletter.Service{Store: jobs.NewDeadLetterStore(e.db, q)}, Registry: p.registry, Tickets: p.tickets, Inbox: p.inbox,
		Mailboxes: p.mailboxes, LLM: p.llm, Trackers: p.trackers,
		Notify: p.notify, Dashboard: p.dashboard, VendorView: p.vendors, Scores: p.scores, Ingest: p.ingest, ERP: p.erp, Contracts: p.contracts,
		Mappings: p.mappings, Reconciliation: p.recon, Workflow: p.workflow,
	}
	sso, err := c.OIDC.client(baseURL, p.outbound)
	if err != nil {
		return nil, err
	}
	if sso != nil {
		deps.OIDC, deps.OIDCTenant = sso, c.OIDC.Tenant
		e.log.Info("single sign-on enabled", "issuer", sso.Issuer(), "redirect_url", baseURL+"/auth/oidc/callback")
	}
	server, err := web.New(deps)
	if err != nil {
		return nil, err
	}
	return &http.Server{
		Handler:           server.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      120 * time.Second,
		IdleTimeout:       120 * time.Second,
	}, nil
}

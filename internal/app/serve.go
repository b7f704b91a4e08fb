package app

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"

	"log/slog"

	"github.com/alexedwards/scs/v2"
	"github.com/riverqueue/river"

	"github.com/vendorsync/vendorsync/internal/auth/oidc"
	"github.com/vendorsync/vendorsync/internal/blob"
	"github.com/vendorsync/vendorsync/internal/deadletter"
	"github.com/vendorsync/vendorsync/internal/jobs"
	"github.com/vendorsync/vendorsync/internal/llm/llmconfig"
	"github.com/vendorsync/vendorsync/internal/mail/mailbox"
	"github.com/vendorsync/vendorsync/internal/obs"
	"github.com/vendorsync/vendorsync/internal/registry"
	"github.com/vendorsync/vendorsync/internal/setting"
	"github.com/vendorsync/vendorsync/internal/ticket"
	"github.com/vendorsync/vendorsync/internal/tracker/link"
	"github.com/vendorsync/vendorsync/internal/web"
)

// ServeCmd runs the product.
type ServeCmd struct {
	Addr           string        `default:"127.0.0.1:8080" env:"VENDORSYNC_ADDR" help:"Address to listen on."`
	Role           string        `default:"all" enum:"all,web,worker" env:"VENDORSYNC_ROLE" help:"all = HTTP + workers + schedules; web = HTTP only; worker = workers and schedules only."`
	Demo           bool          `env:"VENDORSYNC_DEMO" help:"Load a realistic demo tenant registry on first run."`
	BaseURL        string        `name:"base-url" env:"VENDORSYNC_BASE_URL" help:"External URL (default http://<addr>); https:// makes cookies Secure."`
	AdminEmail     string        `name:"admin-email" default:"admin@vendorsync.local" env:"VENDORSYNC_ADMIN_EMAIL" help:"Email of the first admin created on an empty database."`
	DefaultTenant  string        `name:"default-tenant" default:"default" env:"VENDORSYNC_DEFAULT_TENANT" help:"Tenant slug used at sign-in when none is given."`
	SessionIdle    time.Duration `name:"session-idle-timeout" default:"2h" env:"VENDORSYNC_SESSION_IDLE_TIMEOUT" help:"Sign out after this long without activity."`
	SessionMaxAge  time.Duration `name:"session-lifetime" default:"12h" env:"VENDORSYNC_SESSION_LIFETIME" help:"Sign out this long after signing in, active or not."`
	ShutdownWindow time.Duration `name:"shutdown-timeout" default:"20s" env:"VENDORSYNC_SHUTDOWN_TIMEOUT" help:"How long to let requests and jobs finish on shutdown."`
	MailPoll       time.Duration `name:"mail-poll-interval" default:"1m" env:"VENDORSYNC_MAIL_POLL_INTERVAL" help:"How often every active mailbox is polled (at least 1s)."`
	OIDC           OIDCFlags     `embed:"" prefix:"oidc-"`
}

// OIDCFlags configure single sign-on; SSO is on when an issuer is set.
type OIDCFlags struct {
	Issuer       string `name:"issuer" env:"VENDORSYNC_OIDC_ISSUER" help:"OpenID Connect issuer URL, e.g. https://company.okta.com/oauth2/default; enables Sign in with SSO."`
	ClientID     string `name:"client-id" env:"VENDORSYNC_OIDC_CLIENT_ID" help:"Client id registered at the provider."`
	ClientSecret string `name:"client-secret" env:"VENDORSYNC_OIDC_CLIENT_SECRET" help:"Client secret registered at the provider."`
	Tenant       string `name:"tenant" env:"VENDORSYNC_OIDC_TENANT" help:"Tenant slug SSO users belong to (default: the default tenant)."`
}

// client builds the SSO client, or nil when SSO is not configured. The
// redirect URL to register at the provider is <base URL>/auth/oidc/callback.
func (f OIDCFlags) client(baseURL string) (*oidc.Client, error) {
	if f.Issuer == "" {
		return nil, nil
	}
	if f.ClientID == "" {
		return nil, fmt.Errorf("VENDORSYNC_OIDC_ISSUER is set but VENDORSYNC_OIDC_CLIENT_ID is not")
	}
	c, err := oidc.New(oidc.Config{Issuer: f.Issuer, ClientID: f.ClientID, ClientSecret: f.ClientSecret,
		RedirectURL: baseURL + "/auth/oidc/callback"})
	if err != nil {
		return nil, fmt.Errorf("single sign-on: %w", err)
	}
	return c, nil
}

// Run serves until ctx ends.
func (c ServeCmd) Run(ctx context.Context, g *Globals) error {
	start := time.Now()
	e, err := g.open(ctx)
	if err != nil {
		return err
	}
	defer e.close()

	first, err := e.firstRun(ctx, c)
	if err != nil {
		return err
	}
	reg := &registry.Service{Store: e.db}
	settings := &setting.Service{Store: e.db}
	tickets := &ticket.Service{Store: e.db, Location: func(ctx context.Context, tenantID string) (*time.Location, error) {
		st, err := settings.Get(ctx, tenantID)
		return st.Location(), err
	}}
	if err := c.loadDemo(ctx, e, reg, g.stdout); err != nil {
		return err
	}

	blobs, err := blob.Open(ctx, g.BlobURL, g.DataDir)
	if err != nil {
		return err
	}
	defer func() {
		if err := blobs.Close(); err != nil {
			e.log.WarnContext(ctx, "close blob store", "err", err.Error())
		}
	}()
	e.log.InfoContext(ctx, "blob store opened", "location", blobs.String())
	inboxSvc := newInbox(e, blobs, reg, settings, tickets)

	// Integrations: mailboxes and the language model. The email pipeline is
	// the mailboxes' Receiver and the triager's caller.
	mailboxes := &mailbox.Service{Store: e.db, Receiver: inboxSvc, PollJob: jobs.MailPoll, Logger: e.log}
	llmSettings := &llmconfig.Service{Store: e.db, Logger: e.log}
	triager := &llmconfig.Triager{Service: llmSettings, Logger: e.log}
	llmSettings.OnChange = triager.Invalidate
	inboxSvc.Triager = triager

	metrics := obs.NewMetrics()
	workers := river.NewWorkers()
	river.AddWorker(workers, &jobs.SessionCleanupWorker{Store: e.db})
	river.AddWorker(workers, &jobs.EmailProcessWorker{Inbox: inboxSvc})
	river.AddWorker(workers, &jobs.MailPollWorker{Poller: mailboxes})
	river.AddWorker(workers, &jobs.MailPollAllWorker{Store: e.db})

	// Trackers: every new ticket's issues, their sync and the orphan retry.
	// Admin alerts go to the notification system (set below).
	trackers := &link.Service{Store: e.db, Tickets: tickets, CreateJob: jobs.TrackerCreate,
		BaseURL: strings.TrimRight(c.BaseURL, "/"), Logger: e.log.With("component", "trackers")}
	tickets.DefaultFollowUps = append(tickets.DefaultFollowUps, trackers.FollowUp)
	jobs.AddTrackerWorkers(workers, trackers)
	// Notifications: the fan-out of new tickets, the deadline monitor's
	// escalations and breaches, vendor replies threaded onto tickets, admin
	// alerts (trackers.Alerter, unknown vendors, SSO accounts), each
	// delivery a job of its own.
	notes := newNotifications(e, settings, tickets, trackers, inboxSvc, strings.TrimRight(c.BaseURL, "/"))
	jobs.AddNotifyWorkers(workers, notes.Dispatch, notes.Monitor)
	q, err := jobs.New(e.db, jobs.Config{
		Work:      c.Role != "web",
		Workers:   workers,
		Periodic:  []*river.PeriodicJob{jobs.SessionCleanup(), jobs.MailPollAll(c.MailPoll), jobs.TrackerSyncAll(0), jobs.TrackerRetry(), jobs.DeadlineMonitor()},
		Logger:    quieter(e.log, slog.LevelWarn).With("component", "jobs"),
		JobLogger: e.log,
		Metrics:   metrics,
	})
	if err != nil {
		return err
	}
	// The demo emails are processed here, before the workers start, in
	// order (a reply after its original); their queued jobs find them done.
	if err := c.loadDemoEmails(ctx, e, inboxSvc, g.stdout); err != nil {
		return err
	}

	var srv *http.Server
	var ln net.Listener
	if c.Role != "worker" {
		ln, err = net.Listen("tcp", c.Addr)
		if err != nil {
			return fmt.Errorf("listen on %s: %w", c.Addr, err)
		}
		baseURL := strings.TrimRight(c.BaseURL, "/")
		if baseURL == "" {
			baseURL = "http://" + ln.Addr().String()
			trackers.BaseURL = baseURL // issues link back to where this server listens
			notes.Dispatch.BaseURL = baseURL
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
			Logger: e.log, Metrics: metrics, Auth: e.auth, Sessions: sessions,
			Audit: e.db, AuditKey: e.db.AuditKey, Ready: e.db.Ping,
			Version: Version, BaseURL: baseURL, DefaultTenant: c.DefaultTenant,
			Settings: settings, Secrets: &setting.Secrets{Store: e.db},
			DeadLetters: &deadletter.Service{Store: jobs.NewDeadLetterStore(e.db, q)}, Registry: reg, Tickets: tickets, Inbox: inboxSvc,
			Mailboxes: mailboxes, LLM: llmSettings, Trackers: trackers,
			Notify: notes.Dispatch, Dashboard: notes.Dashboard,
		}
		sso, err := c.OIDC.client(baseURL)
		if err != nil {
			return err
		}
		if sso != nil {
			deps.OIDC, deps.OIDCTenant = sso, c.OIDC.Tenant
			e.log.InfoContext(ctx, "single sign-on enabled", "issuer", sso.Issuer(), "redirect_url", baseURL+"/auth/oidc/callback")
		}
		server, err := web.New(deps)
		if err != nil {
			return err
		}
		srv = &http.Server{
			Handler:           server.Handler(),
			ReadHeaderTimeout: 10 * time.Second,
			ReadTimeout:       60 * time.Second,
			WriteTimeout:      120 * time.Second,
			IdleTimeout:       120 * time.Second,
			ErrorLog:          nil,
		}
		fmt.Fprintf(g.stdout, "VendorSync %s is running at %s (role %s, %s)\n", Version, baseURL, c.Role, e.db.Dialect)
		if first != nil {
			fmt.Fprintf(g.stdout, "First run: sign in as %s with the one-time password %s (organisation %q). It is not shown again.\n",
				first.Admin.Email, first.Password, first.Tenant.Slug)
		}
	} else {
		fmt.Fprintf(g.stdout, "VendorSync %s worker running (%s)\n", Version, e.db.Dialect)
	}

	if err := q.Start(ctx); err != nil {
		if ctx.Err() != nil {
			return nil // asked to stop while starting: a clean shutdown
		}
		return fmt.Errorf("start job queue: %w", err)
	}
	e.log.InfoContext(ctx, "started", "role", c.Role, "engine", string(e.db.Dialect), "startup_ms", time.Since(start).Milliseconds())

	errc := make(chan error, 1)
	if srv != nil {
		go func() { errc <- srv.Serve(ln) }()
	}
	select {
	case <-ctx.Done():
	case err = <-errc:
	}
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.ShutdownWindow)
	defer cancel()
	if srv != nil {
		if serr := srv.Shutdown(shutdownCtx); serr != nil {
			e.log.WarnContext(shutdownCtx, "http shutdown", "err", serr.Error())
		}
	}
	if qerr := q.Stop(shutdownCtx); qerr != nil {
		e.log.WarnContext(shutdownCtx, "job queue shutdown", "err", qerr.Error())
	}
	if err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	e.log.InfoContext(shutdownCtx, "stopped")
	return nil
}

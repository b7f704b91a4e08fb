package app

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"runtime/debug"
	"time"

	"log/slog"

	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/auth/oidc"
	"github.com/vendorsync/vendorsync/internal/httpx"
	"github.com/vendorsync/vendorsync/internal/ingest"
	"github.com/vendorsync/vendorsync/internal/jobs"
	"github.com/vendorsync/vendorsync/internal/obs"
)

// ServeCmd runs the product.
type ServeCmd struct {
	Addr           string        `default:"127.0.0.1:8080" env:"VENDORSYNC_ADDR" help:"Address to listen on."`
	Role           string        `default:"all" enum:"all,web,worker" env:"VENDORSYNC_ROLE" help:"all = HTTP + workers + schedules; web = HTTP only; worker = workers and schedules only."`
	Demo           bool          `env:"VENDORSYNC_DEMO" help:"Load a realistic demo tenant registry on first run."`
	DemoTrackers   bool          `name:"demo-trackers" default:"true" negatable:"" env:"VENDORSYNC_DEMO_TRACKERS" help:"With --demo and role all: connect the demo to a Gitea and a Jira Cloud built into this process (in memory). --no-demo-trackers leaves them out, to connect your own."`
	BaseURL        string        `name:"base-url" env:"VENDORSYNC_BASE_URL" help:"External URL (default http://<addr>); https:// makes cookies Secure."`
	AdminEmail     string        `name:"admin-email" default:"admin@vendorsync.local" env:"VENDORSYNC_ADMIN_EMAIL" help:"Email of the first admin created on an empty database."`
	DefaultTenant  string        `name:"default-tenant" default:"default" env:"VENDORSYNC_DEFAULT_TENANT" help:"Tenant slug used at sign-in when none is given."`
	SessionIdle    time.Duration `name:"session-idle-timeout" default:"2h" env:"VENDORSYNC_SESSION_IDLE_TIMEOUT" help:"Sign out after this long without activity."`
	SessionMaxAge  time.Duration `name:"session-lifetime" default:"12h" env:"VENDORSYNC_SESSION_LIFETIME" help:"Sign out this long after signing in, active or not."`
	ShutdownWindow time.Duration `name:"shutdown-timeout" default:"20s" env:"VENDORSYNC_SHUTDOWN_TIMEOUT" help:"How long to let requests and jobs finish on shutdown."`
	Workers        int           `name:"workers" env:"VENDORSYNC_WORKERS" help:"Jobs this process works at once (default: 4 per CPU, at least 8)."`
	MailPoll       time.Duration `name:"mail-poll-interval" default:"1m" env:"VENDORSYNC_MAIL_POLL_INTERVAL" help:"How often every active mailbox is polled (at least 1s)."`
	AcceptsFirst   time.Duration `name:"ingest-accepts-first" default:"1m" env:"VENDORSYNC_INGEST_ACCEPTS_FIRST" help:"Under a burst of ingest accepts that queue for the database, how long in a row normalizing and archiving the accepted events may wait for them, so senders are answered first (0: never wait). Web and worker processes apart share the signal through the database."`
	DebugAddr      string        `name:"debug-addr" env:"VENDORSYNC_DEBUG_ADDR" help:"Serve Go runtime profiles (/debug/pprof/) on this address, e.g. 127.0.0.1:6060; off when empty. Unauthenticated: keep it on loopback."`
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
func (f OIDCFlags) client(baseURL string, out httpx.Telemetry) (*oidc.Client, error) {
	if f.Issuer == "" {
		return nil, nil
	}
	if f.ClientID == "" {
		return nil, fmt.Errorf("VENDORSYNC_OIDC_ISSUER is set but VENDORSYNC_OIDC_CLIENT_ID is not")
	}
	c, err := oidc.New(oidc.Config{Issuer: f.Issuer, ClientID: f.ClientID, ClientSecret: f.ClientSecret,
		RedirectURL: baseURL + "/auth/oidc/callback", Telemetry: out})
	if err != nil {
		return nil, fmt.Errorf("single sign-on: %w", err)
	}
	return c, nil
}

// Run serves until ctx ends: it builds the program in one pass, starts the
// job queue (workers and schedules unless the role is web) and the HTTP
// server (unless the role is worker), and shuts both down gracefully.
func (c ServeCmd) Run(ctx context.Context, g *Globals) error {
	start := time.Now()
	e, blobs, done, err := g.openWithBlobs(ctx)
	if err != nil {
		return err
	}
	defer done()
	ln, baseURL, err := c.listen()
	if err != nil {
		return err
	}
	if ln != nil {
		defer ln.Close() // already closed by a graceful shutdown; here for early returns
	}
	metrics := obs.NewMetrics()
	p := build(e, blobs, baseURL, metrics)
	p.ingest.AcceptsFirst = cmp.Or(c.AcceptsFirst, -1)
	switch c.Role {
	case "web":
		p.ingest.Pressure = ingest.PressureTell
	case "worker":
		p.ingest.Pressure = ingest.PressureHeed
	}
	defer flushRefusals(p.ingest, e.log)()
	q, err := c.queue(e, p, metrics)
	if err != nil {
		return err
	}
	first, err := e.firstRun(ctx, p.auth, c)
	if err != nil {
		return err
	}
	demo, err := c.loadDemo(ctx, e, p, baseURL, g.stdout)
	if err != nil {
		return err
	}
	defer demo.Close()
	srv, err := c.httpServer(e, p, q, metrics, baseURL)
	if err != nil {
		return err
	}
	if err := c.serveDebug(ctx, e); err != nil {
		return err
	}
	c.announce(g.stdout, e, baseURL, first)
	if err := q.Start(ctx); err != nil {
		if ctx.Err() != nil {
			return nil // asked to stop while starting: a clean shutdown
		}
		return fmt.Errorf("start job queue: %w", err)
	}
	e.log.InfoContext(ctx, "started", "role", c.Role, "engine", string(e.db.Dialect), "startup_ms", time.Since(start).Milliseconds())
	go settle(ctx, 10*time.Second, e.log)
	if demo != nil && demo.trackers != nil {
		go liven(ctx, demo.trackers, e.log)
	}
	return c.serve(ctx, e, q, srv, ln)
}

// queue creates the job queue client: workers and schedules for roles all
// and worker, insert-only for web.
func (c ServeCmd) queue(e *env, p *program, metrics *obs.Metrics) (*jobs.Queue, error) {
	return jobs.New(e.db, jobs.Config{
		Work:       c.Role != "web",
		MaxWorkers: c.Workers,
		Workers:    p.workers(e),
		Periodic:   schedules(c.MailPoll),
		Logger:     quieter(e.log, slog.LevelWarn).With("component", "jobs"),
		JobLogger:  e.log,
		Metrics:    metrics,
	})
}

// announce prints where the server runs and, on the first run, the admin's
// one-time password.
func (c ServeCmd) announce(out io.Writer, e *env, baseURL string, first *auth.Bootstrap) {
	if c.Role == "worker" {
		fmt.Fprintf(out, "VendorSync %s worker running (%s)\n", Version, e.db.Dialect)
		return
	}
	fmt.Fprintf(out, "VendorSync %s is running at %s (role %s, %s)\n", Version, baseURL, c.Role, e.db.Dialect)
	if first != nil {
		fmt.Fprintf(out, "First run: sign in as %s with the one-time password %s (organisation %q). It is not shown again.\n",
			first.Admin.Email, first.Password, first.Tenant.Slug)
	}
}

// serve answers HTTP until ctx ends or the server fails, then lets requests
// and jobs finish within the shutdown window.
func (c ServeCmd) serve(ctx context.Context, e *env, q *jobs.Queue, srv *http.Server, ln net.Listener) error {
	errc := make(chan error, 1)
	if srv != nil {
		go func() { errc <- srv.Serve(ln) }()
	}
	var err error
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

// settle returns start-up memory to the system once start-up work is over.
// Hashing the first admin's password (Argon2id takes 19 MiB), parsing the
// migrations and loading the demo raise the heap to several times what an
// idle server keeps; the collector would otherwise hand those pages back
// only slowly, and an idle server would look twice its size. The pages of
// the executable that start-up alone ran go back too (releaseCodePages).
func settle(ctx context.Context, after time.Duration, log *slog.Logger) {
	select {
	case <-ctx.Done():
	case <-time.After(after):
		debug.FreeOSMemory()
		if err := releaseCodePages(); err != nil {
			// Only the resident size is at stake; the server runs on.
			log.DebugContext(ctx, "release start-up code pages", "err", err.Error())
		}
	}
}

// Package web is VendorSync's HTTP surface: the REST API (huma, OpenAPI 3.1,
// problem+json errors), the server-rendered UI, and the system endpoints.
// Every route is listed in routes.go with the permission it needs.
package web

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/alexedwards/scs/v2"
	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"

	"github.com/vendorsync/vendorsync/internal/audit"
	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/contract"
	"github.com/vendorsync/vendorsync/internal/dashboard"
	"github.com/vendorsync/vendorsync/internal/deadletter"
	"github.com/vendorsync/vendorsync/internal/erp"
	"github.com/vendorsync/vendorsync/internal/inbox"
	"github.com/vendorsync/vendorsync/internal/ingest"
	"github.com/vendorsync/vendorsync/internal/llm/llmconfig"
	"github.com/vendorsync/vendorsync/internal/mail/mailbox"
	"github.com/vendorsync/vendorsync/internal/notify/dispatch"
	"github.com/vendorsync/vendorsync/internal/obs"
	"github.com/vendorsync/vendorsync/internal/registry"
	"github.com/vendorsync/vendorsync/internal/score"
	"github.com/vendorsync/vendorsync/internal/setting"
	"github.com/vendorsync/vendorsync/internal/ticket"
	"github.com/vendorsync/vendorsync/internal/tracker/link"
	"github.com/vendorsync/vendorsync/internal/vendorview"
)

// Deps is everything the web layer calls into. It holds domain services and
// stores behind their interfaces, never SQL.
type Deps struct {
	Logger   *slog.Logger
	Metrics  *obs.Metrics
	Auth     *auth.Service
	Sessions *scs.SessionManager
	Audit    audit.Store
	AuditKey audit.KeyFunc
	// Ready reports whether the service can take traffic (database reachable).
	Ready   func(context.Context) error
	Version string
	// BaseURL is the externally visible URL, for links in emails and OIDC.
	BaseURL string
	// DefaultTenant is the slug the login form uses when none is given.
	DefaultTenant string
	// Settings reads and changes a tenant's system settings.
	Settings *setting.Service
	// Secrets manages stored secrets; their values never leave the server.
	Secrets *setting.Secrets
	// OIDC is the single sign-on provider; nil when SSO is not configured.
	OIDC OIDCClient
	// OIDCTenant is the slug of the tenant SSO sign-ins belong to.
	OIDCTenant string
	// Registry is the vendor registry: vendors, applications, rules.
	Registry *registry.Service
	// DeadLetters inspects and retries the tenant's dead letters.
	DeadLetters *deadletter.Service
	// Tickets is the change tickets' lifecycle: lists, detail, transitions,
	// progress and notes.
	Tickets *ticket.Service
	// Inbox is the email pipeline: uploads, the email list, the triage
	// queue and classification.
	Inbox *inbox.Service
	// Mailboxes manages the mail sources: settings, write-only
	// credentials, connection tests and polls.
	Mailboxes *mailbox.Service
	// LLM holds the language-model settings and their write-only keys.
	LLM *llmconfig.Service
	// Trackers holds the Jira connection and the tickets' tracker issues:
	// their status, on-demand sync and the failed and orphaned ones.
	Trackers *link.Service
	// Notify holds the notification channels, the notification log and
	// its replay.
	Notify *dispatch.Service
	// Dashboard reads the home page's dashboard.
	Dashboard *dashboard.Service
	// VendorView reads what the vendor page shows beside the score: the
	// vendor's tickets, price exceptions, event feed and tracker issues.
	VendorView *vendorview.Service
	// Scores is the vendor risk engine: signals in, scores, rules.
	Scores *score.Service
	// Ingest accepts vendor events and manages ingest vendors.
	Ingest *ingest.Service
	// ERP holds the ERP connectors and the item store they fill.
	ERP *erp.Service
	// Contracts is the contracts module's vendor side: price files,
	// their mappings and imports, contracts and lines.
	Contracts *contract.Service
	// Mappings links vendor items to ERP items.
	Mappings *contract.MappingService
	// Reconciliation runs the rules over contracts.
	Reconciliation *contract.ReconciliationService
	// Workflow is the exception queue and its actions.
	Workflow *contract.WorkflowService
}

// Server routes HTTP requests.
type Server struct {
	Deps
	log    *slog.Logger
	mux    *http.ServeMux
	api    huma.API
	routes []Route
	pages  *pages
}

// Route describes one registered route and what it requires; tests walk the
// list to check permissions and tenant walls on every route.
type Route struct {
	Method string
	Path   string // with {param} placeholders
	Perm   auth.Permission
	Kind   RouteKind
}

// RouteKind separates API operations, UI pages and public endpoints.
type RouteKind string

// Route kinds.
const (
	KindAPI    RouteKind = "api"
	KindUI     RouteKind = "ui"
	KindPublic RouteKind = "public"
)

// New builds the server and registers every route.
func New(d Deps) (*Server, error) {
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	if d.Metrics == nil {
		d.Metrics = obs.NewMetrics()
	}
	s := &Server{Deps: d, log: d.Logger, mux: http.NewServeMux()}
	p, err := loadPages()
	if err != nil {
		return nil, fmt.Errorf("web: templates: %w", err)
	}
	s.pages = p
	cfg := huma.DefaultConfig("VendorSync API", d.Version)
	cfg.Info.Description = "Vendor change management, tracker sync, vendor event ingestion, contract reconciliation and vendor risk. " +
		"Authenticate with `Authorization: Bearer <API key>` or a browser session. Lists are cursor-paginated: pass `next_cursor` back as `cursor`."
	cfg.OpenAPIPath = "/api/openapi"
	cfg.DocsPath = ""
	cfg.SchemasPath = "/api/schemas"
	cfg.Components.SecuritySchemes = map[string]*huma.SecurityScheme{
		"bearer":  {Type: "http", Scheme: "bearer", Description: "API key created with `vendorsync apikey create` or in Settings → API keys."},
		"session": {Type: "apiKey", In: "cookie", Name: sessionCookie, Description: "Browser session after signing in."},
	}
	s.api = humago.New(s.mux, cfg)
	s.registerRoutes()
	return s, nil
}

// Routes lists every registered route.
func (s *Server) Routes() []Route { return s.routes }

// API exposes the huma API (its OpenAPI document), for tests and tools.
func (s *Server) API() huma.API { return s.api }

// Handler returns the root handler with the middleware chain.
func (s *Server) Handler() http.Handler {
	var h http.Handler = s.mux
	h = s.authenticate(h)
	if s.Sessions != nil {
		h = s.Sessions.LoadAndSave(h)
	}
	h = http.NewCrossOriginProtection().Handler(h)
	h = s.secureHeaders(h)
	h = s.observe(h)
	return h
}

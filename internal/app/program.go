package app

import (
	"context"
	"time"

	"github.com/riverqueue/river"

	"github.com/vendorsync/vendorsync/internal/app/consequence"
	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/blob"
	"github.com/vendorsync/vendorsync/internal/contract"
	"github.com/vendorsync/vendorsync/internal/dashboard"
	"github.com/vendorsync/vendorsync/internal/erp"
	"github.com/vendorsync/vendorsync/internal/erp/p21"
	"github.com/vendorsync/vendorsync/internal/httpx"
	"github.com/vendorsync/vendorsync/internal/inbox"
	"github.com/vendorsync/vendorsync/internal/ingest"
	"github.com/vendorsync/vendorsync/internal/jobs"
	"github.com/vendorsync/vendorsync/internal/llm/llmconfig"
	"github.com/vendorsync/vendorsync/internal/mail/mailbox"
	"github.com/vendorsync/vendorsync/internal/notify/dispatch"
	"github.com/vendorsync/vendorsync/internal/obs"
	"github.com/vendorsync/vendorsync/internal/registry"
	"github.com/vendorsync/vendorsync/internal/score"
	"github.com/vendorsync/vendorsync/internal/setting"
	"github.com/vendorsync/vendorsync/internal/ticket"
	"github.com/vendorsync/vendorsync/internal/ticket/deadline"
	"github.com/vendorsync/vendorsync/internal/tracker"
	"github.com/vendorsync/vendorsync/internal/tracker/forge"
	"github.com/vendorsync/vendorsync/internal/tracker/gitea"
	"github.com/vendorsync/vendorsync/internal/tracker/github"
	"github.com/vendorsync/vendorsync/internal/tracker/gitlab"
	"github.com/vendorsync/vendorsync/internal/tracker/jira"
	"github.com/vendorsync/vendorsync/internal/tracker/link"
	"github.com/vendorsync/vendorsync/internal/vendorview"
)

// program is VendorSync's domain services, built in one pass over the
// store and wired to the table of consequences; nothing is changed after
// construction.
type program struct {
	auth      *auth.Service
	registry  *registry.Service
	settings  *setting.Service
	secrets   *setting.Secrets
	tickets   *ticket.Service
	inbox     *inbox.Service
	mailboxes *mailbox.Service
	llm       *llmconfig.Service
	triager   *llmconfig.Triager
	trackers  *link.Service
	notify    *dispatch.Service
	monitor   *deadline.Monitor
	dashboard *dashboard.Service
	vendors   *vendorview.Service
	scores    *score.Service
	ingest    *ingest.Service
	erp       *erp.Service
	contracts *contract.Service
	mappings  *contract.MappingService
	recon     *contract.ReconciliationService
	workflow  *contract.WorkflowService
	// outbound is what every integration's HTTP calls report to.
	outbound httpx.Telemetry
	// blobs is the write-once object store (raw mail, attachments, audit
	// checkpoints).
	blobs *blob.Store
}

// build constructs the program on e's store and blobs. baseURL is where
// people open VendorSync, for the links in tracker issues and messages;
// every integration's outbound calls report to metrics.
func build(e *env, blobs *blob.Store, baseURL string, metrics *obs.Metrics) *program {
	notices := dispatch.Notices{BaseURL: baseURL}
	causes := consequence.Declare(notices)
	db, log := e.db, e.log
	outbound := httpx.Telemetry{Metrics: metrics, Logger: log.With("component", "outbound")}

	p := &program{outbound: outbound, blobs: blobs, settings: &setting.Service{Store: db}, secrets: &setting.Secrets{Store: db}, registry: &registry.Service{Store: db}}
	p.auth = &auth.Service{Store: db, Keys: e.keys, BootstrapAdmins: e.auth.BootstrapAdmins, Consequences: causes.People}
	p.tickets = &ticket.Service{Store: db, Location: p.settings.Location, Consequences: causes.Tickets}
	p.llm = &llmconfig.Service{Store: db, Logger: log, Telemetry: outbound}
	p.triager = &llmconfig.Triager{Service: p.llm, Logger: log}
	p.inbox = &inbox.Service{Store: db, Blobs: blobs, Tickets: p.tickets, Registry: p.registry, Settings: p.settings,
		Triager: p.triager, Consequences: causes.Emails, Logger: log.With("component", "inbox")}
	p.mailboxes = &mailbox.Service{Store: db, Receiver: p.inbox, Logger: log, Telemetry: outbound}
	p.trackers = &link.Service{Store: db, Hooks: db, Tickets: p.tickets, BaseURL: baseURL, Consequences: causes.Trackers,
		Providers: trackers(outbound), Logger: log.With("component", "trackers")}
	p.notify = &dispatch.Service{Store: db, Settings: p.settings, Trackers: p.trackers, Notices: notices,
		Logger: log.With("component", "notify"), Telemetry: outbound}
	p.monitor = &deadline.Monitor{Store: db, Tickets: p.tickets, Settings: p.settings, Notify: p.notify, AtRisk: causes.Tickets.AtRisk,
		Logger: log.With("component", "deadline")}
	p.dashboard = &dashboard.Service{Store: db, Location: p.settings.Location}
	p.vendors = &vendorview.Service{Store: db}
	p.scores = &score.Service{Store: db, Consequences: causes.Scores, Blobs: blobs,
		ReportSettings: func(ctx context.Context, tenantID string) (score.ReportSettings, error) {
			st, err := p.settings.Get(ctx, tenantID)
			return score.ReportSettings{LegalName: st.LegalName, Locale: st.Locale, Currency: st.Currency, Timezone: st.Timezone}, err
		}}
	p.ingest = &ingest.Service{Store: db, Auth: p.auth, Blobs: blobs, Consequences: causes.Ingest, Logger: log.With("component", "ingest"),
		Webhooks: ingest.WebhookConfig{AllowPrivate: e.g.WebhookAllowPrivate, Telemetry: outbound}, Metrics: &metrics.Ingest}
	p.erp = &erp.Service{Store: db, Providers: erpProviders(outbound), Logger: log.With("component", "erp")}
	p.contracts = &contract.Service{Store: db, Blobs: blobs, Consequences: causes.Contracts}
	p.mappings = &contract.MappingService{Store: db}
	p.recon = &contract.ReconciliationService{Store: db, Consequences: causes.Contracts, Logger: log.With("component", "reconciliation")}
	p.workflow = &contract.WorkflowService{Store: db, Blobs: blobs}
	return p
}

// trackers is every issue tracker the program can connect to, by kind;
// its clients report their calls to outbound.
func trackers(outbound httpx.Telemetry) *tracker.Registry {
	forges := forge.Options{Telemetry: outbound}
	return tracker.NewRegistry(append(jira.Factories(jira.Options{Telemetry: outbound}),
		github.Factory(forges), gitlab.Factory(forges), gitea.Factory(forges))...)
}

// erpProviders is every ERP the program can read items from; their
// clients report their calls to outbound.
func erpProviders(outbound httpx.Telemetry) *erp.Registry {
	return erp.NewRegistry(p21.Factory(p21.Options{Telemetry: outbound}), erp.CSVFactory())
}

// workers registers the worker of every job kind.
func (p *program) workers(e *env) *river.Workers {
	ws := river.NewWorkers()
	river.AddWorker(ws, &jobs.SessionCleanupWorker{Store: e.db})
	river.AddWorker(ws, &jobs.ReconcileWorker{Store: e.db, Logger: e.log.With("component", "reconcile")})
	river.AddWorker(ws, &jobs.AuditCheckpointWorker{Store: e.db, Vault: p.blobs,
		Sign: func() (string, []byte) { return e.db.Keys.MACKey("audit") }})
	river.AddWorker(ws, &jobs.EmailProcessWorker{Inbox: p.inbox})
	river.AddWorker(ws, &jobs.MailPollWorker{Poller: p.mailboxes})
	river.AddWorker(ws, &jobs.MailPollAllWorker{Store: e.db})
	jobs.AddTrackerWorkers(ws, p.trackers)
	jobs.AddNotifyWorkers(ws, p.notify, p.monitor)
	jobs.AddScoreWorkers(ws, p.scores, e.db)
	jobs.AddIngestWorkers(ws, p.ingest)
	jobs.AddContractWorkers(ws, p.contracts, p.recon)
	jobs.AddERPWorkers(ws, p.erp)
	return ws
}

// schedules are the periodic jobs, run by the elected leader only.
func schedules(mailPoll time.Duration) []*river.PeriodicJob {
	return []*river.PeriodicJob{jobs.SessionCleanup(), jobs.AuditCheckpoint(), jobs.Reconcile(), jobs.MailPollAll(mailPoll), jobs.TrackerSyncAll(0),
		jobs.TrackerRetry(), jobs.TrackerPollAll(), jobs.TrackerPushDue(), jobs.DeadlineMonitor(), jobs.ScoreRescoreAll(), jobs.SignalPartitions(), jobs.ScoreMonthlySummaries(),
		jobs.IngestArchiveAll(), jobs.IngestNormalizeAll(), jobs.IngestDeliverAll(), jobs.ERPSyncAll(), jobs.ContractReconcileAll()}
}

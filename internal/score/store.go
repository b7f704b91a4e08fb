package score

import (
	"context"
	"time"

	"github.com/vendorsync/vendorsync/internal/audit"
	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/jobargs"
	"github.com/vendorsync/vendorsync/internal/registry"
)

// Store is what the score engine reads and writes; internal/sqlstore
// implements it on both engines.
type Store interface {
	// ActiveScoreRule returns the tenant's active rule; not found when
	// the tenant never saved one.
	ActiveScoreRule(ctx context.Context, tenantID string) (ScoringRule, error)
	ScoreRules(ctx context.Context, tenantID string) ([]ScoringRule, error)
	ScoreRule(ctx context.Context, tenantID, id string) (ScoringRule, error)
	// CreateScoreRule stores r as the tenant's next version (r.Version is
	// ignored) and returns that version.
	CreateScoreRule(ctx context.Context, r ScoringRule, ev audit.Event) (int, error)
	// ActivateScoreRule makes rule id the only active one, atomically,
	// with the jobs a new rule causes (a full rescore).
	ActivateScoreRule(ctx context.Context, tenantID, id string, at time.Time, ev audit.Event, jobs []jobargs.Args) error

	// ScoreVendors lists the tenant's vendors as vendor_ref resolution
	// reads them.
	ScoreVendors(ctx context.Context, tenantID string) ([]VendorEntry, error)
	// VendorByExternalID resolves a source's own vendor id; not found
	// when unmapped.
	VendorByExternalID(ctx context.Context, tenantID, source, externalID string) (string, error)
	// MapExternalID records that source calls vendor vendorID externalID.
	MapExternalID(ctx context.Context, tenantID, source, externalID, vendorID string, at time.Time, ev audit.Event) error

	// RecordSignals stores signals in one transaction with the audit row
	// and jobs. An accepted signal whose event_id the tenant already has
	// is not stored: its returned copy carries the first signal's id and
	// StatusDuplicate-free status, and dup[i] is true.
	RecordSignals(ctx context.Context, tenantID string, sigs []Signal, ev audit.Event, jobs []jobargs.Args) (dup []bool, err error)
	ListSignals(ctx context.Context, tenantID string, f SignalFilter) ([]Signal, string, error)
	// VendorObservations returns the vendor's accepted signals observed
	// at or after since.
	VendorObservations(ctx context.Context, tenantID, vendorID string, since time.Time) ([]Observation, error)
	// VendorSignalSums returns per code the sums the score reads of the
	// vendor's accepted signals observed at or after since, decayed to now
	// with halfLifeDays (see CodeSum), sorted by code: from running totals
	// per code and UTC day that the database keeps as signals are accepted
	// or superseded (see DayDecay), and the window's partial days one by
	// one.
	VendorSignalSums(ctx context.Context, tenantID, vendorID string, since, now time.Time, halfLifeDays float64) ([]CodeSum, error)
	// TenantSignalSums is VendorSignalSums for every vendor of the tenant
	// at once, by vendor id.
	TenantSignalSums(ctx context.Context, tenantID string, since, now time.Time, halfLifeDays float64) (map[string][]CodeSum, error)
	// ScoredVendors lists the vendors with a score or an accepted signal.
	ScoredVendors(ctx context.Context, tenantID string) ([]string, error)
	// TenantsWithSignals lists every tenant that has a signal or a score.
	TenantsWithSignals(ctx context.Context) ([]string, error)

	VendorScore(ctx context.Context, tenantID, vendorID string) (VendorScore, error)
	ListVendorScores(ctx context.Context, tenantID string) ([]VendorScore, error)
	ScoreHistory(ctx context.Context, tenantID, vendorID string, since time.Time) ([]HistoryPoint, error)
	// ScoresAsOf returns each vendor's score at a past time: its latest
	// history point computed at or before at (nil for no data); vendors
	// without one are absent.
	ScoresAsOf(ctx context.Context, tenantID string, at time.Time) (map[string]*float64, error)
	// SaveScores writes vendors' new scores, each with its history point,
	// its band event (when it crossed) and the jobs that causes, and marks
	// each vendor's normalized signals recorded up to c.Through as scored,
	// in one transaction; a conflict when a vendor's score is no longer
	// the one its change was computed from (ScoreChange.From).
	SaveScores(ctx context.Context, cs []ScoreChange) error
	BandEvents(ctx context.Context, tenantID, vendorID string, limit int) ([]BandEvent, error)
	// TenantName names a tenant, for frozen payloads.
	TenantName(ctx context.Context, tenantID string) (string, error)
	// TenantBySlug and Secret serve the signed hub endpoint.
	TenantBySlug(ctx context.Context, slug string) (auth.Tenant, error)
	Secret(ctx context.Context, tenantID, name string) ([]byte, error)
	// TenantBandEvents returns the tenant's band changes since a time,
	// oldest first.
	TenantBandEvents(ctx context.Context, tenantID string, since time.Time) ([]BandEvent, error)
	CreateReport(ctx context.Context, r Report, ev audit.Event) error
	Report(ctx context.Context, tenantID, id string) (Report, error)
	ListReports(ctx context.Context, tenantID string) ([]Report, error)
	// FindReports lists reports of every tenant the filter allows,
	// oldest first, for verification.
	FindReports(ctx context.Context, f ReportFilter) ([]Report, error)
	// ScheduledReportExists reports whether the tenant has the report of
	// a schedule key.
	ScheduledReportExists(ctx context.Context, tenantID, schedule string) (bool, error)
	// CountSignals counts the tenant's accepted signals observed in
	// [from, to).
	CountSignals(ctx context.Context, tenantID string, from, to time.Time) (int, error)
	// Vendor returns one vendor of the tenant.
	Vendor(ctx context.Context, tenantID, id string) (registry.Vendor, error)
}

// ReportFilter selects reports across tenants; empty fields select all.
type ReportFilter struct {
	TenantID string
	ID       string
	Since    time.Time
	Until    time.Time
}

// VendorEntry is a vendor as vendor_ref resolution reads it.
type VendorEntry struct {
	ID       string
	Name     string
	Domains  []string
	Aliases  []string
	IsActive bool
}

// SignalFilter selects signals for lists.
type SignalFilter struct {
	VendorID string
	// Rejected lists only rejected signals; otherwise only accepted ones.
	Rejected bool
	Reason   Reason
	Cursor   string
	Limit    int
}

// VendorScore is a vendor's current score.
type VendorScore struct {
	TenantID   string `json:"-"`
	VendorID   string `json:"vendor_id"`
	VendorName string `json:"vendor_name"`
	Result
	RuleVersion int       `json:"rule_version"`
	ComputedAt  time.Time `json:"computed_at"`
}

// HistoryPoint is one past score of a vendor.
type HistoryPoint struct {
	Score      *float64  `json:"score"`
	Band       Band      `json:"band"`
	ComputedAt time.Time `json:"computed_at"`
}

// ScoreChange is one atomic write of a vendor's score.
type ScoreChange struct {
	Score   VendorScore
	History HistoryPoint
	// HistoryID identifies the history point.
	HistoryID string
	// Crossed is set when the score moved the vendor to another band.
	Crossed *BandEvent
	// Through: normalized signals recorded up to it are marked scored.
	Through time.Time
	Jobs    []jobargs.Args
	// From is the score the change was computed against (zero: none).
	// The store refuses the change as a conflict when the vendor's score
	// is no longer that one, so two rescores racing never both announce
	// the same band crossing, and an older computation never overwrites a
	// newer one.
	From ScoreState
}

// ScoreState identifies a vendor's stored score.
type ScoreState struct {
	Band       Band
	ComputedAt time.Time
}

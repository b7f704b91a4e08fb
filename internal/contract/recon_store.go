package contract

import (
	"context"
	"time"

	"github.com/vendorsync/vendorsync/internal/audit"
	"github.com/vendorsync/vendorsync/internal/jobargs"
)

// ReconStore is what item mapping, reconciliation and the exception
// workflow read and write; internal/sqlstore implements it on both
// engines.
type ReconStore interface {
	Store

	// ExceptionCounts counts the tenant's exceptions by status and severity.
	ExceptionCounts(ctx context.Context, tenantID string) ([]ExceptionCount, error)
	// OpenExceptionsOfRule counts the tenant's open exceptions of one rule.
	OpenExceptionsOfRule(ctx context.Context, tenantID string, r Rule) (int, error)
	// ContractEnds returns the end date of each active contract (nil when
	// it has none).
	ContractEnds(ctx context.Context, tenantID string) ([]*time.Time, error)

	// MatchCatalog returns every ERP item of the tenant with its units and
	// supplier part numbers.
	MatchCatalog(ctx context.Context, tenantID string) ([]CatalogItem, error)
	// CatalogItem returns one ERP item as MatchCatalog does; not found
	// when the tenant has none by that id.
	CatalogItem(ctx context.Context, tenantID, id string) (CatalogItem, error)
	// UnmappedItems lists the vendor items of active contracts with no
	// approved mapping, by item number and unit.
	UnmappedItems(ctx context.Context, tenantID string, f UnmappedFilter) ([]VendorItem, string, error)
	// VendorItem returns a vendor item of the tenant's contracts; not
	// found when no line prices it.
	VendorItem(ctx context.Context, tenantID string, k ItemKey) (VendorItem, error)
	// MappingRejections returns the suggestions people turned down: by
	// vendor item, the rejected ERP item ids.
	MappingRejections(ctx context.Context, tenantID string) (map[ItemKey]map[string]bool, error)
	// SaveMappings stores approved mappings with their audit rows in one
	// transaction: replace remaps a vendor item already mapped, otherwise
	// a mapped one is skipped. It returns how many were stored; invalid
	// when an ERP item is not the tenant's.
	SaveMappings(ctx context.Context, tenantID string, ms []ItemMapping, replace bool, evs []audit.Event) (int, error)
	// RejectSuggestion remembers a turned-down suggestion.
	RejectSuggestion(ctx context.Context, tenantID string, k ItemKey, erpItemID, by string, at time.Time, ev audit.Event) error
	ItemMapping(ctx context.Context, tenantID, id string) (ItemMapping, error)
	ListMappings(ctx context.Context, tenantID string, f MappingFilter) ([]ItemMapping, string, error)
	DeleteMapping(ctx context.Context, tenantID, id string, ev audit.Event) error
	// UpdateMapping rewrites an approved mapping's ERP side (item, unit,
	// score, method, approver) with the audit row; not found when the
	// mapping is gone, invalid when the ERP item is not the tenant's.
	UpdateMapping(ctx context.Context, tenantID string, m ItemMapping, ev audit.Event) error

	// Tolerances returns the tenant's price tolerances, the default (vendor
	// "") first.
	Tolerances(ctx context.Context, tenantID string) ([]Tolerance, error)
	// SetTolerance creates or replaces one, with the audit row.
	SetTolerance(ctx context.Context, tenantID string, t Tolerance, ev audit.Event) error
	// DeleteTolerance removes a vendor's own tolerance, with the audit
	// row; not found when the vendor has none.
	DeleteTolerance(ctx context.Context, tenantID, vendorID string, ev audit.Event) error

	// Features returns the tenant's contract features (all off when never
	// saved).
	Features(ctx context.Context, tenantID string) (Features, error)
	// SaveFeatures stores them with the audit row.
	SaveFeatures(ctx context.Context, tenantID string, f Features, ev audit.Event) error
	// PriceChanges lists the overridden PRICE_MISMATCH and COST_MISMATCH
	// exceptions as price changes, oldest first, each with the export
	// holding it.
	PriceChanges(ctx context.Context, tenantID, cursor string, limit int) ([]PriceChange, string, error)
	// UnexportedPriceChanges returns the price changes no export holds,
	// oldest first.
	UnexportedPriceChanges(ctx context.Context, tenantID string) ([]PriceChange, error)
	// CreatePriceExport stores an export, claiming its ExceptionIDs, with
	// the audit row; conflict when an export holds one of them already.
	// write stores the export's file: it is called in the same
	// transaction once every claim holds, and its error undoes the export.
	CreatePriceExport(ctx context.Context, x PriceExport, ev audit.Event, write func(context.Context) error) error
	// PriceExport returns one export with its ExceptionIDs.
	PriceExport(ctx context.Context, tenantID, id string) (PriceExport, error)
	// ListPriceExports lists the tenant's exports, newest first.
	ListPriceExports(ctx context.Context, tenantID, cursor string, limit int) ([]PriceExport, string, error)

	// CreateRuns stores queued runs and enqueues their jobs, with the
	// audit rows, in one transaction.
	CreateRuns(ctx context.Context, runs []Run, evs []audit.Event, jobs []jobargs.Args) error
	Run(ctx context.Context, tenantID, id string) (Run, error)
	ListRuns(ctx context.Context, tenantID string, f RunFilter) ([]Run, string, error)
	// StartRun moves a queued run (or one left running by a crash) to
	// running; conflict when it has finished.
	StartRun(ctx context.Context, tenantID, id string, at time.Time) (Run, error)
	// ReconInput reads what a run of a contract needs.
	ReconInput(ctx context.Context, tenantID, contractID string) (ReconInput, error)
	// RunProgress records how many lines a running run has checked.
	RunProgress(ctx context.Context, tenantID, id string, total, done int) error
	// FinishRun applies a run's plan (and the action-log entries of what
	// it reopened and cleared) and completes the run, enqueueing jobs, in
	// one transaction.
	FinishRun(ctx context.Context, run Run, p RunPlan, actions []Action, jobs []jobargs.Args) error
	// FailRun marks a run failed with a reason safe to show.
	FailRun(ctx context.Context, tenantID, id, reason string, at time.Time) error
	// ActiveContracts lists every tenant's active contracts, for the
	// scheduled round.
	ActiveContracts(ctx context.Context) ([]Contract, error)

	ListExceptions(ctx context.Context, tenantID string, f ExceptionFilter) ([]Exception, string, error)
	Exception(ctx context.Context, tenantID, id string) (Exception, error)
	ExceptionActions(ctx context.Context, tenantID, id string) ([]Action, error)
	// ListExceptionActions pages through an exception's action log,
	// oldest first.
	ListExceptionActions(ctx context.Context, tenantID, id, cursor string, limit int) ([]Action, string, error)
	// ContractLine returns one line of the tenant's contracts.
	ContractLine(ctx context.Context, tenantID, id string) (Line, error)
	// ApplyActions saves e's new status and assignee when it is still in
	// status from (conflict otherwise), logs the actions, with their audit
	// rows, in one transaction; invalid when the assignee is not a user of
	// the tenant.
	ApplyActions(ctx context.Context, e Exception, from ExceptionStatus, as []Action, evs []audit.Event) error
}

// ReconInput is a contract with its lines, the approved mappings of its
// items, the mapped ERP items (with supplier costs when the tenant's
// advanced rules are on), the vendor's price tolerance, the tenant's
// features and the contract's exceptions so far.
type ReconInput struct {
	Features  Features
	Contract  Contract
	Lines     []Line
	Mappings  map[ItemKey]ItemMapping
	Items     map[string]ReconItem
	Tolerance Tolerance
	Existing  []ExistingException
}

// RunFilter selects runs for a list.
type RunFilter struct {
	ContractID string
	Status     RunStatus
	Cursor     string
	Limit      int
}

package contract

import (
	"context"
	"io"
	"time"

	"github.com/vendorsync/vendorsync/internal/audit"
	"github.com/vendorsync/vendorsync/internal/blob"
	"github.com/vendorsync/vendorsync/internal/contract/sheet"
	"github.com/vendorsync/vendorsync/internal/jobargs"
	"github.com/vendorsync/vendorsync/internal/registry"
)

// Store is what the contracts module reads and writes; internal/sqlstore
// implements it on both engines.
type Store interface {
	// Vendor returns one vendor of the tenant's registry.
	Vendor(ctx context.Context, tenantID, id string) (registry.Vendor, error)

	// FileBySHA returns the tenant's file with these bytes; not found when
	// none.
	FileBySHA(ctx context.Context, tenantID, sha256 string) (File, error)
	// CreateFile stores a new file with its audit row; conflict when the
	// tenant has the same bytes already.
	CreateFile(ctx context.Context, f File, ev audit.Event) error
	File(ctx context.Context, tenantID, id string) (File, error)
	ListFiles(ctx context.Context, tenantID string, f FileFilter) ([]File, string, error)
	// ColumnMapping returns the vendor's remembered header → field
	// mapping; not found when none was confirmed.
	ColumnMapping(ctx context.Context, tenantID, vendorID string) (map[string]sheet.Field, error)
	// ConfirmFile saves f's confirmed mapping and contract attributes,
	// moves it from uploaded or failed to queued, remembers headers for
	// its vendor, and enqueues jobs, with the audit row, in one
	// transaction; conflict when f is in another status.
	ConfirmFile(ctx context.Context, f File, headers map[string]sheet.Field, ev audit.Event, jobs []jobargs.Args) error
	// UnitAliases returns the tenant's unit aliases (alias → code).
	UnitAliases(ctx context.Context, tenantID string) (map[string]string, error)
	// SetUnitAlias creates or changes an alias, with its audit row.
	SetUnitAlias(ctx context.Context, tenantID, alias, code string, at time.Time, ev audit.Event) error
	// DeleteUnitAlias removes an alias; not found when absent.
	DeleteUnitAlias(ctx context.Context, tenantID, alias string, ev audit.Event) error

	// BeginImport starts (or, after a crash, restarts) the import of a
	// queued or importing file: what an earlier attempt left is removed,
	// c is created with status importing and the file's counts are reset.
	BeginImport(ctx context.Context, tenantID, fileID string, c Contract) error
	// AddImportBatch stores a batch of lines and row errors and the
	// file's progress.
	AddImportBatch(ctx context.Context, tenantID, fileID string, lines []Line, errs []RowError, p Progress) error
	// FinishImport makes c active with its final dates and count, marks
	// the file imported and enqueues jobs, with the audit row.
	FinishImport(ctx context.Context, tenantID, fileID string, c Contract, p Progress, ev audit.Event, jobs []jobargs.Args) error
	// FailImport marks the file failed with reason, removing the partial
	// contract; its row errors stay.
	FailImport(ctx context.Context, tenantID, fileID, reason string, p Progress, ev audit.Event) error

	RowErrors(ctx context.Context, tenantID, fileID, cursor string, limit int) ([]RowError, string, error)
	Contract(ctx context.Context, tenantID, id string) (Contract, error)
	ListContracts(ctx context.Context, tenantID string, f ContractFilter) ([]Contract, string, error)
	ContractLines(ctx context.Context, tenantID, contractID, cursor string, limit int) ([]Line, string, error)
}

// Blobs keeps vendor files write-once; *blob.Store implements it.
type Blobs interface {
	Put(ctx context.Context, key string, r io.Reader) (blob.Object, error)
	Get(ctx context.Context, key string) (io.ReadCloser, error)
}

// Consequences are what the contracts module's events cause, declared in
// the program's table of consequences.
type Consequences struct {
	// Imported: a contract's lines are in (item mapping and
	// reconciliation follow from it).
	Imported func(c Contract) []jobargs.Args
	// Reconciled: a reconciliation run completed (its counts are facts
	// about the contract's vendor).
	Reconciled func(r Run) []jobargs.Args
}

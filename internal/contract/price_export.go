package contract

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"time"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/audit"
	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/blob"
	"github.com/vendorsync/vendorsync/internal/contract/sheet"
	"github.com/vendorsync/vendorsync/internal/ident"
)

// PriceExport is one export of approved price changes in P21's import
// layout: the CSV is kept write-once in the blob store, so downloading it
// again returns the same bytes, and each change it holds is never
// exported again.
type PriceExport struct {
	ID        string    `json:"id"`
	TenantID  string    `json:"-"`
	Filename  string    `json:"filename"`
	BlobKey   string    `json:"-"`
	SHA256    string    `json:"sha256" doc:"Hex SHA-256 of the CSV."`
	Size      int64     `json:"size_bytes"`
	Count     int       `json:"change_count" doc:"How many approved price changes (rows under the header) the CSV holds."`
	CreatedBy string    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
	// ExceptionIDs are the overridden exceptions exported, in CSV row
	// order; filled when one export is read.
	ExceptionIDs []string `json:"exception_ids,omitempty" doc:"The overridden exceptions whose price changes are the CSV's rows, in row order (on a single export)."`
}

// maxExportAttempts bounds how often an export is rebuilt when another
// export took some of its changes meanwhile.
const maxExportAttempts = 3

// writebackOn refuses when p may not work exceptions or the tenant has
// writeback off, and returns the tenant's features.
func (s *WorkflowService) writebackOn(ctx context.Context, p auth.Principal) (Features, error) {
	if err := p.Require(auth.PermResolveExceptions); err != nil {
		return Features{}, err
	}
	f, err := s.Store.Features(ctx, p.TenantID)
	if err != nil {
		return Features{}, err
	}
	if !f.Writeback {
		return Features{}, errWritebackOff
	}
	return f, nil
}

// PendingPriceChanges returns the approved price changes no export holds
// yet, oldest first: what the next export will contain.
func (s *WorkflowService) PendingPriceChanges(ctx context.Context, p auth.Principal) ([]PriceChange, error) {
	if _, err := s.writebackOn(ctx, p); err != nil {
		return nil, err
	}
	return s.Store.UnexportedPriceChanges(ctx, p.TenantID)
}

// ExportPriceChanges creates an export of every approved price change no
// earlier export holds: the CSV (P21's purchase pricing page layout,
// formula-safe) is stored write-once with its SHA-256, and the export
// with the list of its changes and an audit row. Conflict when there is
// nothing new to export. Two exports at the same moment never hold the
// same change: the store refuses the second claim of a change, and the
// export is then rebuilt from what is left.
func (s *WorkflowService) ExportPriceChanges(ctx context.Context, p auth.Principal) (PriceExport, error) {
	f, err := s.writebackOn(ctx, p)
	if err != nil {
		return PriceExport{}, err
	}
	if s.Blobs == nil {
		return PriceExport{}, apperr.E(apperr.Unavailable, "price exports need the blob store")
	}
	for attempt := 1; ; attempt++ {
		x, err := s.exportOnce(ctx, p, f)
		if err == nil || !apperr.Is(err, apperr.Conflict) || attempt == maxExportAttempts || x.Count == 0 {
			return x, err
		}
	}
}

// errNothingToExport is the answer when every approved change is in an
// earlier export.
var errNothingToExport = apperr.E(apperr.Conflict, "there are no new approved price changes to export: every overridden "+
	"price or cost exception is in an earlier export (download it again from the list)")

func (s *WorkflowService) exportOnce(ctx context.Context, p auth.Principal, f Features) (PriceExport, error) {
	changes, err := s.Store.UnexportedPriceChanges(ctx, p.TenantID)
	if err != nil {
		return PriceExport{}, err
	}
	if len(changes) == 0 {
		return PriceExport{}, errNothingToExport
	}
	var buf bytes.Buffer
	w := sheet.NewCSVWriter(&buf)
	if err := w.Write(P21PriceHeader); err != nil {
		return PriceExport{}, err
	}
	ids := make([]string, len(changes))
	for i, c := range changes {
		if err := w.Write(P21PriceRow(f, c)); err != nil {
			return PriceExport{}, err
		}
		ids[i] = c.ExceptionID
	}
	if err := w.Flush(); err != nil {
		return PriceExport{}, err
	}
	now := s.now()
	sum := blob.SHA256(buf.Bytes())
	x := PriceExport{ID: ident.New(), TenantID: p.TenantID, BlobKey: blob.Key(p.TenantID, blob.KindPriceExport, now, sum), SHA256: sum,
		Size: int64(buf.Len()), Count: len(changes), CreatedBy: p.Label, CreatedAt: now, ExceptionIDs: ids}
	x.Filename = "p21-purchase-pricing-pages-" + now.Format("20060102-150405") + ".csv"
	ev := audit.Record(p, "price_export.create", "price_export", x.ID, nil,
		map[string]any{"change_count": x.Count, "sha256": sum, "size": x.Size, "exception_ids": ids})
	// The file is written once the changes are claimed: an export that
	// loses them to another one stores nothing, and the blob store, being
	// write-once, is never left with a file no export points to.
	write := func(ctx context.Context) error {
		if _, err := s.Blobs.Put(ctx, x.BlobKey, bytes.NewReader(buf.Bytes())); err != nil {
			return fmt.Errorf("contract.ExportPriceChanges: %w", err)
		}
		return nil
	}
	if err := s.Store.CreatePriceExport(ctx, x, ev, write); err != nil {
		// Count stays set: a conflict here is another export taking some
		// of these changes, worth building again from what is left.
		return PriceExport{Count: x.Count}, err
	}
	return x, nil
}

// PriceExports lists the tenant's exports, newest first.
func (s *WorkflowService) PriceExports(ctx context.Context, p auth.Principal, cursor string, limit int) ([]PriceExport, string, error) {
	if _, err := s.writebackOn(ctx, p); err != nil {
		return nil, "", err
	}
	return s.Store.ListPriceExports(ctx, p.TenantID, cursor, limit)
}

// PriceExport returns one export with the exceptions it holds.
func (s *WorkflowService) PriceExport(ctx context.Context, p auth.Principal, id string) (PriceExport, error) {
	if _, err := s.writebackOn(ctx, p); err != nil {
		return PriceExport{}, err
	}
	return s.Store.PriceExport(ctx, p.TenantID, id)
}

// PriceExportFile opens an export's CSV as it was stored; the caller
// closes it.
func (s *WorkflowService) PriceExportFile(ctx context.Context, p auth.Principal, id string) (PriceExport, io.ReadCloser, error) {
	x, err := s.PriceExport(ctx, p, id)
	if err != nil {
		return PriceExport{}, nil, err
	}
	if s.Blobs == nil {
		return PriceExport{}, nil, apperr.E(apperr.Unavailable, "price exports need the blob store")
	}
	r, err := s.Blobs.Get(ctx, x.BlobKey)
	if err != nil {
		return PriceExport{}, nil, fmt.Errorf("contract.PriceExportFile: %w", err)
	}
	return x, r, nil
}

package contract

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"
	"time"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/audit"
	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/contract/sheet"
	"github.com/vendorsync/vendorsync/internal/ident"
	"github.com/vendorsync/vendorsync/internal/jobargs"
)

// importBatch is how many lines are stored per transaction, with the
// progress they make.
const importBatch = 1000

// Import reads a confirmed file into its contract: every row under the
// header becomes a line or a row error, stored in batches that show as
// progress. A file the reader refuses part-way fails whole, with the
// reason, and keeps no partial contract. Run again after a crash, it
// starts over.
func (s *Service) Import(ctx context.Context, tenantID, fileID string) error {
	f, err := s.Store.File(ctx, tenantID, fileID)
	if err != nil {
		return fmt.Errorf("contract.Import %s: %w", fileID, err)
	}
	if f.Status != FileQueued && f.Status != FileImporting {
		return nil // imported, failed or not confirmed: nothing to do
	}
	vendor, err := s.Store.Vendor(ctx, tenantID, f.VendorID)
	if err != nil {
		return fmt.Errorf("contract.Import %s: %w", fileID, err)
	}
	c := Contract{ID: ident.New(), TenantID: tenantID, FileID: f.ID, VendorID: f.VendorID, Number: f.ContractNumber,
		VendorName: vendor.Name, Status: "importing", CreatedAt: s.now()}
	if err := s.Store.BeginImport(ctx, tenantID, f.ID, c); err != nil {
		return fmt.Errorf("contract.Import %s: %w", fileID, err)
	}
	aliases, err := s.Store.UnitAliases(ctx, tenantID)
	if err != nil {
		return fmt.Errorf("contract.Import %s: %w", fileID, err)
	}
	prog, refusal, err := s.importRows(ctx, f, &c, sheet.NewUnits(aliases))
	sys := auth.System(tenantID)
	if err != nil {
		return fmt.Errorf("contract.Import %s: %w", fileID, err)
	}
	if refusal != "" {
		ev := audit.Record(sys, "vendor_file.import_failed", "vendor_file", f.ID, nil, map[string]any{"error": refusal})
		return s.Store.FailImport(ctx, tenantID, f.ID, refusal, prog, ev)
	}
	if c.Number == "" {
		c.Number = strings.TrimSuffix(f.Filename, path.Ext(f.Filename))
	}
	if f.EffectiveStart != nil {
		c.EffectiveStart = f.EffectiveStart
	}
	if f.EffectiveEnd != nil {
		c.EffectiveEnd = f.EffectiveEnd
	}
	c.Status, c.LineCount = "active", prog.LinesImported
	ev := audit.Record(sys, "vendor_contract.import", "vendor_contract", c.ID, nil, map[string]any{"vendor_file_id": f.ID,
		"contract_number": c.Number, "lines": prog.LinesImported, "row_errors": prog.RowsFailed})
	return s.Store.FinishImport(ctx, tenantID, f.ID, c, prog, ev, s.imported(c))
}

func (s *Service) imported(c Contract) []jobargs.Args {
	if s.Consequences.Imported == nil {
		return nil
	}
	return s.Consequences.Imported(c)
}

// batch is a run of lines and row errors with the progress after it.
type batch struct {
	lines []Line
	errs  []RowError
	p     Progress
}

// importRows streams the file's rows into batches, reading the next batch
// while the last one is stored. refusal is set when the reader refused the
// file part-way; err is a storage failure.
func (s *Service) importRows(ctx context.Context, f File, c *Contract, units *sheet.Units) (p Progress, refusal string, err error) {
	rc, err := s.Blobs.Get(ctx, f.BlobKey)
	if err != nil {
		return p, "", err
	}
	defer rc.Close()
	r, err := sheet.Open(rc, f.Type, s.limits())
	if err != nil {
		return p, apperr.MessageOf(err), nil
	}
	defer r.Close()
	rctx, cancel := context.WithCancel(ctx)
	defer cancel()
	batches := make(chan batch, 2)
	go func() {
		defer close(batches)
		p, refusal = s.readBatches(rctx, r, f, c, units, batches)
	}()
	for b := range batches {
		if err == nil {
			if err = s.Store.AddImportBatch(ctx, f.TenantID, f.ID, b.lines, b.errs, b.p); err != nil {
				cancel() // the reader stops at its next batch; the range drains it
			}
		}
	}
	return p, refusal, err
}

// readBatches reads every row under the header into batches sent on out,
// until the file ends, the reader refuses it (refusal) or ctx ends.
func (s *Service) readBatches(ctx context.Context, r sheet.Reader, f File, c *Contract, units *sheet.Units, out chan<- batch) (Progress, string) {
	var b batch
	send := func() bool {
		if len(b.lines) == 0 && len(b.errs) == 0 {
			return true
		}
		select {
		case out <- b:
			b = batch{p: b.p}
			return true
		case <-ctx.Done():
			return false
		}
	}
	for {
		row, rerr := r.Next()
		if errors.Is(rerr, io.EOF) {
			break
		}
		var re *sheet.RowError
		switch {
		case errors.As(rerr, &re):
			if re.Line <= f.HeaderLine {
				continue
			}
			b.p.RowsRead++
			b.p.RowsFailed++
			b.errs = append(b.errs, RowError{Line: re.Line, Column: re.Column, Reason: re.Reason, Cells: []string{}})
		case rerr != nil:
			return b.p, apperr.MessageOf(rerr)
		case row.Line <= f.HeaderLine:
			continue
		default:
			b.p.RowsRead++
			l, xerr := sheet.Extract(row, f.Mapping, units)
			if errors.As(xerr, &re) {
				b.p.RowsFailed++
				b.errs = append(b.errs, RowError{Line: re.Line, Column: re.Column, Reason: re.Reason, Cells: row.Cells})
				break
			}
			b.p.LinesImported++
			b.lines = append(b.lines, s.line(c, l, row.Cells))
		}
		if len(b.lines)+len(b.errs) >= importBatch && !send() {
			return b.p, ""
		}
	}
	send()
	return b.p, ""
}

// line turns a normalized row into a contract line, widening the
// contract's dates to cover it and taking its contract number when the
// contract has none.
func (s *Service) line(c *Contract, l sheet.Line, raw []string) Line {
	if c.Number == "" && l.Contract != "" {
		c.Number = l.Contract
	}
	if l.Start != nil && (c.EffectiveStart == nil || l.Start.Before(*c.EffectiveStart)) {
		c.EffectiveStart = l.Start
	}
	if l.End != nil && (c.EffectiveEnd == nil || l.End.After(*c.EffectiveEnd)) {
		c.EffectiveEnd = l.End
	}
	return Line{ID: ident.New(), ContractID: c.ID, LineNumber: l.Line, ItemNumber: l.ItemNumber, UOM: l.UOM,
		Description: l.Description, Price: l.Price, Currency: l.Currency, EffectiveStart: l.Start, EffectiveEnd: l.End, Raw: raw}
}

// dateOnly keeps a date's calendar day at UTC midnight.
func dateOnly(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	d := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	return &d
}

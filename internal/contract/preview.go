package contract

import (
	"context"
	"fmt"
	"strings"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/audit"
	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/contract/sheet"
	"github.com/vendorsync/vendorsync/internal/jobargs"
)

// Preview reads a file's first rows, finds its header and proposes a
// mapping: the vendor's remembered mapping for the headers it knows, the
// header synonyms for the rest.
func (s *Service) Preview(ctx context.Context, p auth.Principal, id string) (Preview, error) {
	f, err := s.File(ctx, p, id)
	if err != nil {
		return Preview{}, err
	}
	rows, err := s.readHead(ctx, f)
	if err != nil {
		return Preview{}, err
	}
	pv := Preview{File: f, Headers: []string{}, Proposed: sheet.Mapping{}, Missing: []sheet.Field{}, Sample: [][]string{}, SampleLines: []int{}}
	idx, proposed, ok := sheet.DetectHeader(rows)
	if !ok {
		idx, proposed = 0, sheet.Propose(rows[0].Cells)
	}
	if f.HeaderLine > 0 && len(f.Mapping) > 0 {
		for i, r := range rows {
			if r.Line == f.HeaderLine {
				idx, proposed = i, f.Mapping
			}
		}
	}
	header := rows[idx]
	pv.HeaderLine, pv.Headers = header.Line, header.Cells
	remembered, err := s.Store.ColumnMapping(ctx, p.TenantID, f.VendorID)
	if err != nil && !apperr.Is(err, apperr.NotFound) {
		return Preview{}, fmt.Errorf("contract.Preview: %w", err)
	}
	if len(remembered) > 0 && len(f.Mapping) == 0 {
		proposed, pv.Remembered = applyRemembered(header.Cells, proposed, remembered)
	}
	for len(proposed) < len(header.Cells) {
		proposed = append(proposed, sheet.FieldIgnore)
	}
	pv.Proposed = proposed
	pv.Missing = append(pv.Missing, proposed.Missing()...)
	for _, r := range rows[idx+1:] {
		if len(pv.Sample) == previewRows {
			break
		}
		pv.Sample = append(pv.Sample, r.Cells)
		pv.SampleLines = append(pv.SampleLines, r.Line)
	}
	return pv, nil
}

// applyRemembered maps every header the vendor's remembered mapping knows
// as it was confirmed, keeping the proposal for the others.
func applyRemembered(header []string, proposed sheet.Mapping, remembered map[string]sheet.Field) (sheet.Mapping, bool) {
	out := make(sheet.Mapping, len(header))
	copy(out, proposed)
	used := false
	for i, h := range header {
		if f, ok := remembered[headerText(h)]; ok {
			for j := range out {
				if out[j] == f && f != sheet.FieldIgnore {
					out[j] = sheet.FieldIgnore
				}
			}
			out[i], used = f, true
		}
	}
	return out, used
}

func headerText(h string) string { return strings.ToLower(strings.Join(strings.Fields(h), " ")) }

func (s *Service) readHead(ctx context.Context, f File) ([]sheet.Row, error) {
	if s.Blobs == nil {
		return nil, apperr.E(apperr.Unavailable, "vendor files need the blob store")
	}
	rc, err := s.Blobs.Get(ctx, f.BlobKey)
	if err != nil {
		return nil, fmt.Errorf("contract: read file %s: %w", f.ID, err)
	}
	defer rc.Close()
	return s.head(rc, f.Type)
}

// Confirm records the mapping a person confirmed for a file, remembers it
// for the file's vendor, and queues the import.
func (s *Service) Confirm(ctx context.Context, p auth.Principal, id string, c Confirmation) (File, error) {
	if err := p.Require(auth.PermUploadPrices); err != nil {
		return File{}, err
	}
	f, err := s.Store.File(ctx, p.TenantID, id)
	if err != nil {
		return File{}, err
	}
	if f.Status != FileUploaded && f.Status != FileFailed {
		return File{}, apperr.E(apperr.Conflict, "the file is %s; a file is imported once — upload a corrected file to import again", f.Status)
	}
	rows, err := s.readHead(ctx, f)
	if err != nil {
		return File{}, err
	}
	var header *sheet.Row
	for i := range rows {
		if rows[i].Line == c.HeaderLine {
			header = &rows[i]
		}
	}
	var v apperr.Validation
	v.Check(header != nil, "header_line", "is not one of the file's first rows")
	if header != nil {
		v.Check(len(c.Mapping) <= len(header.Cells), "mapping", "has more columns than the header (%d)", len(header.Cells))
	}
	seen := map[sheet.Field]bool{}
	for i, fld := range c.Mapping {
		if !fld.Valid() {
			v.Add(fmt.Sprintf("mapping[%d]", i), "is not a field: %q", fld)
		} else if fld != sheet.FieldIgnore && seen[fld] {
			v.Add(fmt.Sprintf("mapping[%d]", i), "maps %s a second time", fld)
		}
		seen[fld] = true
	}
	for _, m := range c.Mapping.Missing() {
		v.Add("mapping", "must map a column to %s", m)
	}
	v.Check(len(c.ContractNumber) <= 100, "contract_number", "is longer than 100 characters")
	v.Check(c.EffectiveStart == nil || c.EffectiveEnd == nil || !c.EffectiveEnd.Before(*c.EffectiveStart),
		"effective_end", "is before effective_start")
	if err := v.Err(); err != nil {
		return File{}, err
	}
	headers := map[string]sheet.Field{}
	for i, fld := range c.Mapping {
		if fld != sheet.FieldIgnore && strings.TrimSpace(header.Cells[i]) != "" {
			headers[headerText(header.Cells[i])] = fld
		}
	}
	before := f
	f.HeaderLine, f.Mapping, f.ContractNumber = c.HeaderLine, c.Mapping, strings.TrimSpace(c.ContractNumber)
	f.EffectiveStart, f.EffectiveEnd = dateOnly(c.EffectiveStart), dateOnly(c.EffectiveEnd)
	f.Status, f.Error, f.UpdatedAt = FileQueued, "", s.now()
	ev := audit.Record(p, "vendor_file.confirm_mapping", "vendor_file", f.ID,
		map[string]any{"status": before.Status, "mapping": before.Mapping},
		map[string]any{"status": f.Status, "header_line": f.HeaderLine, "mapping": f.Mapping, "contract_number": f.ContractNumber})
	if err := s.Store.ConfirmFile(ctx, f, headers, ev, []jobargs.Args{importJob(f)}); err != nil {
		return File{}, err
	}
	return f, nil
}

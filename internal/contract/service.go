package contract

import (
	"bytes"
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
	"github.com/vendorsync/vendorsync/internal/blob"
	"github.com/vendorsync/vendorsync/internal/contract/sheet"
	"github.com/vendorsync/vendorsync/internal/ident"
	"github.com/vendorsync/vendorsync/internal/jobargs"
)

// MaxFileBytes bounds an uploaded vendor file.
const MaxFileBytes = sheet.FileBytes

// previewRows is how many rows under the header a preview shows.
const previewRows = 10

// Service is the contracts module's vendor-file workflow.
type Service struct {
	Store        Store
	Blobs        Blobs
	Consequences Consequences
	// Limits bound the files read; zero means sheet.DefaultLimits.
	Limits sheet.Limits
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

func (s *Service) limits() sheet.Limits {
	if s.Limits == (sheet.Limits{}) {
		return sheet.DefaultLimits
	}
	return s.Limits
}

// Upload stores a vendor's price file write-once and returns it. The file
// must read as a CSV or XLSX spreadsheet (hostile and unreadable files are
// refused before anything is stored). The same bytes uploaded again are
// not stored twice: the first upload is returned with duplicate true.
func (s *Service) Upload(ctx context.Context, p auth.Principal, vendorID, filename string, data []byte) (File, bool, error) {
	if err := p.Require(auth.PermUploadPrices); err != nil {
		return File{}, false, err
	}
	if s.Blobs == nil {
		return File{}, false, apperr.E(apperr.Unavailable, "vendor files need the blob store")
	}
	filename = cleanName(filename)
	var v apperr.Validation
	v.Check(vendorID != "", "vendor_id", "is required")
	v.Check(len(data) > 0, "file", "is empty")
	v.Check(len(data) <= MaxFileBytes, "file", "is larger than 25 MiB")
	if err := v.Err(); err != nil {
		return File{}, false, err
	}
	if _, err := s.Store.Vendor(ctx, p.TenantID, vendorID); err != nil {
		if apperr.Is(err, apperr.NotFound) {
			return File{}, false, apperr.Invalidf("vendor %s is not in the registry", vendorID)
		}
		return File{}, false, fmt.Errorf("contract.Upload: %w", err)
	}
	kind, err := sheet.Detect(data[:min(len(data), 4096)])
	if err != nil {
		return File{}, false, err
	}
	if _, err := s.head(bytes.NewReader(data), kind); err != nil {
		return File{}, false, err
	}
	sum := blob.SHA256(data)
	if f, err := s.Store.FileBySHA(ctx, p.TenantID, sum); err == nil {
		return f, true, nil
	} else if !apperr.Is(err, apperr.NotFound) {
		return File{}, false, fmt.Errorf("contract.Upload: %w", err)
	}
	now := s.now()
	obj, err := s.Blobs.Put(ctx, blob.Key(p.TenantID, "vendor-file", now, sum), bytes.NewReader(data))
	if err != nil {
		return File{}, false, fmt.Errorf("contract.Upload: %w", err)
	}
	f := File{ID: ident.New(), TenantID: p.TenantID, VendorID: vendorID, Filename: filename, Type: kind, BlobKey: obj.Key,
		SHA256: sum, Size: int64(len(data)), Status: FileUploaded, Mapping: sheet.Mapping{}, UploadedBy: p.Label,
		UploadedAt: now, UpdatedAt: now}
	err = s.Store.CreateFile(ctx, f, audit.Record(p, "vendor_file.upload", "vendor_file", f.ID, nil,
		map[string]any{"vendor_id": vendorID, "filename": filename, "sha256": sum, "size": f.Size}))
	if apperr.Is(err, apperr.Conflict) {
		// Uploaded at the same moment by another request: that one is it.
		if first, ferr := s.Store.FileBySHA(ctx, p.TenantID, sum); ferr == nil {
			return first, true, nil
		}
	}
	if err != nil {
		return File{}, false, fmt.Errorf("contract.Upload: %w", err)
	}
	return f, false, nil
}

// cleanName keeps a file's base name, printable and bounded.
func cleanName(name string) string {
	name = path.Base(strings.ReplaceAll(name, "\\", "/"))
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, name)
	if name == "." || name == "/" || name == "" {
		name = "vendor-file"
	}
	if len(name) > 200 {
		name = name[:200]
	}
	return name
}

// head reads the rows a header is looked for in, refusing a file the
// reader refuses.
func (s *Service) head(src io.Reader, kind sheet.Kind) ([]sheet.Row, error) {
	r, err := sheet.Open(src, kind, s.limits())
	if err != nil {
		return nil, err
	}
	defer r.Close()
	var rows []sheet.Row
	for len(rows) < sheet.HeaderScanRows+previewRows {
		row, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if sheet.IsRowError(err) {
			continue
		}
		if err != nil {
			return nil, err
		}
		rows = append(rows, row)
	}
	if len(rows) == 0 {
		return nil, apperr.Invalidf("the file has no rows")
	}
	return rows, nil
}

// File returns one vendor file.
func (s *Service) File(ctx context.Context, p auth.Principal, id string) (File, error) {
	if err := p.Require(auth.PermView); err != nil {
		return File{}, err
	}
	return s.Store.File(ctx, p.TenantID, id)
}

// Files lists vendor files, newest first.
func (s *Service) Files(ctx context.Context, p auth.Principal, f FileFilter) ([]File, string, error) {
	if err := p.Require(auth.PermView); err != nil {
		return nil, "", err
	}
	return s.Store.ListFiles(ctx, p.TenantID, f)
}

// RowErrors lists a file's row errors by line.
func (s *Service) RowErrors(ctx context.Context, p auth.Principal, fileID, cursor string, limit int) ([]RowError, string, error) {
	if _, err := s.File(ctx, p, fileID); err != nil {
		return nil, "", err
	}
	return s.Store.RowErrors(ctx, p.TenantID, fileID, cursor, limit)
}

// Contract returns one contract.
func (s *Service) Contract(ctx context.Context, p auth.Principal, id string) (Contract, error) {
	if err := p.Require(auth.PermView); err != nil {
		return Contract{}, err
	}
	return s.Store.Contract(ctx, p.TenantID, id)
}

// Contracts lists contracts, newest first.
func (s *Service) Contracts(ctx context.Context, p auth.Principal, f ContractFilter) ([]Contract, string, error) {
	if err := p.Require(auth.PermView); err != nil {
		return nil, "", err
	}
	return s.Store.ListContracts(ctx, p.TenantID, f)
}

// Lines lists a contract's lines in file order.
func (s *Service) Lines(ctx context.Context, p auth.Principal, contractID, cursor string, limit int) ([]Line, string, error) {
	if _, err := s.Contract(ctx, p, contractID); err != nil {
		return nil, "", err
	}
	return s.Store.ContractLines(ctx, p.TenantID, contractID, cursor, limit)
}

// importJob is the job that imports a confirmed file.
func importJob(f File) jobargs.Args {
	return jobargs.ContractImport{Tenant: jobargs.For(f.TenantID), FileID: f.ID}
}

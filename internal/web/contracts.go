package web

import (
	"bytes"
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/contract"
	"github.com/vendorsync/vendorsync/internal/contract/sheet"
)

// contractFileUploadIn is a vendor price file as the request body.
type contractFileUploadIn struct {
	VendorID string `query:"vendor_id" required:"true" maxLength:"100" doc:"The registry vendor whose prices the file holds."`
	Filename string `query:"filename" maxLength:"255" doc:"The file's name, as shown in lists."`
	RawBody  []byte `contentType:"application/octet-stream" doc:"The CSV (any of UTF-8, UTF-16 or Windows-1252; comma, semicolon, tab or pipe) or XLSX file itself, up to 25 MiB."`
}

// contractFileOut is a vendor file; duplicate is true when the same bytes
// had been uploaded before and the earlier file is returned.
type contractFileOut struct {
	Status int
	Body   struct {
		contract.File
		Duplicate bool `json:"duplicate"`
	}
}

func fileOut(f contract.File, dup bool, status int) *contractFileOut {
	out := &contractFileOut{Status: status}
	out.Body.File, out.Body.Duplicate = f, dup
	return out
}

func (s *Server) apiUploadContractFile(ctx context.Context, in *contractFileUploadIn) (*contractFileOut, error) {
	f, dup, err := s.Contracts.Upload(ctx, principal(ctx), in.VendorID, in.Filename, in.RawBody)
	if err != nil {
		return nil, err
	}
	if dup {
		return fileOut(f, true, http.StatusOK), nil
	}
	return fileOut(f, false, http.StatusCreated), nil
}

type contractFileListIn struct {
	PageQuery
	VendorID string `query:"vendor_id" maxLength:"100" doc:"Only this vendor's files."`
	Status   string `query:"status" enum:"uploaded,queued,importing,imported,failed" doc:"Only files in this status."`
}

func (s *Server) apiListContractFiles(ctx context.Context, in *contractFileListIn) (*PageOut[contract.File], error) {
	out, next, err := s.Contracts.Files(ctx, principal(ctx), contract.FileFilter{VendorID: in.VendorID,
		Status: contract.FileStatus(in.Status), Cursor: in.Cursor, Limit: in.Limit})
	if err != nil {
		return nil, err
	}
	return pageOf(out, next), nil
}

func (s *Server) apiGetContractFile(ctx context.Context, in *IDPath) (*contractFileOut, error) {
	f, err := s.Contracts.File(ctx, principal(ctx), in.ID)
	if err != nil {
		return nil, err
	}
	return fileOut(f, false, http.StatusOK), nil
}

type previewOut struct {
	Body contract.Preview
}

func (s *Server) apiPreviewContractFile(ctx context.Context, in *IDPath) (*previewOut, error) {
	pv, err := s.Contracts.Preview(ctx, principal(ctx), in.ID)
	if err != nil {
		return nil, err
	}
	return &previewOut{Body: pv}, nil
}

// confirmBody is a person's mapping of a file's columns.
type confirmBody struct {
	HeaderLine     int           `json:"header_line" minimum:"1" doc:"The line of the header row, as the preview found it."`
	Mapping        []sheet.Field `json:"mapping" maxItems:"512" doc:"One field per header column, in order; \"\" skips the column. Fields: vendor_item_number, description, uom, price, currency, effective_start, effective_end, contract_number."`
	ContractNumber string        `json:"contract_number,omitempty" maxLength:"100" doc:"The contract's number; by default the file's contract column, else the file name."`
	EffectiveStart *time.Time    `json:"effective_start,omitempty" doc:"The contract's start; by default the earliest line start."`
	EffectiveEnd   *time.Time    `json:"effective_end,omitempty" doc:"The contract's end; by default the latest line end."`
}

type confirmIn struct {
	IDPath
	Body strictBody[confirmBody]
}

func (s *Server) apiConfirmContractFile(ctx context.Context, in *confirmIn) (*contractFileOut, error) {
	b := in.Body.Value
	f, err := s.Contracts.Confirm(ctx, principal(ctx), in.ID, contract.Confirmation{HeaderLine: b.HeaderLine, Mapping: b.Mapping,
		ContractNumber: b.ContractNumber, EffectiveStart: b.EffectiveStart, EffectiveEnd: b.EffectiveEnd})
	if err != nil {
		return nil, err
	}
	return fileOut(f, false, http.StatusOK), nil
}

type fileRowErrorsIn struct {
	IDPath
	PageQuery
}

func (s *Server) apiListRowErrors(ctx context.Context, in *fileRowErrorsIn) (*PageOut[contract.RowError], error) {
	out, next, err := s.Contracts.RowErrors(ctx, principal(ctx), in.ID, in.Cursor, in.Limit)
	if err != nil {
		return nil, err
	}
	return pageOf(out, next), nil
}

// csvFileOut is a CSV export, every cell escaped against formula
// injection.
type csvFileOut struct {
	ContentType        string `header:"Content-Type"`
	ContentDisposition string `header:"Content-Disposition"`
	Body               []byte
}

func csvOut(name string, b []byte) *csvFileOut {
	return &csvFileOut{ContentType: "text/csv; charset=utf-8", ContentDisposition: `attachment; filename="` + name + `"`, Body: b}
}

func (s *Server) apiExportRowErrors(ctx context.Context, in *IDPath) (*csvFileOut, error) {
	b, err := exportRowErrors(ctx, s.Contracts, principal(ctx), in.ID)
	if err != nil {
		return nil, err
	}
	return csvOut("row-errors-"+in.ID+".csv", b), nil
}

// exportRowErrors writes a file's row errors as formula-safe CSV.
func exportRowErrors(ctx context.Context, svc *contract.Service, p auth.Principal, fileID string) ([]byte, error) {
	return exportCSV([]string{"line", "column", "reason", "cells"},
		func(cursor string) ([]contract.RowError, string, error) {
			return svc.RowErrors(ctx, p, fileID, cursor, 500)
		},
		func(e contract.RowError) []string {
			return append([]string{strconv.Itoa(e.Line), e.Column, e.Reason}, e.Cells...)
		})
}

// exportCSV writes every page of a list as CSV through the formula-safe
// writer: vendor-supplied text never reaches a spreadsheet as a formula.
func exportCSV[T any](header []string, page func(cursor string) ([]T, string, error), row func(T) []string) ([]byte, error) {
	var buf bytes.Buffer
	w := sheet.NewCSVWriter(&buf)
	if err := w.Write(header); err != nil {
		return nil, err
	}
	cursor := ""
	for {
		items, next, err := page(cursor)
		if err != nil {
			return nil, err
		}
		for _, it := range items {
			if err := w.Write(row(it)); err != nil {
				return nil, err
			}
		}
		if cursor = next; cursor == "" {
			break
		}
	}
	if err := w.Flush(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

type contractListIn struct {
	PageQuery
	VendorID string `query:"vendor_id" maxLength:"100" doc:"Only this vendor's contracts."`
}

func (s *Server) apiListContracts(ctx context.Context, in *contractListIn) (*PageOut[contract.Contract], error) {
	out, next, err := s.Contracts.Contracts(ctx, principal(ctx), contract.ContractFilter{VendorID: in.VendorID, Cursor: in.Cursor, Limit: in.Limit})
	if err != nil {
		return nil, err
	}
	return pageOf(out, next), nil
}

type contractOut struct {
	Body contract.Contract
}

func (s *Server) apiGetContract(ctx context.Context, in *IDPath) (*contractOut, error) {
	c, err := s.Contracts.Contract(ctx, principal(ctx), in.ID)
	if err != nil {
		return nil, err
	}
	return &contractOut{Body: c}, nil
}

type contractLinesIn struct {
	IDPath
	PageQuery
}

func (s *Server) apiListContractLines(ctx context.Context, in *contractLinesIn) (*PageOut[contract.Line], error) {
	out, next, err := s.Contracts.Lines(ctx, principal(ctx), in.ID, in.Cursor, in.Limit)
	if err != nil {
		return nil, err
	}
	return pageOf(out, next), nil
}

func (s *Server) apiExportContractLines(ctx context.Context, in *IDPath) (*csvFileOut, error) {
	b, err := exportLines(ctx, s.Contracts, principal(ctx), in.ID)
	if err != nil {
		return nil, err
	}
	return csvOut("contract-"+in.ID+".csv", b), nil
}

// exportLines writes a contract's lines as formula-safe CSV.
func exportLines(ctx context.Context, svc *contract.Service, p auth.Principal, contractID string) ([]byte, error) {
	return exportCSV([]string{"line", "vendor_item_number", "vendor_uom", "vendor_description", "contract_price", "currency",
		"effective_start", "effective_end"},
		func(cursor string) ([]contract.Line, string, error) {
			return svc.Lines(ctx, p, contractID, cursor, 500)
		},
		func(l contract.Line) []string {
			return []string{strconv.Itoa(l.LineNumber), l.ItemNumber, l.UOM, l.Description, l.Price.StringFixed(4), l.Currency,
				dateText(l.EffectiveStart), dateText(l.EffectiveEnd)}
		})
}

func dateText(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.Format(time.DateOnly)
}

// Operations of the contracts API; routes.go registers them.
var (
	docUploadContractFile = func() huma.Operation {
		o := createDoc("Upload a vendor price file", "The CSV or XLSX file as the body (any content type), for the vendor named by vendor_id. "+
			"It is stored write-once with its SHA-256; the same bytes uploaded again are not stored twice: the first upload is answered "+
			"(200, duplicate true). A file that is neither CSV nor XLSX, or that is hostile (a compressed bomb, XML entities, a million "+
			"strings, an endless line), is refused with the reason (422). Next: GET …/preview, then POST …/confirm.")
		o.MaxBodyBytes = contract.MaxFileBytes
		o.Errors = []int{http.StatusRequestEntityTooLarge, http.StatusUnprocessableEntity}
		return o
	}()
	docListContractFiles   = readDoc("List vendor price files", "Newest first, with status (uploaded, queued, importing, imported, failed) and counts.")
	docGetContractFile     = readDoc("Get a vendor price file", "Its status, import progress (rows read, lines imported, rows failed) and the reason a failed import gives.")
	docPreviewContractFile = readDoc("Preview a vendor price file", "The header found (it need not be row 1), the proposed column mapping — the vendor's remembered mapping where its headers match, header synonyms otherwise — the required fields still missing and the first rows.")
	docConfirmContractFile = huma.Operation{Summary: "Confirm a file's column mapping", SkipValidateBody: true, Description: "Maps the header's columns to fields, " +
		"remembers the mapping for the vendor's next files and queues the import. Refused (409) once the import started."}
	docListRowErrors       = readDoc("List a file's row errors", "Lines not imported, by line, with the column and the reason; the good lines still import.")
	docExportRowErrors     = readDoc("Export a file's row errors", "CSV; cells that start like a formula (=, +, -, @) are prefixed with ' so spreadsheet programs show them as text.")
	docListContracts       = readDoc("List contracts", "Imported vendor contracts, newest first.")
	docGetContract         = readDoc("Get a contract", "Number, registry vendor, effective dates and line count.")
	docListContractLines   = readDoc("List a contract's lines", "In file order, with exact decimal prices.")
	docExportContractLines = readDoc("Export a contract's lines", "CSV; cells that start like a formula (=, +, -, @) are prefixed with ' so spreadsheet programs show them as text.")
)

package web

import (
	"bytes"
	"context"
	"mime"
	"net/http"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"github.com/vendorsync/vendorsync/internal/erp"
)

// maxCatalogFile bounds a CSV catalog upload.
const maxCatalogFile = 25 << 20

// xlsxType is the media type of an XLSX workbook.
const xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

type erpItemListIn struct {
	PageQuery
	ConnectorID string `query:"connector_id" maxLength:"100" doc:"Only items of this connector."`
	Q           string `query:"q" maxLength:"200" doc:"Matches the item number, the description or a supplier part number."`
	Active      bool   `query:"active" doc:"Only active items (not deleted in the ERP)."`
}

type erpItemOut struct {
	Body erp.ItemDetail
}

// catalogUploadIn is a CSV catalog.
type catalogUploadIn struct {
	IDPath
	RawBody []byte `contentType:"text/csv" doc:"CSV with a header row: item_number (required), description, base_uom, list_price, active, supplier_id, supplier_part_no, cost, alt_uom, factor. A row may repeat an item to add a unit or a supplier part."`
}

type catalogUploadOut struct {
	Body erp.ImportResult
}

func (s *Server) apiListERPItems(ctx context.Context, in *erpItemListIn) (*PageOut[erp.StoredItem], error) {
	svc, err := s.erp()
	if err != nil {
		return nil, err
	}
	items, next, err := svc.ListItems(ctx, principal(ctx), erp.ItemFilter{ConnectorID: in.ConnectorID, Query: in.Q,
		ActiveOnly: in.Active, Cursor: in.Cursor, Limit: in.Limit})
	if err != nil {
		return nil, err
	}
	return pageOf(items, next), nil
}

func (s *Server) apiGetERPItem(ctx context.Context, in *IDPath) (*erpItemOut, error) {
	svc, err := s.erp()
	if err != nil {
		return nil, err
	}
	it, err := svc.Item(ctx, principal(ctx), in.ID)
	if err != nil {
		return nil, err
	}
	return &erpItemOut{Body: it}, nil
}

func (s *Server) apiImportCatalog(ctx context.Context, in *catalogUploadIn) (*catalogUploadOut, error) {
	svc, err := s.erp()
	if err != nil {
		return nil, err
	}
	res, err := svc.ImportCatalog(ctx, principal(ctx), in.ID, bytes.NewReader(in.RawBody))
	if err != nil {
		return nil, err
	}
	return &catalogUploadOut{Body: res}, nil
}

// requireCSV refuses uploads that are not CSV, after the connector is
// found: another tenant's connector answers 404 whatever is sent.
func (s *Server) requireCSV(ctx huma.Context, next func(huma.Context)) {
	if svc, err := s.erp(); err == nil {
		if _, err := svc.Get(ctx.Context(), principal(ctx.Context()), ctx.Param("id")); err != nil {
			e := s.problem(ctx.Context(), err)
			_ = huma.WriteErr(s.api, ctx, e.GetStatus(), e.Error()) // the client may be gone
			return
		}
	}
	mt, _, err := mime.ParseMediaType(ctx.Header("Content-Type"))
	if err != nil || !strings.EqualFold(mt, "text/csv") && !strings.EqualFold(mt, xlsxType) {
		_ = huma.WriteErr(s.api, ctx, http.StatusUnsupportedMediaType, "send the catalog as text/csv or "+xlsxType) // the client may be gone
		return
	}
	next(ctx)
}

// importCatalogDoc is docImportCatalog with its content-type check.
func (s *Server) importCatalogDoc() huma.Operation {
	o := docImportCatalog
	o.Middlewares = huma.Middlewares{s.requireCSV}
	return o
}

// Operations of the ERP item API; routes.go registers them.
var (
	docListERPItems = readDoc("List ERP items",
		"The ERP item store, by item number: items synced from an ERP or imported from a CSV catalog, with list price "+
			"(exact decimal strings), base unit and whether the ERP still has them active.")
	docGetERPItem = readDoc("Get an ERP item",
		"One item with its units and conversion factors (how many base units one holds), supplier part numbers and costs, and prices.")
	docImportCatalog = func() huma.Operation {
		o := huma.Operation{Summary: "Import a CSV or XLSX catalog",
			Description: "Reads a catalog (text/csv in any common delimiter and encoding, or an XLSX workbook's first sheet; " +
				"at most 25 MiB) into a csv connector's items, keyed by item number, so a " +
				"re-import updates rather than duplicates. Bad rows are answered with their line number and reason; the others " +
				"are imported. 409 for a connector that syncs from its ERP, 415 for another content type, 422 for a file that is " +
				"neither CSV nor XLSX or that the reader refuses (hostile workbooks included)."}
		o.MaxBodyBytes = maxCatalogFile
		o.Errors = []int{http.StatusUnsupportedMediaType, http.StatusRequestEntityTooLarge, http.StatusConflict}
		return o
	}()
)

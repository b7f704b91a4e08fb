package web

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strconv"

	"github.com/danielgtaylor/huma/v2"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/contract"
)

type priceExportOut struct {
	Body contract.PriceExport
}

type priceExportFileOut struct {
	ContentType        string `header:"Content-Type"`
	ContentDisposition string `header:"Content-Disposition"`
	Digest             string `header:"X-Content-SHA256"`
	Body               []byte
}

func (s *Server) apiCreatePriceExport(ctx context.Context, _ *struct{}) (*priceExportOut, error) {
	x, err := s.Workflow.ExportPriceChanges(ctx, principal(ctx))
	if err != nil {
		return nil, err
	}
	return &priceExportOut{Body: x}, nil
}

func (s *Server) apiListPriceExports(ctx context.Context, in *PageQuery) (*PageOut[contract.PriceExport], error) {
	out, next, err := s.Workflow.PriceExports(ctx, principal(ctx), in.Cursor, in.Limit)
	if err != nil {
		return nil, err
	}
	return pageOf(out, next), nil
}

func (s *Server) apiGetPriceExport(ctx context.Context, in *IDPath) (*priceExportOut, error) {
	x, err := s.Workflow.PriceExport(ctx, principal(ctx), in.ID)
	if err != nil {
		return nil, err
	}
	return &priceExportOut{Body: x}, nil
}

func (s *Server) apiPriceExportFile(ctx context.Context, in *IDPath) (*priceExportFileOut, error) {
	return priceExportFile(ctx, s.Workflow, principal(ctx), in.ID)
}

// priceExportFile reads an export's stored CSV, refusing bytes that no
// longer match the SHA-256 recorded when it was made.
func priceExportFile(ctx context.Context, flow *contract.WorkflowService, p auth.Principal, id string) (*priceExportFileOut, error) {
	x, r, err := flow.PriceExportFile(ctx, p, id)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	b, err := io.ReadAll(io.LimitReader(r, x.Size+1))
	if err != nil {
		return nil, apperr.Wrap(apperr.Unavailable, err, "reading the stored export")
	}
	if int64(len(b)) != x.Size {
		return nil, apperr.E(apperr.Internal, "the stored export is not the size recorded when it was made")
	}
	return &priceExportFileOut{ContentType: "text/csv; charset=utf-8", ContentDisposition: `attachment; filename="` + x.Filename + `"`,
		Digest: x.SHA256, Body: b}, nil
}

// priceExportsPage is the export history with what the next export holds.
type priceExportsPage struct {
	Exports []contract.PriceExport
	Pending []contract.PriceChange
	Next    string
}

func (s *Server) renderPriceExports(w http.ResponseWriter, r *http.Request, p auth.Principal, status int, flash string, formErr error) error {
	pending, err := s.Workflow.PendingPriceChanges(r.Context(), p)
	if err != nil {
		return err
	}
	xs, next, err := s.Workflow.PriceExports(r.Context(), p, r.URL.Query().Get("cursor"), 50)
	if err != nil {
		return err
	}
	data := priceExportsPage{Exports: xs, Pending: pending}
	if next != "" {
		data.Next = withCursor(r.URL, next)
	}
	v := viewWithErr(View{Title: "Price exports for P21", Nav: "price-exports", Data: data, Flash: flash}, formErr)
	s.render(w, r, status, "contract_price_exports.html", v)
	return nil
}

func (s *Server) uiPriceExports(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	return s.renderPriceExports(w, r, p, http.StatusOK, r.URL.Query().Get("done"), nil)
}

func (s *Server) uiCreatePriceExport(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	x, err := s.Workflow.ExportPriceChanges(r.Context(), p)
	if apperr.Is(err, apperr.Conflict) {
		return s.renderPriceExports(w, r, p, http.StatusConflict, "", err)
	}
	if err != nil {
		return err
	}
	msg := "Exported " + strconv.Itoa(x.Count) + " approved price change"
	if x.Count != 1 {
		msg += "s"
	}
	msg += "; download the file below and import it into P21."
	http.Redirect(w, r, "/contracts/price-exports?done="+url.QueryEscape(msg), http.StatusSeeOther)
	return nil
}

// uiPriceExportFile sends an export's stored CSV.
func (s *Server) uiPriceExportFile(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	f, err := priceExportFile(r.Context(), s.Workflow, p, r.PathValue("id"))
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", f.ContentType)
	w.Header().Set("Content-Disposition", f.ContentDisposition)
	w.Header().Set("X-Content-SHA256", f.Digest)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	_, err = w.Write(f.Body)
	return err
}

// Operations of the price export API; routes.go registers them.
var (
	docCreatePriceExport = huma.Operation{Summary: "Export new approved price changes for P21", DefaultStatus: http.StatusCreated,
		Errors: []int{http.StatusNotFound, http.StatusConflict},
		Description: "Writes every approved price change (overridden PRICE_MISMATCH and COST_MISMATCH exception) that no earlier export " +
			"holds as a CSV with the field names of P21's purchase pricing page for a supplier item (company_id, purchase_pricing_book_id, " +
			"supplier_id, inv_mast_item_id, effective_date, expiration_date, pricing_description, contract_number, pricing_method, price, " +
			"purchase_pricing_unit; cells that start like a formula are prefixed with '), stores it write-once with its SHA-256 and " +
			"returns the export with the exceptions it holds. A change is exported once, even by two exports at the same moment. " +
			"409 when there is nothing new to export; 404 while the writeback feature is off."}
	docListPriceExports = featureDoc("List price exports", "Newest first: when, who, how many changes, the CSV's SHA-256. "+
		"404 while the writeback feature is off.")
	docGetPriceExport  = featureDoc("Get a price export", "With the overridden exceptions whose changes are its rows, in row order.")
	docPriceExportFile = featureDoc("Download a price export", "The CSV exactly as it was stored when the export was made; "+
		"X-Content-SHA256 is its digest.")
)

package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/contract"
	"github.com/vendorsync/vendorsync/internal/erp"
	"github.com/vendorsync/vendorsync/internal/registry"
)

// bulkThresholds are the confidences the bulk-approve bar offers.
var bulkThresholds = []string{"0.99", "0.95", "0.90", "0.85", "0.80"}

// mappingPage is the unmapped queue with its suggestions, the bulk
// approve bar and the approved mappings.
type mappingPage struct {
	Unmapped   []contract.Suggested
	Next       string
	Mappings   []contract.ItemMapping
	Vendors    map[string]string
	Active     []registry.Vendor
	VendorID   string
	Thresholds []string
}

func (s *Server) vendorNames(r *http.Request, p auth.Principal) (map[string]string, []registry.Vendor, error) {
	vs, _, err := s.Registry.ListVendors(r.Context(), p, registry.VendorFilter{Limit: 500})
	names := map[string]string{}
	for _, v := range vs {
		names[v.ID] = v.Name
	}
	return names, vs, err
}

func (s *Server) renderMapping(w http.ResponseWriter, r *http.Request, p auth.Principal, status int, flash string, formErr error) error {
	q := r.URL.Query()
	data := mappingPage{VendorID: q.Get("vendor_id"), Thresholds: bulkThresholds}
	var next string
	var err error
	if data.Unmapped, next, err = s.Mappings.Unmapped(r.Context(), p, contract.UnmappedFilter{VendorID: data.VendorID,
		Cursor: q.Get("cursor"), Limit: 25}); err != nil {
		return err
	}
	if next != "" {
		data.Next = withCursor(r.URL, next)
	}
	if data.Mappings, _, err = s.Mappings.Mappings(r.Context(), p, contract.MappingFilter{VendorID: data.VendorID, Limit: 100}); err != nil {
		return err
	}
	if data.Vendors, data.Active, err = s.vendorNames(r, p); err != nil {
		return err
	}
	v := viewWithErr(View{Title: "Item mapping", Nav: "item-mapping", Data: data, Flash: flash}, formErr)
	s.render(w, r, status, "contract_mapping.html", v)
	return nil
}

func (s *Server) uiMapping(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	return s.renderMapping(w, r, p, http.StatusOK, r.URL.Query().Get("done"), nil)
}

// afterMapping returns to the mapping page (keeping its vendor filter)
// with a note, or shows the form error on it.
func (s *Server) afterMapping(w http.ResponseWriter, r *http.Request, p auth.Principal, note string, err error) error {
	if formFailure(err) {
		return s.renderMapping(w, r, p, Status(err), "", err)
	}
	if err != nil {
		return err
	}
	target := "/contracts/mapping?done=" + url.QueryEscape(note)
	if v := r.FormValue("vendor_id"); v != "" {
		target += "&vendor_id=" + url.QueryEscape(v)
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
	return nil
}

// uiApproveMapping maps a vendor item: to a suggestion's ERP item, or to
// the ERP item whose number a person typed.
func (s *Server) uiApproveMapping(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	in := contract.MappingInput{ItemKey: contract.ItemKey{ItemNumber: r.FormValue("vendor_item_number"), UOM: r.FormValue("vendor_uom")},
		ERPItemID: r.FormValue("erp_item_id"), ERPUOM: r.FormValue("erp_uom"), FromSuggestion: r.FormValue("erp_item_id") != ""}
	if number := strings.TrimSpace(r.FormValue("erp_item_number")); in.ERPItemID == "" && number != "" {
		id, err := s.erpItemByNumber(r, p, number)
		if err != nil {
			return s.afterMapping(w, r, p, "", err)
		}
		in.ERPItemID = id
	}
	m, err := s.Mappings.Approve(r.Context(), p, in)
	return s.afterMapping(w, r, p, "Mapped "+m.ItemNumber+" ("+m.UOM+") to "+m.ERPItemNumber+".", err)
}

// erpItemByNumber finds the one ERP item with exactly this number.
func (s *Server) erpItemByNumber(r *http.Request, p auth.Principal, number string) (string, error) {
	svc, err := s.erp()
	if err != nil {
		return "", err
	}
	items, _, err := svc.ListItems(r.Context(), p, erp.ItemFilter{Query: number, Limit: 50})
	if err != nil {
		return "", err
	}
	for _, it := range items {
		if strings.EqualFold(it.ItemNumber, number) {
			return it.ID, nil
		}
	}
	return "", apperr.Invalidf("no ERP item is numbered %q; search the ERP items page", number)
}

func (s *Server) uiRejectMapping(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	err := s.Mappings.Reject(r.Context(), p, contract.ItemKey{ItemNumber: r.FormValue("vendor_item_number"), UOM: r.FormValue("vendor_uom")},
		r.FormValue("erp_item_id"))
	return s.afterMapping(w, r, p, "Suggestion rejected; it will not be proposed again.", err)
}

func (s *Server) uiBulkApprove(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	t, perr := strconv.ParseFloat(r.FormValue("threshold"), 64)
	if perr != nil {
		return s.afterMapping(w, r, p, "", apperr.Invalidf("choose a confidence threshold"))
	}
	res, err := s.Mappings.BulkApprove(r.Context(), p, r.FormValue("vendor_id"), t)
	return s.afterMapping(w, r, p, strconv.Itoa(res.Approved)+" mapping(s) approved; "+strconv.Itoa(res.Skipped)+
		" item(s) left for review.", err)
}

func (s *Server) uiDeleteMapping(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	err := s.Mappings.Unmap(r.Context(), p, r.PathValue("id"))
	if err != nil {
		return err
	}
	return s.afterMapping(w, r, p, "Mapping removed; the item is back in the unmapped queue.", nil)
}

// runsPage lists reconciliation runs.
type runsPage struct {
	Runs      []contract.Run
	Contracts map[string]string
	Next      string
	Rules     []contract.Rule
}

// Running reports whether a run on the page is still going, for refresh.
func (d runsPage) Running() bool {
	for _, r := range d.Runs {
		if r.Status == contract.RunQueued || r.Status == contract.RunRunning {
			return true
		}
	}
	return false
}

func (s *Server) uiRuns(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	q := r.URL.Query()
	runs, next, err := s.Reconciliation.Runs(r.Context(), p, contract.RunFilter{ContractID: q.Get("contract_id"), Cursor: q.Get("cursor")})
	if err != nil {
		return err
	}
	data := runsPage{Runs: runs, Contracts: s.runContracts(r, p, runs), Rules: contract.Rules}
	if next != "" {
		data.Next = withCursor(r.URL, next)
	}
	s.render(w, r, http.StatusOK, "contract_runs.html", View{Title: "Reconciliation runs", Nav: "recon-runs", Data: data,
		Flash: q.Get("done")})
	return nil
}

// runContracts is the number of each run's contract, by contract id.
func (s *Server) runContracts(r *http.Request, p auth.Principal, runs []contract.Run) map[string]string {
	out := map[string]string{}
	for _, run := range runs {
		if _, ok := out[run.ContractID]; !ok {
			if c, err := s.Contracts.Contract(r.Context(), p, run.ContractID); err == nil {
				out[run.ContractID] = c.Number
			}
		}
	}
	return out
}

// uiStartRun queues a manual run of a contract.
func (s *Server) uiStartRun(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	run, err := s.Reconciliation.Start(r.Context(), p, r.PathValue("id"))
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/contracts/runs?contract_id="+url.QueryEscape(run.ContractID)+"&done="+
		url.QueryEscape("Reconciliation queued; this page refreshes until it completes."), http.StatusSeeOther)
	return nil
}

package web

import (
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/contract"
	"github.com/vendorsync/vendorsync/internal/contract/contractdemo"
	"github.com/vendorsync/vendorsync/internal/contract/sheet"
	"github.com/vendorsync/vendorsync/internal/registry"
)

// contractsPage is the contract table.
type contractsPage struct {
	Contracts []contract.Contract
	Next      string
	// Overview and Chart are the dashboard above the first page.
	Overview *contract.Overview
	Chart    []statusBar
	// RunContracts names the recent runs' contracts, by id.
	RunContracts map[string]string
}

// statusBar is one bar of the exceptions-by-status chart: segments per
// severity, widths in percent of the longest bar.
type statusBar struct {
	contract.StatusTotal
	Segments []barSegment
}

type barSegment struct {
	Severity contract.Severity
	N        int
	X, W     float64 // percent of the chart's width
}

// statusChart lays out the overview's bars.
func statusChart(o contract.Overview) []statusBar {
	totals := o.StatusTotals()
	longest := 0
	for _, t := range totals {
		longest = max(longest, t.N)
	}
	out := make([]statusBar, 0, len(totals))
	for _, t := range totals {
		b := statusBar{StatusTotal: t}
		x := 0.0
		for _, seg := range []barSegment{{Severity: contract.SeverityHigh, N: t.High}, {Severity: contract.SeverityMedium, N: t.Medium}, {Severity: contract.SeverityLow, N: t.Low}} {
			if seg.N == 0 || longest == 0 {
				continue
			}
			seg.X, seg.W = x, 100*float64(seg.N)/float64(longest)
			x += seg.W
			b.Segments = append(b.Segments, seg)
		}
		out = append(out, b)
	}
	return out
}

func (s *Server) uiContracts(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	cs, next, err := s.Contracts.Contracts(r.Context(), p, contract.ContractFilter{VendorID: r.URL.Query().Get("vendor_id"),
		Cursor: r.URL.Query().Get("cursor")})
	if err != nil {
		return err
	}
	data := contractsPage{Contracts: cs}
	if next != "" {
		data.Next = withCursor(r.URL, next)
	}
	if r.URL.Query().Get("cursor") == "" {
		loc, err := s.Tickets.TenantLocation(r.Context(), p)
		if err != nil {
			return err
		}
		o, err := s.Reconciliation.Overview(r.Context(), p, time.Now().In(loc))
		if err != nil {
			return err
		}
		data.Overview, data.Chart, data.RunContracts = &o, statusChart(o), s.runContracts(r, p, o.RecentRuns)
	}
	s.render(w, r, http.StatusOK, "contracts.html", View{Title: "Contracts", Nav: "contracts", Data: data})
	return nil
}

// contractPage is one contract and a page of its lines.
type contractPage struct {
	Contract contract.Contract
	Lines    []contract.Line
	Next     string
}

func (s *Server) uiContract(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	c, err := s.Contracts.Contract(r.Context(), p, r.PathValue("id"))
	if err != nil {
		return err
	}
	lines, next, err := s.Contracts.Lines(r.Context(), p, c.ID, r.URL.Query().Get("cursor"), 100)
	if err != nil {
		return err
	}
	data := contractPage{Contract: c, Lines: lines}
	if next != "" {
		data.Next = withCursor(r.URL, next)
	}
	s.render(w, r, http.StatusOK, "contract.html", View{Title: "Contract " + c.Number, Nav: "contracts", Data: data})
	return nil
}

// contractFilesPage lists vendor files with the upload form.
type contractFilesPage struct {
	Files   []contract.File
	Vendors map[string]string
	Active  []registry.Vendor
	Next    string
}

func (s *Server) filesPage(r *http.Request, p auth.Principal) (contractFilesPage, error) {
	fs, next, err := s.Contracts.Files(r.Context(), p, contract.FileFilter{Cursor: r.URL.Query().Get("cursor")})
	if err != nil {
		return contractFilesPage{}, err
	}
	vs, _, err := s.Registry.ListVendors(r.Context(), p, registry.VendorFilter{Limit: 500})
	if err != nil {
		return contractFilesPage{}, err
	}
	data := contractFilesPage{Files: fs, Vendors: map[string]string{}, Active: vs}
	for _, v := range vs {
		data.Vendors[v.ID] = v.Name
	}
	if next != "" {
		data.Next = withCursor(r.URL, next)
	}
	return data, nil
}

func (s *Server) uiContractFiles(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	data, err := s.filesPage(r, p)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "contract_files.html", View{Title: "Vendor price files", Nav: "contracts", Data: data})
	return nil
}

// uiContractSampleFile sends the sample price file, dated around today,
// for a new user to try the upload with.
func (s *Server) uiContractSampleFile(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+contractdemo.SampleName+`"`)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	_, err := w.Write(contractdemo.SampleFile(time.Now()))
	return err
}

// uiUploadContractFile stores an uploaded price file and opens its
// preview; a refused file is shown with the reason on the files page.
func (s *Server) uiUploadContractFile(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	fail := func(status int, msg string) error {
		data, err := s.filesPage(r, p)
		if err != nil {
			return err
		}
		s.render(w, r, status, "contract_files.html", View{Title: "Vendor price files", Nav: "contracts", Data: data, Error: msg})
		return nil
	}
	file, hdr, err := r.FormFile("file")
	if err != nil {
		return fail(http.StatusUnprocessableEntity, "Choose a CSV or XLSX file.")
	}
	defer file.Close()
	b, err := io.ReadAll(io.LimitReader(file, contract.MaxFileBytes+1))
	if err != nil || len(b) > contract.MaxFileBytes {
		return fail(http.StatusRequestEntityTooLarge, "The file is larger than 25 MiB.")
	}
	f, dup, err := s.Contracts.Upload(r.Context(), p, r.FormValue("vendor_id"), hdr.Filename, b)
	if formFailure(err) {
		return fail(Status(err), uploadMessage(err))
	}
	if err != nil {
		return err
	}
	target := "/contracts/files/" + f.ID
	if dup {
		target += "?duplicate=1"
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
	return nil
}

// uploadMessage is a refused upload's reason with its fields.
func uploadMessage(err error) string {
	msg := apperr.MessageOf(err)
	for _, f := range apperr.FieldsOf(err) {
		msg += " — " + f.Field + " " + f.Message
	}
	return msg
}

// contractFilePage is one file: its status and counts, its preview with
// the mapping form while it awaits confirmation, and its row errors.
type contractFilePage struct {
	File      contract.File
	Vendor    string
	Duplicate bool
	Preview   *contract.Preview
	Fields    []fieldChoice
	RowErrors []contract.RowError
	Next      string
	// Start and End are the effective dates as typed in a confirmation
	// sent back for correction.
	Start, End string
}

// fieldChoice is one thing a column of a price file can hold, as the
// column mapping form offers it.
type fieldChoice struct {
	Field sheet.Field
	Label string
}

// fieldChoices are the column mapping form's options, in words.
var fieldChoices = func() []fieldChoice {
	label := map[sheet.Field]string{sheet.FieldItem: "Vendor item number", sheet.FieldDescription: "Description", sheet.FieldUOM: "Unit",
		sheet.FieldPrice: "Price", sheet.FieldCurrency: "Currency", sheet.FieldStart: "Effective from", sheet.FieldEnd: "Effective until",
		sheet.FieldContract: "Contract number"}
	out := make([]fieldChoice, 0, len(sheet.Fields))
	for _, f := range sheet.Fields {
		l := label[f]
		if l == "" {
			l = string(f)
		}
		out = append(out, fieldChoice{Field: f, Label: l})
	}
	return out
}()

// MissingLabels are the required fields no column is mapped to yet, in
// the words of the mapping form.
func (c contractFilePage) MissingLabels() []string {
	var out []string
	if c.Preview == nil {
		return out
	}
	for _, m := range c.Preview.Missing {
		l := string(m)
		for _, f := range c.Fields {
			if f.Field == m {
				l = strings.ToLower(f.Label)
			}
		}
		out = append(out, l)
	}
	return out
}

// Running reports whether the import is still going, for auto-refresh.
func (c contractFilePage) Running() bool {
	return c.File.Status == contract.FileQueued || c.File.Status == contract.FileImporting
}

func (s *Server) contractFileData(r *http.Request, p auth.Principal, id string) (contractFilePage, error) {
	f, err := s.Contracts.File(r.Context(), p, id)
	if err != nil {
		return contractFilePage{}, err
	}
	data := contractFilePage{File: f, Duplicate: r.URL.Query().Get("duplicate") == "1", Fields: fieldChoices}
	if v, err := s.Registry.Vendor(r.Context(), p, f.VendorID); err == nil {
		data.Vendor = v.Name
	}
	if f.Status == contract.FileUploaded || f.Status == contract.FileFailed {
		if pv, err := s.Contracts.Preview(r.Context(), p, f.ID); err == nil {
			data.Preview = &pv
		}
	}
	errs, next, err := s.Contracts.RowErrors(r.Context(), p, f.ID, r.URL.Query().Get("cursor"), 100)
	if err != nil {
		return contractFilePage{}, err
	}
	data.RowErrors = errs
	if next != "" {
		data.Next = withCursor(r.URL, next)
	}
	return data, nil
}

func (s *Server) uiContractFile(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	data, err := s.contractFileData(r, p, r.PathValue("id"))
	if err != nil {
		return err
	}
	v := View{Title: data.File.Filename, Nav: "contracts", Data: data}
	if data.Duplicate {
		v.Flash = "This file had been uploaded before (same SHA-256); here is the earlier upload."
	}
	s.render(w, r, http.StatusOK, "contract_file.html", v)
	return nil
}

// keepTyped puts what the person sent back into a confirmation form shown
// again for correction: their column choices, contract number and dates.
func keepTyped(data *contractFilePage, r *http.Request, c contract.Confirmation) {
	data.File.ContractNumber = r.FormValue("contract_number")
	data.Start, data.End = r.FormValue("effective_start"), r.FormValue("effective_end")
	if pv := data.Preview; pv != nil && pv.HeaderLine == c.HeaderLine && len(c.Mapping) == len(pv.Proposed) {
		pv.Proposed, pv.Missing, pv.Remembered = c.Mapping, c.Mapping.Missing(), false
	}
}

// uiConfirmContractFile reads the mapping form (col_0 … col_n) and queues
// the import.
func (s *Server) uiConfirmContractFile(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	id := r.PathValue("id")
	c := contract.Confirmation{ContractNumber: r.FormValue("contract_number")}
	c.HeaderLine, _ = strconv.Atoi(r.FormValue("header_line"))
	n, _ := strconv.Atoi(r.FormValue("columns"))
	for i := 0; i < n && i < sheet.DefaultLimits.Columns; i++ {
		c.Mapping = append(c.Mapping, sheet.Field(r.FormValue(fmt.Sprintf("col_%d", i))))
	}
	var bad []string
	for name, dst := range map[string]**time.Time{"effective_start": &c.EffectiveStart, "effective_end": &c.EffectiveEnd} {
		if v := strings.TrimSpace(r.FormValue(name)); v != "" {
			d, err := time.Parse(time.DateOnly, v)
			if err != nil {
				bad = append(bad, name+" is not a date")
				continue
			}
			*dst = &d
		}
	}
	var err error
	if len(bad) > 0 {
		err = apperr.Invalidf("%s", strings.Join(bad, "; "))
	} else {
		_, err = s.Contracts.Confirm(r.Context(), p, id, c)
	}
	if formFailure(err) {
		data, derr := s.contractFileData(r, p, id)
		if derr != nil {
			return derr
		}
		keepTyped(&data, r, c)
		s.render(w, r, Status(err), "contract_file.html", View{Title: data.File.Filename, Nav: "contracts", Data: data, Error: uploadMessage(err)})
		return nil
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/contracts/files/"+id, http.StatusSeeOther)
	return nil
}

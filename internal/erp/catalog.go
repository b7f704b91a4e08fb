package erp

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode"

	"github.com/shopspring/decimal"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/audit"
	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/contract/sheet"
)

// catalogBatch is how many rows an import stores per transaction.
const catalogBatch = 1000

// maxRowErrors bounds the row errors an import reports.
const maxRowErrors = 100

// CatalogRowError is a catalog row that was not imported, by its line number.
type CatalogRowError struct {
	Line   int    `json:"line"`
	Reason string `json:"reason"`
}

// ImportResult is what a catalog import did.
type ImportResult struct {
	Rows      int               `json:"rows" doc:"Data rows read."`
	Items     int               `json:"items" doc:"Item rows stored (new or updated)."`
	UOMs      int               `json:"uoms"`
	Suppliers int               `json:"suppliers"`
	Errors    []CatalogRowError `json:"errors" nullable:"false" doc:"Rows not imported, with why; the other rows are."`
	// Truncated says more rows failed than Errors lists.
	Truncated bool `json:"errors_truncated,omitempty"`
}

// catalogColumns maps header names (lower case, spaces and punctuation
// dropped) to the catalog's fields.
var catalogColumns = map[string]string{
	"itemnumber": "item", "itemid": "item", "item": "item", "sku": "item", "partnumber": "item",
	"description": "desc", "itemdesc": "desc", "desc": "desc",
	"baseuom": "uom", "uom": "uom", "unit": "uom", "um": "uom", "unitofmeasure": "uom",
	"listprice": "price", "price": "price",
	"active": "active", "status": "active",
	"supplierid": "supplier", "supplier": "supplier", "vendor": "supplier", "vendorid": "supplier",
	"supplierpartno": "part", "supplierpartnumber": "part", "vendorpartnumber": "part", "mfrpartno": "part",
	"cost": "cost", "suppliercost": "cost", "unitcost": "cost",
	"altuom": "altuom", "conversionuom": "altuom",
	"factor": "factor", "conversionfactor": "factor", "unitsize": "factor",
}

func headerKey(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return catalogColumns[b.String()]
}

// ImportCatalog reads a catalog, CSV or XLSX (read as vendor files are:
// any delimiter and encoding, the first sheet, within the same limits),
// into a CSV connector's items: a header row naming at least the item
// number, then one row per item (a row may
// repeat an item to add a unit conversion or a supplier part). Columns:
// item_number, description, base_uom, list_price, active (Y/N, true/false,
// active/inactive), supplier_id, supplier_part_no, cost, alt_uom and factor
// (how many base units one alt_uom holds). Amounts are plain decimals
// ("1234.50", a leading $ and thousands commas are dropped). A bad row is
// reported with its line number; the good rows are imported.
func (s *Service) ImportCatalog(ctx context.Context, p auth.Principal, id string, r io.Reader) (ImportResult, error) {
	if err := p.Require(auth.PermManageERP); err != nil {
		return ImportResult{}, err
	}
	c, err := s.Store.ERPConnector(ctx, p.TenantID, id)
	if err != nil {
		return ImportResult{}, fmt.Errorf("erp.ImportCatalog %s: %w", id, err)
	}
	if c.Provider != CSVCatalog {
		return ImportResult{}, apperr.E(apperr.Conflict, "only a CSV catalog connector imports files; this one syncs from its ERP")
	}
	in := bufio.NewReader(r)
	head, _ := in.Peek(4096) // a shorter file is all there is
	kind, err := sheet.Detect(head)
	if err != nil {
		return ImportResult{}, err
	}
	rd, err := sheet.Open(in, kind, sheet.DefaultLimits)
	if err != nil {
		return ImportResult{}, err
	}
	defer rd.Close()
	// The header is the first row naming an item number column, within
	// the rows a title block may take above it.
	var cols map[string]int
	for scanned := 0; cols == nil; scanned++ {
		row, err := rd.Next()
		if errors.Is(err, io.EOF) || scanned == sheet.HeaderScanRows {
			return ImportResult{}, apperr.Invalidf("the header names no item number column (item_number, item_id, sku or part number)")
		}
		if err != nil && !sheet.IsRowError(err) {
			return ImportResult{}, err
		}
		if err == nil {
			cols = catalogHeader(row.Cells)
		}
	}
	if err := s.Store.StartERPSync(ctx, p.TenantID, id, true, s.now()); err != nil {
		return ImportResult{}, err
	}
	sink := &storeSink{ctx: ctx, store: s.Store, tenantID: p.TenantID, connectorID: id, at: s.now()}
	res := ImportResult{Errors: []CatalogRowError{}}
	var items []Item
	var uoms []UOM
	var parts []SupplierPart
	flush := func() error {
		if err := sink.Items(items); err != nil {
			return err
		}
		if err := sink.UOMs(uoms); err != nil {
			return err
		}
		if err := sink.Suppliers(parts); err != nil {
			return err
		}
		items, uoms, parts = items[:0], uoms[:0], parts[:0]
		return nil
	}
	for {
		row, err := rd.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil && !sheet.IsRowError(err) {
			return res, s.failImport(ctx, p, id, err)
		}
		line := row.Line
		res.Rows++
		var it Item
		var u *UOM
		var sp *SupplierPart
		if err == nil {
			it, u, sp, err = catalogRow(row.Cells, cols)
		}
		if err != nil {
			var re *sheet.RowError
			if errors.As(err, &re) {
				line, err = re.Line, errors.New(re.Reason)
			}
			if len(res.Errors) < maxRowErrors {
				res.Errors = append(res.Errors, CatalogRowError{Line: line, Reason: err.Error()})
			} else {
				res.Truncated = true
			}
			continue
		}
		items = append(items, it)
		res.Items++
		if u != nil {
			uoms = append(uoms, *u)
			res.UOMs++
		}
		if sp != nil {
			parts = append(parts, *sp)
			res.Suppliers++
		}
		if len(items) >= catalogBatch {
			if err := flush(); err != nil {
				return res, s.failImport(ctx, p, id, err)
			}
		}
	}
	if err := flush(); err != nil {
		return res, s.failImport(ctx, p, id, err)
	}
	ev := audit.Record(p, "erp_connector.catalog_imported", "erp_connector", id, nil,
		map[string]int{"rows": res.Rows, "items": res.Items, "errors": len(res.Errors)})
	if err := s.Store.FinishERPSync(ctx, p.TenantID, id, s.now(), "", nil, ev); err != nil {
		return res, err
	}
	return res, nil
}

// catalogHeader maps a row's cells to the catalog's fields, nil when no
// cell names the item number.
func catalogHeader(cells []string) map[string]int {
	cols := map[string]int{}
	for i, h := range cells {
		if k := headerKey(h); k != "" {
			if _, dup := cols[k]; !dup {
				cols[k] = i
			}
		}
	}
	if _, ok := cols["item"]; !ok {
		return nil
	}
	return cols
}

func (s *Service) failImport(ctx context.Context, p auth.Principal, id string, err error) error {
	ev := audit.Record(p, "erp_connector.catalog_failed", "erp_connector", id, nil, map[string]string{"error": apperr.MessageOf(err)})
	if ferr := s.Store.FinishERPSync(context.WithoutCancel(ctx), p.TenantID, id, s.now(), apperr.MessageOf(err), nil, ev); ferr != nil {
		return fmt.Errorf("erp.ImportCatalog %s: %w (recording it: %v)", id, err, ferr)
	}
	return fmt.Errorf("erp.ImportCatalog %s: %w", id, err)
}

// catalogRow reads one data row.
func catalogRow(rec []string, cols map[string]int) (Item, *UOM, *SupplierPart, error) {
	get := func(k string) string {
		if i, ok := cols[k]; ok && i < len(rec) {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	it := Item{ItemNumber: get("item"), Description: get("desc"), BaseUOM: strings.ToUpper(get("uom")), Active: true}
	if it.ItemNumber == "" {
		return it, nil, nil, errors.New("the item number is empty")
	}
	if len(it.ItemNumber) > 200 || len(it.Description) > 2000 {
		return it, nil, nil, errors.New("the item number or description is too long")
	}
	it.ExternalID = it.ItemNumber
	var err error
	if it.ListPrice, err = amount(get("price"), "list price"); err != nil {
		return it, nil, nil, err
	}
	switch strings.ToLower(get("active")) {
	case "", "y", "yes", "true", "1", "active":
	case "n", "no", "false", "0", "inactive", "deleted":
		it.Active = false
	default:
		return it, nil, nil, fmt.Errorf("active %q is not Y or N", get("active"))
	}
	var u *UOM
	if alt := strings.ToUpper(get("altuom")); alt != "" {
		f, err := amount(get("factor"), "factor")
		if err != nil || f == nil || !f.IsPositive() {
			return it, nil, nil, fmt.Errorf("unit %s needs a positive factor", alt)
		}
		u = &UOM{ItemExternalID: it.ExternalID, UOM: alt, Factor: *f}
	}
	var sp *SupplierPart
	if part := get("part"); part != "" {
		cost, err := amount(get("cost"), "cost")
		if err != nil {
			return it, nil, nil, err
		}
		sp = &SupplierPart{ItemExternalID: it.ExternalID, SupplierID: get("supplier"), PartNumber: part, Cost: cost, UOM: it.BaseUOM}
	}
	return it, u, sp, nil
}

// amount reads a plain decimal amount; nil when empty.
func amount(s, what string) (*decimal.Decimal, error) {
	s = strings.ReplaceAll(strings.TrimPrefix(strings.TrimSpace(s), "$"), ",", "")
	if s == "" {
		return nil, nil
	}
	d, err := decimal.NewFromString(s)
	if err != nil {
		return nil, fmt.Errorf("%s %q is not a number", what, s)
	}
	return &d, nil
}

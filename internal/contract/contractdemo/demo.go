// Package contractdemo loads the contracts module's demo: an ERP catalog
// imported from a CSV file and two vendors' price files, imported, mapped
// and reconciled so that every rule has something to show — unknown
// items, units the ERP cannot convert, prices beyond the tolerance, an
// expired line and items the ERP has retired. The files ship in the
// binary.
package contractdemo

import (
	"bytes"
	"context"
	"embed"
	"fmt"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/contract"
	"github.com/vendorsync/vendorsync/internal/erp"
	"github.com/vendorsync/vendorsync/internal/registry"
)

//go:embed data/*.csv
var data embed.FS

// CatalogName is the demo ERP connector's name.
const CatalogName = "Demo ERP catalog (CSV)"

// Vendor is one demo vendor and its price file.
type Vendor struct {
	Vendor   registry.Vendor
	File     string // file name under data/
	Contract string // contract number
}

// Vendors are the demo's two suppliers.
var Vendors = []Vendor{
	{Vendor: registry.Vendor{Name: "Midwest Fastener Supply", Tier: registry.Tier2, EmailDomains: []string{"midwestfastener.example"},
		Notes: "Fasteners and anchors. Sends its price list as a CSV every January."},
		File: "midwest_fastener.csv", Contract: "MFS-2026-PL"},
	{Vendor: registry.Vendor{Name: "Allied Safety & Janitorial", Tier: registry.Tier3, EmailDomains: []string{"alliedsafety.example"},
		Notes: "Gloves, eye and ear protection, janitorial paper. The price list has a title block above its header."},
		File: "allied_safety.csv", Contract: "ASJ-2026-114"},
}

// SampleName is the file name of the sample price file.
const SampleName = "sample-price-update.csv"

// SampleFile returns the sample price file a new user can download from
// the upload page: Midwest's mid-year update, priced against the demo
// catalog, with a title block above its header. Once its part numbers
// are mapped and it is reconciled, it raises each of the five rules —
// prices beyond a 2% tolerance, a case the ERP cannot convert, a retired
// item, an unknown part, a line that ended — and one row is an error (a
// price that is not a number).
func SampleFile(today time.Time) []byte {
	b, err := PriceFile("sample_price_update.csv", today)
	if err != nil {
		panic(err) // embedded at build time
	}
	return b
}

// Catalog returns the demo ERP catalog as CSV.
func Catalog() []byte {
	b, err := data.ReadFile("data/erp_catalog.csv")
	if err != nil {
		panic(err) // embedded at build time
	}
	return b
}

// PriceFile returns a demo vendor's price file with its dates set around
// today: lines in force from January 1 (the Allied list ends in three
// weeks, so its contract shows as expiring soon) and one line per file
// that ended two months ago.
func PriceFile(name string, today time.Time) ([]byte, error) {
	b, err := data.ReadFile("data/" + name)
	if err != nil {
		return nil, fmt.Errorf("contractdemo: no demo file %s", name)
	}
	today = time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, time.UTC)
	jan1 := time.Date(today.Year(), 1, 1, 0, 0, 0, 0, time.UTC)
	d := func(t time.Time) string { return t.Format(time.DateOnly) }
	r := strings.NewReplacer(
		"{{START}}", d(jan1.AddDate(0, 0, -30)),
		"{{END}}", d(time.Date(today.Year()+1, 12, 31, 0, 0, 0, 0, time.UTC)),
		"{{SOON}}", d(today.AddDate(0, 0, 21)),
		"{{OLDSTART}}", d(jan1.AddDate(-1, 0, 0)),
		"{{EXPIRED}}", d(today.AddDate(0, -2, 0)),
	)
	return []byte(r.Replace(string(b))), nil
}

// Services are what loading the demo uses.
type Services struct {
	Registry       *registry.Service
	ERP            *erp.Service
	Contracts      *contract.Service
	Mappings       *contract.MappingService
	Reconciliation *contract.ReconciliationService
}

// Result says what Load did; Loaded is false when the tenant already has
// an ERP connector and nothing was touched.
type Result struct {
	Loaded     bool
	Items      int
	Contracts  int
	Lines      int
	Mapped     int
	Exceptions int
}

// String summarises the result for the operator.
func (r Result) String() string {
	if !r.Loaded {
		return "the tenant already has an ERP connector; nothing loaded"
	}
	return fmt.Sprintf("loaded %d ERP items, %d contracts with %d lines, %d mappings approved and %d exceptions",
		r.Items, r.Contracts, r.Lines, r.Mapped, r.Exceptions)
}

// bulkThreshold approves the demo's part-number matches (an exact
// supplier part number, even with a unit the ERP cannot convert or an
// inactive item) and leaves description-only hints to a person.
const bulkThreshold = 0.8

// tolerancePercent is the demo tenant's default price tolerance.
var tolerancePercent = decimal.NewFromInt(2)

// Load fills a tenant without ERP connectors with the demo: the catalog
// as a CSV connector, the two vendors (reused when the registry has them
// by name), their files uploaded, confirmed and imported, the part-number
// matches approved, a 2% price tolerance, and a reconciliation run of each
// contract. Running it again does nothing.
func Load(ctx context.Context, s Services, p auth.Principal, today time.Time) (Result, error) {
	var res Result
	conns, err := s.ERP.List(ctx, p)
	if err != nil {
		return res, fmt.Errorf("contractdemo: %w", err)
	}
	if len(conns) > 0 {
		return res, nil
	}
	conn, err := s.ERP.Create(ctx, p, erp.Input{Name: CatalogName, Provider: erp.CSVCatalog})
	if err != nil {
		return res, fmt.Errorf("contractdemo: connector: %w", err)
	}
	imp, err := s.ERP.ImportCatalog(ctx, p, conn.ID, bytes.NewReader(Catalog()))
	if err != nil {
		return res, fmt.Errorf("contractdemo: catalog: %w", err)
	}
	res.Loaded, res.Items = true, imp.Items
	if _, err := s.Reconciliation.SetTolerance(ctx, p, contract.Tolerance{Percent: &tolerancePercent}); err != nil {
		return res, fmt.Errorf("contractdemo: tolerance: %w", err)
	}
	var contracts []string
	for _, dv := range Vendors {
		v, err := vendor(ctx, s.Registry, p, dv.Vendor)
		if err != nil {
			return res, err
		}
		f, err := importFile(ctx, s.Contracts, p, v.ID, dv, today)
		if err != nil {
			return res, err
		}
		res.Contracts++
		res.Lines += f.LinesImported
		contracts = append(contracts, f.ContractID)
		bulk, err := s.Mappings.BulkApprove(ctx, p, v.ID, bulkThreshold)
		if err != nil {
			return res, fmt.Errorf("contractdemo: mappings of %s: %w", v.Name, err)
		}
		res.Mapped += bulk.Approved
	}
	for _, id := range contracts {
		r, err := s.Reconciliation.Start(ctx, p, id)
		if err != nil {
			return res, fmt.Errorf("contractdemo: reconciliation: %w", err)
		}
		// Run it now so the demo opens on its exceptions; the queued job
		// finds it done.
		if err := s.Reconciliation.Run(ctx, p.TenantID, r.ID); err != nil {
			return res, fmt.Errorf("contractdemo: reconciliation: %w", err)
		}
		if r, err = s.Reconciliation.GetRun(ctx, p, r.ID); err != nil {
			return res, fmt.Errorf("contractdemo: reconciliation: %w", err)
		}
		if r.Status != contract.RunCompleted {
			return res, fmt.Errorf("contractdemo: reconciliation run %s: %s", r.Status, r.Error)
		}
		res.Exceptions += r.Opened
	}
	return res, nil
}

// vendor finds the demo vendor by name or creates it.
func vendor(ctx context.Context, reg *registry.Service, p auth.Principal, in registry.Vendor) (registry.Vendor, error) {
	vs, _, err := reg.ListVendors(ctx, p, registry.VendorFilter{Query: in.Name, IncludeInactive: true, Limit: 20})
	if err != nil {
		return registry.Vendor{}, fmt.Errorf("contractdemo: %w", err)
	}
	for _, v := range vs {
		if strings.EqualFold(v.Name, in.Name) {
			return v, nil
		}
	}
	v, err := reg.CreateVendor(ctx, p, in)
	if err != nil {
		return registry.Vendor{}, fmt.Errorf("contractdemo: vendor %s: %w", in.Name, err)
	}
	return v, nil
}

// importFile uploads a demo price file, confirms the mapping the preview
// proposes and imports it.
func importFile(ctx context.Context, cs *contract.Service, p auth.Principal, vendorID string, dv Vendor, today time.Time) (contract.File, error) {
	b, err := PriceFile(dv.File, today)
	if err != nil {
		return contract.File{}, err
	}
	f, _, err := cs.Upload(ctx, p, vendorID, dv.File, b)
	if err != nil {
		return f, fmt.Errorf("contractdemo: upload %s: %w", dv.File, err)
	}
	pv, err := cs.Preview(ctx, p, f.ID)
	if err != nil {
		return f, fmt.Errorf("contractdemo: preview %s: %w", dv.File, err)
	}
	if _, err := cs.Confirm(ctx, p, f.ID, contract.Confirmation{HeaderLine: pv.HeaderLine, Mapping: pv.Proposed,
		ContractNumber: dv.Contract}); err != nil {
		return f, fmt.Errorf("contractdemo: confirm %s: %w", dv.File, err)
	}
	if err := cs.Import(ctx, p.TenantID, f.ID); err != nil {
		return f, fmt.Errorf("contractdemo: import %s: %w", dv.File, err)
	}
	if f, err = cs.File(ctx, p, f.ID); err != nil {
		return f, fmt.Errorf("contractdemo: import %s: %w", dv.File, err)
	}
	if f.Status != contract.FileImported {
		return f, fmt.Errorf("contractdemo: import %s: %s %s", dv.File, f.Status, f.Error)
	}
	return f, nil
}

package contract_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/charmap"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/audit"
	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/blob"
	"github.com/vendorsync/vendorsync/internal/contract"
	"github.com/vendorsync/vendorsync/internal/contract/sheet"
	"github.com/vendorsync/vendorsync/internal/jobs"
	"github.com/vendorsync/vendorsync/internal/registry"
	"github.com/vendorsync/vendorsync/internal/sqlstore"
	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
)

// fixture is two tenants, a vendor of the first, and the contracts
// service on a real store, blob directory and insert-only job queue.
type fixture struct {
	db           *sqlstore.DB
	svc          *contract.Service
	admin, other auth.Principal
	vendor       registry.Vendor
}

func newFixture(t testing.TB, db *sqlstore.DB) *fixture {
	t.Helper()
	ctx := context.Background()
	if _, err := jobs.New(db, jobs.Config{}); err != nil {
		t.Fatal(err)
	}
	blobs, err := blob.Open(ctx, "", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{db: db, svc: &contract.Service{Store: db, Blobs: blobs}}
	as := &auth.Service{Store: db, Keys: db.Keys}
	for i, p := range []*auth.Principal{&f.admin, &f.other} {
		b, err := as.CreateTenant(ctx, fmt.Sprintf("t%d", i), fmt.Sprintf("Tenant %d", i), fmt.Sprintf("admin@t%d.test", i))
		if err != nil {
			t.Fatal(err)
		}
		*p = b.Admin.Principal()
	}
	reg := &registry.Service{Store: db}
	if f.vendor, err = reg.CreateVendor(ctx, f.admin, registry.Vendor{Name: "Acme Industrial", Tier: registry.Tier1}); err != nil {
		t.Fatal(err)
	}
	return f
}

// importFile uploads data, confirms the proposed mapping and runs the
// import as its job would.
func (f *fixture) importFile(t testing.TB, name string, data []byte, c contract.Confirmation) contract.File {
	t.Helper()
	ctx := context.Background()
	up, _, err := f.svc.Upload(ctx, f.admin, f.vendor.ID, name, data)
	if err != nil {
		t.Fatal(err)
	}
	pv, err := f.svc.Preview(ctx, f.admin, up.ID)
	if err != nil {
		t.Fatal(err)
	}
	if c.Mapping == nil {
		c.HeaderLine, c.Mapping = pv.HeaderLine, pv.Proposed
	}
	if _, err := f.svc.Confirm(ctx, f.admin, up.ID, c); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.Import(ctx, f.admin.TenantID, up.ID); err != nil {
		t.Fatal(err)
	}
	out, err := f.svc.File(ctx, f.admin, up.ID)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

const priceList = "Acme Industrial Supply — contract price list\r\n" +
	"\r\n" +
	"Part #;Description;U/M;Net Price;Eff. Date;Expires\r\n" +
	"A-100;Hex bolt M8 « zinc »;each;1,50;01.01.2026;31.12.2026\r\n" +
	"A-200;Washer;Box;1.234,5;01.01.2026;31.12.2026\r\n" +
	"A-300;Nut;barrel;2,00;01.01.2026;31.12.2026\r\n" +
	"A-400;=HYPERLINK(\"http://evil.example\",\"x\");CS;3,25;01.01.2026;30.06.2027\r\n" +
	"A-500;Pin;EA;=1+2;01.01.2026;31.12.2026\r\n" +
	"A-600;Clip;DZ;0,75;01.03.2026;01.02.2026\r\n"

func TestUploadPreviewConfirmImport(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		data, err := charmap.Windows1252.NewEncoder().Bytes([]byte(priceList))
		if err != nil {
			t.Fatal(err)
		}
		up, dup, err := f.svc.Upload(ctx, f.admin, f.vendor.ID, "../acme 2026.csv", data)
		if err != nil || dup {
			t.Fatalf("upload: %v (duplicate %v)", err, dup)
		}
		if up.Status != contract.FileUploaded || up.Type != sheet.CSV || up.SHA256 != blob.SHA256(data) || up.Filename != "acme 2026.csv" {
			t.Fatalf("uploaded %+v", up)
		}
		again, dup, err := f.svc.Upload(ctx, f.admin, f.vendor.ID, "copy.csv", data)
		if err != nil || !dup || again.ID != up.ID {
			t.Fatalf("re-upload: %v, duplicate %v, id %s want %s", err, dup, again.ID, up.ID)
		}

		pv, err := f.svc.Preview(ctx, f.admin, up.ID)
		if err != nil {
			t.Fatal(err)
		}
		wantMap := sheet.Mapping{sheet.FieldItem, sheet.FieldDescription, sheet.FieldUOM, sheet.FieldPrice, sheet.FieldStart, sheet.FieldEnd}
		if pv.HeaderLine != 3 || !cmp.Equal(pv.Proposed, wantMap) || len(pv.Missing) != 0 || len(pv.Sample) != 6 || pv.Sample[0][1] != "Hex bolt M8 « zinc »" {
			t.Fatalf("preview %+v", pv)
		}

		if _, err := f.svc.Confirm(ctx, f.admin, up.ID, contract.Confirmation{HeaderLine: 3, Mapping: sheet.Mapping{sheet.FieldItem}}); !apperr.Is(err, apperr.Invalid) {
			t.Fatalf("confirm without price and unit: %v", err)
		}
		if _, err := f.svc.Confirm(ctx, f.other, up.ID, contract.Confirmation{HeaderLine: 3, Mapping: wantMap}); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("another tenant confirmed: %v", err)
		}
		conf, err := f.svc.Confirm(ctx, f.admin, up.ID, contract.Confirmation{HeaderLine: 3, Mapping: wantMap, ContractNumber: "ACME-2026"})
		if err != nil || conf.Status != contract.FileQueued {
			t.Fatalf("confirm: %v %+v", err, conf)
		}
		if err := f.svc.Import(ctx, f.admin.TenantID, up.ID); err != nil {
			t.Fatal(err)
		}
		done, err := f.svc.File(ctx, f.admin, up.ID)
		if err != nil {
			t.Fatal(err)
		}
		if done.Status != contract.FileImported || done.RowsRead != 6 || done.LinesImported != 3 || done.RowsFailed != 3 || done.ContractID == "" {
			t.Fatalf("imported %+v", done)
		}
		if _, err := f.svc.Confirm(ctx, f.admin, up.ID, contract.Confirmation{HeaderLine: 3, Mapping: wantMap}); !apperr.Is(err, apperr.Conflict) {
			t.Fatalf("confirming an imported file again: %v", err)
		}

		errs, _, err := f.svc.RowErrors(ctx, f.admin, up.ID, "", 0)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, e := range errs {
			got = append(got, fmt.Sprintf("%d %s %s", e.Line, e.Column, e.Reason))
		}
		want := []string{
			`6 C the unit of measure "barrel" is not known; add it as a unit alias`,
			`8 D the price "=1+2" is not a number`,
			`9 F the line expires before it takes effect`,
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("row errors (-want +got):\n%s", diff)
		}

		c, err := f.svc.Contract(ctx, f.admin, done.ContractID)
		if err != nil {
			t.Fatal(err)
		}
		if c.Number != "ACME-2026" || c.VendorName != "Acme Industrial" || c.LineCount != 3 ||
			c.EffectiveStart.Format("2006-01-02") != "2026-01-01" || c.EffectiveEnd.Format("2006-01-02") != "2027-06-30" {
			t.Fatalf("contract %+v", c)
		}
		lines, next, err := f.svc.Lines(ctx, f.admin, c.ID, "", 2)
		if err != nil || next == "" || len(lines) != 2 {
			t.Fatalf("lines page 1: %v %q %d", err, next, len(lines))
		}
		rest, next2, err := f.svc.Lines(ctx, f.admin, c.ID, next, 2)
		if err != nil || next2 != "" || len(rest) != 1 {
			t.Fatalf("lines page 2: %v %q %d", err, next2, len(rest))
		}
		lines = append(lines, rest...)
		var summary []string
		for _, l := range lines {
			summary = append(summary, fmt.Sprintf("%d %s %s %s %s", l.LineNumber, l.ItemNumber, l.UOM, l.Price.StringFixed(4), l.Description))
		}
		if diff := cmp.Diff([]string{"4 A-100 EA 1.5000 Hex bolt M8 « zinc »", "5 A-200 BX 1234.5000 Washer",
			`7 A-400 CS 3.2500 =HYPERLINK("http://evil.example","x")`}, summary); diff != "" {
			t.Errorf("lines (-want +got):\n%s", diff)
		}
		if _, err := f.svc.Contract(ctx, f.other, c.ID); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("another tenant read the contract: %v", err)
		}
		if list, _, err := f.svc.Contracts(ctx, f.other, contract.ContractFilter{}); err != nil || len(list) != 0 {
			t.Errorf("another tenant lists %d contracts (%v)", len(list), err)
		}
		entries, _, err := db.ListAudit(ctx, f.admin.TenantID, audit.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		actions := map[string]bool{}
		for _, e := range entries {
			actions[e.Action] = true
		}
		for _, a := range []string{"vendor_file.upload", "vendor_file.confirm_mapping", "vendor_contract.import"} {
			if !actions[a] {
				t.Errorf("no audit row %s", a)
			}
		}
	})
}

func TestMappingRememberedPerVendor(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		first := "Ref,Cost,Pack\nX1,1.00,EA\n"
		m := sheet.Mapping{sheet.FieldItem, sheet.FieldPrice, sheet.FieldUOM}
		done := f.importFile(t, "first.csv", []byte(first), contract.Confirmation{HeaderLine: 1, Mapping: m})
		if done.Status != contract.FileImported || done.LinesImported != 1 {
			t.Fatalf("first file %+v", done)
		}
		up, _, err := f.svc.Upload(ctx, f.admin, f.vendor.ID, "second.csv", []byte("Notes,Pack,REF,Cost\nx,BX,Y2,2.50\n"))
		if err != nil {
			t.Fatal(err)
		}
		pv, err := f.svc.Preview(ctx, f.admin, up.ID)
		if err != nil {
			t.Fatal(err)
		}
		want := sheet.Mapping{sheet.FieldIgnore, sheet.FieldUOM, sheet.FieldItem, sheet.FieldPrice}
		if !pv.Remembered || !cmp.Equal(want, pv.Proposed) {
			t.Fatalf("proposed %v (remembered %v), want %v", pv.Proposed, pv.Remembered, want)
		}
	})
}

func TestXLSXImport(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		f := newFixture(t, db)
		x := excelize.NewFile()
		for i, r := range [][]any{{"Acme"}, {"Mfr Part No", "Description", "UOM", "Unit Cost", "Eff. Date", "Contract #"},
			{"B-1", "Glove", "PR", 12.345, 46023, "K-77"}, {"B-2", "Tape", "RL", "$4.10", "2026-02-01", "K-77"}} {
			if err := x.SetSheetRow("Sheet1", fmt.Sprintf("A%d", i+1), &r); err != nil {
				t.Fatal(err)
			}
		}
		var b bytes.Buffer
		if err := x.Write(&b); err != nil {
			t.Fatal(err)
		}
		done := f.importFile(t, "acme.xlsx", b.Bytes(), contract.Confirmation{})
		if done.Status != contract.FileImported || done.LinesImported != 2 || done.RowsFailed != 0 || done.HeaderLine != 2 {
			t.Fatalf("imported %+v", done)
		}
		c, err := f.svc.Contract(context.Background(), f.admin, done.ContractID)
		if err != nil || c.Number != "K-77" || c.EffectiveStart.Format("2006-01-02") != "2026-01-01" {
			t.Fatalf("contract %+v %v", c, err)
		}
		lines, _, _ := f.svc.Lines(context.Background(), f.admin, c.ID, "", 0)
		if len(lines) != 2 || lines[0].Price.String() != "12.345" || lines[1].Price.String() != "4.1" {
			t.Fatalf("lines %+v", lines)
		}
	})
}

func TestBadFilesRefused(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		for name, tc := range map[string]struct {
			data []byte
			msg  string
		}{
			"pdf":         {[]byte("%PDF-1.4\n..."), "PDF"},
			"binary":      {[]byte{0x7f, 'E', 'L', 'F', 0, 1, 2}, "neither CSV"},
			"empty":       {nil, "empty"},
			"too large":   {bytes.Repeat([]byte("a,b\n"), contract.MaxFileBytes/4+1), "larger than 25 MiB"},
			"not a table": {[]byte("PK\x03\x04garbage"), "not a readable ZIP"},
		} {
			_, _, err := f.svc.Upload(ctx, f.admin, f.vendor.ID, name, tc.data)
			if !apperr.Is(err, apperr.Invalid) || !strings.Contains(fmt.Sprint(err, apperr.FieldsOf(err)), tc.msg) {
				t.Errorf("%s: %v %v, want invalid saying %q", name, err, apperr.FieldsOf(err), tc.msg)
			}
		}
		if list, _, _ := f.svc.Files(ctx, f.admin, contract.FileFilter{}); len(list) != 0 {
			t.Errorf("%d refused files were stored", len(list))
		}
		if _, _, err := f.svc.Upload(ctx, f.admin, "no-such-vendor", "x.csv", []byte("a,b\n")); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("unknown vendor: %v", err)
		}
		viewer := f.admin
		viewer.Role = auth.RoleViewer
		if _, _, err := f.svc.Upload(ctx, viewer, f.vendor.ID, "x.csv", []byte("a,b\n")); !apperr.Is(err, apperr.Forbidden) {
			t.Errorf("a viewer uploaded: %v", err)
		}
	})
}

func TestImportRefusedPartWayKeepsNoContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		f := newFixture(t, db)
		var b strings.Builder
		b.WriteString("Item,UOM,Price\n")
		for i := range 60 {
			fmt.Fprintf(&b, "I-%d,EA,%d.00\n", i, i+1)
		}
		b.WriteString("X,EA," + strings.Repeat("9", 2<<20) + "\n")
		done := f.importFile(t, "long.csv", []byte(b.String()), contract.Confirmation{})
		if done.Status != contract.FileFailed || !strings.Contains(done.Error, "line 62 is longer than 1 MiB") || done.ContractID != "" {
			t.Fatalf("file %+v", done)
		}
		if list, _, _ := f.svc.Contracts(context.Background(), f.admin, contract.ContractFilter{}); len(list) != 0 {
			t.Fatalf("a failed import left %d contracts", len(list))
		}
	})
}

func TestUnitAliases(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		if _, err := f.svc.SetUnitAlias(ctx, f.admin, " barrel ", "bl"); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.SetUnitAlias(ctx, f.admin, "x", "not a code"); !apperr.Is(err, apperr.Invalid) {
			t.Fatalf("a bad code: %v", err)
		}
		done := f.importFile(t, "units.csv", []byte("Item,UOM,Price\nA,Barrel,1\nB,keg,2\n"), contract.Confirmation{})
		if done.LinesImported != 1 || done.RowsFailed != 1 {
			t.Fatalf("file %+v", done)
		}
		lines, _, _ := f.svc.Lines(ctx, f.admin, done.ContractID, "", 0)
		if len(lines) != 1 || lines[0].UOM != "BL" {
			t.Fatalf("lines %+v", lines)
		}
		got, err := f.svc.UnitAliases(ctx, f.admin)
		if err != nil || !cmp.Equal(got, []contract.UnitAlias{{Alias: "BARREL", Code: "BL"}}) {
			t.Fatalf("aliases %v %v", got, err)
		}
		if err := f.svc.DeleteUnitAlias(ctx, f.other, "barrel"); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("another tenant deleted the alias: %v", err)
		}
		if err := f.svc.DeleteUnitAlias(ctx, f.admin, "barrel"); err != nil {
			t.Fatal(err)
		}
	})
}

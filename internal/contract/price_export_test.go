package contract_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/audit"
	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/contract"
	"github.com/vendorsync/vendorsync/internal/erp"
	"github.com/vendorsync/vendorsync/internal/sqlstore"
	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
)

// writebackFixture is a reconciled contract with writeback and advanced
// rules on and three price exceptions still open, by vendor item and
// rule: A-100 COST_MISMATCH, A-700 PRICE_MISMATCH, A-400 PRICE_MISMATCH.
func writebackFixture(t *testing.T, db *sqlstore.DB) (*reconFixture, map[string]contract.Exception) {
	t.Helper()
	f := newReconFixture(t, db)
	ctx := t.Context()
	f.approve(t, "A-100", "EA", "BOLT-100", "")
	f.approve(t, "A-700", "BX", "WASH-200", "EA")
	f.approve(t, "A-400", "EA", "A-400", "")
	if err := db.UpsertERPSuppliers(ctx, f.admin.TenantID, f.conn, []erp.SupplierPart{
		{ItemExternalID: "1", SupplierID: "S1", PartNumber: "A-100", Cost: decp("1.40"), UOM: "EA"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.recon.SetFeatures(ctx, f.admin, contract.Features{AdvancedRules: true, Writeback: true, P21CompanyID: "ACME",
		P21PricingBookID: "CONTRACTS"}); err != nil {
		t.Fatal(err)
	}
	f.run(t)
	got := f.exceptions(t)
	for _, k := range []string{"A-100 COST_MISMATCH", "A-700 PRICE_MISMATCH", "A-400 PRICE_MISMATCH"} {
		if got[k].Status != contract.ExceptionOpen {
			t.Fatalf("%s not open: %+v", k, got[k])
		}
	}
	return f, got
}

func (f *reconFixture) override(t *testing.T, id string) {
	t.Helper()
	if _, err := f.flow.Act(t.Context(), f.admin, id, contract.ActionInput{Type: contract.ActionOverride,
		Note: "Vendor's 2026 list price accepted by purchasing"}); err != nil {
		t.Fatal(err)
	}
}

func readAll(t *testing.T, r io.ReadCloser) []byte {
	t.Helper()
	defer r.Close()
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestPriceExports(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		f, exc := writebackFixture(t, db)
		ctx := t.Context()
		if _, err := f.flow.ExportPriceChanges(ctx, f.admin); !apperr.Is(err, apperr.Conflict) ||
			!strings.Contains(apperr.MessageOf(err), "no new approved price changes") {
			t.Fatalf("export with no approved change: %v", err)
		}
		f.override(t, exc["A-700 PRICE_MISMATCH"].ID)
		f.override(t, exc["A-100 COST_MISMATCH"].ID)

		viewer := f.admin
		viewer.Role = auth.RoleViewer
		if _, err := f.flow.ExportPriceChanges(ctx, viewer); !apperr.Is(err, apperr.Forbidden) {
			t.Fatalf("a viewer exported: %v", err)
		}
		pending, err := f.flow.PendingPriceChanges(ctx, f.admin)
		if err != nil || len(pending) != 2 {
			t.Fatalf("pending %+v %v", pending, err)
		}

		first, err := f.flow.ExportPriceChanges(ctx, f.admin)
		if err != nil {
			t.Fatal(err)
		}
		wantIDs := exc["A-700 PRICE_MISMATCH"].ID + " " + exc["A-100 COST_MISMATCH"].ID
		if first.Count != 2 || strings.Join(first.ExceptionIDs, " ") != wantIDs || first.CreatedBy == "" || len(first.SHA256) != 64 {
			t.Fatalf("first export %+v", first)
		}
		_, r, err := f.flow.PriceExportFile(ctx, f.admin, first.ID)
		if err != nil {
			t.Fatal(err)
		}
		body := readAll(t, r)
		sum := sha256.Sum256(body)
		if hex.EncodeToString(sum[:]) != first.SHA256 || int64(len(body)) != first.Size {
			t.Fatalf("stored file does not match its SHA-256 and size: %+v", first)
		}
		lines := strings.Split(strings.TrimSpace(string(body)), "\n")
		if len(lines) != 3 || lines[0] != strings.Join(contract.P21PriceHeader, ",") ||
			!strings.HasPrefix(lines[1], "ACME,CONTRACTS,S1,WASH-200,") || !strings.HasPrefix(lines[2], "ACME,CONTRACTS,S1,BOLT-100,") {
			t.Fatalf("export file:\n%s", body)
		}

		// Nothing new: refused, and the changes read as exported.
		if _, err := f.flow.ExportPriceChanges(ctx, f.admin); !apperr.Is(err, apperr.Conflict) {
			t.Fatalf("second export with nothing new: %v", err)
		}
		changes, _, err := f.flow.PriceChanges(ctx, f.admin, "", 100)
		if err != nil || len(changes) != 2 || changes[0].ExportID != first.ID || changes[1].ExportID != first.ID {
			t.Fatalf("changes after export %+v %v", changes, err)
		}

		// A later approval goes into the next export only.
		f.now = f.now.Add(24 * time.Hour)
		f.override(t, exc["A-400 PRICE_MISMATCH"].ID)
		second, err := f.flow.ExportPriceChanges(ctx, f.admin)
		if err != nil || second.Count != 1 || len(second.ExceptionIDs) != 1 || second.ExceptionIDs[0] != exc["A-400 PRICE_MISMATCH"].ID {
			t.Fatalf("second export %+v %v", second, err)
		}
		list, next, err := f.flow.PriceExports(ctx, f.admin, "", 1)
		if err != nil || len(list) != 1 || list[0].ID != second.ID || next == "" {
			t.Fatalf("first page %+v %q %v", list, next, err)
		}
		if list, next, err = f.flow.PriceExports(ctx, f.admin, next, 1); err != nil || len(list) != 1 || list[0].ID != first.ID ||
			list[0].SHA256 != first.SHA256 || list[0].Count != 2 || next != "" {
			t.Fatalf("second page %+v %q %v", list, next, err)
		}
		got, err := f.flow.PriceExport(ctx, f.admin, first.ID)
		if err != nil || strings.Join(got.ExceptionIDs, " ") != wantIDs {
			t.Fatalf("export read back %+v %v", got, err)
		}
		// A download later is the same bytes.
		_, r, err = f.flow.PriceExportFile(ctx, f.admin, first.ID)
		if err != nil || !bytes.Equal(readAll(t, r), body) {
			t.Fatalf("download again differs: %v", err)
		}

		entries, _, err := db.ListAudit(ctx, f.admin.TenantID, audit.Filter{Action: "price_export.create", Limit: 10})
		if err != nil || len(entries) != 2 || entries[0].EntityID != second.ID || !strings.Contains(entries[1].After, first.SHA256) {
			t.Fatalf("audit %+v %v", entries, err)
		}

		// Another tenant sees none of it; turned off, the exports are hidden.
		if _, err := f.flow.PriceExport(ctx, f.other, first.ID); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("another tenant read an export: %v", err)
		}
		if _, err := f.recon.SetFeatures(ctx, f.admin, contract.Features{}); err != nil {
			t.Fatal(err)
		}
		if _, _, err := f.flow.PriceExportFile(ctx, f.admin, first.ID); !apperr.Is(err, apperr.NotFound) ||
			!strings.Contains(apperr.MessageOf(err), "Contracts → Settings") {
			t.Fatalf("download with writeback off: %v", err)
		}
		if _, err := f.flow.ExportPriceChanges(ctx, f.admin); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("export with writeback off: %v", err)
		}
	})
}

// readTogether is the real store, except that the first n reads of the
// changes to export wait for each other: n exporters then all hold the
// same changes when they store their exports.
type readTogether struct {
	*sqlstore.DB
	n     int
	mu    sync.Mutex
	reads int
	all   chan struct{}
}

func (s *readTogether) UnexportedPriceChanges(ctx context.Context, tenantID string) ([]contract.PriceChange, error) {
	out, err := s.DB.UnexportedPriceChanges(ctx, tenantID)
	s.mu.Lock()
	s.reads++
	first, last := s.reads <= s.n, s.reads == s.n
	s.mu.Unlock()
	if last {
		close(s.all)
	}
	if first {
		<-s.all
	}
	return out, err
}

// TestConcurrentPriceExportsNeverRepeatAChange runs exports that all read
// the same approved changes before any stores its export: each change is
// in exactly one export, and every export that fails says there was
// nothing new.
func TestConcurrentPriceExportsNeverRepeatAChange(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		f, exc := writebackFixture(t, db)
		ctx := t.Context()
		for _, e := range exc {
			if e.Rule == contract.RulePriceMismatch || e.Rule == contract.RuleCostMismatch {
				f.override(t, e.ID)
			}
		}
		const exporters = 6
		flow := &contract.WorkflowService{Store: &readTogether{DB: db, n: exporters, all: make(chan struct{})}, Blobs: f.svc.Blobs,
			Now: func() time.Time { return f.now }}
		var wg sync.WaitGroup
		start := make(chan struct{})
		results := make([]contract.PriceExport, exporters)
		errs := make([]error, exporters)
		for i := range exporters {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				results[i], errs[i] = flow.ExportPriceChanges(ctx, f.admin)
			}()
		}
		close(start)
		wg.Wait()
		seen := map[string]string{}
		made := 0
		for i, err := range errs {
			if err != nil {
				if !apperr.Is(err, apperr.Conflict) {
					t.Fatalf("exporter %d: %v", i, err)
				}
				continue
			}
			made++
			for _, id := range results[i].ExceptionIDs {
				if other, dup := seen[id]; dup {
					t.Fatalf("change %s exported by %s and %s", id, other, results[i].ID)
				}
				seen[id] = results[i].ID
			}
		}
		if made == 0 || len(seen) != 3 {
			t.Fatalf("%d exports held %d changes, want 3", made, len(seen))
		}
		list, _, err := f.flow.PriceExports(ctx, f.admin, "", 100)
		if err != nil || len(list) != made {
			t.Fatalf("stored exports %d, made %d: %v", len(list), made, err)
		}
		total := 0
		for _, x := range list {
			total += x.Count
		}
		if total != 3 {
			t.Fatalf("stored exports count %d changes, want 3", total)
		}
	})
}

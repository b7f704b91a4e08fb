package contract_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/blob"
	"github.com/vendorsync/vendorsync/internal/contract"
	"github.com/vendorsync/vendorsync/internal/sqlstore"
	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
)

// readApart lets two exporters read the approved changes before either
// stores its export, the second one seeing all but the last change (as
// if it was approved in between): their CSVs differ, so a losing export's
// file could not hide behind the winner's identical one.
type readApart struct {
	*sqlstore.DB
	mu    sync.Mutex
	reads int
	both  chan struct{}
}

func (s *readApart) UnexportedPriceChanges(ctx context.Context, tenantID string) ([]contract.PriceChange, error) {
	out, err := s.DB.UnexportedPriceChanges(ctx, tenantID)
	s.mu.Lock()
	s.reads++
	n := s.reads
	s.mu.Unlock()
	switch n {
	case 1:
		<-s.both
	case 2:
		close(s.both)
		if len(out) > 1 {
			out = out[:len(out)-1]
		}
	}
	return out, err
}

// TestLosingPriceExportLeavesNoFile: an export that loses the race for its
// changes stores no CSV; every file in the blob store under the tenant's
// price exports is one a stored export points to.
func TestLosingPriceExportLeavesNoFile(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		f, exc := writebackFixture(t, db)
		ctx := t.Context()
		for _, e := range exc {
			if e.Rule == contract.RulePriceMismatch || e.Rule == contract.RuleCostMismatch {
				f.override(t, e.ID)
			}
		}
		flow := &contract.WorkflowService{Store: &readApart{DB: db, both: make(chan struct{})}, Blobs: f.svc.Blobs,
			Now: func() time.Time { return f.now }}
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = flow.ExportPriceChanges(ctx, f.admin)
			}()
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil && !apperr.Is(err, apperr.Conflict) {
				t.Fatalf("exporter %d: %v", i, err)
			}
		}
		list, _, err := f.flow.PriceExports(ctx, f.admin, "", 100)
		if err != nil || len(list) == 0 {
			t.Fatalf("stored exports %d: %v", len(list), err)
		}
		held := map[string]bool{}
		for _, x := range list {
			held[x.BlobKey] = true
		}
		keys, err := f.svc.Blobs.(*blob.Store).List(ctx, f.admin.TenantID+"/"+blob.KindPriceExport+"/")
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range keys {
			if !held[k] {
				t.Errorf("price export file %s is in the blob store with no export pointing to it", k)
			}
		}
		if len(keys) != len(held) {
			t.Errorf("%d price export files for %d exports", len(keys), len(held))
		}
	})
}

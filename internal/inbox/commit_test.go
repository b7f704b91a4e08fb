package inbox_test

import (
	"context"
	"sync"
	"testing"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/audit"
	"github.com/vendorsync/vendorsync/internal/inbox"
	"github.com/vendorsync/vendorsync/internal/sqlstore"
	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
)

// TestSharedCompletionFailsAlone: completions that share a transaction
// commit even when one of them cannot (its email was completed by another
// worker meanwhile); only that one fails.
func TestSharedCompletionFailsAlone(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		w := newWorld(t, db)
		var es []inbox.Email
		var cs []inbox.Completion
		for _, name := range []string{"03_stripe_api_version.eml", "05_okta_key_rotation.eml", "06_digicert_distrust.eml"} {
			e := w.receive(t, demo(t, name))
			c, err := w.svc.Decide(ctx, w.tenant.ID, e.ID)
			if err != nil {
				t.Fatal(err)
			}
			es, cs = append(es, e), append(cs, c)
		}
		done := w.process(t, es[1])
		errs := w.svc.CompleteGroup(ctx, cs)
		if errs[0] != nil || errs[2] != nil || !apperr.Is(errs[1], apperr.Conflict) {
			t.Fatalf("errors = %v; want nil, a conflict, nil", errs)
		}
		keys := map[string]bool{}
		for i, e := range es {
			got, err := db.Email(ctx, w.tenant.ID, e.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.Status != inbox.Triaged {
				t.Fatalf("email %d is %s", i, got.Status)
			}
			keys[w.ticketOf(t, got).Key()] = true
		}
		if w.ticketOf(t, done).Key() != "VS-0001" || !keys["VS-0002"] || !keys["VS-0003"] || len(w.allTickets(t)) != 3 {
			t.Errorf("tickets %v, %d in all; want VS-0001 for the one done first, then VS-0002 and VS-0003", keys, len(w.allTickets(t)))
		}
		verifyAudit(t, w)
	})
}

// TestConcurrentEmailsShareTransactions: emails uploaded and processed by
// many workers at once, sharing transactions, each open one ticket, with
// numbers from 1 without gaps and an audit chain that verifies.
func TestConcurrentEmailsShareTransactions(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		w := newWorld(t, db)
		const n = 24
		names := []string{"01_visa_endpoint.eml", "02_mastercard_certs.eml", "03_stripe_api_version.eml", "05_okta_key_rotation.eml"}
		es := make([]inbox.Email, n)
		var wg sync.WaitGroup
		for i := range es {
			raw := withMessageID(demo(t, names[i%len(names)]), i)
			wg.Go(func() { es[i] = w.receive(t, raw) })
		}
		wg.Wait()
		out := make([]inbox.Email, n)
		errs := make([]error, n)
		for i := range es {
			wg.Go(func() { out[i], errs[i] = w.svc.Process(ctx, w.tenant.ID, es[i].ID, 1, 8) })
		}
		wg.Wait()
		seen := map[string]bool{}
		for i := range out {
			if errs[i] != nil || out[i].Status != inbox.Triaged || seen[out[i].TicketID] {
				t.Fatalf("email %d: %s, ticket %q, %v", i, out[i].Status, out[i].TicketID, errs[i])
			}
			seen[out[i].TicketID] = true
		}
		nums := map[int64]bool{}
		for _, tk := range w.allTickets(t) {
			nums[tk.Number] = true
		}
		for k := int64(1); k <= n; k++ {
			if !nums[k] {
				t.Errorf("no ticket number %d among %v", k, nums)
			}
		}
		verifyAudit(t, w)
	})
}

// verifyAudit checks the tenant's audit chain.
func verifyAudit(t *testing.T, w *world) {
	t.Helper()
	res, err := audit.Verify(context.Background(), w.db, w.tenant.ID, w.db.AuditKey)
	if err != nil || !res.OK {
		t.Errorf("audit verify = %+v, %v", res, err)
	}
}

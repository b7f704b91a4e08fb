package ingestdemo_test

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/vendorsync/vendorsync/internal/app/consequence"
	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/blob"
	"github.com/vendorsync/vendorsync/internal/ingest"
	"github.com/vendorsync/vendorsync/internal/ingest/ingestdemo"
	"github.com/vendorsync/vendorsync/internal/jobs"
	"github.com/vendorsync/vendorsync/internal/notify/dispatch"
	"github.com/vendorsync/vendorsync/internal/registry"
	"github.com/vendorsync/vendorsync/internal/sqlstore"
	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
)

// TestDemoSubscriptionDelivers: the demo subscribes its built-in receiver
// to every normalized event; each is delivered signed and taken, the first
// after one 503 and its retry; another loopback address stays refused; a
// forged signature is refused by the receiver; after a restart the
// subscription follows the new receiver with a new secret.
func TestDemoSubscriptionDelivers(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		if _, err := jobs.New(db, jobs.Config{}); err != nil {
			t.Fatal(err)
		}
		bs, err := blob.Open(ctx, "", t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		as := &auth.Service{Store: db, Keys: db.Keys}
		b, err := as.CreateTenant(ctx, "demo", "Demo", "admin@demo.test")
		if err != nil {
			t.Fatal(err)
		}
		p := auth.System(b.Tenant.ID)
		reg := &registry.Service{Store: db}
		for _, v := range ingestdemo.Vendors {
			if _, err := reg.CreateVendor(ctx, p, registry.Vendor{Name: v.Name, Tier: registry.Tier2}); err != nil {
				t.Fatal(err)
			}
		}
		now := time.Now()
		svc := &ingest.Service{Store: db, Auth: as, Blobs: bs, Now: func() time.Time { return now },
			Consequences: consequence.Declare(dispatch.Notices{BaseURL: "https://vs.example"}).Ingest}
		r, created, err := ingestdemo.Subscribe(ctx, svc, p)
		if err != nil || !created {
			t.Fatalf("Subscribe = %v, %v", created, err)
		}
		defer r.Close()
		if _, _, err := svc.CreateSubscription(ctx, p, ingest.SubscriptionInput{URL: "http://127.0.0.1:1/elsewhere"}); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("another loopback address: %v, want it refused", err)
		}
		res, err := ingestdemo.Load(ctx, svc, reg, p, now)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Deliver(ctx, p.TenantID); err != nil {
			t.Fatal(err)
		}
		now = now.Add(time.Minute) // past the receiver's Retry-After
		if _, err := svc.Deliver(ctx, p.TenantID); err != nil {
			t.Fatal(err)
		}
		received, refused := r.Counts()
		if received != res.Counts[ingest.Normalized] || refused != 0 {
			t.Errorf("receiver took %d and refused %d, want every normalized event (%d) and none", received, refused, res.Counts[ingest.Normalized])
		}
		ds, _, err := svc.Deliveries(ctx, p, ingest.DeliveryFilter{Limit: 500})
		if err != nil {
			t.Fatal(err)
		}
		retried := 0
		for _, d := range ds {
			if d.Status != ingest.DeliveryDelivered {
				t.Errorf("delivery %s is %s", d.ID, d.Status)
			}
			if d.Attempts > 1 {
				retried++
			}
		}
		if len(ds) != received || retried != 1 {
			t.Errorf("%d deliveries, %d retried; want %d, one retried", len(ds), retried, received)
		}
		forged, err := http.Post(r.URL, "application/json", bytes.NewReader([]byte(`{}`)))
		if err != nil {
			t.Fatal(err)
		}
		forged.Body.Close()
		if _, refused := r.Counts(); forged.StatusCode != http.StatusUnauthorized || refused != 1 {
			t.Errorf("unsigned post: %d, refused %d; want 401, 1", forged.StatusCode, refused)
		}

		if err := r.Close(); err != nil {
			t.Fatal(err)
		}
		r2, created, err := ingestdemo.Subscribe(ctx, svc, p)
		if err != nil || created {
			t.Fatalf("Subscribe after a restart = %v, %v; want the subscription found", created, err)
		}
		defer r2.Close()
		subs, err := svc.Subscriptions(ctx, p)
		if err != nil || len(subs) != 1 || subs[0].URL != r2.URL || !strings.HasPrefix(r2.URL, "http://127.0.0.1:") {
			t.Fatalf("subscriptions after a restart = %+v, %v; want the one, at %s", subs, err, r2.URL)
		}
		if tr, err := svc.TestSend(ctx, p, subs[0].ID); err != nil || !tr.OK {
			t.Errorf("test send after a restart = %+v, %v; want it taken (signed with the new secret)", tr, err)
		}
	})
}

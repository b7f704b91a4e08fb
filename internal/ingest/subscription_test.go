package ingest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/audit"
	"github.com/vendorsync/vendorsync/internal/ingest"
	"github.com/vendorsync/vendorsync/internal/jobargs"
	"github.com/vendorsync/vendorsync/internal/notify/dispatch"
	"github.com/vendorsync/vendorsync/internal/sqlstore"
	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
	"github.com/vendorsync/vendorsync/internal/stdwebhook"
)

// received is one request the receiver took.
type received struct {
	id, timestamp, signature string
	body                     []byte
}

// receiver is a subscriber's endpoint on 127.0.0.1 speaking Standard
// Webhooks: it records each request and answers what answer says for the
// nth request (0-based).
type receiver struct {
	srv    *httptest.Server
	mu     sync.Mutex
	got    []received
	answer func(n int, w http.ResponseWriter)
}

func newReceiver(t testing.TB) *receiver {
	t.Helper()
	r := &receiver{answer: func(int, http.ResponseWriter) {}}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		n := len(r.got)
		r.got = append(r.got, received{id: req.Header.Get("webhook-id"), timestamp: req.Header.Get("webhook-timestamp"),
			signature: req.Header.Get("webhook-signature"), body: body})
		answer := r.answer
		r.mu.Unlock()
		answer(n, w)
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *receiver) requests() []received {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]received(nil), r.got...)
}

func (r *receiver) setAnswer(a func(n int, w http.ResponseWriter)) {
	r.mu.Lock()
	r.answer = a
	r.mu.Unlock()
}

// verify checks a request's signature with the secrets as the receiver's
// Standard Webhooks library would, at the fixture's clock.
func (f *fixture) verify(t testing.TB, got received, secrets ...string) error {
	t.Helper()
	return stdwebhook.Verify(secrets, got.id, got.timestamp, got.signature, got.body, f.now)
}

// subscribe sets up the rules, lets subscriptions reach 127.0.0.1 and
// creates a subscription to url with in's filters, returning it with its
// secret.
func (f *fixture) subscribe(t testing.TB, in ingest.SubscriptionInput) (ingest.Subscription, string) {
	t.Helper()
	f.now = f.now.Truncate(time.Microsecond) // as stored
	f.svc.Webhooks.AllowPrivate = true
	f.svc.Consequences.Delivered = func(tenantID string) []jobargs.Args {
		return []jobargs.Args{jobargs.IngestDeliver{Tenant: jobargs.For(tenantID)}}
	}
	sub, secret, err := f.svc.CreateSubscription(context.Background(), f.admin, in)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(secret, stdwebhook.SecretPrefix) || !strings.HasPrefix(secret, strings.TrimSuffix(sub.SecretHint, "…")) {
		t.Fatalf("secret %q, hint %q", secret, sub.SecretHint)
	}
	return sub, secret
}

func (f *fixture) deliver(t testing.TB) int {
	t.Helper()
	n, err := f.svc.Deliver(context.Background(), f.vendor.TenantID)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func (f *fixture) normalize(t testing.TB) {
	t.Helper()
	if _, err := f.svc.Normalize(context.Background(), f.vendor.TenantID); err != nil {
		t.Fatal(err)
	}
}

func (f *fixture) deliveries(t testing.TB, flt ingest.DeliveryFilter) []ingest.EventDelivery {
	t.Helper()
	ds, _, err := f.svc.Deliveries(context.Background(), f.admin, flt)
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

func inventory(id string, qty int) []byte {
	return envelope("vendorA", id, fmt.Sprintf(`{"sku":"ABC-001","qty":%d,"warehouse":"ROA"}`, qty))
}

func TestSubscriptionDeliversEachEventOnceSigned(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		f.setUpRules(t)
		rcv := newReceiver(t)
		other := newReceiver(t)
		sub, secret := f.subscribe(t, ingest.SubscriptionInput{URL: rcv.srv.URL + "/hooks", Description: "warehouse",
			EventTypes: []string{"InventoryUpdated"}})
		f.subscribe(t, ingest.SubscriptionInput{URL: other.srv.URL, EventTypes: []string{"PriceUpdated"}})
		id := f.mustAccept(t, inventory("inv-1", 12))
		f.normalize(t)
		if n := f.deliver(t); n != 1 {
			t.Fatalf("Deliver made %d attempts, want 1", n)
		}
		f.normalize(t)
		f.deliver(t)
		got := rcv.requests()
		if len(got) != 1 || len(other.requests()) != 0 {
			t.Fatalf("receiver got %d requests, the PriceUpdated one %d; want 1 and 0", len(got), len(other.requests()))
		}
		ne, err := f.svc.Normalized(ctx, f.admin, id)
		if err != nil {
			t.Fatal(err)
		}
		if got[0].id != id || string(got[0].body) != string(ne.Body) || got[0].timestamp != strconv.FormatInt(f.now.Unix(), 10) {
			t.Errorf("request id %s ts %s body %s; want %s, the normalized event", got[0].id, got[0].timestamp, got[0].body, id)
		}
		if err := f.verify(t, got[0], secret); err != nil {
			t.Errorf("signature: %v", err)
		}
		if err := f.verify(t, got[0], stdwebhook.NewSecret()); err == nil {
			t.Error("verified with another secret")
		}
		ds := f.deliveries(t, ingest.DeliveryFilter{SubscriptionID: sub.ID})
		if len(ds) != 1 || ds[0].Status != ingest.DeliveryDelivered || ds[0].MessageID != id || ds[0].DeliveredAt == nil {
			t.Fatalf("deliveries %+v", ds)
		}
		d, err := f.svc.DeliveryDetail(ctx, f.admin, ds[0].ID)
		if err != nil || len(d.AttemptLog) != 1 || d.AttemptLog[0].StatusCode != 200 {
			t.Errorf("attempts %+v, %v", d.AttemptLog, err)
		}
		// A test send: signed like a delivery, nothing queued.
		res, err := f.svc.TestSend(ctx, f.admin, sub.ID)
		if err != nil || !res.OK || res.StatusCode != 200 {
			t.Fatalf("test send = %+v, %v", res, err)
		}
		got = rcv.requests()
		if len(got) != 2 || got[1].id != res.MessageID || f.verify(t, got[1], secret) != nil {
			t.Errorf("test send request %+v", got[1:])
		}
		if n := len(f.deliveries(t, ingest.DeliveryFilter{SubscriptionID: sub.ID})); n != 1 {
			t.Errorf("a test send was queued: %d deliveries", n)
		}
	})
}

func TestSubscriptionRetriesHonouringRetryAfter(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		f := newFixture(t, db)
		f.setUpRules(t)
		rcv := newReceiver(t)
		rcv.setAnswer(func(n int, w http.ResponseWriter) {
			switch n {
			case 0:
				http.Error(w, "boom", http.StatusInternalServerError)
			case 1:
				w.Header().Set("Retry-After", "120")
				http.Error(w, "slow down", http.StatusTooManyRequests)
			}
		})
		f.subscribe(t, ingest.SubscriptionInput{URL: rcv.srv.URL})
		f.mustAccept(t, inventory("inv-1", 12))
		f.normalize(t)
		f.deliver(t)
		d := f.deliveries(t, ingest.DeliveryFilter{})[0]
		if d.Status != ingest.DeliveryPending || d.Attempts != 1 || d.LastStatusCode != 500 || !d.NextAttemptAt.Equal(f.now.Add(5*time.Second)) {
			t.Fatalf("after a 500: %+v", d)
		}
		if n := f.deliver(t); n != 0 {
			t.Fatalf("retried before it was due: %d attempts", n)
		}
		f.now = f.now.Add(5 * time.Second)
		f.deliver(t)
		d = f.deliveries(t, ingest.DeliveryFilter{})[0]
		if d.Status != ingest.DeliveryPending || d.Attempts != 2 || d.LastStatusCode != 429 || !d.NextAttemptAt.Equal(f.now.Add(120*time.Second)) {
			t.Fatalf("after a 429 with Retry-After 120: %+v", d)
		}
		f.now = f.now.Add(60 * time.Second)
		if n := f.deliver(t); n != 0 {
			t.Fatalf("retried before Retry-After: %d attempts", n)
		}
		f.now = f.now.Add(60 * time.Second)
		f.deliver(t)
		d = f.deliveries(t, ingest.DeliveryFilter{})[0]
		got := rcv.requests()
		if d.Status != ingest.DeliveryDelivered || d.Attempts != 3 || len(got) != 3 {
			t.Fatalf("after the third attempt: %+v, %d requests", d, len(got))
		}
		for _, g := range got {
			if g.id != d.MessageID {
				t.Errorf("webhook-id %s changed across retries (want %s)", g.id, d.MessageID)
			}
		}
		dd, err := f.svc.DeliveryDetail(context.Background(), f.admin, d.ID)
		if err != nil || len(dd.AttemptLog) != 3 || dd.AttemptLog[0].StatusCode != 500 || !strings.Contains(dd.AttemptLog[0].Response, "boom") {
			t.Errorf("attempt log %+v, %v", dd.AttemptLog, err)
		}
	})
}

func TestSubscriptionGoneDisables(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		f.setUpRules(t)
		rcv := newReceiver(t)
		rcv.setAnswer(func(_ int, w http.ResponseWriter) { w.WriteHeader(http.StatusGone) })
		sub, _ := f.subscribe(t, ingest.SubscriptionInput{URL: rcv.srv.URL})
		f.svc.Consequences.Disabled = dispatch.Notices{BaseURL: "https://vs.example"}.IngestSubscriptionDisabled
		// Three deliveries answered 410 at once: one disable, one alert.
		for _, id := range []string{"inv-1", "inv-1b", "inv-1c"} {
			f.mustAccept(t, inventory(id, 12))
		}
		f.normalize(t)
		f.deliver(t)
		if n := f.planJobs(t); n != 1 {
			t.Errorf("%d admin notifications planned, want 1", n)
		}
		got, err := f.svc.Subscription(ctx, f.admin, sub.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Enabled || !strings.Contains(got.DisabledReason, "410") {
			t.Fatalf("subscription after 410: %+v", got)
		}
		for _, d := range f.deliveries(t, ingest.DeliveryFilter{}) {
			if d.Status != ingest.DeliveryFailed {
				t.Errorf("delivery %+v, want failed", d)
			}
		}
		entries, _, err := db.ListAudit(ctx, f.vendor.TenantID, audit.Filter{EntityType: "ingest_subscription", EntityID: sub.ID})
		if err != nil {
			t.Fatal(err)
		}
		disables := 0
		for _, e := range entries {
			if e.Action == "ingest_subscription.disable" {
				disables++
			}
		}
		if disables != 1 {
			t.Errorf("%d audit rows for the disable in %+v, want 1", disables, entries)
		}
		f.mustAccept(t, inventory("inv-2", 3))
		f.normalize(t)
		f.now = f.now.Add(time.Hour)
		f.deliver(t)
		if len(rcv.requests()) != 3 || len(f.deliveries(t, ingest.DeliveryFilter{})) != 3 {
			t.Errorf("a disabled subscription got %d requests and %d deliveries", len(rcv.requests()), len(f.deliveries(t, ingest.DeliveryFilter{})))
		}
	})
}

func TestSubscriptionRotationSignsWithBoth(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		f.setUpRules(t)
		rcv := newReceiver(t)
		sub, old := f.subscribe(t, ingest.SubscriptionInput{URL: rcv.srv.URL})
		rotated, fresh, err := f.svc.RotateSecret(ctx, f.admin, sub.ID)
		if err != nil {
			t.Fatal(err)
		}
		if fresh == old || rotated.PreviousExpiresAt == nil || !rotated.PreviousExpiresAt.Equal(f.now.Add(ingest.SecretOverlap)) {
			t.Fatalf("rotated %+v", rotated)
		}
		f.mustAccept(t, inventory("inv-1", 12))
		f.normalize(t)
		f.deliver(t)
		got := rcv.requests()
		if len(got) != 1 || len(strings.Fields(got[0].signature)) != 2 {
			t.Fatalf("requests %+v, want one with two signatures", got)
		}
		if f.verify(t, got[0], old) != nil || f.verify(t, got[0], fresh) != nil {
			t.Error("a receiver holding either secret must verify during the overlap")
		}
		f.now = f.now.Add(ingest.SecretOverlap + time.Minute)
		f.mustAccept(t, inventory("inv-2", 3))
		f.normalize(t)
		f.deliver(t)
		got = rcv.requests()
		if len(got) != 2 || len(strings.Fields(got[1].signature)) != 1 || f.verify(t, got[1], fresh) != nil || f.verify(t, got[1], old) == nil {
			t.Errorf("after the overlap: %+v; want only the new secret's signature", got[1:])
		}
	})
}

func TestSubscriptionRevisionReplay(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		f.setUpRules(t)
		rcv := newReceiver(t)
		rcv.setAnswer(func(n int, w http.ResponseWriter) {
			if n == 0 {
				w.WriteHeader(http.StatusServiceUnavailable)
			}
		})
		sub, secret := f.subscribe(t, ingest.SubscriptionInput{URL: rcv.srv.URL})
		id := f.mustAccept(t, inventory("inv-1", 12))
		f.normalize(t)
		f.deliver(t) // 503: the first revision waits for its retry
		if _, err := f.svc.SaveMapping(ctx, f.admin, ingest.MappingInput{VendorID: f.vendor.VendorID, EventType: "inventory_update",
			TargetType: "InventoryUpdated", Expression: `{sku: .sku, warehouseId: .warehouse, quantityOnHand: (.qty * 2)}`,
			Samples: []json.RawMessage{json.RawMessage(`{"sku":"ABC-001","qty":12,"warehouse":"ROA"}`)}}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Replay(ctx, f.admin, ingest.Selection{IngestID: id}); err != nil {
			t.Fatal(err)
		}
		f.now = f.now.Add(time.Hour)
		f.deliver(t)
		got := rcv.requests()
		if len(got) != 2 || got[1].id != id+".r1" || !strings.Contains(string(got[1].body), `"quantityOnHand":24`) {
			t.Fatalf("requests %+v; want the 503 of %s then %s.r1 with the revised event", got, id, id)
		}
		if err := f.verify(t, got[1], secret); err != nil {
			t.Error(err)
		}
		ds := f.deliveries(t, ingest.DeliveryFilter{SubscriptionID: sub.ID, IngestID: id})
		status := map[string]ingest.DeliveryStatus{}
		for _, d := range ds {
			status[d.MessageID] = d.Status
		}
		if status[id] != ingest.DeliverySuperseded || status[id+".r1"] != ingest.DeliveryDelivered {
			t.Errorf("statuses %v; want the first superseded, .r1 delivered", status)
		}
		// Replaying again with the same mapping changes nothing: no delivery.
		if _, err := f.svc.Replay(ctx, f.admin, ingest.Selection{IngestID: id}); err != nil {
			t.Fatal(err)
		}
		f.deliver(t)
		if len(rcv.requests()) != 2 {
			t.Errorf("an unchanged replay was delivered again")
		}
	})
}

func TestSubscriptionDeadLetterAndRedeliver(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		f.setUpRules(t)
		rcv := newReceiver(t)
		rcv.setAnswer(func(_ int, w http.ResponseWriter) { w.WriteHeader(http.StatusInternalServerError) })
		f.subscribe(t, ingest.SubscriptionInput{URL: rcv.srv.URL})
		f.mustAccept(t, inventory("inv-1", 12))
		f.normalize(t)
		var total time.Duration
		for i := 0; i < ingest.MaxDeliveryAttempts; i++ {
			d := f.deliveries(t, ingest.DeliveryFilter{})[0]
			if d.NextAttemptAt != nil && i > 0 {
				total += d.NextAttemptAt.Sub(f.now)
				f.now = *d.NextAttemptAt
			}
			if n := f.deliver(t); n != 1 {
				t.Fatalf("attempt %d: Deliver made %d", i+1, n)
			}
		}
		d := f.deliveries(t, ingest.DeliveryFilter{})[0]
		if d.Status != ingest.DeliveryDead || d.Attempts != ingest.MaxDeliveryAttempts || ingest.MaxDeliveryAttempts != 15 {
			t.Fatalf("after %d attempts: %+v", ingest.MaxDeliveryAttempts, d)
		}
		if total < 20*time.Hour || total > 30*time.Hour {
			t.Errorf("the schedule spans %s, want about a day", total)
		}
		f.now = f.now.Add(48 * time.Hour)
		if n := f.deliver(t); n != 0 {
			t.Fatalf("a dead delivery was tried again")
		}
		if dead := f.deliveries(t, ingest.DeliveryFilter{Status: ingest.DeliveryDead}); len(dead) != 1 {
			t.Fatalf("dead filter: %+v", dead)
		}
		rcv.setAnswer(func(int, http.ResponseWriter) {})
		if _, err := f.svc.Redeliver(ctx, f.admin, d.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Redeliver(ctx, f.admin, d.ID); !apperr.Is(err, apperr.Conflict) {
			t.Errorf("redeliver of a pending delivery: %v, want conflict", err)
		}
		f.deliver(t)
		d = f.deliveries(t, ingest.DeliveryFilter{})[0]
		if d.Status != ingest.DeliveryDelivered || len(rcv.requests()) != ingest.MaxDeliveryAttempts+1 {
			t.Fatalf("after redeliver: %+v, %d requests", d, len(rcv.requests()))
		}
		dd, err := f.svc.DeliveryDetail(ctx, f.admin, d.ID)
		if err != nil || len(dd.AttemptLog) != ingest.MaxDeliveryAttempts+1 {
			t.Errorf("attempt log has %d, want every attempt (%v)", len(dd.AttemptLog), err)
		}
	})
}

func TestSubscriptionURLPolicy(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		rcv := newReceiver(t)
		for _, c := range []struct {
			url          string
			allowPrivate bool
		}{
			{rcv.srv.URL, false},
			{"http://localhost:9/hook", false},
			{"http://10.1.2.3/hook", false},
			{"http://[::1]:9/hook", false},
			{"http://169.254.169.254/latest/meta-data", true},
			{"http://[fe80::1]/hook", true},
			{"ftp://example.com/hook", true},
			{"https://user:pw@example.com/hook", true},
			{"not a url", true},
		} {
			f.svc.Webhooks.AllowPrivate = c.allowPrivate
			_, _, err := f.svc.CreateSubscription(ctx, f.admin, ingest.SubscriptionInput{URL: c.url})
			if !apperr.Is(err, apperr.Invalid) || len(apperr.FieldsOf(err)) == 0 || apperr.FieldsOf(err)[0].Field != "url" {
				t.Errorf("%s (allow private %v): %v, want invalid url", c.url, c.allowPrivate, err)
			}
		}
		f.svc.Webhooks.AllowPrivate = true
		if _, _, err := f.svc.CreateSubscription(ctx, f.admin, ingest.SubscriptionInput{URL: rcv.srv.URL}); err != nil {
			t.Errorf("with private targets allowed: %v", err)
		}
		// The dialer checks again: an operator who withdraws the flag stops
		// deliveries to a private address already saved.
		f.setUpRules(t)
		f.svc.Webhooks.AllowPrivate = false
		f.mustAccept(t, inventory("inv-1", 12))
		f.normalize(t)
		f.deliver(t)
		d := f.deliveries(t, ingest.DeliveryFilter{})[0]
		if d.Status != ingest.DeliveryPending || !strings.Contains(d.LastError, "not allowed") || len(rcv.requests()) != 0 {
			t.Errorf("delivery to 127.0.0.1 without the flag: %+v, %d requests", d, len(rcv.requests()))
		}
	})
}

func TestSubscriptionConcurrentNormalizeNoDuplicates(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		f := newFixture(t, db)
		f.setUpRules(t)
		rcv := newReceiver(t)
		f.subscribe(t, ingest.SubscriptionInput{URL: rcv.srv.URL})
		f.subscribe(t, ingest.SubscriptionInput{URL: rcv.srv.URL + "/second"})
		const events = 60
		for i := range events {
			f.mustAccept(t, inventory(fmt.Sprint("inv-", i), i))
		}
		var wg sync.WaitGroup
		errs := make(chan error, 4)
		for range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := f.svc.Normalize(context.Background(), f.vendor.TenantID); err != nil {
					errs <- err
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		var wg2 sync.WaitGroup
		for range 3 {
			wg2.Add(1)
			go func() {
				defer wg2.Done()
				if _, err := f.svc.Deliver(context.Background(), f.vendor.TenantID); err != nil {
					t.Error(err)
				}
			}()
		}
		wg2.Wait()
		ds := f.deliveries(t, ingest.DeliveryFilter{Limit: 500})
		if len(ds) != 2*events {
			t.Errorf("%d deliveries, want %d (one per event and subscription)", len(ds), 2*events)
		}
		seen := map[string]int{}
		for _, g := range rcv.requests() {
			seen[g.id+string(g.signature[:0])]++
		}
		if len(rcv.requests()) != 2*events || len(seen) != events {
			t.Errorf("receiver got %d requests for %d ids; want %d for %d", len(rcv.requests()), len(seen), 2*events, events)
		}
	})
}

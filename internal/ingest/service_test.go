package ingest_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/blob"
	"github.com/vendorsync/vendorsync/internal/ingest"
	"github.com/vendorsync/vendorsync/internal/jobargs"
	"github.com/vendorsync/vendorsync/internal/jobs"
	"github.com/vendorsync/vendorsync/internal/registry"
	"github.com/vendorsync/vendorsync/internal/sqlstore"
	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
	"github.com/vendorsync/vendorsync/internal/stdwebhook"
)

// fixture is a tenant with an admin and one vendor set up for ingest, an
// ingest key of it, on a real store and a real blob directory.
type fixture struct {
	db     *sqlstore.DB
	svc    *ingest.Service
	auth   *auth.Service
	blobs  *blob.Store
	dir    string // where the blobs live
	admin  auth.Principal
	sender auth.Principal // the vendor's ingest key
	vendor ingest.VendorSetup
	slug   string
	now    time.Time
	cpu    cpuMeter // benchmarks: this process's CPU time while timed
}

func newFixture(t testing.TB, db *sqlstore.DB) *fixture {
	t.Helper()
	ctx := context.Background()
	if _, err := jobs.New(db, jobs.Config{}); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	bs, err := blob.Open(ctx, "", dir)
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{db: db, blobs: bs, dir: dir, auth: &auth.Service{Store: db, Keys: db.Keys}, slug: "acme", now: time.Now().UTC()}
	f.svc = &ingest.Service{Store: db, Auth: f.auth, Blobs: bs, Now: func() time.Time { return f.now },
		Consequences: ingest.Consequences{Accepted: func(tenantID string) []jobargs.Args {
			return []jobargs.Args{jobargs.IngestArchive{Tenant: jobargs.For(tenantID)}}
		}}}
	b, err := f.auth.CreateTenant(ctx, f.slug, "Acme", "admin@acme.test")
	if err != nil {
		t.Fatal(err)
	}
	f.admin = b.Admin.Principal()
	v, err := (&registry.Service{Store: db}).CreateVendor(ctx, f.admin, registry.Vendor{Name: "Vendor A", Tier: registry.Tier2,
		EmailDomains: []string{"vendora.example"}})
	if err != nil {
		t.Fatal(err)
	}
	if f.vendor, err = f.svc.Configure(ctx, f.admin, v.ID, ingest.VendorSettings{VendorKey: "vendorA"}); err != nil {
		t.Fatal(err)
	}
	_, full, err := f.svc.CreateKey(ctx, f.admin, v.ID, "vendor A push", nil)
	if err != nil {
		t.Fatal(err)
	}
	if f.sender, err = f.auth.AuthenticateAPIKey(ctx, full); err != nil {
		t.Fatal(err)
	}
	return f
}

func envelope(key, id, payload string) []byte {
	return []byte(fmt.Sprintf(`{"vendorId":%q,"externalEventId":%q,"eventType":"inventory_update","occurredAt":"2026-01-30T20:15:12Z","payload":%s}`,
		key, id, payload))
}

func (f *fixture) accept(t testing.TB, body []byte) (ingest.AcceptResult, error) {
	t.Helper()
	v, err := f.svc.KeyVendor(context.Background(), f.sender)
	if err != nil {
		t.Fatal(err)
	}
	return f.svc.Accept(context.Background(), v, body, ingest.ChannelAPI)
}

func TestAcceptOncePermanently(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		body := envelope("vendorA", "inv-12345", `{"sku":"ABC-001","qty":12,"warehouse":"ROA"}`)
		first, err := f.accept(t, body)
		if err != nil {
			t.Fatal(err)
		}
		if first.Status != ingest.Received || len(first.IngestID) != 26 || first.RawRef == nil {
			t.Fatalf("first accept = %+v", first)
		}
		wantKey := "raw/vendorA/" + f.now.Format("2006/01/02") + "/" + first.IngestID + ".json"
		if first.RawRef.Key != wantKey {
			t.Errorf("raw key %s, want %s", first.RawRef.Key, wantKey)
		}
		// Days later, the same event with the same payload, re-serialised.
		f.now = f.now.Add(72 * time.Hour)
		again, err := f.accept(t, envelope("vendorA", "inv-12345", `{ "sku": "ABC-001", "qty": 12, "warehouse": "ROA" }`))
		if err != nil {
			t.Fatal(err)
		}
		if again.Status != ingest.Duplicate || again.IngestID != first.IngestID {
			t.Fatalf("resend = %+v, want DUPLICATE of %s", again, first.IngestID)
		}
		_, err = f.accept(t, envelope("vendorA", "inv-12345", `{"sku":"ABC-001","qty":13,"warehouse":"ROA"}`))
		if !apperr.Is(err, apperr.Conflict) || !strings.Contains(apperr.MessageOf(err), first.IngestID) {
			t.Fatalf("changed payload: %v, want a conflict naming %s", err, first.IngestID)
		}
		got, err := f.svc.Event(ctx, f.admin, first.IngestID)
		if err != nil {
			t.Fatal(err)
		}
		if string(got.Raw) != string(body) || got.Status != ingest.Received || got.VendorKey != "vendorA" {
			t.Errorf("stored %+v raw %q", got, got.Raw)
		}
		evs, _, err := f.svc.Events(ctx, f.admin, ingest.Filter{VendorID: f.vendor.VendorID})
		if err != nil || len(evs) != 1 {
			t.Fatalf("events: %d, %v; want exactly 1", len(evs), err)
		}
	})
}

func TestAcceptRefusals(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		f := newFixture(t, db)
		_, err := f.accept(t, envelope("vendorB", "x-1", `{}`))
		if !apperr.Is(err, apperr.Forbidden) {
			t.Errorf("another vendor's envelope: %v, want forbidden", err)
		}
		_, err = f.accept(t, []byte(`{"vendorId":7,"eventType":"bad type","occurredAt":"yesterday","payload":[1],"extra":true}`))
		fields := map[string]bool{}
		for _, fe := range apperr.FieldsOf(err) {
			fields[fe.Field] = true
		}
		for _, name := range []string{"vendorId", "externalEventId", "eventType", "occurredAt", "payload", "extra"} {
			if !fields[name] {
				t.Errorf("envelope errors %v do not name %s", apperr.FieldsOf(err), name)
			}
		}
		if _, err := f.svc.KeyVendor(context.Background(), f.admin); !apperr.Is(err, apperr.Forbidden) {
			t.Errorf("an admin session sending events: %v, want forbidden", err)
		}
		big := envelope("vendorA", "big", `{"x":"`+strings.Repeat("a", ingest.DefaultMaxPayload)+`"}`)
		if _, err := f.accept(t, big); !apperr.Is(err, apperr.TooLarge) {
			t.Errorf("a body over 256 KiB: %v, want too large", err)
		}
	})
}

// TestConcurrentDuplicates: 64 senders of one key at once store one
// record; the other 63 hear DUPLICATE with its id.
func TestConcurrentDuplicates(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		f := newFixture(t, db)
		v, err := f.svc.KeyVendor(context.Background(), f.sender)
		if err != nil {
			t.Fatal(err)
		}
		body := envelope("vendorA", "race-1", `{"sku":"R","qty":1}`)
		var wg sync.WaitGroup
		results := make([]ingest.AcceptResult, 64)
		errs := make([]error, 64)
		start := make(chan struct{})
		for i := range results {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				results[i], errs[i] = f.svc.Accept(context.Background(), v, body, ingest.ChannelAPI)
			}()
		}
		close(start)
		wg.Wait()
		received, dup := 0, 0
		ids := map[string]bool{}
		for i, r := range results {
			if errs[i] != nil {
				t.Fatalf("sender %d: %v", i, errs[i])
			}
			ids[r.IngestID] = true
			switch r.Status {
			case ingest.Received:
				received++
			case ingest.Duplicate:
				dup++
			}
		}
		if received != 1 || dup != 63 || len(ids) != 1 {
			t.Fatalf("received %d, duplicate %d, ids %v; want 1, 63, one id", received, dup, ids)
		}
		evs, _, err := f.svc.Events(context.Background(), f.admin, ingest.Filter{Limit: 500})
		if err != nil || len(evs) != 1 {
			t.Fatalf("stored %d events (%v), want 1", len(evs), err)
		}
	})
}

func TestBatchResultPerItem(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		f := newFixture(t, db)
		v, _ := f.svc.KeyVendor(context.Background(), f.sender)
		if _, err := f.accept(t, envelope("vendorA", "b-0", `{"a":1}`)); err != nil {
			t.Fatal(err)
		}
		body := `{"events":[` + strings.Join([]string{
			string(envelope("vendorA", "b-1", `{"a":1}`)),
			string(envelope("vendorA", "b-0", `{"a":1}`)),
			string(envelope("vendorA", "b-0", `{"a":2}`)),
			`{"vendorId":"vendorA"}`,
			string(envelope("other", "b-2", `{"a":1}`)),
			string(envelope("vendorA", "b-1", `{"a":1}`)),
		}, ",") + `]}`
		rs, err := f.svc.AcceptBatch(context.Background(), v, []byte(body))
		if err != nil {
			t.Fatal(err)
		}
		got := []string{}
		for _, r := range rs {
			got = append(got, fmt.Sprintf("%d:%s%s", r.Index, r.Status, r.Error))
		}
		want := "1:RECEIVED 2:DUPLICATE 3:conflict 4:invalid 5:forbidden 6:DUPLICATE"
		if strings.Join(got, " ") != want {
			t.Fatalf("results %v, want %s", got, want)
		}
		if rs[5].IngestID != rs[0].IngestID {
			t.Errorf("a repeat inside the batch names %s, want %s", rs[5].IngestID, rs[0].IngestID)
		}
		if _, err := f.svc.AcceptBatch(context.Background(), v, []byte(`{"events":[`+strings.Repeat(`{},`, 500)+`{}]}`)); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("501 envelopes: %v, want invalid", err)
		}
	})
}

// TestDatabaseDownNeverAccepts: when the store cannot commit, the sender
// hears "unavailable, retry" — never a success for something not stored.
func TestDatabaseDownNeverAccepts(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		f := newFixture(t, db)
		v, err := f.svc.KeyVendor(context.Background(), f.sender)
		if err != nil {
			t.Fatal(err)
		}
		db.Close()
		r, err := f.svc.Accept(context.Background(), v, envelope("vendorA", "down-1", `{"a":1}`), ingest.ChannelAPI)
		if !apperr.Is(err, apperr.Unavailable) {
			t.Fatalf("accept with the database down = %+v, %v; want unavailable", r, err)
		}
		if after, ok := apperr.RetryAfterOf(err); !ok || after <= 0 {
			t.Errorf("no Retry-After on %v", err)
		}
	})
}

func TestRateLimit(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		if _, err := f.svc.Configure(ctx, f.admin, f.vendor.VendorID, ingest.VendorSettings{VendorKey: "vendorA", RatePerSecond: 1, Burst: 3}); err != nil {
			t.Fatal(err)
		}
		v, err := f.svc.KeyVendor(ctx, f.sender)
		if err != nil {
			t.Fatal(err)
		}
		for i := range 3 {
			if err := f.svc.Admit(v, 10, false); err != nil {
				t.Fatalf("request %d within the burst: %v", i+1, err)
			}
		}
		err = f.svc.Admit(v, 10, false)
		if !apperr.Is(err, apperr.TooMany) {
			t.Fatalf("4th request: %v, want too many", err)
		}
		if after, _ := apperr.RetryAfterOf(err); after <= 0 || after > time.Second {
			t.Errorf("Retry-After %v, want up to a second", after)
		}
		f.now = f.now.Add(time.Second)
		if err := f.svc.Admit(v, 10, false); err != nil {
			t.Errorf("a second later: %v", err)
		}
		if err := f.svc.Admit(v, ingest.DefaultMaxPayload+1, false); !apperr.Is(err, apperr.TooLarge) && !apperr.Is(err, apperr.TooMany) {
			t.Errorf("declared 256 KiB + 1: %v, want too large", err)
		}
	})
}

func TestSignedDeliveriesAndRotation(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		old, oldValue, err := f.svc.CreateSecret(ctx, f.admin, f.vendor.VendorID)
		if err != nil {
			t.Fatal(err)
		}
		_, newValue, err := f.svc.CreateSecret(ctx, f.admin, f.vendor.VendorID)
		if err != nil {
			t.Fatal(err)
		}
		v, err := f.svc.HookVendor(ctx, f.slug, "vendorA")
		if err != nil {
			t.Fatal(err)
		}
		deliver := func(secret, id string, at time.Time) (ingest.AcceptResult, error) {
			body := envelope("vendorA", id, `{"qty":1}`)
			sig, err := stdwebhook.Sign(secret, "msg_"+id, at.Unix(), body)
			if err != nil {
				t.Fatal(err)
			}
			return f.svc.Hook(ctx, v, ingest.Delivery{ID: "msg_" + id, Timestamp: fmt.Sprint(at.Unix()), Signature: sig, Body: body})
		}
		for _, c := range []struct {
			name, secret, id string
			at               time.Time
			ok               bool
		}{
			{"old secret during rotation", oldValue, "w-1", f.now, true},
			{"new secret", newValue, "w-2", f.now, true},
			{"timestamp 6 minutes old", newValue, "w-3", f.now.Add(-6 * time.Minute), false},
			{"unknown secret", stdwebhook.NewSecret(), "w-4", f.now, false},
		} {
			r, err := deliver(c.secret, c.id, c.at)
			if c.ok != (err == nil) || (c.ok && r.Status != ingest.Received) {
				t.Errorf("%s: %+v, %v", c.name, r, err)
			}
		}
		if err := f.svc.RevokeSecret(ctx, f.admin, f.vendor.VendorID, old.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := deliver(oldValue, "w-5", f.now); !apperr.Is(err, apperr.Unauthorized) {
			t.Errorf("revoked secret: %v, want unauthorized", err)
		}
		if _, err := f.svc.HookVendor(ctx, f.slug, "nobody"); !apperr.Is(err, apperr.Unauthorized) {
			t.Errorf("unknown source: %v, want unauthorized", err)
		}
	})
}

func TestArchiveWriteOnce(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		a, err := f.accept(t, envelope("vendorA", "arch-1", `{"a":1}`))
		if err != nil {
			t.Fatal(err)
		}
		b, err := f.accept(t, envelope("vendorA", "arch-2", `{"a":2}`))
		if err != nil {
			t.Fatal(err)
		}
		// Someone put other bytes under b's key: an alarm, never an overwrite.
		if _, err := f.blobs.Put(ctx, b.RawRef.Key, strings.NewReader("tampered")); err != nil {
			t.Fatal(err)
		}
		n, err := f.svc.Archive(ctx, f.admin.TenantID)
		if err != nil || n != 1 {
			t.Fatalf("archived %d, %v; want 1", n, err)
		}
		rc, err := f.blobs.Get(ctx, a.RawRef.Key)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(rc)
		rc.Close()
		if string(got) != string(envelope("vendorA", "arch-1", `{"a":1}`)) {
			t.Errorf("archived bytes %q", got)
		}
		eb, err := f.svc.Event(ctx, f.admin, b.IngestID)
		if err != nil {
			t.Fatal(err)
		}
		if eb.ArchivedAt != nil || !strings.Contains(eb.ArchiveError, "other bytes") {
			t.Errorf("tampered key: archived %v, error %q", eb.ArchivedAt, eb.ArchiveError)
		}
		rc, _ = f.blobs.Get(ctx, b.RawRef.Key)
		got, _ = io.ReadAll(rc)
		rc.Close()
		if string(got) != "tampered" {
			t.Errorf("the object under the key was overwritten: %q", got)
		}
		if n, err := f.svc.Archive(ctx, f.admin.TenantID); err != nil || n != 0 {
			t.Errorf("second round archived %d, %v; want 0", n, err)
		}
		ea, _ := f.svc.Event(ctx, f.admin, a.IngestID)
		if ea.ArchivedAt == nil {
			t.Error("the archived event is not marked")
		}
		if err := db.InTx(ctx, func(tx *sqlstore.Tx) error {
			_, err := tx.SQL().ExecContext(ctx, rebind(db, `UPDATE ingest_events SET raw = ? WHERE id = ?`), []byte("{}"), a.IngestID)
			return err
		}); err == nil || errors.Is(err, context.Canceled) {
			t.Errorf("rewriting raw bytes: %v, want refused", err)
		}
	})
}

func rebind(db *sqlstore.DB, q string) string {
	if db.Dialect != sqlstore.Postgres {
		return q
	}
	return strings.Replace(strings.Replace(q, "?", "$1", 1), "?", "$2", 1)
}

// TestVerifyFindsRot: verify re-hashes the stored and archived bytes of a
// window and names the event whose archived object changed.
func TestVerifyFindsRot(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		var ids []string
		for i := range 3 {
			r, err := f.accept(t, envelope("vendorA", fmt.Sprint("v-", i), fmt.Sprintf(`{"n":%d}`, i)))
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, r.IngestID)
		}
		if _, err := f.svc.Archive(ctx, f.admin.TenantID); err != nil {
			t.Fatal(err)
		}
		r, err := f.svc.Verify(ctx, f.admin.TenantID, f.now.Add(-time.Hour), nil)
		if err != nil || r.Checked != 3 || r.Archived != 3 || len(r.Mismatches) != 0 {
			t.Fatalf("intact window: %+v, %v", r, err)
		}
		// Bit rot in the archived copy of the second event: a row of the
		// local store's pack, where objects of this size live.
		pack, err := sql.Open("sqlite", filepath.Join(f.dir, "blobs", ".objects.db"))
		if err != nil {
			t.Fatal(err)
		}
		defer pack.Close()
		res, err := pack.Exec(`UPDATE objects SET data = ? WHERE key LIKE ?`, []byte(`{"rotten":true}`), "%/"+ids[1]+".json")
		if err != nil {
			t.Fatal(err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			t.Fatalf("archived object not found in the pack (%d rows)", n)
		}
		r, err = f.svc.Verify(ctx, f.admin.TenantID, f.now.Add(-time.Hour), nil)
		if err != nil || len(r.Mismatches) != 1 || r.Mismatches[0].IngestID != ids[1] {
			t.Fatalf("after rot: %+v, %v; want one mismatch naming %s", r, err, ids[1])
		}
		r, _ = f.svc.Verify(ctx, f.admin.TenantID, f.now.Add(time.Hour), nil)
		if r.Checked != 0 {
			t.Errorf("a window after the events checked %d", r.Checked)
		}
	})
}

package dispatch_test

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/vendorsync/vendorsync/internal/notify"
	"github.com/vendorsync/vendorsync/internal/notify/dispatch"
	"github.com/vendorsync/vendorsync/internal/notify/dispatch/dispatchtest"
	"github.com/vendorsync/vendorsync/internal/registry"
	"github.com/vendorsync/vendorsync/internal/score"
	"github.com/vendorsync/vendorsync/internal/sqlstore"
	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
)

// TestScoreBandDeliveryReadsTheFrozenPayload: a vendor crosses into the
// critical band while the mail server is down; the tenant and the vendor
// are renamed before the email's retry. The retried email, like the page
// sent before the renaming, names the vendor as it was when it crossed,
// and the entries' frozen snapshots are unchanged.
func TestScoreBandDeliveryReadsTheFrozenPayload(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		f := dispatchtest.New(t, db, start)
		v := 5.0
		rs, err := f.Scores.Submit(ctx, f.Admin, "rest", []score.Submission{{EventID: "incident-1",
			VendorRef: score.VendorRef{ID: f.Vendor.ID}, Code: "security_incident_count", Value: &v,
			ObservedAt: start.Add(-time.Hour)}})
		if err != nil || rs[0].Outcome != score.Accepted {
			t.Fatalf("submit: %+v %v", rs, err)
		}
		vs, err := f.Scores.Rescore(ctx, f.Tenant, f.Vendor.ID)
		if err != nil || vs.Band != score.Critical {
			t.Fatalf("rescore: band %s, %v; want critical", vs.Band, err)
		}
		if err := f.SMTP.Close(); err != nil {
			t.Fatal(err)
		}
		if n := f.RunPlanJobs(t); n != 1 {
			t.Fatalf("%d plan jobs, want the band crossing's one", n)
		}
		before := map[string][]byte{}
		for _, e := range f.Log(t) {
			if e.Kind != notify.KindScoreBand {
				t.Fatalf("unexpected notification %s", e.Kind)
			}
			before[e.DedupKey] = snapshotJSON(t, e)
		}
		res := f.DeliverQueued(t, false)
		queued := 0
		for key, r := range res {
			if r.Status == dispatch.Queued {
				queued++
			} else if r.Status != dispatch.Sent {
				t.Errorf("%s: %s %v", key, r.Status, r.Err)
			}
		}
		if queued == 0 || len(f.PD.Events()) != 1 {
			t.Fatalf("%d emails left to retry, %d pages, entries %v; want some emails and a page", queued, len(f.PD.Events()), targets(f.Log(t)))
		}

		if _, err := db.WritePool().ExecContext(ctx, `UPDATE tenants SET name = 'Renamed Tenant' WHERE id = `+placeholder(db), f.Tenant); err != nil {
			t.Fatal(err)
		}
		reg := &registry.Service{Store: db}
		if _, err := reg.UpdateVendor(ctx, f.Admin, f.Vendor.ID, func(v *registry.Vendor) { v.Name = "Renamed Vendor" }); err != nil {
			t.Fatal(err)
		}
		back := smtptestAt(t, f)
		for key, r := range f.DeliverQueued(t, false) {
			if r.Status != dispatch.Sent {
				t.Errorf("%s after the renaming: %s %v", key, r.Status, r.Err)
			}
		}
		if len(back.Messages()) != queued {
			t.Fatalf("%d emails delivered on retry, want %d", len(back.Messages()), queued)
		}
		var sent [][]byte
		for _, m := range back.Messages() {
			sent = append(sent, m.Data)
		}
		for _, c := range f.Slack.Calls() {
			if c.Method == "chat.postMessage" {
				sent = append(sent, []byte(c.Form["text"]+c.Form["blocks"]))
			}
		}
		sent = append(sent, f.PD.Bodies()...)
		for i, b := range sent {
			if bytes.Contains(b, []byte("Renamed")) || !bytes.Contains(b, []byte("Visa")) {
				t.Errorf("message %d names the vendor as it is now, or not at all: %s", i, short(b))
			}
		}
		for _, e := range f.Log(t) {
			if got := snapshotJSON(t, e); !bytes.Equal(got, before[e.DedupKey]) {
				t.Errorf("%s: snapshot changed after the renaming:\n%s\n%s", e.DedupKey, before[e.DedupKey], got)
			}
		}
	})
}

func snapshotJSON(t *testing.T, e dispatch.LogEntry) []byte {
	t.Helper()
	b, err := json.Marshal(e.Snapshot)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// placeholder is the first argument's placeholder on db's engine.
func placeholder(db *sqlstore.DB) string {
	if db.Dialect == sqlstore.Postgres {
		return "$1"
	}
	return "?"
}

func short(b []byte) string {
	s := strings.ReplaceAll(string(b), "\r\n", " ")
	if len(s) > 300 {
		s = s[:300]
	}
	return s
}

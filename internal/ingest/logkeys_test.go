package ingest_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"maps"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/ingest"
	"github.com/vendorsync/vendorsync/internal/sqlstore"
	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
)

// lockedBuffer is a log destination safe for concurrent writers.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) records(t *testing.T) []map[string]any {
	t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []map[string]any
	sc := bufio.NewScanner(bytes.NewReader(l.b.Bytes()))
	for sc.Scan() {
		var r map[string]any
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("log line %q: %v", sc.Text(), err)
		}
		out = append(out, r)
	}
	return out
}

// TestPipelineLogLinesNameTheEvent: every log line the pipeline writes
// about an event (accept, duplicate, conflict, normalize, drift, delivery,
// replay) carries its ingestId, the vendor key as vendorId and its
// externalEventId.
func TestPipelineLogLinesNameTheEvent(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		f := driftFixture(t, db)
		logs := &lockedBuffer{}
		f.svc.Logger = slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
		rcv := newReceiver(t)
		rcv.setAnswer(func(_ int, w http.ResponseWriter) { http.Error(w, "busy", http.StatusServiceUnavailable) })
		f.subscribe(t, ingest.SubscriptionInput{URL: rcv.srv.URL})
		f.send(t, "base", repeat(40, withLot(""))...)
		f.send(t, "color", repeat(3, withLot(`,"color":"red"`))...)
		bad := f.mustAccept(t, envelope("vendorA", "bad-0", `{"sku":"ABC-001","qty":"twelve","warehouse":"ROA"}`))
		f.normalize(t)
		if r, err := f.accept(t, envelope("vendorA", "base-1", withLot("")(1))); err != nil || r.Status != ingest.Duplicate {
			t.Fatalf("resend = %+v, %v", r, err)
		}
		if _, err := f.accept(t, envelope("vendorA", "base-1", `{"sku":"ABC-001","qty":99}`)); !apperr.Is(err, apperr.Conflict) {
			t.Fatalf("resend with another payload: %v", err)
		}
		if f.deliver(t) == 0 {
			t.Fatal("nothing delivered")
		}
		if _, err := f.svc.ReplayTenant(context.Background(), f.vendor.TenantID, ingest.Selection{IngestID: bad}, nil); err != nil {
			t.Fatal(err)
		}

		seen := map[string]bool{}
		for _, r := range logs.records(t) {
			msg, _ := r["msg"].(string)
			if !strings.HasPrefix(msg, "ingest ") {
				continue
			}
			seen[strings.SplitN(msg, ":", 2)[0]] = true
			id, _ := r["ingestId"].(string)
			ext, _ := r["externalEventId"].(string)
			if id == "" || r["vendorId"] != "vendorA" || ext == "" {
				t.Errorf("%q: ingestId %q, vendorId %v, externalEventId %q; want all three, vendorId the vendor key", msg, id, r["vendorId"], ext)
			}
		}
		for _, want := range []string{"ingest accepted", "ingest duplicate", "ingest conflict", "ingest event not normalized",
			"ingest drift", "ingest delivery failed; retrying", "ingest event replayed"} {
			if !seen[want] {
				t.Errorf("no %q line among %v", want, slices.Sorted(maps.Keys(seen)))
			}
		}
	})
}

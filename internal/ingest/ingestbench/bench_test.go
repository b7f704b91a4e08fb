package ingestbench_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vendorsync/vendorsync/internal/ingest/ingestbench"
)

// TestVerifyCatchesAServerThatStoresTwice: a server that answers 202 with
// a new id to every send (no idempotency) fails the check.
func TestVerifyCatchesAServerThatStoresTwice(t *testing.T) {
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusAccepted)
		fmt.Fprintf(w, `{"ingestId":"id-%d","status":"RECEIVED"}`, n.Add(1))
	}))
	defer srv.Close()
	r, err := ingestbench.Run(t.Context(), ingestbench.Config{URL: srv.URL, Key: "k", Vendor: "v", Rate: 200,
		Concurrency: 4, Duration: 300 * time.Millisecond, Size: 1024, Verify: true})
	if err != nil {
		t.Fatal(err)
	}
	if r.Verified == nil || r.Verified.Missing != r.Accepted || r.Accepted == 0 {
		t.Fatalf("verification %+v of %d accepted; want every one found stored anew", r.Verified, r.Accepted)
	}
}

func TestParseSize(t *testing.T) {
	for in, want := range map[string]int{"1KiB": 1024, "512B": 512, "2k": 2048, "1000": 1000, "1 MiB": 1 << 20} {
		if got, err := ingestbench.ParseSize(in); err != nil || got != want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "huge", "-1KiB", "0"} {
		if _, err := ingestbench.ParseSize(in); err == nil {
			t.Errorf("ParseSize(%q) succeeded", in)
		}
	}
}

package ingestbench_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vendorsync/vendorsync/internal/ingest"
	"github.com/vendorsync/vendorsync/internal/ingest/ingestbench"
	"github.com/vendorsync/vendorsync/internal/stdwebhook"
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

// TestEventsAreEnvelopesOfTheSize: the events sent are envelopes the
// server parses, event 0 is exactly --size bytes, the same event number
// always gives the same bytes and signed deliveries verify.
func TestEventsAreEnvelopesOfTheSize(t *testing.T) {
	secret := stdwebhook.NewSecret()
	var bodies sync.Map // event id → body
	var bad atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		env, err := ingest.ParseEnvelope(b)
		verr := stdwebhook.Verify([]string{secret}, r.Header.Get("webhook-id"), r.Header.Get("webhook-timestamp"),
			r.Header.Get("webhook-signature"), b, time.Now())
		if err != nil || verr != nil || env.VendorID != "v" {
			bad.Add(1)
			t.Errorf("event %s: %v, signature %v", b, err, verr)
			w.WriteHeader(http.StatusUnprocessableEntity)
			return
		}
		if strings.HasSuffix(env.ExternalEventID, "-0") && len(b) != 777 {
			t.Errorf("event 0 is %d bytes, want 777", len(b))
		}
		if prev, loaded := bodies.LoadOrStore(env.ExternalEventID, string(b)); loaded && prev != string(b) {
			t.Errorf("event %s sent as %s and as %s", env.ExternalEventID, prev, b)
		}
		w.WriteHeader(http.StatusAccepted)
		fmt.Fprintf(w, `{"ingestId":"id-%s","status":"RECEIVED"}`, env.ExternalEventID)
	}))
	defer srv.Close()
	r, err := ingestbench.Run(t.Context(), ingestbench.Config{URL: srv.URL, Secret: secret, Tenant: "t", Vendor: "v", Rate: 300,
		Concurrency: 4, Duration: 300 * time.Millisecond, Size: 777, DupRatio: 0.3, Verify: true})
	if err != nil {
		t.Fatal(err)
	}
	if r.Accepted == 0 || bad.Load() > 0 {
		t.Fatalf("%d accepted, %d refused", r.Accepted, bad.Load())
	}
	if r.Verified == nil || r.Verified.Mismatched != 0 {
		t.Fatalf("verification %+v: every event's answer names its own id", r.Verified)
	}
}

// TestAnswersInEveryFraming: answers with a length, chunked ones (with a
// trailer) and ones that close the connection are all read, and the
// connection after each still carries the next request.
func TestAnswersInEveryFraming(t *testing.T) {
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := io.ReadAll(r.Body); err != nil {
			t.Error(err)
		}
		k := n.Add(1)
		switch k % 3 {
		case 1: // chunked, with a trailer
			w.Header().Set("Trailer", "X-Done")
			w.WriteHeader(http.StatusAccepted)
			fmt.Fprintf(w, `{"ingestId":"id-%d",`, k)
			w.(http.Flusher).Flush()
			fmt.Fprint(w, `"status":"RECEIVED"}`)
			w.Header().Set("X-Done", "yes")
		case 2: // the connection closes after the answer
			w.Header().Set("Connection", "close")
			w.WriteHeader(http.StatusAccepted)
			fmt.Fprintf(w, `{"ingestId":"id-%d","status":"RECEIVED"}`, k)
		default:
			w.WriteHeader(http.StatusAccepted)
			fmt.Fprintf(w, `{"ingestId":"id-%d","status":"RECEIVED"}`, k)
		}
	}))
	defer srv.Close()
	r, err := ingestbench.Run(t.Context(), ingestbench.Config{URL: srv.URL, Key: "k", Vendor: "v", Rate: 300,
		Concurrency: 2, Duration: 300 * time.Millisecond, Size: 1024})
	if err != nil {
		t.Fatal(err)
	}
	if r.Errors != 0 || r.Accepted < 30 || r.Accepted != r.Statuses[http.StatusAccepted] || len(r.Problems) != 0 {
		t.Fatalf("%d accepted, %d without an answer %v, problems %v", r.Accepted, r.Errors, r.ErrorSamples, r.Problems)
	}
}

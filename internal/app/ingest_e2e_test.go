package app_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vendorsync/vendorsync/internal/app"
)

// TestIngestEndToEnd runs the binary: an admin sets a vendor up for ingest,
// the vendor sends events concurrently (some twice), every 2xx'd event is
// stored once, and the archive worker writes each one's bytes to the blob
// store, which `ingest verify` then re-hashes.
func TestIngestEndToEnd(t *testing.T) {
	eachEngine(t, func(t *testing.T, dbURL string) {
		env := envOf("VENDORSYNC_DATABASE_URL", dbURL)
		dir := t.TempDir()
		s := startServe(t, env, "--data-dir", dir)
		admin, ingestKey, vendorID := ingestVendor(t, dir, env, s.URL)
		var out bytes.Buffer

		const n = 200
		var mu sync.Mutex
		status := map[int]int{}
		var wg sync.WaitGroup
		for w := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := w; i < n; i += 8 {
					for range 1 + i%2 { // every other event twice
						body := fmt.Sprintf(`{"vendorId":"vendorA","externalEventId":"e-%d","eventType":"inventory_update",`+
							`"occurredAt":"2026-01-30T20:15:12Z","payload":{"sku":"S-%d","qty":%d}}`, i, i, i)
						req, _ := http.NewRequest(http.MethodPost, s.URL+"/api/v1/ingest/events", strings.NewReader(body))
						req.Header.Set("Authorization", "Bearer "+ingestKey)
						req.Header.Set("Content-Type", "application/json")
						res, err := http.DefaultClient.Do(req)
						if err != nil {
							t.Error(err)
							return
						}
						_, _ = io.Copy(io.Discard, res.Body)
						res.Body.Close()
						mu.Lock()
						status[res.StatusCode]++
						mu.Unlock()
					}
				}
			}()
		}
		wg.Wait()
		if status[http.StatusAccepted] != n || status[http.StatusOK] != n/2 || len(status) != 2 {
			t.Fatalf("answers %v, want %d × 202 and %d × 200", status, n, n/2)
		}
		// Every accepted event is listed once, and archived by the worker.
		deadline := time.Now().Add(30 * time.Second)
		for {
			var page struct {
				Items []struct {
					ID         string     `json:"ingestId"`
					ArchivedAt *time.Time `json:"archivedAt"`
				} `json:"items"`
			}
			api(t, http.MethodGet, s.URL+"/api/v1/ingest/events?limit=500", admin, nil, &page)
			archived := 0
			for _, e := range page.Items {
				if e.ArchivedAt != nil {
					archived++
				}
			}
			if len(page.Items) != n {
				t.Fatalf("%d events stored, want %d", len(page.Items), n)
			}
			if archived == n {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%d of %d events archived after 30s", archived, n)
			}
			time.Sleep(200 * time.Millisecond)
		}
		out.Reset()
		if err := runCLI(dir, env, &out, "ingest", "verify", "--since", "1h"); err != nil || !strings.Contains(out.String(), fmt.Sprintf("%d events since", n)) ||
			!strings.Contains(out.String(), fmt.Sprintf("(%d archived), 0 mismatches", n)) {
			t.Fatalf("ingest verify: %v\n%s", err, out.String())
		}
		replayWithCLI(t, dir, env, s.URL, admin, vendorID, n)
	})
}

// ingestVendor sets Vendor A (vendora.example) up for ingest on the
// server at base, with an admin API key made by the CLI on dir; it returns
// the admin key, the vendor's ingest key and the vendor's id.
func ingestVendor(t *testing.T, dir string, env func(string) string, base string) (admin, ingestKey, vendorID string) {
	t.Helper()
	var out bytes.Buffer
	if err := runCLI(dir, env, &out, "apikey", "create", "e2e", "--role", "admin"); err != nil {
		t.Fatalf("apikey create: %v\n%s", err, out.String())
	}
	m := apiKeyLine.FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("apikey create printed no key:\n%s", out.String())
	}
	admin = m[1]
	var vendor struct {
		ID string `json:"id"`
	}
	api(t, http.MethodPost, base+"/api/v1/vendors", admin, map[string]any{"name": "Vendor A", "tier": "tier_2",
		"email_domains": []string{"vendora.example"}}, &vendor)
	api(t, http.MethodPut, base+"/api/v1/ingest/vendors/"+vendor.ID, admin, map[string]any{"vendor_key": "vendorA",
		"rate_per_second": 100000, "burst": 100000}, nil)
	var created struct {
		Key string `json:"key"`
	}
	api(t, http.MethodPost, base+"/api/v1/ingest/vendors/"+vendor.ID+"/keys", admin, map[string]any{"name": "push"}, &created)
	return admin, created.Key, vendor.ID
}

// replayWithCLI fixes the vendor's events (quarantined for want of a
// mapping) with a schema and a mapping, then replays them with
// `vendorsync ingest replay`, twice: the second changes nothing.
func replayWithCLI(t *testing.T, dir string, env func(string) string, base, admin, vendorID string, n int) {
	t.Helper()
	var out bytes.Buffer
	if err := runCLI(dir, env, &out, "ingest", "replay", "--tenant", "default", "--vendor", "vendorA", "--dry-run"); err != nil ||
		!strings.Contains(out.String(), fmt.Sprintf("default: %d events selected", n)) {
		t.Fatalf("ingest replay --dry-run: %v\n%s", err, out.String())
	}
	api(t, http.MethodPost, base+"/api/v1/ingest/schemas", admin, map[string]any{"kind": "vendor", "vendor_id": vendorID,
		"event_type": "inventory_update", "schema_version": "1",
		"schema": map[string]any{"type": "object", "required": []string{"sku", "qty"}}}, nil)
	api(t, http.MethodPost, base+"/api/v1/ingest/mappings", admin, map[string]any{"vendor_id": vendorID, "event_type": "inventory_update",
		"target_type": "InventoryUpdated", "expression": `{sku: .sku, warehouseId: "MAIN", quantityOnHand: .qty}`}, nil)
	for round := range 2 {
		out.Reset()
		err := runCLI(dir, env, &out, "ingest", "replay", "--tenant", "default", "--vendor", "vendorA", "--since", "1h")
		if err != nil || !strings.Contains(out.String(), fmt.Sprintf("default: replayed %d/%d events", n, n)) ||
			!strings.Contains(out.String(), fmt.Sprintf("default: %d events replayed in", n)) ||
			!strings.Contains(out.String(), fmt.Sprintf(": %d normalized, 0 quarantined, 0 failed", n)) {
			t.Fatalf("ingest replay (round %d): %v\n%s", round, err, out.String())
		}
		var page struct {
			Items []struct {
				Revision int `json:"revision"`
			} `json:"items"`
		}
		api(t, http.MethodGet, base+"/api/v1/events?type=InventoryUpdated&limit=500", admin, nil, &page)
		if len(page.Items) != n {
			t.Fatalf("round %d: %d normalized events, want %d", round, len(page.Items), n)
		}
		for _, it := range page.Items {
			if it.Revision != 1 {
				t.Fatalf("round %d: revision %d, want 1 (same bytes, same mapping)", round, it.Revision)
			}
		}
	}
	out.Reset()
	if err := runCLI(dir, env, &out, "ingest", "replay", "--tenant", "default"); err == nil || !strings.Contains(err.Error(), "choose events") {
		t.Fatalf("a replay without a selection: %v\n%s", err, out.String())
	}
	if err := runCLI(dir, env, &out, "ingest", "replay", "--tenant", "default", "--ingest-id", "01J0000000000000000000000Z"); err == nil {
		t.Fatal("a replay of an unknown event succeeded")
	}
}

// runCLI runs a command of the binary against dataDir with env, writing
// what it prints to out.
func runCLI(dataDir string, env func(string) string, out *bytes.Buffer, args ...string) error {
	return app.Run(context.Background(), append(args, "--data-dir", dataDir), env, out, out)
}

package web_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"

	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/loadgen"
	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
)

// Sizes of the vendor-list benchmark: a registry of a large organisation,
// another tenant beside it, and the first page at the default page size.
const (
	benchVendors      = 1000
	benchOtherVendors = 200
	benchPageSize     = 50
)

// BenchmarkAPIVendorList measures GET /api/v1/vendors with a viewer's API
// key, through the real router, middleware and authentication over a real
// loopback connection: the first page (default size) of a tenant with
// benchVendors vendors, beside a bare net/http handler answering the same
// bytes through the same client. The ratio of the two is the figure to
// watch.
//
//	go test -run '^$' -bench BenchmarkAPIVendorList -benchtime 3s ./internal/web/
func BenchmarkAPIVendorList(b *testing.B) {
	for _, d := range storetest.Dialects(b) {
		b.Run(string(d), func(b *testing.B) {
			e := newEnv(b, d)
			_, otherKey := e.newTenant("other")
			fillVendors(e, otherKey, "Other", benchOtherVendors)
			fillVendors(e, e.key, "Bench", benchVendors)
			key := e.newKey(e.tenant, auth.RoleViewer)
			url := e.http.URL + "/api/v1/vendors"
			first := e.do("GET", "/api/v1/vendors", key, nil)
			wantStatus(b, first, http.StatusOK)
			var page struct {
				Items      []json.RawMessage `json:"items"`
				NextCursor string            `json:"next_cursor"`
			}
			first.JSON(b, &page)
			if len(page.Items) != benchPageSize || page.NextCursor == "" {
				b.Fatalf("first page: %d vendors, cursor %q; want %d and a cursor", len(page.Items), page.NextCursor, benchPageSize)
			}
			b.Run("api", func(b *testing.B) { hammer(b, url, key) })

			bare := http.NewServeMux()
			bare.HandleFunc("GET /api/v1/vendors", func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.Write(first.Body)
			})
			srv := startBare(b, bare)
			b.Run("bare", func(b *testing.B) { hammer(b, srv+"/api/v1/vendors", key) })
		})
	}
}

// fillVendors creates n vendors through the API, shaped as a registry's
// vendors are: a tier, one or two mail domains, an alias, a website and a
// short note.
func fillVendors(e *env, key, prefix string, n int) {
	tiers := []string{"tier_1", "tier_2", "tier_2", "tier_3"}
	for i := range n {
		domains := []string{fmt.Sprintf("%s-vendor%04d.example", prefix, i)}
		if i%3 == 0 {
			domains = append(domains, fmt.Sprintf("mail.%s-vendor%04d.example", prefix, i))
		}
		created(e, key, "/api/v1/vendors", map[string]any{
			"name": fmt.Sprintf("%s Vendor %04d", prefix, i), "tier": tiers[i%len(tiers)],
			"email_domains": domains, "aliases": []string{fmt.Sprintf("%sV%04d", prefix, i)},
			"website": fmt.Sprintf("https://www.%s-vendor%04d.example", prefix, i),
			"notes":   "Account manager reachable through the support portal; contract renews yearly.",
		})
	}
}

// hammer sends GETs from parallel clients and fails on any non-200. It
// reports the CPU time of the whole process (clients and server) per
// request beside the wall time, which on a machine shared with other work
// moves with the neighbours' load. A PostgreSQL server's own CPU is not in
// it.
func hammer(b *testing.B, url, key string) {
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	b.SetParallelism(16)
	cpu0, _ := loadgen.ProcessCPU(os.Getpid())
	defer func() {
		if cpu, err := loadgen.ProcessCPU(os.Getpid()); err == nil && b.N > 0 {
			b.ReportMetric(float64((cpu-cpu0).Microseconds())/float64(b.N), "cpu-µs/op")
		}
	}()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req, _ := http.NewRequest("GET", url, nil)
			req.Header.Set("Authorization", "Bearer "+key)
			res, err := client.Do(req)
			if err != nil {
				b.Error(err)
				return
			}
			io.Copy(io.Discard, res.Body)
			res.Body.Close()
			if res.StatusCode != http.StatusOK {
				b.Errorf("status %d", res.StatusCode)
				return
			}
		}
	})
}

// startBare serves h on a loopback test server for the life of b.
func startBare(b *testing.B, h http.Handler) string {
	s := httptest.NewServer(h)
	b.Cleanup(s.Close)
	return s.URL
}

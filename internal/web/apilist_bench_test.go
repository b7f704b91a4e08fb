package web_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
)

// BenchmarkAPIVendorList measures GET /api/v1/vendors with an API key over a
// real loopback connection, beside a bare net/http handler answering the same
// bytes through the same client: the ratio of the two is the figure to watch.
//
//	go test -run '^$' -bench BenchmarkAPIVendorList -benchtime 5s ./internal/web/
func BenchmarkAPIVendorList(b *testing.B) {
	for _, d := range storetest.Dialects(b) {
		b.Run(string(d), func(b *testing.B) {
			e := newEnv(b, d)
			for i := range 11 {
				created(e, e.key, "/api/v1/vendors", map[string]any{
					"name": fmt.Sprintf("Bench Vendor %02d", i), "tier": "tier_2",
					"email_domains": []string{fmt.Sprintf("vendor%02d.example", i)},
				})
			}
			key := e.newKey(e.tenant, auth.RoleViewer)
			url := e.http.URL + "/api/v1/vendors"
			first := e.do("GET", "/api/v1/vendors", key, nil)
			wantStatus(b, first, http.StatusOK)
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

// hammer sends GETs from parallel clients and fails on any non-200.
func hammer(b *testing.B, url, key string) {
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	b.SetParallelism(16)
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

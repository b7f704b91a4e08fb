package app_test

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
)

// TestIngestRefusalsSurviveAStop: requests a server refused are in the
// vendor's traffic after the server stops and starts again, although it
// stopped before its next periodic flush.
func TestIngestRefusalsSurviveAStop(t *testing.T) {
	eachEngine(t, func(t *testing.T, dbURL string) {
		env := envOf("VENDORSYNC_DATABASE_URL", dbURL)
		dir := t.TempDir()
		s := startServe(t, env, "--data-dir", dir)
		admin, ingestKey, vendorID := ingestVendor(t, dir, env, s.URL)
		for i := range 3 {
			req, _ := http.NewRequest(http.MethodPost, s.URL+"/api/v1/ingest/events", strings.NewReader(fmt.Sprintf(`{"vendorId":"vendorA","n":%d}`, i)))
			req.Header.Set("Authorization", "Bearer "+ingestKey)
			req.Header.Set("Content-Type", "application/json")
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, res.Body)
			res.Body.Close()
			if res.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("a bad envelope: %d, want 422", res.StatusCode)
			}
		}
		if err := s.stop(); err != nil {
			t.Fatal(err)
		}
		s = startServe(t, env, "--data-dir", dir)
		var tr struct {
			Total struct {
				Refused int `json:"refused"`
			} `json:"total"`
		}
		api(t, http.MethodGet, s.URL+"/api/v1/ingest/vendors/"+vendorID+"/traffic", admin, nil, &tr)
		if tr.Total.Refused != 3 {
			t.Errorf("refused after a restart = %d, want 3", tr.Total.Refused)
		}
	})
}

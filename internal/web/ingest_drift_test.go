package web_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/vendorsync/vendorsync/internal/ingest"
	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
)

// TestIngestDriftAPI: a vendor's drift, quality and profiles answer for a
// vendor set up for ingest; acknowledging an unknown drift is a 404.
func TestIngestDriftAPI(t *testing.T) {
	t.Parallel()
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, d)
			s := ingestVendorFixture(e, e.key, "vendorA")
			base := "/api/v1/ingest/vendors/" + s.VendorID
			res := e.do(http.MethodGet, base+"/drift?open=true", e.key, nil)
			wantStatus(t, res, http.StatusOK)
			var ds []ingest.Drift
			res.JSON(t, &ds)
			if ds == nil || len(ds) != 0 {
				t.Errorf("drift = %s, want []", res.Body)
			}
			res = e.do(http.MethodGet, base+"/quality", e.key, nil)
			wantStatus(t, res, http.StatusOK)
			var qs []ingest.Quality
			res.JSON(t, &qs)
			if len(qs) != 2 || qs[0].Days != 7 || qs[1].Days != 30 || qs[0].Score != 100 {
				t.Errorf("quality = %s", res.Body)
			}
			res = e.do(http.MethodGet, base+"/profiles", e.key, nil)
			wantStatus(t, res, http.StatusOK)
			res = e.do(http.MethodPost, base+"/drift/01JUNKNOWN/acknowledge", e.key, nil)
			wantStatus(t, res, http.StatusNotFound)
			res = e.do(http.MethodGet, "/api/v1/ingest/vendors/nope/quality", e.key, nil)
			wantStatus(t, res, http.StatusNotFound)
		})
	}
}

// TestIngestAccessLogNamesTheEvent: the access log line of an accept
// names the event as the pipeline's lines do: ingestId, the vendor key as
// vendorId, and externalEventId.
func TestIngestAccessLogNamesTheEvent(t *testing.T) {
	t.Parallel()
	e := newEnv(t, storetest.Dialects(t)[0])
	site := e.serve(nil)
	s := ingestVendorFixture(e, e.key, "logvendor")
	res := site.do(e, http.MethodPost, "/api/v1/ingest/events", s.Key, envelopeJSON("logvendor", "po-1", `{"sku":"A","qty":1}`))
	wantStatus(t, res, http.StatusAccepted)
	var r ingest.AcceptResult
	res.JSON(t, &r)
	var line map[string]any
	for _, l := range strings.Split(site.logs.String(), "\n") {
		var m map[string]any
		if json.Unmarshal([]byte(l), &m) == nil && m["msg"] == "http" && m["path"] == "/api/v1/ingest/events" {
			line = m
		}
	}
	if line == nil || line["ingestId"] != r.IngestID || line["vendorId"] != "logvendor" || line["externalEventId"] != "po-1" {
		t.Errorf("access log line = %v, want ingestId %s, vendorId logvendor, externalEventId po-1", line, r.IngestID)
	}
}

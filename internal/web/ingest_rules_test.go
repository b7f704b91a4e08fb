package web_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/ingest"
	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
)

// inventorySchema is a vendor's inventory payload: sku, qty and warehouse.
const inventorySchema = `{"type":"object","required":["sku","qty","warehouse"],` +
	`"properties":{"sku":{"type":"string"},"qty":{"type":"number"},"warehouse":{"type":"string"}}}`

const (
	mappingV1 = `{sku: .sku, warehouseId: .warehouse, quantityOnHand: .qty}`
	mappingV2 = `{sku: .sku, warehouseId: .warehouse, quantityOnHand: .qty, unitOfMeasure: "EA"}`
)

// normalizeNow runs the normalization job's work for the env's tenant.
func normalizeNow(e *env) {
	e.t.Helper()
	svc := &ingest.Service{Store: e.db, Blobs: reportBlobs(e)}
	if _, err := svc.Normalize(e.t.Context(), e.tenant.ID); err != nil {
		e.t.Fatal(err)
	}
}

// acceptEvent sends one inventory event with an ingest key and returns its id.
func acceptEvent(e *env, s ingestSetup, vendorKey, id, payload string) string {
	e.t.Helper()
	res := e.do(http.MethodPost, "/api/v1/ingest/events", s.Key, envelopeJSON(vendorKey, id, payload))
	wantStatus(e.t, res, http.StatusAccepted)
	var out ingest.AcceptResult
	res.JSON(e.t, &out)
	return out.IngestID
}

func uploadInventorySchema(e *env, key, vendorID string) ingest.Schema {
	e.t.Helper()
	res := e.do(http.MethodPost, "/api/v1/ingest/schemas", key, map[string]any{"kind": "vendor", "vendor_id": vendorID,
		"event_type": "inventory_update", "schema_version": "1", "schema": json.RawMessage(inventorySchema)})
	wantStatus(e.t, res, http.StatusCreated)
	var sc ingest.Schema
	res.JSON(e.t, &sc)
	return sc
}

func saveMapping(e *env, key, vendorID, expr string, samples ...string) response {
	e.t.Helper()
	raw := make([]json.RawMessage, len(samples))
	for i, s := range samples {
		raw[i] = json.RawMessage(s)
	}
	return e.do(http.MethodPost, "/api/v1/ingest/mappings", key, map[string]any{"vendor_id": vendorID, "event_type": "inventory_update",
		"target_type": "InventoryUpdated", "expression": expr, "samples": raw})
}

func replay(e *env, sel map[string]any) ingest.ReplayResult {
	e.t.Helper()
	res := e.do(http.MethodPost, "/api/v1/ingest/replays", e.key, sel)
	wantStatus(e.t, res, http.StatusOK)
	var out ingest.ReplayResult
	res.JSON(e.t, &out)
	return out
}

func normalizedOf(e *env, ingestID string) ingest.NormalizedHistory {
	e.t.Helper()
	res := e.do(http.MethodGet, "/api/v1/ingest/events/"+ingestID+"/normalized", e.key, nil)
	wantStatus(e.t, res, http.StatusOK)
	// The answer links its schema, as every answer does: its type (and the
	// types it embeds) has no methods that would stop the link being made.
	if !strings.HasPrefix(string(res.Body), `{"$schema":`) {
		e.t.Errorf("the normalized event's answer does not link its schema: %.200s", res.Body)
	}
	var h ingest.NormalizedHistory
	res.JSON(e.t, &h)
	return h
}

// TestIngestRulesRoundTrip: a schema and a mapping through the API, an
// event quarantined for want of a mapping, the mapping fixed, the event
// replayed to NORMALIZED, revised by a new mapping version, and replays
// with an unchanged mapping changing nothing (same SHA-256).
func TestIngestRulesRoundTrip(t *testing.T) {
	t.Parallel()
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, d)
			s := ingestVendorFixture(e, e.key, "vendorA")
			viewer := e.newKey(e.tenant, auth.RoleViewer)

			// Schemas: upload, a second revision, get, list, canonical types.
			first := uploadInventorySchema(e, e.key, s.VendorID)
			second := uploadInventorySchema(e, e.key, s.VendorID)
			if first.Revision != 1 || second.Revision != 2 {
				t.Fatalf("revisions %d, %d", first.Revision, second.Revision)
			}
			res := e.do(http.MethodGet, "/api/v1/ingest/schemas/"+first.ID, viewer, nil)
			wantStatus(t, res, http.StatusOK)
			var got ingest.Schema
			res.JSON(t, &got)
			if got.Revision != 1 || got.VendorID != s.VendorID || !strings.Contains(string(got.Body), `"warehouse"`) {
				t.Errorf("schema: %s", res.Body)
			}
			res = e.do(http.MethodGet, "/api/v1/ingest/schemas?vendor_id="+s.VendorID+"&event_type=inventory_update", viewer, nil)
			var list []ingest.Schema
			res.JSON(t, &list)
			if len(list) != 2 || list[0].Revision != 2 {
				t.Errorf("schema list: %s", res.Body)
			}
			res = e.do(http.MethodGet, "/api/v1/ingest/schemas/builtin:InventoryUpdated-1.0", viewer, nil)
			wantStatus(t, res, http.StatusOK)
			res = e.do(http.MethodGet, "/api/v1/ingest/canonical-types", viewer, nil)
			wantStatus(t, res, http.StatusOK)
			for _, typ := range []string{"InventoryUpdated", "OrderUpdated", "ShipmentUpdated", "PriceUpdated"} {
				if !strings.Contains(string(res.Body), `"name":"`+typ+`"`) {
					t.Errorf("canonical types lack %s: %s", typ, res.Body)
				}
			}
			res = e.do(http.MethodPost, "/api/v1/ingest/schemas", e.key, map[string]any{"kind": "vendor", "vendor_id": s.VendorID,
				"event_type": "inventory_update", "schema_version": "1", "schema": json.RawMessage(`{"type": 12}`)})
			wantProblem(t, res, http.StatusUnprocessableEntity)
			if !strings.Contains(string(res.Body), "body.schema") {
				t.Errorf("a schema that does not compile is not named: %s", res.Body)
			}
			wantProblem(t, e.do(http.MethodPost, "/api/v1/ingest/schemas", viewer, map[string]any{"kind": "vendor"}), http.StatusForbidden)
			wantProblem(t, e.do(http.MethodGet, "/api/v1/ingest/schemas/"+missingID, e.key, nil), http.StatusNotFound)

			// An event of a type with no mapping is quarantined.
			payload := `{"sku":"ABC-001","qty":12,"warehouse":"ROA"}`
			id := acceptEvent(e, s, "vendorA", "inv-1", payload)
			normalizeNow(e)
			res = e.do(http.MethodGet, "/api/v1/ingest/quarantine?reason=unknown_event_type&vendor_id="+s.VendorID, viewer, nil)
			wantStatus(t, res, http.StatusOK)
			var q struct {
				Items []struct {
					ID     string   `json:"ingestId"`
					Status string   `json:"status"`
					Reason string   `json:"reason"`
					Errors []string `json:"errors"`
					RawURL string   `json:"raw_url"`
				} `json:"items"`
			}
			res.JSON(t, &q)
			if len(q.Items) != 1 || q.Items[0].ID != id || q.Items[0].Status != "QUARANTINED" || len(q.Items[0].Errors) == 0 {
				t.Fatalf("quarantine: %s", res.Body)
			}
			raw := e.do(http.MethodGet, q.Items[0].RawURL, viewer, nil)
			wantStatus(t, raw, http.StatusOK)
			if string(raw.Body) != envelopeJSON("vendorA", "inv-1", payload) {
				t.Errorf("raw link gives %s", raw.Body)
			}
			res = e.do(http.MethodGet, "/api/v1/ingest/quarantine?reason=schema_invalid", viewer, nil)
			if strings.Contains(string(res.Body), id) {
				t.Errorf("the reason filter lets the event through: %s", res.Body)
			}
			wantProblem(t, e.do(http.MethodGet, "/api/v1/ingest/quarantine?reason=bored", viewer, nil), http.StatusUnprocessableEntity)
			wantProblem(t, e.do(http.MethodGet, "/api/v1/ingest/quarantine?since=yesterday", viewer, nil), http.StatusUnprocessableEntity)

			// A mapping whose second sample breaks the canonical schema is refused, naming it.
			res = saveMapping(e, e.key, s.VendorID, mappingV1, payload, `{"sku":"X","qty":1}`)
			wantProblem(t, res, http.StatusUnprocessableEntity)
			if !strings.Contains(string(res.Body), "samples[1]") || strings.Contains(string(res.Body), "samples[0]") {
				t.Errorf("422 does not name samples[1] alone: %s", res.Body)
			}
			res = saveMapping(e, e.key, s.VendorID, `{sku: .sku`, payload)
			wantProblem(t, res, http.StatusUnprocessableEntity)
			if !strings.Contains(string(res.Body), "body.expression") {
				t.Errorf("422 does not name the expression: %s", res.Body)
			}

			// Try it: the output, a mapping error, a payload that is not JSON, a broken expression.
			try := func(expr string, payload any) response {
				body := map[string]any{"vendor_id": s.VendorID, "event_type": "inventory_update", "target_type": "InventoryUpdated", "expression": expr}
				if text, ok := payload.(string); ok {
					body["payload_text"] = text
				} else {
					body["payload"] = payload
				}
				return e.do(http.MethodPost, "/api/v1/ingest/mapping-trials", e.key, body)
			}
			res = try(mappingV1, json.RawMessage(payload))
			wantStatus(t, res, http.StatusOK)
			var pv ingest.MappingPreview
			res.JSON(t, &pv)
			if !pv.Valid || string(pv.Data) != `{"quantityOnHand":12,"sku":"ABC-001","warehouseId":"ROA"}` {
				t.Errorf("try it: %s", res.Body)
			}
			for _, c := range []struct {
				expr    string
				payload any
				want    string
			}{
				{`.sku | tonumber`, json.RawMessage(payload), "the mapping failed"},
				{mappingV1, "{not json", "not JSON"},
				{`{sku: .sku}`, json.RawMessage(payload), "missing properties"},
			} {
				res = try(c.expr, c.payload)
				wantStatus(t, res, http.StatusOK)
				var bad ingest.MappingPreview
				res.JSON(t, &bad)
				if bad.Valid || !strings.Contains(string(res.Body), c.want) {
					t.Errorf("try %s on %v: %s, want %q", c.expr, c.payload, res.Body, c.want)
				}
			}
			res = try(`{sku: .sku`, json.RawMessage(payload))
			wantProblem(t, res, http.StatusUnprocessableEntity)
			if !strings.Contains(string(res.Body), "body.expression") {
				t.Errorf("try with a broken expression: %s", res.Body)
			}

			// Fix: save the mapping, replay the event.
			res = saveMapping(e, e.key, s.VendorID, mappingV1, payload)
			wantStatus(t, res, http.StatusCreated)
			var m ingest.Mapping
			res.JSON(t, &m)
			res = e.do(http.MethodGet, "/api/v1/ingest/mappings/"+m.ID, viewer, nil)
			wantStatus(t, res, http.StatusOK)
			res = e.do(http.MethodGet, "/api/v1/ingest/mappings?vendor_id="+s.VendorID, viewer, nil)
			if !strings.Contains(string(res.Body), m.ID) {
				t.Errorf("mapping list: %s", res.Body)
			}
			if r := replay(e, map[string]any{"ingest_id": id}); r.Selected != 1 || r.Normalized != 1 {
				t.Fatalf("replay: %+v", r)
			}
			h1 := normalizedOf(e, id)
			if h1.Revision != 1 || len(h1.Revisions) != 1 || h1.Revisions[0].SHA256 != h1.SHA256 {
				t.Fatalf("after the first replay: %+v", h1)
			}
			// The same bytes and mapping give the same event: nothing revised.
			replay(e, map[string]any{"ingest_id": id})
			if again := normalizedOf(e, id); again.Revision != 1 || again.SHA256 != h1.SHA256 {
				t.Errorf("a replay with the same mapping revised the event: %+v", again)
			}

			// A new mapping version revises the event in place.
			wantStatus(t, saveMapping(e, e.key, s.VendorID, mappingV2, payload), http.StatusCreated)
			if r := replay(e, map[string]any{"vendor_id": s.VendorID}); r.Selected != 1 || r.Normalized != 1 {
				t.Fatalf("replay by vendor: %+v", r)
			}
			h2 := normalizedOf(e, id)
			if h2.Revision != 2 || h2.SHA256 == h1.SHA256 || !strings.Contains(string(h2.Body), `"unitOfMeasure":"EA"`) {
				t.Fatalf("after the new mapping: %+v", h2)
			}
			if len(h2.Revisions) != 2 || h2.Revisions[1].Revision != 1 || h2.Revisions[1].SHA256 != h1.SHA256 {
				t.Errorf("revisions: %+v", h2.Revisions)
			}
			replay(e, map[string]any{"status": "NORMALIZED"})
			if h3 := normalizedOf(e, id); h3.Revision != 2 || h3.SHA256 != h2.SHA256 || string(h3.Body) != string(h2.Body) {
				t.Errorf("replay is not deterministic: %s then %s", h2.SHA256, h3.SHA256)
			}
			res = e.do(http.MethodGet, "/api/v1/ingest/events/"+id, viewer, nil)
			if !strings.Contains(string(res.Body), `"status":"NORMALIZED"`) {
				t.Errorf("event after replay: %s", res.Body)
			}

			// The normalized events, by type and vendor, a page at a time.
			other := acceptEvent(e, s, "vendorA", "inv-2", `{"sku":"ABC-002","qty":3,"warehouse":"ROA"}`)
			normalizeNow(e)
			res = e.do(http.MethodGet, "/api/v1/events?type=InventoryUpdated&limit=1&vendor_id="+s.VendorID, viewer, nil)
			wantStatus(t, res, http.StatusOK)
			var page struct {
				Items      []ingest.NormalizedEvent `json:"items"`
				NextCursor string                   `json:"next_cursor"`
			}
			res.JSON(t, &page)
			if len(page.Items) != 1 || page.Items[0].IngestID != id || page.Items[0].Revision != 2 || page.NextCursor == "" {
				t.Fatalf("events page 1: %s", res.Body)
			}
			res = e.do(http.MethodGet, "/api/v1/events?type=InventoryUpdated&limit=1&cursor="+url.QueryEscape(page.NextCursor), viewer, nil)
			page.Items, page.NextCursor = nil, ""
			res.JSON(t, &page)
			if len(page.Items) != 1 || page.Items[0].IngestID != other || page.NextCursor != "" {
				t.Errorf("events page 2: %s", res.Body)
			}
			res = e.do(http.MethodGet, "/api/v1/events?type=OrderUpdated", viewer, nil)
			if strings.Contains(string(res.Body), id) {
				t.Errorf("type filter: %s", res.Body)
			}
			wantProblem(t, e.do(http.MethodGet, "/api/v1/events?since=soon", viewer, nil), http.StatusUnprocessableEntity)
			wantProblem(t, e.do(http.MethodGet, "/api/v1/events?cursor=%21%21", viewer, nil), http.StatusUnprocessableEntity)

			// Replay: bad selections, an unknown event, a viewer.
			for _, bad := range []string{`{}`, `{"status":"NOPE"}`, `{"reason":"bored"}`,
				`{"since":"2026-02-01T00:00:00Z","until":"2026-01-01T00:00:00Z"}`} {
				wantProblem(t, e.do(http.MethodPost, "/api/v1/ingest/replays", e.key, bad), http.StatusUnprocessableEntity)
			}
			wantProblem(t, e.do(http.MethodPost, "/api/v1/ingest/replays", e.key, `{"ingest_id":"01J0000000000000000000000Z"}`), http.StatusNotFound)
			wantProblem(t, e.do(http.MethodPost, "/api/v1/ingest/replays", viewer, `{"ingest_id":"`+id+`"}`), http.StatusForbidden)
			wantProblem(t, e.do(http.MethodGet, "/api/v1/ingest/events/"+missingID+"/normalized", viewer, nil), http.StatusNotFound)
		})
	}
}

// TestIngestRulesPages: the schemas and mappings page with its "Try it"
// preview (the page again, 200, with the output or the error), and the
// quarantine's Replay buttons, which redirect back (303) with a flash.
func TestIngestRulesPages(t *testing.T) {
	t.Parallel()
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, d)
			s := ingestVendorFixture(e, e.key, "vendorA")
			admin := e.signInAs(e.admin.Email, e.password)
			rules := "/ingest/vendors/" + s.VendorID + "/mappings"
			page := admin.get(t, rules)
			wantStatus(t, page, http.StatusOK)
			for _, want := range []string{"Try it", "InventoryUpdated", "Upload schema", "Save mapping"} {
				if !strings.Contains(string(page.Body), want) {
					t.Errorf("rules page lacks %q", want)
				}
			}

			// Upload a schema through the page; a bad one is explained beside its field.
			res := admin.post(t, "/ingest/vendors/"+s.VendorID+"/schemas", url.Values{"event_type": {"inventory_update"},
				"schema_version": {"1"}, "schema": {`{"type": 12}`}})
			wantStatus(t, res, http.StatusUnprocessableEntity)
			if !strings.Contains(string(res.Body), "field-error") || !strings.Contains(string(res.Body), "not a valid JSON Schema") {
				t.Errorf("a bad schema is not explained: %s", res.Body)
			}
			res = admin.post(t, "/ingest/vendors/"+s.VendorID+"/schemas", url.Values{"event_type": {"inventory_update"},
				"schema_version": {"1"}, "schema": {inventorySchema}})
			wantStatus(t, res, http.StatusSeeOther)

			form := func(expr, payload string) url.Values {
				return url.Values{"event_type": {"inventory_update"}, "target_type": {"InventoryUpdated"}, "target_version": {"1.0"},
					"expression": {expr}, "payload": {payload}, "samples": {payload}}
			}
			payload := `{"sku":"ABC-001","qty":12,"warehouse":"ROA"}`
			// Try it: the output, on the page.
			res = admin.post(t, rules+"/try", form(mappingV1, payload))
			wantStatus(t, res, http.StatusOK)
			if !strings.Contains(string(res.Body), `id="trial-output"`) || !strings.Contains(string(res.Body), "&#34;quantityOnHand&#34;: 12") ||
				!strings.Contains(string(res.Body), "valid</span>") {
				t.Errorf("try it does not show the output: %s", res.Body)
			}
			// A broken expression, a failing one, a payload that is not JSON: the page with the error.
			for expr, want := range map[string]string{`{sku: .sku`: "does not parse", `.sku | tonumber`: "the mapping failed"} {
				res = admin.post(t, rules+"/try", form(expr, payload))
				wantStatus(t, res, http.StatusOK)
				if !strings.Contains(string(res.Body), `id="trial-error"`) || !strings.Contains(string(res.Body), want) {
					t.Errorf("try %s: no error %q on the page: %s", expr, want, res.Body)
				}
			}
			res = admin.post(t, rules+"/try", form(mappingV1, "{nope"))
			wantStatus(t, res, http.StatusOK)
			if !strings.Contains(string(res.Body), "the payload is not JSON") {
				t.Errorf("try on bad JSON: %s", res.Body)
			}

			// An event quarantined, then replayed from the quarantine page.
			id := acceptEvent(e, s, "vendorA", "inv-1", payload)
			bad := acceptEvent(e, s, "vendorA", "inv-2", `{"sku":"ABC-002","qty":"many","warehouse":"ROA"}`)
			normalizeNow(e)
			page = admin.get(t, "/ingest/quarantine?vendor_id="+s.VendorID)
			wantStatus(t, page, http.StatusOK)
			for _, want := range []string{"inv-1", "inv-2", "unknown_event_type", "/ingest/events/" + id + "/replay", "/api/v1/ingest/events/" + id + "/raw",
				"Replay all that match"} {
				if !strings.Contains(string(page.Body), want) {
					t.Errorf("quarantine page lacks %q", want)
				}
			}
			// The quarantined event's page names its vendor and does not call it normalized.
			page = admin.get(t, "/ingest/events/"+id)
			wantStatus(t, page, http.StatusOK)
			if body := string(page.Body); !strings.Contains(body, `<td id="event-vendor">Ingest vendorA <code>vendorA</code>`) ||
				strings.Contains(body, ">normalized ") {
				t.Errorf("quarantined event's page:\n%s", body)
			}
			page = admin.get(t, "/ingest/quarantine?since=yesterday")
			wantStatus(t, page, http.StatusUnprocessableEntity)

			// Save the mapping through the page: a failing sample is named.
			res = admin.post(t, rules, form(mappingV1, `[`+payload+`,{"sku":"X","qty":1}]`))
			wantStatus(t, res, http.StatusUnprocessableEntity)
			if !strings.Contains(string(res.Body), "samples[1]") {
				t.Errorf("the failing sample is not named: %s", res.Body)
			}
			res = admin.post(t, rules, form(mappingV1, payload))
			wantStatus(t, res, http.StatusSeeOther)

			// Replay one event from the quarantine: back to it, with a flash.
			back := "/ingest/quarantine?vendor_id=" + s.VendorID
			res = admin.post(t, "/ingest/events/"+id+"/replay", url.Values{"back": {back}})
			wantStatus(t, res, http.StatusSeeOther)
			if loc := res.Header.Get("Location"); loc != back {
				t.Errorf("replay redirects to %q, want %q", loc, back)
			}
			page = admin.get(t, back)
			if !strings.Contains(string(page.Body), "Replayed 1 event: 1 normalized, 0 quarantined, 0 failed.") || strings.Contains(string(page.Body), "inv-1<") {
				t.Errorf("after replaying one: %s", page.Body)
			}
			// A back address off the site is ignored.
			res = admin.post(t, "/ingest/events/"+id+"/replay", url.Values{"back": {"//evil.example/"}})
			wantStatus(t, res, http.StatusSeeOther)
			if loc := res.Header.Get("Location"); loc != "/ingest/events/"+id {
				t.Errorf("replay redirects to %q", loc)
			}
			// The event page shows the normalized output and its revision.
			page = admin.get(t, "/ingest/events/"+id)
			if !strings.Contains(string(page.Body), `id="normalized-revision">1<`) || !strings.Contains(string(page.Body), "&#34;quantityOnHand&#34;: 12") {
				t.Errorf("event page lacks the normalized event: %s", page.Body)
			}

			// Replay the filtered set: the remaining event breaks the schema again.
			res = admin.post(t, "/ingest/quarantine/replay", url.Values{"vendor_id": {s.VendorID}})
			wantStatus(t, res, http.StatusSeeOther)
			if loc := res.Header.Get("Location"); loc != back {
				t.Errorf("filtered replay redirects to %q, want %q", loc, back)
			}
			page = admin.get(t, back)
			if !strings.Contains(string(page.Body), "Replayed 1 event: 0 normalized, 1 quarantined, 0 failed.") ||
				!strings.Contains(string(page.Body), "schema_invalid") || !strings.Contains(string(page.Body), "/qty") {
				t.Errorf("after the filtered replay: %s", page.Body)
			}
			res = admin.post(t, "/ingest/quarantine/replay", url.Values{"reason": {"mapping_error"}})
			wantStatus(t, res, http.StatusSeeOther)
			if page = admin.get(t, "/ingest/quarantine?reason=mapping_error"); !strings.Contains(string(page.Body), "Nothing to replay") {
				t.Errorf("an empty replay: %s", page.Body)
			}
			res = admin.post(t, "/ingest/quarantine/replay", url.Values{"since": {"soon"}})
			wantStatus(t, res, http.StatusSeeOther)
			if page = admin.get(t, "/ingest/quarantine"); !strings.Contains(string(page.Body), "Not replayed") {
				t.Errorf("a bad window is not explained: %s", page.Body)
			}
			if !strings.Contains(string(page.Body), "/ingest/events/"+bad) {
				t.Errorf("the event still quarantined is not listed: %s", page.Body)
			}

			// A viewer sees the quarantine but no Replay buttons and no forms.
			viewer := e.signIn(auth.RoleViewer)
			page = viewer.get(t, back)
			wantStatus(t, page, http.StatusOK)
			if strings.Contains(string(page.Body), "/replay") {
				t.Error("a viewer is offered to replay")
			}
			if page = viewer.get(t, rules); strings.Contains(string(page.Body), "Try it") {
				t.Error("a viewer is offered to try mappings")
			}
			wantStatus(t, viewer.post(t, "/ingest/events/"+id+"/replay", nil), http.StatusForbidden)
		})
	}
}

// ingestSchemaWallFixture uploads a vendor schema in a tenant.
func ingestSchemaWallFixture(e *env, key string) string {
	s := ingestVendorFixture(e, key, "wall-schema")
	return uploadInventorySchema(e, key, s.VendorID).ID
}

// ingestMappingWallFixture saves a mapping in a tenant.
func ingestMappingWallFixture(e *env, key string) string {
	s := ingestVendorFixture(e, key, "wall-mapping")
	res := saveMapping(e, key, s.VendorID, mappingV1)
	wantStatus(e.t, res, http.StatusCreated)
	var m ingest.Mapping
	res.JSON(e.t, &m)
	return m.ID
}

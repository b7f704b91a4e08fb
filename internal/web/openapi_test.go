package web_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers/legacy"

	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
	"github.com/vendorsync/vendorsync/internal/web"
)

// TestOpenAPIDocumentAndResponses validates the served OpenAPI 3.1 document
// with an independent implementation, then checks that every list endpoint's
// real response (after seeding data) matches the schema it documents.
func TestOpenAPIDocumentAndResponses(t *testing.T) {
	t.Parallel()
	e := newEnv(t, storetest.Dialects(t)[0])
	res := e.do(http.MethodGet, "/api/openapi.json", "", nil)
	wantStatus(t, res, http.StatusOK)
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(res.Body)
	if err != nil {
		t.Fatalf("load OpenAPI document: %v", err)
	}
	ctx := context.Background()
	if err := doc.Validate(ctx); err != nil {
		t.Fatalf("OpenAPI document is invalid: %v", err)
	}
	doc.Servers = openapi3.Servers{{URL: e.http.URL}}
	router, err := legacy.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	// Seed one of each registry object so lists are not empty.
	for path, body := range map[string]any{
		"/api/v1/vendors":      map[string]any{"name": "Visa", "tier": "tier_1", "email_domains": []string{"visa.com"}},
		"/api/v1/teams":        map[string]any{"name": "Payments"},
		"/api/v1/applications": map[string]any{"name": "PaymentService", "description": "Calls the Visa authorization endpoint."},
		"/api/v1/rules":        map[string]any{"name": "Visa endpoints", "text": "Visa endpoint changes are critical.", "severity": "critical"},
	} {
		wantStatus(t, e.do(http.MethodPost, path, e.key, body), http.StatusCreated)
	}
	checked := 0
	for _, rt := range e.server.Routes() {
		if rt.Kind != web.KindAPI || rt.Method != http.MethodGet || pathParam.MatchString(rt.Path) {
			continue
		}
		req, err := http.NewRequest(http.MethodGet, e.http.URL+rt.Path, nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+e.key)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		route, params, err := router.FindRoute(req)
		if err != nil {
			t.Errorf("GET %s is not in the OpenAPI document: %v", rt.Path, err)
			continue
		}
		in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route,
			Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}}
		out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: resp.StatusCode,
			Header: resp.Header, Body: io.NopCloser(bytes.NewReader(body)),
			Options: &openapi3filter.Options{IncludeResponseStatus: true}}
		if err := openapi3filter.ValidateResponse(ctx, out); err != nil {
			msg := err.Error()
			if len(msg) > 600 {
				msg = msg[:600] + "…"
			}
			t.Errorf("GET %s: response does not match its schema: %s\nbody: %.300s", rt.Path, strings.TrimSpace(msg), body)
		}
		checked++
	}
	t.Logf("%d list responses validated against the document", checked)
}

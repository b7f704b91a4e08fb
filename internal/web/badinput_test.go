package web_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/danielgtaylor/huma/v2"

	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
)

// wrongValue returns a JSON value whose type differs from the schema's.
func wrongValue(s *huma.Schema) any {
	switch s.Type {
	case "string":
		return 12345
	case "integer", "number":
		return "not a number"
	case "boolean":
		return "yes"
	case "array":
		return map[string]any{"not": "an array"}
	case "object":
		return []int{1, 2}
	}
	return nil
}

// TestBadInputEveryWriteEndpoint sends malformed, mistyped and oversized
// bodies to every operation that takes one: each must answer 4xx with
// problem+json, never 5xx and never success. A null or empty body is
// refused too: it must never be read as "set everything to empty".
func TestBadInputEveryWriteEndpoint(t *testing.T) {
	t.Parallel()
	e := newEnv(t, storetest.Dialects(t)[0])
	doc := e.server.API().OpenAPI()
	n := 0
	for path, item := range doc.Paths {
		for method, o := range map[string]*huma.Operation{"POST": item.Post, "PUT": item.Put, "PATCH": item.Patch} {
			if o == nil || o.RequestBody == nil {
				continue
			}
			n++
			url := fill(path, missingID)
			check := func(what string, body any) {
				t.Helper()
				res := e.do(method, url, e.key, body)
				if res.Status < 400 || res.Status >= 500 {
					t.Errorf("%s %s with %s: status %d, want 4xx; body %s", method, path, what, res.Status, res.Body)
					return
				}
				if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
					t.Errorf("%s %s with %s: content type %q, want problem+json", method, path, what, ct)
				}
			}
			check("truncated JSON", `{"name": `)
			check("a JSON array", `[]`)
			check("a JSON string", `"hello"`)
			// null or nothing must never be read as "clear everything".
			check("null", `null`)
			check("an empty body", ``)
			check("whitespace", " \n ")
			check("an oversized body", `{"x":"`+strings.Repeat("a", 2<<20)+`"}`)
			mt, ok := o.RequestBody.Content["application/json"]
			if !ok || mt.Schema == nil {
				continue
			}
			schema := mt.Schema
			if schema.Ref != "" {
				schema = doc.Components.Schemas.SchemaFromRef(schema.Ref)
			}
			for name, prop := range schema.Properties {
				if prop.Ref != "" {
					prop = doc.Components.Schemas.SchemaFromRef(prop.Ref)
				}
				if v := wrongValue(prop); v != nil && name != "$schema" {
					check("a mistyped "+name, map[string]any{name: v})
				}
			}
		}
	}
	if n == 0 {
		t.Skip("no operation takes a request body yet")
	}
	t.Logf("%d operations with bodies checked", n)
}

// TestUnknownRoutesAndMethods answer problem+json too.
func TestUnknownRoutesAndMethods(t *testing.T) {
	t.Parallel()
	e := newEnv(t, storetest.Dialects(t)[0])
	wantProblem(t, e.do(http.MethodGet, "/api/v1/definitely-not-here", e.key, nil), http.StatusNotFound)
	wantProblem(t, e.do(http.MethodGet, "/api/v1/definitely-not-here", "", nil), http.StatusNotFound)
}

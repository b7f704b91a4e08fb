package ingest

import (
	"context"
	"encoding/json"
	"testing"
)

// FuzzCompileSchema: whatever is uploaded as a schema, compiling it
// answers a schema or an error naming the problem, and never panics.
func FuzzCompileSchema(f *testing.F) {
	for _, s := range []string{
		`{"type":"object","required":["sku"],"properties":{"sku":{"type":"string"}}}`,
		`{"$schema":"https://json-schema.org/draft/2020-12/schema","$defs":{"a":{"type":"number"}},"$ref":"#/$defs/a"}`,
		`{"$ref":"https://example.com/s.json"}`, `{"$ref":"file:///etc/passwd"}`, `{"type":12}`, `{"pattern":"("}`,
		`[]`, `null`, ``, `{"a":`, `true`, `{"format":"date","type":"string"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		sch, err := CompileSchema(b)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("an error without a message")
			}
			return
		}
		if sch == nil {
			t.Fatal("no schema and no error")
		}
		_ = sch.Validate(map[string]any{"sku": "x"}) // validating must not panic either
	})
}

// FuzzTryMapping: a mapping tried on a payload (both as typed in the "Try
// it" form) compiles or says why, and when it runs it gives one JSON
// object or an error, never a panic.
func FuzzTryMapping(f *testing.F) {
	f.Add(`{sku: .sku, warehouseId: .warehouse, quantityOnHand: .qty}`, `{"sku":"A","qty":1,"warehouse":"W"}`)
	f.Add(`.sku | tonumber`, `{"sku":"A"}`)
	f.Add(`now`, `{}`)
	f.Add(`$ENV`, `{}`)
	f.Add(`[.[]]`, `{"a":1}`)
	f.Add(`{a: 1} , {b: 2}`, `{}`)
	f.Add(`def f: f; f`, `{}`)
	f.Add(`{sku: .sku`, `{not json`)
	f.Add(`.a.b.c`, `{"a":12345678901234567890123}`)
	f.Fuzz(func(t *testing.T, expr, payload string) {
		code, err := CompileMapping(expr)
		if err != nil {
			return
		}
		v, err := decodePayload([]byte(payload))
		if err != nil {
			return
		}
		out, err := runMapping(context.Background(), code, v)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("an error without a message")
			}
			return
		}
		var obj map[string]any
		if json.Unmarshal(out, &obj) != nil {
			t.Fatalf("%q on %q gave %s, not a JSON object", expr, payload, out)
		}
		again, err := runMapping(context.Background(), code, v)
		if err != nil || string(again) != string(out) {
			t.Fatalf("%q on %q is not deterministic: %s then %s (%v)", expr, payload, out, again, err)
		}
	})
}

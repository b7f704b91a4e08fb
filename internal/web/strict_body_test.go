package web

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestStrictBody pins what every strictly decoded request body does, as
// huma decodes it (encoding/json into the input's Body field).
func TestStrictBody(t *testing.T) {
	type sample struct {
		Name  string             `json:"name"`
		Count int                `json:"count,omitempty"`
		Tags  []string           `json:"tags,omitempty"`
		Owner PatchField[string] `json:"owner,omitempty"`
	}
	refused := map[string]string{
		`{"name": "a", "surprise": true}`: `unknown field "surprise"`,
		`{"name": 42}`:                    "name must be a string, not a JSON number",
		`{"name": "a", "tags": "x"}`:      "tags must be an array, not a JSON string",
		`{"name": "a", "count": "3"}`:     "count must be an integer, not a JSON string",
		`["a"]`:                           "the body must be a JSON object, not a JSON array",
		`{"name": `:                       "unexpected end of JSON input",
	}
	for body, want := range refused {
		t.Run("refuses "+body, func(t *testing.T) {
			var b strictBody[sample]
			err := json.Unmarshal([]byte(body), &b)
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Fatalf("err = %v, want it to say %q", err, want)
			}
		})
	}
	t.Run("decodes a good body, ignoring the $schema link huma adds to answers", func(t *testing.T) {
		var b strictBody[sample]
		if err := json.Unmarshal([]byte(`{"$schema": "https://x/schemas/Sample.json", "name": "a", "owner": null}`), &b); err != nil {
			t.Fatal(err)
		}
		if b.Value.Name != "a" || !b.Value.Owner.Set || !b.Value.Owner.Null {
			t.Fatalf("decoded %+v", b.Value)
		}
	})
	t.Run("refuses data after the object", func(t *testing.T) {
		// encoding/json refuses it before UnmarshalJSON runs; decodeStrict
		// refuses it too when called on its own.
		var v sample
		if err := decodeStrict([]byte(`{"name": "a"} {"name": "b"}`), &v); err == nil || err.Error() != "unexpected data after the JSON object" {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("refuses null and nothing", func(t *testing.T) {
		for _, body := range []string{`null`, ` null `, ``, " \n"} {
			var v sample
			if err := decodeStrict([]byte(body), &v); err == nil || err.Error() != "the body must be a JSON object, not null or nothing" {
				t.Errorf("decodeStrict(%q): err = %v", body, err)
			}
		}
	})
}

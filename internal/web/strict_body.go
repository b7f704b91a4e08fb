package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"

	"github.com/danielgtaylor/huma/v2"
)

// strictBody is a request body that decodes strictly (see decodeStrict):
// unknown fields, trailing data and mistyped values are refused with a
// message naming the field, and null is refused (it must never be read as
// "set everything to empty"). Operations that
// take one skip huma's schema validation, so every bad body answers 422 and
// the domain checks each field once, reporting all problems at once.
type strictBody[T any] struct {
	Value T
}

// UnmarshalJSON decodes the body strictly into Value.
func (b *strictBody[T]) UnmarshalJSON(data []byte) error { return decodeStrict(data, &b.Value) }

// Schema documents the body as T, so the OpenAPI document names T's schema.
func (strictBody[T]) Schema(r huma.Registry) *huma.Schema {
	return r.Schema(reflect.TypeFor[T](), true, "")
}

// decodeStrict decodes one JSON object into v, refusing unknown fields and
// trailing data, with messages that name the field and the expected type.
func decodeStrict(data []byte, v any) error {
	if t := bytes.TrimSpace(data); len(t) == 0 || bytes.Equal(t, []byte("null")) {
		return errors.New("the body must be a JSON object, not null or nothing")
	}
	data = dropSchemaLink(data)
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil && dec.More() {
		err = errors.New("unexpected data after the JSON object")
	}
	var te *json.UnmarshalTypeError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &te) && te.Field != "":
		return fmt.Errorf("%s must be %s, not a JSON %s", te.Field, jsonKind(te.Type), te.Value)
	case errors.As(err, &te):
		return fmt.Errorf("the body must be a JSON object, not a JSON %s", te.Value)
	}
	return errors.New(strings.TrimPrefix(err.Error(), "json: "))
}

// dropSchemaLink removes the "$schema" link huma adds to every answer, so
// that a client may send back what it read.
func dropSchemaLink(data []byte) []byte {
	if !bytes.Contains(data, []byte(`"$schema"`)) {
		return data
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(data, &m) != nil {
		return data // not an object: the strict decoder reports it
	}
	delete(m, "$schema")
	out, err := json.Marshal(m)
	if err != nil {
		return data // cannot happen for raw messages just decoded; decode the original
	}
	return out
}

// jsonKind names what a Go type looks like in JSON.
func jsonKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "an array"
	}
	return "an object"
}

// wholeBody is a strictBody that replaces a whole configuration, where an
// empty object would be read as "turn everything off and forget it": {} is
// refused as null is. Turning things off is said with the fields that do
// it (the operation's documentation names them).
type wholeBody[T any] struct {
	Value T
}

// UnmarshalJSON refuses an object without members, then decodes strictly.
func (b *wholeBody[T]) UnmarshalJSON(data []byte) error {
	var m map[string]json.RawMessage
	if json.Unmarshal(data, &m) == nil {
		delete(m, "$schema")
		if len(m) == 0 {
			return errors.New("an empty object would reset every setting: send the settings to keep (GET returns them)")
		}
	}
	return decodeStrict(data, &b.Value)
}

// Schema documents the body as T.
func (wholeBody[T]) Schema(r huma.Registry) *huma.Schema {
	return r.Schema(reflect.TypeFor[T](), true, "")
}

package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/auth"
)

// The registry's write operations (vendors, applications, rules) skip huma's
// schema validation and decode their bodies strictly themselves: every bad
// body, malformed JSON included, then answers 422, and every field rule is
// checked once, by package registry, which reports all problems at once.

// PatchField is one field of a JSON merge patch (RFC 7396): absent leaves the
// value alone, null resets it to empty, anything else replaces it.
type PatchField[T any] struct {
	Set   bool // the field was present
	Null  bool // it was null
	Value T
}

// UnmarshalJSON records that the field was present, and whether it was null.
func (f *PatchField[T]) UnmarshalJSON(b []byte) error {
	f.Set = true
	if bytes.Equal(bytes.TrimSpace(b), []byte("null")) {
		f.Null = true
		return nil
	}
	return json.Unmarshal(b, &f.Value)
}

// Schema documents the field as its value's type, or null.
func (f PatchField[T]) Schema(r huma.Registry) *huma.Schema {
	s := *r.Schema(reflect.TypeFor[T](), true, "")
	s.Nullable = true
	return &s
}

// apply writes the patched value into dst when the field was present.
func (f PatchField[T]) apply(dst *T) {
	switch {
	case !f.Set:
	case f.Null:
		var zero T
		*dst = zero
	default:
		*dst = f.Value
	}
}

// ptr is the patched value (the zero value for null), or nil when the
// field was left out.
func (f PatchField[T]) ptr() *T {
	if !f.Set {
		return nil
	}
	v := f.Value
	if f.Null {
		var zero T
		v = zero
	}
	return &v
}

// readDoc describes an operation that reads a registry-like resource.
func readDoc(summary, description string) huma.Operation {
	return huma.Operation{Summary: summary, Description: description}
}

// createDoc describes a creation: it answers 201 and decodes its own body
// (see decodeStrict), so that every problem is reported at once.
func createDoc(summary, description string) huma.Operation {
	return huma.Operation{Summary: summary, Description: description, DefaultStatus: http.StatusCreated, SkipValidateBody: true}
}

// mergePatchDoc describes a JSON merge patch, which decodes its own body.
func mergePatchDoc(summary, description string) huma.Operation {
	return huma.Operation{Summary: summary, SkipValidateBody: true,
		Description: strings.TrimSpace(description + "\n\nA JSON merge patch: absent fields keep their value, null resets a field to empty.")}
}

// deactivateDoc describes a soft deletion, which answers 204.
func deactivateDoc(summary, description string) huma.Operation {
	return huma.Operation{Summary: summary, Description: description, DefaultStatus: http.StatusNoContent}
}

// splitList reads a textarea of one entry per line (commas also separate).
func splitList(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == '\n' || r == '\r' || r == ',' })
}

// registryFormView sets a form's errors; a duplicate name is shown next to
// the name field.
func registryFormView(v View, err error) View {
	v = viewWithErr(v, err)
	if apperr.Is(err, apperr.Conflict) {
		v.Fields = map[string]string{"name": apperr.MessageOf(err)}
		v.Error = ""
	}
	return v
}

// teamChoice is a team offered in an owner picker.
type teamChoice struct {
	ID, Name string
	Inactive bool
}

// registryTeams lists the tenant's teams for owner pickers and name lookups;
// deactivated teams are kept so that existing links still show a name.
func (s *Server) registryTeams(ctx context.Context, p auth.Principal) ([]teamChoice, map[string]string, error) {
	var out []teamChoice
	names := map[string]string{}
	f := auth.TeamFilter{IncludeInactive: true, Limit: 500}
	for {
		page, next, err := s.Auth.ListTeams(ctx, p, f)
		if err != nil {
			return nil, nil, fmt.Errorf("list teams: %w", err)
		}
		for _, t := range page {
			out = append(out, teamChoice{ID: t.ID, Name: t.Name, Inactive: !t.IsActive})
			names[t.ID] = t.Name
		}
		if next == "" {
			return out, names, nil
		}
		f.Cursor = next
	}
}

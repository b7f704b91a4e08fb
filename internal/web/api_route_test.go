package web

import (
	"context"
	"testing"

	"github.com/danielgtaylor/huma/v2"

	"github.com/vendorsync/vendorsync/internal/auth"
)

// TestOpRefusesAnUnreadableRoute keeps routes.go the one place that names an
// operation's method and path: a route that is not "METHOD /path", or a doc
// that carries its own method or path, stops the server from starting.
func TestOpRefusesAnUnreadableRoute(t *testing.T) {
	s, err := New(Deps{})
	if err != nil {
		t.Fatal(err)
	}
	h := func(context.Context, *struct{}) (*struct{}, error) { return &struct{}{}, nil }
	for name, tc := range map[string]struct {
		route string
		doc   huma.Operation
	}{
		"no method":            {"/api/v1/things", huma.Operation{Summary: "x"}},
		"no leading slash":     {"GET api/v1/things", huma.Operation{Summary: "x"}},
		"doc names the method": {"GET /api/v1/things", huma.Operation{Method: "GET", Summary: "x"}},
		"doc names the path":   {"GET /api/v1/things", huma.Operation{Path: "/api/v1/other", Summary: "x"}},
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Errorf("op(%q) registered", tc.route)
				}
			}()
			op(s, tc.route, auth.PermView, tc.doc, h)
		})
	}
	t.Run("a readable route registers with its method and path", func(t *testing.T) {
		op(s, "GET /api/v1/things", auth.PermView, huma.Operation{Summary: "List things"}, h)
		got := s.Routes()[len(s.Routes())-1]
		if got.Method != "GET" || got.Path != "/api/v1/things" || got.Kind != KindAPI {
			t.Errorf("route = %+v", got)
		}
		if o := s.API().OpenAPI().Paths["/api/v1/things"].Get; o == nil || o.OperationID != "get-things" || o.Summary != "List things" {
			t.Errorf("OpenAPI operation = %+v", o)
		}
	})
}

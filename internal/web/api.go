package web

import (
	"context"
	"net/http"
	"strings"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"

	"github.com/vendorsync/vendorsync/internal/auth"
)

// op registers the API operation at route ("METHOD /path", as routes.go
// lists it) that requires perm. doc is the rest of the operation — summary,
// description, status, tags — kept next to its handler. Authentication and
// the permission check run before huma reads the body, so an anonymous or
// unauthorised caller learns nothing from validation errors.
func op[I, O any](s *Server, route string, perm auth.Permission, doc huma.Operation, h func(context.Context, *I) (*O, error)) {
	method, path, ok := strings.Cut(route, " ")
	if !ok || method == "" || !strings.HasPrefix(path, "/") || doc.Method != "" || doc.Path != "" {
		panic("web: route " + route + ` must read "METHOD /path" and its doc name neither`)
	}
	if perm == "" {
		panic("web: route " + route + " has no permission") // deny by default: every route names one
	}
	o := doc
	o.Method, o.Path = method, path
	if o.OperationID == "" {
		o.OperationID = operationID(o.Method, o.Path)
	}
	if len(o.Tags) == 0 {
		o.Tags = []string{tagOf(o.Path)}
	}
	o.Security = []map[string][]string{{"bearer": {}}, {"session": {}}}
	o.Description = strings.TrimSpace(o.Description + "\n\nRequires permission `" + string(perm) + "`.")
	o.Errors = append(o.Errors, http.StatusUnauthorized, http.StatusForbidden)
	o.Middlewares = append(huma.Middlewares{func(ctx huma.Context, next func(huma.Context)) {
		p, ok := auth.PrincipalFrom(ctx.Context())
		if !ok {
			_ = huma.WriteErr(s.api, ctx, http.StatusUnauthorized, "sign in or send an API key") // client gone: nothing to do
			return
		}
		if !p.Can(perm) {
			_ = huma.WriteErr(s.api, ctx, http.StatusForbidden, "your role ("+string(p.Role)+") does not allow "+string(perm))
			return
		}
		if rb := ctx.Operation().RequestBody; rb != nil && rb.Required {
			// A missing body is bad input like null (huma's own answer is a
			// 400): it must never be read as "set everything to empty".
			if r, _ := humago.Unwrap(ctx); r.ContentLength == 0 {
				_ = huma.WriteErr(s.api, ctx, http.StatusUnprocessableEntity, "the body must be a JSON object, not nothing")
				return
			}
		}
		next(ctx)
	}}, o.Middlewares...)
	huma.Register(s.api, o, func(ctx context.Context, in *I) (*O, error) {
		out, err := h(ctx, in)
		if err != nil {
			return nil, s.problemErr(ctx, err)
		}
		return out, nil
	})
	s.routes = append(s.routes, Route{Method: o.Method, Path: o.Path, Perm: perm, Kind: KindAPI})
}

func operationID(method, path string) string {
	parts := []string{strings.ToLower(method)}
	for _, seg := range strings.Split(strings.TrimPrefix(path, "/api/v1/"), "/") {
		seg = strings.Trim(seg, "{}")
		if seg != "" {
			parts = append(parts, seg)
		}
	}
	return strings.Join(parts, "-")
}

func tagOf(path string) string {
	seg := strings.Split(strings.TrimPrefix(path, "/api/v1/"), "/")[0]
	if seg == "" {
		return "system"
	}
	return seg
}

// principal returns the caller; op guarantees there is one.
func principal(ctx context.Context) auth.Principal {
	p, ok := auth.PrincipalFrom(ctx)
	if !ok {
		panic("web: handler reached without a principal")
	}
	return p
}

// PageQuery is the cursor pagination every list accepts.
type PageQuery struct {
	Cursor string `query:"cursor" doc:"Opaque cursor from a previous page's next_cursor."`
	Limit  int    `query:"limit" minimum:"1" maximum:"500" default:"50" doc:"Items per page."`
}

// Page is the body of every list response.
type Page[T any] struct {
	Items      []T    `json:"items" nullable:"false"`
	NextCursor string `json:"next_cursor,omitempty" doc:"Pass as cursor to get the next page; absent on the last page."`
}

// PageOut wraps a page as a huma response.
type PageOut[T any] struct {
	Body Page[T]
}

func pageOf[T any](items []T, next string) *PageOut[T] {
	if items == nil {
		items = []T{}
	}
	return &PageOut[T]{Body: Page[T]{Items: items, NextCursor: next}}
}

// IDPath is the {id} path parameter.
type IDPath struct {
	ID string `path:"id" doc:"Identifier."`
}

// errNotFoundAPI answers unknown /api/ paths with problem+json.
func notFoundAPI(w http.ResponseWriter, r *http.Request) {
	writeProblem(w, http.StatusNotFound, "no such API route: "+r.Method+" "+r.URL.Path)
}

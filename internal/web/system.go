package web

import (
	"context"
	"encoding/json"
	"io/fs"
	"net/http"
	"sort"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write([]byte(`{"status":"ok"}`))
}

// readyz answers 200 only when the database is reachable.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
	defer cancel()
	if s.Ready != nil {
		if err := s.Ready(ctx); err != nil {
			s.log.WarnContext(ctx, "not ready", "err", err.Error())
			writeProblem(w, http.StatusServiceUnavailable, "database unreachable")
			return
		}
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write([]byte(`{"status":"ready"}`))
}

func (s *Server) metricsHandler() http.Handler {
	return promhttp.HandlerFor(s.Metrics.Registry, promhttp.HandlerOpts{})
}

func (s *Server) staticHandler() http.Handler {
	sub, err := fs.Sub(assets, "static")
	if err != nil {
		panic(err) // the embedded tree always has static/
	}
	fsrv := http.StripPrefix("/static/", http.FileServerFS(sub))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		fsrv.ServeHTTP(w, r)
	})
}

// favicon answers the browser's default icon request with the site's icon.
func (s *Server) favicon(w http.ResponseWriter, r *http.Request) {
	icon, err := fs.ReadFile(assets, "static/favicon.svg")
	if err != nil {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "image/svg+xml")
	w.Header().Set("Cache-Control", "public, max-age=86400")
	_, _ = w.Write(icon)
}

// docOp is one operation on the API docs page.
type docOp struct {
	Method, Path, Summary, Description, Tag string
	Params                                  []docParam
	Body                                    string
}

type docParam struct{ Name, In, Doc string }

// apiDocs renders the OpenAPI document as a readable page, with no external
// scripts so that it works offline.
func (s *Server) apiDocs(w http.ResponseWriter, r *http.Request) {
	doc := s.api.OpenAPI()
	var ops []docOp
	for path, item := range doc.Paths {
		add := func(method string, o *huma.Operation) {
			if o == nil {
				return
			}
			d := docOp{Method: method, Path: path, Summary: o.Summary, Description: o.Description}
			if len(o.Tags) > 0 {
				d.Tag = o.Tags[0]
			}
			for _, p := range o.Parameters {
				d.Params = append(d.Params, docParam{Name: p.Name, In: p.In, Doc: p.Description})
			}
			if o.RequestBody != nil {
				if mt, ok := o.RequestBody.Content["application/json"]; ok && mt.Schema != nil {
					if b, err := json.MarshalIndent(doc.Components.Schemas.SchemaFromRef(mt.Schema.Ref), "", "  "); err == nil && mt.Schema.Ref != "" {
						d.Body = string(b)
					}
				}
			}
			ops = append(ops, d)
		}
		add("GET", item.Get)
		add("POST", item.Post)
		add("PUT", item.Put)
		add("PATCH", item.Patch)
		add("DELETE", item.Delete)
	}
	sort.Slice(ops, func(i, j int) bool {
		if ops[i].Tag != ops[j].Tag {
			return ops[i].Tag < ops[j].Tag
		}
		if ops[i].Path != ops[j].Path {
			return ops[i].Path < ops[j].Path
		}
		return ops[i].Method < ops[j].Method
	})
	s.render(w, r, http.StatusOK, "apidocs.html", View{Title: "API documentation", Nav: "apidocs", Data: ops})
}

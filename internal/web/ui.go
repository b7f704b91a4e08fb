package web

import (
	"bytes"
	"crypto/rand"
	"crypto/subtle"
	"embed"
	"encoding/base64"
	"fmt"
	"html/template"
	"io/fs"
	"mime"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/auth"
)

//go:embed templates static
var assets embed.FS

// pages holds one parsed template set per page: the layout, the shared
// partials and the page itself.
type pages struct {
	byName map[string]*template.Template
}

var funcs = template.FuncMap{
	"can": func(p *auth.Principal, perm string) bool { return p != nil && p.Can(auth.Permission(perm)) },
	"time": func(t any) string {
		switch v := t.(type) {
		case time.Time:
			if v.IsZero() {
				return ""
			}
			return v.UTC().Format("2006-01-02 15:04 UTC")
		case *time.Time:
			if v == nil {
				return ""
			}
			return v.UTC().Format("2006-01-02 15:04 UTC")
		}
		return ""
	},
	"date": func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.UTC().Format("2006-01-02")
	},
	"join":      strings.Join,
	"hasSubstr": strings.Contains,
	"roleLabel": func(r auth.Role) string { return r.Label() },
	"roles":     func() []auth.Role { return auth.Roles },
	"contains": func(list []string, s string) bool {
		for _, v := range list {
			if v == s {
				return true
			}
		}
		return false
	},
	// withQuery returns the current URL with one query parameter replaced.
	"withQuery": func(u *url.URL, key, value string) string {
		q := u.Query()
		if value == "" {
			q.Del(key)
		} else {
			q.Set(key, value)
		}
		c := *u
		c.RawQuery = q.Encode()
		return c.RequestURI()
	},
}

func loadPages() (*pages, error) {
	p := &pages{byName: map[string]*template.Template{}}
	base, err := template.New("layout.html").Funcs(funcs).ParseFS(assets, "templates/layout.html", "templates/partials/*.html")
	if err != nil {
		return nil, err
	}
	names, err := fs.Glob(assets, "templates/pages/*.html")
	if err != nil {
		return nil, err
	}
	for _, n := range names {
		t, err := template.Must(base.Clone()).ParseFS(assets, n)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", n, err)
		}
		p.byName[path.Base(n)] = t
	}
	return p, nil
}

// View is what every page template receives.
type View struct {
	Title   string
	Nav     string // active navigation item
	P       *auth.Principal
	CSRF    string
	Flash   string
	Error   string
	Fields  map[string]string // field → message, for forms
	URL     *url.URL
	Version string
	Data    any
}

// render writes a page; layout.html wraps it.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, v View) {
	t, ok := s.pages.byName[name]
	if !ok {
		s.log.ErrorContext(r.Context(), "missing template", "name", name)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	if p, ok := auth.PrincipalFrom(r.Context()); ok {
		v.P = &p
	}
	v.CSRF = s.csrfToken(r)
	v.URL = r.URL
	v.Version = s.Version
	if s.Sessions != nil && v.Flash == "" {
		v.Flash = s.Sessions.PopString(r.Context(), sessFlash)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout.html", v); err != nil {
		s.log.ErrorContext(r.Context(), "render", "name", name, "err", err.Error())
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = buf.WriteTo(w) // the client may be gone; nothing to do then
}

// flash shows msg on the next page the user sees.
func (s *Server) flash(r *http.Request, msg string) {
	if s.Sessions != nil {
		s.Sessions.Put(r.Context(), sessFlash, msg)
	}
}

// csrfToken returns the session's form token, creating it on first use.
func (s *Server) csrfToken(r *http.Request) string {
	if s.Sessions == nil {
		return ""
	}
	tok := s.Sessions.GetString(r.Context(), sessCSRF)
	if tok == "" {
		b := make([]byte, 32)
		_, _ = rand.Read(b)
		tok = base64.RawURLEncoding.EncodeToString(b)
		s.Sessions.Put(r.Context(), sessCSRF, tok)
	}
	return tok
}

func (s *Server) checkCSRF(r *http.Request) bool {
	if s.Sessions == nil {
		return false
	}
	want := s.Sessions.GetString(r.Context(), sessCSRF)
	got := r.PostFormValue("csrf_token")
	if got == "" {
		got = r.Header.Get("X-CSRF-Token") // htmx requests
	}
	return want != "" && subtle.ConstantTimeCompare([]byte(want), []byte(got)) == 1
}

// uiHandler handles a UI request for a signed-in principal.
type uiHandler func(w http.ResponseWriter, r *http.Request, p auth.Principal) error

// maxFormBytes bounds UI form bodies.
const maxFormBytes = 1 << 20

// page registers a UI route that requires perm. Anonymous visitors are sent
// to the login page; forms must carry the session's CSRF token.
func (s *Server) page(method, pattern string, perm auth.Permission, h uiHandler) {
	s.uiRoute(method, pattern, perm, maxFormBytes, h)
}

// upload registers a UI route like page whose form may carry files
// (multipart/form-data) of up to limit bytes in all.
func (s *Server) upload(method, pattern string, perm auth.Permission, limit int64, h uiHandler) {
	s.uiRoute(method, pattern, perm, limit, h)
}

// uiRoute registers a UI route whose form bodies may be up to limit bytes.
func (s *Server) uiRoute(method, pattern string, perm auth.Permission, limit int64, h uiHandler) {
	if perm == "" {
		panic("web: page " + pattern + " has no permission")
	}
	s.mux.HandleFunc(method+" "+pattern, func(w http.ResponseWriter, r *http.Request) {
		p, ok := auth.PrincipalFrom(r.Context())
		if !ok {
			if r.Method == http.MethodGet {
				http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
				return
			}
			s.errorPage(w, r, apperr.E(apperr.Unauthorized, "your session has ended; sign in again"))
			return
		}
		if !p.Can(perm) {
			s.errorPage(w, r, apperr.E(apperr.Forbidden, "your role (%s) cannot do this", p.Role.Label()))
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			r.Body = http.MaxBytesReader(w, r.Body, limit)
			if err := parseForm(r); err != nil {
				s.errorPage(w, r, apperr.Invalidf("the form could not be read"))
				return
			}
			if !s.checkCSRF(r) {
				s.errorPage(w, r, apperr.E(apperr.Forbidden, "the form has expired; reload the page and try again"))
				return
			}
		}
		if err := h(w, r, p); err != nil {
			s.errorPage(w, r, err)
		}
	})
	s.routes = append(s.routes, Route{Method: method, Path: pattern, Perm: perm, Kind: KindUI})
}

// parseForm reads a urlencoded or multipart form; files beyond the first
// MiB of a multipart form go to temporary files.
func parseForm(r *http.Request) error {
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err == nil && mt == "multipart/form-data" {
		return r.ParseMultipartForm(1 << 20)
	}
	return r.ParseForm()
}

// public registers a route that needs no sign-in.
func (s *Server) public(method, pattern string, h http.HandlerFunc) {
	s.mux.HandleFunc(method+" "+pattern, h)
	s.routes = append(s.routes, Route{Method: method, Path: pattern, Kind: KindPublic})
}

// errorPage renders an error for a UI request, logging internal ones.
func (s *Server) errorPage(w http.ResponseWriter, r *http.Request, err error) {
	status := Status(err)
	if status >= 500 {
		s.log.ErrorContext(r.Context(), "page failed", "path", r.URL.Path, "err", err.Error())
	}
	s.render(w, r, status, "error.html", View{Title: http.StatusText(status), Error: apperr.MessageOf(err), Data: status})
}

// formErrors turns a validation error into field → message for templates.
func formErrors(err error) map[string]string {
	m := map[string]string{}
	for _, f := range apperr.FieldsOf(err) {
		m[f.Field] = f.Message
	}
	return m
}

// redirect answers a successful form post (post/redirect/get).
func redirect(w http.ResponseWriter, r *http.Request, to string) {
	http.Redirect(w, r, to, http.StatusSeeOther)
}

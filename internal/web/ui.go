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
	"sync"
	"time"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/tracker"
)

//go:embed templates static
var assets embed.FS

// pages holds one parsed template set per page: the layout, the shared
// partials and the page itself.
type pages struct {
	base   *template.Template // layout and partials
	files  map[string]string  // page name → template file
	mu     sync.Mutex
	byName map[string]*template.Template // pages parsed so far
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
	"join": strings.Join,
	// size is a byte count for people: 256 KiB, 1.5 MiB, 300 bytes.
	"size": func(n int64) string { return strings.Replace(sizeLabel(n), ".0 ", " ", 1) },
	// fieldValues shows one canonical field of a linked issue.
	"fieldValues": func(f tracker.IssueFields, name string) map[string]string {
		v := map[string]string{}
		switch name {
		case "title":
			v[name] = f.Title
		case "body":
			v[name] = f.Body
		case "state":
			v[name] = f.State
		case "labels":
			v[name] = strings.Join(f.Labels, ", ")
		case "assignees":
			v[name] = strings.Join(f.Assignees, ", ")
		case "due_date":
			v[name] = f.DueDate
		}
		return v
	},
	"hasSubstr": strings.Contains,
	"shorten":   shorten,
	"roleLabel": func(r auth.Role) string { return r.Label() },
	"enumWords": enumWords,
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

// loadPages parses the layout and checks every page parses with it. The
// pages themselves are parsed again on first use and kept from then on: a
// server whose UI nobody opens does not hold every page's templates.
func loadPages() (*pages, error) {
	base, err := template.New("layout.html").Funcs(funcs).ParseFS(assets, "templates/layout.html", "templates/partials/*.html")
	if err != nil {
		return nil, err
	}
	names, err := fs.Glob(assets, "templates/pages/*.html")
	if err != nil {
		return nil, err
	}
	p := &pages{base: base, files: map[string]string{}, byName: map[string]*template.Template{}}
	for _, n := range names {
		if _, err := p.parse(n); err != nil {
			return nil, err
		}
		p.files[path.Base(n)] = n
	}
	return p, nil
}

func (p *pages) parse(file string) (*template.Template, error) {
	t, err := template.Must(p.base.Clone()).ParseFS(assets, file)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	return t, nil
}

// page returns the named page's template, parsing it on first use.
func (p *pages) page(name string) (*template.Template, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if t, ok := p.byName[name]; ok {
		return t, nil
	}
	file, ok := p.files[name]
	if !ok {
		return nil, fmt.Errorf("no page template %q", name)
	}
	t, err := p.parse(file)
	if err != nil {
		return nil, err
	}
	p.byName[name] = t
	return t, nil
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
	t, err := s.pages.page(name)
	if err != nil {
		s.log.ErrorContext(r.Context(), "missing template", "name", name, "err", err.Error())
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

// enumWords spells an upper-case enum value of the API (FAILED_NORMALIZE)
// as words a heading can wrap between ("Failed normalize"); the value
// itself stays in the heading's title.
func enumWords(v any) string {
	w := strings.ToLower(strings.ReplaceAll(fmt.Sprint(v), "_", " "))
	if w == "" {
		return w
	}
	return strings.ToUpper(w[:1]) + w[1:]
}

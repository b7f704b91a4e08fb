package web

import (
	"bytes"
	"embed"
	"html/template"
	"io/fs"
	"net/http"
	"slices"
	"strings"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"

	"github.com/vendorsync/vendorsync/internal/auth"
)

// docFiles are the in-app documentation's chapters, in Markdown, in the
// order of their file names.
//
//go:embed docs/*.md
var docFiles embed.FS

// docChapter is one chapter of the documentation, rendered.
type docChapter struct {
	ID, Title string
	HTML      template.HTML
}

// docs renders the chapters once. The Markdown is ours and embedded (no
// raw HTML is allowed through), so the result is safe to show as is.
var docs = func() []docChapter {
	md := goldmark.New(goldmark.WithExtensions(extension.Table), goldmark.WithParserOptions(parser.WithAutoHeadingID()))
	names, err := fs.Glob(docFiles, "docs/*.md")
	if err != nil {
		panic(err) // the pattern is constant
	}
	slices.Sort(names)
	var out []docChapter
	for _, name := range names {
		src, err := docFiles.ReadFile(name)
		if err != nil {
			panic(err) // embedded files are always readable
		}
		title, _, _ := strings.Cut(strings.TrimPrefix(string(src), "# "), "\n")
		var buf bytes.Buffer
		if err := md.Convert(src, &buf); err != nil {
			panic(err) // goldmark does not fail on a bytes.Buffer
		}
		id := strings.TrimSuffix(strings.TrimPrefix(name, "docs/"), ".md")
		out = append(out, docChapter{ID: id, Title: title, HTML: template.HTML(buf.String())}) // #nosec G203: our own embedded Markdown, raw HTML disabled
	}
	return out
}()

// docsPage is the documentation page: its chapters and the permission
// table the server enforces.
type docsPage struct {
	Chapters []docChapter
	Roles    []auth.Role
	Matrix   []docPermission
}

// docPermission is one row of the permission table.
type docPermission struct {
	Permission auth.Permission
	Allowed    []bool // by Roles
}

// uiDocs shows how VendorSync works: triage, the ticket lifecycle and SLA,
// escalations, trackers, roles and configuration.
func (s *Server) uiDocs(w http.ResponseWriter, r *http.Request, _ auth.Principal) error {
	data := docsPage{Chapters: docs, Roles: auth.Roles}
	perms := make([]auth.Permission, 0, len(auth.Matrix))
	for p := range auth.Matrix {
		perms = append(perms, p)
	}
	slices.Sort(perms)
	for _, p := range perms {
		row := docPermission{Permission: p}
		for _, role := range data.Roles {
			row.Allowed = append(row.Allowed, auth.Allowed(role, p))
		}
		data.Matrix = append(data.Matrix, row)
	}
	s.render(w, r, http.StatusOK, "docs.html", View{Title: "Documentation", Nav: "docs", Data: data})
	return nil
}

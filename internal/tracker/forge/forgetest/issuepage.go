package forgetest

import (
	"html/template"
	"net/http"
)

// IssuePage is an issue as a fake tracker shows it to a person at its web
// address (Gitea's html_url, Jira's /browse/{key}), so a link to it from
// VendorSync opens a page rather than an API error.
type IssuePage struct {
	// Tracker names the fake ("Gitea", "Jira Cloud").
	Tracker   string
	Key       string // acme/payments#3, PAY-12
	Title     string
	State     string
	Labels    []string
	Assignees []string
	Body      string
	Comments  []string
	// Missing says the tracker has no such issue.
	Missing bool
}

var issuePage = template.Must(template.New("issue").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{.Key}} · {{.Tracker}} (in memory)</title>
<style>
body{font:15px/1.5 system-ui,sans-serif;margin:0;background:#f6f7f9;color:#1f2328}
header{background:#2b3137;color:#fff;padding:.6rem 1.2rem;font-weight:600}
main{max-width:52rem;margin:1.2rem auto;background:#fff;border:1px solid #d0d7de;border-radius:6px;padding:1rem 1.4rem}
.note{background:#fff8c5;border:1px solid #d4a72c;border-radius:6px;padding:.5rem .8rem;font-size:.9rem}
.state{display:inline-block;border-radius:1rem;padding:.1rem .7rem;background:#1f883d;color:#fff;font-size:.85rem}
.label{display:inline-block;border:1px solid #d0d7de;border-radius:1rem;padding:0 .6rem;margin-right:.3rem;font-size:.85rem}
pre{white-space:pre-wrap;font:inherit;background:#f6f8fa;padding:.6rem;border-radius:6px}
</style></head>
<body><header>{{.Tracker}} — built into VendorSync's demo</header><main>
<p class="note">This {{.Tracker}} runs inside VendorSync for the demo and keeps its issues in memory only:
they are gone when VendorSync stops.</p>
{{if .Missing}}<h1>{{.Key}} not found</h1><p>This tracker has no such issue (it may have been lost in a restart).</p>
{{else}}<h1>{{.Title}} <small>{{.Key}}</small></h1>
<p><span class="state">{{.State}}</span>
{{range .Labels}}<span class="label">{{.}}</span>{{end}}</p>
{{if .Assignees}}<p>Assigned to {{range $i, $a := .Assignees}}{{if $i}}, {{end}}{{$a}}{{end}}</p>{{end}}
<pre>{{.Body}}</pre>
{{if .Comments}}<h2>Comments</h2>{{range .Comments}}<pre>{{.}}</pre>{{end}}{{end}}
{{end}}</main></body></html>
`))

// WritePage answers with p as an HTML page: 404 when p is Missing.
func WritePage(w http.ResponseWriter, p IssuePage) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if p.Missing {
		w.WriteHeader(http.StatusNotFound)
	}
	_ = issuePage.Execute(w, p) // the client went away
}

package jiratest

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/vendorsync/vendorsync/internal/tracker/forge/forgetest"
)

// browse handles GET /browse/{key}, an issue's page in Jira's web UI: a
// small HTML page of its summary, status, labels, assignee, description
// and comments (no sign-in, unlike Jira). An earlier key of a moved issue
// shows the issue, as Jira redirects.
func (s *Server) browse(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	iss, ok := s.issues[s.resolve(r.PathValue("key"))]
	p := forgetest.IssuePage{Tracker: "Jira Cloud", Key: r.PathValue("key"), Missing: !ok}
	if ok {
		p.Key, p.Title, p.State, p.Labels = iss.Key, iss.Summary, iss.StatusName, append([]string(nil), iss.Labels...)
		p.Body = iss.DescriptionWiki
		if len(iss.DescriptionADF) > 0 {
			p.Body = adfText(iss.DescriptionADF)
		}
		if iss.Assignee != "" {
			p.Assignees = []string{s.displayName(iss.Assignee)}
		}
		for _, c := range iss.Comments {
			body := c.BodyWiki
			if len(c.BodyADF) > 0 {
				body = adfText(c.BodyADF)
			}
			p.Comments = append(p.Comments, body)
		}
	}
	s.mu.Unlock()
	forgetest.WritePage(w, p)
}

// displayName is the name of the account with id (accountId or user
// name), or id when the server knows none; s.mu must be held.
func (s *Server) displayName(id string) string {
	for _, u := range s.users {
		if u.AccountID == id || u.Name == id {
			return u.DisplayName
		}
	}
	return id
}

// adfText is the plain text of an ADF document: its text nodes, a line
// break after each block.
func adfText(raw json.RawMessage) string {
	var b strings.Builder
	var walk func(raw json.RawMessage)
	walk = func(raw json.RawMessage) {
		var n adfNode
		if json.Unmarshal(raw, &n) != nil {
			return
		}
		switch {
		case n.Text != nil:
			b.WriteString(*n.Text)
		case n.Type == "hardBreak":
			b.WriteString("\n")
		}
		var kids []json.RawMessage
		if json.Unmarshal(n.Content, &kids) == nil {
			for _, k := range kids {
				walk(k)
			}
		}
		if n.Type == "paragraph" || n.Type == "heading" || n.Type == "codeBlock" {
			b.WriteString("\n")
		}
	}
	walk(raw)
	return strings.TrimSpace(b.String())
}

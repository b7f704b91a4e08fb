package jiratest

import (
	"net/http"
	"strconv"
	"strings"
)

// Move moves the issue with key to project, as a person using Jira's "Move"
// would: it gets the next key of that project, and Jira keeps answering
// its earlier keys (GET /issue/{old key}, JQL key = old key) with the issue
// under its new key. It returns the new key.
func (s *Server) Move(key, project string) string {
	s.tb.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	iss, ok := s.issues[key]
	p, pok := s.projects[project]
	if !ok || !pok {
		s.tb.Fatalf("jiratest: Move: no issue %s or no project %s", key, project)
		return ""
	}
	p.last++
	delete(s.issues, key)
	iss.Key, iss.Project, iss.Updated = project+"-"+strconv.Itoa(p.last), project, s.now()
	s.issues[iss.Key] = iss
	for old, to := range s.movedTo {
		if to == key {
			s.movedTo[old] = iss.Key
		}
	}
	s.movedTo[key] = iss.Key
	return iss.Key
}

// resolve follows a moved issue's earlier key to its key; s.mu must be
// held.
func (s *Server) resolve(key string) string {
	if to, ok := s.movedTo[key]; ok && s.issues[key] == nil {
		return to
	}
	return key
}

// getIssue handles GET /issue/{key}: the issue with the fields a status
// read asks for, under its current key even when asked by an earlier one.
func (s *Server) getIssue(c call) reply {
	iss, miss := s.lockIssue(c, nil)
	if iss == nil {
		return miss
	}
	defer s.mu.Unlock()
	fields := []string{"*all"}
	if f := c.r.URL.Query().Get("fields"); f != "" {
		fields = strings.Split(f, ",")
	}
	return reply{http.StatusOK, s.issueJSON(iss, fields, c.version)}
}

// comments handles GET /issue/{key}/comment (PageOfComments), with
// startAt, maxResults and orderBy=created or -created.
func (s *Server) comments(c call) reply {
	q := c.r.URL.Query()
	start, _ := strconv.Atoi(q.Get("startAt"))     // absent or malformed is 0, as in Jira
	size, err := strconv.Atoi(q.Get("maxResults")) // absent or malformed is the page size
	s.mu.Lock()
	defer s.mu.Unlock()
	if err != nil || size <= 0 || size > s.pageSize {
		size = s.pageSize
	}
	iss, ok := s.issues[s.resolve(c.r.PathValue("key"))]
	if !ok {
		return reply{http.StatusNotFound, errorBody("Issue does not exist or you do not have permission to see it.")}
	}
	all := append([]Comment(nil), iss.Comments...)
	if q.Get("orderBy") == "-created" {
		for i, j := 0, len(all)-1; i < j; i, j = i+1, j-1 {
			all[i], all[j] = all[j], all[i]
		}
	}
	start = min(max(start, 0), len(all))
	page := all[start:min(start+size, len(all))]
	out := make([]map[string]any, len(page))
	for i, cm := range page {
		var body any = cm.BodyWiki
		if c.version == "3" {
			body = cm.BodyADF
		}
		out[i] = map[string]any{"id": cm.ID, "body": body, "created": cm.Created.Format(timeLayout)}
	}
	return reply{http.StatusOK, map[string]any{"startAt": start, "maxResults": size, "total": len(all), "comments": out}}
}

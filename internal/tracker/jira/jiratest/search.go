package jiratest

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
)

// searchRequest is the union of the v3 and v2 search bodies.
type searchRequest struct {
	JQL        string   `json:"jql"`
	Fields     []string `json:"fields"`
	MaxResults *int     `json:"maxResults"`
	// v3
	NextPageToken   string `json:"nextPageToken"`
	Expand          any    `json:"expand"`
	ReconcileIssues []int  `json:"reconcileIssues"`
	// v2
	StartAt       *int `json:"startAt"`
	ValidateQuery any  `json:"validateQuery"`
}

// search handles POST /rest/api/3/search/jql (nextPageToken paging) and
// POST /rest/api/2/search (startAt paging).
func (s *Server) search(c call) reply {
	var req searchRequest
	dec := json.NewDecoder(bytes.NewReader(c.body))
	dec.DisallowUnknownFields()
	invalid := reply{http.StatusBadRequest, errorBody("Invalid request payload. Refer to the REST API documentation and try again.")}
	if err := dec.Decode(&req); err != nil {
		return invalid
	}
	if c.version == "3" && (req.StartAt != nil || req.ValidateQuery != nil) {
		return invalid // the new endpoint has neither
	}
	if c.version == "2" && req.NextPageToken != "" {
		return invalid
	}
	if strings.TrimSpace(req.JQL) == "" {
		return reply{http.StatusBadRequest, errorBody("Unbounded JQL queries are not allowed here. Please add a search restriction to your query.")}
	}
	q, err := parseJQL(req.JQL)
	if err != nil {
		return reply{http.StatusBadRequest, errorBody("Error in the JQL Query: " + err.Error())}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	hits, problems := s.run(q)
	if len(problems) > 0 {
		return reply{http.StatusBadRequest, map[string]any{"errorMessages": problems, "warningMessages": []string{}}}
	}
	size := 50
	if req.MaxResults != nil && *req.MaxResults > 0 {
		size = *req.MaxResults
	}
	size = min(size, s.pageSize)
	start := 0
	switch {
	case c.version == "3" && req.NextPageToken != "":
		off, ok := parseToken(req.JQL, req.NextPageToken)
		if !ok {
			return reply{http.StatusBadRequest, errorBody("The provided next page token is invalid or expired.")}
		}
		start = off
	case c.version == "2" && req.StartAt != nil:
		start = max(0, *req.StartAt)
	}
	end := min(start+size, len(hits))
	start = min(start, end)
	page := make([]map[string]any, 0, end-start)
	for _, iss := range hits[start:end] {
		page = append(page, s.issueJSON(iss, req.Fields, c.version))
	}
	if c.version == "2" {
		return reply{http.StatusOK, map[string]any{"expand": "schema,names", "startAt": start, "maxResults": size,
			"total": len(hits), "issues": page}}
	}
	body := map[string]any{"issues": page, "isLast": end >= len(hits)}
	if end < len(hits) {
		body["nextPageToken"] = pageToken(req.JQL, end)
	}
	return reply{http.StatusOK, body}
}

// issueJSON renders an issue with the requested fields. With none, v3
// returns just the id (as /search/jql does) and v2 every field.
func (s *Server) issueJSON(iss *Issue, fields []string, version string) map[string]any {
	out := map[string]any{"id": iss.ID, "key": iss.Key, "self": s.URL + "/rest/api/" + version + "/issue/" + iss.ID}
	if len(fields) == 0 {
		if version == "3" {
			return out
		}
		fields = []string{"*all"}
	}
	all := map[string]any{
		"summary":   iss.Summary,
		"status":    statusJSON(iss),
		"updated":   iss.Updated.Format(timeLayout),
		"created":   iss.Created.Format(timeLayout),
		"labels":    append([]string{}, iss.Labels...),
		"issuetype": map[string]string{"name": iss.IssueType},
		"project":   map[string]string{"key": iss.Project},
		"duedate":   nil,
		"assignee":  nil,
	}
	if iss.DueDate != "" {
		all["duedate"] = iss.DueDate
	}
	if iss.Assignee != "" {
		all["assignee"] = s.userRef(iss.Assignee)
	}
	if version == "3" && len(iss.DescriptionADF) > 0 {
		all["description"] = iss.DescriptionADF
	} else if version == "2" && iss.DescriptionWiki != "" {
		all["description"] = iss.DescriptionWiki
	} else {
		all["description"] = nil
	}
	f := map[string]any{}
	for _, name := range fields {
		if name == "*all" || name == "*navigable" {
			f = all
			break
		}
		if v, ok := all[name]; ok {
			f[name] = v
		}
	}
	out["fields"] = f
	return out
}

// userRef renders an assignee as Jira nests users in issues: accountId
// and displayName, and on Server the user name; s.mu must be held.
func (s *Server) userRef(id string) map[string]string {
	ref := map[string]string{"accountId": id, "name": id, "displayName": id}
	for _, u := range s.users {
		if u.AccountID == id || u.Name == id {
			ref["displayName"] = u.DisplayName
		}
	}
	return ref
}

// statusJSON renders a status with its category, as Jira does.
func statusJSON(iss *Issue) map[string]any {
	names := map[string]string{CategoryToDo: "To Do", CategoryInProgress: "In Progress", CategoryDone: "Done"}
	ids := map[string]int{CategoryToDo: 2, CategoryInProgress: 4, CategoryDone: 3}
	catName, ok := names[iss.StatusCategory]
	if !ok {
		catName = "No Category"
	}
	return map[string]any{
		"name": iss.StatusName, "id": "1",
		"statusCategory": map[string]any{"id": ids[iss.StatusCategory], "key": iss.StatusCategory, "name": catName},
	}
}

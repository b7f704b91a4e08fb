package jiratest

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"
)

// settable are the fields a create may set on the default screen.
var settable = map[string]bool{
	"project": true, "issuetype": true, "summary": true, "description": true,
	"duedate": true, "labels": true, "assignee": true,
}

// create handles POST /issue, validating like Jira: every problem is
// reported at once as {"errorMessages":[],"errors":{"field":"…"}}.
func (s *Server) create(c call) reply {
	var req struct {
		Fields map[string]json.RawMessage `json:"fields"`
	}
	if err := json.Unmarshal(c.body, &req); err != nil || req.Fields == nil {
		return reply{http.StatusBadRequest, errorBody("Can not deserialize instance of IssueUpdateBean: fields are required.")}
	}
	errs := map[string]string{}
	for name := range req.Fields {
		if !settable[name] {
			errs[name] = "Field '" + name + "' cannot be set. It is not on the appropriate screen, or unknown."
		}
	}
	var ref struct {
		Key, ID, Name, AccountID string
	}
	decodeRef := func(raw json.RawMessage) bool {
		ref.Key, ref.ID, ref.Name, ref.AccountID = "", "", "", ""
		var m map[string]string
		if json.Unmarshal(raw, &m) != nil {
			return false
		}
		ref.Key, ref.ID, ref.Name, ref.AccountID = m["key"], m["id"], m["name"], m["accountId"]
		return true
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	var proj *project
	projectKey := ""
	if raw, ok := req.Fields["project"]; !ok || !decodeRef(raw) || s.projects[ref.Key] == nil {
		errs["project"] = "Specify a valid project ID or key"
	} else {
		projectKey, proj = ref.Key, s.projects[ref.Key]
	}
	issueType := ""
	switch raw, ok := req.Fields["issuetype"]; {
	case !ok:
		errs["issuetype"] = "Specify an issue type"
	case !decodeRef(raw) || ref.Name == "":
		errs["issuetype"] = "Specify a valid issue type"
	case proj != nil && !proj.types[ref.Name]:
		errs["issuetype"] = "Specify a valid issue type"
	default:
		issueType = ref.Name
	}
	var summary string
	switch raw, ok := req.Fields["summary"]; {
	case !ok || json.Unmarshal(raw, &summary) != nil || strings.TrimSpace(summary) == "":
		errs["summary"] = "You must specify a summary of the issue."
	case utf8.RuneCountInString(summary) > 255:
		errs["summary"] = "Summary must be less than 255 characters."
	case strings.ContainsAny(summary, "\r\n"):
		errs["summary"] = "The summary is invalid because it contains newline characters."
	}
	var descADF json.RawMessage
	var descWiki string
	if raw, ok := req.Fields["description"]; ok {
		if c.version == "3" {
			if validADF(raw) != nil {
				errs["description"] = "Operation value must be an Atlassian Document (see the Atlassian Document Format)"
			}
			descADF = raw
		} else if json.Unmarshal(raw, &descWiki) != nil {
			errs["description"] = "Operation value must be a string"
		}
	}
	var due string
	if raw, ok := req.Fields["duedate"]; ok {
		if json.Unmarshal(raw, &due) != nil {
			errs["duedate"] = "Operation value must be a string"
		} else if _, err := time.Parse(time.DateOnly, due); err != nil {
			errs["duedate"] = "Error parsing date string: " + due
		}
	}
	var labels []string
	if raw, ok := req.Fields["labels"]; ok {
		if json.Unmarshal(raw, &labels) != nil {
			errs["labels"] = "Operation value must be an array of strings"
		}
		for _, l := range labels {
			switch {
			case strings.ContainsAny(l, " \t\r\n"):
				errs["labels"] = "The label '" + l + "' contains spaces which is invalid."
			case l == "" || utf8.RuneCountInString(l) > 255:
				errs["labels"] = "The label '" + l + "' is invalid."
			}
		}
	}
	assignee := ""
	if raw, ok := req.Fields["assignee"]; ok {
		switch {
		case !decodeRef(raw):
			errs["assignee"] = "expected Object"
		case c.version == "3" && ref.AccountID == "":
			errs["assignee"] = "Specify the user by accountId"
		case c.version == "2" && ref.Name == "":
			errs["assignee"] = "Specify the user by name"
		case c.version == "3":
			assignee = ref.AccountID
		default:
			assignee = ref.Name
		}
	}
	if _, bad := errs["assignee"]; !bad && assignee != "" {
		if msg := s.assignable(c.version, ref.AccountID, ref.Name); msg != "" {
			errs["assignee"] = msg
		}
	}
	if len(errs) > 0 {
		return reply{http.StatusBadRequest, fieldErrors(errs)}
	}
	iss := s.insert(projectKey, proj, issueType, summary, s.now())
	iss.DescriptionADF, iss.DescriptionWiki = descADF, descWiki
	iss.Labels, iss.DueDate, iss.Assignee = labels, due, assignee
	return reply{http.StatusCreated, map[string]string{
		"id": iss.ID, "key": iss.Key, "self": s.URL + "/rest/api/" + c.version + "/issue/" + iss.ID,
	}}
}

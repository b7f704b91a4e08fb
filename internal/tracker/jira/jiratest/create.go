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
	if _, ok := req.Fields["summary"]; !ok {
		errs["summary"] = "You must specify a summary of the issue."
	}
	v := s.checkFields(c.version, req.Fields, errs)
	if len(errs) > 0 {
		return reply{http.StatusBadRequest, fieldErrors(errs)}
	}
	iss := s.insert(projectKey, proj, issueType, v.summary, s.now())
	iss.DescriptionADF, iss.DescriptionWiki = v.descADF, v.descWiki
	iss.Labels, iss.DueDate, iss.Assignee = v.labels, v.due, v.assignee
	return reply{http.StatusCreated, map[string]string{
		"id": iss.ID, "key": iss.Key, "self": s.URL + "/rest/api/" + c.version + "/issue/" + iss.ID,
	}}
}

// values are the issue fields a create or an edit sets.
type values struct {
	summary, descWiki, due, assignee string
	descADF                          json.RawMessage
	labels                           []string
}

// checkFields validates the summary, description, duedate, labels and
// assignee present in fields as Jira does, adding each problem to errs; a
// null clears the description, due date or assignee. s.mu must be held.
func (s *Server) checkFields(version string, fields map[string]json.RawMessage, errs map[string]string) values {
	var v values
	null := func(raw json.RawMessage) bool { return string(raw) == "null" }
	if raw, ok := fields["summary"]; ok {
		switch {
		case json.Unmarshal(raw, &v.summary) != nil || strings.TrimSpace(v.summary) == "":
			errs["summary"] = "You must specify a summary of the issue."
		case utf8.RuneCountInString(v.summary) > 255:
			errs["summary"] = "Summary must be less than 255 characters."
		case strings.ContainsAny(v.summary, "\r\n"):
			errs["summary"] = "The summary is invalid because it contains newline characters."
		}
	}
	if raw, ok := fields["description"]; ok && !null(raw) {
		if version == "3" {
			if validADF(raw) != nil {
				errs["description"] = "Operation value must be an Atlassian Document (see the Atlassian Document Format)"
			}
			v.descADF = raw
		} else if json.Unmarshal(raw, &v.descWiki) != nil {
			errs["description"] = "Operation value must be a string"
		}
	}
	if raw, ok := fields["duedate"]; ok && !null(raw) {
		if json.Unmarshal(raw, &v.due) != nil {
			errs["duedate"] = "Operation value must be a string"
		} else if _, err := time.Parse(time.DateOnly, v.due); err != nil {
			errs["duedate"] = "Error parsing date string: " + v.due
		}
	}
	if raw, ok := fields["labels"]; ok {
		if json.Unmarshal(raw, &v.labels) != nil {
			errs["labels"] = "Operation value must be an array of strings"
		}
		for _, l := range v.labels {
			switch {
			case strings.ContainsAny(l, " \t\r\n"):
				errs["labels"] = "The label '" + l + "' contains spaces which is invalid."
			case l == "" || utf8.RuneCountInString(l) > 255:
				errs["labels"] = "The label '" + l + "' is invalid."
			}
		}
	}
	if raw, ok := fields["assignee"]; ok && !null(raw) {
		var ref map[string]string
		switch {
		case json.Unmarshal(raw, &ref) != nil:
			errs["assignee"] = "expected Object"
		case version == "3" && ref["accountId"] == "":
			errs["assignee"] = "Specify the user by accountId"
		case version == "2" && ref["name"] == "":
			errs["assignee"] = "Specify the user by name"
		default:
			v.assignee = ref["name"]
			if version == "3" {
				v.assignee = ref["accountId"]
			}
			if msg := s.assignable(version, ref["accountId"], ref["name"]); msg != "" {
				errs["assignee"] = msg
			}
		}
	}
	return v
}

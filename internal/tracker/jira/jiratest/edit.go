package jiratest

import (
	"encoding/json"
	"net/http"
)

// editable are the fields an edit may set on the default edit screen.
var editable = map[string]bool{"summary": true, "description": true, "duedate": true, "labels": true, "assignee": true}

// edit handles PUT /issue/{key} (Edit issue): the fields given are set
// (null clears the description, due date or assignee) and 204 answers;
// every problem is reported at once as a 400 with errorMessages and
// errors, and nothing is changed.
func (s *Server) edit(c call) reply {
	var req struct {
		Fields map[string]json.RawMessage `json:"fields"`
	}
	iss, miss := s.lockIssue(c, &req)
	if iss == nil {
		return miss
	}
	defer s.mu.Unlock()
	errs := map[string]string{}
	for name := range req.Fields {
		if !editable[name] {
			errs[name] = "Field '" + name + "' cannot be set. It is not on the appropriate screen, or unknown."
		}
	}
	v := s.checkFields(c.version, req.Fields, errs)
	if len(errs) > 0 {
		return reply{http.StatusBadRequest, fieldErrors(errs)}
	}
	for name := range req.Fields {
		switch name {
		case "summary":
			iss.Summary = v.summary
		case "description":
			iss.DescriptionADF, iss.DescriptionWiki = v.descADF, v.descWiki
		case "duedate":
			iss.DueDate = v.due
		case "labels":
			iss.Labels = append([]string{}, v.labels...)
		case "assignee":
			iss.Assignee = v.assignee
		}
	}
	iss.Updated = s.now()
	return reply{http.StatusNoContent, nil}
}

// workflow is every issue's workflow: from any status a transition leads
// to each other one, named after its target.
var workflow = []struct{ id, name, status, category string }{
	{"11", "Back to do", "To Do", CategoryToDo},
	{"21", "Start progress", "In Progress", CategoryInProgress},
	{"31", "Done", "Done", CategoryDone},
}

// transitions handles GET /issue/{key}/transitions: the transitions
// available from the issue's status, each with its target status and
// that status's category.
func (s *Server) transitions(c call) reply {
	iss, miss := s.lockIssue(c, nil)
	if iss == nil {
		return miss
	}
	defer s.mu.Unlock()
	out := []map[string]any{}
	for _, t := range workflow {
		if t.status == iss.StatusName || s.closedTo[t.category] {
			continue
		}
		out = append(out, map[string]any{"id": t.id, "name": t.name, "hasScreen": false, "isAvailable": true,
			"to": map[string]any{"name": t.status, "statusCategory": map[string]any{"key": t.category}}})
	}
	return reply{http.StatusOK, map[string]any{"expand": "transitions", "transitions": out}}
}

// transition handles POST /issue/{key}/transitions: 204 after moving the
// issue to the transition's status; 400 for a transition not available
// from its status.
func (s *Server) transition(c call) reply {
	var req struct {
		Transition struct {
			ID string `json:"id"`
		} `json:"transition"`
	}
	iss, miss := s.lockIssue(c, &req)
	if iss == nil {
		return miss
	}
	defer s.mu.Unlock()
	for _, t := range workflow {
		if t.id == req.Transition.ID && t.status != iss.StatusName && !s.closedTo[t.category] {
			iss.StatusName, iss.StatusCategory, iss.Updated = t.status, t.category, s.now()
			return reply{http.StatusNoContent, nil}
		}
	}
	return reply{http.StatusBadRequest, errorBody("Transition id '" + req.Transition.ID + "' is not valid for this issue.")}
}

// CloseTransitionsTo takes every transition into a status of category out
// of the workflow, as an admin's workflow without a way there would.
func (s *Server) CloseTransitionsTo(category string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closedTo == nil {
		s.closedTo = map[string]bool{}
	}
	s.closedTo[category] = true
}

// badBean is Jira's answer to a body it cannot read as an edit.
var badBean = reply{http.StatusBadRequest, errorBody("Can not deserialize instance of IssueUpdateBean.")}

// lockIssue decodes the request's body into req (unless nil), locks s.mu
// and returns the issue the path names; when it returns nil, s.mu is not
// held and the reply is Jira's 400 or 404.
func (s *Server) lockIssue(c call, req any) (*Issue, reply) {
	if req != nil && json.Unmarshal(c.body, req) != nil {
		return nil, badBean
	}
	s.mu.Lock()
	iss, ok := s.issues[s.resolve(c.r.PathValue("key"))]
	if !ok {
		s.mu.Unlock()
		return nil, reply{http.StatusNotFound, errorBody("Issue does not exist or you do not have permission to see it.")}
	}
	return iss, reply{}
}

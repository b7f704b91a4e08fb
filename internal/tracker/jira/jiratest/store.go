package jiratest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
)

// The status categories Jira reports (statusCategory.key).
const (
	CategoryToDo       = "new"
	CategoryInProgress = "indeterminate"
	CategoryDone       = "done"
)

// Issue is an issue as the server stores it.
type Issue struct {
	ID        string
	Key       string
	Project   string
	IssueType string
	Summary   string
	// DescriptionADF is the description sent to v3, DescriptionWiki the
	// one sent to v2.
	DescriptionADF  json.RawMessage
	DescriptionWiki string
	Labels          []string
	DueDate         string
	// Assignee is the accountId (v3) or user name (v2) sent.
	Assignee       string
	StatusName     string
	StatusCategory string
	Created        time.Time
	Updated        time.Time
	Comments       []Comment
}

// Comment is a comment as the server stores it.
type Comment struct {
	ID       string
	BodyADF  json.RawMessage // sent to v3
	BodyWiki string          // sent to v2
	Created  time.Time
}

// project is a Jira project: its issue types and key counter.
type project struct {
	types map[string]bool
	last  int
}

// AddProject creates a project with the given issue types.
func (s *Server) AddProject(key string, issueTypes ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := &project{types: map[string]bool{}}
	for _, t := range issueTypes {
		p.types[t] = true
	}
	s.projects[key] = p
}

// Issue returns a copy of the issue with key.
func (s *Server) Issue(key string) (Issue, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	iss, ok := s.issues[key]
	if !ok {
		return Issue{}, false
	}
	return iss.clone(), true
}

// Issues returns copies of all issues, oldest first.
func (s *Server) Issues() []Issue {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Issue, 0, len(s.issues))
	for _, iss := range s.sorted(s.all(), "created", false) {
		out = append(out, iss.clone())
	}
	return out
}

// Comments returns the comments on the issue with key, oldest first.
func (s *Server) Comments(key string) []Comment {
	iss, _ := s.Issue(key)
	return iss.Comments
}

// SetStatus moves an issue to a status, as a person working it in Jira
// would; category is CategoryToDo, CategoryInProgress, CategoryDone or
// anything else for an unknown one.
func (s *Server) SetStatus(key, name, category string) {
	s.tb.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	iss, ok := s.issues[key]
	if !ok {
		s.tb.Fatalf("jiratest: SetStatus: no issue %s", key)
		return
	}
	iss.StatusName, iss.StatusCategory, iss.Updated = name, category, s.now()
}

// Edit changes an issue as a person would in Jira, stamping it updated
// now; false when there is no such issue.
func (s *Server) Edit(key string, fn func(*Issue)) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	iss, ok := s.issues[key]
	if !ok {
		return false
	}
	fn(iss)
	iss.Updated = s.now()
	return true
}

// Touch sets an issue's updated time, so tests can lay changes out in
// time; false when there is no such issue.
func (s *Server) Touch(key string, at time.Time) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	iss, ok := s.issues[key]
	if ok {
		iss.Updated = at
	}
	return ok
}

// Seed creates n Task issues in project directly (no request counted) and
// returns their keys, for benchmarks and sync tests.
func (s *Server) Seed(project string, n int) []string {
	s.tb.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.projects[project]
	if !ok {
		s.tb.Fatalf("jiratest: Seed: no project %s", project)
		return nil
	}
	keys := make([]string, n)
	created := s.now().Add(-time.Hour)
	for i := range keys {
		iss := s.insert(project, p, "Task", fmt.Sprintf("Seeded issue %d", i+1), created)
		keys[i] = iss.Key
	}
	return keys
}

// insert stores a new issue in To Do; s.mu must be held.
func (s *Server) insert(key string, p *project, issueType, summary string, now time.Time) *Issue {
	s.nextID++
	p.last++
	iss := &Issue{
		ID: strconv.Itoa(s.nextID), Key: key + "-" + strconv.Itoa(p.last), Project: key,
		IssueType: issueType, Summary: summary,
		StatusName: "To Do", StatusCategory: CategoryToDo, Created: now, Updated: now,
	}
	s.issues[iss.Key] = iss
	return iss
}

// all lists the stored issues; s.mu must be held.
func (s *Server) all() []*Issue {
	out := make([]*Issue, 0, len(s.issues))
	for _, iss := range s.issues {
		out = append(out, iss)
	}
	return out
}

// sorted orders issues by "key" (project, then number), "created"
// (creation order) or "updated" (then creation order), ascending unless
// desc.
func (s *Server) sorted(issues []*Issue, by string, desc bool) []*Issue {
	less := func(a, b *Issue) bool {
		if by == "key" && a.Project != b.Project {
			return a.Project < b.Project
		}
		if by == "updated" && !a.Updated.Equal(b.Updated) {
			return a.Updated.Before(b.Updated)
		}
		ai, _ := strconv.Atoi(a.ID) // IDs are numbers this server wrote
		bi, _ := strconv.Atoi(b.ID)
		return ai < bi
	}
	sort.Slice(issues, func(i, j int) bool {
		if desc {
			return less(issues[j], issues[i])
		}
		return less(issues[i], issues[j])
	})
	return issues
}

func (iss *Issue) clone() Issue {
	c := *iss
	c.Labels = append([]string(nil), iss.Labels...)
	c.Comments = append([]Comment(nil), iss.Comments...)
	return c
}

// comment handles POST /issue/{key}/comment.
func (s *Server) comment(c call) reply {
	key := c.r.PathValue("key")
	var req struct {
		Body json.RawMessage `json:"body"`
	}
	if err := json.Unmarshal(c.body, &req); err != nil {
		return reply{http.StatusBadRequest, errorBody("Unexpected character in request body.")}
	}
	cm := Comment{Created: time.Now()}
	if c.version == "3" {
		if validADF(req.Body) != nil {
			return reply{http.StatusBadRequest, fieldErrors(map[string]string{"comment": "Comment body is not valid!"})}
		}
		cm.BodyADF = req.Body
	} else if json.Unmarshal(req.Body, &cm.BodyWiki) != nil || cm.BodyWiki == "" {
		return reply{http.StatusBadRequest, fieldErrors(map[string]string{"comment": "Comment body can not be empty!"})}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	iss, ok := s.issues[key]
	if !ok {
		return reply{http.StatusNotFound, errorBody("Issue does not exist or you do not have permission to see it.")}
	}
	s.nextID++
	cm.ID = strconv.Itoa(s.nextID)
	iss.Comments = append(iss.Comments, cm)
	iss.Updated = cm.Created
	return reply{http.StatusCreated, map[string]any{"id": cm.ID, "body": req.Body, "created": cm.Created.Format(timeLayout)}}
}

// myself handles GET /myself in the flavor's shape.
func (s *Server) myself(c call) reply {
	s.mu.Lock()
	zone := s.zone.String()
	s.mu.Unlock()
	if c.version == "3" {
		return reply{http.StatusOK, map[string]any{"accountId": "5b10ac8d82e05b22cc7d4ef5", "emailAddress": Email,
			"displayName": "VendorSync Bot", "active": true, "accountType": "atlassian", "timeZone": zone}}
	}
	return reply{http.StatusOK, map[string]any{"name": "vendorsync", "key": "JIRAUSER10100",
		"displayName": "VendorSync Bot", "active": true, "timeZone": zone}}
}

// timeLayout is how Jira writes timestamps.
const timeLayout = "2006-01-02T15:04:05.000-0700"

// Restore stores iss under its key as it was before the server started,
// for a server brought back with the issues it had: its project must
// exist, and issues created later are numbered after it. The server
// gives it an id; an empty status is To Do, Created and Updated default
// to now. False when the key is not PROJECT-n of a known project or is
// taken.
func (s *Server) Restore(iss Issue) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	key, num, ok := strings.Cut(iss.Key, "-")
	n, err := strconv.Atoi(num)
	p, known := s.projects[key]
	if !ok || err != nil || n <= 0 || !known || s.issues[iss.Key] != nil {
		return false
	}
	p.last = max(p.last, n)
	s.nextID++
	iss.ID, iss.Project = strconv.Itoa(s.nextID), key
	if iss.IssueType == "" {
		iss.IssueType = "Task"
	}
	if iss.StatusName == "" {
		iss.StatusName, iss.StatusCategory = "To Do", CategoryToDo
	}
	if iss.Created.IsZero() {
		iss.Created = s.now()
	}
	if iss.Updated.IsZero() {
		iss.Updated = iss.Created
	}
	c := iss.clone()
	s.issues[iss.Key] = &c
	return true
}
